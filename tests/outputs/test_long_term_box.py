"""The report's box "Beyond the municipality's budget (illustrative)": built from economics.csv's long-term
columns, with SØM's warning and the confidence grades, apart from the municipal table and absent when off."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.economics import economics
from sim.analysis.long_term import long_term_table, with_long_term
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.outputs.labels import text
from sim.outputs.report import SECTIONS, economics_display, long_term_box, long_term_grades
from tests.commands import cli

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SECTION = {
    "enabled": True,
    "profiles": [
        {"id": "care_years", "metric": "child_years", "step_kind": "placement", "service": "bed_day",
         "units_per_year": [2.0, 1.0], "grade": "pilot", "source": "a constructed study", "label_en": "Care years",
         "label_da": "Anbringelsesår", "illustrative": True},
        {"id": "at_18", "metric": "reached_18", "service": "bed_day", "units_per_year": [1.0], "grade": "register",
         "source": "constructed"},
    ],
    "prices": [{"service": "bed_day", "dkk": {"region": 100.0, "stat": 50.0}, "grade": "register",
                "source": "a constructed price"}],
}


def baseline(enabled: bool = True):
    raw = resolve_raw(BASELINE)
    raw["long_term"] = {**SECTION, "enabled": enabled}
    return scenario_from_mapping(raw, "test")


def tables(enabled: bool = True):
    rows = []
    for r in range(4):
        for year in (2027, 2028):
            rows += [("baseline", r, year, "child_years.institution", 10.0),
                     ("policy", r, year, "child_years.institution", 9.0 - r * 0.1),
                     ("baseline", r, year, "cost_total", 1e6), ("policy", r, year, "cost_total", 9e5)]
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    scenario = baseline(enabled)
    municipal = economics(table, "baseline", 0.035, 2027)
    return municipal, with_long_term(municipal, long_term_table(table, scenario)), {"baseline": scenario}


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_box_shows_the_actors_the_warning_and_the_grades(lang):
    _, econ, by_name = tables()
    page = "\n".join(long_term_box(econ, lang, by_name))
    assert html.escape(text("lt_title", lang)) in page
    assert ("(illustrative)" if lang == "en" else "(illustrativt)") in page
    assert "aldrig stå alene" in page if lang == "da" else "never stand alone" in page
    assert text("lt_actor_region", lang) in page and text("lt_actor_stat", lang) in page
    assert text("lt_actor_kommune", lang) not in page  # no price reaches the municipality
    assert text("grade_pilot", lang) in page and ("Care years" if lang == "en" else "Anbringelsesår") in page
    assert "at_18" in page  # left out: the run does not report children reaching 18
    assert text("lt_illustrative", lang) in page


def test_the_grades_list_only_the_numbers_used():
    _, econ, by_name = tables()
    grades = long_term_grades(econ, "en", by_name)
    assert list(grades[text("lt_number", "en")]) == ["Care years", "Price of bed_day"]


def test_the_box_is_absent_when_off():
    municipal, econ, by_name = tables(enabled=False)
    assert econ is municipal
    assert long_term_box(econ, "en", by_name) == []
    assert long_term_box(None, "en", by_name) == []


def test_the_municipal_table_is_the_same_with_or_without_the_box():
    municipal, econ, by_name = tables()
    pd.testing.assert_frame_equal(economics_display(municipal, "en", by_name), economics_display(econ, "en", by_name))


def test_the_box_is_its_own_section_after_the_answers():
    names = [s.__name__ for s in SECTIONS]
    assert names.index("_long_term_section") == names.index("_with_each_answer_section") + 1


@pytest.mark.slow
def test_compare_adds_the_box_and_columns_and_keeps_the_municipal_npv(tmp_path):
    policy = (ROOT / "scenarios" / "more-caseworkers.yaml").read_text().replace("extends: baseline.yaml",
                                                                                 "extends: base.yaml")
    answers = {}
    for on in (False, True):
        folder = tmp_path / ("on" if on else "off")
        folder.mkdir()
        section = f"long_term: {{enabled: true, file: {ROOT / 'calibration' / 'long_term_illustrative.yaml'}}}\n"
        (folder / "base.yaml").write_text(f"extends: {BASELINE}\nname: baseline\n" + (section if on else ""))
        (folder / "policy.yaml").write_text(policy)
        proc = cli("compare", folder / "base.yaml", folder / "policy.yaml", "-n", 3, "--years", 2, "--workers", 1,
                   "--out", folder / "out")
        assert proc.returncode == 0, proc.stderr
        answers[on] = (pd.read_csv(folder / "out" / "economics.csv"),
                       (folder / "out" / "report.html").read_text(encoding="utf-8"))
    (off, off_page), (on, on_page) = answers[False], answers[True]
    assert "long_term_region_npv_dkk" in on and not any(c.startswith("long_term") for c in off)
    pd.testing.assert_frame_equal(on[list(off.columns)], off)
    assert 'class="long-term"' in on_page and 'class="long-term"' not in off_page
