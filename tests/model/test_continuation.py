"""sim.model.continuation: a burn-in continued as another scenario gives that scenario's own run, row for row
and event for event, and refuses what it cannot continue."""

from __future__ import annotations

import math

import pytest

from sim.model.continuation import burn_in, continue_as, shares_burn_in
from sim.model.municipality import simulate
from sim.model.scenario import scenario_from_mapping


def _scenario(raw: dict, name: str, levers=(), **changes) -> object:
    raw = {**raw, "name": name, "levers": list(levers)}
    raw["calendar"] = {**raw["calendar"], "burn_in_years": 2, "horizon_years": 2}
    raw["population"] = {**raw["population"], "aged_0_17": raw["population"]["aged_0_17"] * 0.15,
                         "aged_0_22": raw["population"]["aged_0_22"] * 0.15}
    raw["caseworkers"] = {**raw["caseworkers"], "fte": 3.0, "fte_changes": []}
    for key, value in changes.items():
        section, field = key.split("__")
        raw[section] = {**raw[section], field: value}
    return scenario_from_mapping(raw, name)


def _same_rows(a: list[tuple], b: list[tuple]) -> bool:
    """Row for row equal, a year's undefined value (NaN: no child left care that year) equal to the other's."""
    def key(row: tuple) -> tuple:
        return tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in row)

    return [key(r) for r in a] == [key(r) for r in b]


def _lever(setting: str, start: str, **how) -> dict:
    return {"setting": setting, "start": start, **how}


@pytest.fixture
def family(baseline_raw):
    start = baseline_raw["calendar"]["start_year"]
    first, later = f"{start}-01-01", f"{start + 1}-01-01"
    base = _scenario(baseline_raw, "base")
    return base, {
        "more caseworkers at the start": _scenario(baseline_raw, "more", [_lever("caseworkers.fte", first, value=4.5)]),
        "a ramp from the second year": _scenario(
            baseline_raw, "ramp", [_lever("caseworkers.fte", later, value=2.0, ramp_months=6)]),
        "more notifications at the start": _scenario(
            baseline_raw, "busier", [_lever("notifications.per_1000_aged_0_17", first, times=1.3)]),
        "the baseline itself": base,
    }


@pytest.mark.parametrize("case", ["more caseworkers at the start", "a ramp from the second year",
                                  "more notifications at the start", "the baseline itself"])
def test_a_continued_burn_in_is_the_scenarios_own_run(family, case):
    base, others = family
    other = others[case]
    assert shares_burn_in(base, other)
    for replication in (0, 3):
        own = simulate(other, 5, replication)
        m, ends = burn_in(base, 5, replication)
        continued = continue_as(m, ends, other, 5, replication)
        assert continued is not None
        assert _same_rows(continued.rows, own.rows)
        assert continued.events == own.events


def test_scenarios_that_differ_in_a_setting_or_have_no_burn_in_do_not_share(baseline_raw, family):
    base, _ = family
    other_setting = _scenario(baseline_raw, "slower", reviews__hours=base.reviews.hours * 2)
    no_burn_in = scenario_from_mapping({**base.model_dump(mode="json"),
                                        "calendar": {**base.model_dump(mode="json")["calendar"], "burn_in_years": 0}})
    assert not shares_burn_in(base, other_setting)
    assert not shares_burn_in(no_burn_in, no_burn_in)


def test_a_scenario_that_cannot_be_continued_is_left_as_it_was(baseline_raw, family):
    base, _ = family
    other_setting = _scenario(baseline_raw, "slower", reviews__hours=base.reviews.hours * 2)
    m, ends = burn_in(base, 5, 0)
    assert continue_as(m, ends, other_setting, 5, 0) is None
    same = continue_as(m, ends, base, 5, 0)  # still the burn-in it was
    assert same.rows == simulate(base, 5, 0).rows
