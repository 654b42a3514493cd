"""The burn-in once per comparison (sim.runs.shared): the same tables as every scenario on its own, whatever
the workers, with scenarios that share the burn-in and one that does not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from small import small_scenario

import sim
from sim.runs.experiment import run_experiment
from sim.runs.shared import worth_sharing

ROOT = Path(__file__).resolve().parents[2]


def _scenarios() -> list:
    start = f"{sim.load_scenario(ROOT / 'scenarios' / 'baseline.yaml').calendar.start_year}-01-01"
    base = small_scenario("base")
    return [base, small_scenario("more", [{"setting": "caseworkers.fte", "start": start, "value": 3.0}]),
            small_scenario("slower", hours=base.reviews.hours * 1.5),  # another setting: runs on its own
            small_scenario("busier", [{"setting": "notifications.per_1000_aged_0_17", "start": start, "times": 1.2}])]


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
