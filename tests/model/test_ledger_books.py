"""The ledger's books: a stay across a year end booked in each year for its own months; the year of a time."""

from __future__ import annotations

import pytest
from conftest import BASELINE

from sim.model.child import Child
from sim.model.ledger import YearLedger
from sim.model.municipality import Municipality
from sim.model.randomness import ChildLuck
from sim.model.scenario import load_scenario
from sim.model.staircase import Staircase

# the ledger's books


def test_a_stay_across_a_year_end_is_booked_in_each_year_for_its_own_months():
    scenario = load_scenario(BASELINE)
    m = Municipality(scenario, seed=1, replication=0)
    ledger = m.ledger
    step = 0
    price = 120_000.0
    child = Child(1, ChildLuck(1, m.draws), birth=-5.0)
    m.env.run(until=0.75)
    m.open_case(child)
    m.enter_step(child, step)
    child.price = price
    m.env.process(m.year_ends())
    m.env.run(until=1.5)
    m.leave_step(child)
    index = ledger.price_index
    assert ledger.cost[step][0] == pytest.approx(price * 0.25 * index[0])
    assert ledger.cost[step][1] == pytest.approx(price * 0.5 * index[1])
    assert ledger.stock[step][0] == 1  # on the step on 31 December of the first year


def test_year_of_keeps_the_very_end_in_the_last_year():
    ledger = YearLedger(load_scenario(BASELINE), Staircase.from_scenario(load_scenario(BASELINE)))
    assert ledger.year_of(0.0) == 0
    assert ledger.year_of(0.999) == 0
    assert ledger.year_of(1.0) == 1
    assert ledger.year_of(float(ledger.n_years)) == ledger.n_years - 1
