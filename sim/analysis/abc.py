"""ABC-SMC: a posterior for a stochastic simulator without a likelihood (approximate Bayesian computation by
sequential Monte Carlo, the population Monte Carlo scheme of Beaumont, Cornuet, Marin & Robert 2009, with the
tolerance set adaptively as a quantile of the last population's distances, Del Moral, Doucet & Jasra 2012).

1. Generation 0: ``particles`` parameter sets drawn from the prior (uniform on the spec's ranges, or that box
   tilted by a first stage's likelihood, :class:`BoxPrior`), each simulated once with its own seed; all kept,
   equally weighted.
2. Generation t: the tolerance is the ``quantile`` of the previous population's distances (weighted).
   Candidates are drawn from the previous population by weight and moved by a normal kernel with twice its
   weighted covariance (redrawn while outside the prior), simulated in fixed batches of ``particles``; those
   within the tolerance are kept, in order, until the population is full (or ``max_batches`` batches). Each
   kept set's weight is prior density / (the previous population's kernel mixture at it). With ``fresh``
   columns (a first stage's parameters) the kernel is a product: those columns are drawn anew from their
   prior (the first stage's posterior), the others moved as above, and the first stage's density cancels in
   the weight (:func:`propose_in_two_parts`).
3. The last population, with its weights, is the posterior sample: ``run --parameter-sets`` draws one per
   replication.

Why this and not pyabc: its parallel samplers accept particles in the order workers finish, so the posterior
would depend on the number of workers and their timing; here candidates are drawn before a batch runs and
judged in their own order, so the same seed gives the same posterior whatever ``--workers`` or ``--executor``
(the batches run through :mod:`sim.runs.executors`). Every simulation's seed is derived from (spec seed,
generation, candidate), so it is independent of the others and of how they are spread over workers.

The distance: the root mean square of standardised residuals over every fitted observation,
``(simulated - observed) / sd`` with ``sd`` the spread the target's likelihood allows (negative binomial:
sqrt(obs + obs^2 / k); Poisson: sqrt(obs); normal: its sd), so a count, a stock and a share weigh alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

TRIAL_COLUMNS = ["trial", "generation", "distance", "accepted"]


@dataclass
class AbcResult:
    """Every candidate simulated (trial, generation, distance, accepted, a column per parameter) and the final
    population (a column per parameter, weight, distance) with the tolerance of each generation."""

    trials: pd.DataFrame
    population: pd.DataFrame
    tolerances: list[float]
    simulations: int


class EmptyPrior(ValueError):
    """A tilted prior keeps (almost) nothing of its box."""


@dataclass
class BoxPrior:
    """The prior: uniform on the box ``lows``..``highs``, times ``exp(log_tilt(theta))`` if a tilt is given.

    A tilt is a first stage's log-likelihood (at most 0; see ``calibration.reporting_stage``): the posterior of
    an earlier, separate fit becomes this fit's prior, which is Bayes' rule applied in two steps when the two
    stages' data are independent given the parameters. A tilted prior is sampled by rejection from the box
    (accepted with probability ``exp(log_tilt)``), so it is exact and needs no normalising constant."""

    lows: np.ndarray
    highs: np.ndarray
    log_tilt: Callable[[np.ndarray], np.ndarray] | None = None

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        width = self.highs - self.lows
        if self.log_tilt is None:
            return self.lows + width * rng.random((n, len(self.lows)))
        kept: list[np.ndarray] = []
        for _ in range(MAX_PRIOR_BATCHES):
            box = self.lows + width * rng.random((PRIOR_BATCH, len(self.lows)))
            keep = np.log(rng.random(PRIOR_BATCH)) < self.log_tilt(box)
            kept.append(box[keep])
            if sum(len(k) for k in kept) >= n:
                return np.vstack(kept)[:n]
        raise EmptyPrior(f"the prior's tilt leaves almost nothing of the box: fewer than {n} of "
                         f"{MAX_PRIOR_BATCHES * PRIOR_BATCH:,} draws kept")


PRIOR_BATCH, MAX_PRIOR_BATCHES = 10_000, 200  # rejection from the box: up to 2 million draws


def candidate_seed(seed: int, generation: int, index: int) -> int:
    """The seed of one candidate's simulation: independent of every other's and of the workers."""
    return int(np.random.SeedSequence([int(seed), 0xABC, generation, index]).generate_state(1)[0] % (2**31 - 1))


def weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted covariance of the rows of ``x`` (at least a small diagonal, so the kernel never collapses)."""
    w = w / w.sum()
    mean = w @ x
    d = x - mean
    cov = (d * w[:, None]).T @ d
    return np.atleast_2d(cov)


def _inside(theta: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> bool:
    return bool(np.all(theta >= lows) and np.all(theta <= highs))


def propose(rng: np.random.Generator, population: np.ndarray, weights: np.ndarray, cov: np.ndarray,
            lows: np.ndarray, highs: np.ndarray, n: int) -> np.ndarray:
    """``n`` candidates: a member drawn by weight, moved by N(0, cov), redrawn while outside the prior box
    (after 100 tries, clipped into it)."""
    out = np.empty((n, population.shape[1]))
    p = weights / weights.sum()
    for i in range(n):
        for _ in range(100):
            theta = rng.multivariate_normal(population[rng.choice(len(p), p=p)], cov)
            if _inside(theta, lows, highs):
                break
        out[i] = np.clip(theta, lows, highs)
    return out


def propose_in_two_parts(rng: np.random.Generator, population: np.ndarray, weights: np.ndarray, cov: np.ndarray,
                         prior: BoxPrior, fresh: np.ndarray, n: int) -> np.ndarray:
    """``n`` candidates from a product kernel: the ``fresh`` columns drawn anew from the prior (the first
    stage's posterior when the prior is tilted), the others moved from a member by N(0, cov) on those columns
    alone. The tilt then cancels in the importance weight (prior / proposal), which leaves the uniform box of
    the moved columns over the kernel mixture: particles no longer wander into the tails of the first stage
    and come back with tiny weights."""
    moved = np.setdiff1d(np.arange(population.shape[1]), fresh)
    out = np.empty((n, population.shape[1]))
    out[:, fresh] = prior.sample(rng, n)[:, fresh]
    out[:, moved] = propose(rng, population[:, moved], weights, cov, prior.lows[moved], prior.highs[moved], n)
    return out


def importance_weights(accepted: np.ndarray, previous: np.ndarray, previous_w: np.ndarray,
                       cov: np.ndarray, prior: BoxPrior | None = None, fresh: np.ndarray | None = None) -> np.ndarray:
    """prior density / kernel mixture for each accepted set (an untilted box prior is a constant). With
    ``fresh`` columns (:func:`propose_in_two_parts`) their prior is also their proposal and cancels: the
    mixture is over the moved columns, with ``cov`` theirs."""
    if fresh is not None and len(fresh):
        moved = np.setdiff1d(np.arange(previous.shape[1]), fresh)
        return importance_weights(accepted[:, moved], previous[:, moved], previous_w, cov)
    kernel = stats.multivariate_normal(mean=np.zeros(previous.shape[1]), cov=cov, allow_singular=True)
    p = previous_w / previous_w.sum()
    mix = np.array([float(np.sum(p * kernel.pdf(a - previous))) for a in accepted])
    if prior is None or prior.log_tilt is None:
        w = 1.0 / np.maximum(mix, 1e-300)
    else:  # on the log scale: a tilt can be far below 0
        log_w = prior.log_tilt(accepted) - np.log(np.maximum(mix, 1e-300))
        w = np.exp(log_w - log_w.max())
    return w / w.sum()


def abc_smc(evaluate: Callable[[np.ndarray, Sequence[int]], np.ndarray], lows: Sequence[float],
            highs: Sequence[float], names: Sequence[str], *, seed: int, particles: int = 48, generations: int = 4,
            quantile: float = 0.5, max_batches: int = 4,
            log_tilt: Callable[[np.ndarray], np.ndarray] | None = None, fresh: Sequence[int] = ()) -> AbcResult:
    """ABC-SMC. ``evaluate(thetas, seeds)`` simulates each row of ``thetas`` with its seed and returns the
    distances to the observations (inf where a simulation is invalid), in order. ``log_tilt``: the prior is
    the box times its exponential (:class:`BoxPrior`). ``fresh``: columns proposed anew from the prior in every
    generation (:func:`propose_in_two_parts`); the tilt must depend on these columns alone."""
    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    prior = BoxPrior(lows, highs, log_tilt)
    fresh_columns = np.asarray(sorted(set(fresh)), dtype=int)
    if len(fresh_columns) and not (0 <= fresh_columns[0] and fresh_columns[-1] < len(lows)):
        raise ValueError(f"fresh columns {list(fresh)} outside 0..{len(lows) - 1}")
    rng = np.random.default_rng([int(seed), 0xABC])
    records: list[dict] = []
    counter = 0

    def run(generation: int, thetas: np.ndarray) -> np.ndarray:
        nonlocal counter
        seeds = [candidate_seed(seed, generation, counter + i) for i in range(len(thetas))]
        d = np.asarray(evaluate(thetas, seeds), dtype=float)
        for i, (theta, dist) in enumerate(zip(thetas, d)):
            records.append({"trial": counter + i, "generation": generation, "distance": float(dist),
                            **dict(zip(names, map(float, theta)))})
        counter += len(thetas)
        return d

    population = prior.sample(rng, particles)
    distances = run(0, population)
    weights = np.full(particles, 1.0 / particles)
    finite = np.isfinite(distances)
    population, distances, weights = population[finite], distances[finite], weights[finite] / weights[finite].sum()
    accepted_trials = [r["trial"] for r in records if np.isfinite(r["distance"])]
    tolerances = [float("inf")]
    for generation in range(1, generations):
        if len(population) < 2:
            break
        tolerance = _weighted_quantile(distances, weights, quantile)
        moved = np.setdiff1d(np.arange(len(lows)), fresh_columns)
        kernel_space = population[:, moved] if len(fresh_columns) else population  # no copy: same floats as before
        cov = 2.0 * weighted_cov(kernel_space, weights) + np.diag(((highs - lows)[moved] * 1e-4) ** 2)
        kept_theta, kept_d, kept_trials = [], [], []
        for _ in range(max_batches):
            first = counter
            if len(fresh_columns):
                candidates = propose_in_two_parts(rng, population, weights, cov, prior, fresh_columns, particles)
            else:
                candidates = propose(rng, population, weights, cov, lows, highs, particles)
            d = run(generation, candidates)
            for i in np.flatnonzero(d <= tolerance):
                if len(kept_theta) < particles:
                    kept_theta.append(candidates[i])
                    kept_d.append(d[i])
                    kept_trials.append(first + int(i))
            if len(kept_theta) >= particles:
                break
        if len(kept_theta) < 2:
            break  # the tolerance cannot be reached any more: keep the last population
        new = np.array(kept_theta)
        weights = importance_weights(new, population, weights, cov, prior, fresh_columns)
        population, distances, accepted_trials = new, np.array(kept_d), kept_trials
        tolerances.append(float(tolerance))
    trials = pd.DataFrame(records, columns=[*TRIAL_COLUMNS[:3], *names])
    trials.insert(3, "accepted", trials["trial"].isin(accepted_trials))
    final = pd.DataFrame(population, columns=list(names))
    final["weight"] = weights
    final["distance"] = distances
    final["trial"] = accepted_trials
    return AbcResult(trials=trials, population=final, tolerances=tolerances, simulations=counter)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(np.searchsorted(cum, q), len(values) - 1)])


def standardised_distance(simulated: np.ndarray, observed: np.ndarray, sd: np.ndarray) -> float:
    """sqrt(mean(((simulated - observed) / sd)^2)) over the observations the simulation defines; inf if none."""
    r = (np.asarray(simulated, dtype=float) - observed) / sd
    r = r[np.isfinite(r)]
    return float(np.sqrt(np.mean(r**2))) if len(r) else float("inf")


def interval_covers(population: pd.DataFrame, truth: dict[str, float], level: float = 0.9) -> dict[str, bool]:
    """Per parameter: does the posterior's central ``level`` interval (weighted) hold the true value?"""
    w = population["weight"].to_numpy(dtype=float)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    out = {}
    for name, value in truth.items():
        v = population[name].to_numpy(dtype=float)
        out[name] = _weighted_quantile(v, w, lo_q) <= value <= _weighted_quantile(v, w, hi_q)
    return out
