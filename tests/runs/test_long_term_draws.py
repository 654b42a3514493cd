"""A run draws per replication when the long-term value has ranges, even without ``assumptions:``, so one band
carries chance, the effects and the long-term value; fixed assumptions keep them all as written, and drawing
for the long term alone changes no model number."""

from __future__ import annotations

from pathlib import Path

from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.runs.assumptions import draws_for, long_term_uncertain

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def scenario(enabled: bool = True, low: float = 0.5, high: float = 1.5, assumptions: bool = False):
    raw = resolve_raw(BASELINE)
    if not assumptions:
        raw["assumptions"] = {}
    raw["long_term"] = {"enabled": enabled, "profiles": [
        {"id": "p", "metric": "placement_breakdowns", "service": "s", "units_per_year": [1.0], "grade": "pilot",
         "source": "constructed", "low": low, "high": high}],
        "prices": [{"service": "s", "dkk": {"region": 10.0}, "grade": "pilot", "source": "constructed"}]}
    return scenario_from_mapping(raw, "test")


def test_long_term_ranges_are_drawn_without_other_assumptions():
    sc = scenario()
    assert long_term_uncertain(sc)
    draws = draws_for([sc], fixed=False)
    assert draws is not None
    assert draws.drawn(sc, seed=1, replication=0) == {}  # nothing in the model itself is drawn
    assert draws.for_replication(sc, 1, 0).model_dump(exclude={"assumptions"}) == sc.model_dump(
        exclude={"assumptions"})


def test_fixed_assumptions_or_no_range_or_off_draw_nothing():
    assert draws_for([scenario()], fixed=True) is None
    assert not long_term_uncertain(scenario(low=1.0, high=1.0))
    assert draws_for([scenario(low=1.0, high=1.0)], fixed=False) is None
    assert draws_for([scenario(enabled=False)], fixed=False) is None
