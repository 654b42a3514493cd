"""The own-cases department (``sim.model.department``) against queueing theory and its own rules.

1. One caseworker with her own cases is a single-server queue: with Poisson arrivals and exponential hours
   the mean wait is M/M/1's, rho/(1 - rho) x S; with fixed hours Pollaczek-Khinchine's M/D/1,
   rho/(2(1 - rho)) x S.
2. The duty roster: screenings with nobody's own work in the way form an M/M/c queue with c = the roster
   size (not the team's size): Erlang C.
3. Due-date order: acute first, then the earliest due date, whatever the order of arrival.
4. Allocation: fewest cases, a ceiling beyond which cases wait unallocated; a leaver's cases all go to
   colleagues (none lost, none counted twice), with their waiting tasks, also over a whole run.

Expected values are derived from the inputs (formulas below), never from earlier runs.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from conftest import build, new_cases_only, scaled
from queueing import mmc_mean_wait

from sim.model.caseworkers import ACUTE, INVESTIGATION, REVIEW, SCREENING
from sim.model.department import OwnCaseDepartment, people_for
from sim.model.municipality import Municipality
from sim.model.units import WEEKS_PER_YEAR

HOURS_PER_WEEK = 20.0
YEARS_PER_HOUR = 1.0 / (HOURS_PER_WEEK * WEEKS_PER_YEAR)


class Case:
    """A stand-in for a child: the department only reads its id."""

    def __init__(self, cid: int):
        self.cid = cid


def department(env: simpy.Environment, fte: float, roster: int = 1, ceiling: float = 1000.0) -> OwnCaseDepartment:
    return OwnCaseDepartment(
        env, fte, duty_roster_size=roster, allocation_ceiling=ceiling, years_per_hour=YEARS_PER_HOUR
    )


def run_single_server(rho: float, mean_hours: float, n: int, seed: int, fixed: bool, priority: int = INVESTIGATION):
    """n tasks of one case at one caseworker (or n screenings at a roster of one): waits in years."""
    env = simpy.Environment()
    team = department(env, 1.0)
    case = Case(1)
    team.open_case(case)
    service = mean_hours * YEARS_PER_HOUR
    lam = rho / service
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / lam, n)
    hours = np.full(n, mean_hours) if fixed else rng.exponential(mean_hours, n)
    waits = np.full(n, np.nan)

    def arrivals():
        for i in range(n):
            yield env.timeout(gaps[i])
            t0 = env.now
            child = None if priority == SCREENING else case
            event = team.submit(priority, float(hours[i]), child=child, due=t0)

            def done(ev, i=i, t0=t0):
                waits[i] = ev.value - t0

            event.callbacks.append(done)

    env.process(arrivals())
    env.run()
    return waits, service


# Over 10 seeds the relative error of the mean wait at rho = 0.6 and 100,000 tasks had SD about 2 % (M/M/1)
# and 1 % (M/D/1); the tolerance is about 3 SD. A caseworker 10 % slower waits about 40 % longer.
RHO = 0.6
N_TASKS = 100_000
WARM_UP = 1_000


def test_one_caseworker_with_exponential_hours_is_mm1():
    waits, service = run_single_server(RHO, 4.0, N_TASKS, seed=3, fixed=False)
    assert not np.isnan(waits).any(), "some tasks never started"
    expected = RHO / (1.0 - RHO) * service
    assert waits[WARM_UP:].mean() == pytest.approx(expected, rel=0.07)
    assert float((waits[WARM_UP:] > 0).mean()) == pytest.approx(RHO, abs=0.015)  # P(wait) = rho in M/M/1


def test_one_caseworker_with_fixed_hours_is_md1_pollaczek_khinchine():
    waits, service = run_single_server(RHO, 4.0, N_TASKS, seed=5, fixed=True)
    expected = RHO / (2.0 * (1.0 - RHO)) * service  # lambda E[S^2] / (2 (1 - rho)) with E[S^2] = S^2
    assert waits[WARM_UP:].mean() == pytest.approx(expected, rel=0.05)


def test_duty_roster_is_mmc_with_the_roster_size():
    """Five idle caseworkers but a roster of two: screenings queue as M/M/2, not M/M/5."""
    env = simpy.Environment()
    team = department(env, 5.0, roster=2)
    mean_hours, n, rho = 4.0, 100_000, 0.7
    service = mean_hours * YEARS_PER_HOUR
    lam = rho * 2 / service
    rng = np.random.default_rng(11)
    gaps, hours = rng.exponential(1.0 / lam, n), rng.exponential(mean_hours, n)
    waits = np.full(n, np.nan)

    def arrivals():
        for i in range(n):
            yield env.timeout(gaps[i])
            t0 = env.now
            event = team.submit(SCREENING, float(hours[i]), due=t0 + 1.0)
            event.callbacks.append(lambda ev, i=i, t0=t0: waits.__setitem__(i, ev.value - t0))

    env.process(arrivals())
    env.run()
    expected = mmc_mean_wait(2, lam, service)
    # M/M/2 at rho 0.7 waits about 0.8 service times; M/M/5 at this load (rho 0.28) almost never
    assert waits[WARM_UP:].mean() == pytest.approx(expected, rel=0.08)


def test_tasks_are_served_acute_first_then_by_due_date():
    env = simpy.Environment()
    team = department(env, 1.0)
    case = Case(7)
    team.open_case(case)
    order: list[str] = []

    def task(name, priority, due):
        event = team.submit(priority, 1.0, child=case, due=due)
        event.callbacks.append(lambda _ev: order.append(name))

    task("first, starts at once", INVESTIGATION, due=5.0)
    task("review due at 3", REVIEW, due=3.0)
    task("investigation due at 1", INVESTIGATION, due=1.0)
    task("review due at 2", REVIEW, due=2.0)
    task("acute", ACUTE, due=None)
    env.run()
    assert order == ["first, starts at once", "acute", "investigation due at 1", "review due at 2", "review due at 3"]


def test_cases_go_to_the_fewest_and_wait_beyond_the_ceiling():
    env = simpy.Environment()
    team = department(env, 2.0, ceiling=2)
    cases = [Case(i) for i in range(5)]
    for case in cases:
        team.open_case(case)
    assert sorted(len(w.cases) for w in team.workers) == [2, 2]
    assert team.unallocated == 1
    # a task of the waiting case waits with it, and is done once the case is allocated
    done = team.submit(REVIEW, 1.0, child=cases[4], due=0.0)
    env.run(until=1.0)
    assert not done.triggered
    team.close_case(cases[0])
    assert team.unallocated == 0
    env.run(until=2.0)
    assert done.triggered


def test_a_leavers_cases_all_go_to_colleagues_with_their_tasks():
    env = simpy.Environment()
    team = department(env, 4.0)
    cases = [Case(i) for i in range(20)]
    for case in cases:
        team.open_case(case)
    leaver = team.workers[3]
    her_cases = list(leaver.cases)
    waiting = [team.submit(REVIEW, 2.0, child=c, due=float(i)) for i, c in enumerate(cases) if c.cid in her_cases]
    team.set_staff(2.5)  # two whole caseworkers and a half-timer stay
    assert people_for(2.5) == [1.0, 1.0, 0.5]
    held = [cid for w in team.workers if w.present for cid in w.cases]
    assert sorted(held) == sorted(c.cid for c in cases), "a case was lost or is held twice"
    assert team.reallocated == len(her_cases)
    assert not leaver.present and not leaver.cases and not leaver.queue
    env.run()
    assert all(event.triggered for event in waiting), "a task of a reallocated case was lost"


@pytest.mark.slow
def test_cases_are_conserved_over_a_run_with_staff_cuts_and_hires(baseline_raw):
    """Over a run whose FTEs fall and rise (and a ceiling that makes cases wait): every open case is held
    by exactly one present caseworker or waits unallocated, and leavers hold nothing."""
    raw = new_cases_only(scaled(baseline_raw, 0.25))
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 3
    raw["caseworkers"]["allocation_ceiling_cases"] = 30
    raw["caseworkers"]["fte_changes"] = [
        {"date": "2027-03-01", "fte": 3.5, "ramp_months": 2},
        {"date": "2028-06-01", "fte": 6.0},
    ]
    m = Municipality(build(raw), seed=4, replication=0)
    checks: list[int] = []

    def audit():
        while True:
            yield m.env.timeout(1.0 / 12.0)
            open_ids = sorted(c.cid for c in m.open_children)
            held = sorted(cid for w in m.team.workers if w.present for cid in w.cases)
            waiting = sorted(m.team.waiting)
            assert sorted(held + waiting) == open_ids
            assert not any(w.cases for w in m.team.workers if not w.present)
            checks.append(len(waiting))

    m.env.process(audit())
    m.run()
    assert len(checks) >= 40
    assert m.team.reallocated > 0, "no caseworker left: the test checked nothing"
    assert max(checks) > 0, "no case ever waited: the ceiling was not tested"
