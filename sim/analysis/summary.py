"""Summaries of a long table over its replications: the mean and the 5/50/95 % quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ["scenario", "year", "metric", "mean", "p05", "p50", "p95"]


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and 5/50/95 % quantiles over replications per scenario, year and metric (NaNs left out)."""
    grouped = table.groupby(["scenario", "year", "metric"], sort=True)["value"]
    out = grouped.agg(
        mean="mean",
        p05=lambda v: quantile(v, 0.05),
        p50=lambda v: quantile(v, 0.50),
        p95=lambda v: quantile(v, 0.95),
    ).reset_index()
    return out[SUMMARY_COLUMNS]


def quantile(values: pd.Series, q: float) -> float:
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    return float(np.quantile(v, q)) if v.size else float("nan")
