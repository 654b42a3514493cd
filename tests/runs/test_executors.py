"""sim.runs.executors.map_chunks: the same results, in chunk order, in this process, in local worker processes, on a
local Dask cluster and on an existing Dask cluster reached by its address; clear errors otherwise."""

from __future__ import annotations

import functools
import sys
import time

import distributed  # a declared dependency: a broken install must fail here, not skip
import pytest
from conftest import BASELINE, build, scaled

import sim.runs.runner
from sim.errors import InputError
from sim.model.scenario import resolve_raw
from sim.runs.executors import map_chunks

SEED = 11
CHUNKS = [[0, 1], [2], [3, 4], [5]]  # uneven on purpose


def slow_square(x: int) -> int:
    """Earlier chunks take longer, so they finish last: the order of the results must not follow."""
    time.sleep(0.05 * (5 - x))
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster on loopback, started as a user would start one elsewhere and reached by address."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as c:
        yield c


@pytest.fixture(scope="module")
def replication_fn():
    """_replications(scenario, seed, reps, start) with everything but the chunk of replications fixed."""
    raw = resolve_raw(BASELINE)
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 3
    scenario = build(scaled(raw, 0.25))  # about 0.2 s per replication
    return functools.partial(sim.runs.runner._replications, scenario, SEED, start=sim.runs.runner.Start())


def rows_by_replication(chunk_results: list) -> dict[int, list]:
    """{replication: rows} from the per-chunk lists of (replication, rows, events, stock at start)."""
    return {r: rows for part in chunk_results for r, rows, *_ in part}


@pytest.mark.slow
def test_trivial_function_same_ordered_results_everywhere():
    xs = list(range(6))
    expected = [x * x for x in xs]
    seen: list = []
    assert map_chunks(slow_square, xs, workers=1, on_result=seen.append) == expected
    assert seen == expected  # in process: finished in order
    seen.clear()
    assert map_chunks(slow_square, xs, workers=2, on_result=seen.append) == expected
    assert sorted(seen) == expected  # one call per chunk, in the order they finished
    seen.clear()
    assert map_chunks(slow_square, xs, executor="dask", workers=2, on_result=seen.append) == expected
    assert sorted(seen) == expected
    assert map_chunks(slow_square, [], workers=2) == []
    assert map_chunks(slow_square, [], executor="dask") == []


@pytest.mark.slow
def test_model_replications_identical_local_and_dask(replication_fn):
    one = map_chunks(replication_fn, CHUNKS, workers=1)
    two = map_chunks(replication_fn, CHUNKS, workers=2)
    dask = map_chunks(replication_fn, CHUNKS, executor="dask", workers=2)
    assert [[r for r, *_ in part] for part in dask] == CHUNKS  # results in chunk order
    assert rows_by_replication(one) == rows_by_replication(two) == rows_by_replication(dask)
    assert one == two == dask  # events and the stock at start as well
    rows = rows_by_replication(one)
    assert sorted(rows) == list(range(6)) and all(rows.values())
    assert rows[0] != rows[1]  # replications differ: the comparison above is not vacuous


@pytest.mark.slow
def test_existing_cluster_by_address(cluster, replication_fn):
    address = cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    assert map_chunks(slow_square, list(range(6)), executor="dask", scheduler=address) == [x * x for x in range(6)]
    local = map_chunks(replication_fn, CHUNKS, workers=1)
    progress: list = []
    remote = map_chunks(
        replication_fn, CHUNKS, executor="dask", scheduler=address, on_result=lambda part: progress.append(len(part))
    )
    assert remote == local
    assert sorted(progress) == sorted(len(c) for c in CHUNKS)


def test_errors_of_fn_are_raised(cluster):
    with pytest.raises(ValueError, match="three"):
        map_chunks(fail_on_three, list(range(6)), workers=2)
    with pytest.raises(ValueError, match="three"):
        map_chunks(fail_on_three, list(range(6)), executor="dask", scheduler=cluster.scheduler_address)


def test_unreachable_scheduler_is_an_input_error():
    # how fast it gives up is connect_timeout's business (a timing belongs in benchmarks/, not in a test)
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:1'"):
        map_chunks(slow_square, [1], executor="dask", scheduler="tcp://127.0.0.1:1", connect_timeout=1)
    with pytest.raises(InputError, match="cannot reach"):
        map_chunks(slow_square, [1], executor="dask", scheduler="no-port-here")


def test_bad_options_are_input_errors():
    with pytest.raises(InputError, match="unknown executor 'ray'.*local, dask"):
        map_chunks(slow_square, [1], executor="ray")
    with pytest.raises(InputError, match="--scheduler needs --executor dask"):
        map_chunks(slow_square, [1], scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(InputError, match="--workers must be at least 1"):
        map_chunks(slow_square, [1], workers=0)


def test_missing_distributed_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(InputError, match=r'pip install "dask\[distributed\]"'):
        map_chunks(slow_square, [1], executor="dask")
    assert map_chunks(slow_square, [1, 2], workers=1) == [1, 4]  # the local executor does not need it
