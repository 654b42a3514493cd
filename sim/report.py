"""The report a finance officer opens: a self-contained HTML page, its figures as PNG, and a workbook."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .labels import format_number, metric_label, text  # noqa: E402
from .runner import RunResult  # noqa: E402
from .scenario import Scenario, scenario_to_yaml  # noqa: E402

FAN_METRICS = ("cost_total", "children_placed", "caseload")
KEY_METRICS = (
    "notifications",
    "investigations_overdue_share",
    "placements_started",
    "children_placed",
    "children_preventive",
    "reviews_on_time_share",
    "caseload",
    "cost_total",
)
MONEY = {"cost_total", "cost_caseworkers", "cost_policy", "cost_per_child_0_17"}


def fan_chart(table: pd.DataFrame, metric: str, lang: str, scenario: Scenario | None = None):
    """Median with 25-75 % and 5-95 % bands over replications, one colour per scenario."""
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=110)
    data = table[table["metric"] == metric]
    for i, (name, part) in enumerate(data.groupby("scenario", sort=False)):
        by_year = part.groupby("year")["value"]
        years = np.array(sorted(part["year"].unique()))
        q = {p: by_year.quantile(p / 100).reindex(years).to_numpy() for p in (5, 25, 50, 75, 95)}
        colour = f"C{i}"
        ax.fill_between(years, q[5], q[95], color=colour, alpha=0.15, linewidth=0, label=f"{name}: {text('band_90', lang)}")
        ax.fill_between(years, q[25], q[75], color=colour, alpha=0.3, linewidth=0, label=f"{name}: {text('band_50', lang)}")
        ax.plot(years, q[50], color=colour, linewidth=2, label=f"{name}: {text('median', lang)}")
    ax.set_title(metric_label(metric, lang, scenario))
    ax.set_xlabel(text("year", lang))
    if metric in MONEY:
        ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(lambda v, _: format_number(v, lang, money=True))
        )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


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


def key_table(summary: pd.DataFrame, scenario: Scenario, lang: str) -> pd.DataFrame:
    """Median per key metric and year, labelled, years as columns."""
    part = summary[(summary["scenario"] == scenario.name) & (summary["metric"].isin(KEY_METRICS))]
    wide = part.pivot(index="metric", columns="year", values="p50").reindex(list(KEY_METRICS))
    wide.index = [metric_label(m, lang, scenario) for m in wide.index]
    return wide


def _html_table(wide: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in wide.columns)
    rows = []
    for label, values in wide.iterrows():
        money = "DKK" in label or "kr." in label
        cells = "".join(f"<td>{html.escape(format_number(v, lang, money=money))}</td>" for v in values)
        rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
    return f"<table><tr><th>{text('metric', lang)}</th>{head}</tr>{''.join(rows)}</table>"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:0.85em;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th:first-child{text-align:left}
img{max-width:100%}pre{background:#f5f5f5;padding:1em;font-size:0.8em;overflow-x:auto}
.lead{font-size:1.1em;background:#eef4fb;padding:0.8em;border-left:4px solid #2a6ebb}
"""


def write_report(out: Path, results: list[RunResult], summary: pd.DataFrame, lang: str) -> Path:
    """report.html with embedded figures; the same figures as PNG under figures/."""
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    table = pd.concat([r.table for r in results], ignore_index=True)
    first = results[0].scenario
    parts = [f"<h1>{text('report_title', lang)}: {html.escape(first.name)}</h1>"]
    parts += [f"<p class='lead'>{html.escape(_intro(summary, r, lang))}</p>" for r in results]
    parts.append(f"<p>{html.escape(text('what_model', lang))}</p>")
    parts.append(f"<h2>{text('figures', lang)}</h2>")
    for metric in FAN_METRICS:
        png = _png(fan_chart(table, metric, lang, first))
        (figures / f"fan_{metric}.png").write_bytes(png)
        alt = html.escape(metric_label(metric, lang, first))
        parts.append(f"<img alt='{alt}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
    for r in results:
        parts.append(f"<h2>{text('key_figures', lang)}: {html.escape(r.scenario.name)} ({text('median', lang)})</h2>")
        parts.append(_html_table(key_table(summary, r.scenario, lang), lang))
    parts.append(f"<h2>{text('assumptions', lang)}</h2>")
    for r in results:
        parts.append(f"<h3>{html.escape(r.scenario.name)}</h3><pre>{html.escape(scenario_to_yaml(r.scenario))}</pre>")
    page = (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{text('report_title', lang)}: {html.escape(first.name)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_workbook(path: Path, summary: pd.DataFrame, lang: str, scenarios: list[Scenario]) -> Path:
    """results.xlsx: the summary table with a label column in the chosen language."""
    by_name = {s.name: s for s in scenarios}
    sheet = summary.copy()
    sheet.insert(
        3, "label", [metric_label(m, lang, by_name.get(n)) for n, m in zip(sheet["scenario"], sheet["metric"])]
    )
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name="summary", index=False)
    return path
