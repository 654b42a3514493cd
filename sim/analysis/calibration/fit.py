"""One calibration: the spec's method (the likelihood-guided search or ABC-SMC), the ensemble kept, and its
fit bands."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sim.analysis.calibration.bands import fit_table, project
from sim.analysis.calibration.problem import Problem
from sim.analysis.calibration.result import Calibration
from sim.analysis.calibration.search import likelihood_region, search, trials_frame
from sim.analysis.calibration.smc import abc_calibration


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
