"""ABC-SMC (sim.analysis.abc) on a stochastic model with a known truth: the posterior's 90 % intervals cover
the true parameters in repeated recoveries, tolerances fall, and the same seed gives the same posterior.

The toy model (counts growing by a rate: y_t ~ Poisson(a exp(b t)), t = 0..4, the shape of a notification
history) costs microseconds, so the recovery can be repeated 12 times (24 intervals) in a few seconds; the
same recovery with the real simulator is `calibration/recovery.py` (too slow for the test suite)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.abc import abc_smc, interval_covers, standardised_distance, weighted_cov

YEARS = np.arange(5)
LOWS, HIGHS, NAMES = [50.0, -0.2], [150.0, 0.3], ["a", "b"]


def toy_history(a: float, b: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).poisson(a * np.exp(b * YEARS)).astype(float)


def toy_evaluate(observed: np.ndarray):
    sd = np.sqrt(np.maximum(observed, 1.0))

    def evaluate(thetas, seeds):
        out = []
        for (a, b), s in zip(thetas, seeds):
            out.append(standardised_distance(toy_history(a, b, s), observed, sd))
        return np.array(out)
    return evaluate


def test_weighted_covariance_of_equal_weights_is_the_population_covariance():
    x = np.random.default_rng(0).normal(size=(200, 2))
    assert weighted_cov(x, np.ones(200)) == pytest.approx(np.cov(x.T, bias=True))


def test_the_same_seed_gives_the_same_posterior_and_tolerances_fall():
    observed = toy_history(100.0, 0.1, 99)
    one = abc_smc(toy_evaluate(observed), LOWS, HIGHS, NAMES, seed=4, particles=60, generations=4)
    two = abc_smc(toy_evaluate(observed), LOWS, HIGHS, NAMES, seed=4, particles=60, generations=4)
    pd.testing.assert_frame_equal(one.population, two.population)
    assert one.population["weight"].sum() == pytest.approx(1.0)
    assert np.all(np.diff(one.tolerances[1:]) <= 0) and len(one.tolerances) == 4
    assert one.simulations == len(one.trials) and one.trials["accepted"].sum() == len(one.population)


@pytest.mark.slow  # about 12 s of CPU
def test_recovery_90_percent_intervals_cover_the_truth_in_at_least_80_percent():
    rng = np.random.default_rng(2024)
    covered = []
    for k in range(12):
        truth = {"a": float(rng.uniform(70, 130)), "b": float(rng.uniform(-0.1, 0.2))}
        observed = toy_history(truth["a"], truth["b"], 1000 + k)
        result = abc_smc(toy_evaluate(observed), LOWS, HIGHS, NAMES, seed=k, particles=150, generations=5)
        covered += list(interval_covers(result.population, truth).values())
    assert np.mean(covered) >= 0.8, np.mean(covered)
    # and the intervals are informative: narrower than the prior
    width = result.population["b"].quantile(0.95) - result.population["b"].quantile(0.05)
    assert width < 0.5 * (HIGHS[1] - LOWS[1])
