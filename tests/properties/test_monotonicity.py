"""Monotonicity: policy levers move the outputs the way they must, compared at common random numbers
(same seed, same replications) so that only the lever differs.

- more caseworker FTEs never raise the mean investigation time or the overdue share;
- a higher price never lowers a cost (exactly, replication by replication: prices do not change paths);
- shorter review intervals never lengthen the time children spend on placement steps.

The municipality is the baseline at a quarter of its size (population and FTEs alike, so caseload and
queues are comparable), with notifications about known children replaced by as many new cases (see
``conftest.new_cases_only``: with them, paths of two scenarios part wherever they differ in who is known). Each check
compares means over replications and years, sized so that the expected difference is several standard errors of the
paired difference (numbers in each test).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import build, metric_table, new_cases_only, scaled

from sim.model.municipality import simulate
from sim.model.staircase import Staircase

SEED = 2024


@pytest.fixture
def quarter_raw(baseline_raw) -> dict:
    raw = new_cases_only(scaled(baseline_raw, 0.25))
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 4
    return raw


def pooled(tables: list[dict], metric: str, weight: str) -> float:
    """Mean of a per-year rate over all reported years and replications, weighted by its denominator
    (e.g. investigation days per completed investigation)."""
    num = den = 0.0
    for m in tables:
        for year, value in m[metric].items():
            w = m[weight][year]
            if w > 0:
                num += value * w
                den += w
    return num / den


# ---------------------------------------------------------------- caseworkers


@pytest.mark.slow
def test_more_caseworkers_never_slow_investigations(quarter_raw):
    """FTEs at 0.5, 0.6, 0.8 and 1.2 times the baseline's, 12 replications x 4 years each.

    With own caseloads and due-date service, caseworker time reaches investigations: paired differences per
    replication measured over 30 replications (mean; t at 15 replications): 0.5->0.6: 81 days (15), overdue
    share 0.14 (7.4); 0.6->0.8: 70 days (7.9), 0.25 (16); 0.8->1.2: 32 days (11), 0.20 (9.9). With 12
    replications the smallest margin is still about 6 standard errors."""
    base_fte = quarter_raw["caseworkers"]["fte"]
    factors = [0.5, 0.6, 0.8, 1.2]
    days, overdue = [], []
    for f in factors:
        s = build(quarter_raw, **{"caseworkers.fte": base_fte * f})
        tables = [metric_table(simulate(s, SEED, rep).rows) for rep in range(12)]
        days.append(pooled(tables, "investigation_mean_days", "investigations_completed"))
        overdue.append(pooled(tables, "investigations_overdue_share", "investigations_completed"))
    report = f"FTE factors {factors}: mean days {np.round(days, 2)}, overdue share {np.round(overdue, 4)}"
    for i in range(len(factors) - 1):
        assert days[i + 1] <= days[i], report
        assert overdue[i + 1] <= overdue[i], report
    # the lever must matter at all: with half the FTEs the queue is long (weeks)
    assert days[0] > days[-1] + 7.0, report


# ---------------------------------------------------------------- prices


@pytest.mark.parametrize("step_id", ["foster_family", "institution", "early"])
def test_higher_price_never_lowers_cost(quarter_raw, step_id):
    """Price of one step x 1.5: same paths (prices steer no decision), so per replication and year that
    step's cost is exactly 1.5 times as high, the other steps' costs are unchanged, and cost_total rises."""
    old_price = next(st for st in quarter_raw["staircase"] if st["id"] == step_id)["price_per_year_dkk"]
    staircase = [dict(st) for st in quarter_raw["staircase"]]
    for st in staircase:
        if st["id"] == step_id:
            st["price_per_year_dkk"] = old_price * 1.5
    cheap = build(quarter_raw)
    dear = build(quarter_raw, staircase=staircase)
    step_ids = [st.id for st in cheap.staircase]
    for rep in range(2):
        a = metric_table(simulate(cheap, SEED, rep).rows)
        b = metric_table(simulate(dear, SEED, rep).rows)
        for year in a["cost_total"]:
            assert a[f"cost.{step_id}"][year] > 0, "the step must be used for the test to mean anything"
            assert b[f"cost.{step_id}"][year] == pytest.approx(1.5 * a[f"cost.{step_id}"][year], rel=1e-9)
            for other in step_ids:
                assert b[f"cost.{other}"][year] >= a[f"cost.{other}"][year]
                if other != step_id:
                    assert b[f"cost.{other}"][year] == a[f"cost.{other}"][year]
            assert b["cost_total"][year] > a["cost_total"][year]
            assert b["cost_caseworkers"][year] == a["cost_caseworkers"][year]


def test_higher_caseworker_cost_never_lowers_cost(quarter_raw):
    cheap = build(quarter_raw)
    dear = build(quarter_raw, **{"caseworkers.cost_per_fte_dkk": quarter_raw["caseworkers"]["cost_per_fte_dkk"] * 1.2})
    a = metric_table(simulate(cheap, SEED, 0).rows)
    b = metric_table(simulate(dear, SEED, 0).rows)
    for year in a["cost_total"]:
        assert b["cost_caseworkers"][year] == pytest.approx(1.2 * a["cost_caseworkers"][year], rel=1e-9)
        assert b["cost_total"][year] > a["cost_total"][year]
        for st in cheap.staircase:
            assert b[f"cost.{st.id}"][year] == a[f"cost.{st.id}"][year]


# ---------------------------------------------------------------- reviews


def placement_spells(paths: dict, placement: set[int], end: float) -> list[float]:
    """Lengths of the spells on placement steps in the trace: from entering a placement step (from no step
    or a preventive one) to leaving placement (a preventive step or the case's close); moves between
    placement steps continue the spell; spells still running at ``end`` are cut there."""
    out = []
    for path in paths.values():
        start = None
        for t, what, step in path:
            on_placement = what == "enter" and step in placement
            if start is None and on_placement:
                start = t
            elif start is not None and not on_placement:
                out.append(t - start)
                start = None
        if start is not None:
            out.append(end - start)
    return out


@pytest.mark.slow
def test_shorter_review_intervals_never_lengthen_placements(quarter_raw):
    """Review every 3, 6 and 12 months; mean placement spell (from the trace) and mean year-end number placed.

    A need that improves is acted on only at a review, so spells last about half an interval longer with
    longer intervals. To make that visible against stays of many years, the placement need levels (4, 5)
    improve at 1/year here (baseline: about 0.1-0.2), every review that finds a lower need acts on it, and
    reviews are queued with the baseline's caseworker capacity (they are late now and then).
    Paired differences per replication measured with 7 seeds at 12 replications (mean, SD) of the mean
    spell: 3->6 months 0.09-0.11 (0.04-0.07) years, 6->12 months 0.18-0.23 (0.06-0.09): margins of 4.4
    to 10 and 7 to 12 standard errors. The number placed is noisier (3->6 months: 0.2-1.1, SD 0.4-0.8),
    so it is checked only between 3 and 12 months (difference 1.9-2.9, SD 0.9-1.5: 4.5 to 11 SE).
    Censoring spells at the end shortens long spells most, so it cannot create an order that is not
    there."""
    raw = quarter_raw
    for level in raw["needs"]["levels"]:
        if level["level"] >= 4:
            level["improvement_rate_per_year"] = 1.0
    raw["reviews"]["step_down_share"] = 1.0
    intervals = [3.0, 6.0, 12.0]
    mean_spell, mean_placed = [], []
    for months in intervals:
        s = build(raw, **{"reviews.interval_months": months})
        placement = set(Staircase.from_scenario(s).placement)
        end = float(s.calendar.burn_in_years + s.calendar.horizon_years)
        spells, placed = [], []
        for rep in range(12):
            res = simulate(s, SEED, rep, trace=True)
            spells += placement_spells(res.paths, placement, end)
            placed += list(metric_table(res.rows)["children_placed"].values())
        assert len(spells) > 300
        mean_spell.append(float(np.mean(spells)))
        mean_placed.append(float(np.mean(placed)))
    report = f"intervals {intervals} months: mean spell {np.round(mean_spell, 3)} y, placed {np.round(mean_placed, 2)}"
    for i in range(len(intervals) - 1):
        assert mean_spell[i] <= mean_spell[i + 1], report
    assert mean_placed[0] <= mean_placed[-1], report
