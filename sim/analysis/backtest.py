"""Back-tests: fit on the years up to YEAR, project the next K years, and score against what happened.

The model's projection runs the calibrated ensemble (one parameter set drawn per replication) from the first
fitted year to YEAR + K, so its band carries both simulation noise and parameter uncertainty. Beside it, three
simple forecasts (:mod:`sim.analysis.simple_forecasts`): last value carried forward, a linear trend and a deterministic
stock-and-flow projection with constant rates. A model that cannot beat them on the past should not be
trusted on the future.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.calibration import Calibration, Problem, bands, calibrate, fit_table, prepare, project
from sim.errors import InputError
from sim.model.catalogue import POPULATION_METRICS
from sim.model.scenario import scenario_from_mapping
from sim.analysis.simple_forecasts import mape_table, score, simple_forecasts


@dataclass
class Backtest:
    """A back-test: the calibration up to the fit year, the projection after it, and its scores beside the
    simple forecasts'."""

    calibration: Calibration
    fit_until: int
    horizon: int
    scored: pd.DataFrame  # backtest.csv
    summary: pd.DataFrame  # method, metric, mape, coverage, n_years


def check_window(history: pd.DataFrame, fit_until: int, horizon: int) -> None:
    if horizon < 1:
        raise InputError("--horizon must be at least 1")
    data = history[~history["metric"].isin(POPULATION_METRICS)]
    if data.empty:
        raise InputError("the history has only population rows; there is nothing to fit or test against")
    first, last = int(data["year"].min()), int(data["year"].max())
    if fit_until < first:
        raise InputError(f"--fit-until {fit_until} is before the history starts ({first})")
    later = data[(data["year"] > fit_until) & (data["year"] <= fit_until + horizon)]
    if later.empty:
        raise InputError(f"the history has no values in {fit_until + 1}-{fit_until + horizon} to test against "
                         f"(it ends in {last}); choose an earlier --fit-until")


def known_population(history: pd.DataFrame, fit_until: int) -> pd.DataFrame:
    """The population rows a back-test may use to turn the model's rates into counts: those up to fit_until,
    as the simple forecasts see them; a population the history gives only later (the national history has
    one year, 2018) is taken from its first year, the best there is."""
    rows = history[history["metric"].isin(POPULATION_METRICS)]
    known = rows[rows["year"] <= fit_until]
    later = rows[~rows["metric"].isin(set(known["metric"]))]
    first_later = later.sort_values("year").groupby("metric", as_index=False).head(1)
    return pd.concat([known, first_later], ignore_index=True)


def run_backtest(raw: dict, spec, history: pd.DataFrame, fit_until: int, horizon: int, *,
                 workers: int | None = None, journal: Path | None = None,
                 on_progress: Callable[[int], None] | None = None, executor: str = "local",
                 scheduler: str | None = None, source: str = "<spec>", scenario_source: str = "<scenario>",
                 trials: int | None = None) -> Backtest:
    check_window(history, fit_until, horizon)
    problem: Problem = prepare(raw, spec, history, fit_until=fit_until, source=source,
                               scenario_source=scenario_source)
    if problem.years[1] != fit_until:
        raise InputError(f"the fit would end in {problem.years[1]}, not --fit-until {fit_until}: the spec's years "
                         "or the targets' history end earlier; choose --fit-until "
                         f"{problem.years[1]} or widen the spec's years")
    cal = calibrate(problem, workers=workers, journal=journal, on_progress=on_progress, executor=executor,
                    scheduler=scheduler, trials=trials, fit_bands=False)
    longer = copy.deepcopy(problem.raw)
    longer["calendar"]["horizon_years"] = fit_until + horizon - problem.years[0] + 1
    scenario = scenario_from_mapping(longer, scenario_source)
    table, events = project(scenario, cal.parameter_sets, spec.projection_replications, spec.seed, workers,
                            executor, scheduler)
    cal.events += events
    cal.simulations += spec.projection_replications
    cal.fit = fit_table(problem, table)  # the fitted years of the same projection
    known = known_population(history, fit_until)
    future = list(range(fit_until + 1, fit_until + horizon + 1))
    model = bands(problem, table, future, population=known).rename(
        columns={"sim_mean": "forecast", "sim_p05": "p05", "sim_p95": "p95"})
    model.insert(0, "method", "model")
    model_metrics = set(model["metric"])
    simple = simple_forecasts(history, fit_until, horizon)
    simple = simple[simple["metric"].isin(model_metrics)]
    scored = score(pd.concat([model.drop(columns=["observed"]), simple], ignore_index=True), history)
    scored = scored[scored["actual"].notna()].sort_values(["metric", "method", "year"]).reset_index(drop=True)
    return Backtest(calibration=cal, fit_until=fit_until, horizon=horizon, scored=scored,
                    summary=mape_table(scored))
