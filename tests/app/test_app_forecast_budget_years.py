"""The forecast page's budget is for the register's year only: the scenario's budgets of other years stay."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.app import forecast as forecasts

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def test_the_entered_budget_keeps_the_other_years_budgets():
    base = sim.load_scenario(BASELINE)
    sc = base.model_copy(update={"budget_dkk": {2027: 200e6, 2028: 210e6}})
    out = forecasts.with_budget(sc, 2026, 150e6)
    assert out.budget_dkk == {2026: 150e6, 2027: 200e6, 2028: 210e6}
    assert forecasts.with_budget(sc, 2027, 190e6).budget_dkk == {2027: 190e6, 2028: 210e6}
    assert sc.budget_dkk == {2027: 200e6, 2028: 210e6}  # the scenario itself is not changed
