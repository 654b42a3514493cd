"""The fuzzer beyond scenario files: command-line values (sweep's --values, --spent-to-date, typed numbers),
sensitivity and calibration specs, and case registers, mutated. Each must be read or refused with a message
(InputError and its kinds), never another exception, a non-finite number or a hang; nothing is simulated, so
these run in seconds. CI runs a fixed set; ``BOERNESIM_FUZZ_EXAMPLES=N`` draws N new examples of each."""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import time
from pathlib import Path

import pytest
import yaml
from fuzzing import key_paths
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim.analysis.calibration.spec import load_spec as load_calibration_spec
from sim.analysis.forecast import parse_spent
from sim.analysis.sensitivity import load_spec as load_sensitivity_spec
from sim.analysis.sweep import MAX_VALUES, parse_values
from sim.data.register import read_case_register_bytes
from sim.errors import InputError
from sim.model.scenario.numbers import KINDS, NumberTextError, read_number

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("BOERNESIM_FUZZ_EXAMPLES", "60"))
FIXED = "BOERNESIM_FUZZ_EXAMPLES" not in os.environ
SECONDS = 10  # reading one value, spec or register of this size takes milliseconds
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=FIXED, database=None, print_blob=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

# what a person (or a spreadsheet) types into a number: digits, separators, signs, exponents, units, spaces
NUMBER_TEXT = st.lists(st.sampled_from([*"0123456789.,:;-+eE %", "\u00a0", "\u2212", "mio", "kr", "inf", "nan",
                                        "9" * 40]), max_size=16).map("".join)


def _timed(fn, *args):
    started = time.monotonic()
    try:
        return fn(*args)
    finally:
        assert time.monotonic() - started < SECONDS, ("a hang", args)


@FUZZ
@given(text=NUMBER_TEXT, kind=st.sampled_from(KINDS))
def test_a_typed_number_is_read_finite_or_refused_with_a_reason(text, kind):
    try:
        value = _timed(read_number, text, kind)
    except NumberTextError as e:
        assert e.message("da") and e.message("en")
        return
    assert math.isfinite(value)


@FUZZ
@given(text=NUMBER_TEXT, kind=st.sampled_from(KINDS))
def test_sweep_values_are_a_short_finite_list_or_refused_naming_the_option(text, kind):
    try:
        values = _timed(parse_values, text, kind)
    except InputError as e:
        assert str(e).startswith("--values")
        return
    assert 1 <= len(values) <= MAX_VALUES and all(math.isfinite(v) for v in values)
    assert len(set(values)) == len(values)


@FUZZ
@given(text=st.one_of(NUMBER_TEXT, st.builds(lambda f, v: f"{f}={v}", st.sampled_from(["5.28.22", "x", ""]),
                                             NUMBER_TEXT)))
def test_spent_to_date_is_read_finite_or_refused(text):
    try:
        spent = _timed(parse_spent, text, ["5.28.22", "5.28.23"])
    except InputError:
        return
    amounts = spent.values() if isinstance(spent, dict) else [spent]
    assert all(math.isfinite(v) for v in amounts if v is not None)


# ---------------------------------------------------------------- specs

ODD = st.one_of(st.none(), st.booleans(), st.text(max_size=8), st.integers(-(10**20), 10**20),
                st.floats(allow_nan=True, allow_infinity=True), st.lists(st.integers(-3, 3), max_size=2),
                st.sampled_from(["110.000", "1:30", "010", "3112991234", {}, [], "high", 1e308]))


def _mutated(raw: dict, changes) -> dict:
    raw = copy.deepcopy(raw)
    for delete, path, value in changes:
        node = raw
        try:
            for key in path[:-1]:
                node = node[key]
            if delete:
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return raw


SENSITIVITY = yaml.safe_load((ROOT / "scenarios" / "sensitivity.yaml").read_text(encoding="utf-8"))
CALIBRATION = yaml.safe_load((ROOT / "calibration" / "national" / "spec.yaml").read_text(encoding="utf-8"))
SPECS = {"sensitivity": (SENSITIVITY, load_sensitivity_spec), "calibration": (CALIBRATION, load_calibration_spec)}


@st.composite
def spec_changes(draw, raw: dict):
    paths = key_paths(raw)
    return [(draw(st.booleans()), draw(st.sampled_from(paths)), draw(ODD))
            for _ in range(draw(st.integers(1, 3)))]


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_mutated_specs_are_read_or_refused_naming_the_file(tmp_path_factory, kind):
    raw, load = SPECS[kind]

    @FUZZ
    @given(changes=spec_changes(raw), raw_text=st.booleans())
    def check(changes, raw_text):
        path = tmp_path_factory.mktemp("spec") / "spec.yaml"
        text = yaml.safe_dump(_mutated(raw, changes), sort_keys=False, allow_unicode=True)
        path.write_text(text.replace("'", "") if raw_text else text, encoding="utf-8")  # unquoted: 1:30 as YAML reads
        try:
            spec = _timed(load, path)
        except InputError as e:
            assert "spec.yaml" in str(e) and "311299" not in str(e), str(e)
            return
        assert "311299" not in spec.model_dump_json()

    check()


# ---------------------------------------------------------------- registers

REGISTER = (ROOT / "calibration" / "example_case_register.csv").read_text(encoding="utf-8").splitlines()
STEPS = ["early", "preventive", "intensive_home", "kinship_care", "foster_family", "own_room", "residential_home",
         "institution"]
CELL = st.one_of(st.text(max_size=10), NUMBER_TEXT, st.sampled_from(
    ["", "2026-02-30", "31.12.2025", "9" * 400, "1e999", "-1", "3112991234", "311299\u00a01234", "3.112991234E+09",
     "\"a,b\"", "foster_family", "NaN", "2100-01-01"]))


@st.composite
def register_changes(draw):
    lines = list(REGISTER)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        cells = lines[at].split(",")
        action = draw(st.sampled_from(["cell", "cell", "drop line", "repeat line", "drop column", "extra cell"]))
        if action == "cell":
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CELL)
            lines[at] = ",".join(cells)
        elif action == "drop line":
            del lines[at]
        elif action == "repeat line":
            lines[at:at] = [lines[at]] * draw(st.integers(1, 50))
        elif action == "drop column":
            lines = [",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in lines]
        else:
            lines[at] += "," + draw(CELL)
        if not lines:
            break
    return lines


@FUZZ
@given(lines=register_changes(), pseudonymise=st.booleans(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_mutated_registers_are_read_or_refused_naming_row_and_column(lines, pseudonymise, encoding):
    raw = "\n".join(lines).encode(encoding, errors="replace")
    try:
        cases = _timed(read_case_register_bytes, raw, "register 3112991234.csv", dt.date(2026, 9, 30), STEPS,
                       pseudonymise, 15_700)
    except InputError as e:
        assert "311299" not in str(e) and "register" in str(e), str(e)
        return
    assert all(math.isfinite(c.monthly_price_dkk) and 0 <= c.age <= 22 for c in cases)
