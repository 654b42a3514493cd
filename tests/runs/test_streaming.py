"""Streaming results to disk: the same numbers as in memory, written in replication order, nothing kept."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import build, scaled

from sim.analysis.summary import summarise
from sim.runs.executors import map_chunks
from sim.runs.runner import run_replications
from sim.runs.streaming import ReplicationWriter, metric_names, read_metrics, summarise_parquet


@pytest.fixture(scope="module")
def small():
    from conftest import BASELINE

    from sim.model.scenario import resolve_raw

    raw = scaled(resolve_raw(BASELINE), 0.2)
    raw["calendar"].update(burn_in_years=1, horizon_years=2)
    return build(raw)


@pytest.fixture(scope="module")
def both(small, tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "reps.parquet"
    streamed = run_replications(small, 5, seed=4, workers=2, stream_to=path)
    in_memory = run_replications(small, 5, seed=4, workers=1)
    return streamed, in_memory, path


@pytest.mark.slow
def test_streamed_file_holds_the_same_rows_as_the_in_memory_table(both):
    streamed, in_memory, path = both
    assert streamed.table is None and streamed.parquet == path
    on_disk = pq.read_table(path).to_pandas()
    pd.testing.assert_frame_equal(on_disk, in_memory.table, check_dtype=True)
    assert streamed.events == in_memory.events
    assert streamed.stock_at_start == in_memory.stock_at_start


def test_one_row_group_per_replication_in_order(both):
    _, _, path = both
    file = pq.ParquetFile(path)
    assert file.num_row_groups == 5
    for r in range(5):
        reps = set(file.read_row_group(r, columns=["replication"]).column("replication").to_pylist())
        assert reps == {r}


def test_summary_from_disk_equals_the_summary_in_memory(both):
    _, in_memory, path = both
    expected = summarise(in_memory.table)
    got = summarise_parquet(path, summarise, metrics_per_pass=3)
    pd.testing.assert_frame_equal(got, expected)


def test_read_metrics_reads_only_those(both):
    _, in_memory, path = both
    got = read_metrics(path, ["cost_total", "caseload"])
    t = in_memory.table
    expected = t[t["metric"].isin(["cost_total", "caseload"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert set(metric_names(path)) == set(t["metric"])


def test_writer_puts_replications_that_finish_out_of_order_in_order(tmp_path):
    path = tmp_path / "w.parquet"
    with ReplicationWriter(path, "s") as w:
        w.add(2, [(2030, "m", 2.0)])
        w.add(1, [(2030, "m", 1.0)])
        assert w.next == 0  # nothing written while replication 0 is missing
        w.add(0, [(2030, "m", 0.0)])
        assert w.next == 3
    table = pq.read_table(path).to_pandas()
    assert table["replication"].tolist() == [0, 1, 2] and table["value"].tolist() == [0.0, 1.0, 2.0]


def test_writer_refuses_to_finish_with_a_gap(tmp_path):
    w = ReplicationWriter(tmp_path / "gap.parquet", "s")
    w.add(1, [(2030, "m", 1.0)])
    with pytest.raises(RuntimeError, match="replication 0 never arrived"):
        w.close()


def _square(x):
    return x * x


def test_map_chunks_without_keeping_results_hands_each_to_on_result_and_keeps_none():
    seen = []
    kept = map_chunks(partial(_square), [1, 2, 3], workers=2, on_result=seen.append, keep=False)
    assert sorted(seen) == [1, 4, 9]
    assert kept == [[], [], []]
