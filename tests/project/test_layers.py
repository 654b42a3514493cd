"""The house: layers, registries and the catalogue stay consistent (see docs/developing.md).

- the import-linter contract in pyproject.toml (each layer imports only those below it) holds;
- no module imports a private name (``_x``) of another, and there are no import cycles;
- every lever setting in the registry is applied by the running model, and reads back what was written;
- every metric a run produces is in the metric catalogue, and the catalogue lists nothing a run lacks.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

import sim
from sim.model import catalogue
from sim.model.levers import LEVER_SETTINGS, STEP_LEVER_FIELDS
from sim.model.municipality import Municipality, simulate
from sim.model.population import notification_times
from sim.model.randomness import D, Draws
from sim.model.scenario import scenario_from_mapping

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sim"


def test_the_layers_contract_holds():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_no_import_cycles():
    graph = grimp.build_graph("sim", exclude_type_checking_imports=True)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append((module, *back))
    assert not cycles, f"import cycles: {cycles[:5]}"


def _private_imports(path: Path) -> list[str]:
    """``from sim.x import _name`` and ``alias._name`` where alias is a module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, module_aliases = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}: from {node.module} import {alias.name}")
                module_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sim"):
                    module_aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in module_aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_imported_across_modules():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_imports(path)]
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- levers: one registry, every entry applied


@pytest.fixture(scope="module")
def small_raw():
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    raw["population"]["aged_0_17"] *= 0.05
    raw["population"]["aged_0_22"] *= 0.05
    raw["caseworkers"]["fte"] *= 0.05
    raw["caseworkers"]["fte_changes"] = []
    raw["levers"] = []
    return raw


def _lever_value(kind: str, current: float) -> float:
    """A valid value of the kind that differs from the current one."""
    if kind == "share":
        return 0.37 if abs(current - 0.37) > 1e-9 else 0.61
    if kind == "trend":
        return 0.04 if abs(current - 0.04) > 1e-9 else -0.03
    return current * 1.5 + 1.0 if current < 1e8 else 5.0


def _all_settings(raw: dict) -> list[str]:
    steps = [st["id"] for st in raw["staircase"]]
    return [*LEVER_SETTINGS, *(f"staircase.{steps[-1]}.{name}" for name in STEP_LEVER_FIELDS)]


def test_every_lever_setting_is_applied_by_the_running_model(small_raw):
    """A lever starting on the first day of the run: by the end of that day the running model reads its
    value (settings applied while running), or the year's arrivals change (the notification rate)."""
    start = dt.date(small_raw["calendar"]["start_year"], 1, 1)
    plain = scenario_from_mapping(small_raw)
    not_applied = []
    for setting in _all_settings(small_raw):
        m = Municipality(plain, seed=3, replication=0)
        entry = LEVER_SETTINGS.get(setting) or STEP_LEVER_FIELDS[setting.rsplit(".", 1)[1]]
        if entry.attribute is None:
            value = _lever_value(entry.kind, 0.0 if entry.kind == "trend" else 10.0)
        else:
            value = _lever_value(entry.kind, m.settings.read(setting))
        raw = {**small_raw, "levers": [{"setting": setting, "value": value, "start": start.isoformat()}]}
        with_lever = scenario_from_mapping(raw)
        if entry.attribute is None:  # a trend acts from the second year: two years of arrivals
            two_years = {**raw, "calendar": {**raw["calendar"], "horizon_years": 2}}
            plain_two = {**small_raw, "calendar": two_years["calendar"]}
            before = notification_times(scenario_from_mapping(plain_two), Draws(3, 0).generator(D["arrivals"]))
            after = notification_times(scenario_from_mapping(two_years), Draws(3, 0).generator(D["arrivals"]))
            if len(before) == len(after):
                not_applied.append(setting)
            continue
        m = Municipality(with_lever, seed=3, replication=0)
        m.env.process(m.apply_levers())
        m.env.run(until=1.0 / 365.25)
        if m.settings.read(setting) != pytest.approx(value):
            not_applied.append(setting)
    assert not not_applied, f"declared as levers but not applied: {not_applied}"


def test_lever_settings_read_back_what_was_written(small_raw):
    m = Municipality(scenario_from_mapping(small_raw), seed=1, replication=0)
    for setting in _all_settings(small_raw):
        entry = LEVER_SETTINGS.get(setting) or STEP_LEVER_FIELDS[setting.rsplit(".", 1)[1]]
        if entry.attribute is None:
            continue
        value = _lever_value(entry.kind, m.settings.read(setting))
        m.write_setting(setting, value)
        assert m.settings.read(setting) == pytest.approx(value), setting


def test_screening_shares_written_by_levers_move_the_outcome_table(small_raw):
    m = Municipality(scenario_from_mapping(small_raw), seed=1, replication=0)
    before = list(m.settings.screening_cumulative)
    m.write_setting("screening.share_closed_after_advice", 0.6)
    after = m.settings.screening_cumulative
    assert after[1] - after[0] == pytest.approx(0.6)
    assert after != before


# ---------------------------------------------------------------- the metric catalogue


def test_every_metric_a_run_produces_is_in_the_catalogue_and_the_catalogue_lists_them_all(small_raw):
    scenario = scenario_from_mapping(small_raw)
    produced = {metric for _, metric, _ in simulate(scenario, seed=1, replication=0).rows}
    unknown = sorted(m for m in produced if catalogue.metric(m) is None)
    assert not unknown, f"produced but not in the catalogue: {unknown}"
    expected = set(catalogue.names([st.id for st in scenario.staircase]))
    assert produced == expected


def test_catalogue_entries_are_well_formed():
    for entry in catalogue.METRICS:
        assert entry.kind in catalogue.KINDS, entry
        assert entry.label_en and entry.label_da, entry
        assert ("{}" in entry.label_en) == entry.per_step, entry
        assert dataclasses.is_dataclass(entry)
    assert catalogue.is_money("cost.foster_family") and catalogue.is_money("cost_total")
    assert catalogue.is_share("reviews_on_time_share") and not catalogue.is_share("caseload")
    assert catalogue.is_ratio("caseload") and catalogue.is_ratio("cost_per_child_0_17")
    assert not catalogue.is_ratio("children_placed") and not catalogue.is_ratio("caseworker_fte")
    assert catalogue.metric("stock.Not-A-Step") is None
