"""A run from a case register covers the as-of year through the scenario's last year, without a burn-in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import sim
from sim.errors import InputError
from sim.runs.runner import as_of_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_register_run_ends_in_the_scenarios_last_year():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    last = scenario.end_year
    for as_of in (dt.date(last - 2, 9, 30), dt.date(last, 1, 31)):
        run = as_of_scenario(scenario, as_of)
        assert run.calendar.start_year == as_of.year
        assert run.calendar.burn_in_years == 0
        assert run.end_year == last
        assert run.calendar.horizon_years == last - as_of.year + 1


def test_an_as_of_date_after_the_last_year_is_refused():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    with pytest.raises(InputError, match="after the scenario's last year"):
        as_of_scenario(scenario, dt.date(scenario.end_year + 1, 1, 1))
