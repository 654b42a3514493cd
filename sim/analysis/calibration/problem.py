"""The problem a calibration fits: the scenario over the fitted years, the observations on the model's scale,
what is not fitted and why; a trial's parameters set into the scenario."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.calibration.scales import larger, population_metric, scale_for, scaled_by_projection, to_model_scale
from sim.analysis.calibration.spec import CalibrationSpec, CalibrationSpecError
from sim.analysis.parameter_spec import (
    model_metric_names,
    parameter_problems,
    parameter_value,
)
from sim.data.history import split_by_model
from sim.errors import ScenarioError
from sim.model.catalogue import POPULATION_METRICS
from sim.model.keypaths import set_path
from sim.model.scenario import Scenario, scenario_from_mapping


@dataclass
class Problem:
    """What a calibration fits: the scenario over the fitted years, the observations on the model's scale."""

    spec: CalibrationSpec
    raw: dict  # the scenario mapping over the fitted years (parameters at their scenario values)
    scenario: Scenario
    history: pd.DataFrame  # the whole history (year, metric, value, note)
    observed: pd.DataFrame  # metric, year, observed (history scale), model_observed (model scale), target index
    not_fitted: pd.DataFrame  # metric, year, value, reason: rows of the history that are not fitted
    source: str = "<spec>"

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.observed["metric"])))

    @property
    def years(self) -> tuple[int, int]:
        return self.scenario.calendar.start_year, self.scenario.end_year


def _over_years(raw: dict, first: int, last: int, burn_in: int | None) -> dict:
    """The scenario mapping simulated over ``first..last``: the history already contains what happened, so a
    scenario's future levers, programme costs and budgets do not apply (dropped)."""
    raw = copy.deepcopy(raw)
    cal = raw["calendar"]
    cal.update(start_year=first, horizon_years=last - first + 1)
    if burn_in is not None:
        cal["burn_in_years"] = burn_in
    raw["levers"] = []  # DROPPED lists these
    raw["policy_costs"] = []
    raw["budget_dkk"] = {}
    raw.setdefault("caseworkers", {})["fte_changes"] = []
    return raw


def prepare(raw: dict, spec: CalibrationSpec, history: pd.DataFrame, fit_until: int | None = None,
            source: str = "<spec>", scenario_source: str = "<scenario>") -> Problem:
    """Check the spec against the scenario and history and build the problem; CalibrationSpecError or
    InputError naming what is wrong."""
    target_metrics = [t.metric for t in spec.targets]
    rows = history[history["metric"].isin(target_metrics)]
    first = spec.years.first or (int(rows["year"].min()) if not rows.empty else None)
    last = spec.years.last or (int(rows["year"].max()) if not rows.empty else None)
    if fit_until is not None and last is not None:
        last = min(last, fit_until)
    missing = [m for m in target_metrics if m not in set(history["metric"])]
    problems = [(f"targets ({m})", "the history has no rows for this metric") for m in missing]
    if first is None or last is None or first > last:
        problems.append(("years", "no history rows of the targets in the years to fit"
                                  + (f" (up to --fit-until {fit_until})" if fit_until else "")))
    for i, t in enumerate(spec.targets):
        scale = scale_for(t.metric, spec)
        if scale != "absolute" and population_metric(scale) not in set(history["metric"]):
            problems.append((f"targets[{i}] ({t.metric})", f"scale {scale} needs {population_metric(scale)} "
                                                           "rows in the history"))
    if problems:
        raise CalibrationSpecError(source, problems)
    cal_raw = _over_years(raw, first, last, spec.burn_in_years)
    try:
        scenario = scenario_from_mapping(cal_raw, scenario_source)
    except ScenarioError as e:
        reasons = "; ".join(f"{p}: {r}" for p, r in e.problems)
        raise CalibrationSpecError(source, [("years", f"over the years {first}-{last} the scenario is invalid: "
                                                      f"{reasons}")]) from None
    _check_parameters(cal_raw, spec, source)
    try:
        larger(scenario, spec.projection_scale)
    except ScenarioError as e:
        reasons = "; ".join(f"{p}: {r}" for p, r in e.problems)
        raise CalibrationSpecError(source, [("projection_scale", f"{spec.projection_scale} times the scenario is "
                                                                 f"invalid: {reasons}")]) from None
    produced = model_metric_names(scenario)
    usable, cannot = split_by_model(history, produced)
    unknown = [(f"targets[{i}] ({t.metric})", "the model does not report this metric for this scenario")
               for i, t in enumerate(spec.targets) if t.metric not in produced]
    if unknown:
        raise CalibrationSpecError(source, unknown)
    in_years = usable["year"].between(first, last)
    fitted = usable["metric"].isin(target_metrics) & in_years
    empty = [(f"targets[{i}] ({t.metric})", f"the history has no rows of this metric in the fitted years "
                                            f"{first}-{last}") for i, t in enumerate(spec.targets)
             if not (fitted & (usable["metric"] == t.metric)).any()]
    if empty:
        raise CalibrationSpecError(source, [("years", f"{first}-{last}: " + "; ".join(
            f"{where}: {why}" for where, why in empty))] if len(empty) == len(spec.targets) else empty)
    records = []
    for _, row in usable[fitted].iterrows():
        i = target_metrics.index(row["metric"])
        scale = scale_for(row["metric"], spec)
        records.append((row["metric"], int(row["year"]), float(row["value"]),
                        to_model_scale(float(row["value"]), scale, int(row["year"]), history, scenario), i))
    observed = pd.DataFrame(records, columns=["metric", "year", "observed", "model_observed", "target"])
    rest = usable[~fitted].copy()
    rest["reason"] = np.where(rest["metric"].isin(POPULATION_METRICS), "population: an input, used for rates",
                              np.where(rest["year"].between(first, last), "not a target in the spec",
                                       "outside the fitted years"))
    not_fitted = pd.concat([cannot, rest], ignore_index=True)[["metric", "year", "value", "reason"]]
    return Problem(spec=spec, raw=cal_raw, scenario=scenario, history=history, observed=observed,
                   not_fitted=not_fitted.sort_values(["metric", "year"]).reset_index(drop=True), source=source)


DROPPED = ("levers", "policy_costs", "budget_dkk", "caseworkers.fte_changes")  # see _over_years


def _check_parameters(raw: dict, spec: CalibrationSpec, source: str) -> None:
    dropped = [(f"parameters[{i}] ({p.path}).path", "calibration leaves out the scenario's levers, programme "
                "costs, budgets and FTE changes (the history already shows what happened); calibrate the setting "
                "itself") for i, p in enumerate(spec.parameters)
               if any(p.path == d or p.path.startswith(d + ".") for d in DROPPED)]
    if dropped:
        raise CalibrationSpecError(source, dropped)
    problems = parameter_problems(raw, spec.parameters, "calendar settings cannot be calibrated")
    if spec.projection_scale > 1:
        problems += [(f"parameters[{i}] ({p.path}).path", "projection_scale multiplies this setting; calibrate it "
                      "with projection_scale: 1")
                     for i, p in enumerate(spec.parameters) if scaled_by_projection(p.path)]
    if problems:
        raise CalibrationSpecError(source, problems)


def trial_scenario(problem: Problem, values: Sequence[float]) -> Scenario | None:
    raw = copy.deepcopy(problem.raw)
    for p, v in zip(problem.spec.parameters, values):
        set_path(raw, p.path, parameter_value(p, v))
    try:
        return scenario_from_mapping(raw, "<trial>")
    except ScenarioError:
        return None  # a combination of valid values can still be invalid (shares summing over 1)
