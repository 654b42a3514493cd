"""What travels with a scenario's number: its caveats, the children it closes with a real need, and a warning
when its kinship share of family care ends outside what Denmark has seen.

The report's first paragraph, the app's answer (which shows the same sentences) and the workbook call these;
nothing here names a scenario or a staircase step. A scenario's caveats are its own ``caveats:`` (sim.model.scenario);
the kinship share is the metric ``kinship_share_of_family_care`` (steps marked ``family_care`` in the scenario).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sim.model.scenario import Scenario
from sim.outputs.labels import format_percent, scenario_label, text

KINSHIP_METRIC = "kinship_share_of_family_care"
# The highest kinship share of family care observed in a sizable Danish municipality (facts:
# kinship_share_of_family_care_highest_sizable, 2010: about 0.30-0.36; nationally 0.095 in 2007 and 0.111 in
# 2010; only three small island municipalities reached 0.50). A scenario's last-year share above it is outside
# Danish experience for a municipality of the baseline's size; tests/outputs/test_notes.py checks it against facts.csv.
KINSHIP_SHARE_OBSERVED_MAX = 0.36
CLOSED_METRIC = "inquiries_closed_with_need"
# a policy "closes more children with a real need" when it adds at least one such inquiry a year on average
# and at least this share of the compared scenario's yearly level (a smaller change is the runs' noise)
CLOSED_MIN_RELATIVE = 0.05


def caveat_texts(scenario: Scenario | None, lang: str) -> list[str]:
    """The scenario's caveats in the chosen language, each ending with a full stop."""
    if scenario is None:
        return []
    return [_sentence(c.text(lang)) for c in scenario.caveats]


def caveats_sentence(scenario: Scenario | None, lang: str) -> str:
    """'Caveats: ... ...' (empty when the scenario has none)."""
    texts = caveat_texts(scenario, lang)
    return f"{text('caveats_lead', lang)}: {' '.join(texts)}" if texts else ""


def last_year_value(summary: pd.DataFrame, name: str, metric: str, year: int | None = None) -> float:
    """The median over runs of a metric in a scenario's last (or given) year; NaN when the run lacks it."""
    part = summary[(summary["scenario"] == name) & (summary["metric"] == metric)]
    if part.empty:
        return float("nan")
    year = int(part["year"].max()) if year is None else year
    row = part[part["year"] == year]
    return float(row["p50"].iloc[0]) if not row.empty else float("nan")


def kinship_share_outside(share: float) -> bool:
    """True when a kinship share of family care is above what a sizable Danish municipality has reached."""
    return not math.isnan(share) and share > KINSHIP_SHARE_OBSERVED_MAX + 1e-9


def kinship_warning(summary: pd.DataFrame, name: str, lang: str, year: int | None = None) -> str:
    """The warning when the scenario's kinship share in its last year is outside Danish experience, else ''."""
    share = last_year_value(summary, name, KINSHIP_METRIC, year)
    if not kinship_share_outside(share):
        return ""
    part = summary[(summary["scenario"] == name) & (summary["metric"] == KINSHIP_METRIC)]
    shown_year = int(part["year"].max()) if year is None else year
    return text("kinship_warning", lang).format(
        year=shown_year, share=format_percent(share, lang, 0), max=format_percent(KINSHIP_SHARE_OBSERVED_MAX, lang, 0)
    )


def closed_with_need_more(comparison: pd.DataFrame | None, summary: pd.DataFrame, alt: str, base: str) -> float:
    """How many more inquiries a year the alternative closes while the child had a real need (mean over the
    horizon of the paired yearly differences), or NaN when it does not close clearly more than the baseline."""
    if comparison is None or comparison.empty:
        return float("nan")
    part = comparison[(comparison["scenario"] == alt) & (comparison["baseline"] == base)
                      & (comparison["metric"] == CLOSED_METRIC)]
    if part.empty:
        return float("nan")
    more = float(part["diff_mean"].mean())
    level = summary[(summary["scenario"] == base) & (summary["metric"] == CLOSED_METRIC)]["mean"].mean()
    level = float(level) if not pd.isna(level) else 0.0
    return more if round(more) >= 1 and more >= CLOSED_MIN_RELATIVE * level else float("nan")


def closed_with_need_sentence(comparison: pd.DataFrame | None, summary: pd.DataFrame, alt: str, base: str,
                              lang: str, base_label: str | None = None) -> str:
    """'It also closes about N more inquiries a year about children with a real need ...' or ''."""
    more = closed_with_need_more(comparison, summary, alt, base)
    if math.isnan(more):
        return ""
    return text("closed_with_need_more", lang).format(n=_whole(more, lang), base=base_label or base)


def scenario_notes(
    name: str,
    by_name: Mapping[str, Scenario],
    summary: pd.DataFrame,
    lang: str,
    comparison: pd.DataFrame | None = None,
    base: str | None = None,
    need_said: bool = False,
) -> str:
    """What follows a scenario's number in the first paragraph: the children it closes with a real need (against
    ``base``, unless the first sentence ``need_said`` it already), the kinship warning, then its caveats; '' when
    there is nothing to say. Starts with a space."""
    parts = []
    if base is not None and not need_said:
        parts.append(closed_with_need_sentence(comparison, summary, name, base, lang,
                                               scenario_label(base, lang, by_name)))
    parts.append(kinship_warning(summary, name, lang))
    parts.append(caveats_sentence(by_name.get(name), lang))
    said = [p for p in parts if p]
    return (" " + " ".join(said)) if said else ""


def _whole(x: float, lang: str) -> str:
    """A count rounded to a whole number, with the language's thousands separator (1,234 / 1.234)."""
    s = f"{int(round(x)):,}"
    return s.replace(",", ".") if lang == "da" else s


def _sentence(s: str) -> str:
    s = s.strip()
    return s if s.endswith((".", "!", "?")) else s + "."
