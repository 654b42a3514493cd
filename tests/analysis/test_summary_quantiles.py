"""summary.csv's statistics (sim.analysis.summary.summarise): per scenario, year and metric, the mean and the
5/50/95 % quantiles over replications (numpy's linear interpolation), NaNs left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import SUMMARY_COLUMNS, summarise


def test_the_quantiles_are_over_replications_per_year_and_metric():
    values = np.arange(21, dtype=float)  # 0..20: the 5/50/95 % quantiles are 1, 10 and 19
    rows = [("s", r, 2027, "m", v) for r, v in enumerate(values)]
    rows += [("s", r, 2028, "m", 100.0 + v) for r, v in enumerate(values)]
    rows += [("s", 21, 2027, "m", np.nan)]  # a replication without a value is left out
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    out = summarise(table)
    assert list(out.columns) == SUMMARY_COLUMNS
    first = out[out["year"] == 2027].iloc[0]
    assert (first["mean"], first["p05"], first["p50"], first["p95"]) == pytest.approx((10.0, 1.0, 10.0, 19.0))
    second = out[out["year"] == 2028].iloc[0]
    assert (second["p05"], second["p95"]) == pytest.approx((101.0, 119.0))
