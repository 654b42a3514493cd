"""One way to read a number a person types, wherever it is typed: a sweep's --values, a spec's ranges, a
scenario file. Danish thousands separators are read as such (or refused where they are ambiguous), and
YAML 1.1's old forms (1:30 as 90, 010 as 8) and one key written twice as two numbers are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis.calibration.spec import CalibrationSpecError
from sim.analysis.calibration.spec import load_spec as load_calibration_spec
from sim.analysis.sensitivity import SpecError
from sim.analysis.sensitivity import load_spec as load_sensitivity_spec
from sim.analysis.sweep import MAX_VALUES, parse_values
from sim.errors import InputError, ScenarioError
from sim.model.scenario import load_scenario
from sim.model.scenario.numbers import number_kind

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.mark.parametrize(("setting", "typed", "values"), [
    ("caseworkers.cost_per_fte_dkk", "500.000,600.000", [500_000, 600_000]),
    ("caseworkers.cost_per_fte_dkk", "500.000:600.000:50.000", [500_000, 550_000, 600_000]),
    ("caseworkers.fte", "20;22,5;25", [20, 22.5, 25]),
    ("reviews.step_down_share", "0,1;0,2", [0.1, 0.2]),
    ("reviews.step_down_share", "0.1,0.2", [0.1, 0.2]),
])
def test_sweep_values_are_read_as_the_user_means_them(setting, typed, values):
    assert parse_values(typed, number_kind(setting)) == values


@pytest.mark.parametrize("typed", ["1:1e9:1", "1:2:1e-320", f"1:{MAX_VALUES + 1}:1", "1e400", "nan,1", "1,2,1"])
def test_sweep_values_that_cannot_be_run_are_refused_at_once(typed):
    with pytest.raises(InputError, match="--values"):
        parse_values(typed, "number")


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("path", "high"), [("caseworkers.cost_per_fte_dkk", "700.000"),
                                            ("demand.notifications.per_1000_aged_0_17", "110.000")])
def test_a_spec_range_with_a_danish_thousands_separator_is_refused(tmp_path, path, high):
    sensitivity = _spec(tmp_path, f"parameters:\n  - {{path: {path}, low: 1, high: {high}}}\n"
                                  "outputs: [{metric: cost_total}]\n")
    with pytest.raises(SpecError, match=f"'{high}'.*thousands separator") as caught:
        load_sensitivity_spec(sensitivity)
    assert "parameters[0].high" in str(caught.value) and "spec.yaml" in str(caught.value)
    national = (ROOT / "calibration" / "national" / "spec.yaml").read_text(encoding="utf-8")
    calibration = _spec(tmp_path, national.replace("high: 110", f"high: {high}", 1))
    with pytest.raises(CalibrationSpecError, match="thousands separator"):
        load_calibration_spec(calibration)


def _overlay(tmp_path: Path, text: str) -> str:
    path = tmp_path / "t.yaml"
    path.write_text(f"extends: {BASELINE}\n{text}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return str(caught.value)


@pytest.mark.parametrize(("text", "says"), [
    ("investigation: {deadline_months: 1:30}", "base-60"),
    ("caseworkers: {fte: 010}", "octal"),
    ("calendar: {horizon_years: 010}", "write 10"),
])
def test_yaml_1_1_number_forms_are_refused_naming_file_and_line(tmp_path, text, says):
    message = _overlay(tmp_path, text)
    assert says in message and "t.yaml" in message and "line 2" in message


@pytest.mark.parametrize("second", ["01", "1.0", "+1", "\"1\""])
def test_one_key_written_as_two_numbers_is_refused(tmp_path, second):
    message = _overlay(tmp_path, f"prices:\n  index:\n    1: 1.0\n    {second}: 1.1")
    assert ("appears twice" in message or "octal" in message) and "t.yaml" in message and "line 5" in message


def test_shipped_scenarios_and_specs_still_load():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        if path.name == "sensitivity.yaml":
            assert load_sensitivity_spec(path).parameters
        else:
            assert load_scenario(path).name
    for path in sorted((ROOT / "calibration").rglob("spec*.yaml")):
        assert load_calibration_spec(path).parameters
