"""Learning how fast trends fade: the damping factor phi from rolling origins on yearly series.

A damped trend (Gardner and McKenzie; sim.model.damping) carries a fitted trend ``b`` forward as
``b * (phi + phi**2 + ... + phi**h)`` after ``h`` years. Which phi suited Danish yearly series in this area is
measured here the way the model uses a trend, on the log scale (a growth rate):

* at each **origin** (a year of a series with at least ``min_points`` observations in the ``window`` years up
  to it), the trend ``b`` is the least squares slope of the log values in that window, and the level is the
  last observed value (the model's projection is anchored there too: sim.analysis.backtest);
* every later observation within ``horizon`` years is forecast as ``log(last) + b * S_h(phi)``, with ``h`` the
  years from the last observation;
* ``phi`` is the value on a grid that minimises the squared log errors pooled over series, origins and
  horizons; its interval is the 5-95 % range of that minimiser over a bootstrap of the origins (each origin's
  forecasts resampled together, so the horizons of one origin stay one draw).

Series of different lengths and with gaps are taken as they are; the functions take ``{name: Series}`` with
the year as index, so any history can be read into them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import InputError

PHI_GRID = np.round(np.arange(0.0, 1.0001, 0.02), 2)  # phi from 0 (no trend carried) to 1 (full trend)
WINDOW, HORIZON, MIN_POINTS = 5, 3, 3  # the model's fit sees up to 5 years; back-tests project 3
BOOTSTRAP, INTERVAL = 500, (0.05, 0.95)


def damped_sum(phi: float | np.ndarray, h) -> np.ndarray:
    """phi + phi**2 + ... + phi**h (h whole years, 0 gives 0), elementwise."""
    phi = np.asarray(phi, dtype=float)
    h = np.asarray(h, dtype=float)
    near_one = np.abs(1.0 - phi) < 1e-12
    safe = np.where(near_one, 0.5, phi)
    return np.where(near_one, h, safe * (1.0 - safe ** h) / (1.0 - safe))


def slope(years, values) -> float:
    """The least squares slope of ``values`` on ``years`` (0 for a single year)."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    spread = np.sum((x - x.mean()) ** 2)
    return float(np.sum((x - x.mean()) * (y - y.mean())) / spread) if spread > 0 else 0.0


@dataclass(frozen=True)
class OriginForecasts:
    """What one origin of one series says: its log trend and the later observations it is scored on."""

    series: str
    origin: int
    last: float  # log of the last observed value up to the origin
    trend: float  # the window's least squares slope of the log values, per year
    steps: np.ndarray  # years from the last observation to each scored observation
    actual: np.ndarray  # log of each scored observation
    window_steps: np.ndarray  # years from the origin of each observation in the window (0 and below)
    window_logs: np.ndarray  # log of each observation in the window

    def errors(self, phi: np.ndarray) -> np.ndarray:
        """log forecast - log actual, one row per phi, one column per scored observation."""
        phi = np.atleast_1d(np.asarray(phi, dtype=float))
        forecast = self.last + self.trend * damped_sum(phi[:, None], self.steps[None, :])
        return forecast - self.actual[None, :]


def rolling_origins(series: Mapping[str, pd.Series], window: int = WINDOW, horizon: int = HORIZON,
                    min_points: int = MIN_POINTS, only: Sequence[int] | None = None) -> list[OriginForecasts]:
    """Every usable origin of every series: at least ``min_points`` positive observations in the ``window``
    years up to the origin (the origin itself observed) and at least one within ``horizon`` years after;
    ``only``: just these origin years."""
    out = []
    for name, values in series.items():
        obs = values.dropna()
        obs = obs[obs > 0].sort_index()
        years = obs.index.to_numpy(dtype=int)
        logs = np.log(obs.to_numpy(dtype=float))
        for origin in years:
            seen = (years <= origin) & (years > origin - window)
            later = (years > origin) & (years <= origin + horizon)
            if seen.sum() < min_points or not later.any() or (only is not None and origin not in only):
                continue
            out.append(OriginForecasts(series=str(name), origin=int(origin), last=float(logs[years == origin][0]),
                                       trend=slope(years[seen], logs[seen]),
                                       steps=(years[later] - origin).astype(float), actual=logs[later],
                                       window_steps=(years[seen] - origin).astype(float),
                                       window_logs=logs[seen]))
    return out


def forecast_losses(origins: Sequence[OriginForecasts], grid=PHI_GRID) -> np.ndarray:
    """Per origin (rows) and phi (columns): the sum of squared log errors of its anchored forecasts."""
    return np.array([np.sum(o.errors(grid) ** 2, axis=1) for o in origins])


def segment_losses(origins: Sequence[OriginForecasts], grid=PHI_GRID) -> np.ndarray:
    """Per origin (rows) and phi (columns): the residual sum of squares of the damped-trend regression on the
    origin's segment (its window and the years after it): log value = a + b * E_t(phi), with E_t the years
    from the origin (negative before it) up to the origin and S_(t - origin)(phi) after it, a and b fitted by
    least squares for each phi. Unlike the anchored forecasts' errors, this does not shrink phi for a noisy
    slope: it is the damped trend's own fit, and recovers the phi of a series that follows one."""
    out = np.empty((len(origins), len(grid)))
    for i, o in enumerate(origins):
        for j, phi in enumerate(grid):
            e = np.concatenate([o.window_steps, damped_sum(phi, o.steps)])
            x = np.column_stack([np.ones_like(e), e])
            y = np.concatenate([o.window_logs, o.actual])
            coef, *_ = np.linalg.lstsq(x, y, rcond=None)
            out[i, j] = float(np.sum((y - x @ coef) ** 2))
    return out


@dataclass(frozen=True)
class DampingFit:
    """phi learnt on rolling origins: the point value, its bootstrap interval and what it rests on."""

    phi: float
    low: float
    high: float
    origins: int
    forecasts: int
    rmse_damped: float  # root mean squared log error of the anchored forecasts at phi
    rmse_full: float  # ... at phi = 1 (the full trend)
    rmse_none: float  # ... at phi = 0 (no trend: the last value)

    def as_row(self) -> dict:
        return {"phi": self.phi, "low": self.low, "high": self.high, "origins": self.origins,
                "forecasts": self.forecasts, "rmse_damped": self.rmse_damped, "rmse_full": self.rmse_full,
                "rmse_none": self.rmse_none}


def best_phi(loss: np.ndarray, grid=PHI_GRID) -> float:
    """The grid's phi with the least pooled loss (the larger phi of a tie: damp no more than the data ask)."""
    total = loss.sum(axis=0)
    best = np.flatnonzero(total <= total.min() + 1e-15)
    return float(grid[best[-1]])


def fit_phi(series: Mapping[str, pd.Series], *, window: int = WINDOW, horizon: int = HORIZON,
            min_points: int = MIN_POINTS, grid=PHI_GRID, bootstrap: int = BOOTSTRAP, seed: int = 0,
            interval: tuple[float, float] = INTERVAL, only: Sequence[int] | None = None) -> DampingFit:
    """phi of the damped-trend regression pooled over rolling origins (:func:`segment_losses`), with a
    bootstrap interval over origins, and the anchored forecasts' errors at phi, 1 and 0."""
    origins = rolling_origins(series, window, horizon, min_points, only)
    if not origins:
        raise InputError(f"no series has {min_points} observations in {window} years and a later one within "
                         f"{horizon} years: nothing to learn a damping factor from")
    grid = np.asarray(grid, dtype=float)
    fitted = segment_losses(origins, grid)
    phi = best_phi(fitted, grid)
    rng = np.random.default_rng(seed)
    draws = [best_phi(fitted[rng.integers(0, len(origins), len(origins))], grid) for _ in range(bootstrap)]
    low, high = (float(np.quantile(draws, q)) for q in interval)
    n = int(sum(len(o.steps) for o in origins))
    errors = forecast_losses(origins, grid)

    def rmse(p: float) -> float:
        return float(np.sqrt(errors[:, int(np.argmin(np.abs(grid - p)))].sum() / n))

    return DampingFit(phi=phi, low=min(low, phi), high=max(high, phi), origins=len(origins), forecasts=n,
                      rmse_damped=rmse(phi), rmse_full=rmse(1.0), rmse_none=rmse(0.0))


def walk_weight(phi: float, h) -> np.ndarray:
    """The variance of a damped trend's random walk after ``h`` years, in units of its yearly step's variance:
    with b_j = phi * b_(j-1) + eta_j, the log level h years on has moved sum_j sum_(i<=j) phi**(j-i) eta_i
    more than the trend alone, a sum whose i-th shock weighs phi**0 + ... + phi**(h-i)."""
    h = np.atleast_1d(np.asarray(h, dtype=int))
    out = []
    for steps in h:
        weights = [float(damped_sum(phi, steps - i + 1) / phi) if phi > 0 else 1.0 for i in range(1, steps + 1)]
        out.append(sum(w * w for w in weights))
    return np.asarray(out, dtype=float)


def trend_walk_sd(series: Mapping[str, pd.Series], phi: float, *, window: int = WINDOW, horizon: int = HORIZON,
                  min_points: int = MIN_POINTS) -> float:
    """The sd of the yearly random-walk step on the trend (log scale) that the rolling origins' errors at
    ``phi`` ask for: all of the error counted as the trend's walk (a conservative reading: the anchor's own
    noise is in it too), mean squared error over :func:`walk_weight`."""
    origins = rolling_origins(series, window, horizon, min_points)
    if not origins:
        raise InputError("no rolling origin to measure the trend's random walk on")
    squared = np.concatenate([o.errors(np.array([phi]))[0] ** 2 / walk_weight(phi, o.steps) for o in origins])
    return float(np.sqrt(np.mean(squared)))


def series_from_history(history: pd.DataFrame, metrics: Sequence[str] | None = None,
                        prefix: str = "") -> dict[str, pd.Series]:
    """``{prefix + metric: values by year}`` from a long history (year, metric, value)."""
    rows = history if metrics is None else history[history["metric"].isin(list(metrics))]
    return {prefix + str(m): g.set_index("year")["value"].astype(float).sort_index()
            for m, g in rows.groupby("metric", sort=True)}


def simulated_damped_series(phi: float, trend: float, years: int, noise_sd: float, rng: np.random.Generator,
                            level: float = 1000.0) -> pd.Series:
    """A yearly series whose log trend fades by ``phi`` a year from ``trend`` in its first year, observed with
    independent log-normal noise (sd ``noise_sd``): the damped trend's own data-generating process."""
    effect = damped_sum(phi, np.arange(years)) / (phi if phi > 0 else 1.0)
    logs = np.log(level) + trend * effect + rng.normal(0.0, noise_sd, years)
    return pd.Series(np.exp(logs), index=np.arange(2000, 2000 + years))


def known_at(series: Mapping[str, pd.Series], origin: int) -> dict[str, pd.Series]:
    """Each series cut to its years up to ``origin``: what a forecaster at the origin knew."""
    return {name: values[values.index <= origin] for name, values in series.items()}


@dataclass(frozen=True)
class OriginDamping:
    """The phi a forecast made at ``origin`` uses, learnt only from what was known there."""

    origin: int
    phi: float
    source: str  # "learnt" (rolling origins up to the origin) or "prior" (too few of them)
    forecasts: int  # scored forecasts the phi rests on (0 when none)

    def as_row(self) -> dict:
        return {"origin": self.origin, "phi": self.phi, "phi_source": self.source, "phi_forecasts": self.forecasts}


def damping_at_origin(series: Mapping[str, pd.Series], origin: int, *, prior_phi: float, min_forecasts: int,
                      min_points: int = MIN_POINTS) -> OriginDamping:
    """Out of sample: phi fitted (:func:`fit_phi`) on the series cut at ``origin`` (:func:`known_at`), so no
    year after the origin is used; ``prior_phi`` when fewer than ``min_forecasts`` forecasts can be scored
    there."""
    try:
        learnt = fit_phi(known_at(series, origin), min_points=min_points)
    except InputError:
        learnt = None
    if learnt is None or learnt.forecasts < min_forecasts:
        return OriginDamping(origin, prior_phi, "prior", learnt.forecasts if learnt else 0)
    return OriginDamping(origin, learnt.phi, "learnt", learnt.forecasts)
