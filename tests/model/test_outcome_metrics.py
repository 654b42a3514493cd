"""The children's outcomes move the way their mechanisms say: no breakdown rate, no breakdowns; kinship first, a
higher family-like share; perfect triage, nobody closed with a need; more caseworkers, shorter waits; reviews that
act on a lower need, shorter stays; the wellbeing proxy is the weighted share of the child-years it says it is.

Each compares one small replication of two scenarios on the same random numbers (sim.model.randomness)."""

from __future__ import annotations

import copy
import math

import pytest

from sim.model.ledger import YearLedger, quantile
from sim.model.municipality import simulate
from sim.model.scenario import load_scenario
from sim.model.staircase import NO_STEP, Staircase
from tests.conftest import BASELINE, build, metric_table, scaled

SEED, REPLICATION = 3, 0


@pytest.fixture
def raw(small_raw) -> dict:
    """The baseline at half its size, 1 burn-in year and 3 projected years."""
    return scaled(small_raw, 0.5)


def _run(raw: dict, steps: dict[str, dict] | None = None, **overrides) -> dict[str, dict[int, float]]:
    """One replication's metrics with dotted-key overrides and, per step id, fields of that step changed."""
    raw = copy.deepcopy(raw)
    for st in raw["staircase"]:
        st.update((steps or {}).get(st["id"], {}))
    return metric_table(simulate(build(raw, **overrides), SEED, REPLICATION).rows)


def _total(table: dict, metric: str) -> float:
    return sum(table[metric].values())


def _mean(table: dict, metric: str) -> float:
    values = [v for v in table[metric].values() if not math.isnan(v)]
    return sum(values) / len(values)


def _placement_steps(raw: dict, **fields) -> dict[str, dict]:
    """The same fields for every placement step."""
    return {st["id"]: dict(fields) for st in raw["staircase"] if st["kind"] == "placement"}


def test_without_a_breakdown_rate_no_placement_breaks_down(raw):
    table = _run(raw, _placement_steps(raw, breakdown_rate_per_year=0.0))
    assert _total(table, "placement_breakdowns") == 0
    assert all(v == 0 for v in table["breakdowns_per_100_placed_years"].values())


def test_a_higher_breakdown_rate_breaks_down_more_placements_and_moves_more_children(raw):
    low = _run(raw, _placement_steps(raw, breakdown_rate_per_year=0.03))
    high = _run(raw, _placement_steps(raw, breakdown_rate_per_year=0.3))
    assert _total(high, "placement_breakdowns") > _total(low, "placement_breakdowns") > 0
    assert _mean(high, "breakdowns_per_100_placed_years") > _mean(low, "breakdowns_per_100_placed_years")
    assert _mean(high, "placement_type_changes_per_placed_year") > _mean(low, "placement_type_changes_per_placed_year")


def test_kinship_first_raises_the_family_like_and_kinship_shares(raw):
    today, first = _run(raw), _run(raw, {"kinship_care": {"uptake_share": 0.9}})
    assert _mean(first, "kinship_share_of_family_care") > _mean(today, "kinship_share_of_family_care")
    assert _mean(first, "family_like_share") > _mean(today, "family_like_share")
    assert _total(first, "family_like_child_years") > _total(today, "family_like_child_years")


def test_without_foster_families_fewer_placed_children_are_in_family_like_care(raw):
    today, none = _run(raw), _run(raw, {"foster_family": {"uptake_share": 0.0}})
    assert _mean(none, "family_like_share") < _mean(today, "family_like_share")
    assert _mean(none, "good_wellbeing_share") < _mean(today, "good_wellbeing_share")  # institutions weigh 0.6


def test_perfect_triage_and_investigations_leave_nobody_closed_with_a_need(raw):
    """Triage that sees every child's real need, investigations that find it, and no more closed after advice than
    the children without a need (the share closed is a cut on the perceived severity)."""
    today = _run(raw)
    no_need = raw["demand"]["need_shares"][0]
    perfect = _run(raw, **{"demand.triage_accuracy": 1.0, "demand.investigation_finds_need_share": 1.0,
                           "screening.share_closed_after_advice": round(no_need * 0.9, 4),
                           "caseworkers.overload.extra_closed_after_advice_share": 0.0})
    assert _total(today, "inquiries_closed_with_need") > 0
    assert _total(perfect, "inquiries_closed_with_need") == 0
    assert _total(perfect, "placements_after_unmet_need") <= _total(today, "placements_after_unmet_need")


def test_more_caseworkers_shorten_the_wait_for_an_investigation(raw):
    fte = raw["caseworkers"]["fte"]
    few, many = _run(raw, **{"caseworkers.fte": fte * 0.7}), _run(raw, **{"caseworkers.fte": fte * 1.5})
    for metric in ("days_to_investigation_end_p50", "days_to_investigation_end_p90",
                   "days_to_investigation_start_p90"):
        assert _mean(many, metric) < _mean(few, metric), metric
    assert all(_mean(many, m) >= 0 for m in ("days_to_investigation_start_p50", "days_to_investigation_end_p50"))


def test_reviews_that_act_on_a_lower_need_shorten_stays_in_care(raw):
    slow, quick = _run(raw, **{"reviews.step_down_share": 0.2}), _run(raw, **{"reviews.step_down_share": 1.0})
    assert _mean(quick, "share_placed_1jan_left_by_31dec") > _mean(slow, "share_placed_1jan_left_by_31dec")
    assert _mean(quick, "months_in_care_of_leavers_mean") < _mean(slow, "months_in_care_of_leavers_mean")


def test_the_wellbeing_proxy_is_the_weighted_share_of_placed_child_years(raw):
    """All placement steps weighted alike: the share is that weight, the child-years that weight times the
    placed child-years; no weights: no proxy."""
    table = _run(raw, _placement_steps(raw, good_wellbeing_share=0.5))
    steps = list(_placement_steps(raw))
    for year, share in table["good_wellbeing_share"].items():
        assert share == pytest.approx(0.5)
        placed_years = sum(table[f"child_years.{s}"][year] for s in steps)
        assert table["good_wellbeing_child_years"][year] == pytest.approx(0.5 * placed_years)
    none = _run(raw, _placement_steps(raw, good_wellbeing_share=None))
    assert all(math.isnan(v) for v in none["good_wellbeing_share"].values())
    assert _total(none, "good_wellbeing_child_years") == 0


def test_child_years_on_a_step_are_what_its_cost_pays_for(raw):
    """Cost is price x time on the step: the child-years are the cost over the price (no indexation)."""
    scenario = build(raw)
    table = metric_table(simulate(scenario, SEED, REPLICATION).rows)
    for st in scenario.staircase:
        for year, years in table[f"child_years.{st.id}"].items():
            expected = table[f"cost.{st.id}"][year] / (st.price_per_year_dkk * scenario.price_factor)
            assert years == pytest.approx(expected, rel=1e-9), (st.id, year)


def test_children_turn_18_on_placement_steps_no_more_often_than_placed_children_can(raw):
    """A child counts once, at its 18th birthday: on the placement steps, no more in a year than the children placed
    below 18 at its start and the placements started in it; and some do turn 18 in care."""
    table = _run(raw)
    placement = [st["id"] for st in raw["staircase"] if st["kind"] == "placement"]
    years = sorted(table["children_placed_0_17"])
    on_placements = {y: sum(table[f"reached_18.{s}"][y] for s in placement) for y in years}
    assert sum(on_placements.values()) > 0
    for before, year in zip(years, years[1:]):
        assert on_placements[year] <= table["children_placed_0_17"][before] + table["placements_started"][year]


def test_the_ledger_books_a_child_turning_18_without_a_measure_apart():
    scenario = load_scenario(BASELINE)
    ledger = YearLedger(scenario, Staircase.from_scenario(scenario))
    ledger.book_reached_18(0.5, NO_STEP)
    ledger.book_reached_18(0.5, 2)
    assert ledger.reached_18_without_measure[0] == 1
    assert ledger.reached_18[2][0] == 1 and sum(ledger.reached_18[i][0] for i in range(len(ledger.staircase))) == 1


def test_the_ledgers_quantile_is_numpys_linear_one():
    numpy = pytest.importorskip("numpy")
    values = [3.0, 1.0, 10.0, 7.0, 2.5]
    for q in (0.0, 0.5, 0.9, 1.0):
        assert quantile(values, q) == pytest.approx(float(numpy.quantile(values, q)))
    assert math.isnan(quantile([], 0.5))


def test_children_who_move_away_sooner_are_placed_for_shorter_spells(raw):
    """Families moving away end placement spells: fewer placed children have been placed over two years."""
    stay, move = _run(raw), _run(raw, **{"exits.move_away_rate_per_year": 0.5})
    assert _mean(move, "share_placed_over_2_years") < _mean(stay, "share_placed_over_2_years")
    assert _mean(move, "share_placed_1jan_left_by_31dec") > _mean(stay, "share_placed_1jan_left_by_31dec")
    assert _mean(move, "months_in_care_of_leavers_median") < _mean(stay, "months_in_care_of_leavers_median")
