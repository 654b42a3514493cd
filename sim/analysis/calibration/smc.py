"""ABC-SMC: the spec's parameters fitted by approximate Bayesian computation (sim.analysis.abc), with the
observation scales, the pilot runs and the reporting stage it uses."""

from __future__ import annotations

import math
import warnings
from functools import partial

import numpy as np
import pandas as pd

from sim.analysis.calibration.problem import Problem, trial_scenario
from sim.analysis.calibration.result import Calibration
from sim.analysis.calibration.spec import CalibrationSpec, CalibrationSpecError
from sim.analysis.parameter_spec import (
    parameter_value,
)
from sim.model.catalogue import is_share
from sim.runs.executors import default_workers, map_chunks
from sim.runs.runner import run_metrics


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
