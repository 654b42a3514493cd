"""A run to a precision in batches holds exactly the replications of one run of as many, whatever the workers
(sim.jobs.run.run_to_precision over sim.runs.experiment.run_experiment)."""

from __future__ import annotations

import pandas as pd
import pytest
from small import small_scenario

from sim.analysis.precision import Precision
from sim.jobs.run import run_to_precision
from sim.runs.experiment import run_experiment

SCENARIOS = [small_scenario("base", fte=2.0), small_scenario("more", fte=3.0)]


def _batches(workers: int):
    def run_batch(first, n, which=None):
        chosen = SCENARIOS if which is None else [SCENARIOS[i] for i in which]
        return run_experiment(chosen, n, 7, workers=workers, first=first)
    return run_batch


def _tables(results) -> pd.DataFrame:
    return pd.concat([r.table for r in results], ignore_index=True)


@pytest.mark.slow
def test_batches_equal_one_run_whatever_the_workers():
    never = Precision(relative=1e-9, floor_dkk=0.0, batch=2, cap=5)  # batches of 2, 2, 1: the cap decides
    one, info_one = run_to_precision(_batches(1), never)
    two, info_two = run_to_precision(_batches(2), never)
    whole = run_experiment(SCENARIOS, 5, 7, workers=1)
    pd.testing.assert_frame_equal(_tables(one), _tables(whole))
    pd.testing.assert_frame_equal(_tables(two), _tables(whole))
    assert [r.events for r in one] == [r.events for r in whole]
    assert info_one == info_two
    assert info_one["replications"] == 5 and not info_one["reached"]
    assert set(info_one["policies"]) == {"more"}


def test_a_loose_precision_stops_after_the_first_batch():
    loose = Precision(relative=1.0, floor_dkk=1e12, probability=1.0, batch=2, cap=50)
    results, info = run_to_precision(_batches(1), loose)
    assert info["reached"] and info["replications"] == 2
    assert [r.replications for r in results] == [2, 2]
    assert sorted(_tables(results)["replication"].unique()) == [0, 1]


def test_runs_made_and_runs_not_needed_add_up_to_the_progress_bars_total():
    """A scenario that stops before the cap tells the progress bar the runs it will not make, so a bar that counts
    to the cap times the scenarios ends full."""
    from sim.jobs import Hooks

    loose = Precision(relative=1.0, floor_dkk=1e12, probability=1.0, batch=2, cap=50)
    made, skipped = [], []

    def run_batch(first, n, which=None):
        results = _batches(1)(first, n, which)
        made.append(sum(r.replications for r in results))
        return results

    run_to_precision(run_batch, loose, Hooks(skipped=skipped.append))
    assert sum(made) + sum(skipped) == loose.cap * len(SCENARIOS)
    assert skipped == [2 * (loose.cap - 2)]
