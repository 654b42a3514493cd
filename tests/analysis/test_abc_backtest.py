"""ABC-SMC in a rolling-origin back-test of a small municipality: the same seed gives identical posterior and
back-test files whatever the workers or executor; the drift's sd is a parameter like any other.

A municipality of 1,000 children over 1 burn-in year + 4 years, 4 particles x 2 generations at one origin: about
11 simulations of 0.15 s per run (3 runs: in this process, 2 local workers, Dask)."""

from __future__ import annotations

import pandas as pd
import pytest
from synthetic import made_up_history

from sim.analysis.backtest import run_backtest
from sim.analysis.calibration import spec_from_mapping
from sim.model.scenario import resolve_raw

pytestmark = pytest.mark.slow

HISTORY = made_up_history()

SPEC = {
    "seed": 5, "burn_in_years": 1, "method": "abc_smc",
    "parameters": [{"path": "notifications.per_1000_aged_0_17", "low": 80, "high": 160},
                   {"path": "drift.0.sd_per_year", "low": 0.0, "high": 0.5}],
    "targets": [{"metric": "notifications"}, {"metric": "children_placed"}],
    "abc": {"particles": 4, "generations": 2, "max_batches": 1},
    "projection_replications": 3,
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    raw = resolve_raw("scenarios/baseline.yaml")
    raw["calendar"]["burn_in_years"] = 1
    raw["population"].update(aged_0_17=1000, aged_0_22=1350)
    raw["caseworkers"]["fte"] = 2
    raw["diversion"]["share"] = 0.1
    raw["drift"] = [{"setting": "diversion.share", "trend_per_year": 0.0, "sd_per_year": 0.0}]
    return raw


def _backtest(raw, **run_on):
    spec = spec_from_mapping(SPEC, "abc.yaml")
    return run_backtest(raw, spec, HISTORY, [2022], 1, **run_on)


def test_same_seed_same_posterior_and_backtest_whatever_workers_or_executor(small):
    one = _backtest(small, workers=1)
    for run_on in ({"workers": 2}, {"workers": 2, "executor": "dask"}):
        other = _backtest(small, **run_on)
        pd.testing.assert_frame_equal(one.scored, other.scored)
        for origin in one.origins:
            pd.testing.assert_frame_equal(one.calibrations[origin].ensemble, other.calibrations[origin].ensemble)
    model = one.scored[one.scored["method"] == "model"]
    assert set(model["origin"]) == {2022}
    ensemble = one.calibration.ensemble
    assert ensemble["weight"].sum() == pytest.approx(1.0)
    assert ensemble["drift.0.sd_per_year"].between(0.0, 0.5).all()
    assert one.calibration.tolerances[0] == float("inf")  # generation 0: the prior


def _simulated_scale(raw, workers):
    from sim.analysis.calibration import observation_sd_simulated, pilot_runs, prepare

    spec = spec_from_mapping({**SPEC, "abc": {**SPEC["abc"], "distance_scale": "simulated",
                                             "pilot_replications": 8, "model_error_cv": 0.05}}, "abc.yaml")
    problem = prepare(raw, spec, HISTORY)
    counts = {"events": 0}
    pilot = pilot_runs(problem, {"workers": workers, "executor": "local", "scheduler": None}, counts)
    sd = observation_sd_simulated(problem, pilot)
    return problem, sd, counts


def test_the_simulated_distance_scale_weighs_a_tight_series_more_than_a_noisy_one(small):
    """distance_scale simulated: each residual is judged on one replication's spread at the prior's middle
    plus the model error. Notifications (about 120 a year here) are a tighter series than children placed
    (about 9), so relative to its value a notification's sd is the smaller; the simulated spread is really
    added (the noisiest series lies above the model error alone); the pilot's replications are the same
    whatever the workers."""
    problem, sd, counts = _simulated_scale(small, workers=1)
    observed = problem.observed["model_observed"].to_numpy(dtype=float)
    relative = pd.Series(sd / observed, index=problem.observed["metric"].to_numpy())
    assert relative["notifications"].max() < relative["children_placed"].min(), relative
    assert (sd > 1.5 * 0.05 * observed)[problem.observed["metric"].to_numpy() == "children_placed"].all()
    assert counts["pilot"] == 8 and counts["events"] > 0
    _, sd_two, _ = _simulated_scale(small, workers=2)
    assert list(sd) == list(sd_two)
