"""The burn-in once per comparison: replication r of every scenario that shares the first one's burn-in
(sim.model.continuation.shares_burn_in: the same scenario but for its levers and texts, with this replication's
drawn values) is simulated to the projection's start once, and continued as each of them from there: the first
ones in a forked copy of the process, the last in the process itself. Each continuation is that scenario's own
run event for event, so the tables are the same to the byte as when every scenario runs on its own; a scenario
that does not share it, or cannot be continued, runs from the beginning as before.

Forking needs ``os.fork`` (Linux, macOS): elsewhere every scenario runs on its own.
"""

from __future__ import annotations

import gc
import os
import pickle
import time
from collections.abc import Callable, Sequence
from functools import partial

from sim.model.continuation import burn_in, continue_as, shares_burn_in
from sim.model.municipality import ReplicationResult, simulate
from sim.model.scenario import Scenario
from sim.runs.executors import default_workers, map_chunks
from sim.runs.runner import RunResult, long_table, replication_chunks

CAN_FORK = hasattr(os, "fork")


def worth_sharing(scenarios: Sequence[Scenario]) -> bool:
    """Whether any scenario after the first shares its burn-in as written (the drawn values are checked again
    for each replication)."""
    return CAN_FORK and len(scenarios) > 1 and any(shares_burn_in(scenarios[0], sc) for sc in scenarios[1:])


def _in_fork(work: Callable[[], ReplicationResult | None]) -> ReplicationResult | None:
    """``work()`` in a forked copy of this process, its result sent back through a pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: work, answer, and leave without running the parent's exit handlers
        code = 0
        try:
            gc.freeze()  # the collector leaves the inherited objects alone: their pages stay shared, not copied
            os.close(read)
            try:
                answer = ("ok", work())
            except BaseException as e:  # noqa: BLE001 - sent to the parent, which raises it
                answer = ("error", f"{type(e).__name__}: {e}")
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(answer, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent sees no answer
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("a forked continuation of the burn-in ended without an answer")
    status, value = pickle.loads(data)
    if status != "ok":
        raise RuntimeError(f"a forked continuation of the burn-in failed: {value}")
    return value


def one_replication(scenarios: Sequence[Scenario], seed: int, replication: int) -> list[tuple]:
    """Replication ``replication`` of every scenario (drawn for it): (rows, events, stock at start) of each."""
    shares = [j for j, sc in enumerate(scenarios) if shares_burn_in(scenarios[0], sc)] if CAN_FORK else []
    results: list[ReplicationResult | None] = [None] * len(scenarios)
    stocks: list[dict] = [{} for _ in scenarios]
    if len(shares) > 1:
        m, ends = burn_in(scenarios[0], seed, replication, stock_at_start=stocks[0])
        for j in shares[:-1]:
            results[j] = _in_fork(partial(continue_as, m, ends, scenarios[j], seed, replication))
        last = shares[-1]
        results[last] = continue_as(m, ends, scenarios[last], seed, replication)
        for j in shares:
            stocks[j] = stocks[0]  # the same start: replication r's children on their steps at time 0
    for j, sc in enumerate(scenarios):
        if results[j] is None:  # not shared, or not continued: from the beginning
            stocks[j] = {}
            results[j] = simulate(sc, seed, replication, stock_at_start=stocks[j])
    return [(res.rows, res.events, stock) for res, stock in zip(results, stocks)]


def _replications(scenarios: Sequence[Scenario], seed: int, reps: list[int], parameter_sets=None,
                  assumptions=None) -> list[tuple]:
    """Worker: replications ``reps`` of every scenario; (replication, [(rows, events, stock) per scenario])."""
    out = []
    for r in reps:
        drawn = []
        for sc in scenarios:
            sc = assumptions.for_replication(sc, seed, r) if assumptions is not None else sc
            drawn.append(parameter_sets.for_replication(sc, seed, r) if parameter_sets is not None else sc)
        out.append((r, one_replication(drawn, seed, r)))
    return out


def run_shared(scenarios: Sequence[Scenario], replications: int, seed: int, *, workers: int | None = None,
               on_progress: Callable[[int], None] | None = None, parameter_sets=None, assumptions=None,
               first: int = 0) -> list[RunResult]:
    """Every scenario's replications first .. first + replications - 1 with the burn-in once per replication
    where they share it; the same results as ``run_replications`` of each scenario."""
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    size = 1 if workers == 1 else max(1, min(8, replications // (workers * 4) or 1))
    work = partial(_replications, list(scenarios), seed, parameter_sets=parameter_sets, assumptions=assumptions)
    n = len(scenarios)
    parts = map_chunks(work, replication_chunks(replications, size, first), workers=workers,
                       on_result=(lambda part: on_progress(len(part) * n)) if on_progress else None)
    done = sorted((x for part in parts for x in part), key=lambda x: x[0])
    wall = (time.perf_counter() - started) / n  # each scenario's share of the time
    results = []
    for j, sc in enumerate(scenarios):
        mine = [(r, per[j][0], per[j][1], per[j][2]) for r, per in done]
        results.append(RunResult(scenario=sc, table=long_table(sc.name, mine), seed=seed,
                                 replications=replications, wall_seconds=wall, events=sum(x[2] for x in mine),
                                 stock_at_start=mine[0][3], assumptions=assumptions))
    return results
