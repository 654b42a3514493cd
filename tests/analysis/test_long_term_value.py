"""The long-term value beyond the municipal budget (sim.analysis.long_term): constructed path differences valued
by hand, zero, the horizon, each adjustment's direction, absent quantities, drawn factors, and economics.csv's
municipal columns left as they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.economics import economics
from sim.analysis.long_term import LONG_TERM_COLUMNS, column, long_term_table, value_pair, with_long_term
from sim.model.scenario import Scenario, resolve_raw, scenario_from_mapping

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
START = 2027
RATE = 0.035


def baseline_with(rate: float = RATE, **long_term) -> Scenario:
    """The shipped baseline with a long_term section (one profile on child-years in placements by default)."""
    raw = resolve_raw(BASELINE)
    raw["economics"]["discount_rate"] = rate
    section = {
        "enabled": True,
        "horizon_years": 10,
        "profiles": [{"id": "care_years", "metric": "child_years", "step_kind": "placement", "service": "bed_day",
                      "units_per_year": [2.0, 1.0], "grade": "register", "source": "constructed"}],
        "prices": [{"service": "bed_day", "dkk": {"region": 100.0, "stat": 50.0}, "grade": "register",
                    "source": "constructed"}],
    }
    section.update(long_term)
    raw["long_term"] = section
    return scenario_from_mapping(raw, "test baseline")


def long_table(diff: dict[str, list[float]], replications: int = 3, years=(START, START + 1),
               extra: dict[str, float] | None = None) -> pd.DataFrame:
    """baseline and policy over ``years``: every metric of ``diff`` is 10 in the baseline and 10 + diff[year index]
    in the policy, in every replication; ``extra`` metrics are equal in both (10 + their value)."""
    rows = []
    for r in range(replications):
        for i, year in enumerate(years):
            for metric, by_year in diff.items():
                rows.append(("baseline", r, year, metric, 10.0))
                rows.append(("policy", r, year, metric, 10.0 + by_year[i]))
            for metric, v in (extra or {}).items():
                rows += [("baseline", r, year, metric, 10.0 + v), ("policy", r, year, metric, 10.0 + v)]
            rows += [("baseline", r, year, "cost_total", 1e6), ("policy", r, year, "cost_total", 1e6 - 1e5)]
    return pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])


def d(year: int, rate: float = RATE) -> float:
    return (1 + rate) ** -(year - START)


def test_a_constructed_difference_valued_by_hand():
    # one fewer child-year in residential care in 2027 (and none in 2028): 2 bed days fewer in 2028, 1 in 2029
    table = long_table({"child_years.residential_home": [-1.0, 0.0]})
    value = value_pair(table, baseline_with(), "policy")
    extra_bed_days = -1.0 * (2.0 * d(2028) + 1.0 * d(2029))
    np.testing.assert_allclose(value.by_actor["region"], -extra_bed_days * 100.0)
    np.testing.assert_allclose(value.by_actor["stat"], -extra_bed_days * 50.0)
    np.testing.assert_allclose(value.by_actor["kommune"], 0.0)
    row = long_term_table(table, baseline_with()).iloc[0]
    assert row[column("region", "npv_dkk")] == pytest.approx(100.0 * (2 / 1.035 + 1 / 1.035 ** 2))
    assert row[column("region", "prob_positive")] == 1.0
    assert np.isnan(row[column("kommune", "npv_dkk")])  # no price reaches the municipality


def test_a_unit_in_each_year_adds_up_by_hand():
    table = long_table({"child_years.foster_family": [1.0, 2.0]})
    value = value_pair(table, baseline_with(), "policy")
    cost = 1.0 * (2 * d(2028) + d(2029)) + 2.0 * (2 * d(2029) + d(2030))
    np.testing.assert_allclose(value.by_actor["region"], -100.0 * cost)


def test_zero_difference_gives_zero():
    table = long_table({"child_years.residential_home": [0.0, 0.0], "placement_breakdowns": [0.0, 0.0]})
    value = value_pair(table, baseline_with(), "policy")
    for npvs in value.by_actor.values():
        np.testing.assert_array_equal(npvs, 0.0)


def test_only_the_steps_of_the_kind_count():
    preventive_only = long_table({"child_years.preventive": [-5.0, -5.0]})
    value = value_pair(preventive_only, baseline_with(), "policy")
    np.testing.assert_array_equal(value.by_actor["region"], 0.0)
    named = baseline_with(profiles=[{"id": "p", "metric": "child_years", "steps": ["preventive"], "service": "bed_day",
                                     "units_per_year": [1.0], "grade": "register", "source": "constructed"}])
    region = value_pair(preventive_only, named, "policy").by_actor["region"][0]
    assert region == pytest.approx(500 * d(2028) + 500 * d(2029))


@pytest.mark.parametrize("rate", [0.0, 0.035])
def test_a_longer_horizon_never_lowers_a_positive_value(rate):
    # fewer breakdowns every year, each with consequences for 8 years: a positive value for the region
    table = long_table({"placement_breakdowns": [-2.0, -1.0, -3.0]}, years=(START, START + 1, START + 2))
    profile = {"id": "b", "metric": "placement_breakdowns", "service": "bed_day",
               "units_per_year": [3, 2, 2, 1, 1, 1, 1, 1], "grade": "register", "source": "constructed"}
    scenarios = [baseline_with(rate, horizon_years=h, profiles=[profile]) for h in range(1, 14)]
    values = [value_pair(table, s, "policy").by_actor["region"][0] for s in scenarios]
    assert values[0] == 0.0  # a first year's units have their consequences from the year after
    assert all(b >= a for a, b in zip(values, values[1:]))
    assert values[-1] > values[1] > 0
    assert values[-1] == values[-2]  # nothing left beyond the last consequence year (2029 + 8)


def _region(**settings) -> float:
    table = long_table({"child_years.institution": [-1.0, -1.0]})
    return value_pair(table, baseline_with(**settings), "policy").by_actor["region"][0]


def test_each_adjustment_moves_the_value_the_stated_way():
    plain = _region()
    assert plain > 0
    assert _region(deadweight=0.25) == pytest.approx(0.75 * plain)
    assert _region(attribution=0.6) == pytest.approx(0.6 * plain)
    assert 0 < _region(drop_off_per_year=0.5) < plain
    # drop-off leaves the first consequence year whole: year 2 of [2, 1] falls by half
    only_first = _region(drop_off_per_year=1.0)
    assert only_first == pytest.approx(100 * 2 * (d(2028) + d(2029)))
    assert _region(optimism_bias={"register": 0.2}) == pytest.approx(0.8 * plain)
    assert _region(optimism_bias={"assumption": 0.4}) == pytest.approx(plain)  # a grade the numbers do not have


def test_optimism_bias_takes_a_saving_down_and_a_cost_up():
    more_care = long_table({"child_years.institution": [1.0, 1.0]})  # the policy keeps children longer in care
    cost = value_pair(more_care, baseline_with(), "policy").by_actor["region"][0]
    biased = value_pair(more_care, baseline_with(optimism_bias={"register": 0.2}), "policy").by_actor["region"][0]
    assert cost < 0 and biased == pytest.approx(1.2 * cost)


def test_the_weaker_grade_of_profile_and_price_takes_its_share_off():
    prices = [{"service": "bed_day", "dkk": {"region": 100.0}, "grade": "pilot", "source": "constructed"}]
    plain = _region(prices=prices)
    assert _region(prices=prices, optimism_bias={"pilot": 0.25, "register": 0.0}) == pytest.approx(0.75 * plain)


def test_a_profile_whose_quantity_the_run_lacks_is_left_out_with_a_note():
    profiles = [
        {"id": "care_years", "metric": "child_years", "service": "bed_day", "units_per_year": [1.0],
         "grade": "register", "source": "constructed"},
        {"id": "at_18", "metric": "reached_18", "service": "bed_day", "units_per_year": [1.0],
         "grade": "register", "source": "constructed"},
    ]
    table = long_table({"child_years.institution": [-1.0, 0.0]})
    value = value_pair(table, baseline_with(profiles=profiles), "policy")
    assert [p.id for p in value.used] == ["care_years"] and value.left_out == ["at_18"]
    row = long_term_table(table, baseline_with(profiles=profiles)).iloc[0]
    assert "at_18" in row["long_term_note"]
    assert row[column("region", "npv_dkk")] == pytest.approx(100 * d(2028))


def test_the_new_outcome_metrics_are_valued_by_name():
    profiles = [{"id": m.split(".")[0], "metric": m.split(".")[0], "service": "bed_day", "units_per_year": [1.0],
                 "grade": "register", "source": "constructed"}
                for m in ("child_years", "placement_breakdowns", "reached_18")]
    table = long_table({"child_years.institution": [-1.0, 0.0], "placement_breakdowns": [-1.0, 0.0],
                        "reached_18.foster_family": [-1.0, 0.0]})
    value = value_pair(table, baseline_with(profiles=profiles), "policy")
    assert not value.left_out
    assert value.by_actor["region"][0] == pytest.approx(3 * 100 * d(2028))


def test_drawn_factors_vary_by_replication_within_their_range_and_repeat_with_the_seed():
    ranged = [{"id": "care_years", "metric": "child_years", "service": "bed_day", "units_per_year": [1.0],
               "grade": "register", "source": "constructed", "low": 0.5, "high": 2.0}]
    scenario = baseline_with(profiles=ranged)
    table = long_table({"child_years.institution": [-1.0, 0.0]}, replications=40)
    held = value_pair(table, scenario, "policy").by_actor["region"]
    drawn = value_pair(table, scenario, "policy", seed=7).by_actor["region"]
    np.testing.assert_allclose(held, 100 * d(2028))
    assert np.all(drawn >= 0.5 * held - 1e-9) and np.all(drawn <= 2.0 * held + 1e-9)
    assert np.std(drawn) > 0
    np.testing.assert_array_equal(drawn, value_pair(table, scenario, "policy", seed=7).by_actor["region"])
    assert not np.array_equal(drawn, value_pair(table, scenario, "policy", seed=8).by_actor["region"])


def test_prices_are_converted_to_the_scenarios_price_year():
    table = long_table({"child_years.institution": [-1.0, 0.0]})
    in_2024 = value_pair(table, baseline_with(price_year=2024), "policy").by_actor["region"][0]
    same = value_pair(table, baseline_with(), "policy").by_actor["region"][0]
    index = baseline_with().prices.index
    assert in_2024 == pytest.approx(same * index[2025] / index[2024])


def test_economics_keeps_its_municipal_columns_and_adds_the_others():
    table = long_table({"child_years.institution": [-1.0, 0.0]})
    scenario = baseline_with()
    municipal = economics(table, "baseline", RATE, START)
    both = with_long_term(municipal, long_term_table(table, scenario))
    pd.testing.assert_frame_equal(both[list(municipal.columns)], municipal)
    assert list(both.columns) == [*municipal.columns, *LONG_TERM_COLUMNS]
    assert both["npv_dkk"].iloc[0] == municipal["npv_dkk"].iloc[0]  # never summed into the municipal answer


def test_off_adds_nothing():
    table = long_table({"child_years.institution": [-1.0, 0.0]})
    off = baseline_with(enabled=False)
    assert long_term_table(table, off) is None
    municipal = economics(table, "baseline", RATE, START)
    assert with_long_term(municipal, long_term_table(table, off)) is municipal
