"""sim.analysis.precision and sim.runs.batches: when a run to a precision stops, on constructed series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.precision import Precision, all_reached, assess, mean_error, precision_from_options, probability_error
from sim.analysis.uncertainty import Z95
from sim.errors import InputError
from sim.runs.batches import Batches, merge, run_in_batches
from sim.runs.runner import RunResult

M = 1e6


def test_mean_error_is_the_half_width_of_the_95_percent_interval():
    values = np.array([1.0, 3.0, 5.0, 7.0])
    assert mean_error(values) == pytest.approx(Z95 * np.std(values, ddof=1) / 2.0)
    assert math.isnan(mean_error(np.array([4.0])))
    assert mean_error(np.array([1.0, np.nan, 3.0])) == pytest.approx(mean_error(np.array([1.0, 3.0])))


def test_a_large_effect_is_held_to_a_share_of_itself():
    rng = np.random.default_rng(3)
    values = 40 * M + rng.normal(0, 10 * M, 400)  # half-width about 1 M: within 10 % of 40 M, not within 2 %
    assert assess(values, Precision(relative=0.1, floor_dkk=0.1 * M), probability=False)["precision_reached"]
    assert not assess(values, Precision(relative=0.02, floor_dkk=0.1 * M), probability=False)["precision_reached"]


def test_an_effect_near_zero_is_held_to_the_floor_not_to_a_share_of_nothing():
    values = np.array([-2.0, 2.0, -1.0, 1.0, 0.5, -0.5] * 5) * M  # mean 0, half-width about 0.5 M
    tight = assess(values, Precision(relative=0.1, floor_dkk=1 * M), probability=False)
    assert tight["npv_mc_target_dkk"] == 1 * M
    assert tight["precision_reached"]
    assert not assess(values, Precision(relative=0.1, floor_dkk=0.1 * M), probability=False)["precision_reached"]


def test_the_chance_of_a_saving_must_be_pinned_too():
    mixed = np.tile([50 * M, 60 * M, 55 * M, -1 * M], 10)  # mean precise, chance 0.75 from 40 runs
    result = assess(mixed, Precision(relative=0.2), probability=True)
    assert result["npv_mc_error_dkk"] <= result["npv_mc_target_dkk"]
    assert result["prob_net_saving"] == 0.75
    assert result["prob_mc_error"] == pytest.approx(probability_error(0.75, 40))
    assert not result["precision_reached"]  # ±0.03 at 0.75 takes hundreds of runs, not 40
    assert assess(mixed, Precision(relative=0.2, probability=0.2), probability=True)["precision_reached"]


def test_every_policy_must_reach_it():
    assert all_reached({"a": {"precision_reached": True}, "b": {"precision_reached": True}})
    assert not all_reached({"a": {"precision_reached": True}, "b": {"precision_reached": False}})


def test_batches_have_fixed_sizes_and_the_last_is_cut_at_the_cap():
    assert Batches(10, 35).sizes() == [10, 10, 10, 5]
    assert Batches(10, 10).sizes() == [10]
    assert Batches(10, 4).sizes() == [4]


def _fake_result(first: int, n: int) -> RunResult:
    table = pd.DataFrame({"scenario": "s", "replication": np.arange(first, first + n), "year": 2027,
                          "metric": "cost_total", "value": np.arange(first, first + n, dtype=float)})
    return RunResult(scenario=None, table=table, seed=1, replications=n, wall_seconds=1.0, events=10 * n)


def test_run_in_batches_stops_at_the_first_batch_end_where_the_rule_holds():
    asked = []

    def run_batch(first, n, which):
        asked.append((first, n))
        return [_fake_result(first, n)]

    def running(results):
        return [] if results[0].replications >= 25 else [0]  # a rule met after the third batch

    results, reached = run_in_batches(run_batch, Batches(10, 100), running)
    assert reached
    assert asked == [(0, 10), (10, 10), (20, 10)]
    merged = results[0]
    assert merged.replications == 30 and merged.events == 300 and merged.wall_seconds == 3.0
    assert list(merged.table["replication"]) == list(range(30))


def test_run_in_batches_stops_at_the_cap_when_the_rule_never_holds():
    results, reached = run_in_batches(lambda first, n, which: [_fake_result(first, n)], Batches(10, 25),
                                      lambda _results: [0])
    assert not reached
    assert results[0].replications == 25
    assert list(results[0].table["replication"]) == list(range(25))


def test_merge_keeps_the_first_batch_and_adds_up_the_rest():
    merged = merge([_fake_result(0, 3), _fake_result(3, 2)])
    assert merged.replications == 5 and merged.events == 50
    assert list(merged.table["value"]) == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("precision, replications, cap, words", [
    (0.0, None, None, ["--precision"]),
    (-0.1, None, None, ["--precision"]),
    (1.5, None, None, ["--precision"]),
    (float("nan"), None, None, ["--precision"]),
    (0.1, 20, None, ["--precision", "--replications"]),
    (0.1, None, 0, ["--max-replications"]),
    (None, None, 50, ["--max-replications", "--precision"]),
])
def test_bad_options_are_refused_naming_the_option(precision, replications, cap, words):
    with pytest.raises(InputError) as e:
        precision_from_options(precision, replications, cap)
    for word in words:
        assert word in str(e.value)


def test_options_give_the_precision_and_its_cap():
    assert precision_from_options(None, 20, None) is None
    chosen = precision_from_options(0.1, None, 60)
    assert (chosen.relative, chosen.cap) == (0.1, 60)
