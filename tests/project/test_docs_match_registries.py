"""The documents that list the model's names say what the code holds: the user guide's list of settings that can
be levers is the lever registry (``sim.model.levers``), and docs/contract.md's metric table is the metric catalogue
(``sim.model.catalogue``). A lever or metric added to the code and not to the document (or the other way round)
fails here, naming the difference."""

from __future__ import annotations

import re
from pathlib import Path

from sim.model.catalogue import METRICS
from sim.model.levers import LEVER_SETTINGS, STEP_LEVER_FIELDS

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
CONTRACT = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
STEP = "<step>"  # how both documents write "any staircase step id"


def guide_lever_settings(text: str) -> set[str]:
    """The settings named in the user guide's sentence "Settings that can be levers: ...", without the
    parenthetical remarks (which mention settings that are not levers, e.g. a price beside a share)."""
    after = text.split("Settings that can be levers:", 1)[1]
    plain = re.sub(r"\([^()]*\)", "", after)
    sentence = re.split(r"\.\s", plain, maxsplit=1)[0]
    return set(re.findall(r"`([^`]+)`", sentence))


def registry_lever_settings() -> set[str]:
    return set(LEVER_SETTINGS) | {f"staircase.{STEP}.{field}" for field in STEP_LEVER_FIELDS}


def contract_metric_names(text: str) -> set[str]:
    """The names in the first column of docs/contract.md's table under "## Metrics"."""
    section = text.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not cells[1].strip().startswith("`"):
            continue
        names.update(re.findall(r"`([^`]+)`", cells[1]))
    return names


def catalogue_metric_names() -> set[str]:
    return {f"{m.name}.{STEP}" if m.per_step else m.name for m in METRICS}


def test_the_guide_reading_finds_a_list():
    assert {"caseworkers.fte", f"staircase.{STEP}.capacity"} <= guide_lever_settings(GUIDE)
    assert guide_lever_settings("Settings that can be levers: `a.b` (not `c.d`), `e.f`. Not `g.h`.") == {
        "a.b", "e.f"}


def test_the_guides_levers_are_the_lever_registry():
    guide, registry = guide_lever_settings(GUIDE), registry_lever_settings()
    assert guide == registry, (
        f"in the registry, not in docs/user-guide.md: {sorted(registry - guide)}; "
        f"in docs/user-guide.md, not in the registry: {sorted(guide - registry)}"
    )


def test_the_contract_reading_finds_a_table():
    names = contract_metric_names(CONTRACT)
    assert {"notifications", f"cost.{STEP}", "cost_total"} <= names
    table = "## Metrics\n\n| metric | meaning |\n|---|---|\n| `a`, `b.<step>` | x `c` |\n\n## Next\n| `d` | y |\n"
    assert contract_metric_names(table) == {"a", "b.<step>"}


def test_the_contracts_metric_table_is_the_metric_catalogue():
    contract, catalogue = contract_metric_names(CONTRACT), catalogue_metric_names()
    assert contract == catalogue, (
        f"in the catalogue, not in docs/contract.md: {sorted(catalogue - contract)}; "
        f"in docs/contract.md, not in the catalogue: {sorted(contract - catalogue)}"
    )
