"""The children the municipality knows: open cases, and cases closed within the recent window.

A notification about "a known child" goes to the child whose own fixed random key comes next after the
notification's draw (on a circle). Keys belong to children, not to positions in a list, so one more or one
fewer known child changes only the notifications that would have gone to it: scenarios compared with common
random numbers stay paired.
"""

from __future__ import annotations

import bisect

from sim.model.child import NOT_DRAWN, Child
from sim.model.randomness import D

DRAW_KNOWN = D["known"]


class KnownChildren:
    """Known children on a circle of their own keys; a child closed longer ago than ``window`` drops out."""

    def __init__(self, window: float):
        self.window = window
        self._keys: list[float] = []
        self._children: list[Child] = []

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, child: Child) -> None:
        if child.known_key == NOT_DRAWN:  # drawn when first known, so the key is the child's whatever happens
            child.known_key = child.luck.u(DRAW_KNOWN)
        if child.in_known:
            return
        i = bisect.bisect_left(self._keys, child.known_key)
        self._keys.insert(i, child.known_key)
        self._children.insert(i, child)
        child.in_known = True

    def remove(self, child: Child) -> None:
        if not child.in_known:
            return
        i = bisect.bisect_left(self._keys, child.known_key)
        while self._children[i] is not child:  # children with equal keys: find this one
            i += 1
        del self._keys[i]
        del self._children[i]
        child.in_known = False

    def pick(self, u: float, now: float) -> Child | None:
        """The known child for a notification with draw ``u``; None when nobody is known."""
        while self._keys:
            i = bisect.bisect_left(self._keys, u)
            if i == len(self._keys):
                i = 0
            child = self._children[i]
            expired = not child.open and not child.in_episode and now - child.closed_at > self.window
            if child.gone or expired:
                self.remove(child)
                continue
            return child
        return None
