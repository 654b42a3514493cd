"""Runs in batches: replications in fixed batches until a stopping rule is met or a cap is reached.

Reproducible to the byte whatever the workers: replication r draws from streams keyed by (seed, r) only,
the batches have fixed sizes (``batch``, the last one cut at ``cap``), and the rule is asked only at the end
of a batch. A scenario the rule lets stop runs no more batches; the others go on from where they are. So a
scenario that stops after n replications holds exactly the replications a run of ``--replications n`` holds,
in the same order, whichever scenarios ran beside it.
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
    run_batch: Callable[[int, int, Sequence[int] | None], list[RunResult]],
    batches: Batches,
    still_running: Callable[[list[RunResult]], Sequence[int]],
) -> tuple[list[RunResult], bool]:
    """``run_batch(first, n, which)`` (replications first .. first + n - 1 of the scenarios at positions
    ``which``, None: every scenario) batch after batch; after each, ``still_running(results so far)`` names the
    scenarios that run the next batch (empty: every one has had enough). Returns the merged results, one per
    scenario with as many replications as it ran, and whether the rule stopped the run before the cap."""
    merged: list[RunResult] = []
    which: list[int] | None = None
    first = 0
    for size in batches.sizes():
        part = run_batch(first, size, which)
        if which is None:
            merged = list(part)
        else:
            for position, result in zip(which, part):
                merged[position] = merge([merged[position], result])  # one table per scenario, not one per batch
        first += size
        which = list(still_running(merged))
        if not which:
            return merged, True
    return merged, False
