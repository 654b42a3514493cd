"""The scenario format of docs/contract.md: ``extends:`` overlays, a frozen model, errors that name the file,
the key path and the reason, and the JSON Schema printed by ``boernesim schema``.

Everything here is in-process and fast, except the two ``schema`` tests, which start the CLI.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pydantic
import pytest
import yaml
from commands import cli as _cli

import sim
from sim.errors import InputError, ScenarioError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


# ---------------------------------------------------------------- helpers (kept in this file on purpose)


def write(path: Path, data: dict | str) -> Path:
    """Write a scenario file; a mapping is dumped as YAML, a string written as is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def overlay(tmp_path: Path, fname: str = "overlay.yaml", **parts) -> Path:
    """A file that extends the shipped baseline by absolute path and overrides ``parts``."""
    return write(tmp_path / fname, {"extends": str(BASELINE), **parts})


def baseline_mapping() -> dict:
    """The shipped baseline as a plain mapping (a fresh copy)."""
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def full_copy(tmp_path: Path, mutate, name: str = "full.yaml") -> Path:
    """A stand-alone copy of the baseline (no extends), changed by ``mutate(mapping)``: for list items such as
    staircase steps, which an overlay could only replace whole."""
    raw = baseline_mapping()
    mutate(raw)
    return write(tmp_path / name, raw)


def scenario_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    return info.value


def assert_names(err: ScenarioError, file: Path, key_path: str, *reason_words: str) -> None:
    """The message names the file, the key path and (one of) the reason words."""
    msg = str(err)
    assert file.name in msg, msg
    assert key_path in msg, msg
    if reason_words:
        assert any(w.lower() in msg.lower() for w in reason_words), msg
    # the structured form says the same as the message
    assert any(key_path in path for path, _ in err.problems), err.problems


# ---------------------------------------------------------------- loading and extends


def test_baseline_loads_as_frozen_scenario():
    sc = sim.load_scenario(BASELINE)
    assert isinstance(sc, sim.Scenario)
    assert sc.name == "baseline"
    with pytest.raises((pydantic.ValidationError, TypeError, AttributeError)):
        sc.name = "changed"
    with pytest.raises((pydantic.ValidationError, TypeError, AttributeError)):
        sc.calendar.horizon_years = 3
    with pytest.raises((pydantic.ValidationError, TypeError, AttributeError)):
        sc.staircase[0].price_per_year_dkk = 0.0
    assert sc.name == "baseline"


def test_load_accepts_str_and_path():
    assert sim.load_scenario(str(BASELINE)) == sim.load_scenario(BASELINE)


def test_extends_by_absolute_path_merges_mappings_key_by_key(tmp_path):
    base = sim.load_scenario(BASELINE)
    path = overlay(tmp_path, name="smaller", population={"aged_0_17": 2000}, calendar={"burn_in_years": 1})
    sc = sim.load_scenario(path)
    assert sc.name == "smaller"
    # overridden keys change ...
    assert sc.population.aged_0_17 == 2000
    assert sc.calendar.burn_in_years == 1
    # ... their siblings in the same mapping stay as in the baseline
    assert sc.population.aged_0_22 == base.population.aged_0_22
    assert sc.population.notified_age_shares == base.population.notified_age_shares
    assert sc.calendar.start_year == base.calendar.start_year
    assert sc.calendar.horizon_years == base.calendar.horizon_years
    # untouched parts are identical
    assert sc.staircase == base.staircase
    assert sc.caseworkers == base.caseworkers


def test_extends_by_relative_path_is_relative_to_the_file_not_the_cwd(tmp_path, monkeypatch):
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    rel = os.path.relpath(BASELINE, sub)
    path = write(sub / "rel.yaml", {"extends": rel, "name": "rel", "caseworkers": {"fte": 30}})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sc = sim.load_scenario(path)
    assert sc.caseworkers.fte == 30
    assert sc.caseworkers.cost_per_fte_dkk == sim.load_scenario(BASELINE).caseworkers.cost_per_fte_dkk


def test_extends_sibling_file_name(tmp_path, monkeypatch):
    """The form docs/contract.md shows: ``extends: baseline.yaml`` next to the file."""
    write(tmp_path / "baseline.yaml", BASELINE.read_text(encoding="utf-8"))
    path = write(tmp_path / "alt.yaml", "extends: baseline.yaml\nname: alt\nnotifications:\n  trend_per_year: 0.05\n")
    monkeypatch.chdir(ROOT)
    sc = sim.load_scenario(path)
    assert sc.name == "alt"
    assert sc.notifications.trend_per_year == 0.05
    assert sc.notifications.per_1000_aged_0_17 == sim.load_scenario(BASELINE).notifications.per_1000_aged_0_17


def test_a_file_that_only_extends_is_its_parent(tmp_path):
    """``extends:`` and nothing else: the empty rest of the file keeps all it inherits (an empty mapping clears a
    key's value, never the whole file). Only the label and description, which describe a file, are not
    inherited."""
    path = write(tmp_path / "same.yaml", {"extends": str(BASELINE)})
    own = sim.load_scenario(path).model_dump(exclude={"label", "description"})
    assert own == sim.load_scenario(BASELINE).model_dump(exclude={"label", "description"})


def test_extends_chain_lists_are_replaced_not_appended(tmp_path):
    start = sim.load_scenario(BASELINE).calendar.start_year
    parent = overlay(
        tmp_path,
        fname="parent.yaml",
        caseworkers={
            "fte_changes": [
                {"date": dt.date(start, 3, 1), "fte": 25},
                {"date": dt.date(start + 1, 3, 1), "fte": 27},
            ]
        },
        policy_costs=[{"label": "programme", "start": dt.date(start, 1, 1), "per_year_dkk": 1_000_000}],
    )
    child = write(
        tmp_path / "child.yaml",
        {
            "extends": parent.name,
            "name": "child",
            "caseworkers": {"fte_changes": [{"date": dt.date(start, 6, 1), "fte": 22}]},
        },
    )
    p, c = sim.load_scenario(parent), sim.load_scenario(child)
    assert len(p.caseworkers.fte_changes) == 2
    assert [(x.date, x.fte) for x in c.caseworkers.fte_changes] == [(dt.date(start, 6, 1), 22)]
    # the child inherits what it does not mention from both ancestors
    assert c.policy_costs == p.policy_costs
    assert c.caseworkers.fte == p.caseworkers.fte == sim.load_scenario(BASELINE).caseworkers.fte


def test_staircase_list_is_replaced_whole(tmp_path):
    steps = baseline_mapping()["staircase"]
    keep = [s for s in steps if s["id"] in ("preventive", "intensive_home", "foster_family", "institution")]
    stock = {"preventive": 20.0, "foster_family": 5.0, "institution": 2.0}
    path = overlay(
        tmp_path,
        staircase=keep,
        # a mapping inside a mapping: merged key by key with the baseline's, not replaced
        initial_state={"stock_per_1000_aged_0_22": stock},
    )
    # the staircase list was replaced (so 'early' is gone), while the baseline's stock of 'early' survived the
    # key-by-key merge of initial_state and now refers to an undefined step
    err = scenario_error(path)
    assert_names(err, path, "initial_state.stock_per_1000_aged_0_22.early", "undefined")
    # with a full replacement of that inner mapping (in a stand-alone file) the four-step staircase loads
    def four_steps(raw):
        raw["staircase"] = keep
        raw["initial_state"]["stock_per_1000_aged_0_22"] = stock
        raw["time_limited_stays"]["steps"] = ["institution"]  # the baseline also names residential_home here

    sc = sim.load_scenario(full_copy(tmp_path, four_steps))
    assert [s.id for s in sc.staircase] == ["preventive", "intensive_home", "foster_family", "institution"]


def test_circular_extends_is_an_error(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    write(a, {"extends": "b.yaml", "name": "a"})
    write(b, {"extends": "a.yaml", "name": "b"})
    err = scenario_error(a)
    assert "extends" in str(err)
    assert "circular" in str(err).lower()
    assert "a.yaml" in str(err) and "b.yaml" in str(err)


def test_self_extends_is_an_error(tmp_path):
    a = write(tmp_path / "self.yaml", {"extends": "self.yaml", "name": "self"})
    assert "circular" in str(scenario_error(a)).lower()


def test_extends_missing_parent_is_an_error(tmp_path):
    path = write(tmp_path / "orphan.yaml", {"extends": "no_such_parent.yaml", "name": "orphan"})
    err = scenario_error(path)
    assert_names(err, path, "extends", "not found")
    assert "no_such_parent.yaml" in str(err)


def test_scenario_error_is_an_input_error():
    assert issubclass(ScenarioError, InputError)


# ---------------------------------------------------------------- bad input: file, key path, reason


def test_missing_file(tmp_path):
    path = tmp_path / "does_not_exist.yaml"
    err = scenario_error(path)
    assert "does_not_exist.yaml" in str(err)
    assert "not found" in str(err).lower()


def test_invalid_yaml(tmp_path):
    path = write(tmp_path / "broken.yaml", "name: broken\ncalendar:\n  start_year: [2027\n  horizon_years: 5\n")
    err = scenario_error(path)
    msg = str(err)
    assert "broken.yaml" in msg
    assert "yaml" in msg.lower()
    assert "line" in msg.lower()  # where the problem is


def test_top_level_must_be_a_mapping(tmp_path):
    path = write(tmp_path / "list.yaml", "- 1\n- 2\n")
    assert "list.yaml" in str(scenario_error(path))


@pytest.mark.parametrize(
    "parts, key_path",
    [
        ({"notifcations": {"per_1000_aged_0_17": 100}}, "notifcations"),  # misspelt section
        ({"calendar": {"burnin_years": 1}}, "calendar.burnin_years"),  # misspelt key in a section
        ({"exits": {"aftercare": {"enabeld": False}}}, "exits.aftercare.enabeld"),  # two levels down
    ],
)
def test_unknown_key(tmp_path, parts, key_path):
    path = overlay(tmp_path, **parts)
    assert_names(scenario_error(path), path, key_path, "unknown")


@pytest.mark.parametrize(
    "parts, key_path",
    [
        ({"calendar": {"horizon_years": "ten"}}, "calendar.horizon_years"),
        ({"population": {"aged_0_17": "many"}}, "population.aged_0_17"),
        ({"caseworkers": {"fte_changes": [{"date": "next spring", "fte": 20}]}}, "caseworkers.fte_changes[0].date"),
        ({"exits": {"aftercare": {"enabled": "sometimes"}}}, "exits.aftercare.enabled"),
        ({"caseworkers": {"fte_changes": {"date": "2028-01-01", "fte": 20}}}, "caseworkers.fte_changes"),
        ({"calendar": 2027}, "calendar"),
    ],
)
def test_wrong_type(tmp_path, parts, key_path):
    path = overlay(tmp_path, **parts)
    assert_names(scenario_error(path), path, key_path, "valid", "type", "should be")


@pytest.mark.parametrize(
    "parts, key_path",
    [
        ({"notifications": {"per_1000_aged_0_17": -3}}, "notifications.per_1000_aged_0_17"),
        ({"exits": {"move_away_rate_per_year": -0.01}}, "exits.move_away_rate_per_year"),
        ({"caseworkers": {"cost_per_fte_dkk": -500000}}, "caseworkers.cost_per_fte_dkk"),
        ({"caseworkers": {"fte": -1}}, "caseworkers.fte"),
    ],
)
def test_negative_rate_or_price(tmp_path, parts, key_path):
    path = overlay(tmp_path, **parts)
    assert_names(scenario_error(path), path, key_path, "greater than or equal to 0", "negative", ">= 0")


def test_negative_step_price_names_the_step(tmp_path):
    def negative_price(raw):
        raw["staircase"][4]["price_per_year_dkk"] = -470000

    path = full_copy(tmp_path, negative_price)
    err = scenario_error(path)
    assert_names(err, path, "staircase[4]", "greater than or equal to 0", "negative")
    assert "price_per_year_dkk" in str(err)
    assert "foster_family" in str(err)  # the readable id of the list item


def test_negative_need_rate_in_a_list(tmp_path):
    def negative_rate(raw):
        raw["needs"]["levels"][1]["improvement_rate_per_year"] = -1.0

    path = full_copy(tmp_path, negative_rate)
    key = "needs.levels[1].improvement_rate_per_year"
    assert_names(scenario_error(path), path, key, "greater than or equal to 0", "negative")


@pytest.mark.parametrize(
    "parts, key_path",
    [
        ({"screening": {"share_acute": 1.5}}, "screening.share_acute"),
        ({"screening": {"share_acute": -0.1}}, "screening.share_acute"),
        ({"exits": {"aftercare": {"share": 1.5}}}, "exits.aftercare.share"),
        ({"notifications": {"share_about_known_children": 2}}, "notifications.share_about_known_children"),
        ({"reviews": {"step_down_share": -0.5}}, "reviews.step_down_share"),
    ],
)
def test_share_outside_0_1(tmp_path, parts, key_path):
    path = overlay(tmp_path, **parts)
    assert_names(scenario_error(path), path, key_path, "less than or equal to 1", "greater than or equal to 0", "share")


def test_step_uptake_share_outside_0_1(tmp_path):
    def big_share(raw):
        raw["staircase"][3]["uptake_share"] = 1.2

    path = full_copy(tmp_path, big_share)
    err = scenario_error(path)
    assert_names(err, path, "staircase[3]", "less than or equal to 1")
    assert "uptake_share" in str(err)


def test_undefined_staircase_step(tmp_path):
    path = overlay(tmp_path, initial_state={"stock_per_1000_aged_0_22": {"nonexistent_step": 1.0}})
    err = scenario_error(path)
    assert_names(err, path, "initial_state.stock_per_1000_aged_0_22.nonexistent_step", "undefined", "not defined")
    assert "nonexistent_step" in str(err)


@pytest.mark.parametrize("when", ["after", "before"])
def test_phase_in_date_outside_horizon(tmp_path, when):
    sc = sim.load_scenario(BASELINE)
    date = dt.date(sc.end_year + 1, 1, 1) if when == "after" else dt.date(sc.calendar.start_year - 1, 12, 31)
    path = overlay(tmp_path, caseworkers={"fte_changes": [{"date": date, "fte": 30}]})
    err = scenario_error(path)
    assert_names(err, path, "caseworkers.fte_changes[0].date", "outside", "horizon")
    assert date.isoformat() in str(err)


def test_phase_in_dates_at_the_edges_of_the_horizon_are_fine(tmp_path):
    sc = sim.load_scenario(BASELINE)
    first, last = dt.date(sc.calendar.start_year, 1, 1), dt.date(sc.end_year, 12, 31)
    path = overlay(tmp_path, caseworkers={"fte_changes": [{"date": first, "fte": 22}, {"date": last, "fte": 23}]})
    assert [c.date for c in sim.load_scenario(path).caseworkers.fte_changes] == [first, last]


def test_policy_cost_start_outside_horizon(tmp_path):
    sc = sim.load_scenario(BASELINE)
    late = {"label": "late", "start": dt.date(sc.end_year + 2, 1, 1), "one_off_dkk": 1}
    path = overlay(tmp_path, policy_costs=[late])
    assert_names(scenario_error(path), path, "policy_costs[0].start", "outside", "horizon")


def test_every_problem_is_reported_at_once(tmp_path):
    path = overlay(
        tmp_path,
        notifications={"per_1000_aged_0_17": -3},
        screening={"share_acute": 1.5},
        calendar={"burnin_years": 1},
    )
    err = scenario_error(path)
    msg = str(err)
    for key in ("notifications.per_1000_aged_0_17", "screening.share_acute", "calendar.burnin_years"):
        assert key in msg, msg
    assert len(err.problems) >= 3


def test_error_message_has_no_traceback_noise(tmp_path):
    path = overlay(tmp_path, screening={"share_acute": 1.5})
    msg = str(scenario_error(path))
    assert "Traceback" not in msg
    assert "pydantic" not in msg.lower()  # no library internals such as URLs to pydantic's error docs
    assert "errors.pydantic.dev" not in msg


def test_overlay_leaves_the_baseline_file_untouched(tmp_path):
    before = BASELINE.read_bytes()
    sim.load_scenario(overlay(tmp_path, caseworkers={"fte": 99}))
    assert BASELINE.read_bytes() == before
    assert sim.load_scenario(BASELINE).caseworkers.fte != 99


# ---------------------------------------------------------------- boernesim schema


@pytest.fixture(scope="module")
def schema() -> dict:
    proc = _cli("schema")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_schema_is_a_json_schema_with_the_top_level_keys(schema):
    assert schema["type"] == "object"
    top = set(baseline_mapping())
    assert top <= set(schema["properties"]), top - set(schema["properties"])
    assert "extends" in schema["properties"]
    # misspelt keys are flagged by editors too
    assert schema.get("additionalProperties") is False
    # every $ref points at a definition that exists
    defs = schema.get("$defs", {})
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/"), ref
        assert ref.split("/")[-1] in defs, ref


def test_schema_describes_nested_keys(schema):
    defs = schema["$defs"]
    text = json.dumps(defs)
    for key in ("horizon_years", "per_1000_aged_0_17", "price_per_year_dkk", "fte_changes", "stock_per_1000_aged_0_22"):
        assert key in text, key


def test_schema_is_deterministic(schema):
    assert json.loads(_cli("schema").stdout) == schema


def test_full_copy_helper_round_trips(tmp_path):
    """Sanity check of this file's helper: an unchanged stand-alone copy loads like the baseline."""
    sc = sim.load_scenario(full_copy(tmp_path, lambda raw: None))
    assert sc == sim.load_scenario(BASELINE)
    assert copy.deepcopy(baseline_mapping()) == baseline_mapping()


def test_error_in_an_extended_file_names_that_file(tmp_path):
    parent = overlay(tmp_path, "parent.yaml", calendar={"burnin": 1})
    child = write(tmp_path / "child.yaml", {"extends": "parent.yaml", "name": "child"})
    err = scenario_error(child)
    assert err.file == str(parent.resolve())
    assert_names(err, parent.resolve(), "calendar.burnin", "unknown")


def test_schema_does_not_require_keys_an_overlay_leaves_out(schema):
    def has_required(node) -> bool:
        if isinstance(node, dict):
            return "required" in node or any(has_required(v) for v in node.values())
        if isinstance(node, list):
            return any(has_required(v) for v in node)
        return False

    assert not has_required(schema)


def test_lists_in_a_loaded_scenario_cannot_be_changed_in_place():
    sc = sim.load_scenario(BASELINE)
    with pytest.raises(AttributeError):
        sc.staircase.pop()


def test_the_national_scenario_is_the_baseline_scaled_to_the_country():
    """scenarios/denmark.yaml keeps the baseline's rates and caseload: only size changes."""
    base = sim.load_scenario(BASELINE)
    dk = sim.load_scenario(BASELINE.parent / "denmark.yaml")
    factor = dk.population.aged_0_17 / base.population.aged_0_17
    # the baseline rounds national / 98 to hundreds (11,700 and 15,700), so the two ratios differ by 1.3 %
    assert dk.population.aged_0_22 / base.population.aged_0_22 == pytest.approx(factor, rel=0.02)
    assert dk.caseworkers.fte / base.caseworkers.fte == pytest.approx(factor, rel=0.01)
    assert dk.notifications == base.notifications and dk.staircase == base.staircase
