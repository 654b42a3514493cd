"""Shared fixtures: the baseline scenario as a plain mapping, shrunk for tests, and a builder with overrides."""

from __future__ import annotations

import copy
import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from sim.model.scenario import Scenario, resolve_raw, scenario_from_mapping

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"

# Fixtures that run whole commands or many replications: a test using one belongs to the full suite only
# (`pytest -m "not slow"` is the fast loop; CI and the README's command run everything).
SLOW_FIXTURES = frozenset({"run_en", "run_da", "small_run", "mm3", "both", "recovery", "first_year"})


# The longest test files first, so that with `-n auto --dist loadfile --no-loadscope-reorder` (one file per
# worker at a time, handed out in collection order; without the last option xdist sorts files by their number of
# tests instead) no long file starts last while the other worker sits idle: longest-first is the classic greedy
# balance of jobs over machines. The seconds are the suite's own measurement, tests/durations.json (per file
# name, so a file keeps its entry when it moves to a subfolder), rewritten by a full run with
# `--record-durations`. A file not in it yet goes first: a short one first costs little, a long one last costs
# its whole length.
DURATIONS = Path(__file__).resolve().parent / "durations.json"
RECORD = "--record-durations"


def pytest_addoption(parser):
    parser.addoption(RECORD, action="store_true", default=False,
                     help="write each test file's seconds (setup, call and teardown of its tests) to "
                          "tests/durations.json, which orders the files longest first (whole files: no -m or -k)")


def recorded_seconds(path: Path = DURATIONS) -> dict[str, float]:
    """Seconds per test file name from the last recording (empty when there is none)."""
    if not path.is_file():
        return {}
    return {name: float(s) for name, s in json.loads(path.read_text(encoding="utf-8"))["seconds"].items()}


def file_order(name: str, seconds: dict[str, float]) -> tuple[int, float]:
    """Sort key of a test file: files without a recording first, then the longest recorded first."""
    return (0, 0.0) if name not in seconds else (1, -seconds[name])


def write_seconds(measured: dict[str, float], path: Path = DURATIONS) -> None:
    """Merge this run's seconds per file into the recording; files that no longer exist are dropped."""
    here = {p.name for p in path.parent.rglob("test_*.py")}
    seconds = {k: v for k, v in recorded_seconds(path).items() if k in here}
    seconds.update({k: round(v, 1) for k, v in measured.items()})
    body = {"note": f"seconds per test file (setup + call + teardown), written by pytest {RECORD}; "
                    "see tests/conftest.py", "seconds": dict(sorted(seconds.items()))}
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")


def pytest_configure(config):
    some_tests = config.option.markexpr or config.option.keyword or any("::" in arg for arg in config.args)
    if config.getoption(RECORD) and some_tests:
        raise pytest.UsageError(f"{RECORD} measures whole files: run it without -m, -k and file::test")


_SEEN: defaultdict[str, float] = defaultdict(float)  # this run's seconds per test file name


def pytest_runtest_logreport(report):
    # called on the controller too: xdist's workers send it their reports
    _SEEN[Path(report.nodeid.split("::", 1)[0]).name] += report.duration


def pytest_sessionfinish(session):
    config = session.config
    if config.getoption(RECORD) and not hasattr(config, "workerinput") and _SEEN:
        write_seconds(dict(_SEEN))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    if distributed(config):
        seconds = recorded_seconds()
        items.sort(key=lambda item: file_order(item.path.name, seconds))  # stable: a file's tests keep their order


def distributed(config) -> bool:
    """Whether the files go to xdist workers: only then does their order change the wall time, and a run in one
    process (a debugger, the mutation check with its own order) keeps the order it asked for."""
    return bool(getattr(config.option, "numprocesses", None)) or "PYTEST_XDIST_WORKER" in os.environ


def set_key(raw: dict, dotted: str, value) -> None:
    """raw['a']['b'] = value for dotted = 'a.b' (intermediate mappings must exist)."""
    *parents, last = dotted.split(".")
    node = raw
    for p in parents:
        node = node[p]
    node[last] = value


def build(raw: dict, **overrides) -> Scenario:
    """A validated Scenario from ``raw`` (not modified) with dotted-key overrides, e.g.
    ``build(raw, **{"caseworkers.fte": 30})``."""
    raw = copy.deepcopy(raw)
    for key, value in overrides.items():
        set_key(raw, key, value)
    return scenario_from_mapping(raw, "<test>")


def metric_table(rows) -> dict[str, dict[int, float]]:
    """Rows (year, metric, value) of ``simulate(...).rows`` as {metric: {year: value}}."""
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for year, metric, value in rows:
        out[metric][year] = value
    return out


@pytest.fixture
def baseline_raw() -> dict:
    """The resolved baseline mapping (a fresh copy per test)."""
    return resolve_raw(BASELINE)


@pytest.fixture
def small_raw(baseline_raw) -> dict:
    """The baseline with 1 burn-in year and 3 projected years: about 0.8 s per replication."""
    baseline_raw["calendar"]["burn_in_years"] = 1
    baseline_raw["calendar"]["horizon_years"] = 3
    return baseline_raw


def new_cases_only(raw: dict) -> dict:
    """No notifications about known children, with the notification rate cut so that as many *new* cases
    arrive as before.

    A notification about a known child goes to the known child whose own random key comes next after the
    notification's draw (``sim.model.municipality.KnownChildren``): where two scenarios differ in who is known
    (a case closed earlier, a child placed later), such notifications land on other children and the paths part
    from there. Tests that compare paths child by child switch them off, and so do tests that compare scenarios
    by paired differences, which are sized with them off. Measured 2026-12-07 (the baseline at a quarter of its
    size, 1 + 4 years, FTEs at 0.8 against 1.2 times the baseline's, 20 replications, mean days per
    investigation): the paired differences' standard deviation is 13.2 days against 15.4 unpaired with these
    notifications, 10.8 against 13.3 without."""
    n = raw["notifications"]
    n["per_1000_aged_0_17"] = n["per_1000_aged_0_17"] * (1.0 - n["share_about_known_children"])
    n["share_about_known_children"] = 0.0
    return raw


def scaled(raw: dict, factor: float) -> dict:
    """A smaller (or larger) municipality: population and caseworkers times ``factor``; rates per 1,000
    stay, so caseload and queues stay comparable."""
    raw["population"]["aged_0_17"] *= factor
    raw["population"]["aged_0_22"] *= factor
    raw["caseworkers"]["fte"] *= factor
    return raw
