"""Caseworkers as people: leavers, vacancies, recruitment, induction (sim.model.workforce), and the
hours-per-case dose-response's hook into a run (sim.model.family_time)."""

from __future__ import annotations

import pytest
from conftest import build, metric_table, new_cases_only, scaled

from sim.model.municipality import Municipality, simulate
from sim.model.randomness import Draws
from sim.model.scenario import Turnover
from sim.model.units import MONTH
from sim.model.workforce import Workforce

SEED = 7


def _workforce(fte: float = 10.0, months: int = 120, **turnover) -> Workforce:
    return Workforce(Turnover(**turnover), fte, Draws(SEED, 0), n_months=months, start=0.0)


def _at_month(k: int) -> float:
    return k * MONTH


# ---------------------------------------------------------------- the posts, month by month


def test_a_leavers_post_stays_vacant_for_the_recruitment_time_then_a_newcomer_learns():
    wf = _workforce(leave_rate_per_year=1.0, recruitment_months=3, induction_months=2, induction_productivity=0.5)
    wf.leave_chance = 1.0  # everyone leaves in the first month ...
    assert wf.month(_at_month(0)) == 10
    assert wf.filled_fte() == 0.0 and wf.vacant_fte() == 10.0
    wf.leave_chance = 0.0  # ... and nobody after: watch the newcomers
    for k in (1, 2):
        wf.month(_at_month(k))
        assert wf.filled_fte() == 0.0, k  # still recruiting
    wf.month(_at_month(3))
    assert wf.filled_fte() == 10.0 and wf.vacant_fte() == 0.0
    assert wf.productive_fte() == pytest.approx(5.0)  # in induction at half
    assert wf.induction_fte() == 10.0
    wf.month(_at_month(4))
    assert wf.induction_fte() == 10.0
    wf.month(_at_month(5))
    assert wf.productive_fte() == pytest.approx(10.0) and wf.induction_fte() == 0.0  # induction over


def test_an_fte_increase_is_hired_after_the_recruitment_time():
    wf = _workforce(recruitment_months=4)
    wf.establish(13.0, now=_at_month(0))
    assert wf.filled_fte() == 10.0 and wf.vacant_fte() == 3.0
    for k in range(4):
        wf.month(_at_month(k))
        assert wf.filled_fte() == 10.0, k
    wf.month(_at_month(4))
    assert wf.filled_fte() == 13.0


def test_a_cut_at_once_removes_vacant_posts_first_then_filled_ones():
    wf = _workforce(recruitment_months=4)
    wf.establish(12.0, now=0.0)  # two vacant posts
    wf.establish(9.0, now=MONTH)  # three fewer: the two vacant ones and one filled
    assert wf.vacant_fte() == 0.0 and wf.filled_fte() == 9.0


def test_a_cut_by_attrition_waits_for_leavers():
    wf = _workforce(recruitment_months=2, cuts="attrition", leave_rate_per_year=0.0)
    wf.establish(8.0, now=0.0)
    assert wf.filled_fte() == 10.0  # nobody is let go
    wf.leave_chance = 1.0  # then all leave: the first two posts go with their holders ...
    leavers = wf.month(_at_month(1))
    assert leavers == 10
    assert len(wf.permanent) == 8  # ... and only the others are recruited for
    assert wf.vacant_fte() == 8.0


def test_the_same_posts_lose_the_same_caseworkers_whatever_else_differs():
    """Common random numbers: a post's draws are its own, so two establishments with the same first posts see
    the same leavers among them."""
    a, b = _workforce(leave_rate_per_year=0.5), _workforce(fte=12.0, leave_rate_per_year=0.5)
    for k in range(24):
        a.month(_at_month(k))
        b.month(_at_month(k))
        assert [p.filled for p in a.posts] == [p.filled for p in b.posts[:10]], k


# ---------------------------------------------------------------- in a run


def _small(baseline_raw, **turnover) -> dict:
    raw = scaled(baseline_raw, 0.25)
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 2
    raw["caseworkers"]["turnover"] = turnover
    return raw


def _sum(table, metric):
    return sum(table[metric].values())


def test_without_turnover_the_team_is_the_establishment(baseline_raw):
    """No leavers and no induction: the caseworkers at work are the FTEs every year, nothing is vacant, even
    with a recruitment time (nobody leaves, no lever adds posts)."""
    raw = _small(baseline_raw, leave_rate_per_year=0.0, recruitment_months=3.0)
    table = metric_table(simulate(build(raw), SEED, 0).rows)
    assert all(v == pytest.approx(raw["caseworkers"]["fte"]) for v in table["caseworker_fte"].values())
    assert _sum(table, "vacant_fte") == 0.0 and _sum(table, "caseworker_leavers") == 0.0
    assert _sum(table, "induction_fte") == 0.0


def test_an_fte_lever_acts_through_hiring(baseline_raw):
    """+2 FTEs from 1 January with 6 months' recruitment and nobody leaving: half a year at the old FTEs,
    half at the new ones, and the missing posts vacant meanwhile."""
    raw = _small(baseline_raw, leave_rate_per_year=0.0, recruitment_months=6.0)
    fte = raw["caseworkers"]["fte"]
    raw["levers"] = [{"setting": "caseworkers.fte", "value": fte + 2, "start": "2027-01-01", "label": "+2"}]
    table = metric_table(simulate(build(raw), SEED, 0).rows)
    assert table["caseworker_fte"][2027] == pytest.approx(fte + 1.0, abs=1e-6)
    assert table["vacant_fte"][2027] == pytest.approx(1.0, abs=1e-6)
    assert table["caseworker_fte"][2028] == pytest.approx(fte + 2.0, abs=1e-6)


def test_higher_turnover_means_more_vacancy_and_less_capacity(baseline_raw):
    low = metric_table(simulate(build(_small(baseline_raw, leave_rate_per_year=0.1, recruitment_months=3)),
                                SEED, 0).rows)
    high = metric_table(simulate(build(_small(baseline_raw, leave_rate_per_year=0.8, recruitment_months=3)),
                                 SEED, 0).rows)
    assert _sum(high, "caseworker_leavers") > _sum(low, "caseworker_leavers")
    assert _sum(high, "vacant_fte") > _sum(low, "vacant_fte")
    assert _sum(high, "caseworker_fte") < _sum(low, "caseworker_fte")
    assert _sum(high, "caseload") > _sum(low, "caseload")


def test_a_longer_induction_delivers_fewer_hours(baseline_raw):
    """An overloaded team (70 % of its FTEs) with many newcomers: a year's induction at a third of full
    capacity leaves less time for the tasks than none (more caseworker time is missing, so less work is done
    and the families get fewer hours)."""
    def run(months):
        raw = _small(baseline_raw, leave_rate_per_year=0.5, recruitment_months=1, induction_months=months,
                     induction_productivity=0.3)
        raw["caseworkers"]["fte"] *= 0.7
        return metric_table(simulate(build(raw), SEED, 0).rows)

    none, long = run(0.0), run(12.0)
    assert _sum(long, "induction_fte") > 0 == _sum(none, "induction_fte")
    def hours(table):
        return sum(_sum(table, f"hours_{kind}") for kind in ("acute", "screening", "investigation", "review"))

    assert hours(long) < hours(none)
    assert _sum(long, "family_hours_per_case") < _sum(none, "family_hours_per_case")


@pytest.mark.parametrize("organisation", ["own_cases", "pooled"])
def test_a_leavers_cases_all_go_to_colleagues_over_a_run(baseline_raw, organisation):
    """Conservation over a run with a caseworker leaving every few weeks, vacancies, induction, a cut and
    temporary staff: every open case is held by exactly one caseworker at work or waits unallocated, nobody
    who left holds one, and no case is counted twice (pooled: no owners; the run must simply complete)."""
    raw = new_cases_only(_small(baseline_raw, leave_rate_per_year=1.5, recruitment_months=2, induction_months=2,
                                induction_productivity=0.5))
    raw["calendar"]["horizon_years"] = 3
    raw["caseworkers"]["organisation"] = organisation
    raw["levers"] = [{"setting": "caseworkers.fte", "value": 3.5, "start": "2027-06-01", "label": "cut"},
                     {"setting": "caseworkers.fte", "value": 6.0, "start": "2028-06-01", "label": "hire"}]
    m = Municipality(build(raw), seed=SEED, replication=0)
    months: list[int] = []

    def audit():
        while True:
            yield m.env.timeout(MONTH)
            if organisation == "pooled":
                months.append(0)
                continue
            open_ids = sorted(c.cid for c in m.open_children)
            held = [cid for w in m.team.workers if w.present for cid in w.cases]
            assert len(held) == len(set(held)), "a case counted twice"
            assert sorted(held + list(m.team.waiting)) == open_ids, "a case lost or invented"
            assert not any(w.cases for w in m.team.workers if not w.present), "a leaver kept cases"
            months.append(len(held))

    m.env.process(audit())
    m.run()
    assert len(months) >= 40
    assert m.workforce.leavers > 20, "too few leavers: the test checked little"
    if organisation == "own_cases":
        assert m.team.reallocated > 0
