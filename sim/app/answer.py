"""The Answer page's content from a complete run: the report's lead sentences first, then the data of the
interactive charts (fans, staircase, waterfall) and the investment case. Plain functions; the charts are
Vega-Lite specifications (Altair) that the page hands to Streamlit, so they can be checked without a browser.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sim.app.chart_format import localised, value_format, with_labels
from sim.app.jobs import Answer
from sim.app.texts import t
from sim.outputs.labels import metric_label, step_label, year_span
from sim.outputs.report import (
    FAN_METRICS,
    answer_lines,
    economics_display,
    held_assumptions_note,
    lead_sentences,
    outcomes_display,
    prices_note,
    rests_on_display,
    waterfall_items,
)

SIDE_BY_SIDE_WIDTH = 300  # pixels per chart when the levels and the difference stand side by side
LABEL_LIMIT = 420  # pixels: Vega-Lite cuts axis and legend labels at 180 and 160 ("Tidligt forebyggende ind…")


def lead(answer: Answer, lang: str) -> list[str]:
    """The plain-words answer, exactly as the report's first paragraph says it."""
    return lead_sentences(answer.results, answer.summary, lang, answer.comparison, answer.economics,
                          answer.assumption_effects)


def first_lines(answer: Answer, lang: str) -> list[str]:
    """The answer in one line per policy, exactly as the report's first screen says it."""
    return [str(line) for line in answer_lines(answer.results, answer.summary, lang, answer.economics,
                                                answer.outcomes)]


def prices(answer: Answer, lang: str) -> str:
    """Which year's prices the money is in, as the report says it under its answer."""
    return prices_note(answer.results[0].scenario, lang)


def metric_choices(answer: Answer) -> list[str]:
    """Metrics the run produced that a fan chart can show, the report's fans first."""
    have = list(dict.fromkeys(answer.summary["metric"]))
    return [m for m in FAN_METRICS if m in have] + sorted(m for m in have if m not in FAN_METRICS)


def fan_frame(answer: Answer, metric: str) -> pd.DataFrame:
    """Year, scenario and the 5 %, median and 95 % of runs of one metric."""
    part = answer.summary[answer.summary["metric"] == metric]
    return part[["scenario", "year", "p05", "p50", "p95", "mean"]].reset_index(drop=True)


def scenario_labels(answer: Answer, lang: str) -> dict[str, str]:
    """Each scenario's label in the language (its ``label:``), by its name; two scenarios with one label are told
    apart by their names in brackets."""
    labels = {r.scenario.name: r.scenario.label_in(lang) for r in answer.results}
    twice = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    return {name: f"{label} ({name})" if label in twice and label != name else label
            for name, label in labels.items()}


def _scenario_colours(answer: Answer, lang: str) -> alt.Color:
    """One colour per scenario, the same in the levels and the difference charts; the legend names the
    scenarios by their labels."""
    names = list(scenario_labels(answer, lang).values())
    return alt.Color("scenario_label:N", title=t("scenario", lang),
                     scale=alt.Scale(domain=names, scheme="category10"))


def _tooltip(frame: pd.DataFrame, lang: str, fields: dict[str, str]) -> list:
    """Hover texts: the scenario's label, the year, and each field under its name in the language, written in the
    language's number format (the chart's locale)."""
    head = [alt.Tooltip("scenario_label:N", title=t("scenario", lang)), alt.Tooltip("year:O", title=t("year", lang))]
    return head + [alt.Tooltip(f"{field}:Q", title=title, format=value_format(frame[field]))
                   for field, title in fields.items()]


def _levels_chart(answer: Answer, metric: str, lang: str) -> alt.LayerChart:
    """A band of 90 % of runs and the median line per scenario; the value axis starts near the data, not at 0,
    so that a difference of a few per cent shows."""
    frame = with_labels(fan_frame(answer, metric), scenario_labels(answer, lang), "scenario")
    title = metric_label(metric, lang, answer.results[0].scenario)
    base = alt.Chart(frame).encode(x=alt.X("year:O", title=t("year", lang)), color=_scenario_colours(answer, lang))
    tooltip = _tooltip(frame, lang, {"p50": t("median", lang), "p05": t("p05_short", lang),
                                     "p95": t("p95_short", lang)})
    y = alt.Y("p05:Q", title=title, scale=alt.Scale(zero=False))
    band = base.mark_area(opacity=0.25).encode(y=y, y2="p95:Q", tooltip=tooltip)
    line = base.mark_line(point=True).encode(y="p50:Q", tooltip=tooltip)
    return (band + line).properties(title=title, height=280)


def difference_frame(answer: Answer, metric: str) -> pd.DataFrame | None:
    """Per alternative and year, its paired difference from the baseline: mean and 5 % and 95 % of runs."""
    if answer.comparison is None or answer.comparison.empty:
        return None
    part = answer.comparison[answer.comparison["metric"] == metric]
    if part.empty:
        return None
    return part[["scenario", "baseline", "year", "diff_mean", "diff_p05", "diff_p95"]].reset_index(drop=True)


def _difference_chart(frame: pd.DataFrame, answer: Answer, metric: str, lang: str) -> alt.LayerChart:
    """Each alternative minus the baseline (paired runs): a band of 90 % of runs, the mean, and a line at 0."""
    labels = scenario_labels(answer, lang)
    frame = with_labels(frame, labels, "scenario")
    base_name = labels.get(str(frame["baseline"].iloc[0]), str(frame["baseline"].iloc[0]))
    title = t("diff_title", lang).format(metric=metric_label(metric, lang, answer.results[0].scenario),
                                         base=base_name)
    base = alt.Chart(frame).encode(x=alt.X("year:O", title=t("year", lang)), color=_scenario_colours(answer, lang))
    tooltip = _tooltip(frame, lang, {"diff_mean": t("diff_mean_short", lang), "diff_p05": t("p05_short", lang),
                                     "diff_p95": t("p95_short", lang)})
    # the chart's title says what the axis shows: a long axis title is cut at the chart's height
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("diff_p05:Q", title=None), y2="diff_p95:Q", tooltip=tooltip)
    line = base.mark_line(point=True).encode(y="diff_mean:Q", tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555555").encode(y="zero:Q")
    return (band + line + zero).properties(title=title, height=280)


def fan_chart(answer: Answer, metric: str, lang: str) -> alt.LayerChart | alt.HConcatChart:
    """The levels per scenario and, in a comparison, beside them the difference from the baseline, whose scale
    shows what the levels' scale hides (4 M DKK on 200 M); hover shows the values."""
    levels = _levels_chart(answer, metric, lang)
    frame = difference_frame(answer, metric)
    if frame is None:
        return localised(levels, lang)
    # side by side, each chart gets its own width (a concatenation does not stretch to the page)
    both = alt.hconcat(levels.properties(width=SIDE_BY_SIDE_WIDTH),
                       _difference_chart(frame, answer, metric, lang).properties(width=SIDE_BY_SIDE_WIDTH)
                       ).configure_legend(orient="bottom")  # below both, not cut at the page's right edge
    return localised(both, lang)


def outcomes(answer: Answer, lang: str) -> tuple[pd.DataFrame, str] | None:
    """What happens to the children under each policy against the baseline (the report's first table), and its
    caption; None without a comparison."""
    table = answer.outcomes
    if table is None or table.empty:
        return None
    by_name = {r.scenario.name: r.scenario for r in answer.results}
    base = by_name.get(str(table["baseline"].iloc[0]))
    first, last = (base.calendar.start_year, base.end_year) if base is not None else (0, 0)
    caption = t("outcomes_caption", lang).format(base=base.label_in(lang) if base else "",
                                                 years=year_span(first, last))
    return outcomes_display(table, lang, by_name, list(by_name)), caption


def investment_case(answer: Answer, lang: str) -> pd.DataFrame | None:
    """NPV with its band, break-even year, probability of a net saving, the investment, placements avoided, the
    cost (gross) and net saving per placement avoided."""
    if answer.economics is None or answer.economics.empty:
        return None
    return economics_display(answer.economics, lang, {r.scenario.name: r.scenario for r in answer.results})


def rests_on(answer: Answer, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """Per policy (by its label), the assumptions its answer rests on most (the report's table of the same
    name)."""
    effects, econ = answer.assumption_effects, answer.economics
    if effects is None or effects.empty or econ is None:
        return []
    out = []
    for _, row in econ.drop_duplicates(["scenario", "baseline"]).iterrows():
        shown = rests_on_display(effects, row["scenario"], row["baseline"], lang,
                                 {r.scenario.name: r.scenario for r in answer.results})
        if not shown.empty:
            out.append((scenario_labels(answer, lang).get(row["scenario"], str(row["scenario"])), shown))
    return out


def held_note(answer: Answer, lang: str) -> str:
    """Which listed assumptions the run held at the scenario's own value (the report's note of the same)."""
    return held_assumptions_note(answer.results, lang)


def staircase_frame(answer: Answer, lang: str) -> pd.DataFrame:
    """Children on each step at year end (median over runs), per scenario and year, steps labelled."""
    rows = answer.summary[answer.summary["metric"].str.startswith("stock.")].copy()
    scenario = answer.results[0].scenario
    order = {s.id: s.order for s in scenario.staircase}
    rows["step_id"] = rows["metric"].str[len("stock."):]
    rows["step"] = [step_label(s, lang, scenario) for s in rows["step_id"]]
    rows["order"] = rows["step_id"].map(order)
    return rows[["scenario", "year", "step", "order", "p50"]].sort_values(["scenario", "year", "order"])


def staircase_chart(answer: Answer, lang: str) -> alt.Chart:
    frame = with_labels(staircase_frame(answer, lang), scenario_labels(answer, lang), "scenario")
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title=t("year", lang)),
        y=alt.Y("p50:Q", stack="zero", title=t("children", lang)),
        color=alt.Color("step:N", title=t("step", lang), sort=alt.SortField("order"),
                        legend=alt.Legend(labelLimit=LABEL_LIMIT)),
        order=alt.Order("order:Q"),
        column=alt.Column("scenario_label:N", title=t("scenario", lang),
                          sort=list(scenario_labels(answer, lang).values())),
        tooltip=[*_tooltip(frame, lang, {})[:2], alt.Tooltip("step:N", title=t("step", lang)),
                 alt.Tooltip("p50:Q", title=t("children", lang), format=value_format(frame["p50"]))],
    ).properties(title=t("staircase", lang), height=260, width=260)
    return localised(chart, lang)


def waterfall_frame(answer: Answer, lang: str, alternative: str | None = None) -> pd.DataFrame | None:
    """The report's waterfall: from the baseline's total over the horizon through each cost item's change to
    the alternative's; ``start`` and ``end`` are where each bar begins and ends."""
    if answer.comparison is None or answer.comparison.empty:
        return None
    base = answer.results[0].scenario
    alt_name = alternative or answer.results[1].scenario.name
    alt_scenario = next(r.scenario for r in answer.results if r.scenario.name == alt_name)
    items = waterfall_items(answer.summary, answer.comparison, alt_name, base.name, lang, alt_scenario, base)
    rows, level = [], 0.0
    for i, (label, amount, kind) in enumerate(items):
        start, end = (0.0, amount) if kind == "total" else (level, level + amount)
        level = end
        shade = "total" if kind == "total" else ("saving" if amount < 0 else "extra")
        rows.append({"i": i, "item": label, "amount": amount, "kind": shade, "start": start, "end": end})
    return pd.DataFrame(rows)


def waterfall_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    # totals grey, savings green, extra costs red, as in the report
    colour = alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["total", "saving", "extra"],
                                                               range=["#888888", "#2e7d32", "#c62828"]))
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("item:N", sort=alt.SortField("i"), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("start:Q", title=t("amount", lang)),
        x2="end:Q",
        color=colour,
        tooltip=[alt.Tooltip("item:N", title=t("item", lang)),
                 alt.Tooltip("amount:Q", title=t("amount", lang), format=",.0f")],
    ).properties(title=t("waterfall", lang), height=40 + 28 * len(frame))
    return localised(chart, lang)


def yaml_files(answer: Answer) -> dict[str, str]:
    """Each scenario as run, as YAML that ``boernesim run`` accepts unchanged (file name -> text)."""
    from sim.app.building import scenario_yaml

    return {f"{r.scenario.name}.yaml": scenario_yaml(r.scenario) for r in answer.results}
