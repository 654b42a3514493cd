"""The year-end forecast per account function: steps that share a function add up; spent-to-date belongs to
the as-of year only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.analysis.forecast import forecast

ROOT = Path(__file__).resolve().parents[2]


def _baseline():
    return sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")


def _table(scenario, years, step_cost):
    """Two replications; every step books ``step_cost(index)`` DKK a year, caseworkers 1 M, policy 0."""
    rows = []
    for rep in range(2):
        for year in years:
            steps = 0.0
            for i, st in enumerate(scenario.staircase):
                rows.append((scenario.name, rep, year, f"cost.{st.id}", step_cost(i)))
                steps += step_cost(i)
            rows.append((scenario.name, rep, year, "cost_caseworkers", 1e6))
            rows.append((scenario.name, rep, year, "cost_policy", 0.0))
            rows.append((scenario.name, rep, year, "cost_total", steps + 1e6))
    return pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])


def _expected(out, year, function):
    return out[(out["budget_year"] == year) & (out["account_function"] == function)].iloc[0]["expected_dkk"]


def test_steps_that_share_an_account_function_add_up():
    """Each account function's expected cost is the sum over its steps, and the functions add up to the total."""
    scenario = _baseline()
    shared = {}
    for st in scenario.staircase:
        shared.setdefault(st.account_function, []).append(st)
    assert any(len(v) > 1 for v in shared.values()), "the baseline has no shared account function to test"
    year = scenario.calendar.start_year
    cost = lambda i: 1e6 * (i + 1)  # noqa: E731  (distinct per step, so no sum is a coincidence)
    out = forecast(_table(scenario, [year], cost), scenario, dt.date(year, 1, 1), spent_to_date=None)
    index = {st.id: i for i, st in enumerate(scenario.staircase)}
    for function, steps in shared.items():
        assert _expected(out, year, function) == pytest.approx(sum(cost(index[s.id]) for s in steps)), function
    parts = sum(_expected(out, year, f) for f in [*shared, "caseworkers", "policy"])
    assert parts == pytest.approx(_expected(out, year, "total"))


def test_spent_to_date_counts_in_the_as_of_year_only():
    """15 M spent by the as-of date: the as-of year's result is 15 M + the rest of the year; the next budget
    year is a full projected year with nothing spent yet."""
    scenario = _baseline()
    year = scenario.calendar.start_year
    table = _table(scenario, [year, year + 1], lambda i: 1e6)
    full = 1e6 * len(scenario.staircase) + 1e6
    out = forecast(table, scenario, dt.date(year, 9, 30), spent_to_date=15e6)
    assert _expected(out, year, "total") == pytest.approx(15e6 + full)
    nxt = out[(out["budget_year"] == year + 1) & (out["account_function"] == "total")].iloc[0]
    assert nxt["spent_to_date_dkk"] == 0
    assert nxt["expected_dkk"] == pytest.approx(full)


def test_spent_per_function_counts_in_its_own_function_only():
    """Spent-to-date given per account function lands in that function and in the total, not elsewhere."""
    scenario = _baseline()
    year = scenario.calendar.start_year
    first = scenario.staircase[0].account_function
    other = next(st.account_function for st in scenario.staircase if st.account_function != first)
    table = _table(scenario, [year], lambda i: 0.0)
    out = forecast(table, scenario, dt.date(year, 6, 30), spent_to_date={first: 4e6})
    assert _expected(out, year, first) == pytest.approx(4e6)
    assert _expected(out, year, other) == pytest.approx(0.0)
    assert _expected(out, year, "total") == pytest.approx(4e6 + 1e6)
