"""A child's path, and every decision about a child: notification, screening, investigation, measures on the
staircase, reviews, step changes, unmet need, exit.

The path decides; the municipality keeps the books. Everything the path asks of the municipality is in
:class:`CaseOffice`: its clock, its settings and ledger, its caseworkers, and a few verbs (open and close a case,
enter and leave a step, how much time the child's caseworker has, forget a child, trace a step). So one
replication reads as the story told here, and the municipality (``sim.model.municipality``) is the state.

An episode's screening is a task of the duty roster that calls back when done; a case that opens is one course
(``sim.model.courses``: a generator resumed by its events' callbacks, a SimPy process without the start and end
events; an inquiry closed at screening needs none). Between events the course sleeps until the earliest of:
its need changes, its placement breaks down, it moves away, it ages out, its time-limited stay ends, or its
next review is queued. Nothing ticks. A need that improves is *not* acted on until a review finds it: late
reviews keep children on costly steps longer, which is how caseload drives cost.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Protocol

import simpy

from sim.model import courses, demand
from sim.model.child import (
    DRAW_CHOICE,
    DRAW_DEMOGRAPHY,
    DRAW_DYNAMICS,
    DRAW_INVESTIGATION,
    DRAW_NEED,
    DRAW_POLICY,
    DRAW_REVIEW,
    DRAW_SCREENING,
    DRAW_TASKS,
    DRAW_UNMET,
    Child,
)
from sim.model.demand import ACUTE_PLACEMENT, CLOSED_AFTER_ADVICE, EARLY_MEASURE, NO_NEED
from sim.model.family_time import step_down_share, time_effect
from sim.model.ledger import YearLedger
from sim.model.settings import Settings
from sim.model.staircase import NO_STEP, Staircase
from sim.model.tasks import ACUTE, INVESTIGATION, REVIEW, SCREENING, CaseworkerOrganisation
from sim.model.units import DAY, HOUR

INF = math.inf


class CaseOffice(Protocol):
    """What a child's path asks of the municipality (``sim.model.municipality.Municipality`` is one)."""

    env: simpy.Environment  # the clock: a path waits on it its case's course waits for its events
    settings: Settings  # the numbers the running model reads (levers write them)
    ledger: YearLedger  # the books: a path books through its methods
    team: CaseworkerOrganisation  # the caseworkers a task is submitted to
    staircase: Staircase
    occupancy: list[int]  # children on each step now (a full step takes no one)

    def open_case(self, child: Child) -> None: ...

    def close_case(self, child: Child, recent: bool, gone: bool = False) -> None:
        """Off its step, case closed; ``recent``: still a known child for a while; ``gone``: never back."""
        ...

    def enter_step(self, child: Child, step: int, count: bool = True, diverted: bool = False) -> None: ...

    def leave_step(self, child: Child) -> None: ...

    def hours_per_case(self, child: Child) -> float:
        """The hours a month the child's caseworker has per case after the mandatory tasks."""
        ...

    def caseload_of(self, child: Child) -> float:
        """Open cases per FTE of the child's caseworker (pooled: the department's)."""
        ...

    def forget(self, child: Child) -> None:
        """The child is no longer a known child a notification may be about."""
        ...

    def record(self, child: Child, what: str, step: int) -> None:
        """Trace an event of the child's path (only when the run is traced)."""
        ...


def task_hours(office: CaseOffice, child: Child, mean_hours: float) -> float:
    """Hours of one task: exponential around the mean, or fixed (scenario setting)."""
    if office.settings.fixed_task_time or mean_hours <= 0.0:
        return mean_hours
    return -math.log(1.0 - child.luck.u(DRAW_TASKS)) * mean_hours


# ---------------------------------------------------------------- notification and screening


def notified(office: CaseOffice, child: Child) -> None:
    """A notification about a child: a new episode unless the child is already in one."""
    count_notification(office, child)
    count_renotification(office, child)
    if child.in_episode:
        # about an open case: it still has to be assessed, which takes caseworker time
        t0 = office.env.now
        hours = task_hours(office, child, office.settings.screening_hours)
        due = t0 + office.settings.screening_deadline
        office.team.submit(SCREENING, hours, on_done=lambda start: book_screening(office, t0, start, hours), due=due)
        return
    child.in_episode = True
    episode(office, child, office.env.now)


def count_notification(office: CaseOffice, child: Child) -> None:
    """Every notification counts; the child counts once a year among the children notified."""
    y = office.ledger.year_of(office.env.now)
    first_in_year = child.notified_year != y
    child.notified_year = y
    office.ledger.book_notification(y, first_in_year)


def count_renotification(office: CaseOffice, child: Child) -> None:
    """A notification about a child whose need was left unmet, by its own course or by the known-children
    stream: either way the need has come back to the municipality."""
    if child.need_unmet and not child.in_episode:
        child.need_unmet = False
        office.ledger.book_renotified_after_unmet_need(office.env.now)
        office.record(child, "renotified", child.need)


def episode(office: CaseOffice, child: Child, t_notified: float) -> None:
    """A notification about a child without an open case: its screening goes to the duty roster, and what
    follows is decided when it is done (:func:`screened`). Nothing waits for the screening, so an inquiry
    closed at screening (a third or more of them) costs no course."""
    settings = office.settings
    hours = task_hours(office, child, settings.screening_hours)
    office.team.submit(SCREENING, hours, on_done=lambda started: screened(office, child, t_notified, started, hours),
                       due=t_notified + settings.screening_deadline)


def book_screening(office: CaseOffice, notified_at: float, started: float, hours: float) -> None:
    """On time when queueing plus the work itself (in real hours) fit in the deadline."""
    on_time = started - notified_at + hours * HOUR <= office.settings.screening_deadline
    office.ledger.book_screening(office.env.now, on_time)


def screened(office: CaseOffice, child: Child, t_notified: float, started: float, hours: float) -> None:
    """The screening is done: the inquiry closes after advice, or the case opens and its course starts."""
    book_screening(office, t_notified, started, hours)
    outcome = child.luck.pick(DRAW_SCREENING, office.settings.screening_cumulative)  # drawn whatever the demand model
    by_severity = office.settings.demand.enabled
    if by_severity:  # the demand model screens by perceived severity and knows the real need
        outcome = screen_by_severity(office, child)
    if outcome == CLOSED_AFTER_ADVICE:
        close_inquiry(office, child)
        return
    courses.start(case_after_screening(office, child, outcome, by_severity, t_notified))


def screen_by_severity(office: CaseOffice, child: Child) -> int:
    """The screening's outcome band by the severity triage perceives (``sim.model.demand``); the child's real
    need is drawn at its first screening and kept."""
    settings = office.settings
    mix = settings.demand.mix(office.ledger.year_of(office.env.now))
    known_need = child.need if child.need_drawn else None
    band, need = demand.screening_outcome(child.luck, DRAW_NEED, mix, settings.demand.cutoffs,
                                          settings.triage_accuracy, known_need)
    child.need, child.need_drawn = need, True
    return band


# ---------------------------------------------------------------- the open case


def case_after_screening(office: CaseOffice, child: Child, outcome: int, by_severity: bool,
                         t_notified: float | None = None):
    """Course (``sim.model.courses``): from the screening's outcome to the case's close: an acute placement, an
    early measure, or an investigation first; then the measures. ``t_notified``: when the notification came (the
    waiting times)."""
    office.open_case(child)
    if outcome == ACUTE_PLACEMENT:
        found = office.settings.acute_need_level
    elif outcome == EARLY_MEASURE:
        found = 1
    else:
        opened = office.env.now
        found = yield from investigation(office, child, opened if t_notified is None else t_notified)
        if opened < child.leaves_at <= office.env.now:  # turned 18 during the investigation, before any measure
            child.reached_18_booked = True
            office.ledger.book_reached_18(child.leaves_at, NO_STEP)
        if found == 0:
            close_inquiry(office, child)
            return
    if office.env.now >= child.leaves_at:
        office.close_case(child, recent=False, gone=True)
        return
    real = child.need if by_severity else found
    first_review = office.env.now + office.settings.first_review
    yield from on_measures(office, child, real, first_review_due=first_review, found=found)


def investigation(office: CaseOffice, child: Child, t_notified: float):
    """Sessions of caseworker work separated by waits for others; returns the need level found. The waits
    from the notification to the first session's start and to the end are booked when it ends."""
    env, luck, settings = office.env, child.luck, office.settings
    start = env.now
    office.ledger.book_investigation_started(start)
    per_session = settings.investigation_hours / settings.investigation_sessions
    due = start + settings.investigation_deadline
    taken_up = start
    for session in range(settings.investigation_sessions):
        if session:
            yield env.timeout(luck.exponential(DRAW_INVESTIGATION, settings.investigation_lag_rate))
        started = yield office.team.submit(INVESTIGATION, task_hours(office, child, per_session), child=child,
                                           due=due)
        if not session:
            taken_up = started
    overdue = env.now - start > settings.investigation_deadline
    office.ledger.book_investigation_completed(env.now, (env.now - start) / DAY, overdue)
    office.ledger.book_investigation_waits(env.now, (taken_up - t_notified) / DAY, (env.now - t_notified) / DAY)
    found = settings.investigation_need_levels[luck.pick(DRAW_INVESTIGATION, settings.investigation_cumulative)]
    if settings.demand.enabled:  # the real need, or less when the investigation falls short
        found = demand.investigation_finding(luck, DRAW_NEED, child.need, settings.demand.finds_need_share)
    return found


def close_inquiry(office: CaseOffice, child: Child) -> None:
    """An inquiry closes without a measure: at screening, after an investigation, or because no step takes
    the child. With the demand model, a real need stays with the child and may come back."""
    office.close_case(child, recent=True)
    if office.settings.demand.enabled and child.need > NO_NEED:
        leave_need_unmet(office, child)


class Clocks:
    """The competing clocks of a child on a step: the earliest decides what happens next."""

    __slots__ = ("need", "need_up", "breakdown", "limit", "move", "review_due")

    def __init__(self, office: CaseOffice, child: Child, first_review_due: float):
        self.review_due = first_review_due
        self.need, self.need_up = next_need_change(office, child)
        self.breakdown = next_breakdown(office, child)
        self.limit = stay_limit(office, child)
        self.move = office.env.now + child.luck.exponential(DRAW_DYNAMICS, office.settings.move_away_rate)

    def on_new_step(self, office: CaseOffice, child: Child) -> None:
        """A new step: new clocks for need, breakdown and a time limit."""
        self.need, self.need_up = next_need_change(office, child)
        self.breakdown = next_breakdown(office, child)
        self.limit = stay_limit(office, child)


def on_measures(
    office: CaseOffice,
    child: Child,
    need: int,
    first_review_due: float,
    start_step: int | None = None,
    count_start: bool = True,
    price: float | None = None,
    found: int | None = None,
):
    """Course: the child on the staircase until the case closes.

    ``need`` is the child's real need; ``found`` the need the step is chosen for (an investigation may find
    less; default: the real need). ``start_step`` puts the child on a given step instead of choosing one
    (the initial stock); ``count_start=False`` then keeps it out of the year's measures started; ``price``
    is its own yearly price on that step."""
    env = office.env
    child.need = need
    child.need_drawn = True
    step, diverted = start_step, False
    if step is None:
        step, diverted = divert_or(office, child, choose_step(office, child, need if found is None else found))
    if step == NO_STEP:  # no step takes this child (e.g. all full and none unlimited): case closes
        close_inquiry(office, child)
        return
    office.enter_step(child, step, count=count_start, diverted=diverted)
    if price is not None:  # the case's own price (case register) until it changes step
        child.price = price
    clocks = Clocks(office, child, first_review_due)
    while True:
        t_review = clocks.review_due - office.settings.review_lead
        t_other = min(clocks.breakdown, clocks.move, child.leaves_at, t_review, clocks.limit)
        need = quiet_need_changes(office, child, clocks, t_other)
        t_next = min(clocks.need, t_other)
        if t_next > env.now:
            yield env.timeout(t_next - env.now)
        child.need = need  # read from here on: the quiet changes have happened
        moved = False
        if t_next == child.leaves_at:
            if not child.reached_18_booked:  # the age-out birthday (18), not the end of aftercare
                child.reached_18_booked = True
                office.ledger.book_reached_18(env.now, child.step)
            if not ages_into_aftercare(office, child):
                office.close_case(child, recent=False, gone=True)
                return
        elif t_next == clocks.move:
            office.close_case(child, recent=False, gone=True)
            return
        elif t_next == t_review:
            moved = yield from review(office, child, clocks)
            if moved is None:  # the review closed the case
                return
        elif t_next == clocks.need:
            moved = yield from need_changes(office, child, clocks)
        elif t_next == clocks.limit:
            moved = end_limited_stay(office, child)
            clocks.limit = INF
        else:  # breakdown (or a failed diversion)
            placement = not child.diverted and office.settings.steps[child.step].is_placement
            moved = yield from escalate(office, child)
            if moved and placement:
                office.ledger.book_placement_breakdown(env.now)
            clocks.breakdown = next_breakdown(office, child)
        if moved:
            clocks.on_new_step(office, child)


def review(office: CaseOffice, child: Child, clocks: Clocks):
    """A review is done when the child's caseworker takes it up; it decides, and sets the next review's date.
    Returns whether the child moved, or None when the case closed."""
    settings = office.settings
    due = clocks.review_due
    hours = task_hours(office, child, settings.review_hours)
    started = yield office.team.submit(REVIEW, hours, child=child, due=due)
    office.ledger.book_review(office.env.now, started <= due)  # on time when the caseworker takes it up by the due date
    clocks.review_due = office.env.now + next_review_in(office, child)
    decision, target = review_decision(office, child)
    if decision is ReviewDecision.CLOSE:
        office.close_case(child, recent=True)
        return None
    if decision is ReviewDecision.STEP_DOWN:
        change_step(office, child, target)
        return True
    if decision is ReviewDecision.STEP_UP:
        return step_up(office, child)
    return False


def need_changes(office: CaseOffice, child: Child, clocks: Clocks):
    """The need moves a level; a need above the step is acute work and a step up. Returns whether the child
    moved (a child that did not gets a new need clock here)."""
    child.need += 1 if clocks.need_up else -1
    moved = False
    if clocks.need_up and child.need > office.settings.steps[child.step].need_level:
        moved = yield from escalate(office, child)
    if not moved:
        clocks.need, clocks.need_up = next_need_change(office, child)
    return moved


def quiet_need_changes(office: CaseOffice, child: Child, clocks: Clocks, until: float) -> int:
    """The changes of the child's need before ``until`` (its course's next other clock) that nothing acts on
    when they happen: an improvement, or a rise within its step's level. Only a review, a breakdown or the end
    of a time-limited stay reads the need, so the course need not wake for them: it draws them now, each next
    change from the time of the one before, as it would have drawn them waking at each, and takes the level
    they leave when it next wakes. Nothing else draws from the child's dynamics stream, nor reads its need,
    while it sleeps: the draws, their values and the need at every reading are those of waking at each change.
    Stops before a change that acts (a rise above the step's level: the course wakes for it); returns the
    level, ``clocks.need`` then the next change."""
    level, now = child.need, office.env.now
    step_level = office.settings.steps[child.step].need_level
    while clocks.need < until and not (clocks.need_up and level >= step_level):
        if clocks.need > now:
            now = now + (clocks.need - now)  # the clock a wake-up would have had (as SimPy adds a timeout)
        level += 1 if clocks.need_up else -1
        clocks.need, clocks.need_up = next_need_change(office, child, level, now)
    return level


def escalate(office: CaseOffice, child: Child):
    """Acute work for the child's caseworker, then a step up (after an escalation, a breakdown or a failed
    diversion). Returns whether the child moved."""
    hours = task_hours(office, child, office.settings.escalation_hours)
    yield office.team.submit(ACUTE, hours, child=child)
    return step_up(office, child)


# ---------------------------------------------------------------- reviews


class ReviewDecision(Enum):
    """What a review decides: the child stays, the case closes, or the child moves down to a step."""

    KEEP = "keep"
    CLOSE = "close"
    STEP_DOWN = "step_down"
    STEP_UP = "step_up"  # the child's real need is above the step (an investigation found less)


def review_decision(office: CaseOffice, child: Child) -> tuple[ReviewDecision, int]:
    """The review's decision and, for a step down, the step to move to (else NO_STEP).

    A review acts on a lower need only with ``step_down_share`` (the caseworker may not see it, or the
    family may not be ready), raised or lowered by her time with the family (``sim.model.family_time``)."""
    settings = office.settings
    current = settings.steps[child.step]
    if settings.demand.enabled and child.need > current.need_level and not child.diverted:
        # the demand model: a review can find that the step is too little; it acts as on a lower need
        if child.luck.u(DRAW_REVIEW) < settings.step_down_share:
            return ReviewDecision.STEP_UP, NO_STEP
        return ReviewDecision.KEEP, NO_STEP
    adequate_below = child.need < current.need_level
    if not adequate_below or child.luck.u(DRAW_REVIEW) >= review_step_down_share(office, child):  # time moves it
        return ReviewDecision.KEEP, NO_STEP
    if child.need == 0:
        return ReviewDecision.CLOSE, NO_STEP
    target = choose_step(office, child, child.need)
    if target != NO_STEP and target < child.step:
        return ReviewDecision.STEP_DOWN, target
    return ReviewDecision.KEEP, NO_STEP


def review_step_down_share(office: CaseOffice, child: Child) -> float:
    """A review's chance to act on a lower need, moved by the caseworker's time with the family."""
    return step_down_share(office.settings.step_down_share, time_with_family(office, child))


def next_review_in(office: CaseOffice, child: Child) -> float:
    """Time to the next review after one done now: the interval, stretched when the child's caseworker
    (pooled: the department) is overloaded, in proportion to how far: the full stretch at twice the
    overload level and beyond (``overload_stretch``)."""
    settings = office.settings
    if settings.review_stretch <= 0.0:
        return settings.review_interval
    stretch = overload_stretch(office.caseload_of(child), settings.overload_caseload)
    if stretch <= 0.0:
        return settings.review_interval
    office.ledger.book_review_stretched(office.env.now)
    return settings.review_interval + stretch * settings.review_stretch


def overload_stretch(caseload: float, threshold: float) -> float:
    """The share of the review stretch an overloaded caseworker takes: 0 up to the overload level, rising in
    proportion to the excess, all of it at twice the level and beyond. Proportional, not a cliff: no evidence
    puts a step in the response at the assumed level, and a step would make the one post that crosses it worth
    more than all the others (docs/model.md, section 4)."""
    if caseload <= threshold:
        return 0.0
    return min(1.0, (caseload - threshold) / threshold)


# ---------------------------------------------------------------- the step: chosen, changed, limited


def choose_step(office: CaseOffice, child: Child, need: int, above: int = NO_STEP) -> int:
    """The step the staircase chooses for the need (above ``above`` when stepping up), moved by the time the
    caseworker has with the family; NO_STEP when none takes the child."""
    effect = time_with_family(office, child)
    luck = child.luck
    uniforms = iter(lambda: luck.u(DRAW_CHOICE), None)
    return office.staircase.choose(need, child.age(office.env.now), office.occupancy, effect, uniforms, above)


def time_with_family(office: CaseOffice, child: Child) -> float:
    """The signed effect of the hours the child's caseworker has per case (``sim.model.family_time``)."""
    settings = office.settings
    if settings.family_time_max_effect <= 0.0:
        return 0.0
    hours = office.hours_per_case(child)
    return time_effect(hours, settings.family_hours_reference, settings.family_time_max_effect,
                       settings.family_time_full_hours)


def divert_or(office: CaseOffice, child: Child, target: int) -> tuple[int, bool]:
    """An alternative to placement: a child about to be placed (not yet on a placement step) whose need
    is in the diversion's levels goes, with the diversion's share, to the diversion step instead.
    Returns the step and whether the child was diverted."""
    settings, steps = office.settings, office.settings.steps
    if (
        target == NO_STEP
        or settings.diversion_share <= 0.0
        or not steps[target].is_placement
        or (child.step != NO_STEP and steps[child.step].is_placement)
        or child.step == settings.diversion_step  # already there: this is the placement it was spared
        or child.need not in settings.diversion_levels
        or office.occupancy[settings.diversion_step] >= steps[settings.diversion_step].capacity
    ):
        return target, False
    if child.luck.u(DRAW_POLICY) < settings.diversion_share:
        return settings.diversion_step, True
    return target, False


def change_step(office: CaseOffice, child: Child, step: int) -> None:
    office.leave_step(child)
    office.enter_step(child, step)


def step_up(office: CaseOffice, child: Child) -> bool:
    """After an escalation, a breakdown or a failed diversion: the least intrusive adequate step above
    the current one. False when there is none."""
    was_diverted, child.diverted = child.diverted, False
    target = choose_step(office, child, child.need, above=child.step)
    if target == NO_STEP:
        child.diverted = was_diverted
        return False
    diverted = False
    if not was_diverted:  # a failed diversion is not diverted again
        target, diverted = divert_or(office, child, target)
    office.leave_step(child)
    office.enter_step(child, target, diverted=diverted)
    return True


def stay_limit(office: CaseOffice, child: Child) -> float:
    """When a time-limited stay on the child's step ends (inf when the step has no limit)."""
    settings = office.settings
    if settings.limited_success > 0.0 and child.step in settings.limited_steps:
        return office.env.now + settings.limited_stay
    return INF


def end_limited_stay(office: CaseOffice, child: Child) -> bool:
    """At the end of a time-limited stay: with the success share, the need has come down below the step
    and the child moves down to the least intrusive adequate step. True when the child moved."""
    settings = office.settings
    if child.luck.u(DRAW_POLICY) >= settings.limited_success:
        return False
    current = settings.steps[child.step]
    child.need = min(child.need, current.need_level - 1)
    if child.need <= 0:
        return False  # nothing lower on the staircase; the next review closes the case
    target = choose_step(office, child, child.need)
    if 0 <= target < child.step:
        change_step(office, child, target)
        return True
    return False


# ---------------------------------------------------------------- the need and the exits


def next_need_change(office: CaseOffice, child: Child, level: int | None = None,
                     now: float | None = None) -> tuple[float, bool]:
    """When the need next changes, and whether it rises. It improves only on an adequate step. ``level`` and
    ``now``: the need and the time it changes from (default: the child's need, now)."""
    settings = office.settings
    level = child.need if level is None else level
    now = office.env.now if now is None else now
    # a diverted child's step is meant to do for its need what a placement would
    adequate = child.step != NO_STEP and (settings.steps[child.step].need_level >= level or child.diverted)
    improve = settings.improvement_rate[level] if (adequate and level > 0) else 0.0
    escalate_rate = settings.escalation_rate[level] if level < settings.max_need else 0.0
    total = improve + escalate_rate
    if total <= 0.0:
        return INF, False
    wait = child.luck.exponential(DRAW_DYNAMICS, total)
    rises = child.luck.u(DRAW_DYNAMICS) * total < escalate_rate
    return now + wait, rises


def next_breakdown(office: CaseOffice, child: Child) -> float:
    """When the measure breaks down; for a diverted child, when the diversion fails."""
    settings = office.settings
    rate = settings.diversion_failure_rate if child.diverted else settings.steps[child.step].breakdown_rate
    return office.env.now + child.luck.exponential(DRAW_DYNAMICS, rate) if rate > 0.0 else INF


def ages_into_aftercare(office: CaseOffice, child: Child) -> bool:
    """At the age-out birthday: continue in aftercare (if the scenario has it) or leave."""
    settings = office.settings
    if child.aftercare_decided or not settings.aftercare_enabled:
        return False
    child.aftercare_decided = True
    if child.luck.u(DRAW_DEMOGRAPHY) < settings.aftercare_share:
        child.leaves_at = child.birth + settings.aftercare_until_age + 1.0
        return True
    return False


# ---------------------------------------------------------------- unmet need (sim.model.demand)


def leave_need_unmet(office: CaseOffice, child: Child) -> None:
    """The child keeps its need after the inquiry closed: its course runs on its own clocks."""
    office.ledger.book_inquiry_closed_with_need(office.env.now)
    office.record(child, "unmet", child.need)
    child.had_unmet_need = True
    child.need_unmet = True
    child.unmet_token += 1
    courses.start(unmet_need_course(office, child, child.unmet_token))


def unmet_need_course(office: CaseOffice, child: Child, token: int):
    """Course: a need left unmet after a closed inquiry, until it fades, the child comes back or leaves.

    The competing clocks are drawn by :func:`sim.model.demand.unmet_need_clock`. Ageing out ends it too. The
    course stops when another notification has opened a new episode meanwhile (its ``token`` is no longer the
    child's)."""
    env, settings = office.env, office.settings
    while child.need > NO_NEED:
        level = child.need
        escalation = settings.escalation_rate[level] if level < settings.max_need else 0.0
        wait, event = demand.unmet_need_clock(child.luck, DRAW_UNMET, settings.demand, level, escalation,
                                              settings.improvement_rate[level], settings.move_away_rate)
        if env.now + wait >= child.leaves_at:
            yield env.timeout(max(child.leaves_at - env.now, 0.0))
            if child.unmet_token == token and not child.in_episode:
                unmet_need_ends(office, child, gone=True)
            return
        yield env.timeout(wait)
        if child.unmet_token != token or child.in_episode or child.gone:
            return
        if event == demand.UNMET_ESCALATES:
            child.need = level + 1
        elif event == demand.UNMET_FADES:
            child.need = level - 1
        elif event == demand.UNMET_COMES_BACK:
            notified(office, child)  # the unmet need shows again: a notification about the child
            return
        else:
            unmet_need_ends(office, child, gone=True)
            return
    unmet_need_ends(office, child, gone=False)


def unmet_need_ends(office: CaseOffice, child: Child, gone: bool) -> None:
    """The unmet need faded (the child may still be notified as any known child) or the child left."""
    child.need_unmet = False
    if gone:
        child.gone = True
        office.forget(child)
