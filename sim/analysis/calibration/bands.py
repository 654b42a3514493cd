"""Bands: the ensemble projected over the fitted (or later) years, and the fit table of observed against
simulated."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.calibration.problem import Problem
from sim.analysis.calibration.scales import larger, population_metric, scale_for, to_history_scale
from sim.analysis.calibration.spec import CalibrationSpec
from sim.analysis.simple_forecasts import clip_to_bounds
from sim.data.history import value_at
from sim.model.catalogue import POPULATION_METRICS, is_ratio
from sim.model.scenario import Scenario
from sim.runs.parameter_sets import ParameterSets

FIT_COLUMNS = ["metric", "year", "observed", "sim_mean", "sim_p05", "sim_p95", "fitted"]


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
