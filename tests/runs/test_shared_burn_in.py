"""The burn-in once per comparison (sim.runs.shared): the same tables as every scenario on its own, whatever
the workers, with scenarios that share the burn-in and one that does not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.model.scenario import scenario_from_mapping
from sim.runs.experiment import run_experiment
from sim.runs.shared import worth_sharing

ROOT = Path(__file__).resolve().parents[2]


def _small(name: str, levers=(), **reviews) -> sim.Scenario:
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    raw["name"] = name
    raw["calendar"].update(burn_in_years=1, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.1
    raw["caseworkers"].update({"fte": 2.0, "fte_changes": []})
    raw["reviews"].update(reviews)
    raw["levers"] = list(levers)
    return scenario_from_mapping(raw)


def _scenarios() -> list:
    start = f"{sim.load_scenario(ROOT / 'scenarios' / 'baseline.yaml').calendar.start_year}-01-01"
    base = _small("base")
    return [base, _small("more", [{"setting": "caseworkers.fte", "start": start, "value": 3.0}]),
            _small("slower", hours=base.reviews.hours * 1.5),  # another setting: runs on its own
            _small("busier", [{"setting": "notifications.per_1000_aged_0_17", "start": start, "times": 1.2}])]


def test_only_scenarios_that_differ_in_levers_are_worth_sharing():
    base, more, slower, _ = _scenarios()
    assert worth_sharing([base, more])
    assert not worth_sharing([base, slower])


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sharing_the_burn_in_gives_the_same_tables(workers):
    scenarios = _scenarios()
    alone = run_experiment(scenarios, 3, 4, workers=1, share_burn_in=False)
    shared = run_experiment(scenarios, 3, 4, workers=workers, share_burn_in=True)
    for a, b in zip(alone, shared):
        pd.testing.assert_frame_equal(a.table, b.table)
        assert (a.events, a.stock_at_start, a.replications) == (b.events, b.stock_at_start, b.replications)


def test_a_batch_of_a_shared_run_is_the_same_batch_alone():
    scenarios = _scenarios()[:2]
    alone = run_experiment(scenarios, 1, 4, workers=1, share_burn_in=False, first=2)
    shared = run_experiment(scenarios, 1, 4, workers=1, first=2)
    for a, b in zip(alone, shared):
        pd.testing.assert_frame_equal(a.table, b.table)
        assert list(b.table["replication"].unique()) == [2]
