"""The first stage of a two-stage ABC fit (``abc.reporting_stage``): the reporting level and trend from the
notifications series alone.

Why a stage of its own: in the model the notification stream depends on two parameters only, the rate in the
first fitted year (``notifications.per_1000_aged_0_17``) and its yearly trend (``notifications.trend_per_year``)
(sim.model.population: rate x population x (1 + trend)^years). In a joint ABC distance over every series, a
trend two or three points off costs less than the misfit of the noisier series, so the fitted growth of
notifications wandered with the ABC run (5.7 % or 7.3 % a year against 9.2 % observed, docs/model.md). Fitted
first, the notifications series decides the reporting parameters, and the ABC of the rest starts from that
posterior as its prior: Bayes' rule in two steps, exact when the two stages' data are independent given the
parameters. So the second stage leaves the notifications series out of its distance (it is used once).

The likelihood: log(observed) = log(expected stream) + log(1 + renotified share) + e, e ~ N(0, sd^2) with
sd^2 = cv^2 + 1 / observed: cv the spec's ``abc.model_error_cv`` (the same model error the second stage adds to
every series) and 1 / observed the Poisson noise of the observed count on the log scale (negligible for a
national count of 100,000, about 6 % for a municipality's 250). The renotified share is what the model's
notification count adds to the stream: children whose unmet need brings them back (sim.model.demand), measured
in the pilot replications at the prior's midpoint (1.2 % in the national fit), where it hardly depends on the
reporting parameters themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sim.model.population import population_0_17

METRIC = "notifications"
LEVEL = "notifications.per_1000_aged_0_17"
TREND = "notifications.trend_per_year"


@dataclass(frozen=True)
class ReportingFit:
    """The notifications series on the model's scale and the stage's likelihood of (level, trend)."""

    years: np.ndarray  # fitted years with a notifications observation
    log_observed: np.ndarray  # log of the observed notifications on the model's scale
    log_population: np.ndarray  # log of the scenario's population 0-17 / 1000 in each year
    start_year: int  # the year the level holds in; the trend applies from it on
    level_index: int  # column of the level in a parameter vector
    trend_index: int
    sd: np.ndarray  # per year: the sd of log(observed) about the expectation
    renotified_share: float = 0.0

    def log_stream(self, thetas: np.ndarray) -> np.ndarray:
        """log of the expected notification stream (rate x population x trend), a row per parameter vector."""
        thetas = np.atleast_2d(thetas)
        level = np.maximum(thetas[:, [self.level_index]], 1e-300)
        trend = thetas[:, [self.trend_index]]
        return np.log(level) + self.log_population + (self.years - self.start_year) * np.log1p(trend)

    def residuals(self, thetas: np.ndarray) -> np.ndarray:
        """log(observed) - log(expected notifications, renotified included), a row per parameter vector, a
        column per year."""
        return self.log_observed - self.log_stream(thetas) - np.log1p(self.renotified_share)

    def log_likelihood(self, thetas: np.ndarray) -> np.ndarray:
        """The stage's log-likelihood, shifted so that its unconstrained maximum is 0 (so it is at most 0:
        a rejection sampler's acceptance probability)."""
        ss = np.sum((self.residuals(thetas) / self.sd) ** 2, axis=1)
        return -0.5 * (ss - self._least_squares[1])

    def _design(self) -> tuple[np.ndarray, np.ndarray]:
        """The regression weighted by 1 / sd: log(observed / population) on (1, years since the start)."""
        x = np.column_stack([np.ones(len(self.years)), self.years - self.start_year]) / self.sd[:, None]
        y = (self.log_observed - self.log_population - np.log1p(self.renotified_share)) / self.sd
        return x, y

    @cached_property  # the rejection sampler and every importance weight use it: solved once
    def _least_squares(self) -> tuple[np.ndarray, float]:
        """(log level, log(1 + trend)) at the unconstrained maximum, and the weighted sum of squares there."""
        x, y = self._design()
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        return beta, float(np.sum((y - x @ beta) ** 2))

    def summary(self) -> dict:
        """What the manifest records: the estimate, its standard error (trend: only with two or more years)
        and the inputs of the stage."""
        beta, _ = self._least_squares
        x, _ = self._design()
        out = {"years": [int(y) for y in self.years], "sd": [round(float(v), 6) for v in self.sd],
               "renotified_share": round(self.renotified_share, 6),
               "level_estimate": round(float(np.exp(beta[0])), 6)}
        if len(set(self.years.tolist())) >= 2:
            cov = np.linalg.inv(x.T @ x)
            out["trend_estimate"] = round(float(np.expm1(beta[1])), 6)
            out["trend_se"] = round(float(np.sqrt(cov[1, 1]) * np.exp(beta[1])), 6)  # delta method
        return out


def reporting_fit(problem, names: list[str], cv: float, middle: list[float] | None = None,
                  pilot_means: np.ndarray | None = None) -> ReportingFit:
    """The stage for a calibration problem: its fitted notifications rows and the scenario's population, with
    the renotified share the pilot runs' mean notifications (``pilot_means``, at the prior's ``middle``) show."""
    rows = problem.observed[problem.observed["metric"] == METRIC]
    years = rows["year"].to_numpy(dtype=float)
    observed = rows["model_observed"].to_numpy(dtype=float)
    sd = np.sqrt(cv**2 + 1.0 / rows["observed"].to_numpy(dtype=float))  # the count as observed, not rescaled
    scenario = problem.scenario
    population = np.array([population_0_17(scenario, int(y)) / 1000.0 for y in years])
    fit = ReportingFit(years=years, log_observed=np.log(observed), log_population=np.log(population),
                       start_year=scenario.calendar.start_year, level_index=names.index(LEVEL),
                       trend_index=names.index(TREND), sd=sd)
    if pilot_means is None:
        return fit
    return replace(fit, renotified_share=renotified_share(fit, middle, pilot_means))


def renotified_share(fit: ReportingFit, middle: list[float], pilot_means: np.ndarray) -> float:
    """The share the model's notifications add to the stream: the pilot's mean notifications over the fitted
    years against the stream expected at the prior's midpoint (0 if the pilot defines none)."""
    expected = np.exp(fit.log_stream(np.asarray(middle, dtype=float))[0])
    finite = np.isfinite(pilot_means)
    if not finite.any():
        return 0.0
    return float(np.sum(pilot_means[finite]) / np.sum(expected[finite]) - 1.0)
