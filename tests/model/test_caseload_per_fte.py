"""Own caseloads are counted per FTE, not per person (sim.model.department): a half-time caseworker is
allocated half the cases of a full-time colleague, reaches the allocation ceiling at half the cases, and her
caseload (the one that sets her cases' time with the family) is her cases per FTE."""

from __future__ import annotations

import pytest
import simpy

from sim.model.department import OwnCaseDepartment
from sim.model.tasks import SCREENING
from sim.model.units import WEEKS_PER_YEAR


class Case:
    """A stand-in for a child: the department only reads its id."""

    def __init__(self, cid: int):
        self.cid = cid


def _department(fte: float, ceiling: float = 1000.0) -> OwnCaseDepartment:
    return OwnCaseDepartment(simpy.Environment(), fte, duty_roster_size=1, allocation_ceiling=ceiling,
                             years_per_hour=1.0 / (37.0 * WEEKS_PER_YEAR))


def _open(dept: OwnCaseDepartment, n: int) -> list[Case]:
    cases = [Case(i) for i in range(n)]
    for case in cases:
        dept.open_case(case)
    return cases


def test_a_half_time_caseworker_gets_half_the_cases():
    dept = _department(1.5)  # a full-timer and a half-timer
    _open(dept, 30)
    full, half = dept.workers
    assert (full.capacity, half.capacity) == (1.0, 0.5)
    assert (len(full.cases), len(half.cases)) == (20, 10)


def test_the_allocation_ceiling_is_in_cases_per_fte():
    dept = _department(1.5, ceiling=20)
    _open(dept, 40)
    full, half = dept.workers
    assert (len(full.cases), len(half.cases)) == (20, 10)
    assert dept.unallocated == 10


def test_a_cases_caseload_is_its_caseworkers_cases_per_fte():
    dept = _department(1.5)
    cases = _open(dept, 30)
    full, half = dept.workers
    on_half = next(c for c in cases if dept.owner[c.cid] is half)
    on_full = next(c for c in cases if dept.owner[c.cid] is full)
    assert dept.caseload_of(on_half, 0.0) == pytest.approx(20.0)
    assert dept.caseload_of(on_full, 0.0) == pytest.approx(20.0)


def test_a_screening_goes_to_the_free_caseworker_with_the_fewest_cases_per_fte():
    """Full-timer 20 cases (20 per FTE), half-timer 12 (24 per FTE): the full-timer screens, though she holds
    more cases as a person."""
    dept = _department(1.5)
    full, half = dept.workers
    full.cases = {i: Case(i) for i in range(20)}
    half.cases = {i: Case(i) for i in range(20, 32)}
    dept.submit(SCREENING, 1.0)
    assert full.on_duty and full.busy
    assert not half.busy
