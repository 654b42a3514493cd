"""Nothing lost, nothing misread: one section per kind of failure that 2,100 generated hostile and careless
inputs once found. Each test reproduces the failure and checks the behaviour that holds now:
exit 2 (or a refusal) with a message naming the file and the key or line, and nothing of the user's lost.
The property-based fuzzer and the scan of a register run for CPR-like strings are in test_fuzz_inputs.py."""

from __future__ import annotations

import copy
import datetime as dt
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from commands import assert_bad_input, cli
from conftest import scaled

from sim.analysis.forecast import parse_spent
from sim.data.history import HistoryError, read_history
from sim.data.register import looks_like_cpr, read_case_register
from sim.errors import InputError, ScenarioError
from sim.model.levers import value_at
from sim.model.municipality import simulate
from sim.model.scenario import Lever, json_schema, load_scenario, resolve_raw, scenario_from_mapping
from sim.outputs.files import atomic_directory, check_out_dir
from sim.runs.experiment import check_executor
from sim.runs.runner import check_run_options

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
STEPS = ["early", "preventive", "intensive_home", "kinship_care", "foster_family", "own_room", "residential_home",
         "institution"]
AS_OF = dt.date(2026, 9, 30)
HEADER = "case_id,birth_year,step,step_start,monthly_price_dkk,last_review,investigation_start"
GOOD_ROW = "K-0001,2012,foster_family,2024-03-01,39000,2026-03-01,"


def overlay(directory: Path, text: str, name: str = "t.yaml") -> Path:
    """A scenario file that extends the shipped baseline with ``text`` (YAML lines)."""
    path = directory / name
    path.write_text(f"extends: {BASELINE}\n{text}\n", encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return str(caught.value)


def small_run_scenario(directory: Path) -> Path:
    return overlay(directory, "name: small\ncalendar: {burn_in_years: 0}\n"
                              "population: {aged_0_17: 1000, aged_0_22: 1300}\ncaseworkers: {fte: 2}", "small.yaml")


# ---------------------------------------------------------------- 1. --out never deletes a user's files


def test_a_folder_with_a_manifest_and_the_users_files_is_not_replaced(tmp_path):
    """The failure reproduced: a manifest.json of any kind made the folder count as an earlier output."""
    target = tmp_path / "w"
    (target / "src").mkdir(parents=True)
    (target / "manifest.json").write_text("{}", encoding="utf-8")
    (target / "notes.docx").write_text("x", encoding="utf-8")
    (target / "src" / "model.py").write_text("y", encoding="utf-8")
    with pytest.raises(InputError, match="--out") as caught:
        with atomic_directory(target) as tmp:
            (tmp / "summary.csv").write_text("new", encoding="utf-8")
    assert "did not write" in str(caught.value)
    assert (target / "notes.docx").read_text(encoding="utf-8") == "x"
    assert (target / "src" / "model.py").read_text(encoding="utf-8") == "y"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]  # no temporary directory left


def test_an_earlier_output_with_a_users_note_added_is_not_replaced_but_an_untouched_one_is(tmp_path):
    target = tmp_path / "out"
    for round_ in (1, 2):  # an output of ours, untouched: replaced
        with atomic_directory(target) as tmp:
            (tmp / "manifest.json").write_text(json.dumps({"tool": "boernesim"}), encoding="utf-8")
            (tmp / "summary.csv").write_text(f"round {round_}", encoding="utf-8")
    assert (target / "summary.csv").read_text(encoding="utf-8") == "round 2"
    assert "summary.csv" in json.loads((target / "manifest.json").read_text(encoding="utf-8"))["files"]
    (target / "my notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="--out"):
        check_out_dir(target)
    assert (target / "my notes.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
def test_run_into_a_foreign_folder_with_a_manifest_exits_2_and_keeps_everything(tmp_path):
    scenario = small_run_scenario(tmp_path)
    target = tmp_path / "w"
    (target / "src").mkdir(parents=True)
    (target / "manifest.json").write_text("{}", encoding="utf-8")
    (target / "notes.docx").write_text("x", encoding="utf-8")
    proc = cli("run", scenario, "--replications", 1, "--years", 1, "--workers", 1, "--out", target)
    assert_bad_input(proc, "--out", str(target))
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "notes.docx", "src"]


# ---------------------------------------------------------------- 2. Danish number formats


def test_a_price_with_a_danish_thousands_separator_is_refused_naming_key_line_and_fix(tmp_path):
    message = refusal(overlay(tmp_path, "caseworkers: {cost_per_fte_dkk: 500.000}"))
    assert "t.yaml" in message and "caseworkers.cost_per_fte_dkk" in message and "line 2" in message
    assert "500000" in message
    # not a false alarm where a number is neither money nor a count, nor on any shipped scenario
    assert load_scenario(overlay(tmp_path, "reviews: {step_down_share: 0.500}")).reviews.step_down_share == 0.5
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        if path.name != "sensitivity.yaml":
            assert load_scenario(path).name


def test_a_lever_value_with_a_danish_thousands_separator_is_refused(tmp_path):
    path = overlay(tmp_path, "levers:\n  - {setting: staircase.foster_family.price_per_year_dkk, value: 470.000, "
                             "start: 2027-01-01}")
    message = refusal(path)
    assert "levers[0].value" in message and "470000" in message


def test_a_history_count_with_a_danish_thousands_separator_is_refused(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("year,metric,value,note\n2017,notifications,117400,DST\n2018,notifications,127.754,DST\n",
                    encoding="utf-8")
    with pytest.raises(HistoryError) as caught:
        read_history(path)
    assert "line 3, column value" in str(caught.value) and "127754" in str(caught.value)


def test_a_history_count_that_is_not_whole_is_refused(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("year,metric,value\n2018,placements_started,38.5\n", encoding="utf-8")
    with pytest.raises(HistoryError, match="line 2, column value: 38.5 is not a whole number"):
        read_history(path)


# ---------------------------------------------------------------- 3. lever order does not change the answer


LEVER_KINDS = {  # one setting of each kind of lever: (setting, base, earlier value, later value)
    "share": ("reviews.step_down_share", 0.5, 0.2, 0.9),
    "positive": ("reviews.interval_months", 6.0, 3.0, 12.0),
    "nonnegative": ("notifications.per_1000_aged_0_17", 119.0, 60.0, 240.0),
    "trend": ("notifications.trend_per_year", 0.0, 0.05, -0.1),
}


@pytest.mark.parametrize("kind", sorted(LEVER_KINDS))
def test_value_at_applies_levers_of_a_setting_in_date_order_whatever_the_list_order(kind):
    setting, base, earlier_value, later_value = LEVER_KINDS[kind]
    earlier = Lever(setting=setting, value=earlier_value, start=dt.date(2027, 1, 1), ramp_months=6)
    later = Lever(setting=setting, value=later_value, start=dt.date(2028, 1, 1))
    for day in (dt.date(2027, 3, 15), dt.date(2028, 7, 1), dt.date(2030, 1, 1)):
        in_order = value_at([earlier, later], setting, base, day)
        assert value_at([later, earlier], setting, base, day) == pytest.approx(in_order), (kind, day)
    assert value_at([later, earlier], setting, base, dt.date(2028, 7, 1)) == pytest.approx(later_value)


def _quarter(baseline_raw: dict) -> dict:
    raw = scaled(baseline_raw, 0.25)
    raw["calendar"].update(burn_in_years=1, horizon_years=2)
    return raw


@pytest.mark.slow
def test_notification_levers_out_of_date_order_give_the_same_notifications(baseline_raw):
    """The failure reproduced: two notification-rate levers listed out of date order (649 notifications
    in 2028 instead of 2,381)."""
    raw = _quarter(baseline_raw)
    levers = [{"setting": "notifications.per_1000_aged_0_17", "value": 240.0, "start": "2028-01-01"},
              {"setting": "notifications.per_1000_aged_0_17", "value": 60.0, "start": "2027-01-01"}]
    notifications = []
    for order in (levers, levers[::-1]):
        scenario = scenario_from_mapping({**copy.deepcopy(raw), "levers": order}, "<test>")
        rows = simulate(scenario, 5, 0).rows
        notifications.append({y: v for y, m, v in rows if m == "notifications"})
    assert notifications[0] == notifications[1]
    assert notifications[0][2028] > 2 * notifications[0][2027]


@pytest.mark.slow
def test_a_ramp_taken_over_by_a_later_lever_is_the_same_whatever_the_list_order(baseline_raw):
    """FTEs ramping 5 -> 17 from January, then a cut to 2 over two months from 1 April: in the running model
    the cut starts from the ramp's April value whichever lever is listed first."""
    raw = _quarter(baseline_raw)
    ramp = {"setting": "caseworkers.fte", "value": 17.0, "start": "2027-01-01", "ramp_months": 12}
    cut = {"setting": "caseworkers.fte", "value": 2.0, "start": "2027-04-01", "ramp_months": 2}
    fte = []
    for order in ([ramp, cut], [cut, ramp]):
        scenario = scenario_from_mapping({**copy.deepcopy(raw), "levers": order}, "<test>")
        fte.append([v for y, m, v in simulate(scenario, 5, 0).rows if m == "caseworker_fte"])
    assert fte[0] == fte[1]


# ---------------------------------------------------------------- 4. an open quote in a history note


def test_an_unclosed_quote_in_a_note_is_refused_with_its_line(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("year,metric,value,note\n"
                    "2015,children_placed,14261,DST stock 31 Dec aged 0-22\n"
                    '2016,children_placed,14000,"DST stock 31 Dec, aged 0-22\n'
                    "2017,children_placed,13960,DST stock 31 Dec aged 0-22\n"
                    "2018,children_placed,13823,DST stock 31 Dec aged 0-22\n", encoding="utf-8")
    with pytest.raises(HistoryError) as caught:
        read_history(path)
    assert "line 3" in str(caught.value) and "quotation mark" in str(caught.value)


# ---------------------------------------------------------------- 5. mistakes people make with files


BILLION_LAUGHS = "\n".join(["a0: &a0 {x: 1, y: 2}"] + [
    f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(9)) + "}" for i in range(1, 8)])

BAD_FILES = {  # name: (bytes of the file after the `extends:` line, words the message must have)
    "month 13": (b"levers:\n  - {setting: reviews.hours, value: 2, start: 2027-13-01}", ["line 3", "YYYY-MM-DD"]),
    "30 February": (b"policy_costs:\n  - {label: x, start: 2027-02-30}", ["line 3", "2027-02-30"]),
    "cp1252": ("description: K\u00f8benhavn".encode("cp1252"), ["line 2", "UTF-8"]),
    "float tag": (b"caseworkers: {fte: !!float abc}", ["line 2", "abc"]),
    "lone surrogate": (b'description: "\\ud800"', ["description", "surrogate"]),
    "deep nesting": (b"description: " + b"[" * 3000 + b"]" * 3000, ["nested"]),
    "self alias": (b"x: &a [1, *a]", ["line 2", "alias"]),
    "billion laughs": (BILLION_LAUGHS.encode(), ["alias"]),
    "duplicate key": (b"caseworkers: {fte: 3}\ncaseworkers: {fte: 4}", ["line 3", "caseworkers", "twice"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_broken_file_is_bad_input_naming_file_and_line(tmp_path, case):
    body, words = BAD_FILES[case]
    path = tmp_path / "t.yaml"
    path.write_bytes(f"extends: {BASELINE}\n".encode() + body + b"\n")
    message = refusal(path)
    for word in ["t.yaml", *words]:
        assert word in message, (case, word, message)


def test_a_parent_file_saved_as_cp1252_is_named(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_bytes(f"extends: {BASELINE}\n".encode() + "description: \u00c6r\u00f8\n".encode("cp1252"))
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nname: child\n", encoding="utf-8")
    message = refusal(child)
    assert "parent.yaml" in message and "UTF-8" in message


@pytest.mark.parametrize("encoding", ["utf-16", "binary"])
def test_utf16_and_binary_files_are_bad_input(tmp_path, encoding):
    path = tmp_path / "t.yaml"
    text = f"extends: {BASELINE}\nname: x\n"
    path.write_bytes(text.encode("utf-16") if encoding == "utf-16" else b"\x7fELF\x02\x01\x00\x00" + bytes(range(256)))
    assert "t.yaml" in refusal(path)


def test_validate_of_a_device_is_bad_input():
    message = refusal(Path("/dev/zero"))
    assert "/dev/zero" in message and "not a regular file" in message


# ---------------------------------------------------------------- 6. values that validate and then break a run


OUT_OF_RANGE = [
    ("caseworkers: {fte: .inf}", "caseworkers.fte"),
    ("caseworkers: {fte: 1e308}", "caseworkers.fte"),
    ("population: {aged_0_17: 1e308}", "population.aged_0_17"),
    ("caseworkers: {cost_per_fte_dkk: .inf}", "caseworkers.cost_per_fte_dkk"),
    ("notifications: {per_1000_aged_0_17: 119000}", "notifications.per_1000_aged_0_17"),
    ("initial_state: {stock_per_1000_aged_0_22: {foster_family: 1e9}}", "initial_state.stock_per_1000_aged_0_22"),
    ("caseworkers: {fte_changes: [{date: 2027-01-01, fte: 25, ramp_months: 1e12}]}", "ramp_months"),
    ("reviews: {interval_months: 1e-300}", "reviews.interval_months"),
    ("caseworkers: {productive_hours_per_week: 1e-300}", "caseworkers.productive_hours_per_week"),
    ("investigation: {hours: 1e-300}", "investigation.hours"),
    ("levers:\n  - {setting: notifications.per_1000_aged_0_17, value: 119000, start: 2027-01-01}", "levers[0].value"),
    ("levers:\n  - {setting: reviews.interval_months, value: 1e-300, start: 2027-01-01}", "levers[0].value"),
    ("caseworkers: {fte: no}", "caseworkers.fte"),
    ("budget_dkk: {2027: yes}", "budget_dkk"),
]


@pytest.mark.parametrize("text,key", OUT_OF_RANGE, ids=[t for t, _ in OUT_OF_RANGE])
def test_values_outside_a_plausible_range_are_refused_naming_the_key(tmp_path, text, key):
    assert key in refusal(overlay(tmp_path, text))


def test_every_number_in_the_schema_has_an_upper_bound_stated_in_its_description():
    """Finite ranges in the JSON Schema (`boernesim schema`), each bound also said in words."""
    unbounded = []
    for model, definition in json_schema()["$defs"].items():
        for name, field in definition.get("properties", {}).items():
            options = field.get("anyOf", [field])
            numeric = [o for o in options if o.get("type") in ("number", "integer")]
            if not numeric or (model, name) == ("Lever", "value"):  # a lever: the range of its setting
                continue
            bound = numeric[0].get("maximum", numeric[0].get("exclusiveMaximum"))
            if bound is None:
                unbounded.append(f"{model}.{name} (no maximum)")
                continue
            described = field.get("description", "")
            words = {f"{bound:,}", f"{bound:g}", f"{int(bound):,}"} | ({"share"} if bound == 1 else set())
            if not any(word in described for word in words):
                unbounded.append(f"{model}.{name} (bound {bound:g} not in the description)")
    assert not unbounded, unbounded


def test_an_empty_mapping_in_a_child_clears_the_inherited_one(tmp_path):
    parent = overlay(tmp_path, "budget_dkk: {2027: 135000000}", "parent.yaml")
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {parent.name}\nbudget_dkk: {{}}\n"
                     "initial_state: {stock_per_1000_aged_0_22: {}}\n", encoding="utf-8")
    assert load_scenario(parent).budget_dkk == {2027: 135000000}
    scenario = load_scenario(child)
    assert scenario.budget_dkk == {}
    assert scenario.initial_state.stock_per_1000_aged_0_22 == {}
    assert resolve_raw(BASELINE)["initial_state"]["stock_per_1000_aged_0_22"]  # the baseline still has its stock


# ---------------------------------------------------------------- 7. litter, links and unwritable targets


def test_stale_partial_files_of_a_killed_run_are_removed_and_nothing_else(tmp_path):
    dead = 2**22 + 12345  # above Linux's default pid_max (4,194,304): no process has it
    stale_dir = tmp_path / f".result.{dead}.abc123.partial"
    stale_dir.mkdir()
    (stale_dir / "summary.csv").write_text("half", encoding="utf-8")
    stale_stream = tmp_path / f".result.replications-{dead}.parquet"
    stale_stream.write_bytes(b"half")
    theirs = tmp_path / ".result.notes"
    theirs.write_text("not ours", encoding="utf-8")
    with atomic_directory(tmp_path / "result") as tmp:
        (tmp / "summary.csv").write_text("whole", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".result.notes", "result"]


@pytest.mark.parametrize("case", ["current folder", "dangling link", "link to a folder"])
def test_out_that_is_the_current_folder_or_a_link_is_refused_and_left_alone(tmp_path, monkeypatch, case):
    (tmp_path / "real").mkdir()
    if case == "current folder":  # an empty one: there is nothing of the user's to protect, but "." is no name
        monkeypatch.chdir(tmp_path / "real")
        target = Path(".")
    else:
        target = tmp_path / "link"
        target.symlink_to(tmp_path / ("nowhere" if case == "dangling link" else "real"))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match="--out"):
        with atomic_directory(target) as tmp:
            (tmp / "summary.csv").write_text("x", encoding="utf-8")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    if case != "current folder":
        assert target.is_symlink()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_full_disk_or_an_unwritable_target_is_bad_input_naming_the_path(tmp_path, code):
    target = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        with atomic_directory(target) as tmp:
            raise OSError(code, os.strerror(code), str(tmp / "replications.parquet"))
    assert str(target) in str(caught.value) and os.strerror(code) in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_terminated_run_leaves_no_litter(tmp_path, signal_name):
    scenario = overlay(tmp_path, "name: long\ncalendar: {burn_in_years: 0}")
    target = tmp_path / "result"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", str(scenario), "--replications", "50",
                             "--years", "3", "--workers", "1", "--out", str(target)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".result.*")) and time.monotonic() < deadline:
        time.sleep(0.2)  # wait for the run to write its streamed replications
    time.sleep(1.0)
    proc.send_signal(getattr(signal, signal_name))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"], err


# ---------------------------------------------------------------- 8. personal data in messages and manifest


def _register(tmp_path: Path, *rows: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, GOOD_ROW, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("row,column,secret", [
    ("K-0002,2012,010203/1234,2024-03-01,39000,,", "step", "1234"),
    ("K-0002,2012,foster_family,2024-03-01,39000,,2026-01-01x", "investigation_start", "2026-01-01x"),
])
def test_a_register_message_names_row_and_column_but_never_the_cell(tmp_path, row, column, secret):
    with pytest.raises(InputError) as caught:
        read_case_register(_register(tmp_path, row), AS_OF, STEPS)
    message = str(caught.value)
    assert "row 2" in message and f"column {column}" in message
    assert secret not in message and "010203" not in message


def test_an_age_holding_a_cpr_number_is_not_echoed(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("case_id,age,step,step_start,monthly_price_dkk\nK-1,0102031234,foster_family,2024-03-01,39000\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_case_register(path, AS_OF, STEPS)
    assert "column age" in str(caught.value)
    assert "1.02031e+08" not in str(caught.value) and "0102031234" not in str(caught.value)


@pytest.mark.parametrize("case_id", ["01.02.03-1234", "010203/1234", "01-02-03-1234"])
def test_cpr_numbers_written_as_dates_or_with_a_slash_are_refused(tmp_path, case_id):
    assert looks_like_cpr(case_id)
    with pytest.raises(InputError, match="CPR") as caught:
        read_case_register(_register(tmp_path, f"{case_id},2012,foster_family,2024-03-01,39000,,"), AS_OF, STEPS)
    assert case_id not in str(caught.value)


def test_cpr_like_strings_in_paths_are_not_written_to_the_manifest(tmp_path):
    target = tmp_path / "out"
    with atomic_directory(target) as tmp:
        command = ["boernesim", "run", "--initial-cases", "register 0102031234.csv", "--out", "x 01.02.03-1234"]
        (tmp / "manifest.json").write_text(json.dumps({"tool": "boernesim", "command": command, "events": 1234567890}),
                                           encoding="utf-8")
    text = (target / "manifest.json").read_text(encoding="utf-8")
    assert "0102031234" not in text and "01.02.03-1234" not in text
    manifest = json.loads(text)
    assert manifest["command"][3].startswith("register ") and manifest["events"] == 1234567890


# ---------------------------------------------------------------- 9. the smaller items


@pytest.mark.parametrize("text", ["nan", "inf", "1e400", "5.28.20=nan", "5.28.20=1e400"])
def test_spent_to_date_must_be_a_finite_amount(text):
    with pytest.raises(InputError, match="--spent-to-date"):
        parse_spent(text, ["5.28.20", "5.28.21"])


def test_spent_to_date_names_a_function_given_twice():
    with pytest.raises(InputError, match="5.28.20 is given twice"):
        parse_spent("5.28.20=5,5.28.20=7", ["5.28.20", "5.28.21"])


def test_a_wrong_previous_is_refused_before_the_simulation(tmp_path):
    from sim.jobs import register_from_options

    register = _register(tmp_path)
    with pytest.raises(InputError, match="--previous"):
        register_from_options(BASELINE, register, AS_OF.isoformat(), None, False, [tmp_path / "no-such-output"])


@pytest.mark.parametrize("value", ["0", "1e-300"])
def test_a_history_population_below_one_is_refused(tmp_path, value):
    path = tmp_path / "history.csv"
    path.write_text(f"year,metric,value\n2018,population_0_17,{value}\n2018,notifications,1200\n", encoding="utf-8")
    with pytest.raises(HistoryError, match="line 2, column value"):
        read_history(path)


@pytest.mark.parametrize("replications,seed", [(1, -1), (100_000_000, 1)])
def test_seed_and_replications_out_of_range_are_bad_input(replications, seed):
    with pytest.raises(InputError, match="--seed" if seed < 0 else "--replications"):
        check_run_options(replications, None, seed)


def test_a_scheduler_that_is_not_an_address_is_bad_input():
    with pytest.raises(InputError, match="tcp://HOST:8786"):
        check_executor("dask", "not a url")
    check_executor("dask", "tcp://10.0.0.5:8786")


def test_seed_minus_one_and_a_bad_scheduler_exit_2_from_the_command(tmp_path):
    scenario = small_run_scenario(tmp_path)
    assert_bad_input(cli("run", scenario, "--seed", -1, "--out", tmp_path / "o"), "--seed")
    assert_bad_input(cli("run", scenario, "--executor", "dask", "--scheduler", "not a url", "--out", tmp_path / "o"),
                     "--scheduler")
    assert_bad_input(cli("validate", "/dev/zero"), "/dev/zero")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.yaml"]

