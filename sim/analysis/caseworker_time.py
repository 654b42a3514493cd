"""Where the caseworkers' time went: hours by kind of task per scenario and year, and hours per case.

Read from the summary table (``scenario, year, metric, mean, ...``): the means over replications of the
``hours_<kind>`` metrics and of ``hours_per_case_per_month``. No files, no charts (``sim.outputs.report``
draws them)."""

from __future__ import annotations

import pandas as pd

# the order the chart stacks them, bottom first: the work that comes first, then the deadlines
TIME_KINDS = ("ongoing", "acute", "screening", "investigation", "review")
PER_CASE = "hours_per_case_per_month"


def has_caseworker_time(summary: pd.DataFrame) -> bool:
    return bool(summary["metric"].isin([f"hours_{kind}" for kind in TIME_KINDS]).any())


def caseworker_time(summary: pd.DataFrame) -> pd.DataFrame:
    """Columns ``scenario, year`` and one per kind (mean hours), ``total`` and ``hours_per_case_per_month``."""
    metrics = [f"hours_{kind}" for kind in TIME_KINDS]
    part = summary[summary["metric"].isin([*metrics, PER_CASE])]
    wide = part.pivot_table(index=["scenario", "year"], columns="metric", values="mean", aggfunc="first")
    wide = wide.reindex(columns=[*metrics, PER_CASE]).fillna(0.0)
    wide.columns = [*TIME_KINDS, PER_CASE]
    wide.insert(len(TIME_KINDS), "total", wide[list(TIME_KINDS)].sum(axis=1))
    return wide.reset_index()
