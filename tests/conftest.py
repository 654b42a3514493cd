"""Shared fixtures: the baseline scenario as a plain mapping, shrunk for tests, and a builder with overrides."""

from __future__ import annotations

import copy
from collections import defaultdict
from pathlib import Path

import pytest

from sim.model.scenario import Scenario, resolve_raw, scenario_from_mapping

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"

# Fixtures that run whole commands or many replications: a test using one belongs to the full suite only
# (`pytest -m "not slow"` is the fast loop; CI and the README's command run everything).
SLOW_FIXTURES = frozenset({"run_en", "run_da", "small_run", "mm3", "both", "recovery", "first_year"})


# The longest test files first (seconds measured on 2 workers, 2026-12-01), so that with `-n auto --dist loadfile
# --no-loadscope-reorder` (one file per worker at a time, handed out in collection order; without the last
# option xdist sorts files by their number of tests instead) no long file starts last while the other worker
# sits idle: longest-first is the classic greedy balance of jobs over machines.
LONGEST_FIRST = (
    "test_policy_levers.py",     # 116
    "test_calibrate_cli.py",     # 116
    "test_calibration.py",       # 96
    "test_cli.py",               # 86
    "test_caseworker_time.py",   # 86
    "test_demand.py",            # 76
    "test_app_browser.py",       # 58
    "test_equivalence.py",       # 54
    "test_forecast.py",          # 51
    "test_monotonicity.py",      # 49
    "test_executors.py",         # 45
    "test_abc_backtest.py",      # 43
    "test_sensitivity.py",       # 43
    "test_report.py",            # 43
    "test_app.py",               # 36
    "test_reproducibility.py",   # 36
)


def _file_rank(item) -> int:
    name = item.path.name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_file_rank)  # stable: within a file, and among the other files, the collected order


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
