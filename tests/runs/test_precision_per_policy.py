"""A run to a precision stops each policy on its own: a policy that is precise runs no more batches, the baseline
runs as far as the longest-running policy, and each scenario holds exactly the replications of a run of as many,
whatever the workers and whichever scenarios shared the burn-in (sim.jobs.run.run_to_precision)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from small import small_scenario

import sim
from sim.analysis.precision import Precision, still_running
from sim.jobs.run import run_to_precision
from sim.runs.experiment import run_experiment
from sim.runs.runner import RunResult
from sim.runs.shared import worth_sharing

ROOT = Path(__file__).resolve().parents[2]
M = 1e6


def test_the_baseline_runs_while_any_policy_runs():
    precise, vague = {"precision_reached": True}, {"precision_reached": False}
    assert still_running({"a": precise, "b": vague}, compare=True) == [0, 2]
    assert still_running({"a": vague, "b": vague}, compare=True) == [0, 1, 2]
    assert still_running({"a": precise, "b": precise}, compare=True) == []
    assert still_running({"alone": vague}, compare=False) == [0]
    assert still_running({"alone": precise}, compare=False) == []


def _fake(name: str, first: int, n: int) -> RunResult:
    table = pd.DataFrame({"scenario": name, "replication": np.arange(first, first + n), "year": 2027,
                          "metric": "cost_total", "value": 0.0})
    return RunResult(scenario=None, table=table, seed=1, replications=n, wall_seconds=1.0, events=n)


def test_a_precise_policy_stops_and_the_others_go_on_to_the_cap():
    names = ["base", "steady", "noisy"]
    asked = []

    def run_batch(first, n, which):
        asked.append((first, None if which is None else list(which)))
        return [_fake(names[i], first, n) for i in (range(3) if which is None else which)]

    def statistic(results):
        # "steady" saves 10 M in every run (pinned at once), "noisy" swings by ±100 M (never pinned to ±5 M)
        n_steady, n_noisy = results[1].replications, results[2].replications
        return {"steady": np.full(n_steady, 10 * M),
                "noisy": np.resize([100 * M, -100 * M], n_noisy)}, False

    results, info = run_to_precision(run_batch, Precision(relative=0.1, batch=10, cap=30), statistic=statistic)
    assert asked == [(0, None), (10, [0, 2]), (20, [0, 2])]
    assert [r.replications for r in results] == [30, 10, 30]
    assert list(results[1].table["replication"]) == list(range(10))
    assert not info["reached"] and info["replications"] == 30
    assert info["policies"]["steady"]["replications"] == 10 and info["policies"]["steady"]["precision_reached"]
    assert info["policies"]["noisy"]["replications"] == 30 and not info["policies"]["noisy"]["precision_reached"]


def _scenarios() -> list:
    start = f"{sim.load_scenario(ROOT / 'scenarios' / 'baseline.yaml').calendar.start_year}-01-01"
    # "same" changes nothing: its net saving is 0 in every run, pinned after the first batch; "more" is not
    more = [{"setting": "caseworkers.fte", "start": start, "value": 3.0}]
    return [small_scenario("base"), small_scenario("same"), small_scenario("more", more)]


# the NPV to within 0 DKK: only an exactly known saving (0 in every run) is precise; the chance is let go
EXACT = Precision(relative=1e-9, floor_dkk=0.0, probability=1.0, batch=2, cap=5)


def _batches(scenarios, workers: int):
    def run_batch(first, n, which=None):
        chosen = scenarios if which is None else [scenarios[i] for i in which]
        return run_experiment(chosen, n, 7, workers=workers, first=first)
    return run_batch


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_each_scenario_holds_the_replications_of_a_run_of_as_many(workers):
    scenarios = _scenarios()
    assert worth_sharing(scenarios)  # the three share the burn-in; after the first batch only base and more do
    results, info = run_to_precision(_batches(scenarios, workers), EXACT)
    assert [r.replications for r in results] == [5, 2, 5]  # batches of 2, 2, 1: "same" stops after the first
    assert info["policies"]["same"]["precision_reached"] and not info["policies"]["more"]["precision_reached"]
    fixed_5 = run_experiment(scenarios, 5, 7, workers=1, share_burn_in=False)
    fixed_2 = run_experiment(scenarios, 2, 7, workers=1, share_burn_in=False)
    for got, want in zip(results, [fixed_5[0], fixed_2[1], fixed_5[2]]):
        pd.testing.assert_frame_equal(got.table.reset_index(drop=True), want.table)
        assert got.events == want.events and got.stock_at_start == want.stock_at_start
