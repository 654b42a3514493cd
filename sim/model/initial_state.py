"""The children on the staircase when a run starts: a settled stock drawn from the scenario, or the cases of a
case register as of a date.

Each child is opened as a case and put on its step by the pathway's own course
(:func:`sim.model.pathway.on_measures`), not counted among the year's measures started.
"""

from __future__ import annotations

from sim.model import courses
from sim.model.child import DRAW_DEMOGRAPHY, DRAW_REVIEW, Child, new_child
from sim.model.levers import years_since
from sim.model.pathway import CaseOffice, on_measures, task_hours
from sim.model.randomness import NS_INITIAL, ChildLuck, Draws, child_id
from sim.model.settings import Settings
from sim.model.staircase import NO_STEP, StepInfo
from sim.model.tasks import INVESTIGATION

MAX_AGE_TRIES = 50  # draws of an age in a settled stock before the fallback (a uniform age on the step)


def seed_initial_stock(office: CaseOffice, draws: Draws, per_1000: dict[str, float], population_0_22: float) -> None:
    """Children on the staircase when the simulation starts; the burn-in lets their mix settle."""
    settings = office.settings
    index = 0
    seeded = []
    for st in office.staircase.steps:
        n = int(round(per_1000.get(st.id, 0.0) * population_0_22 / 1000.0))
        for _ in range(n):
            child = initial_child(child_id(NS_INITIAL, index), st, settings, draws, office.env.now)
            index += 1
            child.in_episode = True
            office.open_case(child)
            first_due = child.luck.u(DRAW_REVIEW) * settings.review_interval
            seeded.append(initial_measure(office, child, st.index, first_due))
    start_after_seeding(seeded)


def start_after_seeding(seeded: list) -> None:
    """The seeded children's courses, started once every child is seeded (each course's first step may give
    its caseworker work, which must not change where the next child's case is allocated)."""
    for course in seeded:
        courses.start(course)


def initial_child(cid: int, st: StepInfo, settings: Settings, draws: Draws, now: float) -> Child:
    """A child already on a step, aged as in a settled stock.

    Long stays make the stock older than the children entering it: the age is an entry age (as for
    notified children) plus a time on the step drawn with the step's exit rate, kept below the age at
    which the child leaves (renewal theory). Without this the burn-in would need decades to settle."""
    luck = ChildLuck(cid, draws)
    in_aftercare = settings.aftercare_enabled and luck.u(DRAW_DEMOGRAPHY) < settings.aftercare_share
    leave = settings.aftercare_until_age + 1.0 if in_aftercare else settings.age_out
    lo, hi = float(st.min_age), min(st.max_age + 1.0, leave)
    exit_rate = settings.improvement_rate[st.need_level] * settings.step_down_share + settings.move_away_rate
    age = lo + luck.u(DRAW_DEMOGRAPHY) * max(hi - lo, 0.0)  # fallback if no draw below fits
    for _ in range(MAX_AGE_TRIES):
        band = settings.age_bands[luck.pick(DRAW_DEMOGRAPHY, settings.age_cumulative)]
        entry = band[0] + luck.u(DRAW_DEMOGRAPHY) * (band[1] + 1.0 - band[0])
        candidate = entry + luck.exponential(DRAW_DEMOGRAPHY, exit_rate)
        if lo <= candidate < hi and entry < hi:
            age = candidate
            break
    child = Child(cid, luck, now - age)
    child.leaves_at = child.birth + leave
    child.aftercare_decided = True
    return child


def initial_measure(office: CaseOffice, child: Child, step: int, first_due: float):
    """Course (``sim.model.courses``): an initial child on its step at the step's need, from its first review on."""
    need = office.settings.steps[step].need_level
    yield from on_measures(office, child, need, first_review_due=first_due, start_step=step, count_start=False)


def seed_register(office: CaseOffice, draws: Draws, cases, first_year: int, price_factor: float) -> None:
    """The children of a case register, each on its step at its own price, reviews due as registered."""
    settings, staircase = office.settings, office.staircase
    now = office.env.now
    seeded = []
    for case in cases:
        i = staircase.ids.index(case.step)
        st = staircase.steps[i]
        cid = child_id(NS_INITIAL, case.row)
        child = new_child(cid, ChildLuck(cid, draws), settings, now, age=case.age)
        if case.age >= settings.age_out and settings.aftercare_enabled:
            child.leaves_at = child.birth + settings.aftercare_until_age + 1.0
            child.aftercare_decided = True
        child.in_episode = True
        office.open_case(child)
        since = years_since(case.step_start, first_year)
        if case.last_review is not None:
            due = years_since(case.last_review, first_year) + settings.review_interval
        else:
            due = since + settings.first_review
        if case.investigation_start is not None:  # an open investigation is caseworker work to do
            hours = task_hours(office, child, settings.investigation_hours)
            due = years_since(case.investigation_start, first_year) + settings.investigation_deadline
            office.team.submit(INVESTIGATION, hours, child=child, due=due)
        # a registered price is today's, taken as the price year's: in base-year prices it is that over the
        # factor, so the ledger books it back as registered
        price = case.monthly_price_dkk * 12.0 / price_factor
        seeded.append(register_measure(office, child, i, max(due, now), price, st.need_level))
    start_after_seeding(seeded)


def register_measure(office: CaseOffice, child: Child, step: int, first_due: float, price: float, need: int):
    """Course: a registered child on its step at its own price."""
    yield from on_measures(office, child, need, first_review_due=first_due, start_step=step, count_start=False,
                           price=price)


def stock_by_step(open_children: list[Child], steps: list[StepInfo],
                  price_factor: float) -> dict[str, dict[str, float]]:
    """Children and their monthly cost per step right now, in the price year's prices (for the manifest of an
    as-of run)."""
    out = {st.id: {"children": 0, "monthly_cost_dkk": 0.0} for st in steps}
    for child in open_children:
        if child.step != NO_STEP:
            entry = out[steps[child.step].id]
            entry["children"] += 1
            entry["monthly_cost_dkk"] += child.price / 12.0 * price_factor
    return out
