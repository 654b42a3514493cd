"""A back-test's fit is made once per origin and its projections read again under settings that act only after
the origin: a stored fit projects as the fit itself did, a kept projection gives bands under any trend walk
without a simulation, and the walk's sd for an origin is chosen on forecasts that were known there.

The slow test fits a municipality of 1,000 children (1 burn-in year + 3 years, 4 particles x 2 generations at one
origin, about 11 simulations of 0.15 s) and projects it three times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import made_up_history

import sim.analysis.backtest as backtest
from sim.analysis.backtest import (
    earlier_forecasts,
    fit_origin,
    model_forecast,
    origin_problem,
    project_origin,
    projection_table,
    stored_calibration,
    walk_sd_from_earlier,
)
from sim.analysis.calibration import spec_from_mapping
from sim.errors import InputError
from sim.model.scenario import resolve_raw

HISTORY = made_up_history()

SPEC = {
    "seed": 5, "burn_in_years": 1, "method": "abc_smc",
    "parameters": [{"path": "notifications.per_1000_aged_0_17", "low": 80, "high": 160},
                   {"path": "notifications.trend_per_year", "low": 0.0, "high": 0.1}],
    "targets": [{"metric": "notifications"}, {"metric": "children_placed"}],
    "abc": {"particles": 4, "generations": 2, "max_batches": 1},
    "projection_replications": 3,
}
ORIGIN = 2022


@pytest.fixture(scope="module")
def small():
    raw = resolve_raw("scenarios/baseline.yaml")
    raw["calendar"]["burn_in_years"] = 1
    raw["population"].update(aged_0_17=1000, aged_0_22=1350)
    raw["caseworkers"]["fte"] = 2
    return raw


@pytest.fixture(scope="module")
def problem(small):
    return origin_problem(small, spec_from_mapping(SPEC, "abc.yaml"), HISTORY, ORIGIN, 1)


def _table(replications: int = 10) -> pd.DataFrame:
    """A hand-made projection: notifications growing 5 % a year, each replication 1 % apart."""
    rows = [("s", r, year, "notifications", 120.0 * 1.05 ** (year - 2020) * (1 + 0.01 * r))
            for r in range(replications) for year in range(2020, ORIGIN + 2)]
    return pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])


def _width(forecast: pd.DataFrame) -> float:
    row = forecast[forecast["metric"] == "notifications"].iloc[0]
    return float(row["p95"] - row["p05"])


def test_a_kept_projection_gives_bands_under_any_walk_without_a_simulation(problem, monkeypatch):
    def no_simulation(*args, **kwargs):
        raise AssertionError("a forecast from a kept projection ran a simulation")

    monkeypatch.setattr(backtest, "project", no_simulation)
    table = _table()
    widths = [_width(model_forecast(problem, table, HISTORY, ORIGIN, 1, phi=1.0, walk_sd=sd))
              for sd in (0.0, 0.02, 0.06)]
    assert widths[0] < widths[1] < widths[2]
    still = model_forecast(problem, table, HISTORY, ORIGIN, 1, phi=1.0, walk_sd=0.0)
    # without a walk every replication, rescaled through the origin's 131, grows its 5 %: no band at all
    row = still[still["metric"] == "notifications"].iloc[0]
    assert row["p05"] == pytest.approx(131 * 1.05) and row["p95"] == pytest.approx(131 * 1.05)


def test_a_stored_fit_without_a_parameter_of_the_spec_is_refused(problem):
    ensemble = pd.DataFrame({"notifications.per_1000_aged_0_17": [100.0], "weight": [1.0]})
    with pytest.raises(InputError, match="notifications.trend_per_year"):
        stored_calibration(problem, ensemble)


def _scored(covered_by_origin: dict[int, list[bool]]) -> pd.DataFrame:
    rows = [{"method": "model", "origin": origin, "year": origin + 1 + i, "covered": c}
            for origin, flags in covered_by_origin.items() for i, c in enumerate(flags)]
    return pd.DataFrame(rows)


def test_the_walk_is_chosen_on_forecasts_known_at_the_origin():
    # origin 2016's forecasts for 2017 and 2018 are known at 2018; the one for 2019 is not
    narrow = _scored({2016: [True, False, False], 2017: [True, True, True]})
    wide = _scored({2016: [True, True, False], 2017: [True, True, True]})
    by_sd = {0.0: narrow, 0.02: wide}
    assert list(earlier_forecasts(narrow, 2018)["year"]) == [2017, 2018, 2018]
    assert walk_sd_from_earlier(by_sd, 2016, prior=0.01) == (0.01, 0)  # nothing before the first origin
    assert walk_sd_from_earlier(by_sd, 2017, prior=0.01) == (0.0, 1)  # 2016's 2017 forecast covered already
    assert walk_sd_from_earlier(by_sd, 2018, prior=0.01) == (0.02, 3)  # 2018 missed without the walk
    # what happened after the origin does not change the choice
    later_miss = {sd: f.assign(covered=np.where(f["year"] > 2018, False, f["covered"])) for sd, f in by_sd.items()}
    assert walk_sd_from_earlier(later_miss, 2018, prior=0.01) == (0.02, 3)


def test_the_widest_walk_when_none_covers_enough():
    missed = _scored({2016: [False], 2017: [True]})
    assert walk_sd_from_earlier({0.0: missed, 0.01: missed}, 2017, prior=0.0) == (0.01, 1)


@pytest.mark.slow
def test_a_stored_fit_projects_as_the_fit_did_and_is_not_fitted_again(small, tmp_path, monkeypatch):
    spec = spec_from_mapping(SPEC, "abc.yaml")
    problem, cal = fit_origin(small, spec, HISTORY, ORIGIN, 1, workers=1)
    direct = project_origin(problem, cal, HISTORY, ORIGIN, 1, workers=1)
    cal.ensemble.to_parquet(tmp_path / "fit.parquet", index=False)

    def no_fit(*args, **kwargs):
        raise AssertionError("a stored fit was fitted again")

    monkeypatch.setattr(backtest, "calibrate", no_fit)
    again = origin_problem(small, spec, HISTORY, ORIGIN, 1)
    stored = stored_calibration(again, pd.read_parquet(tmp_path / "fit.parquet"))
    assert stored.parameter_sets.digest == cal.parameter_sets.digest
    phi, table = projection_table(again, stored, ORIGIN, 1, workers=1)
    pd.testing.assert_frame_equal(model_forecast(again, table, HISTORY, ORIGIN, 1, phi=phi), direct)
    assert stored.simulations == spec.projection_replications  # the projection's, no fit's
    damped_phi, _ = projection_table(again, stored, ORIGIN, 1, workers=1, changes={"trend_damping": {"phi": 0.5}})
    assert damped_phi == 0.5
