"""How a caller follows a job and stops it: progress, notes, cancellation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """The hooks asked to stop: no output was written."""


def _nothing(*_args) -> None:
    return None


@dataclass
class Hooks:
    """What the caller hears of a job and how it stops it.

    ``started(total, label)``: every check passed, ``total`` replication-runs follow; ``advance(k)``: k more
    finished; ``finished()``: the runs are over (also after an error), before the outputs are written;
    ``cancelled()``: asked after each progress report and before writing; True ends the job with
    :class:`Cancelled`, leaving nothing behind; ``note(text)``: something the user should read (rows left out
    of a fit, outputs without a value), not an error; ``skipped(k)``: k of the ``total`` runs will not be made
    (in a run to a precision, a scenario that stopped before the cap)."""

    started: Callable[[int, str], None] = _nothing
    advance: Callable[[int], None] = _nothing
    finished: Callable[[], None] = _nothing
    cancelled: Callable[[], bool] = lambda: False
    note: Callable[[str], None] = _nothing
    skipped: Callable[[int], None] = _nothing

    def progress(self, k: int) -> None:
        self.advance(k)
        self.stop_if_cancelled()

    def stop_if_cancelled(self) -> None:
        if self.cancelled():
            raise Cancelled("cancelled; no output was written")
