"""The Answer page's box beyond the municipality's budget: the same table, warning and grades as the report's box,
read from economics.csv as the app reads it back; nothing when the run did not value the long term."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.economics import economics
from sim.analysis.long_term import long_term_table, with_long_term
from sim.app.jobs import Answer
from sim.app.long_term import long_term_box
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.outputs.labels import text
from sim.runs.runner import RunResult

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _answer(enabled: bool, tmp_path: Path) -> Answer:
    raw = resolve_raw(BASELINE)
    raw["long_term"] = {"enabled": enabled, "profiles": [
        {"id": "breakdowns", "metric": "placement_breakdowns", "service": "school_year", "units_per_year": [0.5],
         "grade": "assumption", "source": "illustrative: constructed", "illustrative": True}],
        "prices": [{"service": "school_year", "dkk": {"kommune": 300000.0}, "grade": "assumption",
                    "source": "illustrative: constructed", "illustrative": True}]}
    base = scenario_from_mapping(raw, "test")
    policy = base.model_copy(update={"name": "policy"})
    rows = [(s, r, y, m, v) for r in range(3) for y in (2027, 2028)
            for s, m, v in (("baseline", "placement_breakdowns", 4.0), ("policy", "placement_breakdowns", 3.0),
                            ("baseline", "cost_total", 1e6), ("policy", "cost_total", 1e6))]
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    econ = with_long_term(economics(table, "baseline", 0.035, 2027), long_term_table(table, base))
    econ.to_csv(tmp_path / "economics.csv", index=False)  # the app reads the file back
    results = [RunResult(scenario=s, table=None, seed=1, replications=3, wall_seconds=0.0, events=0)
               for s in (base, policy)]
    return Answer(results, pd.DataFrame(), None, pd.read_csv(tmp_path / "economics.csv"), None)


def test_the_box_has_the_title_warning_value_and_grades(tmp_path):
    box = long_term_box(_answer(True, tmp_path), "da")
    assert box.title == "Ud over kommunens budget (illustrativt)"
    assert "aldrig stå alene" in box.warning
    assert list(box.table[text("lt_actor", "da")]) == [text("lt_actor_kommune", "da")]
    assert box.table[text("lt_prob", "da")].iloc[0] == "100 %"  # fewer breakdowns: less special schooling
    assert text("lt_illustrative", "da") in box.notes
    assert list(box.grades[text("lt_grade", "da")]) == [text("grade_assumption", "da")] * 2


def test_no_box_when_off(tmp_path):
    assert long_term_box(_answer(False, tmp_path), "en") is None
