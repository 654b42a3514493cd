"""Rolling-origin back-tests (sim.analysis.backtest): conditioning on the origin, MASE's scale and the scores
per metric and horizon, on constructed tables (no simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.backtest import (
    anchored_paths,
    naive_scale,
    parse_origins,
    rolling_table,
    score_origin,
)
from sim.errors import InputError


def history(rows):
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


def test_anchored_paths_pass_through_the_observed_value_and_keep_each_replications_growth():
    paths = pd.DataFrame({2018: [90.0, 110.0], 2019: [99.0, 110.0], 2020: [108.0, 121.0]}, index=[0, 1])
    out = anchored_paths(paths, 2018, 100.0)
    assert out[2018].tolist() == [100.0, 100.0]
    assert out[2019].tolist() == pytest.approx([110.0, 100.0])  # +10 % and flat, as simulated
    assert out[2020].tolist() == pytest.approx([120.0, 110.0])


def test_a_replication_at_zero_in_the_anchor_year_is_shifted_not_divided_by_zero():
    paths = pd.DataFrame({2018: [0.0], 2019: [2.0]})
    assert anchored_paths(paths, 2018, 5.0)[2019].tolist() == [7.0]


def test_naive_scale_is_the_mean_yearly_change_counting_gaps():
    h = history([(2015, "x", 100.0), (2017, "x", 120.0), (2018, "x", 115.0), (2019, "x", 0.0)])
    assert naive_scale(h, "x", 2018) == pytest.approx((20 + 5) / 3)  # 2019 is after the origin: not seen
    assert np.isnan(naive_scale(h, "x", 2015))  # one observation: no change to scale by


def test_scores_per_origin_and_horizon_with_both_bands():
    h = history([(2016, "x", 100.0), (2017, "x", 110.0), (2018, "x", 120.0), (2019, "x", 130.0)])
    forecasts = pd.DataFrame([
        {"method": "model", "metric": "x", "year": 2018, "forecast": 118.0, "p05": 100.0, "p25": 115.0,
         "p75": 125.0, "p95": 140.0},
        {"method": "model", "metric": "x", "year": 2019, "forecast": 118.0, "p05": 100.0, "p25": 110.0,
         "p75": 125.0, "p95": 140.0},
        {"method": "last_value", "metric": "x", "year": 2018, "forecast": 110.0},
        {"method": "last_value", "metric": "x", "year": 2019, "forecast": 110.0},
    ])
    scored = score_origin(forecasts, h, 2017)
    model = scored[scored["method"] == "model"].set_index("year")
    assert model["horizon"].tolist() == [1, 2]
    assert model["covered_50"].tolist() == [True, False] and model["covered"].tolist() == [True, True]
    assert model.loc[2019, "ase"] == pytest.approx(12 / 10)  # |118 - 130| over the yearly change 10
    last = scored[scored["method"] == "last_value"]
    assert last["covered"].isna().all() and last["covered_50"].isna().all()
    table = rolling_table(scored)
    pooled = table[(table["metric"] == "all") & (table["horizon"] == 0)].set_index("method")
    assert pooled.loc["model", "coverage_50"] == 0.5 and pooled.loc["model", "coverage_90"] == 1.0
    assert pooled.loc["last_value", "mape"] == pytest.approx((10 / 120 + 20 / 130) / 2)
    assert pooled.loc["last_value", "mase"] == pytest.approx((1 + 2) / 2)
    per = table[(table["metric"] == "x") & (table["method"] == "model")].set_index("horizon")
    assert set(per.index) == {0, 1, 2} and per.loc[2, "coverage_50"] == 0.0


@pytest.mark.parametrize("text, expected", [("2018,2016,2017", [2016, 2017, 2018]), ("2017", [2017])])
def test_origins_parse_sorted(text, expected):
    assert parse_origins(text) == expected


@pytest.mark.parametrize("text", ["2016,2016", "2016;2017", ","])
def test_bad_origins_say_what_is_wrong(text):
    with pytest.raises(InputError, match="--origins"):
        parse_origins(text)
