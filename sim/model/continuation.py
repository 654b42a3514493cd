"""One burn-in for several scenarios: a replication simulated to the projection's start once, then continued as
each scenario that shares it, with exactly the events, in exactly the order, that the scenario's own run has.

Scenarios share a burn-in when they differ only in their names and texts, their levers and declared policy
costs, and every lever starts at or after the projection's start (:func:`shares_burn_in`); with the same seed,
replication and drawn values, their runs are then the same event for event up to that moment. Three things
differ from there on, and :func:`continue_as` sets them as the scenario's own run has them:

- the **levers**: the levers' process took its first step at time 0 and waits for its first lever; it is
  replaced by the scenario's, waiting on the scenario's first lever under the same SimPy event id (so it comes
  first among the events at that time, as in the scenario's own run);
- the **notifications** after the start (a lever on the notification rate moves them): the notification times
  are the scenario's from there on, the pending one moved to the scenario's time;
- the **ledger's** scenario-derived values (the policy costs per year): the scenario's.

Anything else that differs, or a run that does not look as expected at the start (checked), and
:func:`continue_as` returns None: the caller then runs the scenario from the beginning. Continuing changes
SimPy's event counter by the events made to stop and to restart (every later event's id is one higher, the order
the same), which :func:`continue_as` takes off the events it reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq

import simpy
from simpy.core import NORMAL
from simpy.events import Event, Process

from sim.model.levers import scheduled_levers, years_since
from sim.model.municipality import Municipality, ReplicationResult, events_scheduled, fewer_garbage_collections
from sim.model.scenario import Scenario

# what may differ between scenarios that share a burn-in: names and texts, and what starts with the projection
MAY_DIFFER = ("name", "label", "description", "caveats", "levers", "policy_costs", "assumptions", "provenance")


def projection_start(scenario: Scenario) -> float:
    """Simulated years from the first simulated year to 1 January of the first projected year."""
    cal = scenario.calendar
    return years_since(dt.date(cal.start_year, 1, 1), cal.start_year - cal.burn_in_years)


def _first_lever_time(scenario: Scenario) -> float:
    cal = scenario.calendar
    levers, _ = scheduled_levers(scenario)
    first = cal.start_year - cal.burn_in_years
    return min((years_since(lv.start, first) for lv in levers), default=float("inf"))


def _comparable(scenario: Scenario) -> dict:
    raw = scenario.model_dump(mode="json")
    for key in MAY_DIFFER:
        raw.pop(key, None)
    return raw


def shares_burn_in(first: Scenario, other: Scenario) -> bool:
    """Whether ``other`` has the burn-in of ``first``: the same scenario but for :data:`MAY_DIFFER`, a burn-in,
    and no lever of either starting before the projection."""
    if first.calendar.burn_in_years < 1:
        return False
    start = projection_start(first)
    if min(_first_lever_time(first), _first_lever_time(other)) < start:
        return False
    return _comparable(first) == _comparable(other)


def _next_event_id(env: simpy.Environment) -> int:
    """The id SimPy gives the next event it schedules (its counter's ``repr`` is ``count(N)``), not taken."""
    return int(repr(env._eid)[len("count("):-1])


class BurnIn(Municipality):
    """A municipality run to the projection's start, that remembers the event id its levers' process took
    first (its first lever's timeout, or its own end when it has none)."""

    levers_event_id: int | None = None
    fresh: Municipality | None = None

    def apply_levers(self):
        self.levers_event_id = _next_event_id(self.env)
        yield from super().apply_levers()


def burn_in(scenario: Scenario, seed: int, replication: int, stock_at_start: dict | None = None) -> tuple:
    """(municipality, the process that ends the run): replication ``replication`` of ``scenario`` run up to
    the projection's start, no event at that moment yet taken."""
    with fewer_garbage_collections(collect=False):  # its state runs on: collected at the continuation's end
        m = BurnIn(scenario, seed, replication)
        m.fresh = Municipality(scenario, seed, replication)  # its plan, settings and ledger before any event
        ends = m.start_processes(stock_at_start=stock_at_start)
        m.env.run(until=projection_start(scenario))  # an urgent stop event: before anything at that moment
    return m, ends


def _replace_in_queue(env: simpy.Environment, event: Event, entry: tuple | None) -> None:
    """Take ``event`` out of SimPy's event queue and put ``entry`` in (None: nothing)."""
    queue = [e for e in env._queue if e[3] is not event]
    if entry is not None:
        queue.append(entry)
    heapq.heapify(queue)
    env._queue[:] = queue


def _entry_of(env: simpy.Environment, event: Event) -> tuple | None:
    return next((e for e in env._queue if e[3] is event), None)


def _waiting_process(env: simpy.Environment, generator, target: Event) -> Process:
    """A process of ``generator`` that has taken its first step and waits for ``target`` (as a process started
    at time 0 would be now), made without the start event SimPy schedules for a new process."""
    proc = object.__new__(Process)
    Event.__init__(proc, env)
    proc._generator = generator
    proc._target = target
    target.callbacks.append(proc._resume)
    return proc


def _arrival_clock(times: list[float], start: float, upto: int) -> float:
    """The clock when the arrivals' process has taken notifications 0 .. upto - 1 (it waits ``t - now`` for
    each: the clock is the sum of those waits, as SimPy adds them)."""
    now = start
    for t in times[:upto]:
        if t > now:
            now = now + (t - now)
    return now


def _switch_arrivals(m: Municipality, times: list[float]) -> bool:
    """The notifications from the projection's start on become ``times``' (the earlier ones must be the same);
    the pending one is moved to its time there. False when the run is not as expected."""
    own = m.plan.arrival_times
    now = m.env.now
    before = sum(1 for t in own if t < now)
    if before >= len(own) or before >= len(times) or own[:before] != times[:before] or times[before] < now:
        return False
    proc = m.processes["arrivals"]
    pending = proc._target
    entry = _entry_of(m.env, pending)
    clock = _arrival_clock(own, 0.0, before)
    if entry is None or entry[0] != clock + (own[before] - clock):
        return False
    _replace_in_queue(m.env, pending, (clock + (times[before] - clock), entry[1], entry[2], pending))
    own[:] = times  # the process walks this very list: from here on it reads the scenario's times
    return True


def _switch_levers(m: BurnIn, plan) -> int:
    """The scenario's levers' process in place of the burn-in's, waiting on its first lever under the event id
    the burn-in's took; returns the events this scheduled beyond the scenario's own run (0 or 1)."""
    env = m.env
    old = m.processes["levers"]
    if old.is_alive:
        _replace_in_queue(env, old._target, None)
    m.plan = plan
    generator = Municipality.apply_levers(m)
    now = env._now
    env._now = 0.0  # its first step, as the scenario's own run takes it at time 0
    try:
        target = next(generator)
    except StopIteration:
        return 0  # no levers: its own run's process ended at time 0 (the same event id)
    finally:
        env._now = now
    entry = _entry_of(env, target)
    _replace_in_queue(env, target, (entry[0], NORMAL, m.levers_event_id, target))
    m.processes["levers"] = _waiting_process(env, generator, target)
    return 1


def continue_as(m: BurnIn, ends: Process, scenario: Scenario, seed: int, replication: int) -> ReplicationResult | None:
    """Run the burnt-in ``m`` on to the end as ``scenario`` (which must share its burn-in): the rows and
    events of ``scenario``'s own run, or None when the burn-in cannot be continued as it (nothing changed)."""
    own, burnt = Municipality(scenario, seed, replication), m.fresh  # each before any event
    if m.levers_event_id is None or not _same(own.settings, burnt.settings):
        return None
    keep = ("arrival_times", "lever_steps")
    if any(not _same(getattr(own.plan, f.name), getattr(burnt.plan, f.name))
           for f in dataclasses.fields(own.plan) if f.name not in keep):
        return None
    if not _switch_arrivals(m, own.plan.arrival_times):
        return None
    # SimPy's stop at the start: its event, and the same event scheduled again when the stop is raised (to
    # hand on any callbacks left; it has none); and a lever's timeout made again
    extra = 2 + _switch_levers(m, own.plan)
    for key, value in vars(own.ledger).items():  # what the ledger holds of the scenario: the scenario's own
        if not _same(value, vars(burnt.ledger).get(key)):
            setattr(m.ledger, key, value)
    with fewer_garbage_collections():
        m.env.run(until=ends)
    return ReplicationResult(rows=m.ledger.rows(), events=events_scheduled(m.env) - extra, paths={})


def _same(a, b) -> bool:
    """Equal, also for numpy arrays and containers of them."""
    import numpy as np

    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if type(a) is not type(b):
        return False
    if type(a).__eq__ is object.__eq__ and _fields(a):  # a plain object: equal when its fields are
        return _same(_fields(a), _fields(b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _fields(obj) -> dict:
    """An object's attributes, from its ``__dict__`` and its classes' ``__slots__``."""
    out = dict(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(obj, name):
                out[name] = getattr(obj, name)
    return out
