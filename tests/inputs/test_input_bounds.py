"""Every input's cost is bounded before work starts: a growth that compounds without end, a register far
larger than the municipality and a price too large to be one are refused at once, with a message that
names the file, the key or row and column, and the bound (a sweep's range: test_number_forms.py)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from sim.data.register import read_case_register
from sim.errors import InputError, ScenarioError
from sim.jobs.request import register_from_options
from sim.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
HEADER = "case_id,birth_year,step,step_start,monthly_price_dkk,last_review,investigation_start"
STEPS = ["early", "preventive", "intensive_home", "kinship_care", "foster_family", "own_room", "residential_home",
         "institution"]


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "t.yaml"
    path.write_text(f"extends: {BASELINE}\n{text}\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert time.monotonic() - started < 30  # refused before any work, not after running out of memory
    return str(caught.value)


@pytest.mark.parametrize(("text", "key", "bound"), [
    ("calendar: {horizon_years: 50}\nnotifications: {trend_per_year: 0.5}", "notifications.trend_per_year",
     "10,000,000"),
    ("calendar: {horizon_years: 50}\nlevers:\n  - {setting: notifications.trend_per_year, value: 0.5, "
     "start: 2027-01-01}", "notifications.trend_per_year", "10,000,000"),
    ("calendar: {burn_in_years: 50}\npopulation: {growth_per_year: -0.2, aged_0_17: 1000000, aged_0_22: 1500000}",
     "population.growth_per_year", "5,000,000"),
])
def test_growth_that_compounds_past_any_municipality_is_refused_naming_key_and_bound(tmp_path, text, key, bound):
    message = _refusal(tmp_path, text)
    assert "t.yaml" in message and key in message and bound in message


def test_a_moderate_growth_over_a_long_horizon_is_still_accepted(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(f"extends: {BASELINE}\ncalendar: {{horizon_years: 50}}\nnotifications: {{trend_per_year: 0.05}}\n",
                    encoding="utf-8")
    assert load_scenario(path).calendar.horizon_years == 50


def _register(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "register.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("price", ["9" * 400, "9" * 40, "60000000"])
def test_a_register_price_too_large_to_be_one_is_refused_naming_row_and_column(tmp_path, price):
    path = _register(tmp_path, ["K-0001,2012,foster_family,2024-03-01,39000,,",
                                f"K-0002,2012,foster_family,2024-03-01,{price},,"])
    with pytest.raises(InputError, match="row 2.*monthly_price_dkk") as caught:
        read_case_register(path, dt.date(2026, 9, 30), STEPS)
    assert price not in str(caught.value)


def test_a_register_larger_than_the_municipality_is_refused_before_its_rows_are_read(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(f"extends: {BASELINE}\npopulation: {{aged_0_17: 1000, aged_0_22: 1300}}\n", encoding="utf-8")
    path = _register(tmp_path, [f"K-{i:05d},2012,foster_family,2024-03-01,39000,," for i in range(1400)])
    with pytest.raises(InputError, match="1,400 rows.*1,300 children.*population.aged_0_22") as caught:
        register_from_options(scenario, path, "2026-09-30", None, False, [])
    assert "register.csv" in str(caught.value)
