"""Temporary caseworkers (sim.model.workforce.Workforce.set_temporary): at full productivity from the first
day, they do not leave, and their posts are never vacant, however high the establishment's turnover."""

from __future__ import annotations

import pytest

from sim.model.randomness import Draws
from sim.model.scenario import Turnover
from sim.model.units import MONTH
from sim.model.workforce import Workforce


def test_temporary_caseworkers_do_not_leave_when_everyone_else_does():
    wf = Workforce(Turnover(leave_rate_per_year=1.0, recruitment_months=3, induction_months=2,
                            induction_productivity=0.5), 4.0, Draws(7, 0), n_months=24, start=0.0)
    wf.set_temporary(3.0, now=0.0)
    assert wf.productive_fte() == pytest.approx(7.0)
    wf.leave_chance = 1.0  # every permanent caseworker leaves in the first month
    assert wf.month(0.0) == 4  # the four permanent ones, not the three temporary
    assert wf.vacant_fte() == pytest.approx(4.0)
    assert wf.productive_fte() == pytest.approx(3.0)
    for k in range(1, 3):  # still recruiting; everyone there now is temporary and stays
        assert wf.month(k * MONTH) == 0
        assert wf.productive_fte() == pytest.approx(3.0)
    assert wf.leavers == 4


def test_ending_temporary_staff_removes_exactly_their_capacity():
    wf = Workforce(Turnover(leave_rate_per_year=0.0), 5.0, Draws(7, 0), n_months=12, start=0.0)
    wf.set_temporary(2.5, now=0.0)
    assert wf.productive_fte() == pytest.approx(7.5) and wf.filled_fte() == pytest.approx(5.0)
    wf.set_temporary(0.0, now=MONTH)
    assert wf.productive_fte() == pytest.approx(5.0) and wf.vacant_fte() == 0.0
