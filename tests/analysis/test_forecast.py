"""Start from today's cases: a case register at an as-of date, and the year-end forecast."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from commands import cli as _cli

import sim
from sim.analysis.forecast import FORECAST_COLUMNS, forecast, parse_spent
from sim.data.register import read_case_register, summarise_register
from sim.model.scenario import scenario_from_mapping
from sim.runs.runner import as_of_scenario, register_start, run_replications

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLE = ROOT / "calibration" / "example_case_register.csv"
AS_OF = dt.date(2026, 9, 30)


def _still_world(tmp_path: Path) -> Path:
    """The baseline with nothing happening: no notifications, needs never change, no breakdowns, nobody
    moves away. Children then stay exactly where the register put them."""
    raw = {
        "extends": str(BASELINE),
        "name": "still",
        "notifications": {"per_1000_aged_0_17": 0.0},
        "needs": {"levels": [
            {**lv, "improvement_rate_per_year": 0.0, "escalation_rate_per_year": 0.0}
            for lv in yaml.safe_load(BASELINE.read_text())["needs"]["levels"]
        ]},
        "staircase": [
            {**st, "breakdown_rate_per_year": 0.0} for st in yaml.safe_load(BASELINE.read_text())["staircase"]
        ],
        "exits": {"move_away_rate_per_year": 0.0},
        # nor do caseworkers leave (their cost stays the FTEs times the price)
        "caseworkers": {"turnover": {"leave_rate_per_year": 0.0, "recruitment_months": 0.0, "induction_months": 0.0}},
    }
    path = tmp_path / "still.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _young_register(tmp_path: Path) -> Path:
    """The example register with every child aged 8, so nobody ages out this year."""
    lines = EXAMPLE.read_text().splitlines()
    out = [ln for ln in lines if ln.startswith("#")]
    rows = list(csv.DictReader([ln for ln in lines if not ln.startswith("#")]))
    fields = [f for f in rows[0].keys() if f != "birth_year"] + ["age"]
    path = tmp_path / "young.csv"
    with path.open("w", newline="") as f:
        f.write("\n".join(out) + "\n")
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            r.pop("birth_year")
            w.writerow({**r, "age": "8"})
    return path


@pytest.mark.slow
def test_initial_stock_equals_the_register(tmp_path):
    out = tmp_path / "out"
    done = _cli("run", str(BASELINE), "--initial-cases", str(EXAMPLE), "--as-of", AS_OF.isoformat(),
                "--replications", "2", "--years", "1", "--workers", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = sim.load_scenario(BASELINE)
    ids = [st.id for st in scenario.staircase]
    expected = summarise_register(read_case_register(EXAMPLE, AS_OF, ids), ids)
    got = manifest["initial_stock"]
    for step_id, (count, monthly) in expected.items():
        assert got[step_id]["children"] == count, step_id
        assert got[step_id]["monthly_cost_dkk"] == pytest.approx(monthly, rel=1e-12), step_id
    assert manifest["as_of"] == AS_OF.isoformat()
    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns) == FORECAST_COLUMNS
    assert {"total"} <= set(forecast["account_function"])
    # no case id reaches any output
    ids_in_register = [r["case_id"] for r in csv.DictReader(
        [ln for ln in EXAMPLE.read_text().splitlines() if not ln.startswith("#")])]
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".csv", ".json", ".html"):
            text = f.read_text(errors="ignore")
            assert not any(cid in text for cid in ids_in_register), f


def test_rest_of_year_cost_is_monthly_prices_times_months_left(tmp_path):
    """With no arrivals and no step changes, the rest of the year costs exactly the register's monthly
    prices times the three months left after 30 September (months are exactly 1/12 year)."""
    scenario = as_of_scenario(sim.load_scenario(_still_world(tmp_path)), AS_OF)
    ids = [st.id for st in scenario.staircase]
    cases = read_case_register(_young_register(tmp_path), AS_OF, ids)
    result = run_replications(scenario, 2, seed=3, workers=1, start=register_start(cases, AS_OF))
    table = result.table[result.table["year"] == AS_OF.year]
    for step_id, (count, monthly) in summarise_register(cases, ids).items():
        booked = table[table["metric"] == f"cost.{step_id}"]["value"].to_numpy()
        assert np.allclose(booked, monthly * 3, rtol=1e-12, atol=1e-6), step_id
        stock = table[table["metric"] == f"stock.{step_id}"]["value"].to_numpy()
        assert (stock == count).all(), step_id


@pytest.mark.slow
def test_forecast_adds_spent_to_date_and_compares_with_the_budget(tmp_path):
    """expected = spent to date + rest of year; overrun_prob = share of runs above the budget."""
    still = _still_world(tmp_path)
    raw = yaml.safe_load(still.read_text())
    raw["budget_dkk"] = {2026: 20_000_000}
    still.write_text(yaml.safe_dump(raw, sort_keys=False))
    out = tmp_path / "out"
    done = _cli("run", str(still), "--initial-cases", str(_young_register(tmp_path)), "--as-of", AS_OF.isoformat(),
                "--spent-to-date", "15000000", "--replications", "3", "--years", "1", "--workers", "1",
                "--out", str(out))
    assert done.returncode == 0, done.stderr
    fc = pd.read_csv(out / "forecast.csv")
    table = pd.read_parquet(out / "replications.parquet")
    total = fc[(fc["budget_year"] == 2026) & (fc["account_function"] == "total")].iloc[0]
    rest = table[(table["year"] == 2026) & (table["metric"] == "cost_total")]["value"].to_numpy()
    assert total["spent_to_date_dkk"] == 15_000_000
    assert total["expected_dkk"] == pytest.approx(15_000_000 + rest.mean(), rel=5e-6)  # the CSV keeps 6 digits
    assert total["budget_dkk"] == 20_000_000
    assert total["overrun_prob"] == pytest.approx(np.mean(15_000_000 + rest > 20_000_000))
    # the next year is a full year with nothing spent yet: the budget need
    nxt = fc[(fc["budget_year"] == 2027) & (fc["account_function"] == "total")].iloc[0]
    assert nxt["spent_to_date_dkk"] == 0
    # the report shows the forecast first, in plain words
    html = (out / "report.html").read_text()
    assert "Expected result for 2026 as of 2026-09-30" in html


@pytest.mark.slow
def test_previous_forecasts_show_how_it_moved(tmp_path):
    args = ["--initial-cases", str(EXAMPLE), "--replications", "2", "--years", "1", "--workers", "1"]
    first = _cli("run", str(BASELINE), *args, "--as-of", "2026-09-30", "--out", str(tmp_path / "sep"))
    assert first.returncode == 0, first.stderr
    second = _cli("run", str(BASELINE), *args, "--as-of", "2026-10-31", "--previous", str(tmp_path / "sep"),
                  "--out", str(tmp_path / "oct"), "--lang", "da")
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "oct" / "figures" / "forecast_moves.png").is_file()
    assert "Sådan har prognosen flyttet sig" in (tmp_path / "oct" / "report.html").read_text()


@pytest.mark.parametrize(
    "row, reason",
    [
        ({"case_id": "010203-1234"}, "CPR"),
        ({"step": "foster"}, "step"),
        ({"step_start": "2027-01-01"}, "step_start"),
        ({"monthly_price_dkk": "-100"}, "monthly_price_dkk"),
    ],
)
def test_bad_register_exits_2_naming_the_row(tmp_path, row, reason):
    lines = [ln for ln in EXAMPLE.read_text().splitlines() if not ln.startswith("#")]
    rows = list(csv.DictReader(lines))
    rows[2].update(row)  # data row 3
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "out"
    done = _cli("run", str(BASELINE), "--initial-cases", str(bad), "--as-of", AS_OF.isoformat(),
                "--replications", "1", "--years", "1", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "row 3" in done.stderr and reason.lower() in done.stderr.lower(), done.stderr
    assert "Traceback" not in done.stderr
    assert "010203-1234" not in done.stderr
    assert not out.exists()


def test_as_of_options_go_together(tmp_path):
    done = _cli("run", str(BASELINE), "--as-of", "2026-09-30", "--replications", "1")
    assert done.returncode == 2 and "--initial-cases" in done.stderr
    done = _cli("run", str(BASELINE), "--initial-cases", str(EXAMPLE), "--as-of", "30-09-2026", "--replications", "1")
    assert done.returncode == 2 and "--as-of" in done.stderr


def test_spent_to_date_per_account_function():
    functions = ["5.28.20", "5.28.21", "caseworkers", "policy"]
    assert parse_spent("1000", functions) == 1000.0
    assert parse_spent("5.28.20=10,5.28.21=5", functions) == {"5.28.20": 10.0, "5.28.21": 5.0}
    with pytest.raises(sim.errors.InputError):
        parse_spent("5.99=10", functions)
    with pytest.raises(sim.errors.InputError):
        parse_spent("-5", functions)


@pytest.mark.slow
def test_burn_in_settles_the_stocks():
    """Stocks after the burn-in do not depend on how long it was, beyond sampling noise: children placed
    and in preventive measures in the first projected year, 3 vs 8 burn-in years, 8 replications each."""
    base = sim.load_scenario(BASELINE)
    means = {}
    for burn in (3, 8):
        raw = base.model_dump(mode="json")
        raw["calendar"].update(burn_in_years=burn, horizon_years=1)
        sc = sim.model.scenario.scenario_from_mapping(raw)
        table = run_replications(sc, 8, seed=21, workers=2).table
        by = table[table["metric"].isin(["children_placed", "children_preventive"])]
        means[burn] = by.groupby("metric")["value"].agg(["mean", "std"])
    for metric in ("children_placed", "children_preventive"):
        a, b = means[3].loc[metric], means[8].loc[metric]
        se = np.sqrt((a["std"] ** 2 + b["std"] ** 2) / 8)
        assert abs(a["mean"] - b["mean"]) < 3 * se + 0.03 * b["mean"], (metric, a["mean"], b["mean"], se)


def test_overrun_probability_is_the_share_of_runs_above_the_budget_not_the_mean():
    """Four runs of 10, 20, 30 and 40 M DKK against a budget of 24 M: two of four overrun (0.5), although the
    mean (25 M) is above the budget."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    raw = base.model_dump(mode="json")
    raw["budget_dkk"] = {str(base.calendar.start_year): 24_000_000}
    scenario = scenario_from_mapping(raw)
    year = scenario.calendar.start_year
    rows = []
    for rep, total in enumerate((10e6, 20e6, 30e6, 40e6)):
        rows.append((scenario.name, rep, year, "cost_total", total))
        rows.append((scenario.name, rep, year, "cost_caseworkers", 0.0))
        rows.append((scenario.name, rep, year, "cost_policy", 0.0))
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    out = forecast(table, scenario, dt.date(year, 1, 1), spent_to_date=None)
    total = out[(out["budget_year"] == year) & (out["account_function"] == "total")].iloc[0]
    assert total["expected_dkk"] == pytest.approx(25e6)
    assert total["overrun_prob"] == pytest.approx(0.5)
