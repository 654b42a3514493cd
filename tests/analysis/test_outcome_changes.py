"""What happens to the children, from a constructed long table: counts summed and shares averaged per
replication, paired differences with their band, the verdict by the catalogue's direction; and the investment
per unit of what it buys for the children."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.economics import ECONOMICS_COLUMNS, cost_per_unit, economics, outcome_gained
from sim.analysis.outcomes import HEADLINE_OUTCOMES, horizon_values, outcome_changes, verdict
from sim.model.catalogue import better, metric

YEARS, REPLICATIONS = (2027, 2028, 2029), 20


def _table(changes: dict[str, float], noise: dict[str, float] | None = None) -> pd.DataFrame:
    """A baseline and an alternative: each metric's alternative value is the baseline's plus ``changes[metric]``
    a year, plus ``noise`` times a symmetric spread around 0 over replications."""
    rng = np.random.default_rng(0)
    rows = []
    levels = {"placement_breakdowns": 3.0, "inquiries_closed_with_need": 60.0, "family_like_share": 0.68,
              "share_placed_over_2_years": 0.6, "cost_total": 1e8, "cost_caseworkers": 1e7, "cost_policy": 0.0,
              "placements_started": 40.0, "family_like_child_years": 90.0}
    spread = np.linspace(-1.0, 1.0, REPLICATIONS)
    for r in range(REPLICATIONS):
        for y in YEARS:
            for m, level in levels.items():
                base = level * (1.0 + 0.05 * rng.standard_normal())
                alt = base + changes.get(m, 0.0) + (noise or {}).get(m, 0.0) * spread[r]
                rows += [("baseline", r, y, m, base), ("policy", r, y, m, alt)]
    return pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])


def test_the_headline_outcomes_have_labels_and_directions_in_the_catalogue():
    for name in HEADLINE_OUTCOMES:
        entry = metric(name)
        assert entry is not None and entry.label_en and entry.label_da, name
    assert better("inquiries_closed_with_need") == "lower" and better("family_like_share") == "higher"
    assert better("share_placed_over_2_years") is None


def test_counts_are_summed_and_shares_averaged_over_the_horizon():
    table = _table({})
    values = horizon_values(table, ["placement_breakdowns", "family_like_share"]).set_index(
        ["scenario", "replication", "metric"])["value"]
    mine = table[(table["scenario"] == "baseline") & (table["replication"] == 4)].set_index("metric")["value"]
    assert values[("baseline", 4, "placement_breakdowns")] == pytest.approx(mine["placement_breakdowns"].sum())
    assert values[("baseline", 4, "family_like_share")] == pytest.approx(mine["family_like_share"].mean())


def test_a_policy_closing_more_children_with_a_need_is_worse_and_fewer_breakdowns_better():
    out = outcome_changes(_table({"inquiries_closed_with_need": 5.0, "placement_breakdowns": -1.0,
                                  "share_placed_over_2_years": 0.05},
                                 noise={"family_like_share": 0.02}), "baseline").set_index("metric")
    closed = out.loc["inquiries_closed_with_need"]
    assert closed["diff_mean"] == pytest.approx(5.0 * len(YEARS))
    assert closed["diff_p05"] > 0 and closed["verdict"] == "worse"
    assert out.loc["placement_breakdowns", "verdict"] == "better"
    assert out.loc["family_like_share", "verdict"] == "no_clear_change"  # a band around 0
    assert out.loc["family_like_share", "diff_p05"] < 0 < out.loc["family_like_share", "diff_p95"]
    assert out.loc["share_placed_over_2_years", "verdict"] == "more"  # no direction: only more or less
    assert set(out.index) <= set(HEADLINE_OUTCOMES)


@pytest.mark.parametrize(("p05", "p95", "direction", "expected"), [
    (1.0, 2.0, "lower", "worse"), (1.0, 2.0, "higher", "better"), (-2.0, -1.0, "lower", "better"),
    (-2.0, -1.0, "higher", "worse"), (-1.0, 1.0, "higher", "no_clear_change"), (0.0, 0.0, "lower", "no_clear_change"),
    (-2.0, -1.0, None, "less"), (float("nan"), 1.0, "lower", "no_clear_change"),
])
def test_the_verdict_follows_the_band_and_the_direction(p05, p95, direction, expected):
    assert verdict(p05, p95, direction) == expected


def test_the_investment_is_priced_per_outcome_gained():
    """Two caseworker-million a year more buy 10 family-like child-years and one breakdown less a year."""
    table = _table({"cost_caseworkers": 2e6, "family_like_child_years": 10.0, "placement_breakdowns": -1.0,
                    "inquiries_closed_with_need": 2.0})
    assert outcome_gained(table, "baseline", "policy", "family_like_child_years", 1.0) == pytest.approx(30.0)
    assert outcome_gained(table, "baseline", "policy", "placement_breakdowns", -1.0) == pytest.approx(3.0)
    row = economics(table, "baseline", 0.035, YEARS[0]).iloc[0]
    assert list(row.index) == ECONOMICS_COLUMNS
    assert row["cost_per_family_like_child_year_dkk"] == pytest.approx(6e6 / 30.0)
    assert row["cost_per_breakdown_avoided_dkk"] == pytest.approx(6e6 / 3.0)
    assert row["need_closures_avoided"] == pytest.approx(-6.0)  # more closed: nothing bought, no price
    assert math.isnan(row["cost_per_need_closure_avoided_dkk"])
    assert math.isnan(cost_per_unit(1e6, 0.5)) and cost_per_unit(1e6, 2.0) == 5e5


def test_a_gain_the_runs_do_not_show_clearly_is_not_priced():
    """On average 1 breakdown fewer a year, but with a spread of 3 either way between runs: no price per
    breakdown avoided; the same average with no spread is priced."""
    noisy = economics(_table({"cost_caseworkers": 2e6, "placement_breakdowns": -1.0},
                             {"placement_breakdowns": 3.0}), "baseline", 0.035, YEARS[0]).iloc[0]
    assert noisy["breakdowns_avoided"] > 1.0 and math.isnan(noisy["cost_per_breakdown_avoided_dkk"])
    clear = economics(_table({"cost_caseworkers": 2e6, "placement_breakdowns": -1.0}), "baseline", 0.035,
                      YEARS[0]).iloc[0]
    assert clear["cost_per_breakdown_avoided_dkk"] == pytest.approx(6e6 / clear["breakdowns_avoided"])
