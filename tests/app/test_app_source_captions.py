"""The source beside every number on the Municipality page of a shipped starting point is whole and in the
chosen language: no sentence cut at a line end, no pointer to a file the user cannot see."""

from __future__ import annotations

import re

import pytest

from sim.app import building

FILE_POINTERS = re.compile(r"\.(md|yaml|csv|py)\b|provenance below|facts:|calibration/")
ENGLISH = re.compile(r"\b(the|assumption|price|found|caseworker|children|from|per)\b")


@pytest.mark.parametrize("start", ["average", "scaled"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_field_of_a_shipped_start_has_a_whole_source_in_the_language(start, lang):
    chosen = building.start_average() if start == "average" else building.start_scaled(20_000, lang)
    facts = building.read_facts()
    for path in building.settings_of(chosen.raw):
        if path.startswith("budget_dkk."):
            continue  # a budget is the user's own number
        shown = building.source_shown(chosen, path, facts, lang)
        assert shown, path
        assert shown.rstrip().endswith("."), (path, shown)  # a whole sentence, not cut at the comment's line end
        assert not FILE_POINTERS.search(shown), (path, shown)
        if lang == "da":
            assert not ENGLISH.search(shown), (path, shown)


def test_a_users_own_file_shows_its_own_comment(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text(f"extends: {building.AVERAGE}\nname: own\ncaseworkers:\n  fte: 30   # our 2026 budget\n",
                   encoding="utf-8")
    start = building.start_file(str(own))
    assert building.source_shown(start, "caseworkers.fte", {}, "da") == "our 2026 budget"
