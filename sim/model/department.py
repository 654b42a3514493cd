"""The family department with own caseloads: each open case belongs to one caseworker.

``caseworkers.organisation: own_cases`` (the default). Every open case is allocated to the caseworker with
the fewest cases; when everyone holds ``caseworkers.allocation_ceiling_cases`` or more, the case waits
unallocated (first come, first allocated) until someone falls below the ceiling. A case's investigation
sessions, reviews and escalations queue at its own caseworker; tasks of an unallocated case wait with it
(an acute one goes to the duty roster, which cannot wait). Screening of notifications is done by a duty
roster shared by the team: any caseworker may take a screening, but at most
``caseworkers.duty_roster_size`` caseworkers screen at the same time.

Each caseworker serves her tasks, and the duty queue, by due date within the legal classes: acute first,
then the earliest deadline (the 24-hour screening, the 4-month investigation, a review's due date). So a
short deadline wins, but a task already overdue wins over one that is not yet due: no class starves while
another is always on time, and when time gets short both investigations and reviews run late.

A caseworker's speed on her own cases is her share of an FTE less her ongoing case work
(``ongoing_hours_per_case_per_month`` per own case, at most ``ongoing_work_max_share``), brought up to date every
month: an overloaded caseworker has less time left for investigations and reviews. On duty she screens at her full
share (the roster is time set aside; her own cases wait). A started task is finished.

The pooled team (``sim.model.caseworkers.CaseworkerTeam``, ``organisation: pooled``) is kept as the exact
queueing reference: one queue, whoever is free, strict priorities.
"""

from __future__ import annotations

import heapq
import math
from itertools import count

import simpy

from sim.model.tasks import ACUTE, SCREENING, TASK_KINDS, finisher

# Classes of the due-date order: acute work first; a caseworker on the duty roster screens before her own
# work (duty days are protected, and the roster is a few caseworkers at a time); then every other task by
# its due date.
URGENT_CLASS, DUTY_CLASS, DEADLINE_CLASS = 0, 1, 2
SLIVER_FTE = 0.05  # a fraction of an FTE below this is not a caseworker (as in the pooled team)
UNALLOCATED = None  # the owner of a case that waits for a caseworker
MIN_TIME_LEFT = 0.05  # however full her ongoing work, a caseworker's task still moves (no division by zero)


class Caseworker:
    """One caseworker: her share of an FTE, her speed after ongoing work, her cases and her own queue."""

    __slots__ = ("index", "capacity", "ongoing", "cases", "queue", "busy", "present", "on_duty")

    def __init__(self, index: int, capacity: float):
        self.index = index
        self.capacity = capacity  # share of one FTE (the last caseworker of a fractional FTE count works part time)
        self.ongoing = 0.0  # share of her time that the ongoing work of her own cases takes
        self.cases: dict[int, object] = {}  # child id -> child, in the order allocated
        self.queue: list[tuple] = []  # (class, due, seq, hours, done, on_done, child id, priority)
        self.busy = False
        self.present = True
        self.on_duty = False  # her current task is a screening from the duty roster


def people_for(fte: float) -> list[float]:
    """The caseworkers an FTE count stands for: whole ones, and one part-timer for a fraction that matters."""
    fte = max(0.0, fte)
    whole = int(math.floor(fte + 1e-9))
    part = fte - whole
    return [1.0] * whole + ([part] if part > SLIVER_FTE else [])


class OwnCaseDepartment:
    """Caseworkers with their own cases and queues, a duty roster for screening, and unallocated cases."""

    def __init__(
        self,
        env: simpy.Environment,
        fte: float,
        duty_roster_size: int,
        allocation_ceiling: float,
        years_per_hour: float,
    ):
        self.env = env
        self.years_per_hour = years_per_hour
        self.duty_roster_size = duty_roster_size
        self.allocation_ceiling = allocation_ceiling
        self.workers: list[Caseworker] = []
        self.owner: dict[int, Caseworker | None] = {}  # child id -> her caseworker (None: unallocated)
        self.waiting: dict[int, object] = {}  # unallocated cases, first come first allocated
        self.held: dict[int, list[tuple]] = {}  # tasks of unallocated cases
        self.duty: list[tuple] = []  # screenings (and acute tasks of unallocated cases)
        self.duty_busy = 0
        self._seq = count()
        self.reallocated = 0  # cases moved from a leaver to colleagues (or to the unallocated list)
        self.hours_worked = [0.0] * len(TASK_KINDS)  # task hours started, by priority, since the run began
        self.set_staff(fte)

    # ------------------------------------------------------------ staff

    @property
    def present(self) -> list[Caseworker]:
        return [w for w in self.workers if w.present]

    def set_staff(self, fte: float) -> None:
        """The caseworkers for an FTE count. Leavers (the last ones) hand their cases and waiting tasks to
        colleagues; a running task is finished first. Newcomers start with no cases and take waiting ones."""
        self.staffed_fte = fte
        shares = people_for(fte)
        for i, share in enumerate(shares):
            if i < len(self.workers):
                worker = self.workers[i]
                worker.capacity = share
                worker.present = True
            else:
                self.workers.append(Caseworker(i, share))
        for worker in self.workers[len(shares):]:
            if worker.present:
                worker.present = False
                self._hand_over(worker)
        self._allocate_waiting()
        for worker in self.present:
            self._dispatch(worker)

    def set_capacities(self, capacities: list[float]) -> None:
        """Staff by caseworker slot (``sim.model.workforce``): each slot's share of a full caseworker, 0 for
        nobody (a vacant post). Whoever is no longer there hands her cases and waiting tasks to colleagues; a
        slot filled again is a newcomer with no cases, who takes waiting ones."""
        self.staffed_fte = None  # staffed by slots, not by an FTE count
        while len(self.workers) < len(capacities):
            newcomer = Caseworker(len(self.workers), 1.0)
            newcomer.present = False
            self.workers.append(newcomer)
        leavers = []
        for i, worker in enumerate(self.workers):  # everyone in place first, so no case goes to a leaver
            capacity = capacities[i] if i < len(capacities) else 0.0
            if capacity > 0.0:
                worker.capacity = capacity
                worker.present = True
            elif worker.present:
                worker.present = False
                leavers.append(worker)
        for worker in leavers:
            self._hand_over(worker)
        self._allocate_waiting()
        for worker in self.present:
            self._dispatch(worker)

    def _hand_over(self, leaver: Caseworker) -> None:
        """A leaver's cases go to colleagues (fewest cases first), each with its waiting tasks."""
        cases, leaver.cases = leaver.cases, {}
        tasks: dict[int, list[tuple]] = {}
        for task in leaver.queue:
            tasks.setdefault(task[6], []).append(task)
        leaver.queue = []
        for cid, child in cases.items():
            self.reallocated += 1
            self._allocate(cid, child, tasks.pop(cid, []))

    def restaff(self, staffed_fte: float, productive_fte: float, slots: list[float] | None, open_cases: int,
                ongoing_fte_per_case: float, ongoing_max_share: float) -> None:
        """Staff by slot when posts are tracked (``sim.model.workforce``), else by the FTE count; then each
        caseworker's time left after the ongoing work of her own cases (the department's total is not used)."""
        if slots is not None:
            self.set_capacities(slots)
        elif self.staffed_fte != staffed_fte:
            self.set_staff(staffed_fte)
        self.update_speeds(ongoing_fte_per_case, ongoing_max_share)

    def update_speeds(self, ongoing_fte_per_case: float, ongoing_max_share: float) -> None:
        """Monthly: each caseworker's time left after the ongoing work of her own cases."""
        for worker in self.present:
            worker.ongoing = min(len(worker.cases) * ongoing_fte_per_case, ongoing_max_share)

    # ------------------------------------------------------------ cases

    def open_case(self, child) -> None:
        self._allocate(child.cid, child, [])

    def close_case(self, child) -> None:
        cid = child.cid
        worker = self.owner.pop(cid, UNALLOCATED)
        if worker is UNALLOCATED:
            self.waiting.pop(cid, None)
            self.held.pop(cid, None)
            return
        del worker.cases[cid]
        if self.waiting and len(worker.cases) < self.allocation_ceiling:
            self._allocate_waiting()

    def _allocate(self, cid: int, child, tasks: list[tuple]) -> None:
        worker = self._least_loaded()
        if worker is None:
            self.owner[cid] = UNALLOCATED
            self.waiting[cid] = child
            if tasks:
                self.held.setdefault(cid, []).extend(tasks)
            return
        self.owner[cid] = worker
        worker.cases[cid] = child
        for task in tasks:
            heapq.heappush(worker.queue, task)
        if tasks:
            self._dispatch(worker)

    def _least_loaded(self) -> Caseworker | None:
        """The caseworker with the fewest cases per share of an FTE, below the ceiling (among equals one who
        is free right now); None if all are at the ceiling."""
        best, best_key = None, (math.inf, True)
        for worker in self.workers:
            if not worker.present:
                continue
            load = len(worker.cases) / worker.capacity
            key = (load, worker.busy)
            if key < best_key and load < self.allocation_ceiling:
                best, best_key = worker, key
        return best

    def _allocate_waiting(self) -> None:
        while self.waiting:
            cid = next(iter(self.waiting))
            if self._least_loaded() is None:
                return
            child = self.waiting.pop(cid)
            del self.owner[cid]
            self._allocate(cid, child, self.held.pop(cid, []))

    @property
    def ongoing_fte(self) -> float:
        """FTEs that the caseworkers' ongoing work on their own cases takes this month."""
        return sum(w.ongoing * w.capacity for w in self.workers if w.present)

    @property
    def unallocated(self) -> int:
        return len(self.waiting)

    def caseload_of(self, child, department_caseload: float) -> float:
        """Open cases per FTE of the child's own caseworker (an unallocated case: nobody's, so overloaded)."""
        worker = self.owner.get(child.cid, UNALLOCATED)
        if worker is UNALLOCATED:
            return math.inf
        return len(worker.cases) / worker.capacity

    def cases_held(self) -> int:
        """Open cases held by present caseworkers (for the conservation check)."""
        return sum(len(w.cases) for w in self.workers)

    # ------------------------------------------------------------ tasks

    def submit(self, priority: int, hours: float, on_done=None, child=None, due: float | None = None):
        """Queue a task; as ``CaseworkerTeam.submit``. ``child`` is the case it belongs to (None: a
        screening for the duty roster); ``due`` its deadline (now when None)."""
        now = self.env.now
        klass = URGENT_CLASS if priority == ACUTE else DUTY_CLASS if priority == SCREENING else DEADLINE_CLASS
        done = self.env.event() if on_done is None else None
        cid = child.cid if child is not None else None
        task = (klass, now if due is None else due, next(self._seq), hours, done, on_done, cid, priority)
        worker = self.owner.get(cid, UNALLOCATED) if cid is not None and priority != SCREENING else UNALLOCATED
        if worker is not UNALLOCATED:
            if not worker.busy:
                return self._start(worker, task, duty=False)
            heapq.heappush(worker.queue, task)
            return done
        if cid is not None and priority != ACUTE and priority != SCREENING and cid in self.waiting:
            self.held.setdefault(cid, []).append(task)  # waits with its case for a caseworker
            return done
        if not self.duty and self.duty_busy < self.duty_roster_size:
            idle = self._idle_worker()
            if idle is not None:
                return self._start(idle, task, duty=True)
        heapq.heappush(self.duty, task)
        return done

    def _roster_has_room(self) -> bool:
        """Another screening may start: fewer than ``duty_roster_size`` are on duty, or the oldest waiting
        screening is already past its deadline. Then whoever is free helps with intake: a department reinforces
        its duty when notifications pile up rather than let the 24-hour backlog grow without end (without this,
        doubling notifications would leave most of them unscreened and *lower* caseloads and placements)."""
        if self.duty_busy < self.duty_roster_size:
            return True
        return bool(self.duty) and self.duty[0][1] < self.env.now

    def _idle_worker(self) -> Caseworker | None:
        """The free caseworker (her own queue is then empty too) with the fewest cases per FTE: she is the
        least likely to be wanted by her own cases while she screens."""
        best, best_load = None, math.inf
        for worker in reversed(self.workers):  # from the other end than allocation, among equals
            if worker.present and not worker.busy:
                load = len(worker.cases) / worker.capacity
                if load < best_load:
                    best, best_load = worker, load
        return best

    @property
    def queue_length(self) -> int:
        return len(self.duty) + sum(len(w.queue) for w in self.workers) + sum(len(t) for t in self.held.values())

    def _start(self, worker: Caseworker, task: tuple, duty: bool) -> simpy.Event:
        _, _, _, hours, done, on_done, _, priority = task
        self.hours_worked[priority] += hours
        worker.busy = True
        worker.on_duty = duty
        if duty:
            self.duty_busy += 1
        now = self.env.now
        # on duty her own cases wait: the roster is time set aside, so ongoing work does not slow a screening
        speed = worker.capacity if duty else worker.capacity * max(1.0 - worker.ongoing, MIN_TIME_LEFT)
        duration = hours * self.years_per_hour / speed
        if done is not None:
            # A queued task someone waits for: its own event fires at the end (as a timeout would, with the
            # start time as value) instead of a timeout that then triggers it: one event fewer per queued
            # task, most of them with own caseloads. The caseworker is freed before the waiting process resumes.
            done._ok, done._value = True, now
            self.env.schedule(done, delay=duration)
            done.callbacks.insert(0, finisher(self, worker, None, now, on_done))
            return done
        work = self.env.timeout(duration, value=now)
        work.callbacks.append(finisher(self, worker, done, now, on_done))
        return work

    def _dispatch(self, worker: Caseworker) -> None:
        """A free caseworker takes the most urgent of her own next task and the duty roster's next."""
        if worker.busy or not worker.present:
            return
        own = worker.queue[0] if worker.queue else None
        duty = self.duty[0] if (self.duty and self._roster_has_room()) else None
        if own is None and duty is None:
            return
        if duty is not None and (own is None or duty < own):
            heapq.heappop(self.duty)
            self._start(worker, duty, duty=True)
        else:
            heapq.heappop(worker.queue)
            self._start(worker, own, duty=False)

    def _dispatch_duty(self) -> None:
        """Free caseworkers take screenings while the roster has room (fewest cases first)."""
        while self.duty and self._roster_has_room():
            worker = self._idle_worker()
            if worker is None:
                return
            self._dispatch(worker)

    def release(self, worker: Caseworker) -> None:
        """A task ends: the caseworker is free (and off the duty roster if she screened)."""
        worker.busy = False
        if worker.on_duty:
            worker.on_duty = False
            self.duty_busy -= 1

    def take_next(self, worker: Caseworker) -> None:
        """She takes her next task; free colleagues take screenings while the roster has room."""
        self._dispatch(worker)
        if self.duty:
            self._dispatch_duty()
