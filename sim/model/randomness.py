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
    "need",  # a notified child's real need, what triage sees, what an investigation finds (sim.model.demand)
    "unmet",  # the course of a need left unmet after a closed inquiry: escalation, fading, re-notification
)
D = {name: i for i, name in enumerate(DECISIONS)}

# Namespaces of child ids, so children added one way never shift the ids of another.
NS_INITIAL, NS_ARRIVAL, NS_EXTRA = 0, 1, 2
_NS_BITS = 40

BLOCK = 512  # children per block
CHUNK = 4  # draws per child and decision in one chunk; a child needing more gets the next chunk
SLOTS = 16  # decision slots in a child's first chunk (room to add decision types without moving others)
_FIRST = 1 << 10  # key of the first-chunk blocks, apart from any decision index
assert len(DECISIONS) <= SLOTS


def child_id(namespace: int, index: int) -> int:
    return (namespace << _NS_BITS) | index


class Draws:
    """Uniform(0,1) draws addressed by (decision, child id, draw number).

    A child's first CHUNK draws of every decision come in one row of a block of 512 children (one numpy
    call per block, one row per child); later chunks come from blocks keyed by (decision, child block,
    chunk), made only when some child needs them. The cost follows the draws used."""

    __slots__ = ("seed", "replication", "_blocks")

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)
        self._blocks: dict[tuple[int, int, int], np.ndarray] = {}

    def _array(self, key: tuple[int, int, int], width: int) -> np.ndarray:
        arr = self._blocks.get(key)
        if arr is None:
            decision, block, chunk = key
            rng = np.random.default_rng([self.seed, self.replication, decision, block >> 32, block & 0xFFFFFFFF, chunk])
            arr = rng.random((BLOCK, width))
            self._blocks[key] = arr
        return arr

    def first(self, cid: int) -> list[float]:
        """The first CHUNK draws of every decision slot of child ``cid`` (slot-major)."""
        return self._array((_FIRST, cid // BLOCK, 0), SLOTS * CHUNK)[cid % BLOCK].tolist()

    def first_of(self, decision: int, cid: int, n: int) -> list[float]:
        """The first n (<= CHUNK) draws of child ``cid`` for ``decision``, without the rest of its first chunk."""
        at = decision * CHUNK
        return self._array((_FIRST, cid // BLOCK, 0), SLOTS * CHUNK)[cid % BLOCK, at:at + n].tolist()

    def chunk(self, decision: int, cid: int, chunk: int) -> list[float]:
        """Draw numbers chunk*CHUNK .. chunk*CHUNK+CHUNK-1 of child ``cid`` for ``decision`` (chunk >= 1)."""
        return self._array((decision, cid // BLOCK, chunk), CHUNK)[cid % BLOCK].tolist()

    def uniform(self, decision: int, cid: int, k: int) -> float:
        """The k-th uniform of child ``cid`` for ``decision``."""
        if k < CHUNK:
            return self.first(cid)[decision * CHUNK + k]
        return self.chunk(decision, cid, k // CHUNK)[k % CHUNK]

    def generator(self, decision: int, key: int = 0) -> np.random.Generator:
        """A plain generator for a stream that is not per child (e.g. the arrival times)."""
        return np.random.default_rng([self.seed, self.replication, decision, 1 << 40, key])


class ChildLuck:
    """A child's own draws: its first chunk of every decision, later chunks as needed, and the counts."""

    __slots__ = ("cid", "draws", "counts", "first", "later")

    def __init__(self, cid: int, draws: Draws):
        self.cid = cid
        self.draws = draws
        self.counts = [0] * len(DECISIONS)
        self.first = draws.first(cid)
        self.later: dict[int, list[float]] | None = None

    def u(self, decision: int) -> float:
        k = self.counts[decision]
        self.counts[decision] = k + 1
        if k < CHUNK:
            return self.first[decision * CHUNK + k]
        return self._later(decision, k)

    def _later(self, decision: int, k: int) -> float:
        later = self.later
        if later is None:
            later = self.later = {}
        row = later.get(decision)
        if row is None:
            row = later[decision] = []
        while len(row) <= k - CHUNK:  # the next chunk, in place (children on a step for years draw many)
            row.extend(self.draws.chunk(decision, self.cid, 1 + len(row) // CHUNK))
        return row[k - CHUNK]

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
