"""A calibration's result: every trial, the kept parameter sets and their fit to the history."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.analysis.calibration.problem import Problem
from sim.runs.parameter_sets import ParameterSets, from_frame


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
