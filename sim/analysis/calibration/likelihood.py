"""Likelihoods: how far a trial's simulated means are from the observations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.calibration.problem import Problem
from sim.analysis.calibration.spec import CalibrationSpec, Target
from sim.model.catalogue import is_share


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
