"""The first screen's answer: one line per policy, as a committee reads it before anything else.

Each line holds the policy's label, its net saving in present value in millions with the 5-95 % band of the runs,
the chance of a saving, and the one change for the children that matters most: a clear "worse" first, else a
clear "better", else "no clear change for the children" (the verdicts of ``sim.analysis.outcomes``, taken in the
order of ``HEADLINE_OUTCOMES``, which puts stability first). A marker follows when a warning applies (the kinship
share outside Danish experience, ``sim.outputs.notes``). The report's first screen and the app's answer show the
same lines; the whole paragraph of each answer (``lead_sentences``) follows further down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis.outcomes import HEADLINE_OUTCOMES
from sim.model.catalogue import is_share
from sim.model.scenario import Scenario
from sim.outputs.labels import format_percent, metric_label, scenario_label, text
from sim.outputs.notes import kinship_warning
from sim.outputs.report.formats import fixed_decimals, money_axis_label
from sim.outputs.report.outcomes import signed_change

WARNING_MARK = "⚠"
SEPARATOR = " · "
# which clear change speaks for the children first: a policy that makes any headline outcome clearly worse is
# read by that before any that it makes better
VERDICT_ORDER = ("worse", "better")


@dataclass(frozen=True)
class AnswerLine:
    """One policy's answer in one line: its label, then the parts (money, chance, children), then the warnings
    that apply (each shown after the marker)."""

    scenario: str
    baseline: str
    label: str
    parts: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def rest(self) -> str:
        """Everything after the label (plain text)."""
        return SEPARATOR.join([*self.parts, *(f"{WARNING_MARK} {w}" for w in self.warnings)])

    def __str__(self) -> str:
        return f"{self.label}: {self.rest}"


def _millions(x: float, lang: str) -> str:
    return fixed_decimals(float(x) / 1e6, lang, 1)


def money_part(row: Mapping, lang: str) -> str:
    """'net saving 12.3 m DKK (5-95 %: −3.1 to 25.0)': the NPV in millions with its band (a loss is negative)."""
    npv = f"{_millions(row['npv_dkk'], lang)} {money_axis_label(lang, 1e6)}"
    return text("line_npv", lang).format(npv=npv, lo=_millions(row["npv_p05_dkk"], lang),
                                         hi=_millions(row["npv_p95_dkk"], lang))


def chance_part(row: Mapping, lang: str) -> str | None:
    prob = row.get("prob_net_saving")
    if prob is None or pd.isna(prob):
        return None
    said = text("line_chance", lang).format(p=format_percent(prob, lang))
    return said + _chance_precision(row, lang)


def _chance_precision(row: Mapping, lang: str) -> str:
    """' (± 4.6 points, 100 runs)' after a run to a precision, ' (20 runs)' after a fixed number, '' when the row
    does not say: a chance from 20 runs and one pinned by 200 should not read alike."""
    runs, error = row.get("replications"), row.get("prob_mc_error")
    if runs is None or pd.isna(runs):
        return ""
    if error is None or pd.isna(error):
        return text("line_chance_runs", lang).format(n=int(runs))
    return text("line_chance_error", lang).format(n=int(runs), error=fixed_decimals(100 * float(error), lang, 1))


def _headline_rank(metric: str) -> int:
    return HEADLINE_OUTCOMES.index(metric) if metric in HEADLINE_OUTCOMES else len(HEADLINE_OUTCOMES)


def _of_pair(outcomes: pd.DataFrame, alternative: str, baseline: str | None) -> pd.DataFrame:
    mine = outcomes["scenario"] == alternative
    if baseline is not None:
        mine &= outcomes["baseline"] == baseline
    return outcomes[mine]


def children_change(outcomes: pd.DataFrame | None, alternative: str, baseline: str | None = None) -> Mapping | None:
    """The alternative's outcome row that speaks for the children first: a clear worse before a clear better,
    each in the headline order; None when no outcome changes clearly (or the run has no outcomes)."""
    if outcomes is None or outcomes.empty:
        return None
    mine = _of_pair(outcomes, alternative, baseline)
    for verdict in VERDICT_ORDER:
        hits = mine[mine["verdict"] == verdict]
        if not hits.empty:
            ranks = [_headline_rank(m) for m in hits["metric"]]
            return hits.iloc[ranks.index(min(ranks))].to_dict()
    return None


def change_words(row: Mapping, lang: str, scenario: Scenario | None = None) -> str:
    """'Placement breakdowns −3.1 [−5.0; −1.2]'; shares in percentage points, named after the band."""
    metric = row["metric"]
    sep = "; " if lang == "da" else ", "
    band = f"[{signed_change(row['diff_p05'], metric, lang)}{sep}{signed_change(row['diff_p95'], metric, lang)}]"
    unit = f" {text('percentage_points', lang)}" if is_share(metric) else ""
    return f"{metric_label(metric, lang, scenario)} {signed_change(row['diff_mean'], metric, lang)} {band}{unit}"


def children_part(outcomes: pd.DataFrame | None, alternative: str, baseline: str | None, lang: str,
                  scenario: Scenario | None = None) -> str | None:
    """What the line says about the children against ``baseline`` (None when the run did not measure them)."""
    if outcomes is None or outcomes.empty or _of_pair(outcomes, alternative, baseline).empty:
        return None
    row = children_change(outcomes, alternative, baseline)
    if row is None:
        return text("line_no_clear_change", lang)
    return text(f"line_{row['verdict']}", lang).format(change=change_words(row, lang, scenario))


def line_warnings(summary: pd.DataFrame, alternative: str, lang: str) -> tuple[str, ...]:
    """The warnings that apply to the alternative, in short (the full sentence is in its paragraph)."""
    return (text("line_kinship", lang),) if kinship_warning(summary, alternative, lang) else ()


def answer_lines(
    results: Sequence,
    summary: pd.DataFrame,
    lang: str,
    economics: pd.DataFrame | None,
    outcomes: pd.DataFrame | None = None,
) -> list[AnswerLine]:
    """One line per policy compared (its headline discount rate, the first the economics table gives), in the
    order the scenarios were run; empty without economics."""
    if economics is None or economics.empty:
        return []
    by_name: dict[str, Scenario] = {r.scenario.name: r.scenario for r in results}
    order = list(by_name)
    pairs = economics.groupby(["scenario", "baseline"], sort=False)
    lines = []
    for (alt, base), group in sorted(pairs, key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order
                                     else len(order)):
        row = group.iloc[0].to_dict()
        parts = [money_part(row, lang), chance_part(row, lang),
                 children_part(outcomes, alt, base, lang, by_name.get(base))]
        lines.append(AnswerLine(alt, base, scenario_label(alt, lang, by_name), tuple(p for p in parts if p),
                                line_warnings(summary, alt, lang)))
    return lines
