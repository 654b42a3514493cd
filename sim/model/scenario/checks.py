"""Checks pydantic cannot make field by field: references between parts, dates against the horizon, levers
against their settings' ranges, calibrated values and assumptions against the scenario's own numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from sim.model.scenario.keypaths import format_fields, locate_key_path
from sim.model.scenario.schema import Assumption, Scenario, Step


def cross_field_problems(s: Scenario, raw: dict) -> list[tuple[str, str]]:
    """Checks pydantic cannot see field by field: references between parts, dates against the horizon."""
    problems: list[tuple[str, str]] = []
    ids = [st.id for st in s.staircase]
    levels = sorted(n.level for n in s.needs.levels)
    for i, st in enumerate(s.staircase):
        where = f"staircase[{i}] ({st.id})"
        if ids.count(st.id) > 1:
            problems.append((f"{where}.id", f"step id '{st.id}' is used more than once"))
        if st.need_level not in levels:
            problems.append((f"{where}.need_level", f"need level {st.need_level} is not defined in needs.levels"))
        if st.min_age > st.max_age:
            problems.append((f"{where}.min_age", "min_age is above max_age"))
        if st.family_care is not None and st.kind != "placement":
            problems.append((f"{where}.family_care", "only a placement step can be family care"))
        if st.family_like and st.kind != "placement":
            problems.append((f"{where}.family_like", "only a placement step can be family-like"))
        if st.good_wellbeing_share is not None and st.kind != "placement":
            problems.append((f"{where}.good_wellbeing_share", "only a placement step has a wellbeing weight"))
    orders = [st.order for st in s.staircase]
    if len(set(orders)) != len(orders):
        problems.append(("staircase", "two steps have the same order"))
    if levels != list(range(1, len(levels) + 1)):
        problems.append(("needs.levels", f"levels must be 1, 2, ... without gaps (got {levels})"))
    for lvl in levels:
        if not any(st.need_level >= lvl for st in s.staircase):
            problems.append(("needs.levels", f"no staircase step is adequate for need level {lvl}"))
    if s.needs.acute_need_level not in levels:
        problems.append(("needs.acute_need_level", f"need level {s.needs.acute_need_level} is not defined"))
    for lvl in s.investigation.outcome_need_shares:
        if lvl != 0 and lvl not in levels:
            problems.append((f"investigation.outcome_need_shares.{lvl}", f"need level {lvl} is not defined"))
    for lvl in (*s.demand.need_shares, *s.demand.renotification_rate_per_year):
        if lvl != 0 and lvl not in levels:
            problems.append(("demand", f"need level {lvl} is not defined in needs.levels"))
    for step_id in s.initial_state.stock_per_1000_aged_0_22:
        if step_id not in ids:
            problems.append(
                (f"initial_state.stock_per_1000_aged_0_22.{step_id}", f"refers to undefined staircase step '{step_id}'")
            )
    stocks = s.initial_state.stock_per_1000_aged_0_22
    if sum(stocks.values()) > 1000:
        problems.append(("initial_state.stock_per_1000_aged_0_22",
                         f"the steps hold {sum(stocks.values()):g} per 1,000 aged 0-22 together; at most 1,000"))
    sc = s.screening
    if sc.share_acute + sc.share_closed_after_advice + sc.share_early_measure > 1.0 + 1e-9:
        problems.append(("screening", "share_acute + share_closed_after_advice + share_early_measure exceeds 1"))
    first, last = dt.date(s.calendar.start_year, 1, 1), dt.date(s.end_year, 12, 31)
    for i, ch in enumerate(s.caseworkers.fte_changes):
        if not first <= ch.date <= last:
            problems.append((f"caseworkers.fte_changes[{i}].date", f"{ch.date} is outside the horizon {first}..{last}"))
    for i, pc in enumerate(s.policy_costs):
        if not first <= pc.start <= last:
            problems.append((f"policy_costs[{i}].start", f"{pc.start} is outside the horizon {first}..{last}"))
        if pc.end is not None and pc.end < pc.start:
            problems.append((f"policy_costs[{i}].end", "end is before start"))
    problems += _lever_problems(s, ids, first, last)
    problems += _drift_problems(s, ids)
    d = s.diversion
    if d.to_step is not None and d.to_step not in ids:
        problems.append(("diversion.to_step", f"refers to undefined staircase step '{d.to_step}'"))
    for lvl in d.need_levels:
        if lvl not in levels:
            problems.append(("diversion.need_levels", f"need level {lvl} is not defined"))
    if d.share > 0 and d.to_step is None:
        problems.append(("diversion.to_step", "a diversion share needs a step to divert to"))
    for i, step_id in enumerate(s.time_limited_stays.steps):
        if step_id not in ids:
            problems.append((f"time_limited_stays.steps[{i}]", f"refers to undefined staircase step '{step_id}'"))
    for year in s.budget_dkk:  # earlier years are allowed: a forecast from today's cases reports the current year
        if not 1990 <= year <= s.end_year:
            problems.append((f"budget_dkk.{year}", f"year {year} is after the horizon's last year {last.year}"))
    problems += _price_year_problems(s)
    problems += _provenance_problems(s, raw)
    problems += _assumption_problems(s, raw)
    if not problems:  # the levers are valid: the yearly demand they make can be computed
        problems += _growth_problems(s)
    return problems


# what a run may ask for: a bound on each replication's memory and time before it starts (Denmark had
# 137,986 notifications in 2019, and about 1.5 million residents aged 0-22)
MAX_NOTIFICATIONS = 10_000_000  # over all simulated years, burn-in included: about 70 years of all Denmark
MAX_CHILDREN_0_22 = 5_000_000


def _growth_problems(s: Scenario) -> list[tuple[str, str]]:
    """Compound growth (of the children, of the notification rate) kept finite: at most MAX_NOTIFICATIONS
    notifications over the simulated years and MAX_CHILDREN_0_22 children in any of them. Levers on the rate
    or the trend count at their largest from the start (an upper bound of what sim.model.population computes,
    without importing it: the model imports the scenario)."""
    g = s.population.growth_per_year
    first, start, end = s.calendar.start_year - s.calendar.burn_in_years, s.calendar.start_year, s.end_year
    children = {year: s.population.aged_0_22 * (1.0 + g) ** (year - start) for year in (first, end)}
    most = max(children, key=children.get)
    problems = []
    if not children[most] <= MAX_CHILDREN_0_22:
        problems.append(("population.growth_per_year", f"{g:g} a year gives {children[most]:,.0f} children aged "
                         f"0-22 in {most}; at most {MAX_CHILDREN_0_22:,} in any simulated year (burn-in included)"))
        return problems
    n = s.notifications
    rate = _largest(s, "notifications.per_1000_aged_0_17", n.per_1000_aged_0_17)
    trend = _largest(s, "notifications.trend_per_year", n.trend_per_year)
    total = sum(rate * s.population.aged_0_17 * (1.0 + g) ** (year - start) / 1000.0
                * (1.0 + trend) ** max(0, year - start) for year in range(first, end + 1))
    if not total <= MAX_NOTIFICATIONS:
        problems.append(("notifications.trend_per_year", f"the trend ({trend:g} a year, levers included), the rate "
                         f"and the population give up to {total:,.0f} notifications over {first}-{end}; at most "
                         f"{MAX_NOTIFICATIONS:,} (shorten calendar.horizon_years or lower the trend)"))
    return problems


def _largest(s: Scenario, setting: str, value: float) -> float:
    """The largest value ``setting`` can take: its own, and after each lever on it in turn (an upper bound)."""
    most = value
    for lever in sorted((lv for lv in s.levers if lv.setting == setting), key=lambda lv: lv.start):
        if lever.value is not None:
            most = max(most, lever.value)
        elif lever.by is not None:
            most = max(most, most + lever.by)
        elif lever.times is not None:
            most = max(most, most * lever.times)
    return most


def applicable_assumptions(s: Scenario, raw: dict | None = None) -> dict[str, Assumption]:
    """The assumptions drawn for this scenario: those whose number it has, inside their range.

    Left out (held at the scenario's value): one about a part the scenario switches off (e.g. ``overload:
    null``) or a step or lever it does not have, and one whose value the scenario sets outside the range
    (e.g. a municipality's own price from its accounts: its own figure, not the national range; it can give
    the number a range of its own). A key path the format does not know is an error
    (:func:`_assumption_problems`)."""
    raw = s.model_dump(mode="json") if raw is None else raw
    out = {}
    for path, a in s.assumptions.items():
        try:
            node, key = locate_key_path(raw, path)
        except KeyError:
            continue
        if a.low <= node[key] <= a.high:
            out[path] = a
    return out


def _in_format(path: str) -> bool:
    """Whether a key path names a number field of the scenario format (list items skipped)."""
    parts = path.split(".")
    return bool(parts) and parts[-1] in format_fields(parts[:-1])


def _lever_assumption_problem(s: Scenario, path: str, a: Assumption) -> str | None:
    """Why an assumption about a lever's number does not fit the lever at that position, or None (also None when
    the scenario has no lever there: then there is nothing to draw)."""
    parts = path.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return "a lever's number is levers.<position>.value, .by or .times"
    if not a.setting:
        return ("an assumption about a lever names the lever's setting (setting: ...), so it cannot move to another "
                "lever")
    i = int(parts[1])
    if i >= len(s.levers):
        return None
    lever = s.levers[i]
    if lever.setting != a.setting:
        return (f"levers[{i}] changes {lever.setting}, but the assumption is about {a.setting}; point it at that "
                f"lever's position or drop it ('{path}: null' under assumptions:)")
    if getattr(lever, parts[2], None) is None:
        given = next(f for f in ("value", "by", "times") if getattr(lever, f, None) is not None)
        return (f"levers[{i}] gives {given}:, not {parts[2]}:; the assumption must be about "
                f"{path.rsplit('.', 1)[0]}.{given}")
    return None


def _assumption_problems(s: Scenario, raw: dict) -> list[tuple[str, str]]:
    """Each assumption names a number of the scenario format and a range that holds the scenario's value."""
    problems = []
    for path, a in s.assumptions.items():
        where = f"assumptions.{path}"
        if path.startswith("levers."):
            reason = _lever_assumption_problem(s, path, a)
            if reason:
                problems.append((where, reason))
                continue
        try:
            locate_key_path(raw, path)
        except KeyError as e:
            if not _in_format(path):
                problems.append((where, f"{e.args[0]} (an assumption names a number of the scenario by its key "
                                        "path, e.g. caseworkers.family_time.max_effect)"))
            continue
        if not a.low <= a.high:
            problems.append((where, f"low ({a.low:g}) is above high ({a.high:g})"))
    return problems


def _price_year_problems(s: Scenario) -> list[tuple[str, str]]:
    """Converting to another price year needs the index in both years."""
    cal, index = s.calendar, s.prices.index
    if cal.price_year is None or cal.price_year == cal.base_year:
        return []
    known = f"prices.index has {sorted(index)}" if index else "prices.index is empty"
    return [
        (path, f"year {year} is not in prices.index ({known})")
        for path, year in (("calendar.base_year", cal.base_year), ("calendar.price_year", cal.price_year))
        if year not in index
    ]


def _provenance_problems(s: Scenario, raw: dict) -> list[tuple[str, str]]:
    """Each calibrated value names a number of this scenario and an ordered interval."""
    problems = []
    for i, cv in enumerate(s.provenance):
        if not cv.p05 <= cv.median <= cv.p95:
            problems.append((f"provenance[{i}]", "p05 <= median <= p95 must hold"))
        try:
            locate_key_path(raw, cv.path)  # KeyError unless the path holds a number
        except KeyError as e:
            problems.append((f"provenance[{i}].path", f"{e.args[0]} (a scenario that changes what it inherits "
                                                      "can clear the list: provenance: [])"))
    return problems


def _lever_problems(s: Scenario, ids: list[str], first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """Each lever's setting, result and start: a ``by`` or ``times`` is checked on the value it acts on in
    this scenario (sim.model.levers.lever_effects, the running model's own replay), so it is refused here,
    never met by a run."""
    from sim.model.levers import lever_effects, lever_range_problem

    problems = []
    effects = {e.index: e for e in lever_effects(s)}
    for i, lv in enumerate(s.levers):
        where = f"levers[{i}]"
        effect = effects.get(i)
        if effect is None:  # not a lever setting: the registry says why
            problems.append((f"{where}.setting", lever_range_problem(lv.setting, 0.0, ids) or "not a lever setting"))
        elif reason := _lever_result_problem(effect, ids):
            problems.append((f"{where}.{lv.change}", reason))
        elif lv.setting in ("screening.share_closed_after_advice", "screening.share_early_measure"):
            sc = s.screening
            others = sc.share_acute + (
                sc.share_early_measure if lv.setting.endswith("advice") else sc.share_closed_after_advice
            )
            if others + effect.after > 1.0 + 1e-9:
                problems.append((f"{where}.{lv.change}", "with the other screening shares this exceeds 1"))
        elif lv.setting == "diversion.share" and effect.after > 0 and s.diversion.to_step is None:
            problems.append((f"{where}.{lv.change}", "a diversion share needs a step to divert to (diversion.to_step)"))
        if not first <= lv.start <= last:
            problems.append((f"{where}.start", f"{lv.start} is outside the horizon {first}..{last}"))
    return problems


def _lever_result_problem(effect, ids: list[str]) -> str | None:
    """Why the value a lever goes to is outside its setting's range (for a ``by`` or ``times``: from what)."""
    from sim.model.levers import lever_range_problem

    if effect.after is None:
        return (f"{effect.setting} is not set (unlimited) when the lever starts, so {effect.change}: has no value "
                "to act on; give the new value with value:")
    reason = lever_range_problem(effect.setting, effect.after, ids) or _outside_field_range(effect.setting,
                                                                                           effect.after)
    if reason is None or effect.change == "value":
        return reason
    change = (f"{'+' if effect.amount >= 0 else '-'} {abs(effect.amount):g}" if effect.change == "by"
              else f"x {effect.amount:g}")
    return (f"{effect.setting} would be {effect.before:g} {change} = {effect.after:g} from {effect.start} in this "
            f"scenario: {reason}")


def _drift_problems(s: Scenario, ids: list[str]) -> list[tuple[str, str]]:
    from sim.model.levers import lever_setting

    problems = []
    levers = {lv.setting for lv in s.levers}
    seen: set[str] = set()
    for i, d in enumerate(s.drift):
        entry = lever_setting(d.setting, ids)
        if entry is None or entry.attribute is None or entry.kind == "trend":
            problems.append((f"drift[{i}].setting", f"'{d.setting}' is not a setting the running model reads "
                                                    "(a lever setting such as screening.share_early_measure)"))
        elif d.setting in levers:
            problems.append((f"drift[{i}].setting", f"'{d.setting}' is also changed by a lever; a setting may "
                                                    "drift or be a lever, not both"))
        elif d.setting in seen:
            problems.append((f"drift[{i}].setting", f"'{d.setting}' drifts twice; give it once"))
        seen.add(d.setting)
    return problems


def _setting_field(setting: str):
    """The pydantic field a lever's setting names (``reviews.interval_months``, ``staircase.<step>.<field>``),
    or None."""
    parts = setting.split(".")
    model: Any = Scenario
    if parts[0] == "staircase" and len(parts) == 3:
        model, parts = Step, parts[2:]
    for i, part in enumerate(parts):
        info = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if info is None:
            return None
        if i == len(parts) - 1:
            return info
        model = info.annotation
    return None


def _outside_field_range(setting: str, value: float) -> str | None:
    """A lever's value outside the range its setting has in the scenario format (the same bounds as the
    field's own value, so a lever cannot do what the scenario may not)."""
    info = _setting_field(setting)
    if info is None:
        return None
    for bound in info.metadata:
        for name, fails, words in (("ge", lambda b: value < b, "at least"), ("gt", lambda b: value <= b, "above"),
                                   ("le", lambda b: value > b, "at most"), ("lt", lambda b: value >= b, "below")):
            limit = getattr(bound, name, None)
            if limit is not None and fails(limit):
                shown = f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"
                return f"{setting} must be {words} {shown} (got {value:g})"
    return None
