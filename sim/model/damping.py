"""Damped trends: how much of a fitted trend a projection carries into each later year.

A trend fitted on a few years (the growth of reporting, of real need, a drifting propensity) rarely runs on at
full strength: a surge after a law change fades. Gardner and McKenzie's damped trend carries the trend ``b``
forward with a factor ``phi`` per year (0 < phi <= 1): the trend's step into the j-th damped year is
``phi**j * b``, so after ``h`` damped years its cumulative effect is ``b * (phi + phi**2 + ... + phi**h)``,
which levels off at ``b * phi / (1 - phi)`` instead of growing without end.

``trend_damping.full_until`` is the last calendar year whose step runs at full strength (default: the start
year, so every step after it is damped); a back-test's projection sets it to its origin, so the fitted years
carry the trend as fitted and only the years after it are damped. With ``phi = 1`` (the default) nothing is
damped and the trend's effect after ``k`` years is ``k`` exactly, as without damping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.scenario import Scenario


def undamped_until(scenario: Scenario) -> int:
    """The last calendar year whose trend step runs at full strength."""
    full = scenario.trend_damping.full_until
    return scenario.calendar.start_year if full is None else full


def step_weight(phi: float, full_until: int, year: int) -> float:
    """The share of the trend's step into calendar ``year`` that is carried: 1 up to ``full_until``, then
    phi, phi**2, ..."""
    if phi == 1.0 or year <= full_until:
        return 1.0
    return phi ** (year - full_until)


def damped_years(phi: float, full_until: int, start_year: int, year: int) -> int | float:
    """The trend's cumulative effect from ``start_year`` to ``year`` in years of full trend: the sum of the step
    weights of the years after ``start_year`` up to ``year`` (``year - start_year`` itself, an int, when nothing
    is damped; 0 before the start year)."""
    if year <= start_year:
        return 0
    if phi == 1.0 or year <= full_until:
        return year - start_year
    full = max(full_until - start_year, 0)
    first = max(full_until, start_year) + 1  # the first damped step's year, weight phi ** (first - full_until)
    damped = year - first + 1
    return full + phi ** (first - full_until) * (1.0 - phi ** damped) / (1.0 - phi)


def scenario_damped_years(scenario: Scenario, year: int) -> int | float:
    """:func:`damped_years` with the scenario's ``trend_damping`` and start year."""
    return damped_years(scenario.trend_damping.phi, undamped_until(scenario), scenario.calendar.start_year, year)


def scenario_step_weight(scenario: Scenario, year: int) -> float:
    """:func:`step_weight` with the scenario's ``trend_damping``."""
    return step_weight(scenario.trend_damping.phi, undamped_until(scenario), year)
