"""A child's path: notification, screening, investigation, measures on the staircase, reviews, exit.

An episode's screening is a task of the duty roster that calls back when done; a case that opens is one SimPy
process (an inquiry closed at screening needs none). Between events the process sleeps until the earliest of:
its need changes, its placement breaks down, it moves away, it ages out, or its next review is queued. Nothing
ticks. A need that improves is *not* acted on until a review finds it: late reviews keep children on
costly steps longer, which is how caseload drives cost.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING

from sim.model import demand
from sim.model.caseworkers import ACUTE, INVESTIGATION, REVIEW, SCREENING
from sim.model.demand import ACUTE_PLACEMENT, CLOSED_AFTER_ADVICE, EARLY_MEASURE
from sim.model.randomness import D, ChildLuck
from sim.model.staircase import NO_STEP
from sim.model.units import DAY

if TYPE_CHECKING:
    from sim.model.municipality import Municipality

INF = math.inf
NOT_DRAWN = -1.0  # a child's key on the known-children circle before the municipality first knows it (keys are >= 0)
NO_SLOT = -1  # a child without an open case has no place in the list of open cases
NOT_NOTIFIED = -1  # the year index of a child not yet notified in any simulated year

# decision types, looked up once
DRAW_DEMOGRAPHY, DRAW_SCREENING, DRAW_INVESTIGATION = D["demography"], D["screening"], D["investigation"]
DRAW_CHOICE, DRAW_DYNAMICS, DRAW_REVIEW, DRAW_TASKS = D["choice"], D["dynamics"], D["review"], D["tasks"]
DRAW_POLICY = D["policy"]

DRAW_NEED, DRAW_UNMET = D["need"], D["unmet"]


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
        "need_drawn",
        "unmet_token",
        "had_unmet_need",
        "need_unmet",
    )

    def __init__(self, cid: int, luck: ChildLuck, birth: float):
        self.cid = cid
        self.luck = luck
        self.birth = birth
        self.need = 0
        self.step = NO_STEP  # index on the staircase
        self.booked_from = 0.0  # cost booked up to here
        self.price = 0.0  # price per year on the current step, base-year DKK
        self.open = False
        self.slot = NO_SLOT  # position in Municipality.open_children
        self.notified_year = NOT_NOTIFIED
        self.leaves_at = INF  # age-out time
        self.aftercare_decided = False
        self.gone = False  # aged out or moved away: never notified again
        self.in_episode = False  # from the notification that opened an episode to the case's close
        self.closed_at = -INF
        self.known_key = NOT_DRAWN  # drawn when the municipality first knows the child
        self.in_known = False
        self.diverted = False  # on an alternative to placement instead of the placement its need calls for
        self.need_drawn = False  # the real need is known to the model (drawn at a first screening, or set on a step)
        self.unmet_token = 0  # counts the child's unmet-need courses; a course that is not the latest stops
        self.had_unmet_need = False  # an inquiry about the child was once closed while it had a real need
        self.need_unmet = False  # closed with a real need that has not faded, and not notified again since

    def age(self, t: float) -> float:
        return t - self.birth


def task_hours(m: Municipality, child: Child, mean_hours: float) -> float:
    """Hours of one task: exponential around the mean, or fixed (scenario setting)."""
    if m.settings.fixed_task_time or mean_hours <= 0.0:
        return mean_hours
    return -math.log(1.0 - child.luck.u(DRAW_TASKS)) * mean_hours


# ---------------------------------------------------------------- the episode


def episode(m: Municipality, child: Child, t_notified: float) -> None:
    """A notification about a child without an open case: its screening goes to the duty roster, and what
    follows is decided when it is done (:func:`screened`). No process waits for the screening, so an inquiry
    closed at screening (a third or more of them) costs no SimPy process, nor its start and end events."""
    hours = task_hours(m, child, m.settings.screening_hours)
    m.team.submit(SCREENING, hours, on_done=lambda started: screened(m, child, t_notified, started, hours),
                  due=t_notified + m.settings.screening_deadline)


def screened(m: Municipality, child: Child, t_notified: float, started: float, hours: float) -> None:
    """The screening is done: the inquiry closes after advice, or the case opens and its process starts."""
    m.ledger_screening(t_notified, started, hours)
    outcome = child.luck.pick(DRAW_SCREENING, m.settings.screening_cumulative)  # drawn whatever the demand model
    by_severity = m.settings.demand.enabled
    if by_severity:  # hook: sim.model.demand screens by perceived severity and knows the real need
        outcome, _ = demand.screening_outcome(m, child, DRAW_NEED)
    if outcome == CLOSED_AFTER_ADVICE:
        m.close_inquiry(child)
        return
    m.env.process(case_after_screening(m, child, outcome, by_severity))


def case_after_screening(m: Municipality, child: Child, outcome: int, by_severity: bool):
    """From the screening's outcome to the case's close: an acute placement, an early measure, or an
    investigation first; then the measures."""
    m.open_case(child)
    if outcome == ACUTE_PLACEMENT:
        found = m.settings.acute_need_level
    elif outcome == EARLY_MEASURE:
        found = 1
    else:
        found = yield from investigation(m, child)
        if found == 0:
            m.close_inquiry(child)
            return
    if m.env.now >= child.leaves_at:
        m.close_case(child, recent=False, gone=True)
        return
    real = child.need if by_severity else found
    yield from on_measures(m, child, real, first_review_due=m.env.now + m.settings.first_review, found=found)


def investigation(m: Municipality, child: Child):
    """Sessions of caseworker work separated by waits for others; returns the need level found."""
    env, luck = m.env, child.luck
    start = env.now
    m.ledger.book_investigation_started(start)
    per_session = m.settings.investigation_hours / m.settings.investigation_sessions
    due = start + m.settings.investigation_deadline
    for session in range(m.settings.investigation_sessions):
        if session:
            yield env.timeout(luck.exponential(DRAW_INVESTIGATION, m.settings.investigation_lag_rate))
        yield m.team.submit(INVESTIGATION, task_hours(m, child, per_session), child=child, due=due)
    overdue = env.now - start > m.settings.investigation_deadline
    m.ledger.book_investigation_completed(env.now, (env.now - start) / DAY, overdue)
    found = m.settings.investigation_need_levels[luck.pick(DRAW_INVESTIGATION, m.settings.investigation_cumulative)]
    if m.settings.demand.enabled:  # hook: the real need, or less when the investigation falls short
        found = demand.investigation_finding(m, child, DRAW_NEED)
    return found


def on_measures(
    m: Municipality,
    child: Child,
    need: int,
    first_review_due: float,
    start_step: int | None = None,
    count_start: bool = True,
    price: float | None = None,
    found: int | None = None,
):
    """The child on the staircase until the case closes.

    ``need`` is the child's real need; ``found`` the need the step is chosen for (an investigation may find
    less; default: the real need). ``start_step`` puts the child on a given step instead of choosing one
    (the initial stock); ``count_start=False`` then keeps it out of the year's measures started; ``price``
    is its own yearly price on that step."""
    env, luck = m.env, child.luck
    child.need = need
    child.need_drawn = True
    step, diverted = start_step, False
    if step is None:
        step, diverted = m.divert_or(child, m.choose_step(child, need if found is None else found, above=NO_STEP))
    if step == NO_STEP:  # no step takes this child (e.g. all full and none unlimited): case closes
        m.close_inquiry(child)
        return
    m.enter_step(child, step, count=count_start, diverted=diverted)
    if price is not None:  # the case's own price (case register) until it changes step
        child.price = price
    review_due = first_review_due
    t_need, need_up = next_need_change(m, child)
    t_break = next_breakdown(m, child)
    t_limit = m.stay_limit(child)
    t_move = env.now + luck.exponential(DRAW_DYNAMICS, m.settings.move_away_rate)
    while True:
        t_review = review_due - m.settings.review_lead
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
            hours = task_hours(m, child, m.settings.review_hours)
            started = yield m.team.submit(REVIEW, hours, child=child, due=review_due)
            m.ledger_review(started <= review_due)  # on time when the caseworker takes it up by the due date
            review_due = env.now + m.next_review_in(child)
            decision, target = review_decision(m, child)
            if decision is ReviewDecision.CLOSE:
                m.close_case(child, recent=True)
                return
            if decision is ReviewDecision.STEP_DOWN:
                m.change_step(child, target)
                moved = True
            elif decision is ReviewDecision.STEP_UP:
                moved = m.step_up(child)
        elif t_next == t_need:
            child.need += 1 if need_up else -1
            if need_up and child.need > m.settings.steps[child.step].need_level:
                yield m.team.submit(ACUTE, task_hours(m, child, m.settings.escalation_hours), child=child)
                moved = m.step_up(child)
            if not moved:
                t_need, need_up = next_need_change(m, child)
        elif t_next == t_limit:
            moved = m.end_limited_stay(child)
            t_limit = INF
        else:  # breakdown (or a failed diversion)
            yield m.team.submit(ACUTE, task_hours(m, child, m.settings.escalation_hours), child=child)
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
    adequate = child.step != NO_STEP and (m.settings.steps[child.step].need_level >= level or child.diverted)
    improve = m.settings.improvement_rate[level] if (adequate and level > 0) else 0.0
    escalate = m.settings.escalation_rate[level] if level < m.settings.max_need else 0.0
    total = improve + escalate
    if total <= 0.0:
        return INF, False
    wait = child.luck.exponential(DRAW_DYNAMICS, total)
    rises = child.luck.u(DRAW_DYNAMICS) * total < escalate
    return m.env.now + wait, rises


def next_breakdown(m: Municipality, child: Child) -> float:
    """When the measure breaks down; for a diverted child, when the diversion fails."""
    rate = m.settings.diversion_failure_rate if child.diverted else m.settings.steps[child.step].breakdown_rate
    return m.env.now + child.luck.exponential(DRAW_DYNAMICS, rate) if rate > 0.0 else INF


def ages_into_aftercare(m: Municipality, child: Child) -> bool:
    """At the age-out birthday: continue in aftercare (if the scenario has it) or leave."""
    if child.aftercare_decided or not m.settings.aftercare_enabled:
        return False
    child.aftercare_decided = True
    if child.luck.u(DRAW_DEMOGRAPHY) < m.settings.aftercare_share:
        child.leaves_at = child.birth + m.settings.aftercare_until_age + 1.0
        return True
    return False


class ReviewDecision(Enum):
    """What a review decides: the child stays, the case closes, or the child moves down to a step."""

    KEEP = "keep"
    CLOSE = "close"
    STEP_DOWN = "step_down"
    STEP_UP = "step_up"  # the child's real need is above the step (an investigation found less)


def review_decision(m: Municipality, child: Child) -> tuple[ReviewDecision, int]:
    """The review's decision and, for a step down, the step to move to (else NO_STEP).

    A review acts on a lower need only with ``step_down_share`` (the caseworker may not see it, or the
    family may not be ready), raised or lowered by her time with the family (``sim.model.family_time``)."""
    current = m.settings.steps[child.step]
    if m.settings.demand.enabled and child.need > current.need_level and not child.diverted:
        # hook (sim.model.demand): a review can find that the step is too little; it acts as on a lower need
        if child.luck.u(DRAW_REVIEW) < m.settings.step_down_share:
            return ReviewDecision.STEP_UP, NO_STEP
        return ReviewDecision.KEEP, NO_STEP
    adequate_below = child.need < current.need_level
    if not adequate_below or child.luck.u(DRAW_REVIEW) >= m.review_step_down_share(child):  # time moves it
        return ReviewDecision.KEEP, NO_STEP
    if child.need == 0:
        return ReviewDecision.CLOSE, NO_STEP
    target = m.choose_step(child, child.need, above=NO_STEP)
    if target != NO_STEP and target < child.step:
        return ReviewDecision.STEP_DOWN, target
    return ReviewDecision.KEEP, NO_STEP
