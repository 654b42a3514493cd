"""The report's figures (matplotlib, one colour per scenario in every chart): fan charts, the staircase over
time, caseworkers' time, the waterfall of a cost difference, the net saving over runs, the forecast's moves."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from sim.analysis.caseworker_time import PER_CASE, TIME_KINDS  # noqa: E402
from sim.model.catalogue import is_money, is_share  # noqa: E402
from sim.model.scenario import Scenario  # noqa: E402
from sim.outputs import pages  # noqa: E402
from sim.outputs.labels import MINUS, format_number, metric_label, step_label, text  # noqa: E402
from sim.outputs.report.formats import (  # noqa: E402
    fixed_decimals,
    is_zero_text,
    money_axis_label,
    money_scale,
    with_unit,
)

DPI = 120


# one colour per scenario, the same in every chart (colour-blind-safe Okabe-Ito order)
SCENARIO_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


SAVING, EXTRA, TOTAL = "#2E8B57", "#C0392B", "#7F8C9A"
REFERENCE = "#8A8A8A"  # the compared-with scenario behind each small multiple


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


def _colour(i: int) -> str:
    return SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]


_Ticks = pages.NumberTicks  # tick labels in the report's language (1.234,5 in Danish)


def _style_panel(ax, title: str, unit: str, first_column: bool, lang: str) -> None:
    """One panel of a grid of stacked areas by year: title, year axis, value axis (labelled in the first column)."""
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel(text("year", lang))
    if first_column:
        ax.set_ylabel(text(unit, lang))
    pages.year_axis(ax, nbins=4)  # a panel is about 2.9 inches wide: more year labels run together
    _value_axis(ax, lang)
    ax.grid(alpha=0.3, axis="y")
    ax.margins(x=0)


def _value_axis(ax, lang: str, axis: str = "y", scale: float = 1.0, percent: bool = False) -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(_Ticks(lang, scale, percent))


def _quantiles(part: pd.DataFrame) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Years and the 5, 25, 50, 75 and 95 % quantiles over replications of one scenario's metric."""
    by_year = part.groupby("year")["value"]
    years = np.array(sorted(part["year"].unique()))
    return years, {p: by_year.quantile(p / 100).reindex(years).to_numpy() for p in (5, 25, 50, 75, 95)}


def _fan(ax, years: np.ndarray, q: dict[int, np.ndarray], colour: str) -> None:
    """One scenario's fan: the 5-95 % and 25-75 % bands and the median."""
    ax.fill_between(years, q[5], q[95], color=colour, alpha=0.13, linewidth=0)
    ax.fill_between(years, q[25], q[75], color=colour, alpha=0.28, linewidth=0)
    ax.plot(years, q[50], color=colour, linewidth=2.0, marker="o", markersize=3)


def _reference(ax, years: np.ndarray, q: dict[int, np.ndarray]) -> None:
    """The compared-with scenario behind a panel: its 5-95 % band in grey and its median dashed."""
    ax.fill_between(years, q[5], q[95], color=REFERENCE, alpha=0.22, linewidth=0)
    ax.plot(years, q[50], color=REFERENCE, linewidth=1.4, linestyle="--")


def fan_chart(
    table: pd.DataFrame, metric: str, lang: str, scenario: Scenario | None = None, order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
):
    """Median with 25-75 % and 5-95 % bands over replications. One scenario: one panel. Several: small
    multiples, one panel per scenario after the first, each over the first's 5-95 % band and median in grey, so
    that no panel holds more than three bands; the panels share their value axis. ``labels`` names the
    scenarios (default: their names)."""
    shown = dict(labels or {})
    data = table[table["metric"] == metric]
    names = list(order) if order is not None else list(dict.fromkeys(data["scenario"]))
    names = [n for n in names if (data["scenario"] == n).any()]
    fans = {name: _quantiles(data[data["scenario"] == name]) for name in names}
    reference, panels = (names[0], names[1:]) if len(names) > 1 else (None, names)
    ncols = min(max(len(panels), 1), 3)
    nrows = max(1, math.ceil(len(panels) / ncols))
    if len(panels) <= 1:
        size = (8.4, 4.0)
    else:
        size = (8.4, 2.5 * nrows + 1.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, dpi=DPI, sharey=True, sharex=True, squeeze=False)
    top = max((float(np.nanmax(np.abs(q[95]))) for years, q in fans.values() if len(years)), default=0.0)
    scale = money_scale(top) if is_money(metric) else 1.0
    for k, name in enumerate(panels):
        ax = axes[k // ncols][k % ncols]
        if reference is not None:
            _reference(ax, *fans[reference])
        colour = _colour(names.index(name))
        _fan(ax, *fans[name], colour)
        if len(panels) > 1:
            ax.set_title(shown.get(name, name), loc="left", fontsize=10, color=colour)
        pages.year_axis(ax, nbins=4 if ncols > 1 else 10)
        _value_axis(ax, lang, scale=scale, percent=is_share(metric))
        ax.grid(alpha=0.3)
        if k // ncols == nrows - 1 or k + ncols >= len(panels):
            ax.set_xlabel(text("year", lang))
            ax.xaxis.set_tick_params(labelbottom=True)
    for k in range(len(panels), nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    title = metric_label(metric, lang, scenario)
    if is_money(metric):
        axes[0][0].set_ylabel(money_axis_label(lang, scale))
        title = with_unit(title, money_axis_label(lang, scale))
    handles = []
    if len(panels) == 1:
        handles.append(Line2D([], [], color=_colour(names.index(panels[0])), linewidth=2.0,
                              label=shown.get(panels[0], panels[0])))
    handles += [
        Patch(facecolor="#555555", alpha=0.45, label=text("band_50", lang)),
        Patch(facecolor="#555555", alpha=0.18, label=text("band_90", lang)),
    ]
    if reference is not None:
        handles += [
            Line2D([], [], color=REFERENCE, linewidth=1.4, linestyle="--", label=shown.get(reference, reference)),
            Patch(facecolor=REFERENCE, alpha=0.3, label=f"{shown.get(reference, reference)}: {text('band_90', lang)}"),
        ]
    if len(panels) <= 1:
        axes[0][0].set_title(title, loc="left")
        axes[0][0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        fig.tight_layout()
    else:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=12)
        fig.legend(handles=handles, loc="lower left", ncol=len(handles), frameon=False, bbox_to_anchor=(0.01, 0.0))
        fig.tight_layout(rect=(0, 0.06 if nrows > 1 else 0.1, 1, 1))
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
        _style_panel(ax, s.label_in(lang), "children", first_column=k % ncols == 0, lang=lang)
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


def caseworker_time_chart(
    time_use: pd.DataFrame, names: Sequence[str], lang: str, labels: Mapping[str, str] | None = None
):
    """Hours by kind of task per year, stacked, one panel per scenario (titled by ``labels``, default the names);
    hours per case on a right axis."""
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
        _style_panel(ax, (labels or {}).get(name, name), "hours", first_column=k % ncols == 0, lang=lang)
        per_case = ax.twinx()
        per_case.plot(years, part[PER_CASE].to_numpy(), color="black", linewidth=1.6)
        per_case.set_ylim(bottom=0)
        _value_axis(per_case, lang)
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
    base_name = base_scenario.label_in(lang) if base_scenario is not None else baseline
    alt_name = scenario.label_in(lang) if scenario is not None else alternative
    items: list[tuple[str, float, str]] = [(text("total_of", lang).format(name=base_name), base_total, "total")]
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
    items.append((text("total_of", lang).format(name=alt_name), base_total + total_diff, "total"))
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
    scale = money_scale(max(abs(left), abs(right)))
    unit = money_axis_label(lang, scale)

    def amount_text(x: float, signed: bool) -> str:
        v = x / scale
        digits = 0 if scale == 1 else 2 if 0 < abs(v) < 0.1 else 1
        body = fixed_decimals(v, lang, digits)
        if signed and not body.startswith(MINUS) and not is_zero_text(body):
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
    scale = money_scale(float(np.max(np.abs(values))) if values.size else 0.0)
    _value_axis(ax, lang, axis="x", scale=scale)
    ax.set_xlabel(f"{text('npv_xlabel', lang)} ({money_axis_label(lang, scale)})")
    ax.set_ylabel(text("npv_ylabel", lang))
    ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig


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
    ax.set_ylabel(money_axis_label(lang, 1e6))
    _value_axis(ax, lang)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
