"""How sure the answer is, and what it rests on: computed from the same runs as the answer.

A run draws each uncertain assumption of the scenario once per replication (``sim.runs.assumptions``), so a
policy's NPV per replication varies with the assumptions as well as with simulation noise. From those pairs:

- **the precision of the chance of a saving**: a share of *n* runs is itself uncertain; its 95 % Wilson
  interval, and the replications that would bring it within ±0.05;
- **what the answer rests on**: for each drawn assumption, the share of the NPV's variance that goes with it
  (the squared correlation of its value with the NPV over replications: the assumptions are drawn
  independently, so each share estimates that assumption's first-order part of the variance), whether that
  share stands out from what noise alone gives (the correlation's p-value against ``SIGNIFICANCE``: with 20
  runs a share below about 0.2 does not), and the NPV at the two ends of its range (the NPV's linear trend
  in the assumption, through the mean);
- **the noise-only band**: the spread left when the linear effects of the assumptions that go with the NPV
  are taken out (ordinary least squares), centred on the mean NPV. It estimates the band a run with fixed
  assumptions would give, for comparison only: with 20 runs it may come out narrower or wider than that band
  (``--fixed-assumptions`` gives it exactly).

With few replications these are estimates, and the report says how many runs they rest on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

Z95 = 1.959963984540054
MIN_RESIDUAL_DF = 6  # replications beyond the number of assumptions before a residual spread means anything
TARGET_MARGIN = 0.05  # the chance of a saving should be known to within +-5 percentage points
EFFECT_COLUMNS = ["path", "share_of_variance", "p_value", "npv_at_low_dkk", "npv_at_high_dkk", "low", "high"]
SIGNIFICANCE = 0.05  # a share whose correlation noise alone would reach this often is not told apart from noise
NOISE_BAND_P = 0.2  # looser: an assumption taken out of the noise-only band's spread


def wilson_interval(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95 % interval of a share ``p`` observed in ``n`` runs (Wilson's score interval: sound at 0 and 1)."""
    if n <= 0 or p is None or math.isnan(p):
        return math.nan, math.nan
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def probability_margin(p: float, n: int) -> float:
    """The larger distance from ``p`` to an end of its Wilson interval: how far off the share may be."""
    lo, hi = wilson_interval(p, n)
    return max(p - lo, hi - p) if not math.isnan(lo) else math.nan


def replications_for_margin(p: float, target: float = TARGET_MARGIN, limit: int = 100_000) -> int:
    """The fewest replications whose Wilson interval around ``p`` lies within ``target`` of it."""
    if p is None or math.isnan(p):
        return 0
    n = 1
    while n < limit and probability_margin(p, n) > target:
        n = max(n + 1, int(n * 1.1))
    lo = max(1, int(n / 1.1))
    while lo < n and probability_margin(p, lo) > target:  # refine the last geometric step
        lo += 1
    return lo


def assumption_effects(npv: np.ndarray, values: pd.DataFrame,
                       ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """Per drawn assumption (a column of ``values``, one row per replication in the order of ``npv``): the
    share of the NPV's variance that goes with it and the NPV at the ends of its range, largest share first."""
    y = np.asarray(npv, dtype=float)
    ok = ~np.isnan(y)
    rows = []
    for path in values.columns:
        x = values[path].to_numpy(dtype=float)[ok]
        yy = y[ok]
        if x.size < 3 or np.ptp(x) == 0.0 or np.ptp(yy) == 0.0:
            continue
        slope, intercept, r, p_value, _ = stats.linregress(x, yy)
        low, high = ranges.get(path, (float(x.min()), float(x.max())))
        rows.append((path, float(r * r), float(p_value), float(intercept + slope * low),
                     float(intercept + slope * high), float(low), float(high)))
    out = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    return out.sort_values("share_of_variance", ascending=False, kind="mergesort").reset_index(drop=True)


def noise_only_band(npv: np.ndarray, values: pd.DataFrame,
                    effects: pd.DataFrame | None = None) -> tuple[float, float]:
    """5-95 % band of the NPV with the drawn assumptions' linear effects taken out (normal, residual spread
    with the degrees of freedom the fit leaves); NaN when too few replications for the assumptions.

    Only the assumptions whose own correlation with the NPV stands out loosely (p < ``NOISE_BAND_P``) are taken
    out, at most as many as leave ``MIN_RESIDUAL_DF`` to spare: with 20 runs and a dozen assumptions a fit on all
    of them leaves a handful of degrees of freedom and a residual spread too uncertain to read. Choosing them
    by their correlation also takes out some noise that looks like an effect: the band is an estimate.
    ``effects``: :func:`assumption_effects` of the same NPVs and values, when the caller has them already."""
    if effects is None:
        effects = assumption_effects(npv, values, {})
    room = max(0, int(np.sum(~np.isnan(np.asarray(npv, dtype=float)))) - MIN_RESIDUAL_DF - 1)
    kept = list(effects.loc[effects["p_value"] < NOISE_BAND_P, "path"])[:room]
    return _residual_band(npv, values[kept] if kept else pd.DataFrame(index=values.index))


def _residual_band(npv: np.ndarray, values: pd.DataFrame) -> tuple[float, float]:
    y = np.asarray(npv, dtype=float)
    ok = ~np.isnan(y)
    y = y[ok]
    x = values.to_numpy(dtype=float)[ok] if len(values.columns) else np.empty((len(y), 0))
    varying = x[:, np.ptp(x, axis=0) > 0] if x.size else x
    df = len(y) - varying.shape[1] - 1
    if len(y) < 2 or df < MIN_RESIDUAL_DF:
        return math.nan, math.nan
    design = np.column_stack([np.ones(len(y)), varying])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    s = math.sqrt(float(resid @ resid) / df)
    z = stats.norm.ppf(0.95)
    return float(y.mean() - z * s), float(y.mean() + z * s)


def drawn_values(draws: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """One scenario's draws as a replication x key path table (from ``sim.runs.assumptions.draws_table``)."""
    mine = draws[draws["scenario"] == scenario]
    if mine.empty:
        return pd.DataFrame()
    return mine.pivot(index="replication", columns="path", values="value").sort_index()


# what economics.csv adds after sim.analysis.economics.ECONOMICS_COLUMNS (sim.outputs.results.uncertainty_tables)
PRECISION_COLUMNS = ["prob_net_saving_low", "prob_net_saving_high", "replications", "replications_for_prob_within_5pp",
                     "assumptions_drawn", "npv_p05_noise_only_dkk", "npv_p95_noise_only_dkk"]


def precision_columns(prob: float, n: int, drawn: bool) -> dict:
    """What economics.csv says of the chance of a saving besides the share itself."""
    lo, hi = wilson_interval(prob, n)
    return {
        "prob_net_saving_low": lo,
        "prob_net_saving_high": hi,
        "replications": int(n),
        "replications_for_prob_within_5pp": replications_for_margin(prob),
        "assumptions_drawn": bool(drawn),
    }


__all__ = ["PRECISION_COLUMNS", "wilson_interval", "probability_margin", "replications_for_margin",
           "assumption_effects", "noise_only_band", "drawn_values", "precision_columns", "TARGET_MARGIN",
           "MIN_RESIDUAL_DF"]
