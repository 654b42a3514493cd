"""Policy levers: settings that change from a date, ramped in linearly, each with its own costs.

A scenario lists them under ``levers:``. Which settings can be levers, their allowed values and where the
running model reads them is data here (``LEVER_SETTINGS``, one registry); the model applies a lever by
setting the value at the start and once a month through the ramp (costs and rates are piecewise constant by
month, no daily ticks).

A lever changes its setting *to* a value (``value``), *by* an amount (``by``) or by a factor (``times``);
``by`` and ``times`` act on the value in force when the lever starts (:func:`lever_target`). Which value that
is, and so what each lever does to a given scenario, is :func:`lever_effects`: the running model's own order
of lever steps (:class:`LeverRamps`, shared with ``Municipality.apply_levers``) replayed on the scenario's
values, so validation refuses a ``by``/``times`` that would leave the setting's range before anything runs.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sim.model.units import MONTH

UNLIMITED_AS_NUMBER = 1e9  # an unlimited capacity, read by a lever that ramps it down: "very many"


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


def lever_target(lever, old: float) -> float:
    """The value a lever goes to from ``old``, the value in force when it starts: its ``value``, ``old + by``
    or ``old x times`` (the result is checked against the setting's range by :func:`lever_effects`)."""
    if lever.by is not None:
        return old + lever.by
    if lever.times is not None:
        return old * lever.times
    return lever.value


@dataclass(frozen=True)
class LeverStep:
    """Set ``setting`` to old + fraction x (new - old) at simulated time ``t``; new is :func:`lever_target`
    of old (the lever's ``value``, or old changed ``by`` an amount or ``times`` a factor)."""

    t: float
    lever: int  # index in the scenario's levers
    setting: str
    value: float | None
    fraction: float  # of the way from the old value (read when the lever starts) to the new one
    by: float | None = None
    times: float | None = None


class LeverRamps:
    """The value each lever step writes, in the running model's order (:func:`lever_steps`): a lever reads
    the value in force when it starts (``old``), goes to :func:`lever_target` of it over its ramp, and stops
    when a later lever on the same setting starts. Shared by the running model and :func:`lever_effects`."""

    def __init__(self) -> None:
        self.old: dict[int, float] = {}  # each started lever's value at its start
        self.active: dict[str, int] = {}  # the lever in charge of each setting

    def starts(self, step: LeverStep) -> bool:
        return step.lever not in self.old

    def value(self, step: LeverStep, current: float) -> float | None:
        """The value to write at this step (``current``: the setting's value now), or None when a later lever
        on the setting has taken over."""
        if self.starts(step):  # a lever starts: it takes over its setting from any earlier ramp
            self.old[step.lever] = current
            self.active[step.setting] = step.lever
        if self.active[step.setting] != step.lever:
            return None  # a later lever on the same setting has started; this ramp stops
        old = self.old[step.lever]
        return old + (lever_target(step, old) - old) * step.fraction


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
        change = {"by": getattr(lv, "by", None), "times": getattr(lv, "times", None)}
        if lv.ramp_months <= 0:
            out.append((t0, t0, order, 0, LeverStep(t0, order, lv.setting, lv.value, 1.0, **change)))
            continue
        for k in range(1, n + 1):
            t = t0 + (k - 1) * MONTH
            fraction = min(1.0, k / lv.ramp_months)
            out.append((t, t0, order, k, LeverStep(t, order, lv.setting, lv.value, fraction, **change)))
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
    lever takes the value in force when it starts (the base of its ``by`` or ``times``), and its ramp stops
    when the next lever on the setting starts (one of the same day: after its first month's step, at once)."""
    started = sorted((lv for lv in levers if lv.setting == setting and lv.start <= date), key=lambda lv: lv.start)
    value = base
    for index, lever in enumerate(started):
        following = started[index + 1] if index + 1 < len(started) else None
        until = date if following is None else following.start  # the model: its step that month, then the next
        value = value + (lever_target(lever, value) - value) * _ramp_fraction(lever, until)
    return value


@dataclass(frozen=True)
class LeverEffect:
    """What one lever of a scenario does to it: its setting's value when the lever starts (``before``; None:
    an unset capacity, i.e. unlimited) and the value it goes to (``after``, reached at the end of its ramp
    unless a later lever on the setting takes over first; None when it cannot be computed: a ``by`` or
    ``times`` on an unlimited capacity)."""

    index: int  # in the scenario's levers
    setting: str
    start: dt.date
    ramp_months: float
    change: str  # value | by | times
    amount: float  # the lever's value, by or times
    before: float | None
    after: float | None


@dataclass(frozen=True)
class FteChangeLever:
    """A ``caseworkers.fte_changes`` entry as the lever it is shorthand for (to its FTEs)."""

    value: float
    start: dt.date
    ramp_months: float
    setting: str = "caseworkers.fte"
    by: None = None
    times: None = None
    change: str = "value"


def scheduled_levers(scenario) -> tuple[list, int]:
    """Every lever the running model applies, in its order: the scenario's ``caseworkers.fte_changes`` (as
    levers to their FTEs) and then its ``levers``; and how many FTE changes come first."""
    staffing = [FteChangeLever(c.fte, c.date, c.ramp_months) for c in scenario.caseworkers.fte_changes]
    return [*staffing, *scenario.levers], len(staffing)


def scenario_setting_value(scenario, setting: str) -> float | None:
    """A lever setting's value in the scenario itself (its units), as the running model starts with it; None
    for an unset (unlimited) capacity."""
    parts = setting.split(".")
    on_step = step_setting(setting)
    node = scenario.step(on_step[0]) if on_step is not None else scenario
    for part in (parts[2:] if on_step is not None else parts):
        node = getattr(node, part)
    return None if node is None else float(node)


def lever_effects(scenario) -> list[LeverEffect]:
    """What each of the scenario's levers does to it: the value in force when it starts and the value it goes
    to, replayed on the scenario's own values in the running model's order (:class:`LeverRamps`), so a ``by``
    or ``times`` lever is shown (and checked) on this municipality's numbers, after any earlier lever on the
    same setting. Levers on settings that are not lever settings are left out (validation names them)."""
    step_ids = [s.id for s in scenario.staircase]
    levers, first = scheduled_levers(scenario)
    known = {lv.setting for lv in levers if lever_setting(lv.setting, step_ids) is not None}
    current = {setting: scenario_setting_value(scenario, setting) for setting in known}
    unlimited = {setting for setting, value in current.items() if value is None}
    current = {setting: UNLIMITED_AS_NUMBER if value is None else value for setting, value in current.items()}
    ramps, out = LeverRamps(), {}
    for step in lever_steps(levers, scenario.calendar.start_year):
        if step.setting not in known:
            continue
        if ramps.starts(step) and step.lever >= first:
            lever = levers[step.lever]
            open_ended = step.setting in unlimited
            before = None if open_ended else current[step.setting]
            after = None if open_ended and lever.change != "value" else lever_target(lever, current[step.setting])
            out[step.lever - first] = LeverEffect(step.lever - first, lever.setting, lever.start, lever.ramp_months,
                                                  lever.change, getattr(lever, lever.change), before, after)
        value = ramps.value(step, current[step.setting])
        if value is not None:
            current[step.setting] = value
            unlimited.discard(step.setting)
    return [out[i] for i in sorted(out)]
