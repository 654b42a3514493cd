"""The report's tables: key figures per year, paired differences, the economics, what the answer rests on."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from sim.model.catalogue import is_money, is_share
from sim.model.scenario import Scenario
from sim.outputs.labels import (
    MINUS,
    TEXT,
    format_money_range,
    format_number,
    format_percent,
    metric_label,
    scenario_label,
    text,
)
from sim.outputs.report.formats import (
    fixed_decimals,
    format_metric,
    is_zero_text,
    money_axis_label,
    money_scale,
    range_value,
    rate_text,
    with_unit,
    year_or_none,
)
from sim.outputs.report.words import assumption_label

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


def key_table(summary: pd.DataFrame, scenario: Scenario, lang: str) -> pd.DataFrame:
    """Median per key metric and year, labelled, years as columns (metrics the run lacks are left out)."""
    part = summary[(summary["scenario"] == scenario.name) & (summary["metric"].isin(KEY_METRICS))]
    wide = part.pivot_table(index="metric", columns="year", values="p50", aggfunc="first")
    wide = wide.reindex([m for m in KEY_METRICS if m in wide.index])
    wide.index = [metric_label(m, lang, scenario) for m in wide.index]
    return wide


# where the long words of the column headers may break, so that a narrow column breaks "Netto-besparelse" and not
# "Nettobespare-lse" (the page's CSS breaks headers only here: Chromium has no Danish hyphenation)
SOFT = "\u00ad"  # a soft hyphen: a break shown as "-" only where the line breaks
HEADER_BREAKS = {word.replace("|", ""): word.replace("|", SOFT) for word in (
    "Netto|besparelse", "netto|besparelse", "Diskonterings|rente", "Sandsynlig|hed", "Sammen|lignet",
    "Und|gåede", "anbrin|gelser", "anbrin|gelse", "nutids|værdi", "ud|gifter", "Inve|stering",
    "Forudsæt|ning", "Sprednings|andel",
)}
_HEADER_WORD = re.compile("|".join(sorted(map(re.escape, HEADER_BREAKS), key=len, reverse=True)))


def breakable_header(cell: str) -> str:
    """A header cell with soft hyphens where its long Danish words may break (English words break between
    words)."""
    return _HEADER_WORD.sub(lambda m: HEADER_BREAKS[m.group(0)], cell)


def table_html(
    header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], caption: str = "", wide: bool = False
) -> str:
    """Cells are HTML already (escaped by the caller); the row label is escaped here."""
    cap = f"<caption>{caption}</caption>" if caption else ""
    head = "".join(f'<th scope="col">{breakable_header(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{html.escape(label)}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>'
        for label, cells in rows
    )
    attr = ' class="wide"' if wide else ""
    return f"<table{attr}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def key_table_html(summary: pd.DataFrame, scenario: Scenario, lang: str) -> str:
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
            scale = money_scale(float(values.abs().max()))
            label = with_unit(label, money_axis_label(lang, scale))
            cells = [fixed_decimals(v / scale, lang, 1 if scale > 1 else 0) for v in values]
        else:
            cells = [format_metric(v, m, lang) for v in values]
        rows.append((label, [html.escape(c) for c in cells]))
    return table_html(header, rows)


def difference_table_html(
    comparison: pd.DataFrame, alternative: str, baseline: str, lang: str, scenario: Scenario | None,
    by_name: Mapping[str, Scenario] | None = None,
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
            scale = money_scale(float(part[["diff_mean", "diff_p05", "diff_p95"]].abs().max().max()) * 10)
            factor, unit = 1.0 / scale, money_axis_label(lang, scale)
        elif is_share(m):
            factor, unit = 100.0, "%-point" if lang == "da" else "percentage points"
        if unit:
            label = with_unit(label, unit)

        def num(v: float, factor: float = factor) -> str:
            if v is None or pd.isna(v):
                return "-"
            s = format_number(float(v) * factor, lang)
            return s if s.startswith(MINUS) or is_zero_text(s) else "+" + s

        cells = []
        for y in years:
            if y not in part.index:
                cells.append("-")
                continue
            r = part.loc[y]
            band = f"[{num(r['diff_p05'])}{sep}{num(r['diff_p95'])}]"
            cells.append(f"{html.escape(num(r['diff_mean']))}<br><small>{html.escape(band)}</small>")
        rows.append((label, cells))
    names = dict(by_name or {})
    if scenario is not None:
        names.setdefault(scenario.name, scenario)
    caption = html.escape(text("diff_caption", lang).format(
        alt=scenario_label(alternative, lang, names), base=scenario_label(baseline, lang, names)))
    return table_html(header, rows, caption)


def _per_placement(value, note, lang: str) -> str:
    """An amount per placement avoided, or why there is none ("no placements avoided")."""
    if value is None or pd.isna(value):
        return text(note, lang) if isinstance(note, str) and note in TEXT else "-"
    return format_number(value, lang, money=True)


def economics_display(
    economics: pd.DataFrame, lang: str, by_name: Mapping[str, Scenario] | None = None
) -> pd.DataFrame:
    """The economics table with labelled columns and formatted money, as the report shows it (scenarios by their
    label in the language when ``by_name`` knows them)."""
    rows = []
    for _, r in economics.iterrows():
        lo, hi = format_money_range(r["npv_p05_dkk"], r["npv_p95_dkk"], lang)
        year = year_or_none(r["break_even_year"])
        note = r.get("per_placement_note")
        rows.append(
            {
                text("col_scenario", lang): scenario_label(r["scenario"], lang, by_name),
                text("col_baseline", lang): scenario_label(r["baseline"], lang, by_name),
                text("col_discount_rate", lang): rate_text(r["discount_rate"], lang),
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
                **_per_outcome_cells(r, lang),
            }
        )
    return pd.DataFrame(rows)


# the investment per unit of what it buys for the children (economics.csv), beside the cost per placement avoided
PER_OUTCOME_COLUMNS = (
    ("cost_per_family_like_child_year_dkk", "col_cost_per_family_like_year"),
    ("cost_per_breakdown_avoided_dkk", "col_cost_per_breakdown_avoided"),
    ("cost_per_need_closure_avoided_dkk", "col_cost_per_need_closure_avoided"),
)


def _per_outcome_cells(row, lang: str) -> dict[str, str]:
    """The investment per family-like child-year, per breakdown avoided and per child no longer closed with a
    need ('-' where less than one is gained, or for an economics table without them)."""
    return {text(label, lang): format_number(row.get(column), lang, money=True)
            for column, label in PER_OUTCOME_COLUMNS}


def price_year_of(economics: pd.DataFrame | None, scenarios: Sequence[Scenario]) -> int:
    """The year whose prices the money is in: the economics table's, else the first scenario's."""
    if economics is not None and "price_year" in economics and economics["price_year"].notna().any():
        return int(economics["price_year"].dropna().iloc[0])
    return scenarios[0].price_year


def economics_html(
    economics: pd.DataFrame, lang: str, year: int, by_name: Mapping[str, Scenario] | None = None
) -> str:
    shown = economics_display(economics, lang, by_name)
    header = [html.escape(c) for c in shown.columns]
    rows = [(str(r.iloc[0]), [html.escape(str(v)) for v in r.iloc[1:]]) for _, r in shown.iterrows()]
    bases = ", ".join(dict.fromkeys(scenario_label(b, lang, by_name) for b in economics["baseline"]))
    caption = text("economics_caption", lang).format(base=bases, year=year)
    return table_html(header, rows, html.escape(caption), wide=True)


RESTS_ON_ROWS = 6  # the assumptions shown per policy: enough to see the few that matter


def source_text(row, lang: str, scenarios: Sequence[Scenario | None]) -> str:
    """Where an assumption's value and range come from, in the language when the scenario gives it whole
    (``source_da``), else as the effects table has it."""
    for s in scenarios:
        if s is not None and row["path"] in s.assumptions:
            return s.assumptions[row["path"]].source_in(lang)
    return str(row["source"])


def rests_on_display(
    effects: pd.DataFrame, alternative: str, baseline: str, lang: str,
    by_name: Mapping[str, Scenario] | None = None,
) -> pd.DataFrame:
    """One policy's assumptions by the share of its NPV's spread that goes with them, labelled."""
    from sim.analysis.uncertainty import SIGNIFICANCE

    mine = effects[(effects["scenario"] == alternative) & (effects["baseline"] == baseline)]
    mine = mine.sort_values("share_of_variance", ascending=False, kind="mergesort").head(RESTS_ON_ROWS)
    rows = []
    for _, r in mine.iterrows():
        rows.append({
            text("col_assumption", lang): assumption_label(r, lang),
            text("col_range", lang): f"{range_value(r['low'], lang)} {text('to', lang)} {range_value(r['high'], lang)}",
            text("col_grade", lang): text(f"grade_{r['grade']}", lang),
            text("col_share_of_spread", lang): format_percent(r["share_of_variance"], lang)
            + ("" if r["p_value"] < SIGNIFICANCE else f" ({text('within_noise', lang)})"),
            text("col_npv_at_low", lang): format_number(r["npv_at_low_dkk"], lang, money=True),
            text("col_npv_at_high", lang): format_number(r["npv_at_high_dkk"], lang, money=True),
            text("col_source", lang): source_text(r, lang, [(by_name or {}).get(alternative),
                                                            (by_name or {}).get(baseline)]),
        })
    return pd.DataFrame(rows)


def rests_on_section(
    effects: pd.DataFrame | None, economics: pd.DataFrame | None, lang: str,
    by_name: Mapping[str, Scenario] | None = None,
) -> list[str]:
    """The report's section "What the answer rests on": per policy, its assumptions that matter most."""
    if effects is None or effects.empty or economics is None:
        return []
    parts = [f"<h2>{html.escape(text('sec_rests_on', lang))}</h2>"]
    for _, row in economics.drop_duplicates(["scenario", "baseline"]).iterrows():
        shown = rests_on_display(effects, row["scenario"], row["baseline"], lang, by_name)
        if shown.empty:
            continue
        lo, hi = row.get("npv_p05_noise_only_dkk"), row.get("npv_p95_noise_only_dkk")
        noise = (f"{format_money_range(lo, hi, lang)[0]} {text('to', lang)} {format_money_range(lo, hi, lang)[1]}"
                 if not (pd.isna(lo) or pd.isna(hi)) else text("not_estimable", lang))
        parts.append(f"<h3>{html.escape(scenario_label(row['scenario'], lang, by_name))}</h3>")
        intro = text("rests_on_intro", lang).format(n=int(row["replications"]), noise=noise)
        parts.append(f'<p class="note">{html.escape(intro)}</p>')
        header = [html.escape(c) for c in shown.columns]
        rows = [(str(r.iloc[0]), [html.escape(str(v)) for v in r.iloc[1:]]) for _, r in shown.iterrows()]
        parts.append(table_html(header, rows, "", wide=True))
    return parts if len(parts) > 1 else []
