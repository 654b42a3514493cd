"""A sweep over one setting: "how many caseworkers does it pay to have?"

The same scenario run at each value of one setting (e.g. ``caseworkers.fte`` from 14 to 32), every value
with the same seed and replications (common random numbers), summarised per value. Computed from long
tables; no files, no charts (``sim.outputs.sweep_report``)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.analysis.summary import quantile, summarise
from sim.errors import InputError
from sim.model.scenario.numbers import NumberTextError, read_number

SWEEP_COLUMNS = ["value", "year", "metric", "mean", "p05", "p50", "p95"]
# what the report shows beside the total cost: deadlines, caseload and children placed
SIDE_METRICS = ("investigations_overdue_share", "reviews_on_time_share", "caseload", "children_placed")
MAX_VALUES = 200  # a sweep is a handful of values; more is a typo in --values


def parse_values(spec: str, kind: str = "number") -> list[float]:
    """``START:STOP:STEP`` (STOP included when the steps reach it), a comma list ``14,20,26`` or, where a
    number has a decimal comma, a semicolon list ``0,5;0,75``. Each number is read as a person types it
    (``sim.model.scenario.numbers``; ``kind`` says whether 500.000 is money or a decimal fraction), and the
    count of values is checked before any is made."""
    text = spec.strip()
    try:
        if ":" in text:
            parts = [read_number(x, kind) for x in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step <= 0 or stop < start:
                raise InputError(f"--values {spec}: need START <= STOP and STEP > 0 (e.g. 14:32:2)")
            steps = (stop - start) / step
            if not steps < MAX_VALUES:  # also an infinite count (a step of 1e-320)
                raise InputError(f"--values {spec}: {steps + 1:,.0f} values, at most {MAX_VALUES}")
            count = math.floor(steps + 1e-9) + 1
            values = [round(start + i * step, 10) for i in range(count)]
        else:
            values = [read_number(x, kind) for x in _items(text) if x.strip()]
    except NumberTextError as e:
        raise InputError(f"--values {spec}: {e}; write START:STOP:STEP, a comma list of numbers, or a semicolon "
                         "list where a number has a decimal comma (0,5;0,75)") from None
    except ValueError:
        raise InputError(f"--values {spec}: not START:STOP:STEP or a comma list of numbers") from None
    if not values:
        raise InputError(f"--values {spec}: no values")
    if len(values) > MAX_VALUES:
        raise InputError(f"--values {spec}: {len(values)} values, at most {MAX_VALUES}")
    if len(set(values)) != len(values):
        raise InputError(f"--values {spec}: a value is repeated")
    return values


def _items(text: str) -> list[str]:
    """A list's items: split at semicolons when there are any (0,5;0,75), else at commas (500.000,600.000)."""
    return text.split(";") if ";" in text else text.split(",")


def sweep_summary(tables: Mapping[float, pd.DataFrame]) -> pd.DataFrame:
    """sweep.csv: mean and 5/50/95 % over replications per value, year and metric."""
    frames = []
    for value, table in tables.items():
        summary = summarise(table)
        summary.insert(0, "value", value)
        frames.append(summary.drop(columns="scenario"))
    return pd.concat(frames, ignore_index=True)[SWEEP_COLUMNS]


def total_cost_by_value(tables: Mapping[float, pd.DataFrame], metric: str = "cost_total") -> pd.DataFrame:
    """Per value: the total of ``metric`` over the projected years, per replication, then its mean and
    5/95 % band over replications (``value, mean, p05, p95``)."""
    rows = []
    for value, table in tables.items():
        totals = table[table["metric"] == metric].groupby("replication")["value"].sum()
        rows.append({"value": value, "mean": totals.mean(), "p05": quantile(totals, 0.05),
                     "p95": quantile(totals, 0.95)})
    return pd.DataFrame(rows, columns=["value", "mean", "p05", "p95"])


def cheapest(totals: pd.DataFrame) -> float:
    """The value whose mean total is lowest (the first of equals)."""
    return float(totals["value"].iloc[int(np.argmin(totals["mean"].to_numpy()))])


def mean_over_years(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per value: the mean over the projected years of the metric's yearly mean (``value, mean``)."""
    part = summary[summary["metric"] == metric]
    return part.groupby("value", sort=True)["mean"].mean().reset_index()
