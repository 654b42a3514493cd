"""Comparison and economics tables of `compare`: paired differences, NPV, break-even, budget overrun.

Everything here works on the long table of docs/contract.md (columns ``scenario, replication, year, metric,
value``) with pandas/numpy only; no model runs.

Pairing: replication *r* of every scenario in one `compare` was run with the same random numbers, so a
difference between two scenarios is taken per replication (alternative − baseline, matched on
replication, year and metric) and only then summarised over replications. This removes most of the
Monte Carlo noise that two independent means would carry.

Sign conventions:

- ``comparison.csv`` (:func:`paired_differences`): ``diff_* = alternative − baseline``; a positive
  ``diff_mean`` of ``cost_total`` means the alternative costs more.
- ``economics.csv`` (:func:`economics`): the *net saving* is ``baseline cost_total − alternative
  cost_total``, so a positive ``npv_dkk`` means the alternative saves money, and ``prob_net_saving`` is
  the share of replications in which it does.

Per placement avoided, as a finance officer reads it: *placements avoided* are the fewer placement starts
over the horizon (baseline − alternative ``placements_started``, summed over the years, mean over
replications); the *gross investment* is what the policy itself adds (extra caseworker salaries and the
levers' and declared one-off and yearly costs: ``cost_caseworkers`` and ``cost_policy``, each counted only
where it rises), never net of a saving; the cost per placement avoided is the gross investment divided by
the placements avoided, and beside it the net saving (undiscounted, signed like ``npv_dkk``) per placement
avoided. With fewer than one placement avoided both are empty and ``per_placement_note`` says why.

What the investment buys for the children, beside the placements: *family-like child-years gained* (alternative
− baseline ``family_like_child_years``), *breakdowns avoided* (baseline − alternative ``placement_breakdowns``) and
*need closures avoided* (baseline − alternative ``inquiries_closed_with_need``: children no longer closed while they
have a real need), each summed over the years, mean over replications; the cost per unit is the same gross
investment divided by it, empty with less than one unit gained. Each is the whole investment over one outcome, not
a share of it: they are not to be added.

Discounting uses the year-end convention: the flows of a year are discounted by
``(1 + rate) ** (year − start_year)``, so the first projected year (``start_year``) is not discounted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sim.analysis.outcomes import verdict
from sim.analysis.summary import SUMMARY_COLUMNS

COMPARISON_COLUMNS = ["scenario", "baseline", "year", "metric", "diff_mean", "diff_p05", "diff_p50", "diff_p95"]
ECONOMICS_COLUMNS = [
    "scenario",
    "baseline",
    "discount_rate",
    "npv_dkk",
    "npv_p05_dkk",
    "npv_p95_dkk",
    "break_even_year",
    "cost_per_placement_avoided_dkk",
    "prob_net_saving",
    "gross_investment_dkk",
    "placements_avoided",
    "net_saving_per_placement_avoided_dkk",
    "per_placement_note",
    "price_year",
    # what the investment buys for the children (module docstring): per outcome, the amount and the cost per unit
    "family_like_child_years_gained",
    "cost_per_family_like_child_year_dkk",
    "breakdowns_avoided",
    "cost_per_breakdown_avoided_dkk",
    "need_closures_avoided",
    "cost_per_need_closure_avoided_dkk",
]
# (column of the amount, column of the cost per unit, metric, sign: +1 when more of the metric is the gain)
OUTCOME_UNITS = (
    ("family_like_child_years_gained", "cost_per_family_like_child_year_dkk", "family_like_child_years", 1.0),
    ("breakdowns_avoided", "cost_per_breakdown_avoided_dkk", "placement_breakdowns", -1.0),
    ("need_closures_avoided", "cost_per_need_closure_avoided_dkk", "inquiries_closed_with_need", -1.0),
)
MIN_OUTCOME_GAINED = 1.0  # less than one child-year, breakdown or closure over the horizon buys nothing to price
# the policy's own costs: extra caseworker salaries, and the levers' and declared one-off and yearly costs
INVESTMENT_METRICS = ("cost_caseworkers", "cost_policy", "cost_diversion")  # the policy's own spending
MIN_PLACEMENTS_AVOIDED = 1.0  # fewer than one whole placement over the horizon is not a placement avoided
NO_PLACEMENTS_AVOIDED = "no placements avoided"
NO_PLACEMENTS_REPORTED = "placements not reported"
_TEXT_COLUMNS = ("scenario", "baseline", "per_placement_note")
_INT_COLUMNS = ("break_even_year", "price_year")

# metrics that are 0 in a scenario that does not report them (e.g. a staircase step it does not have)
ZERO_WHEN_MISSING_PREFIXES = ("cost.", "stock.", "measures_started.")

_KEYS = ["replication", "year", "metric"]


def zero_when_missing(metric: str) -> bool:
    """True for metrics that are 0 in a scenario that lacks them: ``cost.*``, ``stock.*``, ``measures_started.*``."""
    return metric.startswith(ZERO_WHEN_MISSING_PREFIXES)


def alternatives(table: pd.DataFrame, baseline: str) -> list[str]:
    """The scenarios of ``table`` other than ``baseline``, sorted; ValueError if the baseline is absent."""
    names = set(table["scenario"].unique())
    if baseline not in names:
        raise ValueError(f"baseline scenario {baseline!r} is not in the table (scenarios: {sorted(names)})")
    return sorted(names - {baseline})


def _scenario_rows(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """One scenario's rows as (replication, year, metric, value); ValueError on duplicated keys."""
    rows = table.loc[table["scenario"] == name, [*_KEYS, "value"]]
    if rows.duplicated(_KEYS).any():
        raise ValueError(f"scenario {name!r} has more than one value for some (replication, year, metric)")
    return rows


def _check_pairable(base: pd.DataFrame, alt: pd.DataFrame, baseline: str, alternative: str) -> None:
    """Both scenarios must cover the same replications and years, or there is nothing to pair with."""
    for col in ("replication", "year"):
        b, a = set(base[col].unique()), set(alt[col].unique())
        if b != a:
            raise ValueError(
                f"cannot pair {alternative!r} with {baseline!r}: different {col}s "
                f"(only in baseline: {sorted(b - a)[:5]}, only in alternative: {sorted(a - b)[:5]})"
            )


def paired(
    table: pd.DataFrame,
    baseline: str,
    alternative: str,
    metrics: Iterable[str] | None = None,
    zero_fill: bool | None = None,
) -> pd.DataFrame:
    """Baseline and alternative values side by side, matched on (replication, year, metric).

    Returns columns ``replication, year, metric, base, alt``. A key present on one side only gets 0 on
    the other when the metric is zero-fillable (``zero_fill=None``: by :func:`zero_when_missing`;
    ``True``/``False``: for every metric) and is dropped otherwise. ``metrics`` restricts the metrics.
    ValueError when the two scenarios do not cover the same replications and years.
    """
    base = _scenario_rows(table, baseline)
    alt = _scenario_rows(table, alternative)
    _check_pairable(base, alt, baseline, alternative)
    if metrics is not None:
        wanted = list(metrics)
        base = base[base["metric"].isin(wanted)]
        alt = alt[alt["metric"].isin(wanted)]
    merged = base.merge(alt, on=_KEYS, how="outer", suffixes=("_base", "_alt"), indicator=True)
    merged = merged.rename(columns={"value_base": "base", "value_alt": "alt"})
    one_sided = merged["_merge"] != "both"
    if zero_fill is None:
        fillable = merged["metric"].map(zero_when_missing).astype(bool)
    else:
        fillable = pd.Series(bool(zero_fill), index=merged.index)
    merged = merged[~one_sided | fillable].copy()
    merged.loc[merged["_merge"] == "right_only", "base"] = 0.0
    merged.loc[merged["_merge"] == "left_only", "alt"] = 0.0
    merged = merged.drop(columns="_merge")
    merged["replication"] = merged["replication"].astype(np.int64)
    merged["year"] = merged["year"].astype(np.int64)
    return merged.reset_index(drop=True)


def _summary_over_replications(frame: pd.DataFrame, by: list[str], column: str) -> pd.DataFrame:
    """Mean and 5/50/95 % quantiles of ``column`` per group, NaNs left out (as sim.analysis.summary.summarise).

    Quantiles are numpy's default (linear interpolation), the same as sim.analysis.summary.summarise.
    """
    grouped = frame.groupby(by, sort=True)[column]
    out = pd.DataFrame({"mean": grouped.mean()})
    for name, q in (("p05", 0.05), ("p50", 0.50), ("p95", 0.95)):
        out[name] = grouped.quantile(q, interpolation="linear")
    return out.reset_index()


def paired_differences(table: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The comparison table: per-replication differences alternative − baseline, summarised over replications.

    For every scenario in ``table`` other than ``baseline``, the difference is taken per replication,
    paired on (replication, year, metric) (replication *r* of every scenario ran with the same random
    numbers), and then summarised over replications as the mean and the 5/50/95 % quantiles, NaNs left
    out like :func:`sim.analysis.summary.summarise`. A metric present in only one of the two scenarios is compared
    with 0 on the other side for ``cost.*``, ``stock.*`` and ``measures_started.*`` metrics (a step a
    scenario does not have costs and holds nothing) and left out otherwise.

    Returns the columns ``scenario, baseline, year, metric, diff_mean, diff_p05, diff_p50, diff_p95``,
    sorted by scenario, year, metric. ValueError if the baseline is not in the table, a scenario has
    duplicate keys, or two scenarios cover different replications or years.
    """
    parts = []
    for alternative in alternatives(table, baseline):
        pairs = paired(table, baseline, alternative)
        pairs["diff"] = pairs["alt"] - pairs["base"]
        summary = _summary_over_replications(pairs, ["year", "metric"], "diff")
        summary.insert(0, "scenario", alternative)
        summary.insert(1, "baseline", baseline)
        parts.append(summary)
    if not parts:
        return _empty(COMPARISON_COLUMNS, {"year": np.int64})
    out = pd.concat(parts, ignore_index=True)
    out = out.rename(columns={"mean": "diff_mean", "p05": "diff_p05", "p50": "diff_p50", "p95": "diff_p95"})
    out["year"] = out["year"].astype(np.int64)
    out = out.sort_values(["scenario", "year", "metric"], kind="mergesort").reset_index(drop=True)
    return out[COMPARISON_COLUMNS]


def discount_factors(years: Iterable[int], rate: float, start_year: int) -> np.ndarray:
    """``(1 + rate) ** -(year − start_year)`` per year (year-end convention: start_year has factor 1)."""
    if rate <= -1.0:
        raise ValueError(f"discount rate must be above -1, got {rate}")
    exponents = np.asarray(list(years), dtype=float) - float(start_year)
    return (1.0 + float(rate)) ** -exponents


def npv(values_by_year: pd.Series, rate: float, start_year: int) -> float:
    """Present value in ``start_year`` of yearly flows (index: calendar year).

    Year-end convention: the flow of year ``y`` is discounted by ``(1 + rate) ** (y − start_year)``, so
    the flow of the first projected year (``start_year``) is not discounted; years before ``start_year``
    would be compounded. A NaN flow makes the result NaN; no flows give 0.
    """
    values = values_by_year.to_numpy(dtype=float)
    factors = discount_factors(values_by_year.index, rate, start_year)
    return float(np.sum(values * factors))


def break_even_year(net_saving_by_year: pd.Series) -> int | None:
    """First year from which the cumulative net saving stays >= 0 through the last year, else None.

    The series (index: calendar year) is taken in year order and accumulated; the answer is the year
    after the last year whose cumulative sum is negative (or the first year if none is). If the
    cumulative sum is negative in the last year, or the series is empty, it is None. A NaN makes the
    cumulative sum NaN from then on, which never counts as >= 0.
    """
    series = net_saving_by_year.sort_index()
    if series.empty:
        return None
    cumulative = np.cumsum(series.to_numpy(dtype=float))
    below = np.flatnonzero(~(cumulative >= 0))
    if below.size == 0:
        return int(series.index[0])
    last_below = int(below[-1])
    if last_below == len(series) - 1:
        return None
    return int(series.index[last_below + 1])


def _by_replication_and_year(pairs: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` of paired rows summed over metrics, as a replication x year matrix (NaN kept)."""
    summed = pairs.groupby(["replication", "year"], sort=True)[column].sum(min_count=1)
    return summed.unstack("year").sort_index(axis=0).sort_index(axis=1)


def _mean_by_year(matrix: pd.DataFrame) -> pd.Series:
    """Mean over replications (rows) per year (columns), NaNs left out."""
    return matrix.mean(axis=0, skipna=True)


def net_saving_matrix(table: pd.DataFrame, baseline: str, alternative: str) -> pd.DataFrame:
    """Baseline cost_total - alternative cost_total, as a replication x year matrix."""
    cost = paired(table, baseline, alternative, metrics=["cost_total"], zero_fill=False)
    if cost.empty:
        raise ValueError(f"no cost_total rows to compare for {alternative!r} against {baseline!r}")
    cost["saving"] = cost["base"] - cost["alt"]
    return _by_replication_and_year(cost, "saving")


def npv_by_replication(saving: pd.DataFrame, rate: float, start_year: int) -> np.ndarray:
    """Each replication's NPV of its net saving (NaN where a year is NaN)."""
    return saving.to_numpy(dtype=float) @ discount_factors(saving.columns, rate, start_year)


def _mean_total(pairs: pd.DataFrame, column: str) -> float:
    """Sum over years of the mean over replications of ``column`` (summed over metrics); NaN if no rows."""
    if pairs.empty:
        return float("nan")
    return float(_mean_by_year(_by_replication_and_year(pairs, column)).sum(skipna=False))


def gross_investment(table: pd.DataFrame, baseline: str, alternative: str, metrics=INVESTMENT_METRICS) -> float:
    """What the alternative itself adds over the horizon: per metric, the sum over years of the mean increase
    (alternative − baseline, a metric missing on one side counted as 0), counted only where it rises (a
    caseworker cut is not an investment); never negative, undiscounted."""
    total = 0.0
    for metric in metrics:
        pairs = paired(table, baseline, alternative, metrics=[metric], zero_fill=True)
        pairs["extra"] = pairs["alt"] - pairs["base"]
        extra = _mean_total(pairs, "extra")
        total += max(extra, 0.0) if not np.isnan(extra) else 0.0
    return total


def placements_avoided(table: pd.DataFrame, baseline: str, alternative: str) -> float:
    """Fewer placement starts over the horizon: the sum over years of the mean (over replications) of
    baseline − alternative ``placements_started``; negative when the alternative places more, NaN when
    the metric is missing."""
    pairs = paired(table, baseline, alternative, metrics=["placements_started"], zero_fill=False)
    pairs["avoided"] = pairs["base"] - pairs["alt"]
    return _mean_total(pairs, "avoided")


def _gain_pairs(table: pd.DataFrame, baseline: str, alternative: str, metric: str, sign: float) -> pd.DataFrame:
    """Paired rows of one outcome with ``gain`` = ``sign`` x (alternative − baseline)."""
    pairs = paired(table, baseline, alternative, metrics=[metric], zero_fill=False)
    pairs["gain"] = sign * (pairs["alt"] - pairs["base"])
    return pairs


def outcome_gained(table: pd.DataFrame, baseline: str, alternative: str, metric: str, sign: float) -> float:
    """The gain in an outcome over the horizon: the sum over years of the mean (over replications) of
    ``sign`` x (alternative − baseline); NaN when the metric is missing."""
    return _mean_total(_gain_pairs(table, baseline, alternative, metric, sign), "gain")


def gain_is_clear(pairs: pd.DataFrame) -> bool:
    """Whether the replications' totals of ``gain`` over the horizon show a gain the answer's outcome table calls
    *better* (``sim.analysis.outcomes.verdict``: the 5-95 % band above 0)."""
    if pairs.empty:
        return False
    totals = _by_replication_and_year(pairs, "gain").sum(axis=1, min_count=1).dropna()
    if not totals.size:
        return False
    p05, p95 = (float(v) for v in np.quantile(totals, [0.05, 0.95]))
    return verdict(p05, p95, "higher") == "better"


def cost_per_unit(investment: float, gained: float, clear: bool = True) -> float:
    """Gross investment per unit gained; NaN with less than ``MIN_OUTCOME_GAINED`` gained or a gain that is not
    ``clear`` (a price per unit of a change the runs do not show is a number a critic rightly takes apart; never
    divided by 0)."""
    if not clear or np.isnan(gained) or not gained >= MIN_OUTCOME_GAINED:
        return float("nan")
    return investment / gained


def per_placement(investment: float, net_saving: float, avoided: float) -> tuple[float, float, str]:
    """(cost per placement avoided, net saving per placement avoided, note).

    Cost = gross investment / placements avoided (>= 0 for a non-negative investment); net saving per
    placement avoided keeps the sign of the net saving. Both NaN with a note when fewer than
    ``MIN_PLACEMENTS_AVOIDED`` are avoided or placements are not reported: never divided by zero."""
    if np.isnan(avoided):
        return float("nan"), float("nan"), NO_PLACEMENTS_REPORTED
    if not avoided >= MIN_PLACEMENTS_AVOIDED:
        return float("nan"), float("nan"), NO_PLACEMENTS_AVOIDED
    return investment / avoided, net_saving / avoided, ""


def economics_row(
    table: pd.DataFrame,
    baseline: str,
    alternative: str,
    discount_rate: float,
    start_year: int,
    investment_metrics=INVESTMENT_METRICS,
    price_year: int | None = None,
) -> dict:
    """One row of :func:`economics` (see there for the definitions and the sign convention)."""
    saving = net_saving_matrix(table, baseline, alternative)
    mean_saving = _mean_by_year(saving)
    npv_mean = npv(mean_saving, discount_rate, start_year)
    per_replication = npv_by_replication(saving, discount_rate, start_year)
    finite = per_replication[~np.isnan(per_replication)]
    if finite.size:
        npv_p05, npv_p95 = (float(v) for v in np.quantile(finite, [0.05, 0.95]))
        prob = float(np.mean(finite > 0))
    else:
        npv_p05 = npv_p95 = prob = float("nan")

    investment = gross_investment(table, baseline, alternative, investment_metrics)
    avoided = placements_avoided(table, baseline, alternative)
    cost_each, saving_each, note = per_placement(investment, float(mean_saving.sum(skipna=False)), avoided)
    for_children = {}
    for amount_col, cost_col, metric, sign in OUTCOME_UNITS:
        pairs = _gain_pairs(table, baseline, alternative, metric, sign)
        gained = _mean_total(pairs, "gain")
        for_children[amount_col], for_children[cost_col] = gained, cost_per_unit(investment, gained,
                                                                                 gain_is_clear(pairs))
    return {
        "scenario": alternative,
        "baseline": baseline,
        "discount_rate": float(discount_rate),
        "npv_dkk": npv_mean,
        "npv_p05_dkk": npv_p05,
        "npv_p95_dkk": npv_p95,
        "break_even_year": break_even_year(mean_saving),
        "cost_per_placement_avoided_dkk": cost_each,
        "prob_net_saving": prob,
        "gross_investment_dkk": investment,
        "placements_avoided": avoided,
        "net_saving_per_placement_avoided_dkk": saving_each,
        "per_placement_note": note,
        "price_year": price_year,
        **for_children,
    }


def economics(
    table: pd.DataFrame,
    baseline: str,
    discount_rate: float,
    start_year: int,
    investment_metrics=INVESTMENT_METRICS,
    price_year: int | None = None,
) -> pd.DataFrame:
    """The economics table: one row per alternative scenario, sorted by scenario.

    Sign convention: the net saving of a year is baseline ``cost_total`` − alternative ``cost_total``
    (paired per replication), so a positive ``npv_dkk`` means the alternative saves money.

    - ``npv_dkk``: NPV (:func:`npv`, in ``start_year``, year-end convention) of the mean net saving per year;
    - ``npv_p05_dkk``, ``npv_p95_dkk``: 5 and 95 % quantiles over replications of each replication's NPV;
    - ``prob_net_saving``: share of replications whose NPV is > 0 (replications with a NaN NPV left out);
    - ``break_even_year``: :func:`break_even_year` of the mean net saving per year, nullable ``Int64``
      (missing → an empty field in the CSV);
    - ``gross_investment_dkk``: :func:`gross_investment` of ``investment_metrics`` (by default the
      policy's own costs, ``cost_caseworkers`` and ``cost_policy``), undiscounted;
    - ``placements_avoided``: :func:`placements_avoided` (fewer placement starts over the horizon);
    - ``cost_per_placement_avoided_dkk``: gross investment / placements avoided, never negative;
    - ``net_saving_per_placement_avoided_dkk``: the undiscounted net saving over the horizon / placements
      avoided, signed like ``npv_dkk`` (negative: a net cost per placement avoided);
    - ``per_placement_note``: empty, or why the two per-placement columns are empty (:func:`per_placement`);
    - ``price_year``: the year whose prices the money is in (nullable ``Int64``);
    - ``family_like_child_years_gained``, ``breakdowns_avoided``, ``need_closures_avoided`` and the gross
      investment per unit of each (``cost_per_*``): :data:`OUTCOME_UNITS`, :func:`outcome_gained`,
      :func:`cost_per_unit`.
    """
    rows = [
        economics_row(table, baseline, alternative, discount_rate, start_year, investment_metrics, price_year)
        for alternative in alternatives(table, baseline)
    ]
    out = pd.DataFrame(rows, columns=ECONOMICS_COLUMNS)
    for col in ECONOMICS_COLUMNS:
        if col not in _TEXT_COLUMNS and col not in _INT_COLUMNS:
            out[col] = out[col].astype(float)
    for col in _INT_COLUMNS:
        out[col] = pd.array([pd.NA if v is None else v for v in out[col]], dtype="Int64")
    return out


def budget_overrun(table: pd.DataFrame, budgets: Mapping[str, Mapping[int, float]]) -> pd.DataFrame:
    """Share of replications whose ``cost_total`` exceeds the year's budget, as summary.csv rows.

    ``budgets`` maps scenario → {year → budget in DKK}. Only scenarios and years that have a budget (not
    None/NaN) and ``cost_total`` rows in ``table`` get a row. The share is over replications with a
    non-NaN ``cost_total``; "exceeds" is strictly greater. Returns the summary.csv columns
    ``scenario, year, metric, mean, p05, p50, p95`` with ``metric = "budget_overrun_prob"`` and the share
    in all four statistics, sorted by scenario and year (the caller appends them to summary.csv).
    """
    cost = table.loc[table["metric"] == "cost_total", ["scenario", "replication", "year", "value"]]
    rows = []
    for scenario in sorted(budgets):
        mine = cost[cost["scenario"] == scenario]
        for year, budget in sorted(budgets[scenario].items()):
            if budget is None or np.isnan(float(budget)):
                continue
            values = mine.loc[mine["year"] == int(year), "value"].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            if values.size == 0:
                continue
            share = float(np.mean(values > float(budget)))
            rows.append((scenario, int(year), "budget_overrun_prob", share, share, share, share))
    if not rows:
        return _empty(SUMMARY_COLUMNS, {"year": np.int64})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["year"] = out["year"].astype(np.int64)
    return out


def _empty(columns: list[str], dtypes: Mapping[str, object]) -> pd.DataFrame:
    """An empty frame with ``columns`` (float unless given in ``dtypes``; scenario/metric/baseline object)."""
    data = {}
    for col in columns:
        if col in dtypes:
            data[col] = pd.Series(dtype=dtypes[col])
        elif col in ("scenario", "baseline", "metric"):
            data[col] = pd.Series(dtype=object)
        else:
            data[col] = pd.Series(dtype=float)
    return pd.DataFrame(data, columns=columns)
