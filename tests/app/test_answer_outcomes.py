"""The app's answer shows what happens to the children, as the report's first table does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.analysis.outcomes import OUTCOME_COLUMNS
from sim.app import answer as answers
from sim.app.jobs import Answer
from sim.app.texts import t
from sim.runs.runner import COLUMNS, RunResult, with_horizon

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _answer(outcomes: pd.DataFrame | None) -> Answer:
    base = with_horizon(sim.load_scenario(BASELINE), 2)
    alt = base.model_copy(update={"name": "policy", "label": None})
    results = [RunResult(scenario=s, table=pd.DataFrame(columns=COLUMNS), seed=1, replications=2, wall_seconds=0.0,
                         events=0) for s in (base, alt)]
    return Answer(results, pd.DataFrame(), None, None, None, outcomes=outcomes)


def test_the_answer_shows_each_policys_outcomes_with_the_reports_caption():
    rows = [("policy", "baseline", "placement_breakdowns", "sum", 6.0, -2.0, -3.0, -1.0, "lower", "better")]
    table, caption = answers.outcomes(_answer(pd.DataFrame(rows, columns=OUTCOME_COLUMNS)), "da")
    assert list(table.columns)[-1] == "policy"
    assert table.iloc[0, -1].endswith(t("verdict_better", "da"))
    assert "2027–2028" in caption and "Nuværende praksis" in caption


def test_without_a_comparison_the_answer_has_no_outcome_table():
    assert answers.outcomes(_answer(None), "en") is None
