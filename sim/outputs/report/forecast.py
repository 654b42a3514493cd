"""The year-end forecast's section of the report (a run from a case register): lead sentences, the table and
how the forecast moved since earlier ones."""

from __future__ import annotations

import html

import pandas as pd

from sim.outputs.labels import format_number, format_percent, text
from sim.outputs.report.charts import forecast_moves_chart
from sim.outputs.report.tables import table_html


def function_label(fn: str, lang: str) -> str:
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
                 money(r.budget_dkk),
                 html.escape(format_percent(r.overrun_prob, lang)) if not pd.isna(r.overrun_prob) else "-"]
        rows.append((f"{r.budget_year}", [html.escape(function_label(r.account_function, lang)), *cells]))
    parts.append(table_html(header, rows, wide=True))
    if previous is not None and not previous.empty:
        now = forecast.assign(as_of=as_of)
        both = pd.concat([previous, now], ignore_index=True)
        moves = both[(both["account_function"] == "total") & (both["budget_year"] == years[0])]
        title = text("forecast_moves_title", lang)
        parts.append(figure(forecast_moves_chart(moves, lang, title), "forecast_moves", title,
                            text("forecast_moves_caption", lang)))
    return parts
