"""The ``long_term:`` section of the scenario format: off by default, a file it names read under it, and bad
numbers (negative prices, unknown actors, ranges that do not hold the number, unpriced services) refused with
the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError
from sim.model.scenario import load_scenario, resolve_raw, scenario_from_mapping

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ILLUSTRATIVE = ROOT / "calibration" / "long_term_illustrative.yaml"
PROFILE = {"id": "care_years", "metric": "child_years", "service": "bed_day", "units_per_year": [1.0],
           "grade": "register", "source": "constructed"}
PRICE = {"service": "bed_day", "dkk": {"region": 100.0}, "grade": "register", "source": "constructed"}


def with_section(section: dict):
    raw = resolve_raw(BASELINE)
    raw["long_term"] = section
    return scenario_from_mapping(raw, "test")


def problems(section: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        with_section(section)
    return " ".join(f"{where}: {why}" for where, why in e.value.problems)


def test_off_by_default():
    assert not load_scenario(BASELINE).long_term.enabled


def test_a_valid_section():
    lt = with_section({"enabled": True, "profiles": [PROFILE], "prices": [PRICE]}).long_term
    assert lt.profiles[0].units_per_year == (1.0,) and lt.prices[0].dkk == {"region": 100.0}


def test_a_negative_price_is_refused():
    said = problems({"enabled": True, "profiles": [PROFILE], "prices": [{**PRICE, "dkk": {"region": -5.0}}]})
    assert "long_term.prices" in said and "negative" in said and "region" in said


def test_an_unknown_actor_is_refused():
    said = problems({"enabled": True, "profiles": [PROFILE], "prices": [{**PRICE, "dkk": {"kommunen": 5.0}}]})
    assert "unknown actor 'kommunen'" in said and "kommune, region, stat" in said


def test_a_range_must_hold_the_number():
    said = problems({"enabled": True, "profiles": [{**PROFILE, "low": 1.2, "high": 2.0}], "prices": [PRICE]})
    assert "low <= 1 <= high" in said


def test_an_unpriced_service_is_refused_when_enabled():
    said = problems({"enabled": True, "profiles": [{**PROFILE, "service": "school_year"}], "prices": [PRICE]})
    assert "no price for the service(s) school_year" in said
    assert not with_section({"enabled": False, "profiles": [{**PROFILE, "service": "x"}]}).long_term.enabled


def test_an_unknown_grade_and_a_share_above_one_are_refused():
    assert "grade" in problems({"enabled": True, "profiles": [{**PROFILE, "grade": "strong"}], "prices": [PRICE]})
    assert "deadweight" in problems({"enabled": True, "profiles": [PROFILE], "prices": [PRICE], "deadweight": 1.5})


def test_the_file_it_names_is_read_under_its_own_keys(tmp_path):
    (tmp_path / "lt.yaml").write_text(yaml.safe_dump({"long_term": {
        "horizon_years": 15, "deadweight": 0.2, "profiles": [PROFILE], "prices": [PRICE]}}))
    (tmp_path / "s.yaml").write_text(
        f"extends: {BASELINE}\nlong_term: {{enabled: true, file: lt.yaml, deadweight: 0.1}}\n")
    lt = load_scenario(tmp_path / "s.yaml").long_term
    assert lt.enabled and lt.horizon_years == 15 and lt.profiles[0].id == "care_years"
    assert lt.deadweight == 0.1  # the scenario's own key wins


def test_a_missing_file_is_named(tmp_path):
    (tmp_path / "s.yaml").write_text("long_term: {enabled: true, file: nowhere.yaml}\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(tmp_path / "s.yaml")
    assert ("long_term.file", "file 'nowhere.yaml' not found next to s.yaml") in e.value.problems


def test_the_shipped_illustrative_set_is_valid_and_every_number_says_illustrative(tmp_path):
    (tmp_path / "s.yaml").write_text(
        f"extends: {BASELINE}\nlong_term: {{enabled: true, file: {ILLUSTRATIVE}}}\n")
    lt = load_scenario(tmp_path / "s.yaml").long_term
    assert lt.profiles and lt.prices
    for number in (*lt.profiles, *lt.prices):
        assert number.illustrative and number.source.startswith("illustrative")


def test_the_reasons_have_danish_sentences():
    from sim.model.scenario import reason_in

    for section in ({"enabled": True, "profiles": [PROFILE], "prices": [{**PRICE, "dkk": {"kommunen": 5.0}}]},
                    {"enabled": True, "profiles": [PROFILE], "prices": [{**PRICE, "dkk": {"region": -5.0}}]},
                    {"enabled": True, "profiles": [{**PROFILE, "service": "x"}], "prices": [PRICE]},
                    {"enabled": True, "profiles": [{**PROFILE, "low": 1.5}], "prices": [PRICE]}):
        with pytest.raises(ScenarioError) as e:
            with_section(section)
        for _, why in e.value.problems:
            assert reason_in(why, "da") != why, why
