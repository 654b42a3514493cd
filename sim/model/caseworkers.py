"""Caseworkers: a team whose time is limited, working through a queue of tasks by priority.

Each FTE is a server that works ``productive_hours_per_week``; a task of *h* hours keeps one server busy
for *h* productive hours, i.e. h / productive_hours_per_week weeks of calendar time. Tasks wait in one
queue ordered by priority (acute, screening, investigation, review) and, within a priority, first come
first served; a started task is not interrupted.

Ongoing case work (calls, meetings, action plans) is reserved first: every month the team's available
FTEs are the FTEs less the hours that the open cases need. A fractional FTE is one slower server. So with
more open cases per caseworker, less time is left for investigations and reviews, and they wait: high
caseload *emerges* as delay. SimPy's own ``Resource`` cannot change its capacity during a run, hence this
small dispatcher on SimPy events.
"""

from __future__ import annotations

import heapq
import math
from itertools import count

import simpy

from sim.model.tasks import ACUTE, INVESTIGATION, REVIEW, SCREENING, TASK_KINDS, finisher
from sim.model.units import WEEKS_PER_YEAR


class CaseworkerTeam:
    """Servers with speeds; a task queue by (priority, arrival order)."""

    def __init__(self, env: simpy.Environment, available_fte: float, hours_per_week: float):
        self.env = env
        self.years_per_hour = 1.0 / (hours_per_week * WEEKS_PER_YEAR)
        self._queue: list[tuple[int, int, float, simpy.Event]] = []
        self._seq = count()
        self.busy_full = 0
        self.partial_busy = False
        self.n_full = 0
        self.partial_speed = 0.0
        self.hours_worked = [0.0] * len(TASK_KINDS)  # task hours started, by priority, since the run began
        self.ongoing_fte = 0.0  # FTEs set aside for ongoing case work this month
        self.set_available(available_fte)

    # ------------------------------------------------------------ capacity

    def set_available(self, fte: float) -> None:
        """Change the FTEs available for tasks; running tasks finish, waiting ones may start."""
        fte = max(0.0, fte)
        self.n_full = int(math.floor(fte + 1e-9))
        frac = fte - self.n_full
        self.partial_speed = frac if frac > 0.05 else 0.0  # a sliver of an FTE is not a caseworker
        self._dispatch()

    def restaff(self, staffed_fte: float, productive_fte: float, slots: list[float] | None, open_cases: int,
                ongoing_fte_per_case: float, ongoing_max_share: float) -> None:
        """Time for tasks = the productive FTEs less the ongoing work of all open cases (pooled), at most
        ``ongoing_max_share`` of them; the team has no slots of its own."""
        ongoing = min(open_cases * ongoing_fte_per_case, ongoing_max_share * productive_fte)
        self.ongoing_fte = ongoing
        self.set_available(productive_fte - ongoing)

    # ------------------------------------------------------------ tasks

    def submit(self, priority: int, hours: float, on_done=None, child=None, due: float | None = None) -> simpy.Event:
        """Queue a task; the returned event fires when the task is done, with the start time as value.

        ``on_done(start)`` is called at the end instead, for tasks nobody waits for. A task that can start
        at once returns its own work timeout: one event fewer per task (events are the model's cost).
        ``child`` and ``due`` (whose case, its deadline) matter only to the own-cases department
        (``sim.model.department``); the pooled team serves by priority alone."""
        if not self._queue:
            work = self._try_start(priority, hours, None, on_done)
            if work is not None:
                return work
        done = self.env.event() if on_done is None else None
        heapq.heappush(self._queue, (priority, next(self._seq), hours, done, on_done))
        self._dispatch()
        return done

    @property
    def queue_length(self) -> int:
        return len(self._queue)

    # ------------------------------------------------------------ cases (a pooled team has no owners)

    def open_case(self, child) -> None:
        """A pooled team allocates no cases: whoever is free takes the next task."""

    def close_case(self, child) -> None:
        """Nothing to release in a pooled team."""

    @property
    def unallocated(self) -> int:
        return 0

    def caseload_of(self, child, department_caseload: float) -> float:
        """In a pooled team every case shares the department's caseload."""
        return department_caseload

    def _try_start(self, priority: int, hours: float, done, on_done):
        """Start a task on a free server; None when all are busy."""
        if self.busy_full < self.n_full:
            speed, full = 1.0, True
            self.busy_full += 1
        elif self.partial_speed > 0.0 and not self.partial_busy:
            speed, full = self.partial_speed, False
            self.partial_busy = True
        else:
            return None
        self.hours_worked[priority] += hours
        now = self.env.now
        work = self.env.timeout(hours * self.years_per_hour / speed, value=now)
        work.callbacks.append(finisher(self, full, done, now, on_done))
        return work

    def _dispatch(self) -> None:
        queue = self._queue
        while queue:
            priority, _, hours, done, on_done = queue[0]
            if self._try_start(priority, hours, done, on_done) is None:
                return
            heapq.heappop(queue)

    def release(self, full: bool) -> None:
        """A task ends: its server is free (a full caseworker, or the part-timer)."""
        if full:
            self.busy_full -= 1
        else:
            self.partial_busy = False

    def take_next(self, _full: bool) -> None:
        """Whoever is free takes the next task from the one queue."""
        self._dispatch()


__all__ = ["ACUTE", "SCREENING", "INVESTIGATION", "REVIEW", "TASK_KINDS", "CaseworkerTeam"]
