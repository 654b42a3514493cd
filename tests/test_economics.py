"""Comparison and economics tables (sim.analysis.economics) against hand-computed values on small synthetic tables."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from sim.analysis.economics import (
    COMPARISON_COLUMNS,
    ECONOMICS_COLUMNS,
    SUMMARY_COLUMNS,
    break_even_year,
    budget_overrun,
    economics,
    npv,
    paired_differences,
)

YEARS = [2027, 2028, 2029]
INVESTMENT = ["cost_caseworkers", "cost_policy", "cost.early", "cost.preventive", "cost.intensive_home"]

# values[scenario][metric][replication] = [value in 2027, 2028, 2029]
VALUES = {
    "base": {
        "cost_total": [[1000, 1000, 1000], [1100, 1200, 1300], [900, 950, 1000]],
        "cost_caseworkers": [[100, 100, 100]] * 3,
        "cost_policy": [[0, 0, 0]] * 3,
        "placements_started": [[10, 10, 10], [11, 11, 11], [12, 12, 12]],
        "stock.own_room": [[5, 6, 7], [5, 6, 7], [5, 6, 7]],  # a step only the baseline has
        "screenings_on_time_share": [[0.9, 0.8, 0.7], [0.9, np.nan, 0.7], [0.9, 0.8, 0.7]],
    },
    "alt": {
        # net saving (base - alt): rep 0: -100, 0, 10; rep 1: -50, 100, 150; rep 2: -60, 50, 120
        "cost_total": [[1100, 1000, 990], [1150, 1100, 1150], [960, 900, 880]],
        "cost_caseworkers": [[120, 120, 120], [130, 130, 130], [140, 140, 140]],  # +30 a year on average
        "cost_policy": [[10, 10, 10]] * 3,  # +10 a year
        "cost.early": [[20, 20, 20]] * 3,  # only in the alternative: +20 a year
        "placements_started": [[9, 9, 9], [9, 9, 9], [12, 12, 12]],  # avoided 1, 2, 0 -> mean 1 a year
        "caseload": [[15, 15, 15]] * 3,  # only in the alternative, not zero-fillable: left out
        "screenings_on_time_share": [[1.0, 0.9, 0.6], [0.8, 0.9, 0.9], [0.9, 0.5, 0.7]],
    },
    "worse": {
        # always 10 dearer than the baseline: never breaks even; placements as the baseline: none avoided
        "cost_total": [[1010, 1010, 1010], [1110, 1210, 1310], [910, 960, 1010]],
        "cost_caseworkers": [[100, 100, 100]] * 3,
        "cost_policy": [[10, 10, 10]] * 3,
        "placements_started": [[10, 10, 10], [11, 11, 11], [12, 12, 12]],
    },
}


def long_table(values=VALUES) -> pd.DataFrame:
    rows = []
    for scenario, metrics in values.items():
        for metric, by_rep in metrics.items():
            for rep, by_year in enumerate(by_rep):
                for year, value in zip(YEARS, by_year):
                    rows.append((scenario, rep, year, metric, float(value)))
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    return table.astype({"replication": np.int64, "year": np.int64})


def q_linear(sorted3: list[float], q: float) -> float:
    """Hand quantile of three sorted values with linear interpolation (numpy's default)."""
    pos = q * 2
    i = int(pos)
    return sorted3[i] + (pos - i) * (sorted3[min(i + 1, 2)] - sorted3[i])


def row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for k, v in keys.items():
        mask &= (frame[k] == v).to_numpy()
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


# ---------------------------------------------------------------- paired differences


def test_paired_differences_columns_and_order():
    comp = paired_differences(long_table(), "base")
    assert list(comp.columns) == COMPARISON_COLUMNS
    assert set(comp["scenario"]) == {"alt", "worse"}
    assert set(comp["baseline"]) == {"base"}
    keys = list(zip(comp["scenario"], comp["year"], comp["metric"]))
    assert keys == sorted(keys)


def test_paired_differences_hand_computed():
    comp = paired_differences(long_table(), "base")
    # cost_total 2027, alt - base per replication: 100, 50, 60
    r = row(comp, scenario="alt", year=2027, metric="cost_total")
    assert r["diff_mean"] == pytest.approx(70.0)
    assert r["diff_p05"] == pytest.approx(51.0)  # 50 + 0.1 * (60 - 50)
    assert r["diff_p50"] == pytest.approx(60.0)
    assert r["diff_p95"] == pytest.approx(96.0)  # 60 + 0.9 * (100 - 60)
    # cost_total 2029: -10, -150, -120 -> sorted -150, -120, -10
    r = row(comp, scenario="alt", year=2029, metric="cost_total")
    assert r["diff_mean"] == pytest.approx(-280.0 / 3)
    assert r["diff_p05"] == pytest.approx(q_linear([-150, -120, -10], 0.05))
    assert r["diff_p50"] == pytest.approx(-120.0)
    assert r["diff_p95"] == pytest.approx(q_linear([-150, -120, -10], 0.95))
    # pairing matters: the unpaired difference of quantiles would differ
    unpaired_p05 = q_linear([960, 1100, 1150], 0.05) - q_linear([900, 1000, 1100], 0.05)
    assert r["diff_p05"] != pytest.approx(unpaired_p05)


def test_paired_differences_missing_metrics_and_nans():
    comp = paired_differences(long_table(), "base")
    # stock of a step only the baseline has: compared with 0 in the alternative
    r = row(comp, scenario="alt", year=2028, metric="stock.own_room")
    assert (r["diff_mean"], r["diff_p05"], r["diff_p50"], r["diff_p95"]) == (-6.0, -6.0, -6.0, -6.0)
    # cost of a step only the alternative has: compared with 0 in the baseline
    r = row(comp, scenario="alt", year=2027, metric="cost.early")
    assert r["diff_mean"] == 20.0
    # a non-fillable metric present on one side only is left out
    assert not (comp["metric"] == "caseload").any()
    # a metric the "worse" scenario does not have and that is not fillable is left out for it
    assert not ((comp["scenario"] == "worse") & (comp["metric"] == "screenings_on_time_share")).any()
    # NaN in replication 1 of the baseline in 2028: diffs 0.1, NaN, -0.3 -> over the two others
    r = row(comp, scenario="alt", year=2028, metric="screenings_on_time_share")
    assert r["diff_mean"] == pytest.approx(-0.1)
    assert r["diff_p05"] == pytest.approx(-0.3 + 0.05 * 0.4)
    assert r["diff_p50"] == pytest.approx(-0.1)
    assert r["diff_p95"] == pytest.approx(-0.3 + 0.95 * 0.4)


def test_paired_differences_pair_by_replication_not_row_order():
    table = long_table()
    expected = paired_differences(table, "base")
    shuffled = table.sample(frac=1.0, random_state=np.random.default_rng(7)).reset_index(drop=True)
    assert not shuffled["replication"].equals(table["replication"])
    pd.testing.assert_frame_equal(paired_differences(shuffled, "base"), expected)
    # swapping two replications' labels in the alternative changes the pairing and the quantiles
    swapped = table.copy()
    alt = swapped["scenario"] == "alt"
    swapped.loc[alt, "replication"] = swapped.loc[alt, "replication"].map({0: 1, 1: 0, 2: 2})
    other = paired_differences(swapped, "base")
    r = row(other, scenario="alt", year=2027, metric="cost_total")  # now 1150-1000, 1100-1100, 960-900
    assert r["diff_p05"] == pytest.approx(q_linear([0, 60, 150], 0.05))  # 6.0
    assert r["diff_p05"] != pytest.approx(51.0)


@pytest.mark.parametrize("seed", range(5))
def test_paired_differences_of_a_scenario_with_itself_is_zero(seed):
    rng = np.random.default_rng(seed)
    reps, years = int(rng.integers(1, 8)), int(rng.integers(1, 6))
    metrics = ["cost_total", "stock.foster_family", "caseload", "measures_started.early"]
    rows = [
        ("a", r, 2027 + y, m, float(rng.lognormal(5, 2)))
        for r in range(reps)
        for y in range(years)
        for m in metrics
    ]
    a = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    table = pd.concat([a, a.assign(scenario="a_copy")], ignore_index=True).sample(frac=1.0, random_state=seed)
    comp = paired_differences(table, "a")
    assert len(comp) == years * len(metrics)
    values = comp[["diff_mean", "diff_p05", "diff_p50", "diff_p95"]].to_numpy()
    assert np.array_equal(values, np.zeros_like(values))


def test_paired_differences_rejects_unpaired_input():
    table = long_table()
    with pytest.raises(ValueError, match="baseline"):
        paired_differences(table, "nope")
    fewer = table[~((table["scenario"] == "alt") & (table["replication"] == 2))]
    with pytest.raises(ValueError, match="replication"):
        paired_differences(fewer, "base")


# ---------------------------------------------------------------- NPV and break-even


def test_npv_hand_computed():
    flows = pd.Series([100.0, 100.0, 100.0], index=[2027, 2028, 2029])
    assert npv(flows, 0.10, 2027) == pytest.approx(100 + 90.9090909090909 + 82.64462809917355)
    assert npv(flows.iloc[::-1], 0.10, 2027) == pytest.approx(273.5537190082645)  # order does not matter
    assert npv(flows, 0.0, 2027) == pytest.approx(300.0)
    # a later start year: 2027 is compounded one year, 2028 is not discounted
    assert npv(flows, 0.10, 2028) == pytest.approx(110 + 100 + 90.9090909090909)
    with pytest.raises(ValueError):
        npv(flows, -1.0, 2027)


def test_break_even_with_a_crossing():
    # cumulative -50, -10, +20, +60
    assert break_even_year(pd.Series([-50.0, 40.0, 30.0, 40.0], index=[2027, 2028, 2029, 2030])) == 2029


def test_break_even_that_goes_negative_again():
    # cumulative -50, +20, -5, +10, +30: it first crosses in 2028 but stays >= 0 only from 2030
    result = break_even_year(pd.Series([-50.0, 70.0, -25.0, 15.0, 20.0], index=[2027, 2028, 2029, 2030, 2031]))
    assert result == 2030
    assert type(result) is int


def test_break_even_without_a_crossing():
    assert break_even_year(pd.Series([-50.0, 10.0, 10.0], index=[2027, 2028, 2029])) is None  # -50, -40, -30
    assert break_even_year(pd.Series([10.0, -20.0], index=[2027, 2028])) is None  # ends below 0
    assert break_even_year(pd.Series([], dtype=float)) is None


def test_break_even_from_the_start_and_unsorted_index():
    assert break_even_year(pd.Series([0.0, 5.0], index=[2027, 2028])) == 2027
    # in year order: 2027: -50, 2029: 30, 2030: 40 -> cumulative -50, -20, +20
    assert break_even_year(pd.Series([30.0, 40.0, -50.0], index=[2029, 2030, 2027])) == 2030


# ---------------------------------------------------------------- economics


def test_economics_columns_and_rows():
    econ = economics(long_table(), "base", 0.10, 2027, INVESTMENT)
    assert list(econ.columns) == ECONOMICS_COLUMNS
    assert list(econ["scenario"]) == ["alt", "worse"]
    assert set(econ["baseline"]) == {"base"}
    assert str(econ["break_even_year"].dtype) == "Int64"


def test_economics_hand_computed():
    econ = economics(long_table(), "base", 0.10, 2027, INVESTMENT)
    r = row(econ, scenario="alt")
    # per-replication NPV of net savings (base - alt) at 10 %, year-end convention from 2027
    npvs = sorted([-100 + 0 / 1.1 + 10 / 1.21, -50 + 100 / 1.1 + 150 / 1.21, -60 + 50 / 1.1 + 120 / 1.21])
    # mean net saving per year: -70, 50, 93.33...
    assert r["npv_dkk"] == pytest.approx(-70 + 50 / 1.1 + (280 / 3) / 1.21)
    assert r["npv_dkk"] == pytest.approx(sum(npvs) / 3)  # NPV is linear
    assert r["npv_p05_dkk"] == pytest.approx(q_linear(npvs, 0.05))
    assert r["npv_p95_dkk"] == pytest.approx(q_linear(npvs, 0.95))
    assert r["prob_net_saving"] == pytest.approx(2 / 3)
    assert r["discount_rate"] == 0.10
    # cumulative mean saving -70, -20, +73.3
    assert r["break_even_year"] == 2029
    # extra spending a year: caseworkers +30, policy +10, early +20 (only in alt) -> 3 * 60 = 180;
    # placements avoided: 1 a year on average -> 3
    assert r["cost_per_placement_avoided_dkk"] == pytest.approx(60.0)


def test_economics_no_saving_no_placements_avoided():
    r = row(economics(long_table(), "base", 0.04, 2027, INVESTMENT), scenario="worse")
    assert r["npv_dkk"] == pytest.approx(-10 - 10 / 1.04 - 10 / 1.04**2)
    assert r["npv_p05_dkk"] == pytest.approx(r["npv_dkk"])
    assert r["prob_net_saving"] == 0.0
    assert r["break_even_year"] is pd.NA
    assert np.isnan(r["cost_per_placement_avoided_dkk"])  # 0 placements avoided


def test_economics_more_placements_gives_nan():
    values = {k: dict(v) for k, v in VALUES.items()}
    values["worse"]["placements_started"] = [[11, 11, 11], [12, 12, 12], [13, 13, 13]]  # one more each year
    r = row(economics(long_table(values), "base", 0.04, 2027, INVESTMENT), scenario="worse")
    assert np.isnan(r["cost_per_placement_avoided_dkk"])


def test_economics_equal_cost_is_not_a_saving():
    values = {"base": VALUES["base"], "same": dict(VALUES["base"])}
    r = row(economics(long_table(values), "base", 0.04, 2027, INVESTMENT), scenario="same")
    assert r["npv_dkk"] == 0.0
    assert r["prob_net_saving"] == 0.0  # NPV must be > 0, not >= 0
    assert r["break_even_year"] == 2027  # cumulative 0 from the first year stays >= 0
    assert np.isnan(r["cost_per_placement_avoided_dkk"])


def test_economics_csv_writes_empty_break_even_as_empty_field():
    econ = economics(long_table(), "base", 0.04, 2027, INVESTMENT)
    buf = io.StringIO()
    econ.to_csv(buf, index=False, float_format="%.6g")
    records = list(csv.DictReader(io.StringIO(buf.getvalue())))
    by_name = {rec["scenario"]: rec for rec in records}
    assert by_name["worse"]["break_even_year"] == ""
    assert by_name["worse"]["cost_per_placement_avoided_dkk"] == ""
    assert by_name["alt"]["break_even_year"] == "2029"  # an integer, not 2029.0
    back = pd.read_csv(io.StringIO(buf.getvalue()), dtype={"break_even_year": "Int64"})
    assert back["break_even_year"].isna().tolist() == [False, True]


# ---------------------------------------------------------------- budget overrun


def test_budget_overrun_shares():
    budgets = {
        "base": {2027: 1000.0, 2028: 940.0},  # 2027: 1000, 1100, 900 -> only 1100 exceeds (1000 does not)
        "alt": {2029: 1000.0, 2028: None},  # 2029: 990, 1150, 880 -> 1 of 3; None: no budget
        "not_run": {2027: 1.0},  # a scenario that is not in the table
    }
    out = budget_overrun(long_table(), budgets)
    assert list(out.columns) == SUMMARY_COLUMNS
    assert list(zip(out["scenario"], out["year"])) == [("alt", 2029), ("base", 2027), ("base", 2028)]
    assert set(out["metric"]) == {"budget_overrun_prob"}
    expected = [1 / 3, 1 / 3, 1.0]
    for stat in ("mean", "p05", "p50", "p95"):
        assert out[stat].tolist() == pytest.approx(expected)


def test_budget_overrun_without_budgets_is_empty_with_columns():
    out = budget_overrun(long_table(), {})
    assert out.empty
    assert list(out.columns) == SUMMARY_COLUMNS
