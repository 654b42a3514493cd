"""Hostile and careless inputs, generated: a property-based fuzzer of scenario files, and a scan of
everything a register run writes and says for CPR-like strings.

The fuzzer (hypothesis) mutates a small valid scenario: keys deleted, values of other types, extreme, scaled and
non-finite numbers, impossible dates, odd encodings and broken bytes. Through ``boernesim validate`` and a
one-replication one-year ``boernesim run`` (which must refuse what validate refuses), every example must end in
exit 0 or in exit 2 with a message naming the file and a key or line: never a traceback ("internal error",
exit 1), a hang, or ``inf`` or ``NaN`` in the output. CI runs a fixed, derandomised set of 40 examples (about
35 s on 2 cores); a longer run, with new examples each time: ``BOERNESIM_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest
tests/inputs/test_fuzz_inputs.py -k mutated`` (300 examples took about 2.5 minutes).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
import yaml
from fuzzing import key_paths
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.model.scenario import resolve_raw

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
FUZZ_EXAMPLES = int(os.environ.get("BOERNESIM_FUZZ_EXAMPLES", "40"))
# CI runs the same examples every time; a longer hunt (the variable set) draws new ones on every run
FIXED_EXAMPLES = "BOERNESIM_FUZZ_EXAMPLES" not in os.environ
TALLY = os.environ.get("BOERNESIM_FUZZ_TALLY")  # a file to append each example's outcome to (a long hunt's count)
HANG_SECONDS = 60  # one example (a validate and a one-year run of 1,000 children) takes well under a second or two


def _small_scenario() -> dict:
    """The baseline, resolved (no ``extends:``), as a small municipality run for one year without burn-in."""
    raw = resolve_raw(BASELINE)
    raw["name"] = "fuzzed"
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    raw["population"].update(aged_0_17=1000, aged_0_22=1300)
    raw["caseworkers"]["fte"] = 2
    return raw


BASE = _small_scenario()


KEY_PATHS = key_paths(BASE)

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e-300, -1e-300, 0, -1, 2**63, 10**12, 0.5, "500.000", "2027-13-01"]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)


@st.composite
def mutations(draw) -> list[tuple[str, tuple, object]]:
    """One to three changes: ("delete", key path, None), ("set", key path, value) or ("scale", key path,
    factor) of a number."""
    changes = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(KEY_PATHS))
        kind = draw(st.sampled_from(["delete", "set", "scale"]))
        if kind == "delete":
            changes.append(("delete", path, None))
        elif kind == "scale":  # a careless but plausible number: more examples get as far as the run
            changes.append(("scale", path, draw(st.sampled_from([0, 0.5, 0.9, 1.1, 2, 10]))))
        else:
            changes.append(("set", path, draw(ODD_VALUES)))
    return changes


# changes to the file's text or bytes, after the mapping is written: a whole-file problem names no key
TEXT_CHANGES = ["none", "impossible date", "30 February", "cp1252", "utf-16", "nul byte", "truncated",
                "danish thousands", "tab indent", "base 60", "octal", "cpr in free text"]
FUZZ_CPR = "311299\u00a01234"  # in the name and a step's label of the "cpr in free text" change: never printed


def _apply(raw: dict, changes) -> dict:
    raw = copy.deepcopy(raw)
    for kind, path, value in changes:
        node = raw
        for key in path[:-1]:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            with contextlib.suppress(KeyError, IndexError, TypeError):
                if kind == "delete":
                    del node[path[-1]]
                elif kind == "scale":
                    old = node[path[-1]]
                    if isinstance(old, (int, float)) and not isinstance(old, bool):
                        node[path[-1]] = type(old)(old * value)
                else:
                    node[path[-1]] = value
    return raw


def _file_bytes(raw: dict, text_change: str, cut: float) -> bytes:
    text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    if text_change == "impossible date":
        text = re.sub(r"\b(20[0-9]{2})-01-01\b", r"\1-13-01", text, count=1)
    elif text_change == "30 February":
        text = re.sub(r"\b(20[0-9]{2})-01-01\b", r"\1-02-30", text, count=1)
    elif text_change == "danish thousands":
        text = text.replace("cost_per_fte_dkk: 500000", "cost_per_fte_dkk: 500.000")
    elif text_change == "tab indent":
        text = text.replace("\n  ", "\n\t", 1)
    elif text_change == "base 60":
        text = text.replace("horizon_years: 1\n", "horizon_years: 0:01\n", 1)
    elif text_change == "octal":
        text = text.replace("fte: 2\n", "fte: 02\n", 1)
    elif text_change == "cpr in free text":
        text = text.replace("name: fuzzed\n", f"name: fuzzed-{FUZZ_CPR.replace(chr(0xa0), '')}\n", 1)
        text = text.replace("label_en: ", f"label_en: for {FUZZ_CPR} ", 1)
    if text_change == "cp1252":
        return ("description: K\u00f8ge \u00c6r\u00f8\n" + text).encode("cp1252", errors="replace")
    if text_change == "utf-16":
        return text.encode("utf-16")
    data = text.encode("utf-8", errors="surrogatepass")
    if text_change == "nul byte":
        at = int(len(data) * cut)
        return data[:at] + b"\x00" + data[at:]
    if text_change == "truncated":
        return data[: int(len(data) * cut)]
    return data


@contextlib.contextmanager
def _no_hang(seconds: int):
    """Fail the example (instead of waiting for ever) if it takes more than ``seconds``."""

    def _alarm(signum, frame):
        raise TimeoutError(f"an example took more than {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _invoke(args: list[str]):
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    return result


KEY_OR_LINE = re.compile(r"t\.yaml(?: \(in [^)]*\))?: (?!\(top level\))[^:\n]+: ")


def _assert_clear_refusal(result, whole_file_change: bool) -> None:
    """Exit 2 with a message naming the file and (unless the whole file is at fault) a key or a line."""
    err = result.stderr
    assert result.exit_code == 2, (result.exit_code, err, result.stdout)
    assert "Traceback" not in err and "internal error" not in err, err
    assert "t.yaml" in err, err
    if not whole_file_change:
        assert KEY_OR_LINE.search(err) or re.search(r"key|line [0-9]+", err), err


def _assert_finite_outputs(out: Path) -> None:
    """No infinite number anywhere, and no 'inf' or 'nan' written as text; a mean of nothing (days per
    investigation in a year without one) stays empty, as the contract's tables have it."""
    for row in csv.DictReader((out / "summary.csv").open(encoding="utf-8")):
        for column in ("mean", "p05", "p50", "p95"):
            assert row[column] == "" or math.isfinite(float(row[column])), (row, column)
    values = pq.read_table(out / "replications.parquet").column("value").to_pylist()
    assert not any(math.isinf(v) for v in values)
    json.loads((out / "manifest.json").read_text(encoding="utf-8"), parse_constant=_refuse_constant)


def _refuse_constant(name: str):
    raise AssertionError(f"manifest.json holds {name}, which is not JSON")


# no shrinking: a failing example is reported as found (shrinking a run-through-the-CLI example took minutes)
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FIXED_EXAMPLES, database=None, print_blob=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(changes=mutations(), text_change=st.sampled_from(TEXT_CHANGES), cut=st.floats(min_value=0.05, max_value=0.95))
def test_mutated_scenarios_validate_and_run_or_are_refused_clearly(tmp_path_factory, changes, text_change, cut):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "t.yaml"
    path.write_bytes(_file_bytes(_apply(BASE, changes), text_change, cut))
    whole_file = text_change in ("cp1252", "utf-16", "nul byte", "truncated")
    with _no_hang(HANG_SECONDS):
        checked = _invoke(["validate", str(path)])
        assert "311299" not in checked.output, checked.output
        if checked.exit_code != 0:
            _assert_clear_refusal(checked, whole_file)
        out = folder / "out"  # run as well: a refused scenario must be refused by run the same way
        ran = _invoke(["run", str(path), "--replications", "1", "--years", "1", "--workers", "1", "--out", str(out)])
    assert "311299" not in ran.output, ran.output
    if ran.exit_code != 0:
        _assert_clear_refusal(ran, whole_file)
        _tally(f"{'validate and run' if checked.exit_code else 'run'} refused ({text_change})")
        return
    assert checked.exit_code == 0, ("run accepted what validate refused", checked.output)
    _assert_finite_outputs(out)
    if text_change == "cpr in free text":  # the text files (the binary ones: tests/inputs/test_private_text.py)
        assert not [p.name for p in out.rglob("*") if p.suffix in (".csv", ".json", ".html")
                    and "311299" in p.read_text(encoding="utf-8")]
    _tally(f"ran ({text_change})")


def _tally(outcome: str) -> None:
    if TALLY:
        with open(TALLY, "a", encoding="utf-8") as f:
            f.write(outcome + "\n")


# ---------------------------------------------------------------- CPR-like strings in a register run

CPR_FORMS = ["0102031234", "010203-1234", "01.02.03-1234", "010203/1234", "01-02-03-1234", "010203 1234"]
# any of the forms, and their digits alone (a form normalised before it was written would still leak)
CPR_ANYWHERE = re.compile(r"(?<![0-9])[0-9]{2}([.\-]?)[0-9]{2}\1[0-9]{2}[-/ ]?[0-9]{4}(?![0-9])")


def _texts_of(path: Path) -> list[str]:
    """The text of an output file, whatever its format: its strings (a number the model computed, such as
    0.1303174546, is not an identifier; case ids are strings)."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return [v for column in table.columns for v in column.to_pylist() if isinstance(v, str)] + table.column_names
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
                if isinstance(cell, str)] + book.sheetnames
    if path.suffix == ".png":
        return [path.name]
    text = path.read_text(encoding="utf-8")
    return [re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", text)]  # embedded figures are not text


@pytest.mark.slow
def test_a_register_run_writes_and_says_no_cpr_like_string(tmp_path):
    """A register named after a child, with case ids in every CPR form, run with --pseudonymise (and one
    without, refused): no output file (csv, json, html, parquet, xlsx) and no message holds a CPR-like
    string in any of the forms."""
    example = (ROOT / "calibration" / "example_case_register.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(example) if line.startswith("case_id"))
    rows = example[header + 1:]
    for i, form in enumerate(CPR_FORMS):  # the first rows get CPR-like case ids, each form once
        rows[i] = form.replace("1234", f"{1000 + i}") + rows[i][rows[i].index(","):]
    register = tmp_path / "register 0102031234.csv"
    register.write_text("\n".join([example[header], *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    common = [sys.executable, "-m", "sim.cli", "run", str(BASELINE), "--initial-cases", str(register),
              "--as-of", "2026-09-30", "--spent-to-date", "95000000", "--replications", "2", "--years", "1",
              "--workers", "1"]
    refused = subprocess.run([*common, "--out", str(tmp_path / "refused")], capture_output=True, text=True,
                             cwd=ROOT, timeout=300)
    assert refused.returncode == 2, refused.stderr
    done = subprocess.run([*common, "--pseudonymise", "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".csv", ".json", ".html", ".parquet", ".xlsx"}
    leaks = [f"{p.relative_to(out)}: {m.group(0)}" for p in written for text in _texts_of(p)
             for m in CPR_ANYWHERE.finditer(text)]
    for name, text in (("stdout", done.stdout + refused.stdout), ("stderr", done.stderr + refused.stderr)):
        leaks += [f"{name}: {m.group(0)}" for m in CPR_ANYWHERE.finditer(text)]
    assert not leaks, leaks
