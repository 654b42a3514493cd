"""Time with the family is what caseload buys (``caseworkers.family_time``).

The hours a caseworker has left per case after the mandatory tasks (screening on the duty roster,
investigations, reviews, acute work) are the time she spends with the families: visits, calls, a network
meeting that finds an aunt who can take the child, the talk that shows a placement can end. The effect of
caseload on children goes through these hours:

    hours per case  h = (productive hours at work - hours of mandatory tasks) / open cases   (per month)

and a dose-response linear in them, capped, turns them into a signed *time effect* in [-max_effect, +max_effect]:

    effect(h) = max_effect * clip(d / full_effect_hours, -1, 1),   d = h - reference_hours_per_case_per_month

Zero at the reference (where the scenario's uptake shares and step-down share hold), rising by the same amount
for every extra hour per case until ``full_effect_hours`` from the reference, never beyond ``max_effect``: no
amount of time makes every placement avoidable. Linear, because the effect applies to every open case: summed
over a department's cases it is proportional to the department's free hours beyond the reference, so every
caseworker-hour added (or removed) anywhere below the cap moves the same amount of decisions; the hour of a
hire at today's caseload is worth what the hour of a cut is (docs/model.md, section 4). A positive effect is the chance
that a step choice is one step less intrusive (e.g. kinship care instead of a foster family), and raises a
review's chance to act on a lower need; a negative effect is the chance of one step more intrusive and lowers
that chance. The staircase applies it (``sim.model.staircase``); nothing here names a step.

The mandatory hours are those the caseworkers started in the month (``hours_worked`` of either organisation),
smoothed over months so that one long investigation does not swing a month; with own caseloads a caseworker's
hours per case are her share of the department's free time over her own cases, so an overloaded caseworker
(or an unallocated case: nobody's time) has less.
"""

from __future__ import annotations

import math

SMOOTHING = 1.0 / 3.0  # weight of the latest month in the moving share of mandatory work (about a quarter's memory)


def time_effect(hours: float, reference: float, max_effect: float, full_effect_hours: float) -> float:
    """Signed effect of ``hours`` per case and month: + less intrusive, - more intrusive; |effect| <= max_effect."""
    if max_effect <= 0.0 or math.isnan(hours):  # not yet measured (the first month of a run): no effect
        return 0.0
    if math.isinf(hours):
        return max_effect
    d = hours - reference
    return max_effect * max(-1.0, min(1.0, d / full_effect_hours))


def step_down_share(base: float, effect: float) -> float:
    """A review's chance to act on a lower need: raised towards 1 by a positive effect, lowered towards 0 by a
    negative one (in proportion, so the share stays a share)."""
    if effect >= 0.0:
        return base + effect * (1.0 - base)
    return base * (1.0 + effect)


class FamilyTimeMeter:
    """The department's share of productive hours taken by mandatory tasks, brought up to date monthly."""

    __slots__ = ("mandatory_share", "_hours_before", "hours_per_fte_month")

    def __init__(self):
        self.mandatory_share = math.nan  # not yet measured: the first month sets it
        self._hours_before = 0.0
        self.hours_per_fte_month = 0.0

    def update(self, hours_worked_total: float, productive_fte: float, hours_per_fte_month: float) -> None:
        """Monthly: the task hours started since the last month against the hours the caseworkers had."""
        done = hours_worked_total - self._hours_before
        self._hours_before = hours_worked_total
        self.hours_per_fte_month = hours_per_fte_month
        available = productive_fte * hours_per_fte_month
        share = min(1.0, done / available) if available > 0.0 else 1.0
        if math.isnan(self.mandatory_share):
            self.mandatory_share = share
        else:
            self.mandatory_share += SMOOTHING * (share - self.mandatory_share)

    def hours_per_case(self, caseload: float) -> float:
        """Hours with the families per case and month at a caseload (open cases per productive FTE)."""
        if math.isnan(self.mandatory_share):
            return math.nan
        if caseload <= 0.0:
            return math.inf
        if math.isinf(caseload):  # an unallocated case: nobody's time
            return 0.0
        return max(0.0, 1.0 - self.mandatory_share) * self.hours_per_fte_month / caseload
