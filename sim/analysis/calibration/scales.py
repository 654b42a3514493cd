"""Scales: a national history fitted as rates per 1,000 residents of the scenario's size, and a municipality
made larger for bands from more children (``projection_scale``)."""

from __future__ import annotations

import pandas as pd

from sim.analysis.calibration.spec import CalibrationSpec
from sim.data.history import value_at
from sim.model.catalogue import is_ratio
from sim.model.keypaths import get_path, set_path
from sim.model.population import population_0_17, population_0_22
from sim.model.scenario import Scenario, scenario_from_mapping


def population_metric(scale: str) -> str:
    """The history metric a rate scale is per 1,000 of: per_1000_0_17 -> population_0_17."""
    return "population_" + scale.removeprefix("per_1000_")


def scale_for(metric: str, spec: CalibrationSpec) -> str:
    """How a metric is compared: a target's own scale, else the spec's; ratios and shares (caseload, cost per
    child, ...) do not grow with residents and are always compared as they are."""
    if is_ratio(metric):
        return "absolute"
    for t in spec.targets:
        if t.metric == metric:
            return spec.scale_of(t)
    return spec.scale


def _population(scenario: Scenario, scale: str, year: int) -> float:
    return population_0_17(scenario, year) if scale == "per_1000_0_17" else population_0_22(scenario, year)


def _residents_ratio(scale: str, year: int, history: pd.DataFrame, scenario: Scenario) -> float:
    """The scenario's residents per resident of the history in ``year`` (1 for the absolute scale)."""
    if scale == "absolute":
        return 1.0
    return _population(scenario, scale, year) / value_at(history, population_metric(scale), year)


def to_model_scale(value: float, scale: str, year: int, history: pd.DataFrame, scenario: Scenario) -> float:
    """An observed count on the scenario's scale: as is, or as a rate per resident times the scenario's
    residents that year."""
    return value * _residents_ratio(scale, year, history, scenario)


def to_history_scale(value, scale: str, year: int, history: pd.DataFrame, scenario: Scenario):
    return value / _residents_ratio(scale, year, history, scenario)


def larger(scenario: Scenario, scale: int) -> Scenario:
    """The same municipality ``scale`` times larger: children, caseworkers (the duty roster too) and step
    capacities times ``scale``; rates per child, caseloads, prices and shares as they are. A history's
    scenario has no levers, FTE changes, programme costs or budgets (calibration drops them), so nothing else
    counts people or money."""
    if scale == 1:
        return scenario
    raw = scenario.model_dump(mode="json")
    for path in PEOPLE_COUNTS:
        set_path(raw, path, get_path(raw, path) * scale)
    for step in raw["staircase"]:
        if step.get("capacity") is not None:
            step["capacity"] *= scale
    return scenario_from_mapping(raw, f"<{scenario.name} x {scale}>")


# the settings :func:`larger` multiplies besides the steps' capacities
PEOPLE_COUNTS = ("population.aged_0_17", "population.aged_0_22", "caseworkers.fte", "caseworkers.duty_roster_size")


def scaled_by_projection(path: str) -> bool:
    """A key path :func:`larger` multiplies: a parameter set would overwrite it with the unscaled value."""
    return path in PEOPLE_COUNTS or (path.startswith("staircase.") and path.endswith(".capacity"))
