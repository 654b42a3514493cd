"""Demand (sim.model.demand): reporting apart from need, screening by perceived severity, unmet need that
comes back.

Expected values are derived from the inputs (the need mix, the screening shares, the rates), never copied
from a run. The simulation checks follow children through the model's trace.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from conftest import build, metric_table

from sim.model import demand
from sim.model.municipality import Municipality, simulate
from sim.model.pathway import screen_by_severity
from sim.model.randomness import NS_EXTRA, child_id
from sim.runs.runner import run_replications, with_horizon

SEED = 7
PLACEMENT_LEVEL = 4  # the lowest need level a placement step of the baseline answers (kinship care, foster family)


def screen_many(scenario, n: int, t: float = None) -> list[tuple[int, int]]:
    """(outcome band, real need) of n new children screened at time t (default: the start of start_year)."""
    m = Municipality(scenario, seed=SEED, replication=0)
    start = scenario.calendar.burn_in_years if t is None else t
    m.env.run(until=start)
    out = []
    for k in range(n):
        child = m.new_child(child_id(NS_EXTRA, k), age=10.0)
        out.append((screen_by_severity(m, child), child.need))
    return out


# ---------------------------------------------------------------- the need mix


def test_need_shares_fall_as_reporting_outgrows_need(baseline_raw):
    """Reporting +9.2 %/year, need +1.4 %/year: the shares with a need scale by (1.014/1.092)^years."""
    s = build(baseline_raw, **{"notifications.trend_per_year": 0.092, "demand.need_trend_per_year": 0.014})
    base = s.demand.need_shares
    start = s.calendar.start_year
    assert demand.need_shares_in(s, start - 1) == pytest.approx([base[k] for k in range(6)])
    for years in (1, 5, 9):
        shares = demand.need_shares_in(s, start + years)
        factor = (1.014 / 1.092) ** years
        assert shares[1:] == pytest.approx([base[k] * factor for k in range(1, 6)])
        assert sum(shares) == pytest.approx(1.0)


def test_need_outgrowing_reporting_is_capped_at_all_notifications(baseline_raw):
    s = build(baseline_raw, **{"notifications.trend_per_year": -0.3, "demand.need_trend_per_year": 0.3})
    shares = demand.need_shares_in(s, s.calendar.start_year + 5)
    assert shares[0] == pytest.approx(0.0)
    assert sum(shares) == pytest.approx(1.0)


def test_scores_map_ranks_to_levels():
    cum = demand.cumulative_to_one([0.5, 0.25, 0.25])
    assert demand.level_of(demand.score_of_rank(0.49, cum)) == 0
    assert demand.level_of(demand.score_of_rank(0.5, cum)) == 1
    assert demand.score_of_rank(0.625, cum) == pytest.approx(1.5)
    assert demand.level_of(demand.score_of_rank(0.999999, cum)) == 2


# ---------------------------------------------------------------- screening by severity


@pytest.mark.parametrize("accuracy", [0.0, 0.5, 1.0])
def test_screening_shares_in_the_start_year_are_the_scenarios_whatever_the_triage(baseline_raw, accuracy):
    s = build(baseline_raw, **{"demand.triage_accuracy": accuracy})
    n = 20000
    bands = Counter(band for band, _ in screen_many(s, n))
    sc = s.screening
    tolerance = 4 * math.sqrt(0.25 / n)  # four binomial standard errors at most
    assert bands[demand.CLOSED_AFTER_ADVICE] / n == pytest.approx(sc.share_closed_after_advice, abs=tolerance)
    assert bands[demand.EARLY_MEASURE] / n == pytest.approx(sc.share_early_measure, abs=tolerance)
    assert bands[demand.ACUTE_PLACEMENT] / n == pytest.approx(sc.share_acute, abs=tolerance)


def test_perfect_triage_intake_team_closes_only_no_or_low_need(baseline_raw):
    """Closing 45 % with perfect triage: the need mix has 58 % at levels 0-1, so none above level 1 is closed."""
    s = build(baseline_raw, **{"demand.triage_accuracy": 1.0, "screening.share_closed_after_advice": 0.45})
    shares = s.demand.need_shares
    assert shares[0] + shares[1] >= 0.45  # the premise: enough no- or low-need children to close
    closed = [need for band, need in screen_many(s, 5000) if band == demand.CLOSED_AFTER_ADVICE]
    assert len(closed) > 2000
    assert max(closed) <= 1


def test_imperfect_triage_closes_some_children_with_placement_level_need(baseline_raw):
    s = build(baseline_raw, **{"screening.share_closed_after_advice": 0.45})
    accuracy = s.demand.triage_accuracy
    closed = [need for band, need in screen_many(s, 5000) if band == demand.CLOSED_AFTER_ADVICE]
    high = sum(need >= PLACEMENT_LEVEL for need in closed) / len(closed)
    expected = (1.0 - accuracy) * sum(v for k, v in s.demand.need_shares.items() if k >= PLACEMENT_LEVEL)
    assert high == pytest.approx(expected, abs=0.015)


def test_more_low_need_reports_are_closed_at_fixed_severity_cutoffs(baseline_raw):
    """With reporting outgrowing need, a later year's new notifications are more often closed."""
    s = build(baseline_raw, **{"notifications.trend_per_year": 0.092, "demand.triage_accuracy": 1.0})
    first = Counter(b for b, _ in screen_many(s, 4000))
    later = Counter(b for b, _ in screen_many(s, 4000, t=s.calendar.burn_in_years + 5.5))
    assert later[demand.CLOSED_AFTER_ADVICE] > first[demand.CLOSED_AFTER_ADVICE] * 1.1
    assert later[demand.INVESTIGATE] < first[demand.INVESTIGATE]


# ---------------------------------------------------------------- unmet need comes back


@pytest.mark.slow
def test_closed_children_with_placement_level_need_come_back_within_two_years(small_raw):
    """Follow every child closed with a need at placement level at least two years before the run's end:
    in most replications most are notified again within two years, by their need's own course (rate
    1.5/year at level 4: 78 % within a year if nothing else happened; ageing out, moving away and fading
    compete) or by the known-children stream (both are traced as "renotified")."""
    s = build(small_raw)
    within = 2.0
    replications_where_most_came_back = 0
    followed_total = 0
    for rep in range(5):
        result = simulate(s, SEED, rep, trace=True)
        end = s.calendar.burn_in_years + s.calendar.horizon_years
        followed = came_back = 0
        for path in result.paths.values():
            for i, (t, what, need) in enumerate(path):
                if what != "unmet" or need < PLACEMENT_LEVEL or t > end - within:
                    continue
                followed += 1
                later = [u for u, w, _ in path[i + 1 :] if w == "renotified"]
                came_back += bool(later) and later[0] - t <= within
        followed_total += followed
        if followed and came_back / followed > 0.5:
            replications_where_most_came_back += 1
    assert followed_total >= 10, "too few children closed with placement-level need to say anything"
    assert replications_where_most_came_back >= 4


def test_switched_off_nothing_is_unmet_and_triage_changes_nothing(small_raw):
    off = dict(small_raw, demand={**small_raw["demand"], "enabled": False})
    a = simulate(build(off), SEED, 0, trace=True)
    b = simulate(build(off, **{"demand.triage_accuracy": 1.0}), SEED, 0, trace=True)
    assert a.rows == b.rows and a.paths == b.paths
    table = metric_table(a.rows)
    for metric in ("inquiries_closed_with_need", "renotified_after_unmet_need", "placements_after_unmet_need"):
        assert set(table[metric].values()) == {0.0}


@pytest.mark.slow
def test_intake_team_closes_more_with_need_and_more_come_back_paired(baseline_raw):
    """Common random numbers: closing more inquiries leaves more needs unmet and more re-notifications;
    perfect triage leaves fewer than the baseline's."""
    raw = baseline_raw
    raw["calendar"]["burn_in_years"] = 1
    raw["calendar"]["horizon_years"] = 3

    def totals(scenario):
        table = run_replications(with_horizon(scenario, 3), 3, seed=SEED, workers=1).table
        return table.groupby("metric").value.sum()

    base = totals(build(raw))
    intake = totals(build(raw, **{"screening.share_closed_after_advice": 0.45}))
    perfect = totals(build(raw, **{"demand.triage_accuracy": 1.0}))
    assert intake["inquiries_closed_with_need"] > base["inquiries_closed_with_need"]
    assert intake["renotified_after_unmet_need"] > base["renotified_after_unmet_need"]
    assert intake["investigations_started"] < base["investigations_started"]
    assert perfect["inquiries_closed_with_need"] < base["inquiries_closed_with_need"]


# ---------------------------------------------------------------- demand as it moved in 2015-2019


def _from_2015(path: str, years: int):
    import sim

    s = sim.load_scenario(path)
    raw = s.model_dump(mode="json")
    raw["calendar"]["start_year"] = 2015  # prices stay the scenario's (its base and price years)
    raw["calendar"]["horizon_years"] = years
    raw["population"]["aged_0_17"] *= 2  # twice the municipality: half the relative noise of a small count
    raw["population"]["aged_0_22"] *= 2
    raw["caseworkers"]["fte"] *= 2
    return build(raw)


@pytest.mark.slow
def test_2015_to_2019_notifications_grow_as_observed_and_placements_stay_flat():
    """From the 2015 state with the observed growth in notifications (facts: notifications 2015 97,000 and
    2019 137,986: x1.42) and need as children with a measure grew: placements within +-10 % of flat."""
    from pathlib import Path

    scenario = _from_2015(str(Path(__file__).resolve().parents[2] / "scenarios" / "notification-surge.yaml"), 5)
    table = run_replications(scenario, 6, seed=SEED, workers=1).table
    mean = table.groupby(["metric", "year"]).value.mean()
    growth = mean["notifications", 2019] / mean["notifications", 2015]
    assert growth == pytest.approx(137986 / 97000, rel=0.05)
    placed = mean["children_placed", 2019] / mean["children_placed", 2015]
    assert placed == pytest.approx(1.0, abs=0.10)
    started = (mean["placements_started", 2018] + mean["placements_started", 2019]) / (
        mean["placements_started", 2015] + mean["placements_started", 2016]
    )
    assert started == pytest.approx(1.0, abs=0.10)


@pytest.mark.slow
def test_notification_surge_ten_years_placed_grow_less_than_half_as_notifications():
    from pathlib import Path

    import sim

    s = sim.load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "notification-surge.yaml")
    table = run_replications(s, 4, seed=SEED, workers=1).table
    mean = table.groupby(["metric", "year"]).value.mean()
    first, last = s.calendar.start_year, s.end_year
    notifications = mean["notifications", last] / mean["notifications", first] - 1.0
    placed = mean["children_placed", last] / mean["children_placed", first] - 1.0
    assert notifications > 1.0  # the premise: notifications more than double over the decade
    assert placed < notifications / 2
