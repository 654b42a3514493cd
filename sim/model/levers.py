"""Policy levers: settings that change from a date, ramped in linearly, each with its own costs.

A scenario lists them under ``levers:``. Which settings can be levers, their allowed values and where the
running model reads them is data here (``LEVER_SETTINGS``, one registry); the model applies a lever by
setting the value at the start and once a month through the ramp (costs and rates are piecewise constant by
month, no daily ticks).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sim.model.units import MONTH


@dataclass(frozen=True)
class LeverSetting:
    """A setting a lever may change: its allowed values, where the running model reads it, what else moves.

    ``attribute`` names the field of :class:`sim.model.settings.Settings` (or, for a staircase field, of
    the step) that the lever writes, in model units: the scenario's value times ``scale`` (months to
    years). ``None``: the setting is applied where it is used, not while the model runs (the notification
    rate, when arrivals are drawn for each year). ``effect``: what the municipality must update with it
    ("staffing": the FTE integral first, then the team's capacity; "capacity": the team's capacity; "price":
    children on the step pay the old price up to now)."""

    kind: str  # share | positive | nonnegative | trend
    attribute: str | None
    scale: float = 1.0
    effect: str | None = None


# The one registry of lever settings. "staircase.<step>.<field>" settings exist for every step.
LEVER_SETTINGS: dict[str, LeverSetting] = {
    "caseworkers.fte": LeverSetting("nonnegative", "fte", effect="staffing"),
    "caseworkers.productive_hours_per_week": LeverSetting("positive", "hours_per_week", effect="capacity"),
    "screening.hours": LeverSetting("nonnegative", "screening_hours"),
    "investigation.hours": LeverSetting("positive", "investigation_hours"),
    "reviews.hours": LeverSetting("nonnegative", "review_hours"),
    "reviews.interval_months": LeverSetting("positive", "review_interval", scale=MONTH),
    "reviews.first_after_months": LeverSetting("positive", "first_review", scale=MONTH),
    "reviews.step_down_share": LeverSetting("share", "step_down_share"),
    "screening.share_closed_after_advice": LeverSetting("share", "share_closed_after_advice"),
    "screening.share_early_measure": LeverSetting("share", "share_early_measure"),
    "notifications.per_1000_aged_0_17": LeverSetting("nonnegative", None),  # sim.model.population
    "notifications.trend_per_year": LeverSetting("trend", None),  # sim.model.population
    "notifications.share_about_known_children": LeverSetting("share", "share_about_known_children"),
    "diversion.share": LeverSetting("share", "diversion_share"),
    "diversion.failure_rate_per_year": LeverSetting("nonnegative", "diversion_failure_rate"),
    "time_limited_stays.success_share": LeverSetting("share", "limited_success"),
    "demand.triage_accuracy": LeverSetting("share", "triage_accuracy"),  # sim.model.demand
}
STEP_LEVER_FIELDS: dict[str, LeverSetting] = {
    "uptake_share": LeverSetting("share", "uptake_share"),
    "capacity": LeverSetting("nonnegative", "capacity"),
    "price_per_year_dkk": LeverSetting("nonnegative", "price_per_year_dkk", effect="price"),
    "breakdown_rate_per_year": LeverSetting("nonnegative", "breakdown_rate"),
}


def step_setting(setting: str) -> tuple[str, str] | None:
    """(step id, field) of a "staircase.<step>.<field>" setting, else None."""
    parts = setting.split(".")
    if len(parts) == 3 and parts[0] == "staircase" and parts[2] in STEP_LEVER_FIELDS:
        return parts[1], parts[2]
    return None


def lever_setting(setting: str, step_ids: list[str]) -> LeverSetting | None:
    """The registry's entry for a setting (a staircase field of a step the scenario has), or None."""
    if setting in LEVER_SETTINGS:
        return LEVER_SETTINGS[setting]
    on_step = step_setting(setting)
    if on_step is not None and on_step[0] in step_ids:
        return STEP_LEVER_FIELDS[on_step[1]]
    return None


def lever_kind(setting: str, step_ids: list[str]) -> str | None:
    entry = lever_setting(setting, step_ids)
    return entry.kind if entry else None


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
    """Every monthly step of every lever, in time order; at the same time, the steps of levers that started
    earlier first, so a lever that starts then takes over from them whatever the scenario's order (levers
    starting on the same day: in the scenario's order, the later listed wins)."""
    out = []
    for order, lv in enumerate(levers):
        t0 = years_since(lv.start, first_year)
        n = max(1, int(math.ceil(lv.ramp_months)))
        if lv.ramp_months <= 0:
            out.append((t0, t0, order, 0, LeverStep(t0, order, lv.setting, lv.value, 1.0)))
            continue
        for k in range(1, n + 1):
            t = t0 + (k - 1) * MONTH
            out.append((t, t0, order, k, LeverStep(t, order, lv.setting, lv.value, min(1.0, k / lv.ramp_months))))
    out.sort(key=lambda x: x[:4])
    return [x[4] for x in out]


def _ramp_fraction(lever, date: dt.date) -> float:
    """How far ``lever`` has come from the old value to its own on ``date`` (ramps linear by month)."""
    months = (date.year - lever.start.year) * 12 + (date.month - lever.start.month) + 1
    return 1.0 if lever.ramp_months <= 0 else min(1.0, months / lever.ramp_months)


def value_at(levers, setting: str, base: float, date: dt.date) -> float:
    """The value of a setting in force on ``date``.

    Levers of the setting apply in date order whatever their order in the scenario (levers starting on the
    same day: the later listed wins), as the running model applies them (``Municipality.apply_levers``): a
    lever takes the value in force when it starts, and its ramp stops when the next lever on the setting
    starts."""
    started = sorted((lv for lv in levers if lv.setting == setting and lv.start <= date), key=lambda lv: lv.start)
    value = base
    for index, lever in enumerate(started):
        following = started[index + 1] if index + 1 < len(started) else None
        if following is not None and following.start == lever.start:
            continue  # the later-listed lever of the same day takes over at once
        until = date if following is None else following.start  # the model: its step that month, then the next
        value = value + (lever.value - value) * _ramp_fraction(lever, until)
    return value
