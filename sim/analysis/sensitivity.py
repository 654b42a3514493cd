"""Sensitivity analysis: which assumptions move the results, with SALib (Morris screening, Sobol indices).

A *spec* (YAML, see ``scenarios/sensitivity.yaml``) names the parameters with their ranges and the outputs:

- a **parameter** is a key path into the resolved scenario mapping: dotted keys, where a list item is
  addressed by its ``id`` (``staircase.foster_family.price_per_year_dkk``) or ``level``
  (``needs.levels.4.improvement_rate_per_year``); other list items by position (``levers.0.value``). The
  key must be set in the scenario (its value there is the *nominal* value).
- an **output** is ``{metric: M, year: last|first|sum|YEAR}`` (the mean over replications of metric M in
  that year, or summed over the projected years) or ``{npv_against: baseline}`` (the mean over replications
  of the NPV, at the sampled scenario's discount rate, of the net saving ``nominal cost_total − sampled
  cost_total``, paired per replication: positive means the sampled assumptions cost less).

The same code path analyses any function ``evaluate(rows) -> array (n_rows x n_outputs)``
(:func:`sensitivity_analysis`); the model's is :class:`ModelEvaluator`, so the tests check the indices on
analytic functions with known answers.

Simulation noise must not look like sensitivity, so:

- **common random numbers**: every sample row runs the same replications ``0 .. R-1`` with the same seed
  (one random stream per decision type per replication), so two rows differ only through their parameters;
  a parameter the output does not depend on gets an index of exactly 0 under Morris;
- the analysis works on the **mean over the R replications** of each row;
- the **noise level** is reported: ``sensitivity.csv`` rows with ``index = noise_se`` and
  ``parameter = (noise)`` give the standard error of an output's mean over the R replications, at the
  scenario's own (nominal) values; for an ``npv_against`` output (0 at the nominal values by construction)
  it is the root mean square over the sample rows of the standard error of the paired NPV. With Morris,
  rows with ``index = noise_se`` and a parameter's path give the noise of that parameter's elementary
  effects (:func:`morris_effect_noise`: per replication, so paired, then the standard error over the
  replications); the report marks a parameter whose ``mu_star`` is not above twice that as "within noise".
  With 1 replication the noise cannot be estimated and these values are empty.
"""

from __future__ import annotations

import base64
import copy
import difflib
import html
import io
import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import InputError, ScenarioError
from sim.runs.executors import map_chunks
from sim.model.keypaths import get_path, set_path
from sim.runs.runner import run_metrics
from sim.model.scenario import Scenario, _key_path, _read_yaml, _reason, scenario_from_mapping

METHODS = ("morris", "sobol")
COLUMNS = ["output", "parameter", "index", "value", "conf"]
NOISE = "(noise)"
CONF_LEVEL = 0.95
RESAMPLES = 100

Evaluate = Callable[[np.ndarray], np.ndarray]


class SpecError(ScenarioError):
    """A sensitivity spec that cannot be used; the message names the file, the key path and the reason."""

    what = "sensitivity spec"


# ---------------------------------------------------------------- the spec


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Part):
    path: str = Field(min_length=1, description="key path into the scenario, e.g. caseworkers.fte")
    low: float = Field(description="lowest value sampled")
    high: float = Field(description="highest value sampled")
    label: str = Field(default="", description="name in the report (default: the path)")
    integer: bool = Field(default=False, description="round sampled values to whole numbers")

    @field_validator("low", "high")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("high")
    @classmethod
    def _above_low(cls, high: float, info) -> float:
        low = info.data.get("low")
        if low is not None and not high > low:
            raise ValueError(f"high ({high:g}) must be above low ({low:g})")
        return high

    @property
    def name(self) -> str:
        return self.label or self.path


class Output(_Part):
    metric: str | None = Field(default=None, description="a metric of CONTRACT.md, e.g. cost_total")
    year: int | str = Field(default="last", description="last, first, sum (over the projected years) or a year")
    npv_against: Literal["baseline"] | None = Field(
        default=None, description="baseline: NPV of the net saving against the scenario at its own values"
    )
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$", description="id in the outputs")

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, v: Any) -> int | str:
        if isinstance(v, bool):
            raise ValueError("year must be last, first, sum or a calendar year such as 2030")
        if isinstance(v, int):
            return v
        if isinstance(v, str):
            if v in ("last", "first", "sum"):
                return v
            if v.strip().isdigit():
                return int(v)
        raise ValueError(f"year must be last, first, sum or a calendar year such as 2030 (got {v!r})")

    @model_validator(mode="after")
    def _one_kind(self) -> Output:
        if (self.metric is None) == (self.npv_against is None):
            raise ValueError("an output is either {metric: ..., year: ...} or {npv_against: baseline}")
        if self.npv_against is not None and "year" in self.model_fields_set:
            raise ValueError("npv_against covers the whole horizon; leave out year")
        return self

    @property
    def id(self) -> str:
        if self.name:
            return self.name
        if self.npv_against is not None:
            return f"npv_against_{self.npv_against}"
        return f"{self.metric}_{self.year}"


class MorrisSettings(_Part):
    trajectories: int = Field(default=10, ge=2, le=10000, description="Morris trajectories (each D+1 runs)")
    levels: int = Field(default=4, ge=2, le=20, description="grid levels; even numbers are best")


class SobolSettings(_Part):
    n: int = Field(default=64, ge=2, le=1 << 20, description="base sample (a power of 2); N x (D+2) runs")


class Spec(_Part):
    description: str = ""
    method: Literal["morris", "sobol"] = "morris"
    years: int | None = Field(default=None, ge=1, le=50, description="projected years (default: the scenario's)")
    burn_in_years: int | None = Field(default=None, ge=0, le=50, description="burn-in (default: the scenario's)")
    replications: int = Field(default=4, ge=1, le=10000, description="replications per sample row")
    morris: MorrisSettings = MorrisSettings()
    sobol: SobolSettings = SobolSettings()
    parameters: tuple[Parameter, ...] = Field(min_length=1)
    outputs: tuple[Output, ...] = Field(min_length=1)

    @field_validator("parameters")
    @classmethod
    def _unique_paths(cls, params: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
        listed_once([p.path for p in params], "parameter")
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise ValueError("two parameters have the same label")
        return params

    @field_validator("outputs")
    @classmethod
    def _unique_outputs(cls, outputs: tuple[Output, ...]) -> tuple[Output, ...]:
        listed_once([o.id for o in outputs], "output", " (give one a name:)")
        return outputs

    def n_for(self, method: str) -> int:
        return self.morris.trajectories if method == "morris" else self.sobol.n


def listed_once(keys: Sequence[str], what: str, hint: str = "") -> None:
    """ValueError naming the keys listed more than once (a spec's parameters, outputs, targets)."""
    twice = sorted({k for k in keys if list(keys).count(k) > 1})
    if twice:
        raise ValueError(f"{what} {', '.join(twice)} is listed more than once{hint}")


def hidden_by_its_items(err: dict, errors: list[dict]) -> bool:
    """A list whose items all failed also reports "too short"; the items' own errors say more."""
    n = len(err["loc"])
    return err["type"] == "too_short" and any(len(o["loc"]) > n and o["loc"][:n] == err["loc"] for o in errors)


def _spec_key_path(loc: tuple, raw: Any) -> str:
    """A pydantic location as a key path; parameter items also show their path."""
    return _key_path(loc, raw, label_key="path")


def _spec_reason(err: dict) -> str:
    if err["type"] == "too_short":
        return "list at least one"
    return _reason(err, keys_hint="see scenarios/sensitivity.yaml for the keys")


def spec_from_mapping(data: dict, source: str = "<spec>") -> Spec:
    """Validate a spec mapping; raises SpecError naming every problem found."""
    if not isinstance(data, dict):
        raise SpecError(source, [("", "a sensitivity spec must be a mapping of keys to values")])
    try:
        return Spec.model_validate(data)
    except ValidationError as e:
        errors = [err for err in e.errors() if not hidden_by_its_items(err, e.errors())]
        problems = [(_spec_key_path(err["loc"], data), _spec_reason(err)) for err in errors]
        raise SpecError(source, problems) from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file (the parameters are checked against a scenario by :func:`prepare`)."""
    try:
        data = _read_yaml(Path(path))
    except ScenarioError as e:
        raise SpecError(e.file, e.problems) from None
    return spec_from_mapping(data, str(path))


# ---------------------------------------------------------------- sampling and analysis (any function)


def salib_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[float(lo), float(hi)] for lo, hi in bounds]}


def rows_needed(method: str, n_parameters: int, n: int) -> int:
    """Model evaluations of a design: Morris n x (D+1), Sobol (no second order) n x (D+2)."""
    return n * (n_parameters + 1) if method == "morris" else n * (n_parameters + 2)


def check_design(method: str, n: int, levels: int = 4) -> None:
    """InputError for a design SALib cannot analyse."""
    if method not in METHODS:
        raise InputError(f"--method must be morris or sobol (got '{method}')")
    if method == "morris" and n < 2:
        raise InputError("--n (Morris trajectories) must be at least 2")
    if method == "morris" and levels < 2:
        raise InputError("Morris levels must be at least 2")
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise InputError(f"--n for Sobol must be a power of 2, such as 64 or 128 (got {n})")


def sample(
    method: str, names: Sequence[str], bounds: Sequence[tuple[float, float]], n: int, seed: int, levels: int = 4
) -> np.ndarray:
    """The sample matrix (rows x parameters): Morris trajectories or Saltelli's scheme for Sobol (first
    and total order, no second order), both reproducible from ``seed``."""
    check_design(method, n, levels)
    problem = salib_problem(names, bounds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "morris":
            from SALib.sample import morris as morris_sample

            return morris_sample.sample(problem, n, num_levels=levels, seed=seed)
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)


def analyse(
    method: str,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    X: np.ndarray,
    Y: np.ndarray,
    outputs: Sequence[str],
    seed: int,
    levels: int = 4,
) -> pd.DataFrame:
    """Indices per output and parameter: columns ``output, parameter, index, value, conf``.

    Morris: ``mu_star`` (mean absolute elementary effect, in the output's unit per the parameter's whole
    range) with ``conf`` the half-width of its 95 % bootstrap interval, and ``sigma`` (spread of the effects;
    conf empty). Sobol: ``S1`` and ``ST`` with ``conf`` the half-width of their 95 % bootstrap intervals.
    An output that does not vary at all gets Sobol indices 0; one that is not a number in some rows (e.g. a
    share with nothing to count) gets NaN indices (:func:`not_a_number_rows` tells how many rows)."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.shape != (X.shape[0], len(outputs)):
        raise ValueError(f"evaluate returned shape {Y.shape}, expected {(X.shape[0], len(outputs))}")
    problem = salib_problem(names, bounds)
    rows: list[tuple] = []
    for j, out in enumerate(outputs):
        y = Y[:, j]
        if not np.all(np.isfinite(y)):
            for p in names:
                for idx in ("mu_star", "sigma") if method == "morris" else ("S1", "ST"):
                    rows.append((out, p, idx, math.nan, math.nan))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "morris":
                from SALib.analyze import morris as morris_analyze

                res = morris_analyze.analyze(
                    problem, X, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, num_levels=levels, seed=seed
                )
                for i, p in enumerate(names):
                    rows.append((out, p, "mu_star", float(res["mu_star"][i]), float(res["mu_star_conf"][i])))
                    rows.append((out, p, "sigma", float(res["sigma"][i]), math.nan))
            else:
                from SALib.analyze import sobol as sobol_analyze

                constant = float(np.ptp(y)) == 0.0
                res = None if constant else sobol_analyze.analyze(
                    problem, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
                )
                for i, p in enumerate(names):
                    for idx in ("S1", "ST"):
                        v, c = (0.0, 0.0) if res is None else (float(res[idx][i]), float(res[f"{idx}_conf"][i]))
                        rows.append((out, p, idx, v, c))
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass
class Analysis:
    """A sample, its evaluations and the indices."""

    method: str
    parameters: list[str]
    bounds: list[tuple[float, float]]
    outputs: list[str]
    n: int
    seed: int
    levels: int
    X: np.ndarray
    Y: np.ndarray
    indices: pd.DataFrame


def sensitivity_analysis(
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    outputs: Sequence[str],
    evaluate: Evaluate,
    method: str,
    n: int,
    seed: int = 1,
    levels: int = 4,
) -> Analysis:
    """Sample, evaluate (``evaluate(rows) -> n_rows x n_outputs``) and analyse: the one code path for the
    model and for test functions."""
    X = sample(method, names, bounds, n, seed, levels)
    Y = np.asarray(evaluate(X), dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    indices = analyse(method, names, bounds, X, Y, outputs, seed, levels)
    return Analysis(method, list(names), [tuple(b) for b in bounds], list(outputs), n, seed, levels, X, Y, indices)


def not_a_number_rows(analysis: Analysis) -> dict[str, int]:
    """Outputs that could not be analysed: how many sample rows gave no number."""
    bad = np.sum(~np.isfinite(analysis.Y), axis=0)
    return {o: int(k) for o, k in zip(analysis.outputs, bad) if k}


# ---------------------------------------------------------------- the model as a function


def _metrics_needed(outputs: Sequence[Output]) -> tuple[str, ...]:
    needed = {o.metric for o in outputs if o.metric}
    if any(o.npv_against for o in outputs):
        needed.add("cost_total")
    return tuple(sorted(needed))


def output_values(table: pd.DataFrame, output: Output, scenario: Scenario, nominal: pd.DataFrame | None) -> np.ndarray:
    """One value per replication (sorted by replication) of ``output`` from a long table."""
    if output.npv_against is not None:
        from sim.analysis.economics import net_saving_matrix, npv_by_replication

        both = pd.concat([nominal.assign(scenario="nominal"), table.assign(scenario="sampled")], ignore_index=True)
        saving = net_saving_matrix(both, "nominal", "sampled")
        return npv_by_replication(saving, scenario.economics.discount_rate, scenario.calendar.start_year)
    rows = table[table["metric"] == output.metric]
    matrix = rows.pivot(index="replication", columns="year", values="value").sort_index()
    if output.year == "sum":
        return matrix.sum(axis=1, skipna=False).to_numpy(dtype=float)
    year = {"last": scenario.end_year, "first": scenario.calendar.start_year}.get(output.year, output.year)
    if year not in matrix.columns:
        return np.full(len(matrix), np.nan)
    return matrix[year].to_numpy(dtype=float)


def _mean_and_se(values: np.ndarray) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    mean = float(np.mean(values))
    se = float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan
    return mean, se


class ModelEvaluator:
    """The model as ``evaluate(rows) -> n_rows x n_outputs``: each row's parameters set into the scenario,
    validated, run with the same seed and replications ``0 .. R-1`` (common random numbers), and each
    output's mean over the replications returned. Rows run in parallel processes; results are put back in
    row order, so they do not depend on ``workers``. After a call, ``se`` holds each value's standard error
    over the replications and ``events`` the events simulated."""

    def __init__(
        self,
        raw: dict,
        parameters: Sequence[Parameter],
        outputs: Sequence[Output],
        replications: int,
        seed: int,
        workers: int | None = None,
        nominal: pd.DataFrame | None = None,
        on_progress: Callable[[int], None] | None = None,
        source: str = "<spec>",
        executor: str = "local",
        scheduler: str | None = None,
    ):
        self.executor = executor
        self.scheduler = scheduler
        self.raw = raw
        self.parameters = list(parameters)
        self.outputs = list(outputs)
        self.replications = replications
        self.seed = seed
        self.workers = workers
        self.nominal = nominal
        self.on_progress = on_progress
        self.source = source
        self.se: np.ndarray | None = None  # rows x outputs: standard error of each mean over the replications
        self.per_replication: np.ndarray | None = None  # rows x replications x outputs
        self.events = 0

    def scenario_for(self, row: Sequence[float], i: int = 0) -> Scenario:
        """The scenario of one sample row, validated (SpecError naming the row's values otherwise)."""
        raw = copy.deepcopy(self.raw)
        for p, v in zip(self.parameters, row):
            set_path(raw, p.path, _value(p, v))
        try:
            return scenario_from_mapping(raw, "<sample>")
        except ScenarioError as e:
            values = ", ".join(f"{p.path}={_value(p, v):g}" for p, v in zip(self.parameters, row))
            reasons = "; ".join(f"{path}: {reason}" for path, reason in e.problems)
            raise SpecError(self.source, [("parameters", f"sample row {i} ({values}) gives an invalid scenario: "
                                                          f"{reasons}")]) from None

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        scenarios = [self.scenario_for(row, i) for i, row in enumerate(np.atleast_2d(rows))]
        metrics = _metrics_needed(self.outputs)
        results = map_chunks(
            partial(run_metrics, replications=self.replications, seed=self.seed, metrics=metrics),
            scenarios,
            executor=self.executor,
            workers=self.workers,
            scheduler=self.scheduler,
            on_result=(lambda _r: self.on_progress(1)) if self.on_progress else None,
        )
        values = np.empty((len(scenarios), self.replications, len(self.outputs)))
        for i, (sc, (table, events)) in enumerate(zip(scenarios, results)):
            self.events += events
            for j, out in enumerate(self.outputs):
                values[i, :, j] = output_values(table, out, sc, self.nominal)
        self.per_replication = values
        self.se = np.array([[_mean_and_se(values[i, :, j])[1] for j in range(values.shape[2])]
                            for i in range(values.shape[0])]).reshape(values.shape[0], values.shape[2])
        return values.mean(axis=1)


def morris_effect_noise(
    X: np.ndarray, per_replication: np.ndarray, bounds: Sequence[tuple[float, float]]
) -> np.ndarray:
    """Simulation noise of each parameter's Morris elementary effects (parameters x outputs).

    An elementary effect compares two consecutive rows of a trajectory that differ in one parameter. Under
    common random numbers the two rows share replication *r*'s random numbers, so the effect is computed
    per replication, ``(y_r(b) - y_r(a)) / ((x(b) - x(a)) / (high - low))`` (SALib's scaling), and its
    noise is the standard error of the mean over the replications; the result is the root mean square of
    those over a parameter's effects. NaN with fewer than 2 replications."""
    n_rows, reps, n_out = per_replication.shape
    d = X.shape[1]
    out = np.full((d, n_out), np.nan)
    if reps < 2:
        return out
    span = np.array([hi - lo for lo, hi in bounds], dtype=float)
    squares: list[list[np.ndarray]] = [[] for _ in range(d)]
    for t in range(n_rows // (d + 1)):
        for k in range(d):
            a, b = t * (d + 1) + k, t * (d + 1) + k + 1
            moved = np.flatnonzero(X[b] != X[a])
            if len(moved) != 1:
                continue
            p = int(moved[0])
            step = (X[b, p] - X[a, p]) / span[p]
            effects = (per_replication[b] - per_replication[a]) / step  # replications x outputs
            squares[p].append(np.var(effects, axis=0, ddof=1) / reps)
    for p in range(d):
        if squares[p]:
            out[p] = np.sqrt(np.mean(squares[p], axis=0))
    return out


def _value(p: Parameter, v: float) -> float:
    return float(round(v)) if p.integer else float(v)


# ---------------------------------------------------------------- the whole analysis of a scenario


@dataclass
class SensitivityRun:
    """Everything ``write_sensitivity_outputs`` needs."""

    spec: Spec
    scenario: Scenario  # at its own (nominal) values, with the spec's years
    analysis: Analysis
    noise: pd.DataFrame  # output, parameter=(noise), index=noise_se, value, conf
    nominal_values: dict[str, float]  # each output's mean at the nominal values
    replications: int
    seed: int
    wall_seconds: float
    events: int
    spec_file: str = "<spec>"
    params: list[Parameter] = field(default_factory=list)


def prepare(
    raw: dict, spec: Spec, source: str = "<spec>", scenario_source: str = "<scenario>"
) -> tuple[dict, Scenario]:
    """The scenario mapping with the spec's calendar overrides, validated, and the spec checked against it:
    every parameter path exists and holds a number, its low and high give valid scenarios, output years are
    in the horizon and output metrics are reported by the model. Raises SpecError naming the spec's key."""
    raw = copy.deepcopy(raw)
    if spec.years is not None:
        raw.setdefault("calendar", {})["horizon_years"] = spec.years
    if spec.burn_in_years is not None:
        raw.setdefault("calendar", {})["burn_in_years"] = spec.burn_in_years
    try:
        nominal = scenario_from_mapping(raw, scenario_source)
    except ScenarioError as e:
        if spec.years is None and spec.burn_in_years is None:
            raise
        reasons = "; ".join(f"{p}: {r}" for p, r in e.problems)
        raise SpecError(source, [("years", f"with the spec's years the scenario is invalid: {reasons}")]) from None
    problems = parameter_problems(raw, spec.parameters, "calendar settings cannot be sampled (every sample covers "
                                                        "the same years); use the spec's years: and burn_in_years:")
    first, last = nominal.calendar.start_year, nominal.end_year
    for i, o in enumerate(spec.outputs):
        if isinstance(o.year, int) and not first <= o.year <= last:
            problems.append((f"outputs[{i}].year", f"{o.year} is outside the projected years {first}..{last}"))
    if problems:
        raise SpecError(source, problems)
    check_metrics(spec, _metric_names(nominal), source)
    return raw, nominal


def parameter_problems(raw: dict, parameters: Sequence[Parameter], calendar_reason: str) -> list[tuple[str, str]]:
    """(spec key, reason) for each parameter that is not a number set in the scenario, or whose low or high
    end gives an invalid scenario; calendar settings are refused with ``calendar_reason``."""
    problems: list[tuple[str, str]] = []
    for i, p in enumerate(parameters):
        where = f"parameters[{i}] ({p.path})"
        if p.path.split(".")[0] == "calendar":
            problems.append((f"{where}.path", calendar_reason))
            continue
        try:
            get_path(raw, p.path)
        except KeyError as e:
            problems.append((f"{where}.path", f"unknown parameter: {e.args[0]}"))
            continue
        if p.integer and math.ceil(p.low) > math.floor(p.high):
            problems.append((f"{where}.low", f"integer: true, but no whole number lies in {p.low:g}..{p.high:g}"))
            continue
        for end in ("low", "high"):
            trial = copy.deepcopy(raw)
            set_path(trial, p.path, _value(p, getattr(p, end)))
            try:
                scenario_from_mapping(trial, "<trial>")
            except ScenarioError as e:
                reasons = "; ".join(f"{path}: {reason}" for path, reason in e.problems)
                problems.append((f"{where}.{end}", f"{getattr(p, end):g} gives an invalid scenario: {reasons}"))
    return problems


def _metric_names(scenario: Scenario) -> set[str]:
    """The metrics the model reports for this scenario, from one short replication of a small copy (the
    names do not depend on size or length), so a misspelt output fails before the long runs."""
    from sim.runs.runner import run_replications

    raw = scenario.model_dump(mode="json")
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] = raw["population"][key] * 0.02
    raw["caseworkers"]["fte"] = raw["caseworkers"]["fte"] * 0.02
    raw["caseworkers"]["fte_changes"] = []
    raw.update(levers=[], policy_costs=[], budget_dkk={})  # dated changes: not needed for the names
    try:
        tiny = scenario_from_mapping(raw, "<metric names>")
    except ScenarioError:  # should not happen; the full scenario then
        tiny = scenario
    return set(run_replications(tiny, 1, seed=0, workers=1).table["metric"].unique())


def check_metrics(spec: Spec, known: set[str], source: str = "<spec>") -> None:
    """SpecError for an output metric the model does not report (``known``: the metric names it does)."""
    known = sorted(known)
    problems = []
    for i, o in enumerate(spec.outputs):
        if o.metric is not None and o.metric not in known:
            close = difflib.get_close_matches(o.metric, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else " (CONTRACT.md lists the metrics)"
            problems.append((f"outputs[{i}].metric", f"the model reports no metric '{o.metric}'{hint}"))
    if problems:
        raise SpecError(source, problems)


def run_sensitivity(
    raw: dict,
    spec: Spec,
    method: str | None = None,
    n: int | None = None,
    replications: int | None = None,
    seed: int = 1,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    source: str = "<spec>",
    scenario_source: str = "<scenario>",
    executor: str = "local",
    scheduler: str | None = None,
) -> SensitivityRun:
    """The sensitivity analysis of a resolved scenario mapping under ``spec``.

    ``method``, ``n`` (Morris trajectories, Sobol base sample) and ``replications`` default to the spec's.
    First the scenario at its own values runs (the reference for ``npv_against`` and the noise level), then
    every sample row with the same seed and replications. ``on_progress(k)``: k more model runs done
    (``rows_needed(...) + 1`` in all)."""
    started = time.perf_counter()
    method = method or spec.method
    n = n if n is not None else spec.n_for(method)
    reps = replications if replications is not None else spec.replications
    check_design(method, n, spec.morris.levels)
    if reps < 1:
        raise InputError("--replications must be at least 1")
    raw, nominal = prepare(raw, spec, source, scenario_source)
    metrics = _metrics_needed(spec.outputs)
    nominal_table, nominal_events = _run_nominal(nominal, reps, seed, workers, metrics)
    if on_progress:
        on_progress(1)
    evaluator = ModelEvaluator(raw, spec.parameters, spec.outputs, reps, seed, workers, nominal_table, on_progress,
                               source, executor=executor, scheduler=scheduler)
    names = [p.path for p in spec.parameters]
    bounds = [(p.low, p.high) for p in spec.parameters]
    outputs = [o.id for o in spec.outputs]
    analysis = sensitivity_analysis(names, bounds, outputs, evaluator, method, n, seed, spec.morris.levels)

    noise_rows, nominal_values = [], {}
    for j, o in enumerate(spec.outputs):
        mean, se = _mean_and_se(output_values(nominal_table, o, nominal, nominal_table))
        if o.npv_against is not None:
            row_se = evaluator.se[:, j]
            se = float(np.sqrt(np.mean(row_se**2))) if np.all(np.isfinite(row_se)) else math.nan
        nominal_values[o.id] = mean
        noise_rows.append((o.id, NOISE, "noise_se", se, math.nan))
    if method == "morris":
        effect_noise = morris_effect_noise(analysis.X, evaluator.per_replication, bounds)
        for j, o in enumerate(spec.outputs):
            for i, p in enumerate(names):
                noise_rows.append((o.id, p, "noise_se", float(effect_noise[i, j]), math.nan))
    return SensitivityRun(
        spec=spec,
        scenario=nominal,
        analysis=analysis,
        noise=pd.DataFrame(noise_rows, columns=COLUMNS),
        nominal_values=nominal_values,
        replications=reps,
        seed=seed,
        wall_seconds=time.perf_counter() - started,
        events=nominal_events + evaluator.events,
        spec_file=source,
        params=list(spec.parameters),
    )


def _run_nominal(nominal, reps, seed, workers, metrics) -> tuple[pd.DataFrame, int]:
    from sim.runs.runner import run_replications

    res = run_replications(nominal, reps, seed=seed, workers=workers)
    table = res.table
    return table[table["metric"].isin(metrics)].reset_index(drop=True), res.events


def sensitivity_table(run: SensitivityRun) -> pd.DataFrame:
    """sensitivity.csv: the indices, then the noise rows."""
    return pd.concat([run.analysis.indices, run.noise], ignore_index=True)[COLUMNS]


# ---------------------------------------------------------------- writing: csv, figures, report, manifest

_TEXT = {
    "title": ("Sensitivity analysis: {name}", "Følsomhedsanalyse: {name}"),
    "lead_morris": (
        "For {output}, the assumptions that matter most are {top} (Morris screening).",
        "For {output} betyder disse forudsætninger mest: {top} (Morris-screening).",
    ),
    "lead_sobol": (
        "For {output}, the assumptions that matter most are {top} (Sobol total indices).",
        "For {output} betyder disse forudsætninger mest: {top} (Sobols totale indeks).",
    ),
    "lead_none": (
        "For {output}, no assumption in the spec moves the result beyond the simulation noise.",
        "For {output} flytter ingen af forudsætningerne resultatet ud over den simulerede støj.",
    ),
    "lead_nan": (
        "For {output}, there are no indices: the output is not a number in {k} of {n} sample points "
        "(e.g. a share with nothing to count).",
        "For {output} er der ingen indeks: resultatet er ikke et tal i {k} af {n} stikprøvepunkter "
        "(f.eks. en andel uden noget at tælle).",
    ),
    "and": ("and", "og"),
    "setup": (
        "{rows} sample points, each run with {reps} replications of {years} projected years ({first}–{last}) "
        "after {burn} burn-in years; seed {seed}; {params} parameters; {method}. Wall time {wall}.",
        "{rows} stikprøvepunkter, hver kørt med {reps} kørsler af {years} fremskrevne år ({first}–{last}) efter "
        "{burn} indsvingningsår; seed {seed}; {params} parametre; {method}. Køretid {wall}.",
    ),
    "crn": (
        "Simulation noise is kept apart from sensitivity: every sample point runs the same replications "
        "(0 to {last_rep}) with the same seed, so the same random numbers drive the same decisions and two "
        "points differ only through their assumptions; each point is the mean over its replications. The "
        "noise level is the standard error of that mean (the 'noise SE' below, also in sensitivity.csv as "
        "index noise_se).",
        "Simuleret støj holdes adskilt fra følsomhed: hvert stikprøvepunkt kører de samme kørsler (0 til "
        "{last_rep}) med samme seed, så de samme tilfældige tal styrer de samme beslutninger, og to punkter "
        "kun adskiller sig ved deres forudsætninger; hvert punkt er gennemsnittet over dets kørsler. "
        "Støjniveauet er standardfejlen på dette gennemsnit ('støj-SE' nedenfor, i sensitivity.csv som "
        "index noise_se).",
    ),
    "how_morris": (
        "mu* (mu_star) is the mean absolute change in the output when an assumption moves across its whole "
        "range, other assumptions held at points spread over their ranges; sigma is the spread of those "
        "changes (large sigma: the effect depends on the other assumptions or is not linear). Bars: mu* with "
        "its 95 % bootstrap interval; diamonds: sigma; red ticks: twice the simulation noise of the changes "
        "(their standard error over the paired replications). An assumption whose mu* is not above its red "
        "tick is marked 'within noise': its effect cannot be told apart from chance.",
        "mu* (mu_star) er den gennemsnitlige absolutte ændring i resultatet, når en forudsætning flyttes "
        "over hele sit interval, med de andre forudsætninger i punkter spredt over deres intervaller; sigma "
        "er spredningen af disse ændringer (stor sigma: effekten afhænger af de andre forudsætninger eller "
        "er ikke lineær). Søjler: mu* med 95 %-bootstrapinterval; ruder: sigma; røde streger: to gange den "
        "simulerede støj på ændringerne (standardfejlen over de parrede kørsler). En forudsætning, hvis mu* "
        "ikke ligger over sin røde streg, er markeret 'inden for støjen': dens effekt kan ikke skelnes fra "
        "tilfældighed.",
    ),
    "how_sobol": (
        "S1 is the share of the output's variance over the sampled assumptions explained by one assumption "
        "alone; ST also counts its interactions with the others. Error bars: 95 % bootstrap intervals. "
        "Noise share: the share of the variance that the simulation noise alone could explain (at most); an "
        "assumption whose ST is not above it (or below 0.01) is marked 'within noise'.",
        "S1 er den andel af resultatets varians over de udtrukne forudsætninger, som én forudsætning "
        "forklarer alene; ST medregner også samspillet med de andre. Fejllinjer: 95 %-bootstrapintervaller. "
        "Støjandel: den andel af variansen, som den simulerede støj alene højst kunne forklare; en "
        "forudsætning, hvis ST ikke ligger over den (eller under 0,01), er markeret 'inden for støjen'.",
    ),
    "noise_line": ("Noise SE of the mean at the scenario's own values: {se}.",
                   "Støj-SE på gennemsnittet ved scenariets egne værdier: {se}."),
    "noise_line_npv": ("Noise SE of the paired NPV (mean over the sample points): {se}.",
                       "Støj-SE på den parrede nutidsværdi (gennemsnit over stikprøvepunkterne): {se}."),
    "noise_share": (" Noise share of the variance: {share}.", " Støjandel af variansen: {share}."),
    "at_nominal": ("At the scenario's own values: {value}.", "Ved scenariets egne værdier: {value}."),
    "params": ("Parameters and ranges", "Parametre og intervaller"),
    "col_param": ("Parameter", "Parameter"),
    "col_path": ("Key", "Nøgle"),
    "col_low": ("Low", "Lav"),
    "col_high": ("High", "Høj"),
    "col_nominal": ("Scenario value", "Scenariets værdi"),
    "col_index": ("Index", "Indeks"),
    "col_value": ("Value", "Værdi"),
    "col_conf": ("± 95 %", "± 95 %"),
    "col_noise": ("noise SE of the changes", "støj-SE på ændringerne"),
    "within_noise": ("within noise", "inden for støjen"),
    "sec_method": ("Method", "Metode"),
    "npv_label": ("Net saving against the scenario's own values, present value (DKK)",
                  "Nettobesparelse i forhold til scenariets egne værdier, nutidsværdi (kr.)"),
    "sum_of": ("{label}, sum {first}–{last}", "{label}, sum {first}–{last}"),
    "in_year": ("{label}, {year}", "{label}, {year}"),
    "morris_name": ("Morris screening, {n} trajectories on {levels} levels",
                    "Morris-screening, {n} baner på {levels} niveauer"),
    "sobol_name": ("Sobol indices (Saltelli sampling), N = {n}", "Sobol-indeks (Saltelli-stikprøve), N = {n}"),
    "spec": ("The spec", "Specifikationen"),
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][1 if lang == "da" else 0]


def _is_money(output: Output) -> bool:
    return output.npv_against is not None or (output.metric or "").startswith("cost")


def output_label(output: Output, scenario: Scenario, lang: str) -> str:
    from sim.outputs.labels import metric_label

    if output.npv_against is not None:
        return _t("npv_label", lang)
    label = metric_label(output.metric, lang, scenario)
    if output.year == "sum":
        return _t("sum_of", lang).format(label=label, first=scenario.calendar.start_year, last=scenario.end_year)
    year = {"last": scenario.end_year, "first": scenario.calendar.start_year}.get(output.year, output.year)
    return _t("in_year", lang).format(label=label, year=year)


def _fmt(x: float, output: Output, lang: str) -> str:
    from sim.outputs.labels import format_number

    return format_number(x, lang, money=_is_money(output))


def _noise(run: SensitivityRun, output_id: str, parameter: str = NOISE) -> float:
    n = run.noise
    hit = n[(n["output"] == output_id) & (n["parameter"] == parameter)]["value"]
    return float(hit.iloc[0]) if len(hit) else math.nan


def noise_share(run: SensitivityRun, output_id: str) -> float:
    """Sobol: the share of an output's variance over the sample that simulation noise alone could explain,
    (noise SE)^2 / variance (an upper bound: common random numbers move all rows together)."""
    j = run.analysis.outputs.index(output_id)
    y = run.analysis.Y[:, j]
    var = float(np.var(y, ddof=1)) if len(y) > 1 else math.nan
    se = _noise(run, output_id)
    if not (math.isfinite(se) and math.isfinite(var)):
        return math.nan
    return min(1.0, se**2 / var) if var > 0 else (0.0 if se == 0 else 1.0)


def ranking(run: SensitivityRun, output_id: str) -> pd.DataFrame:
    """Parameters of one output ranked by mu_star (Morris) or ST (Sobol): columns parameter, value, conf,
    second (sigma or S1), noise, above_noise.

    Morris: ``noise`` is the noise SE of the parameter's elementary effects; above the noise means
    mu_star > 2 x that (with 1 replication, where it is unknown: mu_star > 0). Sobol: ``noise`` is the noise
    share of the variance; above the noise means ST > the noise share and ST > 0.01."""
    a = run.analysis
    key, other = ("mu_star", "sigma") if a.method == "morris" else ("ST", "S1")
    ind = a.indices[a.indices["output"] == output_id]
    main = ind[ind["index"] == key].set_index("parameter")
    sec = ind[ind["index"] == other].set_index("parameter")
    frame = pd.DataFrame({"value": main["value"], "conf": main["conf"], "second": sec["value"]}).loc[a.parameters]
    if a.method == "morris":
        frame["noise"] = [_noise(run, output_id, p) for p in a.parameters]
        floor = np.where(np.isfinite(frame["noise"]), 2.0 * frame["noise"], 0.0)
        frame["above_noise"] = frame["value"].to_numpy() > floor
    else:
        share = noise_share(run, output_id)
        frame["noise"] = share
        frame["above_noise"] = frame["value"] > max(0.01, share if math.isfinite(share) else 0.0)
    frame = frame.reset_index(names="parameter")
    order = np.lexsort((np.arange(len(frame)), -frame["value"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", pad_inches=0.15, facecolor="white")
    plt.close(fig)
    return buf.getvalue()


def tornado_chart(run: SensitivityRun, output: Output, lang: str) -> bytes:
    """Horizontal bars, most influential on top: Morris mu* (with sigma dots and the noise line) or Sobol
    ST and S1 bars with their intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = run.analysis
    ranked = ranking(run, output.id)
    labels = {p.path: p.name for p in run.params}
    names = [labels.get(p, p) for p in ranked["parameter"]]
    y = np.arange(len(ranked))[::-1]
    fig, ax = plt.subplots(figsize=(8.0, 0.45 * len(ranked) + 1.6))
    title = output_label(output, run.scenario, lang)
    if a.method == "morris":
        scale = 1e6 if _is_money(output) and ranked["value"].abs().max() >= 1e6 else 1.0
        conf = ranked["conf"].to_numpy() / scale
        ax.barh(y, ranked["value"] / scale, xerr=np.nan_to_num(conf), color="#0072B2", height=0.6,
                error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1}, label="mu*")
        ax.plot(ranked["second"] / scale, y, "D", color="#E69F00", ms=6, label="sigma")
        floor = 2.0 * ranked["noise"].to_numpy() / scale
        if np.any(np.isfinite(floor)):
            ax.plot(floor, y, "|", color="#D55E00", ms=18, mew=2.5,
                    label="2 × noise SE" if lang != "da" else "2 × støj-SE")
        if scale == 1e6:
            unit = "mio. kr." if lang == "da" else "m DKK"
        else:
            unit = ("kr." if lang == "da" else "DKK") if _is_money(output) else ""
        ax.set_xlabel(f"mu*, sigma {f'({unit})' if unit else ''}".strip())
        ax.set_xlim(left=0)
    else:
        h = 0.38
        ax.barh(y + h / 2, ranked["value"], height=h, xerr=np.nan_to_num(ranked["conf"].to_numpy()),
                color="#0072B2", label="ST", error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1})
        s1 = a.indices[(a.indices["output"] == output.id) & (a.indices["index"] == "S1")].set_index("parameter")
        s1 = s1.loc[ranked["parameter"]]
        ax.barh(y - h / 2, s1["value"], height=h, xerr=np.nan_to_num(s1["conf"].to_numpy()), color="#56B4E9",
                label="S1", error_kw={"ecolor": "#333333", "capsize": 3, "lw": 1})
        top_value = np.nanmax(np.append((ranked["value"] + ranked["conf"].fillna(0)).to_numpy(), 0.0))
        ax.set_xlim(0, max(1.0, float(top_value) * 1.05))
        ax.set_xlabel("Sobol index" if lang != "da" else "Sobol-indeks")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_title(title, loc="left", fontsize=11)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def lead_sentences(run: SensitivityRun, lang: str, top: int = 3) -> list[str]:
    """One plain sentence per output naming its most influential parameters (those above the noise)."""
    labels = {p.path: p.name for p in run.params}
    out = []
    missing = not_a_number_rows(run.analysis)
    for o in run.spec.outputs:
        ranked = ranking(run, o.id)
        names = [labels[p] for p in ranked.loc[ranked["above_noise"], "parameter"].head(top)]
        label = output_label(o, run.scenario, lang)
        label = label[0].lower() + label[1:]
        if o.id in missing:
            out.append(_t("lead_nan", lang).format(output=label, k=missing[o.id], n=len(run.analysis.X)))
        elif not names:
            out.append(_t("lead_none", lang).format(output=label))
            continue
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {_t('and', lang)} " + names[-1]
        key = "lead_morris" if run.analysis.method == "morris" else "lead_sobol"
        out.append(_t(key, lang).format(output=label, top=listed))
    return out


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1040px;
margin:2em auto;padding:0 1.2em;color:#1d1d1d;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:2px solid #dde3ea;padding-bottom:0.2em}
table{border-collapse:collapse;font-size:0.86em;margin:0.8em 0 1.6em 0}
td,th{border:1px solid #cfd6de;padding:4px 7px;text-align:right}th{background:#f0f3f7}
td:first-child,th:first-child{text-align:left}
figure{margin:1.2em 0 1em 0}figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:0.9em;color:#555}
pre{background:#f5f5f5;padding:1em;font-size:0.78em;overflow-x:auto}
.lead{font-size:1.12em;background:#eef4fb;padding:0.9em 1em;border-left:5px solid #0072B2}
.lead span{display:block;margin:0.2em 0}.note{color:#444;font-size:0.95em}
"""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plain(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _index_fmt(x: float, output: Output, method: str, lang: str) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if method == "sobol":
        s = f"{x:.3f}"
        return s.replace(".", ",") if lang == "da" else s
    return _fmt(x, output, lang)


def report_html(run: SensitivityRun, figures: dict[str, bytes], lang: str = "en") -> str:
    a = run.analysis
    sc = run.scenario
    cal = sc.calendar
    method_name = (_t("morris_name", lang).format(n=a.n, levels=a.levels) if a.method == "morris"
                   else _t("sobol_name", lang).format(n=a.n))
    parts = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
             f"<title>{html.escape(_t('title', lang).format(name=sc.name))}</title><style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(_t('title', lang).format(name=sc.name))}</h1>",
             "<p class='lead'>" + "".join(f"<span>{html.escape(s)}</span>" for s in lead_sentences(run, lang)) + "</p>"]
    wall = f"{run.wall_seconds:.0f} s"
    parts.append("<p class='note'>" + html.escape(_t("setup", lang).format(
        rows=len(a.X), reps=run.replications, years=cal.horizon_years, first=cal.start_year, last=sc.end_year,
        burn=cal.burn_in_years, seed=run.seed, params=len(a.parameters), method=method_name, wall=wall)) + "</p>")
    parts.append("<p class='note'>" + html.escape(_t("crn", lang).format(last_rep=run.replications - 1)) + "</p>")
    parts.append("<p class='note'>" + html.escape(_t("how_morris" if a.method == "morris" else "how_sobol", lang))
                 + "</p>")
    labels = {p.path: p.name for p in run.params}
    for o in run.spec.outputs:
        title = output_label(o, sc, lang)
        parts.append(f"<h2>{html.escape(title)}</h2>")
        se = _noise(run, o.id)
        line = _t("noise_line_npv" if o.npv_against else "noise_line", lang).format(se=_fmt(se, o, lang))
        if a.method == "sobol":
            from sim.outputs.labels import format_percent

            share = noise_share(run, o.id)
            line += _t("noise_share", lang).format(share=format_percent(share, lang, 1)
                                                   if math.isfinite(share) else "-")
        if o.npv_against is None:
            line = _t("at_nominal", lang).format(value=_fmt(run.nominal_values[o.id], o, lang)) + " " + line
        parts.append(f"<p class='note'>{html.escape(line)}</p>")
        png = figures[o.id]
        data = base64.b64encode(png).decode()
        parts.append(f"<figure><img alt='{html.escape(title)}' src='data:image/png;base64,{data}'></figure>")
        ranked = ranking(run, o.id)
        idx = ("mu*", "sigma") if a.method == "morris" else ("ST", "S1")
        rows = []
        for _, r in ranked.iterrows():
            mark = "" if r["above_noise"] else f" ({_t('within_noise', lang)})"
            row = [labels.get(r["parameter"], r["parameter"]) + mark,
                   _index_fmt(r["value"], o, a.method, lang), _index_fmt(r["conf"], o, a.method, lang),
                   _index_fmt(r["second"], o, a.method, lang)]
            if a.method == "morris":
                row.append(_index_fmt(r["noise"], o, a.method, lang))
            rows.append(row)
        header = [_t("col_param", lang), idx[0], _t("col_conf", lang), idx[1]]
        if a.method == "morris":
            header.append(_t("col_noise", lang))
        parts.append(_table(header, rows))
    parts.append(f"<h2>{html.escape(_t('params', lang))}</h2>")
    raw = sc.model_dump(mode="json")
    prow = []
    for p in run.params:
        try:
            nominal = _plain(float(get_path(raw, p.path)))
        except KeyError:
            nominal = "-"
        prow.append([p.name, p.path, _plain(p.low), _plain(p.high), nominal])
    parts.append(_table([_t("col_param", lang), _t("col_path", lang), _t("col_low", lang), _t("col_high", lang),
                         _t("col_nominal", lang)], prow))
    spec_yaml = json.dumps(run.spec.model_dump(mode="json", exclude_defaults=True), indent=1, ensure_ascii=False)
    parts.append(f"<h2>{html.escape(_t('spec', lang))}</h2><pre>{html.escape(spec_yaml)}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_sensitivity_outputs(
    out: Path, run: SensitivityRun, lang: str = "en", command: list[str] | None = None
) -> Path:
    """sensitivity.csv, samples.csv, figures/tornado_<output>.png, report.html and manifest.json, all or
    nothing (written in a temporary directory renamed into place)."""
    import datetime as dt
    import sys

    from sim import __version__
    from sim.outputs.results import atomic_directory, git_commit

    a = run.analysis
    table = sensitivity_table(run)
    figures = {o.id: tornado_chart(run, o, lang) for o in run.spec.outputs}
    page = report_html(run, figures, lang)
    samples = pd.DataFrame(a.X, columns=a.parameters)
    for p in run.params:
        if p.integer:
            samples[p.path] = samples[p.path].round()
    for j, o in enumerate(a.outputs):
        samples[o] = a.Y[:, j]
    samples.insert(0, "row", np.arange(len(samples)))
    cal = run.scenario.calendar
    manifest = {
        "tool": "boernesim",
        "version": __version__,
        "git_commit": git_commit(),
        "command": command if command is not None else sys.argv,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "analysis": "sensitivity",
        "method": a.method,
        "n": a.n,
        "morris_levels": a.levels if a.method == "morris" else None,
        "sample_rows": len(a.X),
        "seed": run.seed,
        "replications": run.replications,
        "common_random_numbers": f"every sample row runs replications 0..{run.replications - 1} with seed {run.seed}",
        "years": cal.horizon_years,
        "start_year": cal.start_year,
        "burn_in_years": cal.burn_in_years,
        "wall_seconds": round(run.wall_seconds, 3),
        "events_simulated": run.events,
        "spec_file": run.spec_file,
        "spec": run.spec.model_dump(mode="json"),
        "nominal_output_means": run.nominal_values,
        "scenarios": {run.scenario.name: run.scenario.model_dump(mode="json")},
    }
    with atomic_directory(Path(out)) as tmp:
        table.to_csv(tmp / "sensitivity.csv", index=False, float_format="%.6g")
        samples.to_csv(tmp / "samples.csv", index=False, float_format="%.6g")
        (tmp / "figures").mkdir()
        for oid, png in figures.items():
            (tmp / "figures" / f"tornado_{oid}.png").write_bytes(png)
        (tmp / "report.html").write_text(page, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return Path(out)


__all__ = [
    "Analysis",
    "ModelEvaluator",
    "Output",
    "Parameter",
    "SensitivityRun",
    "Spec",
    "SpecError",
    "analyse",
    "check_design",
    "get_path",
    "load_spec",
    "morris_effect_noise",
    "not_a_number_rows",
    "output_values",
    "prepare",
    "ranking",
    "rows_needed",
    "run_sensitivity",
    "sample",
    "sensitivity_analysis",
    "sensitivity_table",
    "set_path",
    "spec_from_mapping",
    "write_sensitivity_outputs",
]
