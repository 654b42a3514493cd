"""The answer's outcome table: what happens to the children under each policy against its baseline, before the
money. The numbers are ``sim.analysis.outcomes.outcome_changes`` (outcomes.csv); here they are labelled and
formatted: the baseline's level, then per policy the change with 90 % of the paired runs and an arrow and a word
that say whether it is better or worse for the children (or no clear change)."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from sim.model.catalogue import is_share
from sim.model.scenario import Scenario
from sim.outputs.labels import (
    MINUS,
    format_number,
    format_percent,
    metric_label,
    scenario_label,
    text,
    year_span,
)
from sim.outputs.report.formats import is_zero_text
from sim.outputs.report.tables import table_html

ARROWS = {"better": "▲", "worse": "▼", "more": "▲", "less": "▼", "no_clear_change": "●"}


def signed_change(x: float, metric: str, lang: str) -> str:
    """A change as the table writes it: shares in percentage points, a sign always."""
    if x is None or pd.isna(x):
        return "-"
    s = format_number(float(x) * 100.0 if is_share(metric) else float(x), lang)
    return s if s.startswith(MINUS) or is_zero_text(s) else "+" + s


def _level(x: float, metric: str, lang: str) -> str:
    if is_share(metric):
        return format_percent(x, lang, 1)
    return format_number(x, lang)


def _arrow(verdict: str, diff: float) -> str:
    """Up or down with the change; a dot for no clear change."""
    if verdict == "no_clear_change":
        return ARROWS[verdict]
    return "▲" if diff > 0 else "▼"


def change_text(row: Mapping, lang: str) -> str:
    """'▼ −12.3 [−20.1; −4.0] better' (plain text)."""
    metric, verdict = row["metric"], row["verdict"]
    sep = "; " if lang == "da" else ", "
    band = f"[{signed_change(row['diff_p05'], metric, lang)}{sep}{signed_change(row['diff_p95'], metric, lang)}]"
    return f"{_arrow(verdict, row['diff_mean'])} {signed_change(row['diff_mean'], metric, lang)} {band} " \
           f"{text('verdict_' + verdict, lang)}"


def outcome_label(metric: str, lang: str, scenario: Scenario | None = None) -> str:
    label = metric_label(metric, lang, scenario)
    return f"{label} ({text('percentage_points', lang)})" if is_share(metric) else label


def outcomes_display(outcomes: pd.DataFrame, lang: str, by_name: Mapping[str, Scenario] | None = None,
                     order: list[str] | None = None) -> pd.DataFrame:
    """One row per outcome: its label, the baseline's level and each policy's change (columns by the scenarios'
    labels, policies in ``order`` when given)."""
    if outcomes is None or outcomes.empty:
        return pd.DataFrame()
    base = str(outcomes["baseline"].iloc[0])
    alts = list(dict.fromkeys(outcomes["scenario"]))
    if order:
        alts.sort(key=lambda a: order.index(a) if a in order else len(order))
    metrics = list(dict.fromkeys(outcomes["metric"]))
    scenario = (by_name or {}).get(base)
    rows = []
    for metric in metrics:
        mine = outcomes[outcomes["metric"] == metric]
        row = {text("col_outcome", lang): outcome_label(metric, lang, scenario),
               text("col_level", lang).format(base=scenario_label(base, lang, by_name)):
                   _level(mine["base_mean"].iloc[0], metric, lang)}
        for alt in alts:
            hit = mine[mine["scenario"] == alt]
            row[scenario_label(alt, lang, by_name)] = change_text(hit.iloc[0], lang) if not hit.empty else "-"
        rows.append(row)
    return pd.DataFrame(rows)


def outcomes_html(outcomes: pd.DataFrame, lang: str, first: int, last: int,
                  by_name: Mapping[str, Scenario] | None = None, order: list[str] | None = None) -> str:
    shown = outcomes_display(outcomes, lang, by_name, order)
    if shown.empty:
        return ""
    header = [html.escape(c) for c in shown.columns]
    rows = [(str(r.iloc[0]), [html.escape(str(v)) for v in r.iloc[1:]]) for _, r in shown.iterrows()]
    base = scenario_label(str(outcomes["baseline"].iloc[0]), lang, by_name)
    caption = text("outcomes_caption", lang).format(base=base, first=first, last=last, years=year_span(first, last))
    return table_html(header, rows, html.escape(caption), wide=True)
