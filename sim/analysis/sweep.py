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

SWEEP_COLUMNS = ["value", "year", "metric", "mean", "p05", "p50", "p95"]
# what the report shows beside the total cost: deadlines, caseload and children placed
SIDE_METRICS = ("investigations_overdue_share", "reviews_on_time_share", "caseload", "children_placed")
MAX_VALUES = 200  # a sweep is a handful of values; more is a typo in --values


def parse_values(spec: str) -> list[float]:
    """``START:STOP:STEP`` (STOP included when the steps reach it) or a comma list ``14,20,26``."""
    text = spec.strip()
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step <= 0 or stop < start:
                raise InputError(f"--values {spec}: need START <= STOP and STEP > 0 (e.g. 14:32:2)")
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            values = [round(start + i * step, 10) for i in range(count)]
        else:
            values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--values {spec}: not START:STOP:STEP or a comma list of numbers") from None
    if not values:
        raise InputError(f"--values {spec}: no values")
    if len(values) > MAX_VALUES:
        raise InputError(f"--values {spec}: {len(values)} values, at most {MAX_VALUES}")
    if len(set(values)) != len(values):
        raise InputError(f"--values {spec}: a value is repeated")
    return values


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
