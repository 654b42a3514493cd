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

import copy
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from sim.analysis.parameter_spec import (
    Parameter,
    SpecError,
    SpecPart,
    hidden_by_its_items,
    listed_once,
    model_metric_names,
    parameter_problems,
    parameter_value,
    spec_key_path,
    spec_reason,
    unknown_metric_reason,
)
from sim.errors import InputError, ScenarioError
from sim.model.keypaths import set_path
from sim.model.scenario import Scenario, read_yaml, scenario_from_mapping
from sim.runs.executors import map_chunks
from sim.runs.runner import run_metrics

METHODS = ("morris", "sobol")
COLUMNS = ["output", "parameter", "index", "value", "conf"]
NOISE = "(noise)"
CONF_LEVEL = 0.95
RESAMPLES = 100

Evaluate = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------- the spec


class Output(SpecPart):
    """What a sensitivity analysis reads off each run: a metric in a year (or summed), or the NPV against the nominal
    run."""

    metric: str | None = Field(default=None, description="a metric of docs/contract.md, e.g. cost_total")
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


class MorrisSettings(SpecPart):
    """Morris screening's design."""

    trajectories: int = Field(default=10, ge=2, le=10000, description="Morris trajectories (each D+1 runs)")
    levels: int = Field(default=4, ge=2, le=20, description="grid levels; even numbers are best")


class SobolSettings(SpecPart):
    """Sobol's (Saltelli) design."""

    n: int = Field(default=64, ge=2, le=1 << 20, description="base sample (a power of 2); N x (D+2) runs")


class Spec(SpecPart):
    """A sensitivity spec: method, parameters, outputs and the run settings."""

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


_KEYS_HINT = "see scenarios/sensitivity.yaml for the keys"


def spec_from_mapping(data: dict, source: str = "<spec>") -> Spec:
    """Validate a spec mapping; raises SpecError naming every problem found."""
    if not isinstance(data, dict):
        raise SpecError(source, [("", "a sensitivity spec must be a mapping of keys to values")])
    try:
        return Spec.model_validate(data)
    except ValidationError as e:
        errors = [err for err in e.errors() if not hidden_by_its_items(err, e.errors())]
        problems = [(spec_key_path(err["loc"], data), spec_reason(err, _KEYS_HINT)) for err in errors]
        raise SpecError(source, problems) from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file (the parameters are checked against a scenario by :func:`prepare`)."""
    try:
        data = read_yaml(Path(path))
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
            set_path(raw, p.path, parameter_value(p, v))
        try:
            return scenario_from_mapping(raw, "<sample>")
        except ScenarioError as e:
            values = ", ".join(f"{p.path}={parameter_value(p, v):g}" for p, v in zip(self.parameters, row))
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
    check_metrics(spec, model_metric_names(nominal), source)
    return raw, nominal


def check_metrics(spec: Spec, known: set[str], source: str = "<spec>") -> None:
    """SpecError for an output metric the model does not report (``known``: the metric names it does)."""
    problems = []
    for i, o in enumerate(spec.outputs):
        if o.metric is not None and o.metric not in known:
            problems.append((f"outputs[{i}].metric", unknown_metric_reason(o.metric, known)))
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


# ---------------------------------------------------------------- reading the indices


def noise_se(run: SensitivityRun, output_id: str, parameter: str = NOISE) -> float:
    """The noise SE of an output (or of one parameter's Morris effects on it); NaN when not known."""
    n = run.noise
    hit = n[(n["output"] == output_id) & (n["parameter"] == parameter)]["value"]
    return float(hit.iloc[0]) if len(hit) else math.nan


def noise_share(run: SensitivityRun, output_id: str) -> float:
    """Sobol: the share of an output's variance over the sample that simulation noise alone could explain,
    (noise SE)^2 / variance (an upper bound: common random numbers move all rows together)."""
    j = run.analysis.outputs.index(output_id)
    y = run.analysis.Y[:, j]
    var = float(np.var(y, ddof=1)) if len(y) > 1 else math.nan
    se = noise_se(run, output_id)
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
        frame["noise"] = [noise_se(run, output_id, p) for p in a.parameters]
        floor = np.where(np.isfinite(frame["noise"]), 2.0 * frame["noise"], 0.0)
        frame["above_noise"] = frame["value"].to_numpy() > floor
    else:
        share = noise_share(run, output_id)
        frame["noise"] = share
        frame["above_noise"] = frame["value"] > max(0.01, share if math.isfinite(share) else 0.0)
    frame = frame.reset_index(names="parameter")
    order = np.lexsort((np.arange(len(frame)), -frame["value"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)
