"""Runs in batches: replications in fixed batches until a stopping rule is met or a cap is reached.

Reproducible to the byte whatever the workers: replication r draws from streams keyed by (seed, r) only,
the batches have fixed sizes (``batch``, the last one cut at ``cap``), and the rule is asked only at the end
of a batch, of replications 0 .. n - 1 of every scenario. So a run that stops after n replications holds
exactly the replications a run of ``--replications n`` holds, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from sim.runs.runner import RunResult


@dataclass(frozen=True)
class Batches:
    """The first batch's size, the size of every later one, and the most replications of each scenario."""

    batch: int
    cap: int

    def sizes(self) -> list[int]:
        """The batch sizes in order, the last one cut at the cap: [batch, batch, ..., rest]."""
        return [min(self.batch, self.cap - start) for start in range(0, self.cap, self.batch)]


def merge(parts: Sequence[RunResult]) -> RunResult:
    """Batches of one scenario in order (replications 0.. first) as one result: the tables one after the
    other (still sorted by replication), the counts and times added up."""
    first = parts[0]
    table = pd.concat([p.table for p in parts], ignore_index=True) if len(parts) > 1 else first.table
    return replace(first, table=table, replications=sum(p.replications for p in parts),
                   wall_seconds=sum(p.wall_seconds for p in parts), events=sum(p.events for p in parts))


def run_in_batches(
    run_batch: Callable[[int, int], list[RunResult]],
    batches: Batches,
    enough: Callable[[list[RunResult]], bool],
) -> tuple[list[RunResult], bool]:
    """``run_batch(first, n)`` (every scenario's replications first .. first + n - 1) batch after batch until
    ``enough(results so far)`` or the cap; returns the merged results and whether ``enough`` was met."""
    done: list[list[RunResult]] = []
    first = 0
    for size in batches.sizes():
        part = run_batch(first, size)
        done = [[r] for r in part] if not done else [have + [r] for have, r in zip(done, part)]
        first += size
        merged = [merge(have) for have in done]
        done = [[m] for m in merged]  # keep one table per scenario, not one per batch
        if enough(merged):
            return merged, True
    return [have[0] for have in done], False
