"""The box "Beyond the municipality's budget (illustrative)": the other public actors' long-term value of each
policy (economics.csv's ``long_term_*`` columns), its confidence grades and SØM's warning that such a
calculation never stands alone. Shown apart from the municipal answer and never summed into it; absent when
the baseline's ``long_term:`` is off. The report's section and the app's box read the same tables from here."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from sim.analysis.long_term import column, has_long_term, left_out_ids
from sim.model.scenario import ACTORS, Scenario
from sim.outputs import pages
from sim.outputs.labels import format_money_range, format_number, format_percent, scenario_label, text
from sim.outputs.report.formats import rate_text

BOX_STYLE = "border:2px solid #b58900;border-radius:6px;padding:0.6em 1em;margin:1em 0;background:#fffdf3"


def _actors(economics: pd.DataFrame) -> list[str]:
    """The actors with a value for some alternative (an actor no price reaches is left out)."""
    return [a for a in ACTORS if column(a, "npv_dkk") in economics and economics[column(a, "npv_dkk")].notna().any()]


def long_term_display(economics: pd.DataFrame | None, lang: str,
                      by_name: Mapping[str, Scenario] | None = None) -> pd.DataFrame | None:
    """One row per alternative and actor: the net saving in present value, its 90 % band over runs and the chance
    it is positive, labelled in the language; None when the run has no long-term columns."""
    if not has_long_term(economics):
        return None
    rows = []
    for _, r in economics.iterrows():
        for actor in _actors(economics):
            lo, hi = format_money_range(r[column(actor, "npv_p05_dkk")], r[column(actor, "npv_p95_dkk")], lang)
            rows.append({
                text("col_scenario", lang): scenario_label(r["scenario"], lang, by_name),
                text("lt_actor", lang): text(f"lt_actor_{actor}", lang),
                text("lt_npv", lang): format_number(r[column(actor, "npv_dkk")], lang, money=True),
                text("lt_band", lang): f"{lo} {text('to', lang)} {hi}",
                text("lt_prob", lang): format_percent(r[column(actor, "prob_positive")], lang),
            })
    return pd.DataFrame(rows)


def _settings(economics: pd.DataFrame, by_name: Mapping[str, Scenario] | None) -> Scenario | None:
    """The baseline scenario whose ``long_term:`` valued the table (None when the caller did not pass it)."""
    return (by_name or {}).get(str(economics["baseline"].iloc[0]))


def long_term_grades(economics: pd.DataFrame | None, lang: str,
                     by_name: Mapping[str, Scenario] | None = None) -> pd.DataFrame | None:
    """Every long-term number used (profiles and their prices) with its confidence grade and source; None
    without long-term columns or without the baseline scenario."""
    if not has_long_term(economics):
        return None
    baseline = _settings(economics, by_name)
    if baseline is None:
        return None
    settings = baseline.long_term
    left_out = {i for note in economics["long_term_note"] for i in left_out_ids(note)}
    used = [p for p in settings.profiles if p.id not in left_out]
    services = list(dict.fromkeys(p.service for p in used))
    prices = [p for p in settings.prices if p.service in services]
    own = "label_da" if lang == "da" else "label_en"
    rows = [(getattr(p, own) or p.id, p) for p in used]
    rows += [(text("lt_price_of", lang).format(service=p.service), p) for p in prices]
    return pd.DataFrame([{text("lt_number", lang): name, text("lt_grade", lang): text(f"grade_{n.grade}", lang),
                          text("lt_source", lang): n.source} for name, n in rows])


def long_term_notes(economics: pd.DataFrame | None, lang: str,
                    by_name: Mapping[str, Scenario] | None = None) -> list[str]:
    """The box's sentences: SØM's warning, how the value is kept apart and made, whether it is illustrative,
    what was left out. Empty without long-term columns."""
    if not has_long_term(economics):
        return []
    notes = [text("lt_warning", lang)]
    baseline = _settings(economics, by_name)
    if baseline is not None:
        lt = baseline.long_term
        share = lambda x: format_percent(x, lang)  # noqa: E731
        notes.append(text("lt_apart", lang).format(
            years=lt.horizon_years, start=baseline.calendar.start_year,
            rate=rate_text(baseline.economics.discount_rate, lang), deadweight=share(lt.deadweight),
            attribution=share(lt.attribution), drop_off=share(lt.drop_off_per_year)))
    if economics["long_term_illustrative"].astype(str).str.lower().isin(["true", "1"]).any():
        notes.append(text("lt_illustrative", lang))
    left_out = list(dict.fromkeys(i for note in economics["long_term_note"] for i in left_out_ids(note)))
    if left_out:
        notes.append(text("lt_left_out", lang).format(ids=", ".join(left_out)))
    return notes


def _table(frame: pd.DataFrame) -> str:
    return pages.text_table(list(frame.columns), [[str(v) for v in row] for row in frame.itertuples(index=False)])


def long_term_box(economics: pd.DataFrame | None, lang: str,
                  by_name: Mapping[str, Scenario] | None = None) -> list[str]:
    """The report's box as HTML parts (none when the baseline's ``long_term:`` is off)."""
    shown = long_term_display(economics, lang, by_name)
    if shown is None:
        return []
    notes = long_term_notes(economics, lang, by_name)
    parts = [f'<section class="long-term" style="{BOX_STYLE}">',
             f"<h2>{html.escape(text('lt_title', lang))}</h2>",
             f'<p class="warning"><strong>{html.escape(notes[0])}</strong></p>',
             _table(shown),
             *(f'<p class="note">{html.escape(n)}</p>' for n in notes[1:])]
    grades = long_term_grades(economics, lang, by_name)
    if grades is not None and not grades.empty:
        parts += [f"<h3>{html.escape(text('lt_grades', lang))}</h3>", _table(grades)]
    return [*parts, "</section>"]
