"""A combination forecast beside the model's, and the winner of each row of a back-test's table.

In the M-competitions combinations of methods beat their parts on yearly series. ``combination`` here is the
weighted mean of the model's forecast, "same as last year" (``last_value``) and ``stock_flow``, with weights
fitted **on earlier origins only**: at origin ``o`` the weights are the inverse mean squared relative errors of
each method's forecasts made at origins before ``o`` for years up to ``o`` (what a forecaster at ``o`` could have
scored), normalised to sum to 1; the first origin, with nothing scored before it, weighs them equally. It has no
band. The weights are pooled over metrics (too few forecasts per metric to fit them apart).

``winners`` reads a rolling table (sim.analysis.backtest.rolling_table) per metric and horizon: each method's
MAPE and MASE side by side and which method has the lowest of each, so a lost metric is seen at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

COMBINED = ("model", "last_value", "stock_flow")  # the methods the combination weighs
COMBINATION = "combination"


def combination_weights(scored: pd.DataFrame, origin: int, methods: Sequence[str] = COMBINED) -> dict[str, float]:
    """Each method's weight at ``origin``: inverse mean squared relative error of its forecasts made at earlier
    origins for years up to ``origin``; equal weights when none of them has such a forecast."""
    known = scored[(scored["origin"] < origin) & (scored["year"] <= origin) & scored["method"].isin(methods)]
    inverse = {}
    for method in methods:
        ape = known.loc[known["method"] == method, "ape"].astype(float).dropna()
        if ape.empty:
            return {m: 1.0 / len(methods) for m in methods}
        inverse[method] = 1.0 / max(float(np.mean(ape ** 2)), 1e-12)
    total = sum(inverse.values())
    return {m: w / total for m, w in inverse.items()}


def combination_rows(scored: pd.DataFrame, methods: Sequence[str] = COMBINED) -> pd.DataFrame:
    """The combination's scored rows (the columns of ``scored``), for each origin, metric and year that every
    method forecast."""
    rows = []
    for origin, at in scored.groupby("origin", sort=True):
        weights = combination_weights(scored, int(origin), methods)
        parts = at[at["method"].isin(methods)]
        for (metric, year), group in parts.groupby(["metric", "year"], sort=True):
            if set(group["method"]) != set(methods):
                continue
            by = group.set_index("method")
            forecast = float(sum(weights[m] * float(by.loc[m, "forecast"]) for m in methods))
            first = by.iloc[0]
            actual = float(first["actual"])
            ape = abs(forecast - actual) / abs(actual) if actual else np.nan
            scale = _ase_scale(by)
            rows.append({**{c: first[c] for c in scored.columns if c in ("origin", "horizon", "metric", "year")},
                         "method": COMBINATION, "actual": actual, "forecast": forecast, "ape": ape,
                         "ase": abs(forecast - actual) / scale if scale else np.nan})
    out = pd.DataFrame(rows, columns=scored.columns)
    for c in ("covered", "covered_50"):
        if c in out:
            out[c] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    return out


def _ase_scale(by_method: pd.DataFrame) -> float:
    """MASE's scale of a metric at an origin, read back from any scored row (|forecast - actual| / ase)."""
    for _, row in by_method.iterrows():
        error, ase = abs(float(row["forecast"]) - float(row["actual"])), float(row["ase"])
        if np.isfinite(ase) and ase > 0 and error > 0:
            return error / ase
    return float("nan")


def with_combination(scored: pd.DataFrame, history: pd.DataFrame | None = None,
                     methods: Sequence[str] = COMBINED) -> pd.DataFrame:
    """``scored`` with the combination's rows added (``history`` is not needed: the scores carry it)."""
    extra = combination_rows(scored, methods)
    if extra.empty:
        return scored
    for c in ("covered", "covered_50"):
        if c in scored:
            scored = scored.assign(**{c: scored[c].astype("boolean")})
    return pd.concat([scored, extra], ignore_index=True)


def winners(rolling: pd.DataFrame) -> pd.DataFrame:
    """Per metric and horizon (0: all horizons; metric ``all``: pooled): each method's MAPE and MASE and the
    method with the lowest of each."""
    rows = []
    for (metric, horizon), group in rolling.groupby(["metric", "horizon"], sort=True):
        row: dict = {"metric": metric, "horizon": int(horizon)}
        for r in group.itertuples():
            row[f"mape_{r.method}"] = r.mape
            row[f"mase_{r.method}"] = r.mase
        row["best_mape"] = _lowest(group, "mape")
        row["best_mase"] = _lowest(group, "mase")
        rows.append(row)
    return pd.DataFrame(rows)


def _lowest(group: pd.DataFrame, column: str) -> str:
    values = group[["method", column]].dropna()
    return "" if values.empty else str(values.loc[values[column].astype(float).idxmin(), "method"])
