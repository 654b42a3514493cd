"""Caseworker tasks: their priorities, the interface both caseworker organisations offer, and how a task ends.

Two organisations do the caseworkers' work: the pooled team (``sim.model.caseworkers.CaseworkerTeam``,
``organisation: pooled``) and the department with own caseloads (``sim.model.department.OwnCaseDepartment``,
the default). The municipality and a child's path talk to either through :class:`CaseworkerOrganisation`,
so nothing outside the two asks which one it has.
"""

from __future__ import annotations

from typing import Protocol

import simpy

# Priorities: lower is served first.
ACUTE, SCREENING, INVESTIGATION, REVIEW = 0, 1, 2, 3
TASK_KINDS = ("acute", "screening", "investigation", "review")  # by priority: the report's "where the time went"


class CaseworkerOrganisation(Protocol):
    """What the municipality and a child's path ask of the caseworkers, however they are organised."""

    years_per_hour: float  # calendar years one productive hour of work takes (levers move the hours per week)
    hours_worked: list[float]  # task hours started, by priority, since the run began

    def submit(self, priority: int, hours: float, on_done=None, child=None,
               due: float | None = None) -> simpy.Event | None:
        """Queue a task; the event fires at its end with its start time (or ``on_done(start)`` is called)."""
        ...

    def open_case(self, child) -> None: ...

    def close_case(self, child) -> None: ...

    def caseload_of(self, child, department_caseload: float) -> float:
        """Open cases per FTE of whoever works on the child's case."""
        ...

    def restaff(self, staffed_fte: float, productive_fte: float, slots: list[float] | None, open_cases: int,
                ongoing_fte_per_case: float, ongoing_max_share: float) -> None:
        """Monthly and after a lever: the staff at work (``slots``: each caseworker slot's capacity when posts
        are tracked one by one, else None) and the time left for tasks after the ongoing work of the cases."""
        ...

    def release(self, token) -> None:
        """A task ends: the caseworker ``token`` names is free (the rule that uses it: :func:`finisher`)."""
        ...

    def take_next(self, token) -> None:
        """After a task's end: the next task is taken up."""
        ...

    @property
    def unallocated(self) -> int: ...

    @property
    def ongoing_fte(self) -> float: ...


def finisher(organisation, token, done: simpy.Event | None, started: float, on_done):
    """The callback that ends a started task, the same rule for both organisations: the caseworker is free
    (``organisation.release(token)``), whoever waits for the task resumes, the next task is taken up
    (``organisation.take_next(token)``), and only then ``on_done(started)`` runs (as for a process resumed by
    the task's end, so a callback's new task queues behind the one taken up). ``token``: which caseworker."""

    def finish(_event) -> None:
        organisation.release(token)
        if done is not None:
            done.succeed(started)
        organisation.take_next(token)
        if on_done is not None:
            on_done(started)

    return finish
