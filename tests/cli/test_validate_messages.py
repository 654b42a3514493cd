"""`boernesim validate` as a user reads it: a misspelt key gets the key it resembles ("did you mean
`fte_changes`?", from the keys valid at that path), the messages are Danish with --lang da, a long list of
problems stays short (one line for a reason many keys share, then how many more), and the last line is the
verdict: valid / gyldig, or not valid / ugyldig with the number of problems."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from commands import assert_bad_input, cli

from sim.model.scenario import Scenario
from sim.model.scenario.loading import did_you_mean, keys_at
from sim.model.scenario.messages import problem_summary

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"extends": str(BASELINE), "name": "s", **data}), encoding="utf-8")
    return path


def test_the_keys_at_a_path_come_from_the_format():
    assert "fte_changes" in keys_at(Scenario, ("caseworkers", "fte_change"))
    assert "price_per_year_dkk" in keys_at(Scenario, ("staircase", 3, "price_per_year"))  # through the list
    assert did_you_mean("fte_chages", keys_at(Scenario, ("caseworkers", "fte_chages"))) == "fte_changes"
    assert did_you_mean("zzzz", keys_at(Scenario, ("caseworkers", "zzzz"))) is None


@pytest.mark.parametrize("lang, words", [("en", "did you mean `fte_changes`?"), ("da", "mente du `fte_changes`?")])
def test_a_misspelt_key_gets_the_key_it_resembles(tmp_path, lang, words):
    path = _write(tmp_path, {"caseworkers": {"fte_change": [{"fte": 25, "date": "2027-01-01"}]}})
    proc = cli("validate", path, "--lang", lang)
    assert_bad_input(proc, "caseworkers.fte_change", words)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("boernesim: " + ("ugyldig: 1 problem" if lang == "da" else "not valid: 1 problem"))


def test_danish_messages_have_no_english_reason(tmp_path):
    path = _write(tmp_path, {"caseworkers": {"fte": -3}, "reviews": {"interval_months": 0}})
    proc = cli("validate", path, "--lang", "da")
    assert_bad_input(proc, "caseworkers.fte", "skal være mindst 0", "ugyldig: 2 problem(er)")
    assert "Input should" not in proc.stderr


def test_hundreds_of_problems_are_a_few_lines(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump({"name": "many", "population": {"aged_0_17": 1000},
                                    "staircase": [{"id": f"s{i}", "pric": 3} for i in range(40)]}), encoding="utf-8")
    proc = cli("validate", path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) <= 22, lines
    assert any("and 37 more: unknown key" in line for line in lines), lines
    total = int(lines[-1].split("not valid: ")[1].split(" ")[0])
    assert total > 300  # they were all found, and counted


def test_the_summary_stops_at_its_limit_and_says_how_many_more():
    problems = [(f"k{i}", f"reason {i}") for i in range(30)]
    lines = problem_summary(problems, "en", limit=20)
    assert len(lines) == 21 and lines[-1] == "... and 10 more problem(s) not shown"
    assert problem_summary(problems, "da", limit=20)[-1] == "... og 10 problem(er) mere, der ikke vises"


@pytest.mark.parametrize("lang, word", [("en", "# valid: "), ("da", "# gyldig: ")])
def test_a_valid_file_ends_with_the_verdict(lang, word):
    proc = cli("validate", BASELINE.parent / "more-caseworkers.yaml", "--lang", lang)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(word)
    if lang == "da":
        assert "+5 fra 2027-01-01" in proc.stdout  # the lever's effect in Danish too
