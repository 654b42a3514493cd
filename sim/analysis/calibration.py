"""Calibration: fit the scenario's uncertain parameters to a history, and keep the parameter sets that fit.

Method (why optuna and not ABC-SMC): one simulated municipality-year costs about 0.15 s, so a fit over five
years with two replications costs about 2 s per parameter set. ABC-SMC (pyabc) typically needs 10,000 or
more simulations for a handful of parameters; a likelihood-guided search needs a few hundred. So:

1. **Likelihood.** A trial's parameters are set into the scenario, which runs over the history's years
   (``start_year`` = the first fitted year, the scenario's burn-in before it) for ``replications``
   replications with a fixed seed (common random numbers: two trials differ only through their parameters).
   The simulated mean ``mu`` of each fitted metric and year is compared with the observed value by a count
   likelihood: negative binomial (``dispersion`` k: variance ``mu + mu^2/k``) or Poisson for counts, normal
   with a relative (``cv``) or absolute (``sd``) error for shares and money. ``mu`` is itself a mean of R
   noisy replications, so the log-likelihood is divided by ``1 + 1/R`` (the simulation's noise taken as about
   as large as the observation's). Years are treated as independent; that is optimistic for stocks, which
   carry over from year to year (noted in the README).
2. **Search.** optuna's TPE sampler (seeded; ``batch`` trials at a time run in parallel through
   :mod:`sim.runs.executors`, so ``--executor dask`` works) over the spec's prior ranges (uniform); then the last
   ``refine_share`` of the trials (default a quarter) spread evenly by a seeded Latin hypercube over the box
   around the region found so far, because TPE crowds its trials near the best fit and would leave the
   region's edges, and so the kept sets' spread, thinly sampled.
3. **Ensemble.** The parameter sets whose log-likelihood is within ``chi2(confidence, d) / 2`` of the best
   (a likelihood-ratio confidence region for d parameters), equally weighted, at most ``max_sets`` of them.
   ``run``/``compare --parameter-sets posterior.parquet`` draws one per replication.

A *rate* target (``scale: per_1000_0_17`` or ``per_1000_0_22``) compares rates per 1,000 residents: the
observed count is divided by the history's population and multiplied by the scenario's, so a national
history fits "the average municipality" of the scenario's size (``calibration/national/spec.yaml``).

The search is safe to interrupt: every finished trial is kept in a journal file next to the output
(``.<out>.trials.journal``); running the same command again continues from there. A journal made with a
different scenario, spec, history or seed is refused.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import math
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator
from scipy import stats

from sim.errors import InputError, ScenarioError
from sim.runs.executors import default_workers, map_chunks
from sim.data.history import split_by_model, value_at
from sim.model.catalogue import POPULATION_METRICS, is_money, is_ratio, is_share
from sim.model.drift import drifts_as_share, from_scale, to_scale
from sim.model.keypaths import get_path, set_path
from sim.runs.parameter_sets import ParameterSets, from_frame, weighted_quantile
from sim.analysis.simple_forecasts import clip_to_bounds
from sim.model.population import population_0_17, population_0_22
from sim.runs.runner import run_metrics
from sim.model.scenario import Scenario, read_yaml, validation_reason, scenario_from_mapping
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
)

FIT_COLUMNS = ["metric", "year", "observed", "sim_mean", "sim_p05", "sim_p95", "fitted"]


class CalibrationSpecError(SpecError):
    """A calibration spec that cannot be used; the message names the file, the key path and the reason."""

    what = "calibration spec"


# ---------------------------------------------------------------- the spec


class Target(SpecPart):
    """A history metric to fit, with its likelihood and scale."""

    metric: str = Field(min_length=1, description="a metric of the history and the model, e.g. notifications")
    likelihood: Literal["negative_binomial", "poisson", "normal"] | None = Field(
        default=None, description="default: negative_binomial for counts, normal for shares and money")
    dispersion: float | None = Field(default=None, gt=0, description="negative binomial k (variance mu + mu^2/k)")
    cv: float | None = Field(default=None, gt=0, description="normal: sd as a share of the observed value")
    sd: float | None = Field(default=None, gt=0, description="normal: sd in the metric's own unit")
    scale: Literal["absolute", "per_1000_0_17", "per_1000_0_22"] | None = Field(
        default=None, description="compare counts as they are, or as rates per 1,000 residents (default: spec's)")

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        kind = self.family
        if kind != "negative_binomial" and self.dispersion is not None:
            raise ValueError("dispersion goes with likelihood negative_binomial")
        if kind != "normal" and (self.cv is not None or self.sd is not None):
            raise ValueError("cv and sd go with likelihood normal")
        if self.cv is not None and self.sd is not None:
            raise ValueError("give cv or sd, not both")
        if kind != "normal" and (is_share(self.metric)):
            raise ValueError(f"{self.metric} is a share; use likelihood normal (with sd)")
        return self

    @property
    def family(self) -> str:
        if self.likelihood:
            return self.likelihood
        return "normal" if is_ratio(self.metric) or is_money(self.metric) else "negative_binomial"


class Years(SpecPart):
    """The history years to fit (default: every year the targets have)."""

    first: int | None = Field(default=None, ge=1990, le=2100, description="first year fitted (default: history's)")
    last: int | None = Field(default=None, ge=1990, le=2100, description="last year fitted (default: history's)")

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.first and self.last and self.first > self.last:
            raise ValueError(f"years.first ({self.first}) is after years.last ({self.last})")
        return self


class SearchSettings(SpecPart):
    """How the search runs: trials, replications per trial, batch size, the share spread over the region."""

    trials: int = Field(default=160, ge=2, le=100000, description="parameter sets tried in all")
    startup_trials: int = Field(default=24, ge=1, description="random trials before TPE models the fit")
    batch: int = Field(default=4, ge=1, le=1024, description="trials run at once; part of the result (TPE "
                       "learns after each batch), so it is a setting, not the number of workers")
    replications: int = Field(default=2, ge=1, le=1000, description="replications per trial, same seed")
    refine_share: float = Field(default=0.25, ge=0, lt=1, description="share of the trials spread evenly over "
                                "the region found by TPE, so its edges are sampled too")
    confidence: float = Field(default=0.9, gt=0, lt=1, description="of the likelihood-ratio region")
    max_sets: int = Field(default=100, ge=1, description="at most this many parameter sets kept")


class AbcSettings(SpecPart):
    """ABC-SMC (``method: abc_smc``, :mod:`sim.analysis.abc`): population size, generations, tolerance quantile."""

    particles: int = Field(default=48, ge=4, le=100000, description="parameter sets in each population")
    generations: int = Field(default=4, ge=1, le=50, description="populations, the first from the prior")
    quantile: float = Field(default=0.5, gt=0, lt=1, description="each tolerance: this quantile of the last "
                            "population's distances")
    max_batches: int = Field(default=4, ge=1, le=100, description="batches of `particles` candidates tried per "
                             "generation before it is closed with those accepted")
    distance_scale: Literal["likelihood", "simulated"] = Field(
        default="likelihood", description="the sd that standardises each observation's residual: the target's "
        "likelihood (dispersion, cv, sd), or the simulator's own spread over pilot replications with the model "
        "error added (see observation_sd_simulated)")
    pilot_replications: int = Field(default=20, ge=2, le=1000, description="distance_scale simulated: "
                                    "replications at the prior's midpoint")
    model_error_cv: float = Field(default=0.05, gt=0, lt=1, description="the model's own error as a share of "
                                  "each observation: added to the simulated spread (distance_scale simulated) and "
                                  "the sd of the reporting stage")
    model_error_in_bands: bool = Field(default=False, description="the bands of the fitted years (fit.csv) "
                                       "predict an observation: each replication's value spread by model_error_cv, "
                                       "the error the distance allows, not only the simulations' own spread "
                                       "(abc_smc with distance_scale simulated only; a back-test's forecasts, "
                                       "conditioned on the origin, do not carry it)")
    reporting_stage: bool = Field(default=False, description="fit the notification level and trend to the "
                                  "notifications series first and use that posterior as their prior; the ABC "
                                  "distance then leaves notifications out (sim.analysis.reporting_fit)")


class CalibrationSpec(SpecPart):
    """What to fit: parameters with ranges, targets, years and the search settings."""

    description: str = ""
    seed: int = Field(default=1, description="random seed of the search and the simulations")
    burn_in_years: int | None = Field(default=None, ge=0, le=50, description="default: the scenario's")
    scale: Literal["absolute", "per_1000_0_17", "per_1000_0_22"] = "absolute"
    dispersion: float = Field(default=30.0, gt=0, description="default negative binomial k of count targets")
    cv: float = Field(default=0.05, gt=0, description="default relative sd of normal targets (money etc.)")
    sd_share: float = Field(default=0.05, gt=0, description="default absolute sd of share targets")
    years: Years = Years()
    parameters: tuple[Parameter, ...] = Field(min_length=1)
    targets: tuple[Target, ...] = Field(min_length=1)
    search: SearchSettings = SearchSettings()
    method: Literal["likelihood_region", "abc_smc"] = Field(
        default="likelihood_region", description="likelihood_region: optuna TPE and the likelihood-ratio "
        "region; abc_smc: an ABC-SMC posterior (sim.analysis.abc)")
    abc: AbcSettings = AbcSettings()
    projection_replications: int = Field(default=20, ge=2, le=10000,
                                         description="replications of the fitted ensemble for the bands")
    projection_scale: int = Field(default=1, ge=1, le=100, description="the bands' replications run a municipality "
                                  "this many times the scenario's (children, caseworkers, capacities), reported per "
                                  "scenario-sized municipality: less chance in the bands of a larger history (at "
                                  "most 100)")

    @field_validator("parameters")
    @classmethod
    def _unique_parameters(cls, params: tuple[Parameter, ...]) -> tuple[Parameter, ...]:
        listed_once([p.path for p in params], "parameter")
        return params

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, targets: tuple[Target, ...]) -> tuple[Target, ...]:
        listed_once([t.metric for t in targets], "target")
        return targets

    @model_validator(mode="after")
    def _model_error_is_the_distances(self) -> CalibrationSpec:
        if self.abc.model_error_in_bands and (self.method != "abc_smc" or self.abc.distance_scale != "simulated"):
            raise ValueError("abc.model_error_in_bands spreads the bands by abc.model_error_cv, which only an "
                             "abc_smc fit with abc.distance_scale: simulated uses; set both or leave it false")
        return self

    @model_validator(mode="after")
    def _reporting_stage_has_its_inputs(self) -> CalibrationSpec:
        if self.method == "abc_smc" and self.abc.reporting_stage:
            from sim.analysis import reporting_fit as rf

            paths = [p.path for p in self.parameters]
            missing = [x for x in (rf.LEVEL, rf.TREND) if x not in paths]
            if missing:
                raise ValueError(f"abc.reporting_stage fits {rf.LEVEL} and {rf.TREND}: add "
                                 f"{' and '.join(missing)} to the parameters, or set reporting_stage: false")
            if rf.METRIC not in [t.metric for t in self.targets]:
                raise ValueError(f"abc.reporting_stage fits the {rf.METRIC} series: add it to the targets")
            if len(self.targets) < 2:
                raise ValueError("abc.reporting_stage leaves notifications out of the ABC distance: give at "
                                 "least one other target")
        return self

    def scale_of(self, target: Target) -> str:
        return target.scale or self.scale


def spec_from_mapping(data: dict, source: str = "<spec>") -> CalibrationSpec:
    if not isinstance(data, dict):
        raise CalibrationSpecError(source, [("", "a calibration spec must be a mapping of keys to values")])
    try:
        return CalibrationSpec.model_validate(data)
    except ValidationError as e:
        errors = [err for err in e.errors() if not hidden_by_its_items(err, e.errors())]
        problems = [(spec_key_path(err["loc"], data),
                     validation_reason(err, keys_hint="see calibration/national/spec.yaml for the keys")) for err in errors]
        raise CalibrationSpecError(source, problems) from None


def load_spec(path: str | Path) -> CalibrationSpec:
    try:
        data = read_yaml(Path(path))
    except ScenarioError as e:
        raise CalibrationSpecError(e.file, e.problems) from None
    return spec_from_mapping(data, str(path))


# ---------------------------------------------------------------- the problem: scenario, targets, history


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
                      "with projection_scale: 1") for i, p in enumerate(spec.parameters) if scaled_by_projection(p.path)]
    if problems:
        raise CalibrationSpecError(source, problems)


# ---------------------------------------------------------------- likelihood


def log_likelihood(observed: np.ndarray, mu: np.ndarray, target: Target, spec: CalibrationSpec) -> np.ndarray:
    """Log-likelihood of each observation (model scale) given the simulated mean ``mu``."""
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-9)
    obs = np.asarray(observed, dtype=float)
    family = target.family
    if family == "poisson":
        return stats.poisson.logpmf(np.round(obs), mu)
    if family == "negative_binomial":
        k = target.dispersion or spec.dispersion
        return stats.nbinom.logpmf(np.round(obs), k, k / (k + mu))
    if target.sd is not None:
        sd = np.full_like(obs, target.sd)
    elif target.cv is not None or not is_share(target.metric):
        sd = (target.cv or spec.cv) * np.maximum(np.abs(obs), 1e-9)
    else:
        sd = np.full_like(obs, spec.sd_share)
    return stats.norm.logpdf(obs, mu, sd)


def fit_log_likelihood(problem: Problem, table: pd.DataFrame, replications: int) -> float:
    """The (tempered) log-likelihood of the observations given one trial's simulated table."""
    means = table.groupby(["metric", "year"])["value"].mean()
    total = 0.0
    for i, target in enumerate(problem.spec.targets):
        obs = problem.observed[problem.observed["target"] == i]
        if obs.empty:
            continue
        mu = means.reindex(list(zip(obs["metric"], obs["year"]))).to_numpy(dtype=float)
        # a share the model leaves undefined in every replication (nothing to share out, e.g. no reviews due
        # in a small municipality) says nothing about the parameters: that observation is left out
        defined = ~np.isnan(mu)
        total += float(np.sum(log_likelihood(obs["model_observed"].to_numpy()[defined], mu[defined], target,
                                             problem.spec)))
    return total / (1.0 + 1.0 / replications)


# ---------------------------------------------------------------- the search


@dataclass
class Calibration:
    """The result of a calibration: every trial, the kept parameter sets and their fit to the history."""

    problem: Problem
    trials: pd.DataFrame  # trial, state, loglik, a column per parameter path
    ensemble: pd.DataFrame  # a column per parameter path, weight, loglik, trial
    best: dict[str, float]
    wall_seconds: float
    simulations: int  # replication-runs of the search
    events: int
    resumed_trials: int = 0
    fit: pd.DataFrame | None = None  # FIT_COLUMNS
    tolerances: list[float] | None = None  # ABC-SMC: the tolerance of each generation
    distance_sd: dict[str, float] | None = None  # ABC-SMC: the sd of each observation's residual ("metric year")
    reporting_stage: dict | None = None  # ABC-SMC with abc.reporting_stage: its estimate (reporting_fit.summary)

    @property
    def parameter_sets(self) -> ParameterSets:
        cols = [p.path for p in self.problem.spec.parameters] + ["weight"]
        return from_frame(self.ensemble[cols], "the calibrated ensemble")


def fingerprint(problem: Problem) -> str:
    """What a journal of trials belongs to: the scenario over the years, the spec and the observations."""
    blob = json.dumps({"raw": problem.raw, "spec": problem.spec.model_dump(mode="json"),
                       "observed": problem.observed[["metric", "year", "model_observed"]].values.tolist()},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _study(problem: Problem, journal: Path | None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = problem.spec
    sampler = _sampler(spec, 0)
    storage = None
    if journal is not None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        journal.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the journal backend is marked experimental in some versions
            storage = JournalStorage(JournalFileBackend(str(journal)))
    study = optuna.create_study(study_name="boernesim", storage=storage, sampler=sampler, direction="maximize",
                                load_if_exists=True)
    mark = fingerprint(problem)
    if study.user_attrs.get("fingerprint") not in (None, mark):
        raise InputError(f"{journal} holds trials of another calibration (different scenario, spec, history or "
                         "seed); delete it to start afresh, or choose another --out")
    study.set_user_attr("fingerprint", mark)
    return study


def _sampler(spec: CalibrationSpec, trials_done: int):
    """TPE, seeded by the spec's seed and the number of trials already done: a resumed search must not
    replay the random start of the interrupted one (the same points would run again with the same result)."""
    import optuna

    seed = spec.seed
    if trials_done:
        seed = int(np.random.SeedSequence([spec.seed, trials_done]).generate_state(1)[0])
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec.search.startup_trials, multivariate=True,
                                      constant_liar=True)


def _suggest(trial, p: Parameter) -> float:
    if p.integer:
        return float(trial.suggest_int(p.path, math.ceil(p.low), math.floor(p.high)))
    return trial.suggest_float(p.path, p.low, p.high)


def trial_scenario(problem: Problem, values: Sequence[float]) -> Scenario | None:
    raw = copy.deepcopy(problem.raw)
    for p, v in zip(problem.spec.parameters, values):
        set_path(raw, p.path, parameter_value(p, v))
    try:
        return scenario_from_mapping(raw, "<trial>")
    except ScenarioError:
        return None  # a combination of valid values can still be invalid (shares summing over 1)


def search(problem: Problem, workers: int | None = None, journal: Path | None = None,
           on_progress: Callable[[int], None] | None = None, executor: str = "local",
           scheduler: str | None = None, trials: int | None = None) -> tuple[object, int, int, int]:
    """Run the search until ``trials`` trials are complete (counting those already in ``journal``): TPE
    first, then the last ``refine_share`` of the trials spread evenly (Latin hypercube) over the box around
    the likelihood-ratio region found so far. TPE crowds its trials near the best fit, so without the second
    stage the region's edges are thinly sampled and the kept sets' spread comes out too narrow.
    Returns (study, simulations run now, events, trials resumed)."""
    total = trials or problem.spec.search.trials
    with _INTERRUPTS.held():
        return _search(problem, total, workers, journal, on_progress, executor, scheduler)


def _search(problem, total, workers, journal, on_progress, executor, scheduler):
    from optuna.trial import TrialState

    spec = problem.spec
    study = _study(problem, journal)
    # a trial asked but never told (the run was interrupted) is closed as failed so it does not linger
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)
    resumed = _complete(study)
    if resumed:
        study.sampler = _sampler(spec, resumed)
    if on_progress and resumed:
        on_progress(min(resumed, total))
    run = _Batches(problem, study, workers, executor, scheduler, on_progress)
    first_stage = total - int(round(total * spec.search.refine_share))
    run.until(first_stage)
    # points of an interrupted refinement stage still queued in the journal are run first; only the rest
    # are new (so a resumed refinement is two Latin hypercubes, not one)
    remaining = total - _complete(study) - _waiting(study)
    if remaining > 0:
        for point in _refinement_points(trials_frame(study, spec), spec, remaining):
            study.enqueue_trial(point, skip_if_exists=False)
    run.until(total)
    return study, run.simulations, run.events, resumed


class _Interrupts:
    """Ctrl-C while optuna writes or reads the journal (under its file lock) would leave half a record or a
    lock file behind. So during a search Ctrl-C is held back and raised at the next safe point, except while
    the simulations run (``allowed``), which it stops at once. Only in the main thread, where signals arrive."""

    def __init__(self):
        self.caught = False
        self.active = False

    def _hold(self, *_):
        self.caught = True

    @contextlib.contextmanager
    def held(self):
        if threading.current_thread() is not threading.main_thread() or self.active:
            yield
            return
        self.caught, self.active = False, True
        previous = signal.signal(signal.SIGINT, self._hold)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
            self.active = False
        if self.caught:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def allowed(self):
        if not self.active:
            yield
            return
        if self.caught:
            raise KeyboardInterrupt
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, self._hold)


_INTERRUPTS = _Interrupts()


def _waiting(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))


def _complete(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


class _Batches:
    """Asks the study for ``batch`` trials at a time, runs them in parallel, tells the results."""

    def __init__(self, problem: Problem, study, workers, executor, scheduler, on_progress):
        self.problem, self.study, self.on_progress = problem, study, on_progress
        self.workers = default_workers() if workers is None else workers
        self.batch = problem.spec.search.batch  # not the number of workers: the result must not depend on it
        self.run_on = dict(executor=executor, workers=self.workers, scheduler=scheduler)
        self.simulations = self.events = 0

    def until(self, target: int) -> None:
        from optuna.trial import TrialState

        spec, reps = self.problem.spec, self.problem.spec.search.replications
        work = partial(run_metrics, replications=reps, seed=spec.seed, metrics=self.problem.metrics)
        failed_in_a_row = 0
        while _complete(self.study) < target:
            asked = [self.study.ask() for _ in range(min(self.batch, target - _complete(self.study)))]
            values = [[_suggest(t, p) for p in spec.parameters] for t in asked]
            scenarios = [trial_scenario(self.problem, v) for v in values]
            runnable = [(t, sc) for t, sc in zip(asked, scenarios) if sc is not None]
            for t, sc in zip(asked, scenarios):
                if sc is None:
                    self.study.tell(t, state=TrialState.FAIL)
            with _INTERRUPTS.allowed():  # the simulations stop at once on Ctrl-C; the journal is not being written
                results = map_chunks(work, [sc for _, sc in runnable], **self.run_on)
            for (t, _sc), (table, ev) in zip(runnable, results):
                self.study.tell(t, fit_log_likelihood(self.problem, table, reps))
                self.simulations += reps
                self.events += ev
            if self.on_progress and runnable:
                self.on_progress(len(runnable))
            failed_in_a_row = 0 if runnable else failed_in_a_row + 1
            if failed_in_a_row >= 5:
                raise InputError("the prior ranges give invalid scenarios again and again (e.g. shares that sum "
                                 "over 1); narrow them")


def _refinement_points(trials: pd.DataFrame, spec: CalibrationSpec, n: int) -> list[dict[str, float]]:
    """``n`` points spread evenly (a seeded Latin hypercube) over the box around the likelihood-ratio region
    of ``trials``, widened by half its width on each side and kept inside the prior ranges."""
    from scipy.stats import qmc

    region = likelihood_region(trials, len(spec.parameters), spec.search.confidence, max_sets=len(trials))
    lows, highs = [], []
    for p in spec.parameters:
        lo, hi = float(region[p.path].min()), float(region[p.path].max())
        margin = max(hi - lo, 0.05 * (p.high - p.low)) * 0.5
        lows.append(max(p.low, lo - margin))
        highs.append(min(p.high, hi + margin))
    unit = qmc.LatinHypercube(d=len(spec.parameters), seed=spec.seed).random(n)
    points = qmc.scale(unit, lows, highs) if n else unit
    return [{p.path: (_whole_in_range(v, p) if p.integer else float(v)) for p, v in zip(spec.parameters, row)}
            for row in points]


def _whole_in_range(v: float, p: Parameter) -> int:
    return int(min(max(round(v), math.ceil(p.low)), math.floor(p.high)))


def trials_frame(study, spec: CalibrationSpec) -> pd.DataFrame:
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        rows.append({"trial": t.number, "loglik": float(t.value),
                     **{p.path: parameter_value(p, t.params[p.path]) for p in spec.parameters}})
    frame = pd.DataFrame(rows, columns=["trial", "loglik", *[p.path for p in spec.parameters]])
    return frame.sort_values("trial").reset_index(drop=True)


def likelihood_region(trials: pd.DataFrame, n_parameters: int, confidence: float, max_sets: int) -> pd.DataFrame:
    """The trials inside the likelihood-ratio region (loglik >= best - chi2(confidence, d) / 2), equally
    weighted; if more than ``max_sets``, every k-th by trial number so the spread is kept."""
    finite = trials[np.isfinite(trials["loglik"])]
    if finite.empty:
        raise InputError("no trial produced a finite likelihood (the model never came near the history); check "
                         "the prior ranges and the targets' scales")
    threshold = float(stats.chi2.ppf(confidence, n_parameters)) / 2.0
    inside = finite[finite["loglik"] >= finite["loglik"].max() - threshold].sort_values("trial")
    if len(inside) > max_sets:
        keep = np.unique(np.linspace(0, len(inside) - 1, max_sets).round().astype(int))
        inside = inside.iloc[keep]
    out = inside.drop(columns=["trial", "loglik"]).copy()
    out["weight"] = 1.0 / len(out)
    out["loglik"] = inside["loglik"].to_numpy()
    out["trial"] = inside["trial"].to_numpy()
    return out.reset_index(drop=True)


def calibrate(problem: Problem, workers: int | None = None, journal: Path | None = None,
              on_progress: Callable[[int], None] | None = None, executor: str = "local",
              scheduler: str | None = None, trials: int | None = None, fit_bands: bool = True) -> Calibration:
    """Search, keep the ensemble, and (``fit_bands``) run it over the fitted years for the fit bands."""
    started = time.perf_counter()
    spec = problem.spec
    if spec.method == "abc_smc":
        cal = abc_calibration(problem, workers, on_progress, executor, scheduler)
    else:
        study, simulations, events, resumed = search(problem, workers, journal, on_progress, executor, scheduler,
                                                     trials)
        table = trials_frame(study, spec)
        ensemble = likelihood_region(table, len(spec.parameters), spec.search.confidence, spec.search.max_sets)
        best_row = table.loc[table["loglik"].idxmax()]
        best = {p.path: float(best_row[p.path]) for p in spec.parameters}
        cal = Calibration(problem=problem, trials=table, ensemble=ensemble, best=best, wall_seconds=0.0,
                          simulations=simulations, events=events, resumed_trials=resumed)
    if fit_bands:
        projection, ev = project(problem.scenario, cal.parameter_sets, spec.projection_replications, spec.seed,
                                 workers, executor, scheduler, spec.projection_scale)
        cal.events += ev
        cal.simulations += spec.projection_replications
        cal.fit = fit_table(problem, projection)
    cal.wall_seconds = time.perf_counter() - started
    return cal


# ---------------------------------------------------------------- ABC-SMC


def observation_sd(problem: Problem) -> np.ndarray:
    """Per fitted observation (model scale, in ``problem.observed`` order): the spread its target's likelihood
    allows, the scale of ABC's standardised distance."""
    spec, sds = problem.spec, []
    for _, row in problem.observed.iterrows():
        target = spec.targets[int(row["target"])]
        obs = max(abs(float(row["model_observed"])), 1e-9)
        if target.family == "poisson":
            sds.append(math.sqrt(obs))
        elif target.family == "negative_binomial":
            k = target.dispersion or spec.dispersion
            sds.append(math.sqrt(obs + obs * obs / k))
        elif target.sd is not None:
            sds.append(target.sd)
        elif target.cv is not None or not is_share(target.metric):
            sds.append((target.cv or spec.cv) * obs)
        else:
            sds.append(spec.sd_share)
    return np.asarray(sds, dtype=float)


PILOT_GENERATION = 10_000  # candidate_seed's generation number of the pilot replications (no ABC generation)


def pilot_runs(problem: Problem, run_on: dict, counts: dict) -> np.ndarray:
    """``pilot_replications`` single replications at the prior's midpoint: a row each, a column per fitted
    observation (``problem.observed`` order, NaN where a run has none)."""
    from sim.analysis.abc import candidate_seed

    spec = problem.spec
    scenario = trial_scenario(problem, prior_middle(spec))
    if scenario is None:
        raise CalibrationSpecError("<spec>", [("abc", "the prior's midpoint gives an invalid scenario, so no pilot "
                                               "runs: use distance_scale: likelihood and reporting_stage: false")])
    seeds = [candidate_seed(spec.seed, PILOT_GENERATION, r) for r in range(spec.abc.pilot_replications)]
    jobs = [(partial(run_metrics, replications=1, seed=s, metrics=problem.metrics), scenario) for s in seeds]
    runs = []
    for table, ev in map_chunks(_call, jobs, **run_on):
        runs.append(at_observations(problem, table))
        counts["events"] += ev
    counts["pilot"] = len(seeds)
    return np.vstack(runs)


def prior_middle(spec: CalibrationSpec) -> list[float]:
    return [(p.low + p.high) / 2.0 for p in spec.parameters]


def observation_sd_simulated(problem: Problem, values: np.ndarray) -> np.ndarray:
    """Per fitted observation: sqrt(s_sim^2 + (model_error_cv * observed)^2), s_sim the spread of one
    replication at the prior's midpoint over the pilot runs ``values`` (:func:`pilot_runs`).

    A single replication is what each ABC candidate is, so its noise is the scale a residual should be judged
    on: a series the simulator reproduces tightly (notifications of a thousand a year, a few % of noise) then
    weighs more than one it cannot (placements started, about 20 a year in a half-size municipality, 20 %
    noise), as a standardised distance should (the summaries scaled by their sd under the model: Prangle
    2017, Beaumont et al. 2002). A fixed dispersion for all counts instead lets the noisiest series set the
    tolerance, and the trend of a well-measured one stays unidentified."""
    spec = problem.spec
    enough = np.isfinite(values).sum(axis=0) >= 2
    simulated = np.full(values.shape[1], np.nan)
    simulated[enough] = np.nanstd(values[:, enough], axis=0, ddof=1)
    observed = np.abs(problem.observed["model_observed"].to_numpy(dtype=float))
    sd = np.sqrt(simulated**2 + (spec.abc.model_error_cv * observed) ** 2)
    # a metric-year the pilot runs do not define (fewer than two values) keeps its likelihood's spread, so that
    # no residual is judged on a model error of an observation near zero alone
    return np.where(enough, sd, observation_sd(problem))


def first_stage(problem: Problem, values: np.ndarray):
    """The reporting stage (sim.analysis.reporting_fit) of ``problem``, its renotified share measured in the
    pilot runs ``values``; CalibrationSpecError if the notifications series cannot be fitted on a log scale."""
    from sim.analysis import reporting_fit as rf

    spec = problem.spec
    rows = problem.observed["metric"] == rf.METRIC
    if not rows.any() or (problem.observed.loc[rows, "model_observed"] <= 0).any():
        raise CalibrationSpecError(problem.source, [("abc.reporting_stage", "needs notifications in at least "
                                                     "one fitted year, and above 0 in every one")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a year no pilot run defines: NaN, left out
        means = np.nanmean(values[:, rows.to_numpy()], axis=0)
    return rf.reporting_fit(problem, [p.path for p in spec.parameters], spec.abc.model_error_cv,
                            prior_middle(spec), means)


def at_observations(problem: Problem, table: pd.DataFrame) -> np.ndarray:
    """A simulated table's mean value at each fitted observation (``problem.observed`` order; NaN where the
    table has none)."""
    means = table.groupby(["metric", "year"])["value"].mean()
    keys = list(zip(problem.observed["metric"], problem.observed["year"]))
    return means.reindex(keys).to_numpy(dtype=float)


def abc_distance(problem: Problem, table: pd.DataFrame, sd: np.ndarray, used: np.ndarray | None = None) -> float:
    """The standardised distance of one simulated table to the observations (sim.analysis.abc), over the
    observations ``used`` (default all)."""
    from sim.analysis.abc import standardised_distance

    at = slice(None) if used is None else used
    observed = problem.observed["model_observed"].to_numpy(dtype=float)
    return standardised_distance(at_observations(problem, table)[at], observed[at], sd[at])


def _abc_evaluate(problem: Problem, sd: np.ndarray, run_on: dict, on_progress, counts: dict,
                  used: np.ndarray | None = None):
    def evaluate(thetas, seeds):
        scenarios = [trial_scenario(problem, theta) for theta in thetas]
        runnable = [(i, sc, s) for i, (sc, s) in enumerate(zip(scenarios, seeds)) if sc is not None]
        out = np.full(len(thetas), np.inf)
        jobs = [partial(run_metrics, replications=1, seed=s, metrics=problem.metrics) for _, _, s in runnable]
        results = map_chunks(_call, list(zip(jobs, [sc for _, sc, _ in runnable])), **run_on)
        for (i, _sc, _s), (table, ev) in zip(runnable, results):
            out[i] = abc_distance(problem, table, sd, used)
            counts["events"] += ev
        if on_progress:
            on_progress(len(thetas))
        return out
    return evaluate


def _call(job):
    work, scenario = job
    return work(scenario)


def abc_calibration(problem: Problem, workers=None, on_progress=None, executor: str = "local",
                    scheduler=None) -> Calibration:
    """The spec's parameters fitted by ABC-SMC: the last population is the ensemble (weighted)."""
    from sim.analysis.abc import EmptyPrior, abc_smc

    spec = problem.spec
    names = [p.path for p in spec.parameters]
    counts = {"events": 0}
    run_on = dict(executor=executor, workers=default_workers() if workers is None else workers, scheduler=scheduler)
    simulated_scale, staged = spec.abc.distance_scale == "simulated", spec.abc.reporting_stage
    pilot = pilot_runs(problem, run_on, counts) if simulated_scale or staged else None
    sd = observation_sd_simulated(problem, pilot) if simulated_scale else observation_sd(problem)
    used, stage = None, None
    if staged:
        from sim.analysis import reporting_fit as rf

        stage = first_stage(problem, pilot)
        used = (problem.observed["metric"] != rf.METRIC).to_numpy()  # the notifications are stage 1's
    try:
        result = abc_smc(_abc_evaluate(problem, sd, run_on, on_progress, counts, used),
                         [p.low for p in spec.parameters], [p.high for p in spec.parameters], names,
                         seed=spec.seed, particles=spec.abc.particles, generations=spec.abc.generations,
                         quantile=spec.abc.quantile, max_batches=spec.abc.max_batches,
                         log_tilt=stage.log_likelihood if stage else None,
                         fresh=(stage.level_index, stage.trend_index) if stage else ())
    except EmptyPrior as e:  # the reporting stage's posterior lies outside the prior's box
        raise CalibrationSpecError(problem.source, [("abc.reporting_stage", f"{e}: the notifications series "
                                                     "lies outside the prior ranges of its level and trend")]) from None
    population = result.population.copy()
    for p in spec.parameters:
        population[p.path] = [parameter_value(p, v) for v in population[p.path]]
    population["loglik"] = -0.5 * population.pop("distance") ** 2  # a pseudo log-likelihood: higher is closer
    trials = result.trials.rename(columns={"distance": "abc_distance"})
    trials.insert(1, "loglik", -0.5 * trials["abc_distance"] ** 2)
    best_row = population.loc[population["loglik"].idxmax()]
    cal = Calibration(problem=problem, trials=trials, ensemble=population[[*names, "weight", "loglik", "trial"]],
                      best={n: float(best_row[n]) for n in names}, wall_seconds=0.0,
                      simulations=result.simulations + counts.get("pilot", 0), events=counts["events"])
    cal.tolerances = result.tolerances
    cal.distance_sd = {f"{m} {y}": round(float(v), 4) for m, y, v in
                       zip(problem.observed["metric"], problem.observed["year"], sd)}
    cal.reporting_stage = stage.summary() if stage else None
    return cal


def project(scenario: Scenario, sets: ParameterSets, replications: int, seed: int, workers: int | None,
            executor: str = "local", scheduler: str | None = None, scale: int = 1) -> tuple[pd.DataFrame, int]:
    """The long table of ``replications`` replications, each with a parameter set drawn from ``sets``; with
    ``scale`` > 1 of a municipality that many times larger (:func:`larger`), its counts, stocks and money divided
    back by ``scale``."""
    from sim.runs.runner import run_replications

    res = run_replications(larger(scenario, scale), replications, seed=seed, workers=workers, executor=executor,
                           scheduler=scheduler, parameter_sets=sets)
    table = res.table
    if scale > 1:  # counts, stocks (populations too) and money grow with the municipality; shares and ratios not
        extensive = ~table["metric"].map(is_ratio)
        table.loc[extensive, "value"] = table.loc[extensive, "value"] / scale
    return table, res.events


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


ERROR_POINTS = 1000  # evenly spaced normal quantiles per replication (100 put the 5 % point at z = -1.60, not -1.645)


def predictive(values: np.ndarray, cv: float) -> np.ndarray:
    """Replications' values as predictions of an observation: with ``cv`` > 0 each spread by the fit's model
    error, value x (1 + cv z) over ERROR_POINTS evenly spaced standard normal quantiles z (deterministic: no
    seed, and the mean unchanged); as they are with ``cv`` 0."""
    values = np.asarray(values, dtype=float)
    if cv <= 0.0:
        return values
    z = stats.norm.ppf((np.arange(ERROR_POINTS) + 0.5) / ERROR_POINTS)
    return (values[:, None] * (1.0 + cv * z)[None, :]).ravel()


def band_error_cv(spec: CalibrationSpec) -> float:
    """The model error the bands of the fitted years carry (``abc.model_error_in_bands``): the ``model_error_cv``
    the ABC distance allows every residual, or none. Only unconditioned bands: a forecast conditioned on the origin
    (``backtest.conditioned_bands``) has the persistent part of the misfit taken out by the rescaling, and the
    fit's residuals are persistent (the placed stock 5-7 % low in every fitted year), so adding it again there
    would count it twice."""
    return spec.abc.model_error_cv if spec.abc.model_error_in_bands else 0.0


def bands(problem: Problem, table: pd.DataFrame, years: Sequence[int],
          population: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per history metric the model produces (populations aside) and year: the observed value and the
    simulated mean and 5-95 % band on the history's scale (see :func:`scale_for`). ``population``: the history
    whose population rows convert rates (default the whole history; a back-test passes only the years it
    fitted, so the model does not see the tested years' population)."""
    from sim.analysis.summary import quantile

    spec = problem.spec
    population = problem.history if population is None else population
    produced = set(table["metric"])
    hist = problem.history[problem.history["metric"].isin(produced)
                           & ~problem.history["metric"].isin(POPULATION_METRICS)
                           & problem.history["year"].isin(list(years))]
    cv = band_error_cv(spec)

    def band_point(q: float):  # a quantile of the replications as predictions of an observation (predictive)
        return lambda v: quantile(pd.Series(predictive(v.to_numpy(dtype=float), cv)), q)

    stats_ = table.groupby(["metric", "year"])["value"].agg(
        sim_mean="mean", sim_p05=band_point(0.05), sim_p95=band_point(0.95))
    rows = []
    for _, h in hist.iterrows():
        key = (h["metric"], int(h["year"]))
        if key not in stats_.index:
            continue
        scale = scale_for(h["metric"], spec)
        if scale != "absolute" and value_at(population, population_metric(scale), key[1]) is None:
            scale = "absolute"  # a metric that is not a target, in a history without that population
        s = stats_.loc[key]
        conv = [float(to_history_scale(float(s[c]), scale, key[1], population, problem.scenario))
                for c in ("sim_mean", "sim_p05", "sim_p95")]
        if cv > 0.0:  # the spread error cannot take a share past 1 (nor anything below 0)
            conv = clip_to_bounds(key[0], np.asarray(conv))[0].tolist()
        rows.append((key[0], key[1], float(h["value"]), *conv))
    return pd.DataFrame(rows, columns=["metric", "year", "observed", "sim_mean", "sim_p05", "sim_p95"])


def fit_table(problem: Problem, projection: pd.DataFrame) -> pd.DataFrame:
    first, last = problem.years
    table = bands(problem, projection, range(first, last + 1))
    fitted = set(zip(problem.observed["metric"], problem.observed["year"]))
    table["fitted"] = [(m, y) in fitted for m, y in zip(table["metric"], table["year"])]
    return table.sort_values(["metric", "year"]).reset_index(drop=True)[FIT_COLUMNS]


# Settings that hold "in start_year" and change by a yearly rate after it. A fit over 2015-2019 anchors them
# at 2015; a scenario that starts later needs them at the last fitted year's level.
ANCHORED = {
    "notifications.per_1000_aged_0_17": "notifications.trend_per_year",
    "population.aged_0_17": "population.growth_per_year",
    "population.aged_0_22": "population.growth_per_year",
}


def at_last_fitted_year(problem: Problem, values: dict[str, float]) -> dict[str, float]:
    """Fitted values for use in a scenario with its own start year: each anchored setting moved from the first
    to the last fitted year by its yearly rate (fitted, or the scenario's), and each drifting setting whose value
    or trend is fitted by its drift's trend (the random walk has mean 0 on the drift's scale). With the demand
    model, the need mix of that year when the fit moves it (:func:`need_mix_at_last_fitted_year`). Not carried
    further: the years between the history and the scenario's start are not extrapolated."""
    first, last = problem.years
    out = dict(values)
    for path, rate_path in ANCHORED.items():
        if path in out:
            rate = out.get(rate_path, float(get_path(problem.raw, rate_path)))
            out[path] = out[path] * (1.0 + rate) ** (last - first)
    for path, trend_path in drifting(problem).items():
        if path in out or trend_path in out:
            share = drifts_as_share(path, [st.id for st in problem.scenario.staircase])
            start = out.get(path, float(get_path(problem.raw, path)))
            trend = out.get(trend_path, float(get_path(problem.raw, trend_path)))
            out[path] = from_scale(to_scale(start, share) + trend * (last - first), share)
    out.update(need_mix_at_last_fitted_year(problem, values, out))
    return out


KNOWN_SHARE = "notifications.share_about_known_children"


def need_mix_at_last_fitted_year(problem: Problem, values: dict[str, float], moved: dict[str, float]) -> dict[str, float]:
    """The need mix of newly notified children in the last fitted year, as ``demand.need_shares.<level>``.

    The fitted scenario's mix holds in the first fitted year; after it, children with a real need grow with the
    need trend while reporting grows with the notification trend, and a drifting share about known children
    changes how many notifications are about new children (``sim.model.demand``). A scenario that takes the
    fitted notification rate and known share at the last year's level (``moved``) without this mix would have
    the first year's need per notification at the last year's reporting. Only the levels the scenario lists;
    empty without ``demand`` or when nothing fitted or set moves the mix (:func:`moves_need_mix`)."""
    if not moves_need_mix(problem):
        return {}
    from sim.model.demand import need_shares_in, new_children_factor

    raw = copy.deepcopy(problem.raw)
    for path, value in values.items():
        set_path(raw, path, value)
    scenario = scenario_from_mapping(raw, f"{problem.source} (need mix)")
    last = problem.years[1]
    at_first = float(get_path(raw, KNOWN_SHARE))
    shares = need_shares_in(scenario, last, new_children_factor(at_first, moved.get(KNOWN_SHARE, at_first)))
    return {f"demand.need_shares.{level}": shares[level] for level in sorted(scenario.demand.need_shares)}


NEED_MIX_MOVERS = ("demand.need_trend_per_year", "notifications.trend_per_year", KNOWN_SHARE)


def moves_need_mix(problem: Problem) -> bool:
    """Whether the need mix of the last fitted year can differ from the first's: the demand model is on and a
    trend of need or reporting, the known share or its drift is fitted, or the scenario sets such a trend.
    The same answer for every parameter set, so a posterior's columns are the same in every row."""
    if not problem.scenario.demand.enabled or problem.years[1] == problem.years[0]:
        return False
    fitted = {p.path for p in problem.spec.parameters}
    known_drift = drifting(problem).get(KNOWN_SHARE)
    movers = (*NEED_MIX_MOVERS, *((known_drift,) if known_drift else ()))
    return any(path in fitted or (path != KNOWN_SHARE and float(get_path(problem.raw, path)) != 0.0) for path in movers)


def drifting(problem: Problem) -> dict[str, str]:
    """Each drifting setting of the fitted scenario and the key path of its drift's trend."""
    return {d.setting: f"drift.{i}.trend_per_year" for i, d in enumerate(problem.scenario.drift)}


def ensemble_for_scenarios(cal: Calibration) -> pd.DataFrame:
    """The kept parameter sets as ``posterior.parquet`` holds them: anchored and drifting settings at the last
    fitted year's level, and the need mix they imply if the fit moves it (see :func:`at_last_fitted_year`), then
    weight, loglik and trial."""
    paths = [p.path for p in cal.problem.spec.parameters]
    rows = [at_last_fitted_year(cal.problem, dict(zip(paths, map(float, r)))) for r in cal.ensemble[paths].to_numpy()]
    out = pd.DataFrame(rows, columns=list(rows[0]) if rows else paths)  # the fitted paths, then any need mix
    for column in ("weight", "loglik", "trial"):
        out[column] = cal.ensemble[column].to_numpy()
    return out


def parameter_summary(cal: Calibration) -> pd.DataFrame:
    """Per parameter: prior range, scenario value, best trial, ensemble 5 %, 50 %, 95 % and range."""
    rows = []
    w = cal.ensemble["weight"].to_numpy()
    for p in cal.problem.spec.parameters:
        v = cal.ensemble[p.path].to_numpy(dtype=float)
        rows.append({"parameter": p.path, "label": p.name, "low": p.low, "high": p.high,
                     "scenario_value": float(get_path(cal.problem.raw, p.path)), "best": cal.best[p.path],
                     "p05": weighted_quantile(v, w, 0.05), "median": weighted_quantile(v, w, 0.5),
                     "p95": weighted_quantile(v, w, 0.95), "min": float(v.min()), "max": float(v.max())})
    return pd.DataFrame(rows)


__all__ = ["CalibrationSpec", "CalibrationSpecError", "Calibration", "Problem", "Target", "bands", "calibrate",
           "fit_table", "likelihood_region", "load_spec", "log_likelihood", "parameter_summary", "prepare",
           "project", "search", "spec_from_mapping", "to_history_scale", "to_model_scale", "trials_frame"]
