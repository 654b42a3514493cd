"""One small year of the model: the review interval used, reviews that move children off their steps, deadlines,
families moving away, prices indexed and reported in the price year, need that improves, monthly bookings."""

from __future__ import annotations

import math

import pytest
from conftest import BASELINE, build

from sim.model.child import Child
from sim.model.municipality import Municipality
from sim.model.randomness import ChildLuck, Draws
from sim.model.scenario import load_scenario

# the scenario's review interval is the one used


def test_the_review_interval_of_the_scenario_sets_how_often_children_are_reviewed():
    """Reviews a year scale with 1 / interval: 3-monthly reviews are about four times as many as 12-monthly
    ones for the same children (the first review and the leaving children keep it from exactly 4)."""
    from conftest import build

    raw = load_scenario(BASELINE).model_dump(mode="json")
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.2
    raw["caseworkers"].update(fte=40.0, fte_changes=[])  # ample staff: reviews are not held back by time
    reviews = {}
    for months in (3, 12):
        m = Municipality(build(raw, **{"reviews.interval_months": months}), seed=4, replication=0)
        m.run()
        reviews[months] = sum(m.ledger.reviews)
    assert reviews[3] > 2.5 * reviews[12], reviews


def _small_one_year(**overrides) -> dict:
    """The baseline at a fifth of its size for one year from its initial state, ample staff, as a mapping."""
    from conftest import build

    raw = load_scenario(BASELINE).model_dump(mode="json")
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.2
    raw["caseworkers"].update(fte=40.0, fte_changes=[])  # ample staff: nothing waits for a caseworker
    return build(raw, **overrides)


def test_reviews_that_act_on_a_lower_need_move_children_off_their_steps():
    """A review that finds a lower need steps the child down or closes the case with ``step_down_share``:
    at 1 more children leave placements and cases close than at 0, from the same initial children. The time
    with families is taken out (max_effect 0): with ample staff it would raise a share of 0 to about a half."""
    from conftest import metric_table

    from sim.model.municipality import simulate

    placed, open_cases = {}, {}
    for share in (0.0, 1.0):  # four replications: a fifth of a municipality has about 27 placed children
        scenario = _small_one_year(**{"reviews.step_down_share": share, "caseworkers.family_time.max_effect": 0.0})
        tables = [metric_table(simulate(scenario, 5, r).rows) for r in range(4)]
        year = max(tables[0]["children_placed"])
        placed[share] = sum(t["children_placed"][year] for t in tables)
        open_cases[share] = sum(t["open_cases"][year] for t in tables)
    assert placed[1.0] < placed[0.0], placed
    assert open_cases[1.0] < 0.95 * open_cases[0.0], open_cases


def test_a_review_started_by_its_due_date_is_on_time_however_long_the_work():
    """On time means started by the due date (the law's deadline is for holding the review, not for finishing the
    paperwork): with ample staff every review starts when due, so nearly all are on time, even when a review
    takes a caseworker's whole week."""
    from conftest import metric_table

    from sim.model.municipality import simulate

    s = _small_one_year(**{"reviews.hours": 20.0})
    table = metric_table(simulate(s, 5, 0).rows)
    assert min(table["reviews_on_time_share"].values()) > 0.9, table["reviews_on_time_share"]


def _step_costs_by_year(table: dict) -> dict[int, float]:
    steps = [k for k in table if k.startswith("cost.")]
    return {y: sum(table[k][y] for k in steps) for y in table[steps[0]]}


def test_families_moving_away_take_their_cases_with_them():
    """``exits.move_away_rate_per_year``: at one move a year (against none) far fewer cases are open at the end
    of a year from the same initial children."""
    from conftest import metric_table

    from sim.model.municipality import simulate

    open_cases = {}
    for rate in (0.0, 1.0):
        table = metric_table(simulate(_small_one_year(**{"exits.move_away_rate_per_year": rate}), 5, 0).rows)
        open_cases[rate] = table["open_cases"][max(table["open_cases"])]
    assert open_cases[1.0] < 0.8 * open_cases[0.0], open_cases


def test_step_prices_are_indexed_each_year():
    """``prices.indexation_per_year``: prices steer no decision, so the same children cost, step by step, the
    index times as much, compounded from the price year (``calendar.base_year``) to the year booked."""
    from conftest import metric_table

    from sim.model.municipality import simulate

    costs = {}
    for rate in (0.0, 0.1):
        scenario = _small_one_year(**{"prices.indexation_per_year": rate})
        costs[rate] = _step_costs_by_year(metric_table(simulate(scenario, 5, 0).rows))
    for year, plain in costs[0.0].items():
        index = 1.1 ** (year - scenario.calendar.base_year)
        assert costs[0.1][year] / plain == pytest.approx(index, rel=1e-9), (year, costs)


def test_money_is_reported_in_the_price_year():
    """``calendar.price_year``: every money metric is the base year's times index[price_year] / index[base_year];
    prices steer no decision, so every other metric is the same, draw for draw."""
    from conftest import metric_table

    from sim.model.catalogue import is_money
    from sim.model.municipality import simulate

    tables = {}
    for year in (None, 2023):
        scenario = _small_one_year(**{"calendar.price_year": year, "prices.index": {2019: 80.0, 2023: 100.0}})
        tables[year] = metric_table(simulate(scenario, 5, 0).rows)
    assert scenario.price_year == 2023 and scenario.calendar.base_year == 2019
    money = [m for m in tables[None] if is_money(m)]
    assert {"cost_total", "cost_caseworkers", "cost_policy", "cost.foster_family"} <= set(money)
    for metric, by_year in tables[None].items():
        for year, value in by_year.items():
            expected = value * 1.25 if metric in money else value
            assert tables[2023][metric][year] == pytest.approx(expected, rel=1e-12, nan_ok=True), metric


def test_a_price_year_outside_the_index_is_refused():
    """Converting to a price year needs the index in that year and the base year; the error names the key."""
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="calendar.price_year"):
        _small_one_year(**{"calendar.price_year": 2031})
    with pytest.raises(ScenarioError, match="calendar.base_year"):
        _small_one_year(**{"calendar.price_year": 2023, "prices.index": {2023: 100.0}})


def test_need_improves_only_on_an_adequate_step():
    """A child whose need is above what its step can meet gets no better there (it can only escalate); on an
    adequate step it can improve. Drawn for 200 children at the need just above the least intrusive step's."""
    from sim.model.pathway import next_need_change

    m = Municipality(_small_one_year(), seed=6, replication=0)
    lowest = min(range(len(m.settings.steps)), key=lambda i: m.settings.steps[i].need_level)
    need = m.settings.steps[lowest].need_level + 1
    adequate = next(i for i, st in enumerate(m.settings.steps) if st.need_level >= need)
    falls = {}
    for step in (lowest, adequate):
        falls[step] = 0
        for cid in range(200):
            child = Child(cid, luck=ChildLuck(cid, Draws(6, 0)), birth=0.0)
            child.step, child.need = step, need
            when, rises = next_need_change(m, child)
            falls[step] += when != math.inf and not rises
    assert falls[lowest] == 0, falls
    assert falls[adequate] > 20, falls


def test_every_year_counts_twelve_months_of_monthly_bookings():
    """Monthly bookings (overload months, ongoing hours, leavers) go to the year of the month's middle. By its
    start a year's first month can fall in the year before (twelve times 1/12 is 0.999...): with burn-in 3 the
    month starting at year 5 was booked in year 4, so 2028 counted 13 months and its ongoing hours 8 % too many;
    and a month starting a hair before the run's end was booked as a 13th in the last year. An always-overloaded
    department must count 12 overloaded months in every year."""
    from conftest import metric_table

    from sim.model.municipality import simulate

    raw = load_scenario(BASELINE).model_dump(mode="json")
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.1
    raw["caseworkers"]["overload"].update(caseload_threshold=0.001, temporary_share_of_fte=0.0)
    for burn_in, horizon in ((3, 8), (3, 2), (1, 2)):  # the run's end too: 5 x 12 months end a hair short of 5
        raw["calendar"].update(burn_in_years=burn_in, horizon_years=horizon)
        table = metric_table(simulate(build(raw), 1, 0).rows)
        assert set(table["overload_months"].values()) == {12.0}, (burn_in, horizon, table["overload_months"])
