"""The model's pieces one at a time: the staircase choice, the known-children circle, the addressed draws, the
caseworkers' dispatcher and the ledger's books. Each test states the behaviour, so a plausible bug in the
piece (an age limit off by one, a draw skipped or reused, priorities inverted, last-in first-out, a cost
booked in the wrong year) fails here, not only in the stored regression summary."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import count

import pytest
import simpy

from conftest import BASELINE, build
from sim.model.caseworkers import ACUTE, INVESTIGATION, REVIEW, SCREENING, CaseworkerTeam
from sim.model.child import Child
from sim.model.ledger import YearLedger
from sim.model.municipality import KnownChildren, Municipality, overload_stretch
from sim.model.randomness import CHUNK, DECISIONS, ChildLuck, D, Draws, child_id
from sim.model.scenario import load_scenario
from sim.model.family_time import step_down_share, time_effect
from sim.model.staircase import NO_STEP, Staircase, StepInfo


@pytest.fixture(scope="module")
def staircase() -> Staircase:
    return Staircase.from_scenario(load_scenario(BASELINE))


def _uniforms(values):
    """An iterator of uniforms that records how many were drawn."""
    used = count()

    def draw():
        next(used)
        return next(values)

    return iter(draw, None), used


def _constant(value: float):
    while True:
        yield value


def _two_steps(**first) -> Staircase:
    step = StepInfo(index=0, id="first", kind="preventive", need_level=3, price_per_year_dkk=1.0, uptake_share=1.0,
                    min_age=0, max_age=22, capacity=math.inf, breakdown_rate=0.0, account_function="x")
    stairs = Staircase.__new__(Staircase)
    stairs.steps = [replace(step, **first), replace(step, index=1, id="second", capacity=2.0)]
    stairs.ids = ["first", "second"]
    return stairs


# ---------------------------------------------------------------- the staircase choice


def test_choice_takes_the_least_intrusive_adequate_step_when_it_is_taken_up(staircase):
    occupancy = [0] * len(staircase)
    for need in range(1, max(st.need_level for st in staircase.steps) + 1):
        draws, _ = _uniforms(_constant(0.0))  # every uptake succeeds
        chosen = staircase.choose(need, age=10.0, occupancy=occupancy, time_effect=0.0, uniforms=draws)
        adequate = [st.index for st in staircase.steps if st.need_level >= need and st.min_age <= 10.0 < st.max_age + 1]
        assert chosen == adequate[0]


def test_choice_walks_up_past_steps_not_taken_up(staircase):
    """With a uniform above every uptake share below 1, the choice is the first step that always takes the
    child, or the most intrusive candidate if none does."""
    occupancy = [0] * len(staircase)
    draws, _ = _uniforms(_constant(0.999999))
    chosen = staircase.choose(1, age=10.0, occupancy=occupancy, time_effect=0.0, uniforms=draws)
    candidates = [st for st in staircase.steps if st.need_level >= 1 and st.min_age <= 10.0 < st.max_age + 1]
    certain = [st.index for st in candidates if st.uptake_share > 0.999999]
    assert chosen == (certain[0] if certain else candidates[-1].index)
    assert chosen != candidates[0].index or candidates[0].uptake_share > 0.999999


def test_age_limit_includes_the_whole_last_year_of_age():
    """A step for ages up to 17 takes a child of 17.9 and refuses one of 18.0."""
    stairs = _two_steps(min_age=12, max_age=17)
    for age, expected in ((11.99, 1), (12.0, 0), (17.9, 0), (18.0, 1)):
        draws, _ = _uniforms(_constant(0.0))
        assert stairs.choose(1, age=age, occupancy=[0, 0], time_effect=0.0, uniforms=draws) == expected, age


def test_a_full_step_is_passed_over_and_no_step_is_named_when_all_are_full():
    stairs = _two_steps(capacity=1.0)
    draws, _ = _uniforms(_constant(0.0))
    assert stairs.choose(1, age=10.0, occupancy=[1, 0], time_effect=0.0, uniforms=draws) == 1
    draws, _ = _uniforms(_constant(0.0))
    assert stairs.choose(1, age=10.0, occupancy=[1, 2], time_effect=0.0, uniforms=draws) == NO_STEP


def test_the_time_draw_is_made_whatever_the_time_effect(staircase):
    """Common random numbers across caseloads: a choice uses as many draws at no effect as at any other."""
    occupancy = [0] * len(staircase)
    used_counts = []
    for effect in (-1.0, -0.3, 0.0, 0.3, 1.0):
        draws, used = _uniforms(_constant(0.0))
        staircase.choose(1, age=10.0, occupancy=occupancy, time_effect=effect, uniforms=draws)
        used_counts.append(next(used))
    assert len(set(used_counts)) == 1, used_counts


def test_little_time_moves_the_choice_exactly_one_step_up(staircase):
    occupancy = [0] * len(staircase)
    calm, _ = _uniforms(_constant(0.0))
    pressed, _ = _uniforms(_constant(0.0))
    without = staircase.choose(1, age=10.0, occupancy=occupancy, time_effect=0.0, uniforms=calm)
    with_pressure = staircase.choose(1, age=10.0, occupancy=occupancy, time_effect=-1.0, uniforms=pressed)
    candidates = [st.index for st in staircase.steps if st.need_level >= 1 and st.min_age <= 10.0 < st.max_age + 1]
    assert candidates.index(with_pressure) == candidates.index(without) + 1


def test_ample_time_moves_the_choice_exactly_one_step_down_but_never_below_the_least_intrusive(staircase):
    """A child whose walk ends on the second candidate (the first not taken up) gets the first with ample
    time; one already on the first stays there."""
    occupancy = [0] * len(staircase)
    candidates = [st.index for st in staircase.steps if st.need_level >= 4 and st.min_age <= 10.0 < st.max_age + 1]
    first_refused = iter([0.999999, 0.0, 0.0])  # the first uptake refused, the second taken, then the time draw
    walk = staircase.choose(4, age=10.0, occupancy=occupancy, time_effect=0.0, uniforms=iter([0.999999, 0.0, 0.0]))
    assert candidates.index(walk) == 1
    assert staircase.choose(4, age=10.0, occupancy=occupancy, time_effect=1.0, uniforms=first_refused) == candidates[0]
    taken_first = staircase.choose(4, age=10.0, occupancy=occupancy, time_effect=1.0, uniforms=iter([0.0, 0.0]))
    assert taken_first == candidates[0]


def test_the_dose_response_is_zero_at_the_reference_linear_and_capped():
    reference, top, full = 1.5, 0.4, 1.5
    assert time_effect(reference, reference, top, full) == 0.0
    # linear: every hour per case moves the effect by the same amount, above and below the reference (a cut's
    # hour costs what a hire's hour buys)
    slope = top / full
    for h in (0.25, 0.9, 1.2, 1.8, 2.1, 2.9):
        assert time_effect(h, reference, top, full) == pytest.approx(slope * (h - reference)), h
    assert time_effect(reference + 0.5, reference, top, full) == pytest.approx(
        -time_effect(reference - 0.5, reference, top, full))
    # capped at the maximum, full_effect_hours from the reference and beyond
    assert time_effect(0.0, reference, top, full) == pytest.approx(-top)
    assert time_effect(reference + full, reference, top, full) == pytest.approx(top)
    assert time_effect(100.0, reference, top, full) == pytest.approx(top)
    assert time_effect(math.inf, reference, top, full) == top  # no open cases: all the time there is
    assert time_effect(0.0, reference, 0.0, full) == 0.0  # switched off


def test_a_review_stretch_grows_with_the_excess_over_the_threshold_not_as_a_cliff():
    threshold = 40.0
    assert overload_stretch(30.0, threshold) == 0.0
    assert overload_stretch(threshold, threshold) == 0.0
    assert overload_stretch(44.0, threshold) == pytest.approx(0.1)  # a tenth over: a tenth of the stretch
    assert overload_stretch(60.0, threshold) == pytest.approx(0.5)
    assert overload_stretch(80.0, threshold) == pytest.approx(1.0)
    assert overload_stretch(120.0, threshold) == 1.0
    assert overload_stretch(math.inf, threshold) == 1.0  # an unallocated case: nobody's time


def test_time_moves_a_reviews_step_down_share_within_zero_and_one():
    assert step_down_share(0.7, 0.0) == 0.7
    assert 0.7 < step_down_share(0.7, 0.2) < step_down_share(0.7, 0.5) <= 1.0
    assert 0.0 <= step_down_share(0.7, -0.5) < step_down_share(0.7, -0.2) < 0.7
    assert step_down_share(0.7, 1.0) == pytest.approx(1.0) and step_down_share(0.7, -1.0) == pytest.approx(0.0)


# ---------------------------------------------------------------- the known-children circle


def _child(cid: int, key: float) -> Child:
    child = Child(cid, luck=None, birth=0.0)
    child.known_key = key
    child.open = True
    return child


def test_a_notification_goes_to_the_child_whose_key_comes_next_on_the_circle():
    known = KnownChildren(window=1.0)
    children = [_child(i, key) for i, key in enumerate((0.1, 0.4, 0.7))]
    for child in reversed(children):  # the order of adding does not matter: keys do
        known.add(child)
    assert known.pick(0.05, now=0.0) is children[0]
    assert known.pick(0.35, now=0.0) is children[1]
    assert known.pick(0.69, now=0.0) is children[2]
    assert known.pick(0.95, now=0.0) is children[0]  # round the circle


def test_one_child_fewer_changes_only_the_notifications_that_went_to_it():
    keys = [0.05 + 0.1 * i for i in range(9)]
    draws = [0.013 * j for j in range(1, 77)]
    full, fewer = KnownChildren(1.0), KnownChildren(1.0)
    for i, key in enumerate(keys):
        full.add(_child(i, key))
        if i != 4:
            fewer.add(_child(i, key))
    changed = 0
    for u in draws:
        before, after = full.pick(u, 0.0), fewer.pick(u, 0.0)
        if before.cid != 4:
            assert after.cid == before.cid, u
        else:
            changed += 1
            assert after.cid == 5  # the next key on the circle
    assert changed > 0


def test_closed_children_leave_the_circle_after_the_window():
    known = KnownChildren(window=0.5)
    child = _child(1, 0.3)
    known.add(child)
    child.open, child.closed_at = False, 1.0
    assert known.pick(0.1, now=1.4) is child
    assert known.pick(0.1, now=1.6) is None
    assert len(known) == 0


# ---------------------------------------------------------------- addressed draws


def test_a_childs_draws_for_one_decision_are_never_reused():
    luck = ChildLuck(child_id(1, 7), Draws(11, 2))
    values = [luck.u(D["dynamics"]) for _ in range(5 * CHUNK + 3)]
    assert len(set(values)) == len(values)


def test_draws_do_not_overlap_across_decisions_or_children():
    draws = Draws(5, 0)
    seen: dict[float, tuple] = {}
    for cid in (child_id(1, 0), child_id(1, 1), child_id(0, 0)):
        luck = ChildLuck(cid, draws)
        for decision in range(len(DECISIONS)):
            for k in range(2 * CHUNK + 1):
                value = luck.u(decision)
                assert value not in seen, (cid, decision, k, seen.get(value))
                seen[value] = (cid, decision, k)


def test_a_draw_is_addressed_not_consumed_in_order():
    """The k-th draw of a child for a decision is the same whatever other draws were made before it."""
    cid = child_id(1, 1234)
    alone = ChildLuck(cid, Draws(3, 4))
    busy = ChildLuck(cid, Draws(3, 4))
    for decision in range(len(DECISIONS)):  # another child's and other decisions' draws first
        ChildLuck(child_id(1, 99), busy.draws).u(decision)
        if decision != D["review"]:
            for _ in range(6):
                busy.u(decision)
    assert [alone.u(D["review"]) for _ in range(7)] == [busy.u(D["review"]) for _ in range(7)]
    assert Draws(3, 4).uniform(D["review"], cid, 5) == ChildLuck(cid, Draws(3, 4)).draws.uniform(D["review"], cid, 5)


# ---------------------------------------------------------------- the caseworkers' dispatcher


def _order_served(submissions, servers: float = 1.0):
    """Submit tasks (priority, name) while one blocking task occupies the team; the order they start in."""
    env = simpy.Environment()
    team = CaseworkerTeam(env, servers, hours_per_week=37.0)
    started = []
    team.submit(INVESTIGATION, 10.0)  # keeps the only server busy while the others queue
    for priority, name in submissions:
        team.submit(priority, 1.0, on_done=lambda start, name=name: started.append((start, name)))
    env.run()
    return [name for _, name in sorted(started)]


def test_acute_work_is_served_before_reviews_and_investigations():
    order = _order_served([(REVIEW, "review"), (INVESTIGATION, "investigation"), (ACUTE, "acute"),
                           (SCREENING, "screening")])
    assert order.index("acute") < order.index("review")
    assert order.index("acute") < order.index("investigation")
    assert order.index("screening") < order.index("review")


def test_tasks_of_one_kind_are_served_first_come_first_served():
    order = _order_served([(SCREENING, f"s{i}") for i in range(6)])
    assert order == [f"s{i}" for i in range(6)]


def test_no_task_starts_without_capacity_and_waiting_tasks_start_when_it_comes():
    env = simpy.Environment()
    team = CaseworkerTeam(env, 0.0, hours_per_week=37.0)
    started = []
    team.submit(SCREENING, 1.0, on_done=started.append)
    env.run(until=1.0)
    assert started == [] and team.queue_length == 1

    def hire():
        yield env.timeout(0.5)
        team.set_available(1.0)

    env.process(hire())
    env.run(until=3.0)
    assert started == [pytest.approx(1.5)] and team.queue_length == 0


def test_more_servers_start_more_tasks_at_once():
    env = simpy.Environment()
    team = CaseworkerTeam(env, 3.0, hours_per_week=37.0)
    for _ in range(5):
        team.submit(REVIEW, 5.0)
    assert team.queue_length == 2


# ---------------------------------------------------------------- the ledger's books


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


# ---------------------------------------------------------------- the scenario's review interval is the one used


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
