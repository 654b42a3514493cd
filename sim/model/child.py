"""A child's path: notification, screening, investigation, measures on the staircase, reviews, exit.

Each episode is one SimPy process. Between events the process sleeps until the earliest of: its need
changes, its placement breaks down, it moves away, it ages out, or its next review is queued. Nothing
ticks. A need that improves is *not* acted on until a review finds it: late reviews keep children on
costly steps longer, which is how caseload drives cost.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.caseworkers import ACUTE, INVESTIGATION, REVIEW, SCREENING
from sim.model.randomness import D, ChildLuck

if TYPE_CHECKING:
    from sim.model.municipality import Municipality

INF = math.inf
DAY = 1.0 / 365.25

# decision types, looked up once
_DEMOGRAPHY, _SCREENING, _INVESTIGATION = D["demography"], D["screening"], D["investigation"]
_CHOICE, _DYNAMICS, _REVIEW, _TASKS = D["choice"], D["dynamics"], D["review"], D["tasks"]
_POLICY = D["policy"]

# screening outcomes, in the order of Municipality.screening_cumulative
ACUTE_PLACEMENT, CLOSED_AFTER_ADVICE, EARLY_MEASURE, INVESTIGATE = 0, 1, 2, 3


class Child:
    """State of one child. No personal data: an internal number, a birth time, a need, a step."""

    __slots__ = (
        "cid",
        "luck",
        "birth",
        "need",
        "step",
        "booked_from",
        "price",
        "open",
        "slot",
        "notified_year",
        "leaves_at",
        "aftercare_decided",
        "gone",
        "in_episode",
        "closed_at",
        "known_key",
        "in_known",
        "diverted",
    )

    def __init__(self, cid: int, luck: ChildLuck, birth: float):
        self.cid = cid
        self.luck = luck
        self.birth = birth
        self.need = 0
        self.step = -1  # index on the staircase, -1 when on no step
        self.booked_from = 0.0  # cost booked up to here
        self.price = 0.0  # price per year on the current step, base-year DKK
        self.open = False
        self.slot = -1  # position in Municipality.open_children
        self.notified_year = -1
        self.leaves_at = INF  # age-out time
        self.aftercare_decided = False
        self.gone = False  # aged out or moved away: never notified again
        self.in_episode = False  # from the notification that opened an episode to the case's close
        self.closed_at = -INF
        self.known_key = -1.0  # drawn when the municipality first knows the child
        self.in_known = False
        self.diverted = False  # on an alternative to placement instead of the placement its need calls for

    def age(self, t: float) -> float:
        return t - self.birth


def task_hours(m: Municipality, child: Child, mean_hours: float) -> float:
    """Hours of one task: exponential around the mean, or fixed (scenario setting)."""
    if m.fixed_task_time or mean_hours <= 0.0:
        return mean_hours
    return -math.log(1.0 - child.luck.u(_TASKS)) * mean_hours


# ---------------------------------------------------------------- the episode


def episode(m: Municipality, child: Child, t_notified: float):
    """From a notification about a child without an open case to the case's close."""
    hours = task_hours(m, child, m.screening_hours)
    started = yield m.team.submit(SCREENING, hours)
    m.ledger_screening(t_notified, started, hours)
    outcome = child.luck.pick(_SCREENING, m.screening_cumulative)
    if outcome == CLOSED_AFTER_ADVICE:
        m.close_case(child, recent=True)
        return
    m.open_case(child)
    if outcome == ACUTE_PLACEMENT:
        need = m.acute_need_level
    elif outcome == EARLY_MEASURE:
        need = 1
    else:
        need = yield from investigation(m, child)
        if need == 0:
            m.close_case(child, recent=True)
            return
    if m.env.now >= child.leaves_at:
        m.close_case(child, recent=False, gone=True)
        return
    yield from on_measures(m, child, need, first_review_due=m.env.now + m.first_review)


def investigation(m: Municipality, child: Child):
    """Sessions of caseworker work separated by waits for others; returns the need level found."""
    env, luck = m.env, child.luck
    start = env.now
    m.ledger.investigations_started[m.ledger.year_of(start)] += 1
    per_session = m.investigation_hours / m.investigation_sessions
    for session in range(m.investigation_sessions):
        if session:
            yield env.timeout(luck.exponential(_INVESTIGATION, m.investigation_lag_rate))
        yield m.team.submit(INVESTIGATION, task_hours(m, child, per_session))
    days = (env.now - start) / DAY
    y = m.ledger.year_of(env.now)
    m.ledger.investigations_completed[y] += 1
    m.ledger.investigation_days[y] += days
    if env.now - start > m.investigation_deadline:
        m.ledger.investigations_overdue[y] += 1
    return m.investigation_need_levels[luck.pick(_INVESTIGATION, m.investigation_cumulative)]


def on_measures(
    m: Municipality,
    child: Child,
    need: int,
    first_review_due: float,
    start_step: int | None = None,
    count_start: bool = True,
    price: float | None = None,
):
    """The child on the staircase until the case closes.

    ``start_step`` puts the child on a given step instead of choosing one (the initial stock);
    ``count_start=False`` then keeps it out of the year's measures started; ``price`` is its own yearly
    price on that step."""
    env, luck = m.env, child.luck
    child.need = need
    step, diverted = start_step, False
    if step is None:
        step, diverted = m.divert_or(child, m.choose_step(child, need, above=-1))
    if step < 0:  # no step takes this child (e.g. all full and none unlimited): case closes
        m.close_case(child, recent=True)
        return
    m.enter_step(child, step, count=count_start, diverted=diverted)
    if price is not None:  # the case's own price (case register) until it changes step
        child.price = price
    review_due = first_review_due
    t_need, need_up = next_need_change(m, child)
    t_break = next_breakdown(m, child)
    t_limit = m.stay_limit(child)
    t_move = env.now + luck.exponential(_DYNAMICS, m.move_away_rate)
    while True:
        t_review = review_due - m.review_lead
        t_next = min(t_need, t_break, t_move, child.leaves_at, t_review, t_limit)
        if t_next > env.now:
            yield env.timeout(t_next - env.now)
        moved = False
        if t_next == child.leaves_at:
            if not ages_into_aftercare(m, child):
                m.close_case(child, recent=False, gone=True)
                return
        elif t_next == t_move:
            m.close_case(child, recent=False, gone=True)
            return
        elif t_next == t_review:
            started = yield m.team.submit(REVIEW, task_hours(m, child, m.review_hours))
            m.ledger_review(started <= review_due)  # on time when the caseworker takes it up by the due date
            review_due = env.now + m.review_interval
            target = review_decision(m, child)
            if target == -2:
                m.close_case(child, recent=True)
                return
            if target >= 0:
                m.change_step(child, target)
                moved = True
        elif t_next == t_need:
            child.need += 1 if need_up else -1
            if need_up and child.need > m.steps[child.step].need_level:
                yield m.team.submit(ACUTE, task_hours(m, child, m.escalation_hours))
                moved = m.step_up(child)
            if not moved:
                t_need, need_up = next_need_change(m, child)
        elif t_next == t_limit:
            moved = m.end_limited_stay(child)
            t_limit = INF
        else:  # breakdown (or a failed diversion)
            yield m.team.submit(ACUTE, task_hours(m, child, m.escalation_hours))
            moved = m.step_up(child)
            t_break = next_breakdown(m, child)
        if moved:  # a new step: new clocks for need, breakdown and a time limit
            t_need, need_up = next_need_change(m, child)
            t_break = next_breakdown(m, child)
            t_limit = m.stay_limit(child)


def next_need_change(m: Municipality, child: Child) -> tuple[float, bool]:
    """When the need next changes, and whether it rises. It improves only on an adequate step."""
    level = child.need
    # a diverted child's step is meant to do for its need what a placement would
    adequate = child.step >= 0 and (m.steps[child.step].need_level >= level or child.diverted)
    improve = m.improvement_rate[level] if (adequate and level > 0) else 0.0
    escalate = m.escalation_rate[level] if level < m.max_need else 0.0
    total = improve + escalate
    if total <= 0.0:
        return INF, False
    wait = child.luck.exponential(_DYNAMICS, total)
    rises = child.luck.u(_DYNAMICS) * total < escalate
    return m.env.now + wait, rises


def next_breakdown(m: Municipality, child: Child) -> float:
    """When the measure breaks down; for a diverted child, when the diversion fails."""
    rate = m.diversion_failure_rate if child.diverted else m.steps[child.step].breakdown_rate
    return m.env.now + child.luck.exponential(_DYNAMICS, rate) if rate > 0.0 else INF


def ages_into_aftercare(m: Municipality, child: Child) -> bool:
    """At the age-out birthday: continue in aftercare (if the scenario has it) or leave."""
    if child.aftercare_decided or not m.aftercare_enabled:
        return False
    child.aftercare_decided = True
    if child.luck.u(_DEMOGRAPHY) < m.aftercare_share:
        child.leaves_at = child.birth + m.aftercare_until_age + 1.0
        return True
    return False


def review_decision(m: Municipality, child: Child) -> int:
    """-1 keep the step, -2 close the case, else the step index to move down to.

    A review acts on a lower need only with ``step_down_share`` (the caseworker may not see it, or the
    family may not be ready)."""
    current = m.steps[child.step]
    adequate_below = child.need < current.need_level
    if not adequate_below or child.luck.u(_REVIEW) >= m.step_down_share:
        return -1
    if child.need == 0:
        return -2
    target = m.choose_step(child, child.need, above=-1)
    return target if 0 <= target < child.step else -1
