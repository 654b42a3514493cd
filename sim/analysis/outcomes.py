"""What happens to the children under each policy against its baseline: the change in the headline outcomes over
the horizon, with its band from the paired differences and whether it is better or worse for the children.

Per replication, a count over the horizon is its sum over the years (children closed with a need, breakdowns);
a share, ratio or number of days is its mean over the years (each year's value formed by the ledger from that
year's bookings). The difference alternative − baseline is taken per replication (common random numbers) and
then summarised: its mean and the 5 and 95 % quantiles (``diff_p05``, ``diff_p95``). A band that holds zero is
"no clear change"; otherwise the metric's direction in the catalogue (``better``) says better or worse, and a
metric without a direction only "more" or "less".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.catalogue import better, kind

# the outcomes the answer shows first, in this order: stability, family-like care, kinship, children left with a
# need, waiting, time in care, the wellbeing proxy
HEADLINE_OUTCOMES = (
    "placement_breakdowns",
    "family_like_share",
    "kinship_share_of_family_care",
    "inquiries_closed_with_need",
    "days_to_investigation_end_p90",
    "share_placed_over_2_years",
    "good_wellbeing_share",
)
OUTCOME_COLUMNS = ["scenario", "baseline", "metric", "aggregate", "base_mean", "diff_mean", "diff_p05", "diff_p95",
                   "better", "verdict"]
VERDICTS = ("better", "worse", "no_clear_change", "more", "less")


def aggregate_of(metric: str) -> str:
    """How a metric is taken over the horizon: ``sum`` for flows and counts, ``mean`` for the rest."""
    return "sum" if kind(metric) == "count" else "mean"


def horizon_values(table: pd.DataFrame, metrics) -> pd.DataFrame:
    """Per scenario, replication and metric, the value over the horizon (``aggregate_of``); NaN years left out,
    NaN when every year is."""
    part = table[table["metric"].isin(list(metrics))]
    grouped = part.groupby(["scenario", "replication", "metric"], sort=True)["value"]
    sums, means = grouped.sum(min_count=1), grouped.mean()
    use_sum = np.array([aggregate_of(m) == "sum" for m in sums.index.get_level_values("metric")])
    values = np.where(use_sum, sums.to_numpy(dtype=float), means.to_numpy(dtype=float))
    return pd.DataFrame({"value": values}, index=sums.index).reset_index()


def verdict(p05: float, p95: float, direction: str | None) -> str:
    """better, worse, no_clear_change (the band holds zero, or no runs), or more/less without a direction."""
    if pd.isna(p05) or pd.isna(p95) or p05 <= 0.0 <= p95:
        return "no_clear_change"
    up = p05 > 0.0
    if direction is None:
        return "more" if up else "less"
    return "better" if up == (direction == "higher") else "worse"


def outcome_changes(table: pd.DataFrame, baseline: str, metrics=HEADLINE_OUTCOMES) -> pd.DataFrame:
    """One row per alternative and outcome the table holds (``OUTCOME_COLUMNS``): the baseline's mean over runs,
    the paired difference's mean and 5-95 % band, the direction and the verdict."""
    values = horizon_values(table, metrics)
    base = values[values["scenario"] == baseline].set_index(["replication", "metric"])["value"]
    rows = []
    for alternative in sorted(set(values["scenario"]) - {baseline}):
        alt = values[values["scenario"] == alternative].set_index(["replication", "metric"])["value"]
        diff = (alt - base).dropna()
        for metric in [m for m in metrics if m in set(diff.index.get_level_values("metric"))]:
            d = diff.xs(metric, level="metric").to_numpy(dtype=float)
            p05, p95 = (float(v) for v in np.quantile(d, [0.05, 0.95]))
            direction = better(metric)
            base_mean = float(base.xs(metric, level="metric").mean())
            rows.append((alternative, baseline, metric, aggregate_of(metric), base_mean, float(d.mean()), p05, p95,
                         direction or "", verdict(p05, p95, direction)))
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
