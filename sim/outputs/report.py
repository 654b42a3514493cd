"""The report a finance officer opens: a self-contained HTML page, its figures as PNG, and a workbook.

``write_report`` writes ``report.html`` (every figure embedded as a base64 PNG, no external resources) and
the same figures under ``figures/``. Its first paragraph gives the answer in words: for a single run the
projected cost and its band; for a comparison, per alternative, the net saving in present value with its
band, how many runs in ten pay back, and the break-even year. Then fan charts, the staircase over time,
a waterfall of where the cost difference comes from, the key tables, and the assumptions in an appendix.

``write_workbook`` writes ``results.xlsx``: sheets ``summary``, ``comparison`` and ``economics`` (the same
sheet and column names in both languages, for scripts) with a ``label`` column in the chosen language (the
economics rows also carry the scenario's ``caveats`` and kinship ``warning``, sim.outputs.notes), a sheet
``caveats`` when a scenario has any, and a sheet ``columns`` saying what each column means.

The comparison tables are docs/contract.md's: ``comparison`` has columns
``scenario,baseline,year,metric,diff_mean,diff_p05,diff_p50,diff_p95`` (alternative minus baseline, paired
over replications) and ``economics`` has ``scenario,baseline,discount_rate,npv_dkk,npv_p05_dkk,
npv_p95_dkk,break_even_year,cost_per_placement_avoided_dkk,prob_net_saving,...`` (npv of the net saving,
baseline cost minus alternative cost: positive means the alternative saves money).
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.outputs.labels import (  # noqa: E402
    COLUMN_HELP,
    LANGS,
    MINUS,
    TEXT,
    format_money_range,
    format_number,
    format_percent,
    metric_label,
    money_unit,
    step_label,
    text,
)
from sim.analysis.caseworker_time import PER_CASE, TIME_KINDS, caseworker_time, has_caseworker_time  # noqa: E402
from sim.model.catalogue import is_money, is_share  # noqa: E402
from sim.outputs import pages  # noqa: E402
from sim.outputs.notes import caveats_sentence, kinship_warning, scenario_notes  # noqa: E402
from sim.runs.runner import RunResult  # noqa: E402
from sim.model.scenario import Scenario, scenario_to_yaml  # noqa: E402

FAN_METRICS = ("cost_total", "children_placed", "caseload")
KEY_METRICS = (
    "notifications",
    "investigations_overdue_share",
    "placements_started",
    "children_placed",
    "children_preventive",
    "inquiries_closed_with_need",
    "renotified_after_unmet_need",
    "placements_after_unmet_need",
    "reviews_on_time_share",
    "caseload",
    "cost_total",
    "budget_overrun_prob",
)
SHEETS = ("summary", "comparison", "economics", "columns")

DPI = 120
# one colour per scenario, the same in every chart (colour-blind-safe Okabe-Ito order)
SCENARIO_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SAVING, EXTRA, TOTAL = "#2E8B57", "#C0392B", "#7F8C9A"

plt.rcParams.update(
    {
        "font.size": 10,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


# ---------------------------------------------------------------- number formats by metric


def format_metric(value: float, metric: str, lang: str) -> str:
    """A metric's value as a committee reads it: money in kr./DKK, shares as percent, counts rounded."""
    if is_money(metric):
        return format_number(value, lang, money=True)
    if is_share(metric):
        return format_percent(value, lang)
    return format_number(value, lang)


def format_difference(value: float, metric: str, lang: str) -> str:
    """A difference with its sign: '+1.2 m DKK', '−3 pp' (percentage points) for shares."""
    if value is None or pd.isna(value):
        return "-"
    if is_share(metric):
        s = format_number(100 * value, lang).rstrip()
        s = s + (" %-point" if lang == "da" else " pp")
    else:
        s = format_metric(value, metric, lang)
    return s if s.startswith(MINUS) or _is_zero_text(s) else "+" + s


def _is_zero_text(s: str) -> bool:
    return not any(c in "123456789" for c in s)


# ---------------------------------------------------------------- figures


def _colour(i: int) -> str:
    return SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]


class _Ticks(mticker.Formatter):
    """Tick labels in the report's language: thousands separators, decimal comma in Danish, as many
    decimals as the tick spacing needs (2.5-steps get one), values divided by ``scale`` (1e6 for money in
    millions, named in the axis label), or percent."""

    def __init__(self, lang: str, scale: float = 1.0, percent: bool = False):
        self.lang, self.scale, self.percent = lang, scale, percent
        self._ticks: list[float] = []

    def set_locs(self, locs):
        self._ticks = [float(v) for v in locs]

    def __call__(self, x, pos=None):
        factor = 100.0 if self.percent else 1.0 / self.scale
        locs = [v * factor for v in self._ticks] or [x * factor]
        decimals = 0
        while decimals < 3 and any(abs(v - round(v, decimals)) > 1e-6 * max(1.0, abs(v)) for v in locs):
            decimals += 1
        s = f"{x * factor:,.{decimals}f}"
        if s.lstrip("-").strip("0.,") == "":
            s = s.lstrip("-")
        elif s.startswith("-"):
            s = MINUS + s[1:]
        if self.lang == "da":
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s + (" %" if self.percent else "")


def _money_scale(biggest: float) -> float:
    return 1e6 if abs(biggest) >= 1e6 else 1e3 if abs(biggest) >= 1e4 else 1.0


def _money_axis_label(lang: str, scale: float) -> str:
    """The unit of a money axis whose ticks are divided by ``scale``: 'm DKK' / 'mio. kr.'."""
    if scale >= 1e6:
        return "mio. kr." if lang == "da" else "m DKK"
    if scale >= 1e3:
        return "1.000 kr." if lang == "da" else "thousand DKK"
    return money_unit(lang)


def _style_panel(ax, title: str, unit: str, first_column: bool, lang: str) -> None:
    """One panel of a grid of stacked areas by year: title, year axis, value axis (labelled in the first column)."""
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(text("year", lang))
    if first_column:
        ax.set_ylabel(text(unit, lang))
    pages.year_axis(ax, nbins=5)
    _value_axis(ax, lang)
    ax.grid(alpha=0.3, axis="y")
    ax.margins(x=0)


def _value_axis(ax, lang: str, axis: str = "y", scale: float = 1.0, percent: bool = False) -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(_Ticks(lang, scale, percent))


def fan_chart(
    table: pd.DataFrame, metric: str, lang: str, scenario: Scenario | None = None, order: Sequence[str] | None = None
):
    """Median with 25-75 % and 5-95 % bands over replications, one colour per scenario, overlaid."""
    fig, ax = plt.subplots(figsize=(8.4, 4.0), dpi=DPI)
    data = table[table["metric"] == metric]
    names = list(order) if order is not None else list(dict.fromkeys(data["scenario"]))
    handles = []
    top = 0.0
    for i, name in enumerate(names):
        part = data[data["scenario"] == name]
        if part.empty:
            continue
        by_year = part.groupby("year")["value"]
        years = np.array(sorted(part["year"].unique()))
        q = {p: by_year.quantile(p / 100).reindex(years).to_numpy() for p in (5, 25, 50, 75, 95)}
        colour = _colour(i)
        ax.fill_between(years, q[5], q[95], color=colour, alpha=0.13, linewidth=0)
        ax.fill_between(years, q[25], q[75], color=colour, alpha=0.28, linewidth=0)
        ax.plot(years, q[50], color=colour, linewidth=2.2, marker="o", markersize=3.5)
        handles.append(Line2D([], [], color=colour, linewidth=2.2, label=name))
        top = max(top, float(np.nanmax(np.abs(q[95]))) if len(years) else 0.0)
    handles += [
        Patch(facecolor="#555555", alpha=0.45, label=text("band_50", lang)),
        Patch(facecolor="#555555", alpha=0.18, label=text("band_90", lang)),
    ]
    ax.set_xlabel(text("year", lang))
    pages.year_axis(ax)
    scale = _money_scale(top) if is_money(metric) else 1.0
    _value_axis(ax, lang, scale=scale, percent=is_share(metric))
    title = metric_label(metric, lang, scenario)
    if is_money(metric):
        ax.set_ylabel(_money_axis_label(lang, scale))
        title = _with_unit(title, _money_axis_label(lang, scale))
    ax.set_title(title, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def _ordered_steps(scenarios: Sequence[Scenario]) -> list[tuple[str, str]]:
    """(step id, kind) of every scenario's staircase, least intrusive first, each id once."""
    seen: dict[str, tuple[int, str]] = {}
    for s in scenarios:
        for st in s.staircase:
            seen.setdefault(st.id, (st.order, st.kind))
    return [(sid, kind) for sid, (_, kind) in sorted(seen.items(), key=lambda kv: kv[1][0])]


def _step_colours(steps: Sequence[tuple[str, str]]) -> dict[str, tuple]:
    """Preventive steps in blues, placements in oranges to reds: darker is more intrusive."""
    prev = [sid for sid, kind in steps if kind == "preventive"]
    place = [sid for sid, kind in steps if kind != "preventive"]
    colours = {}
    for sid, c in zip(prev, plt.cm.Blues(np.linspace(0.3, 0.75, max(1, len(prev))))):
        colours[sid] = tuple(c)
    for sid, c in zip(place, plt.cm.OrRd(np.linspace(0.3, 0.9, max(1, len(place))))):
        colours[sid] = tuple(c)
    return colours


def staircase_chart(summary: pd.DataFrame, scenarios: Sequence[Scenario], lang: str):
    """Median children on each step at year end, stacked in staircase order; one panel per scenario."""
    steps = _ordered_steps(scenarios)
    colours = _step_colours(steps)
    n = len(scenarios)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(2.9 * ncols + 0.6, 3.3 * nrows + 0.6), dpi=DPI, sharey=True, squeeze=False
    )
    for k, s in enumerate(scenarios):
        ax = axes[k // ncols][k % ncols]
        part = summary[(summary["scenario"] == s.name) & summary["metric"].str.startswith("stock.")]
        wide = part.pivot_table(index="year", columns="metric", values="p50", aggfunc="first").sort_index()
        ids = [sid for sid, _ in steps if f"stock.{sid}" in wide.columns]
        if wide.empty or not ids:
            ax.set_axis_off()
            continue
        ys = [wide[f"stock.{sid}"].fillna(0.0).to_numpy() for sid in ids]
        ax.stackplot(wide.index.to_numpy(), ys, colors=[colours[sid] for sid in ids], linewidth=0.4, edgecolor="white")
        _style_panel(ax, s.name, "children", first_column=k % ncols == 0, lang=lang)
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    labels = {}
    for sid, _ in steps:
        for s in scenarios:
            try:
                s.step(sid)
            except KeyError:
                continue
            labels[sid] = step_label(sid, lang, s)
            break
    handles = [
        Patch(facecolor=colours[sid], label=textwrap.fill(labels.get(sid, sid), 30)) for sid, _ in reversed(steps)
    ]
    fig.suptitle(text("staircase_title", lang), x=0.01, ha="left", fontweight="bold", fontsize=12)
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def caseworker_time_chart(time_use: pd.DataFrame, names: Sequence[str], lang: str):
    """Hours by kind of task per year, stacked, one panel per scenario; hours per case on a right axis."""
    n = len(names)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.9 * ncols + 0.6, 3.3 * nrows + 0.6), dpi=DPI, squeeze=False)
    colours = [_colour(i) for i in range(len(TIME_KINDS))]
    for k, name in enumerate(names):
        ax = axes[k // ncols][k % ncols]
        part = time_use[time_use["scenario"] == name].sort_values("year")
        if part.empty:
            ax.set_axis_off()
            continue
        years = part["year"].to_numpy()
        ax.stackplot(years, [part[kind].to_numpy() for kind in TIME_KINDS], colors=colours, linewidth=0.4,
                     edgecolor="white")
        _style_panel(ax, name, "hours", first_column=k % ncols == 0, lang=lang)
        per_case = ax.twinx()
        per_case.plot(years, part[PER_CASE].to_numpy(), color="black", linewidth=1.6)
        per_case.set_ylim(bottom=0)
        if k % ncols == ncols - 1 or k == n - 1:
            per_case.set_ylabel(text("hours_per_case", lang))
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    handles = [Patch(facecolor=c, label=text(f"time_{kind}", lang)) for kind, c in zip(TIME_KINDS, colours)]
    handles.append(Line2D([0], [0], color="black", linewidth=1.6, label=text("hours_per_case", lang)))
    fig.suptitle(text("time_title", lang), x=0.01, ha="left", fontweight="bold", fontsize=12)
    fig.legend(handles=handles[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def waterfall_items(
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    alternative: str,
    baseline: str,
    lang: str,
    scenario: Scenario | None = None,
    base_scenario: Scenario | None = None,
) -> list[tuple[str, float, str]]:
    """(label, amount, kind) from the baseline's total cost over the horizon (sum of yearly means) through
    the mean difference of each cost item (summed over years) to the alternative's total.
    ``kind`` is 'total' or 'change'."""
    comp = comparison[(comparison["scenario"] == alternative) & (comparison["baseline"] == baseline)]
    diff = comp.groupby("metric")["diff_mean"].sum(min_count=1)
    years = sorted(comp["year"].unique())
    base_rows = summary[(summary["scenario"] == baseline) & (summary["metric"] == "cost_total")]
    if years:
        base_rows = base_rows[base_rows["year"].isin(years)]
    base_total = float(base_rows["mean"].sum())
    steps = _ordered_steps([s for s in (base_scenario, scenario) if s is not None])
    step_ids = [sid for sid, _ in steps] or sorted(m[5:] for m in diff.index if m.startswith("cost."))
    step_ids += sorted(m[5:] for m in diff.index if m.startswith("cost.") and m[5:] not in step_ids)
    items: list[tuple[str, float, str]] = [(text("total_of", lang).format(name=baseline), base_total, "total")]
    running = 0.0
    for sid in step_ids:
        m = f"cost.{sid}"
        if m in diff.index and not pd.isna(diff[m]):
            label = step_label(sid, lang, scenario) if scenario is not None else step_label(sid, lang, base_scenario)
            items.append((label, float(diff[m]), "change"))
            running += float(diff[m])
    for m, key in (("cost_caseworkers", "caseworkers"), ("cost_policy", "policy_costs")):
        if m in diff.index and not pd.isna(diff[m]):
            items.append((text(key, lang), float(diff[m]), "change"))
            running += float(diff[m])
    if "cost_total" in diff.index and not pd.isna(diff["cost_total"]):
        total_diff = float(diff["cost_total"])
        rest = total_diff - running
        if abs(rest) > 1e-6 * max(1.0, abs(base_total)):
            items.append((text("other_costs", lang), rest, "change"))
    else:
        total_diff = running
    items.append((text("total_of", lang).format(name=alternative), base_total + total_diff, "total"))
    return items


def waterfall_chart(items: list[tuple[str, float, str]], title: str, lang: str):
    """Horizontal waterfall: totals in grey, savings in green, extra costs in red, each labelled."""
    n = len(items)
    fig, ax = plt.subplots(figsize=(8.4, 0.42 * n + 1.3), dpi=DPI)
    ys = np.arange(n)[::-1]
    points = []
    running = 0.0
    for _, amount, kind in items:
        if kind == "total":
            running = amount
            points.append(running)
        else:
            points.extend([running, running + amount])
            running += amount
    lo, hi = min(points), max(points)
    totals = [a for _, a, k in items if k == "total"]
    span = max(hi - lo, 0.02 * max(abs(t) for t in totals) if totals else 1.0, 1.0)
    left = lo - 1.2 * span
    if left < 0 <= lo:
        left = 0.0
    right = hi + 0.9 * span
    scale = _money_scale(max(abs(left), abs(right)))
    unit = _money_axis_label(lang, scale)

    def amount_text(x: float, signed: bool) -> str:
        v = x / scale
        digits = 0 if scale == 1 else 2 if 0 < abs(v) < 0.1 else 1
        body = _fixed(v, lang, digits)
        if signed and not body.startswith(MINUS) and not _is_zero_text(body):
            body = "+" + body
        return f"{body} {unit}"

    running = 0.0
    prev_end = None
    for y, (_, amount, kind) in zip(ys, items):
        if kind == "total":
            ax.barh(y, amount - left, left=left, color=TOTAL, height=0.62)
            end = amount
            txt = amount_text(amount, signed=False)
            ax.text(amount + 0.02 * span, y, txt, va="center", ha="left", fontsize=9, fontweight="bold")
            running = amount
        else:
            colour = SAVING if amount < 0 else EXTRA
            ax.barh(y, amount, left=running, color=colour, height=0.62)
            end = running + amount
            txt = amount_text(amount, signed=True)
            ax.text(max(running, end) + 0.02 * span, y, txt, va="center", ha="left", fontsize=9)
            running = end
        if prev_end is not None:
            ax.plot([prev_end, prev_end], [y + 1 - 0.31, y + 0.31], color="#666666", linewidth=0.7, linestyle=":")
        prev_end = end
    ax.set_yticks(ys)
    ax.set_yticklabels([textwrap.fill(label, 38) for label, _, _ in items])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(left, right)
    _value_axis(ax, lang, axis="x", scale=scale)
    ax.set_xlabel(text("axis_cut", lang).format(unit=unit) if left > 0 else unit)
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig


def npv_chart(values: np.ndarray, title: str, lang: str):
    """Histogram of the net saving in present value over runs: green saves money, red costs more."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    fig, ax = plt.subplots(figsize=(8.4, 3.6), dpi=DPI)
    bins = int(min(30, max(6, round(math.sqrt(values.size) * 1.5)))) if values.size else 6
    if values.size and values.max() > values.min():
        # bins of equal width with an edge at 0, so that no bar mixes savings and extra costs
        width = (values.max() - values.min()) / bins
        edges = np.arange(math.floor(values.min() / width), math.ceil(values.max() / width) + 1) * width
        counts, edges = np.histogram(values, bins=edges)
    else:
        counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    ax.bar(
        centres,
        counts,
        width=np.diff(edges) * 0.92,
        color=[SAVING if c > 0 else EXTRA for c in centres],
        edgecolor="white",
    )
    ax.axvline(0.0, color="#333333", linewidth=1.0)
    if values.size:
        mean = float(values.mean())
        ax.axvline(mean, color="#333333", linewidth=1.0, linestyle="--")
        ax.legend(
            handles=[
                Line2D(
                    [],
                    [],
                    color="#333333",
                    linestyle="--",
                    label=f"{text('mean', lang)}: {format_number(mean, lang, money=True)}",
                )
            ],
            loc="upper left",
            frameon=False,
        )
        k = int((values > 0).sum())
        ax.text(
            0.99,
            0.95,
            text("npv_count", lang).format(k=k, n=values.size),
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=10,
            fontweight="bold",
        )
    scale = _money_scale(float(np.max(np.abs(values))) if values.size else 0.0)
    _value_axis(ax, lang, axis="x", scale=scale)
    ax.set_xlabel(f"{text('npv_xlabel', lang)} ({_money_axis_label(lang, scale)})")
    ax.set_ylabel(text("npv_ylabel", lang))
    ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- words


def _intro(summary: pd.DataFrame, result: RunResult, lang: str) -> str:
    s = result.scenario
    last = summary[(summary["scenario"] == s.name) & (summary["year"] == s.end_year)].set_index("metric")

    def get(metric: str, col: str) -> float:
        return float(last.loc[metric, col]) if metric in last.index else float("nan")

    return text("intro", lang).format(
        name=s.name,
        first=s.calendar.start_year,
        last=s.end_year,
        reps=result.replications,
        seed=result.seed,
        cost=format_number(get("cost_total", "p50"), lang, money=True),
        lo=format_number(get("cost_total", "p05"), lang, money=True),
        hi=format_number(get("cost_total", "p95"), lang, money=True),
        placed=format_number(get("children_placed", "p50"), lang),
    )


def runs_of_ten(prob: float, lang: str) -> str:
    """0.8 -> '8 of 10 runs'; near-certain and near-impossible shares are not rounded to all or none."""
    p = float(prob)
    if p >= 1.0:
        return text("runs_all", lang)
    n = int(math.floor(10 * p + 0.5))
    if n >= 10:
        return text("runs_almost_all", lang)
    if n == 0 and p > 0:
        return text("runs_few", lang)
    return text("runs_of_10", lang).format(n=n)


def _rate(rate: float, lang: str) -> str:
    if rate is None or pd.isna(rate):
        return "-"
    digits = 0 if abs(100 * float(rate) - round(100 * float(rate))) < 1e-9 else 1
    return format_percent(rate, lang, digits)


def _year_or_none(value) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
        return int(round(float(value)))
    except (TypeError, ValueError):
        return None


def _horizon(name: str, by_name: Mapping[str, Scenario], comparison: pd.DataFrame | None) -> tuple[int, int]:
    s = by_name.get(name)
    if s is not None:
        return s.calendar.start_year, s.end_year
    if comparison is not None and not comparison.empty:
        years = comparison.loc[comparison["scenario"] == name, "year"]
        if not years.empty:
            return int(years.min()), int(years.max())
    return 0, 0


def economics_sentence(row: Mapping, first: int, last: int, lang: str) -> str:
    """The answer for one alternative in plain words (plain text; names are not escaped)."""
    npv, lo, hi = row["npv_dkk"], row["npv_p05_dkk"], row["npv_p95_dkk"]
    common = {"first": first, "last": last, "alt": row["scenario"], "base": row["baseline"]}
    common["rate"] = _rate(row.get("discount_rate"), lang)
    price_year = _year_or_none(row.get("price_year"))
    common["prices"] = text("in_prices", lang).format(year=price_year) if price_year is not None else ""
    if pd.isna(npv) or float(npv) >= 0:
        lo_s, hi_s = format_money_range(lo, hi, lang)
        s = text("lead_saves", lang).format(npv=format_number(npv, lang, money=True), lo=lo_s, hi=hi_s, **common)
    else:
        lo_s, hi_s = format_money_range(-float(hi), -float(lo), lang)
        s = text("lead_costs", lang).format(
            npv=format_number(-float(npv), lang, money=True), lo=lo_s, hi=hi_s, **common
        )
    prob = row.get("prob_net_saving")
    year = _year_or_none(row.get("break_even_year"))
    if prob is None or pd.isna(prob):
        s += text("lead_break_even", lang).format(year=year) if year else text("lead_no_break_even_none", lang)
        return s
    if float(prob) <= 0:
        s += text("lead_runs_none", lang).format(last=last)
    else:
        s += text("lead_runs", lang).format(runs=runs_of_ten(prob, lang), last=last)
    if year is not None:
        s += text("lead_break_even", lang).format(year=year)
    elif float(prob) <= 0:
        s += "."
    else:
        s += text("lead_no_break_even", lang)
    return s + precision_sentence(row, lang)


def precision_sentence(row: Mapping, lang: str) -> str:
    """How sure the chance of a saving is (when it is uncertain by more than 5 points), and whether the
    assumptions were held fixed; empty for an economics row without those columns."""
    from sim.analysis.uncertainty import TARGET_MARGIN

    out = ""
    lo, hi, n = row.get("prob_net_saving_low"), row.get("prob_net_saving_high"), row.get("replications")
    prob = row.get("prob_net_saving")
    if not any(v is None or pd.isna(v) for v in (lo, hi, n, prob)) and max(prob - lo, hi - prob) > TARGET_MARGIN:
        out += text("lead_precision", lang).format(
            n=int(n), lo=format_percent(lo, lang), hi=format_percent(hi, lang),
            need=_whole(row.get("replications_for_prob_within_5pp"), lang))
    drawn = row.get("assumptions_drawn")
    if drawn is not None and not pd.isna(drawn) and not bool(drawn):
        out += text("lead_fixed_assumptions", lang)
    return out


def _whole(x: float, lang: str) -> str:
    """A count as a whole number with the language's thousands separator (73, 1.234 / 1,234)."""
    return f"{int(x):,}".replace(",", "." if lang == "da" else ",")


def assumption_label(row: Mapping, lang: str) -> str:
    """An assumption's name in the answer: its label in the language, else its key path."""
    label = row.get(f"label_{lang}") or row.get("label_en")
    return str(label) if isinstance(label, str) and label else str(row["path"])


def _range_value(x: float, lang: str) -> str:
    if abs(x) >= 1000:
        return format_number(x, lang, money=abs(x) >= 1e5)
    return _fixed(x, lang, 2).rstrip("0").rstrip(",.") if x != int(x) else _fixed(x, lang, 0)


def rests_on_sentence(effects: pd.DataFrame | None, alternative: str, baseline: str, lang: str) -> str:
    """The assumption the alternative's NPV goes with most, its grade, and the NPV at its two ends."""
    if effects is None or effects.empty:
        return ""
    from sim.analysis.uncertainty import SIGNIFICANCE

    mine = effects[(effects["scenario"] == alternative) & (effects["baseline"] == baseline)]
    if mine.empty:
        return ""
    standing_out = mine[mine["p_value"] < SIGNIFICANCE]
    if standing_out.empty:
        return text("lead_rests_on_none", lang)
    top = standing_out.sort_values("share_of_variance", ascending=False, kind="mergesort").iloc[0].to_dict()
    return text("lead_rests_on", lang).format(
        label=assumption_label(top, lang), grade=text(f"grade_{top['grade']}", lang),
        share=format_percent(top["share_of_variance"], lang),
        npv_low=format_number(top["npv_at_low_dkk"], lang, money=True), low=_range_value(top["low"], lang),
        npv_high=format_number(top["npv_at_high_dkk"], lang, money=True), high=_range_value(top["high"], lang))


def lead_sentences(
    results: Sequence[RunResult],
    summary: pd.DataFrame,
    lang: str,
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
) -> list[str]:
    """The report's first paragraph, sentence by sentence (plain text)."""
    by_name = {r.scenario.name: r.scenario for r in results}
    if economics is not None and not economics.empty:
        out = []
        order = list(by_name)
        groups = sorted(
            economics.groupby(["scenario", "baseline"], sort=False),
            key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order else len(order),
        )
        for _, group in groups:
            row = group.iloc[0].to_dict()  # the first discount rate given is the headline; the table shows all
            first, last = _horizon(row["scenario"], by_name, comparison)
            if pd.isna(row.get("price_year", float("nan"))) and row["scenario"] in by_name:
                row["price_year"] = by_name[row["scenario"]].price_year  # money is in the scenario's price year
            notes = scenario_notes(row["scenario"], by_name, summary, lang, comparison, row["baseline"])
            out.append(economics_sentence(row, first, last, lang)
                       + rests_on_sentence(assumption_effects, row["scenario"], row["baseline"], lang) + notes)
        return out
    if comparison is not None and not comparison.empty:
        out = []
        totals = comparison[comparison["metric"] == "cost_total"]
        for (alt, base), group in totals.groupby(["scenario", "baseline"], sort=False):
            first, last = _horizon(alt, by_name, comparison)
            diff = format_difference(float(group["diff_mean"].sum()), "cost_total", lang)
            notes = scenario_notes(alt, by_name, summary, lang, comparison, base)
            sentence = text("lead_diff_only", lang).format(first=first, last=last, alt=alt, base=base, diff=diff)
            out.append(sentence + notes)
        if out:
            return out
    return [_intro(summary, r, lang) + scenario_notes(r.scenario.name, by_name, summary, lang) for r in results]


# ---------------------------------------------------------------- tables


def key_table(summary: pd.DataFrame, scenario: Scenario, lang: str) -> pd.DataFrame:
    """Median per key metric and year, labelled, years as columns (metrics the run lacks are left out)."""
    part = summary[(summary["scenario"] == scenario.name) & (summary["metric"].isin(KEY_METRICS))]
    wide = part.pivot_table(index="metric", columns="year", values="p50", aggfunc="first")
    wide = wide.reindex([m for m in KEY_METRICS if m in wide.index])
    wide.index = [metric_label(m, lang, scenario) for m in wide.index]
    return wide


def _table_html(
    header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], caption: str = "", wide: bool = False
) -> str:
    """Cells are HTML already (escaped by the caller); the row label is escaped here."""
    cap = f"<caption>{caption}</caption>" if caption else ""
    head = "".join(f'<th scope="col">{h}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{html.escape(label)}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>'
        for label, cells in rows
    )
    attr = ' class="wide"' if wide else ""
    return f"<table{attr}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _key_table_html(summary: pd.DataFrame, scenario: Scenario, lang: str) -> str:
    """Median per key metric and year; money in millions (the unit in the row label), shares in percent."""
    part = summary[(summary["scenario"] == scenario.name) & (summary["metric"].isin(KEY_METRICS))]
    wide = part.pivot_table(index="metric", columns="year", values="p50", aggfunc="first")
    metrics = [m for m in KEY_METRICS if m in wide.index]
    header = [html.escape(text("metric", lang))] + [str(int(y)) for y in wide.columns]
    rows = []
    for m in metrics:
        values = wide.loc[m]
        label = metric_label(m, lang, scenario)
        if is_money(m):
            scale = _money_scale(float(values.abs().max()))
            label = _with_unit(label, _money_axis_label(lang, scale))
            cells = [_fixed(v / scale, lang, 1 if scale > 1 else 0) for v in values]
        else:
            cells = [format_metric(v, m, lang) for v in values]
        rows.append((label, [html.escape(c) for c in cells]))
    return _table_html(header, rows)


def _with_unit(label: str, unit: str) -> str:
    """'Total cost (DKK)' -> 'Total cost (m DKK)'."""
    return re.sub(r"\s*\((DKK|kr\.)\)$", "", label) + f" ({unit})"


def _fixed(x: float, lang: str, decimals: int) -> str:
    if x is None or pd.isna(x):
        return "-"
    s = f"{float(x):,.{decimals}f}"
    if s.startswith("-"):
        s = s[1:] if _is_zero_text(s) else MINUS + s[1:]
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "da" else s


def _difference_table_html(
    comparison: pd.DataFrame, alternative: str, baseline: str, lang: str, scenario: Scenario | None
) -> str:
    """Key metrics' paired differences per year: the mean, and below it [5 %; 95 %] of the runs. Money in
    millions and shares in percentage points, the unit in the row label, so that ten years fit the page."""
    comp = comparison[(comparison["scenario"] == alternative) & (comparison["baseline"] == baseline)]
    comp = comp[comp["metric"].isin(KEY_METRICS)]
    if comp.empty:
        return ""
    years = sorted(int(y) for y in comp["year"].unique())
    header = [html.escape(text("metric", lang))] + [str(y) for y in years]
    sep = "; " if lang == "da" else ", "
    rows = []
    for m in [m for m in KEY_METRICS if m in set(comp["metric"])]:
        part = comp[comp["metric"] == m].set_index("year")
        label = metric_label(m, lang, scenario)
        factor, unit = 1.0, ""
        if is_money(m):
            scale = _money_scale(float(part[["diff_mean", "diff_p05", "diff_p95"]].abs().max().max()) * 10)
            factor, unit = 1.0 / scale, _money_axis_label(lang, scale)
        elif is_share(m):
            factor, unit = 100.0, "%-point" if lang == "da" else "percentage points"
        if unit:
            label = _with_unit(label, unit)

        def num(v: float, factor: float = factor) -> str:
            if v is None or pd.isna(v):
                return "-"
            s = format_number(float(v) * factor, lang)
            return s if s.startswith(MINUS) or _is_zero_text(s) else "+" + s

        cells = []
        for y in years:
            if y not in part.index:
                cells.append("-")
                continue
            r = part.loc[y]
            band = f"[{num(r['diff_p05'])}{sep}{num(r['diff_p95'])}]"
            cells.append(f"{html.escape(num(r['diff_mean']))}<br><small>{html.escape(band)}</small>")
        rows.append((label, cells))
    caption = html.escape(text("diff_caption", lang).format(alt=alternative, base=baseline))
    return _table_html(header, rows, caption)


def _per_placement(value, note, lang: str) -> str:
    """An amount per placement avoided, or why there is none ("no placements avoided")."""
    if value is None or pd.isna(value):
        return text(note, lang) if isinstance(note, str) and note in TEXT else "-"
    return format_number(value, lang, money=True)


def economics_display(economics: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The economics table with labelled columns and formatted money, as the report shows it."""
    rows = []
    for _, r in economics.iterrows():
        lo, hi = format_money_range(r["npv_p05_dkk"], r["npv_p95_dkk"], lang)
        year = _year_or_none(r["break_even_year"])
        note = r.get("per_placement_note")
        rows.append(
            {
                text("col_scenario", lang): str(r["scenario"]),
                text("col_baseline", lang): str(r["baseline"]),
                text("col_discount_rate", lang): _rate(r["discount_rate"], lang),
                text("col_npv", lang): format_number(r["npv_dkk"], lang, money=True),
                text("col_npv_band", lang): f"{lo} {text('to', lang)} {hi}",
                text("col_break_even", lang): str(year) if year is not None else text("not_within_horizon", lang),
                text("col_prob", lang): format_percent(r["prob_net_saving"], lang),
                text("col_investment", lang): format_number(r.get("gross_investment_dkk"), lang, money=True),
                text("col_placements_avoided", lang): format_number(r.get("placements_avoided"), lang),
                text("col_cost_per_placement", lang): _per_placement(r["cost_per_placement_avoided_dkk"], note, lang),
                text("col_net_per_placement", lang): _per_placement(
                    r.get("net_saving_per_placement_avoided_dkk"), note, lang
                ),
            }
        )
    return pd.DataFrame(rows)


def price_year_of(economics: pd.DataFrame | None, scenarios: Sequence[Scenario]) -> int:
    """The year whose prices the money is in: the economics table's, else the first scenario's."""
    if economics is not None and "price_year" in economics and economics["price_year"].notna().any():
        return int(economics["price_year"].dropna().iloc[0])
    return scenarios[0].price_year


def prices_note(scenario: Scenario, lang: str) -> str:
    """'Money is in 2025 prices: the model's 2019 prices times the ... index, 1.169.' (plain text)."""
    if scenario.price_year == scenario.calendar.base_year:
        return text("prices_note_base", lang).format(year=scenario.price_year)
    factor = f"{scenario.price_factor:.3f}"
    factor = factor.replace(".", ",") if lang == "da" else factor
    base = scenario.calendar.base_year
    return text("prices_note", lang).format(year=scenario.price_year, base=base, factor=factor)


def _economics_html(economics: pd.DataFrame, lang: str, year: int) -> str:
    shown = economics_display(economics, lang)
    header = [html.escape(c) for c in shown.columns]
    rows = [(str(r.iloc[0]), [html.escape(str(v)) for v in r.iloc[1:]]) for _, r in shown.iterrows()]
    bases = ", ".join(dict.fromkeys(str(b) for b in economics["baseline"]))
    caption = text("economics_caption", lang).format(base=bases, year=year)
    return _table_html(header, rows, html.escape(caption), wide=True)


def held_assumptions_note(results: Sequence[RunResult], lang: str) -> str:
    """Which listed assumptions a run held at the scenario's own value although it drew the others (a value set
    outside its range, such as a municipality's own price, or a part the scenario does not have); empty when
    none, or when the run held all of them (the first paragraph says so)."""
    from sim.outputs.files import assumptions_record

    held = []
    for r in results:
        if r.assumptions is None or not r.scenario.assumptions:
            continue
        for path in assumptions_record(r)["held"]:
            a = r.scenario.assumptions[path]
            held.append(f"{r.scenario.name}: {assumption_label({'path': path, 'label_en': a.label_en, 'label_da': a.label_da}, lang)}")
    return text("held_assumptions", lang).format(held="; ".join(held)) if held else ""


RESTS_ON_ROWS = 6  # the assumptions shown per policy: enough to see the few that matter


def rests_on_display(effects: pd.DataFrame, alternative: str, baseline: str, lang: str) -> pd.DataFrame:
    """One policy's assumptions by the share of its NPV's spread that goes with them, labelled."""
    from sim.analysis.uncertainty import SIGNIFICANCE

    mine = effects[(effects["scenario"] == alternative) & (effects["baseline"] == baseline)]
    mine = mine.sort_values("share_of_variance", ascending=False, kind="mergesort").head(RESTS_ON_ROWS)
    rows = []
    for _, r in mine.iterrows():
        rows.append({
            text("col_assumption", lang): assumption_label(r, lang),
            text("col_range", lang): f"{_range_value(r['low'], lang)} {text('to', lang)} {_range_value(r['high'], lang)}",
            text("col_grade", lang): text(f"grade_{r['grade']}", lang),
            text("col_share_of_spread", lang): format_percent(r["share_of_variance"], lang)
            + ("" if r["p_value"] < SIGNIFICANCE else f" ({text('within_noise', lang)})"),
            text("col_npv_at_low", lang): format_number(r["npv_at_low_dkk"], lang, money=True),
            text("col_npv_at_high", lang): format_number(r["npv_at_high_dkk"], lang, money=True),
            text("col_source", lang): str(r["source"]),
        })
    return pd.DataFrame(rows)


def rests_on_section(effects: pd.DataFrame | None, economics: pd.DataFrame | None, lang: str) -> list[str]:
    """The report's section "What the answer rests on": per policy, its assumptions that matter most."""
    if effects is None or effects.empty or economics is None:
        return []
    parts = [f"<h2>{html.escape(text('sec_rests_on', lang))}</h2>"]
    for _, row in economics.drop_duplicates(["scenario", "baseline"]).iterrows():
        shown = rests_on_display(effects, row["scenario"], row["baseline"], lang)
        if shown.empty:
            continue
        lo, hi = row.get("npv_p05_noise_only_dkk"), row.get("npv_p95_noise_only_dkk")
        noise = (f"{format_money_range(lo, hi, lang)[0]} {text('to', lang)} {format_money_range(lo, hi, lang)[1]}"
                 if not (pd.isna(lo) or pd.isna(hi)) else text("not_estimable", lang))
        parts.append(f"<h3>{html.escape(str(row['scenario']))}</h3>")
        parts.append(f'<p class="note">{html.escape(text("rests_on_intro", lang).format(n=int(row["replications"]), noise=noise))}</p>')
        header = [html.escape(c) for c in shown.columns]
        rows = [(str(r.iloc[0]), [html.escape(str(v)) for v in r.iloc[1:]]) for _, r in shown.iterrows()]
        parts.append(_table_html(header, rows, "", wide=True))
    return parts if len(parts) > 1 else []


# ---------------------------------------------------------------- the page


def _npv_frame(per_replication_npv, economics: pd.DataFrame | None) -> pd.DataFrame:
    """Net saving per run as a DataFrame with scenario, baseline (may be missing) and npv_dkk.

    Accepts a DataFrame with ``scenario`` and ``npv_dkk`` (optionally ``baseline``, ``discount_rate``,
    ``replication``) or a mapping {alternative: values}."""
    if per_replication_npv is None:
        return pd.DataFrame(columns=["scenario", "baseline", "npv_dkk"])
    if isinstance(per_replication_npv, pd.DataFrame):
        frame = per_replication_npv.copy()
    else:
        frame = pd.concat(
            [
                pd.DataFrame({"scenario": k, "npv_dkk": np.asarray(v, dtype=float)})
                for k, v in per_replication_npv.items()
            ],
            ignore_index=True,
        )
    if "baseline" not in frame.columns:
        base = None
        if economics is not None and not economics.empty:
            base = dict(zip(economics["scenario"], economics["baseline"]))
        frame["baseline"] = frame["scenario"].map(base) if base else ""
    if "discount_rate" in frame.columns and economics is not None and not economics.empty:
        headline = economics.groupby(["scenario", "baseline"], sort=False)["discount_rate"].first()
        keep = [
            (s, b) not in headline.index or np.isclose(r, headline[(s, b)])
            for s, b, r in zip(frame["scenario"], frame["baseline"], frame["discount_rate"])
        ]
        frame = frame[keep]
    return frame


def write_report(
    out: Path,
    results: list[RunResult],
    summary: pd.DataFrame,
    lang: str,
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    per_replication_npv: pd.DataFrame | Mapping[str, Sequence[float]] | None = None,
    forecast: pd.DataFrame | None = None,
    previous_forecasts: pd.DataFrame | None = None,
    as_of: str | None = None,
    table: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
) -> Path:
    """report.html with embedded figures; the same figures as PNG under figures/.

    ``table``: the long table (at least the fan charts' metrics); default: the results' own tables.

    ``forecast`` (forecast.csv of a run from a case register at ``as_of``) adds the year-end forecast
    first; ``previous_forecasts`` (earlier forecast.csv files with their ``as_of``) shows how it moved.

    ``comparison`` and ``economics`` are docs/contract.md's tables (see the module docstring);
    ``per_replication_npv`` is the net saving in present value per run: a DataFrame with ``scenario``,
    ``npv_dkk`` and optionally ``baseline``, ``discount_rate``, ``replication``, or {alternative: values}."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    out = Path(out)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    comparison = comparison if comparison is not None and not comparison.empty else None
    economics = economics if economics is not None and not economics.empty else None
    if table is None:
        table = pd.concat([r.table for r in results], ignore_index=True)
    scenarios = [r.scenario for r in results]
    by_name = {s.name: s for s in scenarios}
    names = [s.name for s in scenarios]
    first = scenarios[0]

    pairs: list[tuple[str, str]] = []  # (alternative, baseline)
    for frame in (economics, comparison):
        if frame is not None:
            for alt, base in frame[["scenario", "baseline"]].drop_duplicates().itertuples(index=False):
                if (alt, base) not in pairs:
                    pairs.append((alt, base))

    # alternatives in the order they were run (the economics table may be sorted by name)
    def run_order(name: str) -> int:
        return names.index(name) if name in names else len(names)

    if economics is not None:
        ranks = [run_order(n) for n in economics["scenario"]]
        economics = economics.iloc[sorted(range(len(economics)), key=ranks.__getitem__)]
    pairs.sort(key=lambda ab: run_order(ab[0]))
    if pairs:
        bases = list(dict.fromkeys(b for _, b in pairs))
        alts = list(dict.fromkeys(a for a, _ in pairs))
        title = f"{text('report_title', lang)}: {', '.join(alts)} {text('compared_with', lang)} {', '.join(bases)}"
    else:
        title = f"{text('report_title', lang)}: {', '.join(names)}"

    written: list[str] = []

    def figure(fig, name: str, alt: str, caption: str) -> str:
        png = pages.png(fig)
        (figures / f"{name}.png").write_bytes(png)
        written.append(name)
        return pages.figure_html(png, alt, caption)

    parts = [f"<h1>{html.escape(title)}</h1>"]
    lead = lead_sentences(results, summary, lang, comparison, economics, assumption_effects)
    parts.append('<p class="lead">' + "".join(f"<span>{html.escape(s)}</span>" for s in lead) + "</p>")
    parts.append(f'<p class="note prices">{html.escape(prices_note(first, lang))}</p>')
    if forecast is not None and not forecast.empty:
        parts += forecast_section(forecast, previous_forecasts, as_of, lang, figure)
    if pairs:  # the projection of each scenario follows the answer
        parts += [f'<p class="note">{html.escape(_intro(summary, r, lang))}</p>' for r in results]
    parts.append(f'<p class="note">{html.escape(text("what_model", lang))}</p>')
    parts.append(f'<p class="note">{html.escape(text("not_captured", lang))}</p>')

    parts.append(f"<h2>{html.escape(text('sec_projection', lang))}</h2>")
    for metric in FAN_METRICS:
        if not (table["metric"] == metric).any():
            continue
        parts.append(
            figure(
                fan_chart(table, metric, lang, first, order=names),
                f"fan_{metric}",
                metric_label(metric, lang, first),
                text("fan_caption", lang),
            )
        )

    if summary["metric"].str.startswith("stock.").any():
        parts.append(f"<h2>{html.escape(text('sec_staircase', lang))}</h2>")
        parts.append(
            figure(
                staircase_chart(summary, scenarios, lang),
                "staircase",
                text("staircase_title", lang),
                text("staircase_caption", lang),
            )
        )

    if has_caseworker_time(summary):
        parts.append(f"<h2>{html.escape(text('sec_time', lang))}</h2>")
        parts.append(
            figure(
                caseworker_time_chart(caseworker_time(summary), names, lang),
                "caseworker_time",
                text("time_title", lang),
                text("time_caption", lang),
            )
        )

    if comparison is not None:
        section = []
        for alt, base in pairs:
            if not ((comparison["scenario"] == alt) & (comparison["baseline"] == base)).any():
                continue
            items = waterfall_items(summary, comparison, alt, base, lang, by_name.get(alt), by_name.get(base))
            y0, y1 = _horizon(alt, by_name, comparison)
            fig_title = text("waterfall_title", lang).format(alt=alt, base=base, first=y0, last=y1)
            caption = text("waterfall_caption", lang).format(alt=alt, base=base, first=y0, last=y1)
            section.append(figure(waterfall_chart(items, fig_title, lang), f"waterfall_{alt}", fig_title, caption))
        if section:
            parts.append(f"<h2>{html.escape(text('sec_waterfall', lang))}</h2>")
            parts += section

    npv = _npv_frame(per_replication_npv, economics)
    if not npv.empty:
        parts.append(f"<h2>{html.escape(text('sec_npv', lang))}</h2>")
        for (alt, base), group in npv.groupby(["scenario", "baseline"], sort=False):
            rate = "-"
            if economics is not None:
                hit = economics[(economics["scenario"] == alt) & (economics["baseline"] == base)]
                if not hit.empty:
                    rate = _rate(hit["discount_rate"].iloc[0], lang)
            fig_title = text("npv_title", lang).format(alt=alt, base=base or "-")
            parts.append(
                figure(
                    npv_chart(group["npv_dkk"].to_numpy(dtype=float), fig_title, lang),
                    f"npv_{alt}",
                    fig_title,
                    text("npv_caption", lang).format(rate=rate),
                )
            )

    parts += rests_on_section(assumption_effects, economics, lang)
    held = held_assumptions_note(results, lang)
    if held:
        parts.append(f'<p class="note">{html.escape(held)}</p>')

    parts.append(f"<h2>{html.escape(text('sec_tables', lang))}</h2>")
    if economics is not None:
        parts.append(f"<h3>{html.escape(text('sec_economics', lang))}</h3>")
        parts.append(_economics_html(economics, lang, price_year_of(economics, scenarios)))
    for s in scenarios:
        parts.append(
            f"<h3>{html.escape(text('key_figures', lang))}: {html.escape(s.name)} ({text('median', lang).lower()})</h3>"
        )
        parts.append(_key_table_html(summary, s, lang))
    if comparison is not None:
        for alt, base in pairs:
            diff_html = _difference_table_html(comparison, alt, base, lang, by_name.get(alt))
            if diff_html:
                parts.append(f"<h3>{html.escape(text('sec_differences', lang).format(alt=alt, base=base))}</h3>")
                parts.append(diff_html)

    parts.append(f"<h2>{html.escape(text('appendix', lang))}: {html.escape(text('assumptions', lang))}</h2>")
    for s in scenarios:
        parts.append(f"<h3>{html.escape(s.name)}</h3><pre>{html.escape(scenario_to_yaml(s))}</pre>")

    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{pages.CSS}</style>\n</head>\n"
        f"<body>\n{chr(10).join(parts)}\n</body>\n</html>\n"
    )
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the year-end forecast


def _function_label(fn: str, lang: str) -> str:
    return {"caseworkers": text("caseworkers_fn", lang), "policy": text("policy_fn", lang),
            "total": text("total_fn", lang)}.get(fn, fn)


def forecast_section(forecast: pd.DataFrame, previous: pd.DataFrame | None, as_of: str | None, lang: str, figure):
    """Lead sentences, the forecast table and (with earlier forecasts) the chart of how it moved."""
    money = lambda v: html.escape(format_number(v, lang, money=True))  # noqa: E731
    parts = [f"<h2>{html.escape(text('sec_forecast', lang))}</h2>"]
    years = sorted(forecast["budget_year"].unique())
    total = forecast[forecast["account_function"] == "total"].set_index("budget_year")
    this = total.loc[years[0]]
    spent = 0.0 if pd.isna(this["spent_to_date_dkk"]) else this["spent_to_date_dkk"]
    sentence = text("forecast_lead", lang).format(
        year=years[0], as_of=as_of or "-", expected=format_number(this["expected_dkk"], lang, money=True),
        lo=format_number(this["p05_dkk"], lang, money=True), hi=format_number(this["p95_dkk"], lang, money=True),
        spent=format_number(spent, lang, money=True),
    )
    if not pd.isna(this["budget_dkk"]):
        sentence += text("forecast_budget", lang).format(
            budget=format_number(this["budget_dkk"], lang, money=True), prob=format_percent(this["overrun_prob"], lang)
        )
    lines = [sentence]
    if len(years) > 1:
        nxt = total.loc[years[1]]
        lines.append(text("forecast_next", lang).format(
            year=years[1], expected=format_number(nxt["expected_dkk"], lang, money=True),
            lo=format_number(nxt["p05_dkk"], lang, money=True), hi=format_number(nxt["p95_dkk"], lang, money=True),
        ))
    parts.append('<p class="lead">' + "".join(f"<span>{html.escape(x)}</span>" for x in lines) + "</p>")
    header = list(text("forecast_cols", lang))
    rows = []
    for r in forecast.itertuples(index=False):
        cells = [money(r.spent_to_date_dkk), money(r.expected_dkk), money(r.p05_dkk), money(r.p95_dkk),
                 money(r.budget_dkk), html.escape(format_percent(r.overrun_prob, lang)) if not pd.isna(r.overrun_prob) else "-"]
        rows.append((f"{r.budget_year}", [html.escape(_function_label(r.account_function, lang)), *cells]))
    parts.append(_table_html(header, rows, wide=True))
    if previous is not None and not previous.empty:
        now = forecast.assign(as_of=as_of)
        both = pd.concat([previous, now], ignore_index=True)
        moves = both[(both["account_function"] == "total") & (both["budget_year"] == years[0])]
        title = text("forecast_moves_title", lang)
        parts.append(figure(forecast_moves_chart(moves, lang, title), "forecast_moves", title,
                            text("forecast_moves_caption", lang)))
    return parts


def forecast_moves_chart(moves: pd.DataFrame, lang: str, title: str):
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    x = list(range(len(moves)))
    mid = moves["expected_dkk"].to_numpy(dtype=float) / 1e6
    lo = mid - moves["p05_dkk"].to_numpy(dtype=float) / 1e6
    hi = moves["p95_dkk"].to_numpy(dtype=float) / 1e6 - mid
    ax.errorbar(x, mid, yerr=[lo, hi], fmt="o-", color=_colour(0), capsize=4)
    budget = moves["budget_dkk"].dropna()
    if not budget.empty:
        ax.axhline(budget.iloc[-1] / 1e6, color="0.3", linestyle="--", linewidth=1)
    ax.set_xticks(x, [str(a) for a in moves["as_of"]])
    ax.set_xlabel(text("forecast_as_of", lang))
    ax.set_ylabel(_money_axis_label(lang, 1e6))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the workbook


def _labelled(frame: pd.DataFrame, lang: str, by_name: Mapping[str, Scenario], after: str) -> pd.DataFrame:
    sheet = frame.copy()
    labels = [metric_label(m, lang, by_name.get(n)) for n, m in zip(sheet["scenario"], sheet["metric"])]
    sheet.insert(list(sheet.columns).index(after) + 1, "label", labels)
    return sheet


def write_workbook(
    path: Path,
    summary: pd.DataFrame,
    lang: str,
    scenarios: list[Scenario],
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
) -> Path:
    """results.xlsx: sheets summary, comparison, economics, assumption_effects, forecast (when given) with a label column
    in the chosen language, and a sheet 'columns' saying what each column means. Sheet and column names
    are the same in both languages, so scripts can read either."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    by_name = {s.name: s for s in scenarios}
    sheets: dict[str, pd.DataFrame] = {"summary": _labelled(summary, lang, by_name, "metric")}
    if comparison is not None:
        sheets["comparison"] = _labelled(comparison, lang, by_name, "metric")
    if economics is not None:
        econ = economics.copy()
        econ.insert(
            2,
            "label",
            [f"{a} {text('compared_with', lang)} {b}" for a, b in zip(econ["scenario"], econ["baseline"])],
        )
        for col in ("break_even_year", "price_year"):
            if col in econ:
                econ[col] = [_year_or_none(v) for v in econ[col]]
        if "per_placement_note" in econ:
            econ["per_placement_note"] = [text(n, lang) if n in TEXT else n for n in econ["per_placement_note"]]
        econ["caveats"] = [caveats_sentence(by_name.get(a), lang) for a in econ["scenario"]]
        econ["warning"] = [kinship_warning(summary, a, lang) for a in econ["scenario"]]
        sheets["economics"] = econ
    if assumption_effects is not None and not assumption_effects.empty:
        effects = assumption_effects.copy()
        effects["grade"] = [text(f"grade_{g}", lang) for g in effects["grade"]]
        sheets["assumption_effects"] = effects
    if forecast is not None:
        fc = forecast.copy()
        fc.insert(2, "label", [_function_label(f, lang) for f in fc["account_function"]])
        sheets["forecast"] = fc
    notes = _notes_sheet(summary, scenarios, lang)
    if not notes.empty:
        sheets["caveats"] = notes
    help_rows = []
    for name, frame in sheets.items():
        for col in frame.columns:
            meaning = COLUMN_HELP.get(col)
            help_rows.append({"sheet": name, "column": col, "meaning": meaning[LANGS.index(lang)] if meaning else ""})
    sheets["columns"] = pd.DataFrame(help_rows)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name, index=False)
            _style_sheet(xl.sheets[name], frame)
    return Path(path)


def _notes_sheet(summary: pd.DataFrame, scenarios: list[Scenario], lang: str) -> pd.DataFrame:
    """One row per caveat and kinship warning of each scenario (also for a single run, which has no economics)."""
    rows = []
    for s in scenarios:
        rows += [{"scenario": s.name, "kind": "caveat", "text": c.text(lang)} for c in s.caveats]
        warning = kinship_warning(summary, s.name, lang)
        if warning:
            rows.append({"scenario": s.name, "kind": "warning", "text": warning})
    return pd.DataFrame(rows, columns=["scenario", "kind", "text"])


def _style_sheet(ws, frame: pd.DataFrame) -> None:
    """Header frozen, columns wide enough, money with thousands separators, shares as percent."""
    from openpyxl.styles import Font

    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for j, col in enumerate(frame.columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        sample = [str(v) for v in frame[col].head(200)]
        width = max([len(str(col))] + [len(v) for v in sample]) + 2
        ws.column_dimensions[letter].width = min(60, max(8, width))
        fmt = None
        if col.endswith("_dkk"):
            fmt = "#,##0"
        elif col in ("prob_net_saving", "discount_rate"):
            fmt = "0.0%"
        if fmt:
            for row in range(2, len(frame) + 2):
                ws.cell(row=row, column=j).number_format = fmt
