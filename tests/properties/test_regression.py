"""Regression against a stored summary of the baseline (tests/data/regression_summary.csv).

A difference means the model's results changed. If that was intended, regenerate the file with
`python tests/regression.py --update` and explain the change in the commit message."""

import numpy as np
import pandas as pd
from regression import STORED, current_summary


def test_baseline_summary_matches_the_stored_one():
    stored = pd.read_csv(STORED)
    now = current_summary()
    merged = stored.merge(now, on=["scenario", "year", "metric"], how="outer", suffixes=("_stored", "_now"),
                          indicator=True)
    missing = merged[merged["_merge"] != "both"][["year", "metric", "_merge"]]
    assert missing.empty, f"metrics appeared or disappeared:\n{missing.to_string()}"
    for col in ("mean", "p05", "p50", "p95"):
        a, b = merged[f"{col}_stored"].to_numpy(), merged[f"{col}_now"].to_numpy()
        same = np.isclose(a, b, rtol=1e-8, atol=1e-9, equal_nan=True)
        changed = merged.loc[~same, ["year", "metric", f"{col}_stored", f"{col}_now"]]
        assert same.all(), f"{col} changed:\n{changed.head(20).to_string()}"
