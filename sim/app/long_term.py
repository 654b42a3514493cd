"""The Answer page's box "Beyond the municipality's budget (illustrative)": the other public actors' long-term
value of each policy, with its confidence grades and SØM's warning, apart from the municipal answer. The same
tables and words as the report's box (sim.outputs.report.long_term); None when the run did not value the long
term, so the page shows nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.app.jobs import Answer
from sim.app.texts import t
from sim.outputs.report import long_term_display, long_term_grades, long_term_notes


@dataclass(frozen=True)
class LongTermBox:
    """What the box shows: its title, SØM's warning, the value per policy and actor, the other sentences, and the
    confidence grades of the numbers behind it (None when the baseline is not at hand)."""

    title: str
    warning: str
    table: pd.DataFrame
    notes: list[str]
    grades_title: str
    grades: pd.DataFrame | None


def long_term_box(answer: Answer, lang: str) -> LongTermBox | None:
    """The box of a complete answer; None when the baseline's ``long_term:`` was off."""
    by_name = {r.scenario.name: r.scenario for r in answer.results}
    table = long_term_display(answer.economics, lang, by_name)
    if table is None:
        return None
    notes = long_term_notes(answer.economics, lang, by_name)
    return LongTermBox(t("lt_title", lang), notes[0], table, notes[1:], t("lt_grades", lang),
                       long_term_grades(answer.economics, lang, by_name))
