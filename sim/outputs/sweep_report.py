"""The sweep's outputs: sweep.csv, the report (first chart: the total cost over the projected years against
the swept setting, with its band and its minimum marked; beside it deadlines, caseload and children placed),
figures and manifest.json, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.sweep import SIDE_METRICS, cheapest, mean_over_years, sweep_summary, total_cost_by_value  # noqa: E402
from sim.outputs import pages  # noqa: E402
from sim.outputs.files import atomic_directory, manifest  # noqa: E402
from sim.outputs.labels import (  # noqa: E402
    format_money_range,
    format_number,
    format_setting_value,
    metric_label,
    setting_label,
    text,
    year_span,
)
from sim.runs.runner import RunResult  # noqa: E402

BAND, LINE, MINIMUM = "#9ecae1", "#0072B2", "#D55E00"
MILLION = 1e6


def money_band(mean: float, low: float, high: float, lang: str) -> str:
    """'131.2 m DKK (128.0-134.9 m DKK)': the mean and its 5-95 % band."""
    lo, hi = format_money_range(low, high, lang)
    return f"{format_number(mean, lang, money=True)} ({lo}\u2013{hi})"


def swept_label(setting: str, lang: str, scenario=None) -> str:
    """The swept setting as the reader reads it ('Rådgivere (årsværk)'), else its key path."""
    return setting_label(setting, lang, scenario) or setting


def at_edge(totals: pd.DataFrame) -> str | None:
    """'low' or 'high' when the lowest mean is at the first or last value swept (the minimum may lie beyond
    the range), else None; a sweep of one value has no edge to speak of."""
    values = sorted(totals["value"])
    if len(values) < 2:
        return None
    best = cheapest(totals)
    return "low" if best == values[0] else "high" if best == values[-1] else None


def minimum_lines(results: dict[float, RunResult], setting: str, lang: str) -> list[str]:
    """Where the total cost is lowest, in words, and when that is at the edge of the range, that the minimum
    may lie beyond it (the report's lead and the terminal say the same)."""
    tables = {value: r.table for value, r in results.items()}
    totals = total_cost_by_value(tables)
    scenario = next(iter(results.values())).scenario
    first, last = scenario.calendar.start_year, scenario.end_year
    best = cheapest(totals)
    row = totals[totals["value"] == best].iloc[0]
    lines = [text("sweep_lead", lang).format(
        setting=swept_label(setting, lang, scenario), value=format_setting_value(best, lang), first=first,
        last=last, years=year_span(first, last), cost=money_band(row["mean"], row["p05"], row["p95"], lang))]
    edge = at_edge(totals)
    if edge is not None:
        lines.append(text(f"sweep_edge_{edge}", lang).format(value=format_setting_value(best, lang)))
    return lines


def total_cost_chart(totals: pd.DataFrame, setting: str, first: int, last: int, lang: str):
    """Total cost over the projected years against the setting: mean, 5-95 % band, the minimum marked."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    x = totals["value"].to_numpy()
    ax.fill_between(x, totals["p05"] / MILLION, totals["p95"] / MILLION, color=BAND, alpha=0.7, linewidth=0,
                    label=text("sweep_band", lang))
    ax.plot(x, totals["mean"] / MILLION, color=LINE, marker="o", linewidth=2, label=text("sweep_mean", lang))
    best = cheapest(totals)
    best_mean = float(totals.loc[totals["value"] == best, "mean"].iloc[0]) / MILLION
    ax.plot([best], [best_mean], marker="*", markersize=16, color=MINIMUM, linestyle="none",
            label=text("sweep_minimum", lang).format(value=format_setting_value(best, lang)))
    ax.set_xlabel(setting)
    ax.set_ylabel(text("sweep_cost_axis", lang))
    ax.set_title(text("sweep_title", lang).format(years=year_span(first, last)), loc="left", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def side_charts(summary: pd.DataFrame, setting: str, lang: str, scenario):
    """Mean over the projected years of each side metric against the setting, one small panel each."""
    fig, axes = plt.subplots(2, 2, figsize=(6.4, 4.6), dpi=120, squeeze=False)
    for ax, metric in zip(axes.flat, SIDE_METRICS):
        part = mean_over_years(summary, metric)
        ax.plot(part["value"], part["mean"], color=LINE, marker="o", linewidth=1.5)
        ax.set_title(metric_label(metric, lang, scenario), loc="left", fontsize=9)
        ax.set_xlabel(setting, fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def write_sweep_outputs(
    out: Path, results: dict[float, RunResult], setting: str, lang: str, command: list[str] | None = None,
    manifest_extra: dict | None = None,
) -> Path:
    """sweep.csv, figures/sweep_cost.png, figures/sweep_side.png, report.html, manifest.json (with
    ``manifest_extra`` added, e.g. a run to a precision's record)."""
    tables = {value: r.table for value, r in results.items()}
    summary = sweep_summary(tables)
    totals = total_cost_by_value(tables)
    first_result = next(iter(results.values()))
    scenario = first_result.scenario
    first, last = scenario.calendar.start_year, scenario.end_year
    shown = swept_label(setting, lang, scenario)
    cost_png = pages.png(total_cost_chart(totals, shown, first, last, lang), lang=lang)
    side_png = pages.png(side_charts(summary, shown, lang, scenario), lang=lang)
    rows = [[format_setting_value(v, lang), money_band(m, lo, hi, lang)] for v, m, lo, hi in
            totals[["value", "mean", "p05", "p95"]].itertuples(index=False)]
    parts = [
        pages.lead_paragraph([*minimum_lines(results, setting, lang), text("sweep_crn", lang)]),
        pages.figure_html(cost_png, text("sweep_title", lang).format(years=year_span(first, last)),
                          text("sweep_cost_caption", lang)),
        pages.figure_html(side_png, text("sweep_side_title", lang), text("sweep_side_caption", lang)),
        pages.text_table([shown, text("sweep_cost_axis", lang)], rows),
    ]
    heading = text("sweep_heading", lang).format(scenario=scenario.label_in(lang), setting=shown)
    page = pages.page(heading, parts, lang)
    crn = "replication r of every value runs with the same seed (to a precision each value stops on its own)"
    info = manifest(list(results.values()), command=command, analysis="sweep", setting=setting,
                    values=list(results), common_random_numbers=crn,
                    **(manifest_extra or {}))
    with atomic_directory(Path(out)) as tmp:
        summary.to_csv(tmp / "sweep.csv", index=False, float_format="%.10g")
        (tmp / "figures").mkdir()
        (tmp / "figures" / "sweep_cost.png").write_bytes(cost_png)
        (tmp / "figures" / "sweep_side.png").write_bytes(side_png)
        (tmp / "report.html").write_text(page, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
    return Path(out)
