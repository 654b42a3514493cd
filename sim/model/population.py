"""The child population and the notifications it generates.

Simulated time is in years from 1 January of the first simulated year (start_year - burn_in_years).
Population and the notification rate are constant within a calendar year; the notification times are a
Poisson process with that piecewise-constant rate, drawn all at once by inverting the cumulative rate.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.model.damping import scenario_step_weight
from sim.model.levers import value_at
from sim.model.scenario import Scenario


def first_simulated_year(s: Scenario) -> int:
    return s.calendar.start_year - s.calendar.burn_in_years


def simulated_years(s: Scenario) -> int:
    return s.calendar.burn_in_years + s.calendar.horizon_years


def population_0_17(s: Scenario, year: int) -> float:
    return s.population.aged_0_17 * (1.0 + s.population.growth_per_year) ** (year - s.calendar.start_year)


def population_0_22(s: Scenario, year: int) -> float:
    return s.population.aged_0_22 * (1.0 + s.population.growth_per_year) ** (year - s.calendar.start_year)


def notifications_per_year(s: Scenario, year: int) -> float:
    """Expected notifications in a calendar year: rate x population x trend (trend from start_year on).

    A lever on the rate is read at each year's middle; a lever on the trend changes the growth from the
    year it is in force in to the next. A damped trend (``trend_damping``) carries the step into a damped year
    as the power ``phi ** j`` of the year's growth factor (a multiplicative damped trend)."""
    n = s.notifications
    growth = 1.0
    for y in range(s.calendar.start_year + 1, year + 1):
        # the growth from year y-1 to y is the trend in force in the middle of year y-1
        step = 1.0 + value_at(s.levers, "notifications.trend_per_year", n.trend_per_year, dt.date(y - 1, 7, 1))
        weight = scenario_step_weight(s, y)
        growth *= step if weight == 1.0 else step ** weight
    rate = value_at(s.levers, "notifications.per_1000_aged_0_17", n.per_1000_aged_0_17, dt.date(year, 7, 1))
    return rate * population_0_17(s, year) / 1000.0 * growth


def notification_times(s: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Arrival times (simulated years) of all notifications over burn-in and horizon."""
    first = first_simulated_year(s)
    n_years = simulated_years(s)
    rates = np.array([notifications_per_year(s, first + k) for k in range(n_years)])
    cumulative = np.concatenate([[0.0], np.cumsum(rates)])  # expected arrivals at each year boundary
    total = cumulative[-1]
    # unit-rate Poisson process on the cumulative-rate scale, mapped back to time
    expected = int(total + 10.0 * np.sqrt(total + 1.0) + 20)
    marks = np.cumsum(rng.exponential(1.0, size=expected))
    while marks[-1] < total:  # astronomically rare; keep drawing rather than truncate
        marks = np.concatenate([marks, marks[-1] + np.cumsum(rng.exponential(1.0, size=expected))])
    marks = marks[marks < total]
    return np.interp(marks, cumulative, np.arange(n_years + 1, dtype=float))


def age_band_table(s: Scenario) -> tuple[list[float], list[tuple[int, int]]]:
    """Cumulative shares and (from, to) ages of the notified-age bands."""
    bands, cum, acc = [], [], 0.0
    for key, share in s.population.notified_age_shares.items():
        lo, hi = (int(x) for x in key.split("-"))
        acc += share
        cum.append(acc)
        bands.append((lo, hi))
    return cum, bands
