"""The year-end forecast (forventet regnskab) of a run started from a case register at an as-of date.

The run starts the day after the as-of date, so the costs it books in the as-of year are the rest of the
year. Expected year-end result = spent to date + projected rest of year, per account function and in
total, with its band over replications, the budget and the probability of exceeding it. The next budget
year follows as a full year (nothing spent yet): the budget need.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.model.scenario import Scenario
from sim.model.scenario.numbers import NumberTextError, read_number

FORECAST_COLUMNS = [
    "budget_year",
    "account_function",
    "spent_to_date_dkk",
    "expected_dkk",
    "p05_dkk",
    "p95_dkk",
    "budget_dkk",
    "overrun_prob",
]
CASEWORKERS, POLICY, TOTAL = "caseworkers", "policy", "total"


_SPENT_HINT = ("--spent-to-date must be a non-negative amount in DKK (e.g. 84500000) or FUNCTION=DKK pairs "
               "separated by commas (e.g. 5.28.20=30000000,5.28.21=12000000)")
MAX_SPENT_DKK = 1e12  # far above any municipality's yearly spending on the area


def _amount(text: str, what: str) -> float:
    """A finite, non-negative amount in DKK, or InputError saying what is wrong with it."""
    try:
        value = read_number(text, "money")  # as the app reads a typed amount: 84.500.000, 84,5 mio.
    except NumberTextError as e:
        raise InputError(f"{_SPENT_HINT}; {what}: {e}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_SPENT_DKK:
        raise InputError(f"{_SPENT_HINT}; {what} must be from 0 to {MAX_SPENT_DKK:.0e} DKK")
    return value


def parse_spent(text: str | None, functions: list[str]) -> float | dict[str, float] | None:
    """``--spent-to-date``: a total ('84500000') or per account function ('5.28.20=30e6,5.28.21=12e6')."""
    if text is None or not text.strip():
        return None
    if "=" not in text:
        return _amount(text, "the amount")
    out = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        if key not in functions:
            raise InputError(
                f"--spent-to-date: '{key}' is not an account function of the scenario ({', '.join(functions)})"
            )
        if key in out:
            raise InputError(f"--spent-to-date: account function {key} is given twice; give each once")
        out[key] = _amount(value, f"the amount for {key}")
    return out


def account_functions(scenario: Scenario) -> list[str]:
    """The scenario's account functions in staircase order, then caseworkers and policy costs."""
    out: list[str] = []
    for st in sorted(scenario.staircase, key=lambda s: s.order):
        if st.account_function not in out:
            out.append(st.account_function)
    return [*out, CASEWORKERS, POLICY]


def _per_function(table: pd.DataFrame, scenario: Scenario, year: int) -> pd.DataFrame:
    """replication x account function: the cost booked in ``year``."""
    part = table[table["year"] == year]
    wide = part.pivot_table(index="replication", columns="metric", values="value", aggfunc="sum")
    out = pd.DataFrame(index=wide.index)
    for st in scenario.staircase:
        col = f"cost.{st.id}"
        out[st.account_function] = out.get(st.account_function, 0.0) + wide.get(col, 0.0)
    out[CASEWORKERS] = wide.get("cost_caseworkers", 0.0)
    out[POLICY] = wide.get("cost_policy", 0.0)
    out[TOTAL] = wide["cost_total"]
    return out


def forecast(
    table: pd.DataFrame,
    scenario: Scenario,
    as_of: dt.date,
    spent_to_date: float | dict[str, float] | None,
) -> pd.DataFrame:
    """forecast.csv: the as-of year (spent + rest of year) and the next year (full year), per function."""
    functions = account_functions(scenario)
    spent = {} if spent_to_date is None else (
        {TOTAL: float(spent_to_date)} if isinstance(spent_to_date, float | int) else dict(spent_to_date)
    )
    if spent and TOTAL not in spent:
        spent[TOTAL] = sum(spent.values())
    rows = []
    for year, spent_here in ((as_of.year, spent), (as_of.year + 1, None)):
        if year not in set(table["year"]):
            continue
        costs = _per_function(table, scenario, year)
        budget = scenario.budget_dkk.get(year)
        for fn in [*functions, TOTAL]:
            done = 0.0 if spent_here is None else spent_here.get(fn, np.nan)
            rest = costs[fn].to_numpy(dtype=float)
            expected = (0.0 if np.isnan(done) else done) + rest
            row = {
                "budget_year": year,
                "account_function": fn,
                "spent_to_date_dkk": done,
                "expected_dkk": float(np.mean(expected)),
                "p05_dkk": float(np.quantile(expected, 0.05)),
                "p95_dkk": float(np.quantile(expected, 0.95)),
                "budget_dkk": np.nan,
                "overrun_prob": np.nan,
            }
            if fn == TOTAL and budget is not None:
                row["budget_dkk"] = float(budget)
                row["overrun_prob"] = float(np.mean(expected > budget))
            rows.append(row)
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


def read_previous(directories: list[Path]) -> pd.DataFrame:
    """Earlier forecasts (their forecast.csv and the as-of date in their manifest), oldest first."""
    frames = []
    for d in directories:
        try:
            f = pd.read_csv(Path(d) / "forecast.csv")
            as_of = json.loads((Path(d) / "manifest.json").read_text())["as_of"]
        except (OSError, KeyError, ValueError) as e:
            raise InputError(f"--previous {d}: not an earlier forecast output ({e})") from None
        f["as_of"] = as_of
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=[*FORECAST_COLUMNS, "as_of"])
    return pd.concat(frames, ignore_index=True).sort_values("as_of", kind="stable")
