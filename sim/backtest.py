"""Back-tests: fit on the years up to YEAR, project the next K years, and score against what happened.

The model's projection runs the calibrated ensemble (one parameter set drawn per replication) from the first
fitted year to YEAR + K, so its band carries both simulation noise and parameter uncertainty. Beside it, three
simple forecasts (:mod:`sim.simple_forecasts`): last value carried forward, a linear trend and a deterministic
stock-and-flow projection with constant rates. A model that cannot beat them on the past should not be
trusted on the future.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .calibration import Calibration, Problem, bands, calibrate, prepare, project
from .errors import InputError
from .history import POPULATION_METRICS
from .scenario import scenario_from_mapping
from .simple_forecasts import mape_table, score, simple_forecasts


@dataclass
class Backtest:
    calibration: Calibration
    fit_until: int
    horizon: int
    scored: pd.DataFrame  # backtest.csv
    summary: pd.DataFrame  # method, metric, mape, coverage, n_years
    projection: pd.DataFrame  # the ensemble's long table, first fitted year .. fit_until + horizon


def check_window(history: pd.DataFrame, fit_until: int, horizon: int) -> None:
    if horizon < 1:
        raise InputError("--horizon must be at least 1")
    later = history[(history["year"] > fit_until) & (history["year"] <= fit_until + horizon)
                    & ~history["metric"].isin(POPULATION_METRICS)]
    if later.empty:
        raise InputError(f"the history has no values in {fit_until + 1}-{fit_until + horizon} to test against; "
                         "choose an earlier --fit-until")


def run_backtest(raw: dict, spec, history: pd.DataFrame, fit_until: int, horizon: int, *,
                 workers: int | None = None, journal: Path | None = None,
                 on_progress: Callable[[int], None] | None = None, executor: str = "local",
                 scheduler: str | None = None, source: str = "<spec>", scenario_source: str = "<scenario>",
                 trials: int | None = None) -> Backtest:
    check_window(history, fit_until, horizon)
    problem: Problem = prepare(raw, spec, history, fit_until=fit_until, source=source,
                               scenario_source=scenario_source)
    if problem.years[1] != fit_until:
        # the spec's years (or the history) end before fit_until: project from the last fitted year on
        fit_until = problem.years[1]
    cal = calibrate(problem, workers=workers, journal=journal, on_progress=on_progress, executor=executor,
                    scheduler=scheduler, trials=trials)
    longer = copy.deepcopy(problem.raw)
    longer["calendar"]["horizon_years"] = fit_until + horizon - problem.years[0] + 1
    scenario = scenario_from_mapping(longer, scenario_source)
    table, events = project(scenario, cal.parameter_sets, spec.projection_replications, spec.seed, workers,
                            executor, scheduler)
    cal.events += events
    future = list(range(fit_until + 1, fit_until + horizon + 1))
    model = bands(problem, table, future).rename(columns={"sim_mean": "forecast", "sim_p05": "p05",
                                                          "sim_p95": "p95"})
    model.insert(0, "method", "model")
    model_metrics = set(model["metric"])
    simple = simple_forecasts(history, fit_until, horizon)
    simple = simple[simple["metric"].isin(model_metrics)]
    scored = score(pd.concat([model.drop(columns=["observed"]), simple], ignore_index=True), history)
    scored = scored[scored["actual"].notna()].sort_values(["metric", "method", "year"]).reset_index(drop=True)
    return Backtest(calibration=cal, fit_until=fit_until, horizon=horizon, scored=scored,
                    summary=mape_table(scored), projection=table)
