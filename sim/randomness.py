"""Random numbers: one stream per decision type per replication, keyed so that scenarios share them.

Every draw is addressed, not consumed in order: child *i*'s *k*-th draw for decision *d* is a fixed
number for a given (seed, replication). So adding one child, or a caseworker who is never needed, leaves
every other child's draws, and therefore its path, unchanged; and two scenarios run with the same seed
and replication face the same children with the same luck (common random numbers).

Draws are made in blocks with numpy (a scalar numpy draw per event costs more than the event itself).
"""

from __future__ import annotations

import math

import numpy as np

# Decision types. The index is part of the seed key: append new ones at the end, never reorder.
DECISIONS = (
    "arrivals",  # notification times
    "known",  # a child's own key among the children the municipality knows
    "demography",  # age of a new child, aftercare
    "screening",  # outcome of the assessment
    "investigation",  # need found, lags between sessions
    "choice",  # step chosen on the staircase
    "dynamics",  # need improves or escalates, breakdowns, moving away
    "review",  # decision at a review
    "tasks",  # caseworker hours of each task
    "notice",  # per notification: is it about a known child, and which one
    "policy",  # decisions only some scenarios make (diversion, end of a time-limited stay)
)
D = {name: i for i, name in enumerate(DECISIONS)}

# Namespaces of child ids, so children added one way never shift the ids of another.
NS_INITIAL, NS_ARRIVAL, NS_EXTRA = 0, 1, 2
_NS_BITS = 40

BLOCK = 512  # children per block
CHUNK = 4  # draws per child in one block; a child needing more draws for a decision gets the next chunk


def child_id(namespace: int, index: int) -> int:
    return (namespace << _NS_BITS) | index


class Draws:
    """Uniform(0,1) draws addressed by (decision, child id, draw number).

    The draws of 512 children x 4 draw numbers for one decision come from one generator keyed by
    (seed, replication, decision, child block, chunk); chunks are made only when some child needs them,
    so the cost follows the draws used."""

    __slots__ = ("seed", "replication", "_blocks")

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)
        self._blocks: dict[tuple[int, int, int], np.ndarray] = {}

    def chunk(self, decision: int, cid: int, chunk: int) -> list[float]:
        """Draw numbers chunk*CHUNK .. chunk*CHUNK+CHUNK-1 of child ``cid`` for ``decision``."""
        block = cid // BLOCK
        key = (decision, block, chunk)
        arr = self._blocks.get(key)
        if arr is None:
            rng = np.random.default_rng([self.seed, self.replication, decision, block >> 32, block & 0xFFFFFFFF, chunk])
            arr = rng.random((BLOCK, CHUNK))
            self._blocks[key] = arr
        return arr[cid % BLOCK].tolist()  # Python floats: they index and compute faster than numpy scalars

    def uniform(self, decision: int, cid: int, k: int) -> float:
        """The k-th uniform of child ``cid`` for ``decision``."""
        return self.chunk(decision, cid, k // CHUNK)[k % CHUNK]

    def generator(self, decision: int, key: int = 0) -> np.random.Generator:
        """A plain generator for a stream that is not per child (e.g. the arrival times)."""
        return np.random.default_rng([self.seed, self.replication, decision, 1 << 40, key])


class ChildLuck:
    """A child's own draws: per decision type, the draws fetched so far and how many are used."""

    __slots__ = ("cid", "draws", "counts", "rows")

    def __init__(self, cid: int, draws: Draws):
        self.cid = cid
        self.draws = draws
        self.counts = [0] * len(DECISIONS)
        self.rows: list[list[float] | None] = [None] * len(DECISIONS)

    def u(self, decision: int) -> float:
        k = self.counts[decision]
        row = self.rows[decision]
        if row is None or k >= len(row):
            more = self.draws.chunk(decision, self.cid, k // CHUNK)
            row = more if row is None else row + more
            self.rows[decision] = row
        self.counts[decision] = k + 1
        return row[k]

    def exponential(self, decision: int, rate: float) -> float:
        """Waiting time with the given rate (inverse transform, so common random numbers stay aligned)."""
        u = self.u(decision)
        if rate <= 0.0:
            return math.inf
        return -math.log(1.0 - u) / rate

    def pick(self, decision: int, cumulative: list[float]) -> int:
        """Index into a cumulative share table."""
        u = self.u(decision)
        for i, c in enumerate(cumulative):
            if u < c:
                return i
        return len(cumulative) - 1
