"""The combination forecast (sim.analysis.combination): weights from earlier origins only, the weighted mean of
its parts, and the winner of each row of a back-test's table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.backtest import rolling_table
from sim.analysis.combination import combination_weights, winners, with_combination


def scored_rows(errors: dict[tuple[int, str], float], actual: float = 100.0) -> pd.DataFrame:
    """Scored forecasts of one metric, a year ahead of each origin: {(origin, method): relative error}."""
    rows = []
    for (origin, method), error in errors.items():
        forecast = actual * (1.0 + error)
        rows.append({"origin": origin, "horizon": 1, "method": method, "metric": "notifications",
                     "year": origin + 1, "actual": actual, "forecast": forecast, "p05": np.nan, "p25": np.nan,
                     "p75": np.nan, "p95": np.nan, "ape": abs(error), "ase": abs(forecast - actual) / 5.0,
                     "covered_50": pd.NA, "covered": pd.NA})
    return pd.DataFrame(rows)


ERRORS = {(2016, "model"): 0.02, (2016, "last_value"): -0.10, (2016, "stock_flow"): 0.20,
          (2017, "model"): 0.05, (2017, "last_value"): -0.05, (2017, "stock_flow"): 0.10,
          (2018, "model"): 0.01, (2018, "last_value"): 0.01, (2018, "stock_flow"): 0.01}


def test_the_first_origin_weighs_the_methods_equally():
    assert combination_weights(scored_rows(ERRORS), 2016) == pytest.approx(
        {"model": 1 / 3, "last_value": 1 / 3, "stock_flow": 1 / 3})


def test_the_weights_are_inverse_squared_errors_of_earlier_origins_only():
    weights = combination_weights(scored_rows(ERRORS), 2018)  # 2016's forecasts of 2017 and 2017's of 2018
    inverse = {m: 1 / np.mean([ERRORS[(2016, m)] ** 2, ERRORS[(2017, m)] ** 2]) for m in weights}
    assert weights == pytest.approx({m: v / sum(inverse.values()) for m, v in inverse.items()})
    later = {**ERRORS, (2018, "model"): 0.9}
    assert combination_weights(scored_rows(later), 2018) == weights  # what happens later does not move them
    # 2017's weights see only 2016's forecast of 2017: the model, off by 2 %, weighs most
    early = combination_weights(scored_rows(ERRORS), 2017)
    assert max(early, key=early.get) == "model"


def test_the_combination_is_the_weighted_mean_of_its_parts_and_is_scored():
    scored = with_combination(scored_rows(ERRORS))
    combined = scored[scored["method"] == "combination"].set_index("origin")
    weights = combination_weights(scored_rows(ERRORS), 2017)
    expected = sum(w * 100.0 * (1 + ERRORS[(2017, m)]) for m, w in weights.items())
    assert combined.loc[2017, "forecast"] == pytest.approx(expected)
    assert combined.loc[2017, "ape"] == pytest.approx(abs(expected - 100.0) / 100.0)
    assert combined.loc[2017, "ase"] == pytest.approx(abs(expected - 100.0) / 5.0)
    assert combined["covered"].isna().all()


def test_each_row_names_its_winner_by_mape_and_by_mase():
    table = winners(rolling_table(with_combination(scored_rows(ERRORS))))
    pooled = table[(table["metric"] == "all") & (table["horizon"] == 0)].iloc[0]
    assert pooled["best_mape"] == "model"  # 2.7 % on average, the others 5.3 % and 10.3 %
    assert pooled["mape_stock_flow"] == pytest.approx((0.20 + 0.10 + 0.01) / 3)
