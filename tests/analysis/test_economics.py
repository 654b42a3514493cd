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
    NO_PLACEMENTS_AVOIDED,
    SUMMARY_COLUMNS,
    break_even_year,
    budget_overrun,
    economics,
    gross_investment,
    npv,
    paired_differences,
    placements_avoided,
)

YEARS = [2027, 2028, 2029]
INVESTMENT = ["cost_caseworkers", "cost_policy"]

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
    # the policy's own costs a year: caseworkers +30, policy +10 (the +20 on the early step is not the
    # policy's own cost) -> 3 * 40 = 120; placements avoided: 1 a year on average -> 3
    assert r["gross_investment_dkk"] == pytest.approx(120.0)
    assert r["placements_avoided"] == pytest.approx(3.0)
    assert r["cost_per_placement_avoided_dkk"] == pytest.approx(40.0)
    # net saving over the three years, undiscounted: -70 + 50 + 280/3, per placement avoided
    assert r["net_saving_per_placement_avoided_dkk"] == pytest.approx((-70 + 50 + 280 / 3) / 3)
    assert r["per_placement_note"] == ""


def test_economics_no_saving_no_placements_avoided():
    r = row(economics(long_table(), "base", 0.04, 2027, INVESTMENT), scenario="worse")
    assert r["npv_dkk"] == pytest.approx(-10 - 10 / 1.04 - 10 / 1.04**2)
    assert r["npv_p05_dkk"] == pytest.approx(r["npv_dkk"])
    assert r["prob_net_saving"] == 0.0
    assert r["break_even_year"] is pd.NA
    assert np.isnan(r["cost_per_placement_avoided_dkk"])  # 0 placements avoided
    assert np.isnan(r["net_saving_per_placement_avoided_dkk"])
    assert r["per_placement_note"] == NO_PLACEMENTS_AVOIDED
    assert r["gross_investment_dkk"] == pytest.approx(30.0)  # the policy's +10 a year is still spent


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
    assert by_name["worse"]["net_saving_per_placement_avoided_dkk"] == ""
    assert by_name["worse"]["per_placement_note"] == NO_PLACEMENTS_AVOIDED
    assert by_name["alt"]["per_placement_note"] == ""
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


# ---------------------------------------------------------------- per placement avoided, as a finance officer reads it

# an intake-team-like alternative: its own yearly cost, a large saving on a preventive step and on placements
PER_PLACEMENT = {
    "base": {
        "cost_total": [[1000, 1000], [1000, 1000]],
        "cost_caseworkers": [[100, 100], [100, 100]],
        "cost_policy": [[0, 0], [0, 0]],
        "cost.preventive": [[300, 300], [300, 300]],
        "placements_started": [[10, 10], [10, 10]],
    },
    "team": {
        "cost_total": [[900, 850], [880, 870]],  # saves 100 + 150 and 120 + 130: 250 a run
        "cost_caseworkers": [[100, 100], [100, 100]],
        "cost_policy": [[50, 50], [50, 50]],  # its own cost: 50 a year
        "cost.preventive": [[100, 100], [100, 100]],  # 200 a year less on preventive support
        "placements_started": [[8, 9], [9, 9]],  # avoided 3 and 2: 2.5 over the horizon
    },
    "cuts": {  # fewer caseworkers: spends less on them and places more
        "cost_total": [[950, 1100], [950, 1100]],
        "cost_caseworkers": [[60, 60], [60, 60]],
        "cost_policy": [[0, 0], [0, 0]],
        "placements_started": [[11, 12], [11, 12]],
    },
    "cheaper_staff": {  # fewer caseworkers and yet fewer placements: nothing invested, placements avoided
        "cost_total": [[950, 950], [950, 950]],
        "cost_caseworkers": [[80, 80], [80, 80]],
        "cost_policy": [[0, 0], [0, 0]],
        "placements_started": [[9, 9], [9, 9]],
    },
}


def _table(values: dict, years: list[int]) -> pd.DataFrame:
    rows = [
        (scenario, rep, year, metric, float(value))
        for scenario, metrics in values.items()
        for metric, by_rep in metrics.items()
        for rep, by_year in enumerate(by_rep)
        for year, value in zip(years, by_year)
    ]
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    return table.astype({"replication": np.int64, "year": np.int64})


def test_cost_per_placement_avoided_is_gross_investment_over_placements_avoided():
    table = _table(PER_PLACEMENT, [2027, 2028])
    r = row(economics(table, "base", 0.035, 2027, price_year=2025), scenario="team")
    # gross: the team's own 50 a year, not net of the 200 a year it saves on preventive support
    assert gross_investment(table, "base", "team") == pytest.approx(100.0)
    assert placements_avoided(table, "base", "team") == pytest.approx(2.5)
    assert r["gross_investment_dkk"] == pytest.approx(100.0)
    assert r["cost_per_placement_avoided_dkk"] == pytest.approx(100.0 / 2.5)
    assert r["cost_per_placement_avoided_dkk"] == pytest.approx(r["gross_investment_dkk"] / r["placements_avoided"])
    # the saving is beside it, not netted into it: 250 saved per run over the horizon / 2.5
    assert r["net_saving_per_placement_avoided_dkk"] == pytest.approx(250.0 / 2.5)
    assert r["price_year"] == 2025


def test_nothing_negative_or_divided_by_zero_per_placement():
    econ = economics(_table(PER_PLACEMENT, [2027, 2028]), "base", 0.035, 2027).set_index("scenario")
    # a cut invests nothing and places more: no cost per placement, a reason instead
    assert econ.loc["cuts", "gross_investment_dkk"] == 0.0
    assert econ.loc["cuts", "placements_avoided"] < 0
    assert np.isnan(econ.loc["cuts", "cost_per_placement_avoided_dkk"])
    assert np.isnan(econ.loc["cuts", "net_saving_per_placement_avoided_dkk"])
    assert econ.loc["cuts", "per_placement_note"] == NO_PLACEMENTS_AVOIDED
    # spending less on caseworkers is not a negative investment: the cost per placement avoided is 0, not below
    assert econ.loc["cheaper_staff", "gross_investment_dkk"] == 0.0
    assert econ.loc["cheaper_staff", "cost_per_placement_avoided_dkk"] == 0.0
    per = econ["cost_per_placement_avoided_dkk"].dropna()
    assert (per >= 0).all() and np.isfinite(per).all()


@pytest.mark.parametrize("seed", range(6))
def test_per_placement_never_negative_nor_infinite_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    years = [2027, 2028, 2029]
    values = {}
    for name in ("base", "a", "b", "c"):
        values[name] = {
            metric: rng.integers(0, 200, size=(4, 3)).tolist()
            for metric in ("cost_total", "cost_caseworkers", "cost_policy", "cost.preventive", "placements_started")
        }
    econ = economics(_table(values, years), "base", 0.035, 2027)
    assert (econ["gross_investment_dkk"] >= 0).all()
    cost = econ["cost_per_placement_avoided_dkk"]
    assert (cost.dropna() >= 0).all() and np.isfinite(cost.dropna()).all()
    # empty exactly where fewer than one placement is avoided, and then with the reason
    empty = econ["placements_avoided"] < 1
    assert cost[empty].isna().all() and cost[~empty].notna().all()
    assert (econ.loc[empty, "per_placement_note"] == NO_PLACEMENTS_AVOIDED).all()
    assert econ["net_saving_per_placement_avoided_dkk"][empty].isna().all()
    assert np.isfinite(econ["net_saving_per_placement_avoided_dkk"][~empty]).all()


def test_the_shipped_price_index_is_the_sourced_one_and_reports_in_its_latest_year():
    """baseline.yaml's prices.index is calibration/price_index.csv's (Økonomistyrelsen's general price and wage
    growth, 2019 = 100), and the baseline reports in the latest year the index covers."""
    from pathlib import Path

    from sim.model.scenario import load_scenario

    root = Path(__file__).resolve().parents[2]
    sourced = pd.read_csv(root / "calibration" / "price_index.csv").set_index("year")
    # the index is the compounded growth: each year's value is the year before's times its growth
    years = sourced.index.to_list()
    for before, year in zip(years, years[1:]):
        expected = sourced.loc[before, "index_2019_100"] * (1 + sourced.loc[year, "growth_percent"] / 100)
        assert sourced.loc[year, "index_2019_100"] == pytest.approx(expected, abs=0.006), year
    baseline = load_scenario(root / "scenarios" / "baseline.yaml")
    for year, value in baseline.prices.index.items():
        assert value == pytest.approx(sourced.loc[year, "index_2019_100"], abs=1e-9), year
    assert baseline.price_year == max(baseline.prices.index)
    assert baseline.price_factor == pytest.approx(sourced.loc[baseline.price_year, "index_2019_100"] / 100)


def test_the_support_diverted_children_get_is_part_of_the_investment():
    """An alternative to placement is the policy's own spending, though it is booked on a step."""
    values = {
        "base": PER_PLACEMENT["base"],
        "home": {
            "cost_total": [[980, 980], [980, 980]],
            "cost_caseworkers": [[100, 100], [100, 100]],
            "cost_policy": [[10, 10], [10, 10]],
            "cost_diversion": [[30, 40], [30, 40]],  # 70 a run over the horizon, on the intensive-home step
            "placements_started": [[9, 9], [9, 9]],  # 2 avoided
        },
    }
    table = _table(values, [2027, 2028])
    assert gross_investment(table, "base", "home") == pytest.approx(20.0 + 70.0)
    r = row(economics(table, "base", 0.035, 2027), scenario="home")
    assert r["cost_per_placement_avoided_dkk"] == pytest.approx(90.0 / 2.0)


def test_a_diverted_childs_cost_is_counted_once_and_as_the_diversions():
    """cost_diversion is a part of the diversion step's cost: zero without diversion, at most the step's, and
    cost_total is still the steps', the caseworkers' and the policies' costs."""
    from pathlib import Path

    from sim.model.scenario import load_scenario
    from sim.runs.runner import run_replications, with_horizon

    root = Path(__file__).resolve().parents[2]
    for name, diverts in (("baseline", False), ("intensive-home-support", True)):
        sc = with_horizon(load_scenario(root / "scenarios" / f"{name}.yaml"), 3)
        t = run_replications(sc, 1, seed=3, workers=1).table.pivot(index="year", columns="metric", values="value")
        steps = t[[c for c in t.columns if c.startswith("cost.")]].sum(axis=1)
        assert np.allclose(t["cost_total"], steps + t["cost_caseworkers"] + t["cost_policy"])
        assert (t["cost_diversion"] <= t["cost.intensive_home"] + 1e-6).all()
        assert (t["cost_diversion"].iloc[-1] > 0) == diverts
