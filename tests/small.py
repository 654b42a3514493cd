"""Scenarios for tests that need the model's runs but not its size: a tenth of the average municipality, one
burn-in year and one year, 2 caseworkers and no levers unless given."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sim
from sim.model.scenario import scenario_from_mapping

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def small_scenario(name: str, levers: Sequence[dict] = (), fte: float = 2.0, **reviews) -> sim.Scenario:
    """The shipped baseline made small, named ``name``, with ``levers`` and ``reviews`` settings laid over it."""
    raw = sim.load_scenario(BASELINE).model_dump(mode="json")
    raw["name"] = name
    raw["calendar"].update(burn_in_years=1, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.1
    raw["caseworkers"].update({"fte": fte, "fte_changes": []})
    raw["reviews"].update(reviews)
    raw["levers"] = list(levers)
    return scenario_from_mapping(raw)
