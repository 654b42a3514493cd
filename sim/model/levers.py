"""Policy levers: settings that change from a date, ramped in linearly, each with its own costs.

A scenario lists them under ``levers:``. Which settings can be levers, and their allowed values, is data
here (``LEVER_SETTINGS``); the model applies a lever by setting the value at the start and once a month
through the ramp (costs and rates are piecewise constant by month, no daily ticks).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

# setting -> kind of value. "staircase.<step>.<field>" settings exist for every step.
LEVER_SETTINGS: dict[str, str] = {
    "caseworkers.fte": "nonnegative",
    "caseworkers.productive_hours_per_week": "positive",
    "screening.hours": "nonnegative",
    "investigation.hours": "positive",
    "reviews.hours": "nonnegative",
    "reviews.interval_months": "positive",
    "reviews.first_after_months": "positive",
    "reviews.step_down_share": "share",
    "screening.share_closed_after_advice": "share",
    "screening.share_early_measure": "share",
    "notifications.per_1000_aged_0_17": "nonnegative",
    "notifications.trend_per_year": "trend",
    "diversion.share": "share",
    "diversion.failure_rate_per_year": "nonnegative",
    "time_limited_stays.success_share": "share",
}
STEP_LEVER_FIELDS: dict[str, str] = {
    "uptake_share": "share",
    "capacity": "nonnegative",
    "price_per_year_dkk": "nonnegative",
    "breakdown_rate_per_year": "nonnegative",
}
MONTH = 1.0 / 12.0


def lever_kind(setting: str, step_ids: list[str]) -> str | None:
    if setting in LEVER_SETTINGS:
        return LEVER_SETTINGS[setting]
    parts = setting.split(".")
    if len(parts) == 3 and parts[0] == "staircase" and parts[1] in step_ids and parts[2] in STEP_LEVER_FIELDS:
        return STEP_LEVER_FIELDS[parts[2]]
    return None


def lever_range_problem(setting: str, value: float, step_ids: list[str]) -> str | None:
    """Why this lever cannot be used, or None."""
    kind = lever_kind(setting, step_ids)
    if kind is None:
        parts = setting.split(".")
        if len(parts) == 3 and parts[0] == "staircase" and parts[1] not in step_ids:
            return f"setting '{setting}' refers to undefined staircase step '{parts[1]}'"
        known = ", ".join(sorted(LEVER_SETTINGS)) + ", staircase.<step>.(" + "|".join(STEP_LEVER_FIELDS) + ")"
        return f"setting '{setting}' cannot be a lever; levers are: {known}"
    if math.isnan(value):
        return "value is not a number"
    if kind == "share" and not 0.0 <= value <= 1.0:
        return f"a share must be between 0 and 1 (got {value})"
    if kind == "positive" and value <= 0.0:
        return f"must be above 0 (got {value})"
    if kind == "nonnegative" and value < 0.0:
        return f"must not be negative (got {value})"
    if kind == "trend" and not -0.5 <= value <= 0.5:
        return f"a yearly trend must be between -0.5 and 0.5 (got {value})"
    return None


@dataclass(frozen=True)
class LeverStep:
    """Set ``setting`` to old + fraction x (new - old) at simulated time ``t``."""

    t: float
    lever: int  # index in the scenario's levers
    setting: str
    value: float
    fraction: float  # of the way from the old value (read when the lever starts) to the new one


def years_since(date: dt.date, first_year: int) -> float:
    """Simulated years from 1 January of ``first_year`` to the start of ``date``.

    Each calendar month is exactly 1/12 year (days spread evenly within a month), so a month's price
    times the months left is exactly what the model books."""
    month_start = dt.date(date.year, date.month, 1)
    next_month = dt.date(date.year + date.month // 12, date.month % 12 + 1, 1)
    days = (next_month - month_start).days
    return (date.year - first_year) + (date.month - 1 + (date.day - 1) / days) / 12.0


def lever_steps(levers, first_year: int) -> list[LeverStep]:
    """Every monthly step of every lever, in time order (ties: in the scenario's order)."""
    out = []
    for order, lv in enumerate(levers):
        t0 = years_since(lv.start, first_year)
        n = max(1, int(math.ceil(lv.ramp_months)))
        if lv.ramp_months <= 0:
            out.append((t0, order, 0, LeverStep(t0, order, lv.setting, lv.value, 1.0)))
            continue
        for k in range(1, n + 1):
            t = t0 + (k - 1) * MONTH
            out.append((t, order, k, LeverStep(t, order, lv.setting, lv.value, min(1.0, k / lv.ramp_months))))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return [x[3] for x in out]


def value_at(levers, setting: str, base: float, date: dt.date) -> float:
    """The value of a setting in force on ``date`` (levers applied in order, ramps linear by month)."""
    value = base
    for lv in levers:
        if lv.setting != setting or date < lv.start:
            continue
        months = (date.year - lv.start.year) * 12 + (date.month - lv.start.month) + 1
        fraction = 1.0 if lv.ramp_months <= 0 else min(1.0, months / lv.ramp_months)
        value = value + (lv.value - value) * fraction
    return value
