"""The staircase choice and the time with families: the least intrusive adequate step that is taken up, age
limits, full steps, and how time per case moves a choice and a review's step-down share."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import count

import pytest
from conftest import BASELINE

from sim.model.family_time import step_down_share, time_effect
from sim.model.municipality import overload_stretch
from sim.model.scenario import load_scenario
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
# the staircase choice


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
