"""One municipality in one replication: arrivals, caseworker capacity, year ends, and the books.

``simulate(scenario, seed, replication)`` runs burn-in plus horizon and returns the yearly metrics of the
reported years. Everything random comes from ``randomness.Draws`` keyed by (seed, replication), so the
same replication of two scenarios sees the same children and the same luck.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import math
from dataclasses import dataclass, field

import simpy

from sim.model import child as cp
from sim.model import demand
from sim.model.caseworkers import SCREENING, CaseworkerTeam
from sim.model.department import OwnCaseDepartment
from sim.model.family_time import FamilyTimeMeter, step_down_share, time_effect
from sim.model.ledger import YearLedger
from sim.model.drift import apply_drift
from sim.model.levers import LeverRamps, lever_setting, lever_steps, scheduled_levers, years_since
from sim.model.population import first_simulated_year, notification_times, population_0_22, simulated_years
from sim.model.randomness import NS_ARRIVAL, NS_EXTRA, NS_INITIAL, ChildLuck, D, Draws, child_id
from sim.model.scenario import Scenario
from sim.model.settings import Settings
from sim.model.staircase import NO_STEP, Staircase
from sim.model.units import HOUR, MONTH, WEEKS_PER_YEAR
from sim.model.workforce import Workforce


class KnownChildren:
    """Children the municipality knows: open cases, and cases closed within the recent window.

    A notification about "a known child" goes to the child whose own fixed random key comes next after
    the notification's draw (on a circle). Keys belong to children, not to positions in a list, so one
    more or one fewer known child changes only the notifications that would have gone to it: scenarios
    compared with common random numbers stay paired.
    """

    def __init__(self, window: float):
        self.window = window
        self._keys: list[float] = []
        self._children: list[cp.Child] = []

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, child: cp.Child) -> None:
        if child.known_key == cp.NOT_DRAWN:
            child.known_key = child.luck.u(D["known"])
        if child.in_known:
            return
        i = bisect.bisect_left(self._keys, child.known_key)
        self._keys.insert(i, child.known_key)
        self._children.insert(i, child)
        child.in_known = True

    def remove(self, child: cp.Child) -> None:
        if not child.in_known:
            return
        i = bisect.bisect_left(self._keys, child.known_key)
        while self._children[i] is not child:
            i += 1
        del self._keys[i]
        del self._children[i]
        child.in_known = False

    def pick(self, u: float, now: float) -> cp.Child | None:
        """The known child for a notification with draw ``u``; None when nobody is known."""
        while self._keys:
            i = bisect.bisect_left(self._keys, u)
            if i == len(self._keys):
                i = 0
            child = self._children[i]
            expired = not child.open and not child.in_episode and now - child.closed_at > self.window
            if child.gone or expired:
                self.remove(child)
                continue
            return child
        return None


@dataclass(frozen=True)
class ExtraChild:
    """A child added to the arrivals by hand (used to check that it changes no one else's path)."""

    time: float  # simulated years from the first simulated 1 January
    age: float


@dataclass
class ReplicationResult:
    """The reported years' metrics of one replication, its event count, and the children's paths if traced."""

    rows: list[tuple[int, str, float]]
    events: int
    paths: dict[int, list[tuple[float, str, int]]] = field(default_factory=dict)


class Municipality:
    """One municipality in one replication: its clock, its children, its caseworkers and its books.

    Parameters live in ``settings`` (what levers change, in model units); the rest is state: the team
    and its queue, the occupancy of each step, the open cases, the known children and the ledger. Children's
    paths (``sim.model.child``) call the methods here to open and close cases and to move between steps, so
    every change of state is booked in one place."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        replication: int,
        trace: bool = False,
        initial_cases: tuple | None = None,
        start: float = 0.0,
    ):
        """``initial_cases`` (from a case register) replace the scenario's initial stock; ``start`` is the
        simulated time the run starts at (the day after the as-of date; 0 = 1 January of the first year)."""
        self.scenario = scenario
        self.initial_cases = initial_cases
        self.env = simpy.Environment(initial_time=start)
        self.draws = Draws(seed, replication)
        self.staircase = Staircase.from_scenario(scenario)
        self.steps = self.staircase.steps
        self.placement_steps = frozenset(self.staircase.placement)
        self.ledger = YearLedger(scenario, self.staircase)
        self.first_year = first_simulated_year(scenario)
        self.trace: dict[int, list[tuple[float, str, int]]] | None = {} if trace else None

        self.settings = Settings(scenario, self.staircase)

        # state
        self.team = caseworker_organisation(self.env, scenario, self.settings)
        self.occupancy = [0] * len(self.steps)
        self.open_children: list[cp.Child] = []
        self.known = KnownChildren(self.settings.known_window)
        self._last_t = start  # last time the open-case and FTE integrals were brought up to date
        self.months_overloaded = 0  # months in a row the department's caseload has been above the overload level
        self.temporary_fte = 0.0  # temporary caseworkers on contract now
        self.temporary_until = -math.inf  # when their contract ends
        self.workforce = caseworker_posts(scenario, self.draws, self.ledger.n_years, start)  # None: no turnover
        self.family_time = FamilyTimeMeter()  # the share of the caseworkers' hours the mandatory tasks take

    # ------------------------------------------------------------ integrals (caseload, FTE)

    def _advance_integrals(self) -> None:
        now = self.env.now
        dt_ = now - self._last_t
        if dt_ > 0.0:
            posts = self.workforce
            self.ledger.book_integrals(
                self._last_t, dt_, len(self.open_children), self.staffed_fte, self.temporary_fte,
                posts.vacant_fte() if posts is not None else None,
                posts.induction_fte() if posts is not None else None,
            )
            self._last_t = now

    @property
    def staffed_fte(self) -> float:
        """The FTEs at work: the establishment (what levers set; with turnover its filled posts) and any
        temporary caseworkers."""
        if self.workforce is not None:
            return self.workforce.filled_fte() + self.temporary_fte
        return self.settings.fte + self.temporary_fte

    @property
    def productive_fte(self) -> float:
        """The FTEs of capacity: as ``staffed_fte``, newcomers at their induction productivity."""
        if self.workforce is not None:
            return self.workforce.productive_fte()
        return self.staffed_fte

    @property
    def caseload(self) -> float:
        return len(self.open_children) / self.staffed_fte if self.staffed_fte > 0 else math.inf

    # ------------------------------------------------------------ cases

    def open_case(self, child: cp.Child) -> None:
        if child.open:
            return
        self._advance_integrals()
        child.open = True
        child.slot = len(self.open_children)
        self.open_children.append(child)
        self.team.open_case(child)
        self.known.add(child)

    def close_case(self, child: cp.Child, recent: bool, gone: bool = False) -> None:
        if child.step != NO_STEP:
            self.leave_step(child)
        if child.open:
            self._advance_integrals()
            last = self.open_children.pop()
            if last is not child:
                last.slot = child.slot
                self.open_children[child.slot] = last
            child.open = False
            child.slot = cp.NO_SLOT
            self.team.close_case(child)
        child.gone = gone
        child.in_episode = False
        child.closed_at = self.env.now
        if recent and not gone:
            self.known.add(child)
        else:
            self.known.remove(child)
        self._record(child, "close", NO_STEP)

    def close_inquiry(self, child: cp.Child) -> None:
        """An inquiry closes without a measure: at screening, after an investigation, or because no step
        takes the child. With the demand model, a real need stays with the child and may come back."""
        self.close_case(child, recent=True)
        if self.settings.demand.enabled and child.need > demand.NO_NEED:
            self.leave_need_unmet(child)

    # ------------------------------------------------------------ unmet need (sim.model.demand)

    def leave_need_unmet(self, child: cp.Child) -> None:
        """The child keeps its need after the inquiry closed: its course runs on its own clocks."""
        self.ledger.book_inquiry_closed_with_need(self.env.now)
        self._record(child, "unmet", child.need)
        child.had_unmet_need = True
        child.need_unmet = True
        child.unmet_token += 1
        self.env.process(demand.unmet_need_course(self, child, child.unmet_token, cp.DRAW_UNMET))

    def renotify_unmet_need(self, child: cp.Child) -> None:
        """The unmet need shows again: a notification about the child (a new episode)."""
        self.notify(child)

    def count_renotification(self, child: cp.Child) -> None:
        """A notification about a child whose need was left unmet, by its own course or by the known-children
        stream: either way the need has come back to the municipality."""
        if child.need_unmet and not child.in_episode:
            child.need_unmet = False
            self.ledger.book_renotified_after_unmet_need(self.env.now)
            self._record(child, "renotified", child.need)

    def unmet_need_ends(self, child: cp.Child, gone: bool) -> None:
        """The unmet need faded (the child may still be notified as any known child) or the child left."""
        child.need_unmet = False
        if gone:
            child.gone = True
            self.known.remove(child)

    def choose_step(self, child: cp.Child, need: int, above: int) -> int:
        effect = self.time_with_family(child)
        luck = child.luck
        uniforms = iter(lambda: luck.u(cp.DRAW_CHOICE), None)
        return self.staircase.choose(need, child.age(self.env.now), self.occupancy, effect, uniforms, above)

    def time_with_family(self, child: cp.Child) -> float:
        """The signed effect of the hours the child's caseworker has per case (``sim.model.family_time``)."""
        settings = self.settings
        if settings.family_time_max_effect <= 0.0:
            return 0.0
        productive = self.productive_fte
        department = len(self.open_children) / productive if productive > 0 else math.inf
        hours = self.family_time.hours_per_case(self.team.caseload_of(child, department))
        return time_effect(hours, settings.family_hours_reference, settings.family_time_max_effect,
                           settings.family_time_full_hours)

    def review_step_down_share(self, child: cp.Child) -> float:
        """A review's chance to act on a lower need, moved by the caseworker's time with the family."""
        return step_down_share(self.settings.step_down_share, self.time_with_family(child))

    def enter_step(self, child: cp.Child, step: int, count: bool = True, diverted: bool = False) -> None:
        now = self.env.now
        st = self.steps[step]
        child.step = step
        child.booked_from = now
        child.diverted = diverted
        child.price = self.settings.diversion_price if diverted and self.settings.diversion_price is not None else st.price_per_year_dkk
        self.occupancy[step] += 1
        if count:
            self.ledger.book_measure_started(step, now, child.had_unmet_need and st.is_placement)
        self._record(child, "enter", step)

    def leave_step(self, child: cp.Child) -> None:
        self.ledger.book_step_cost(child.step, child.price, child.booked_from, self.env.now, child.diverted)
        self.occupancy[child.step] -= 1
        child.step = NO_STEP

    def change_step(self, child: cp.Child, step: int) -> None:
        self.leave_step(child)
        self.enter_step(child, step)

    def step_up(self, child: cp.Child) -> bool:
        """After an escalation, a breakdown or a failed diversion: the least intrusive adequate step above
        the current one. False when there is none."""
        was_diverted, child.diverted = child.diverted, False
        target = self.choose_step(child, child.need, above=child.step)
        if target == NO_STEP:
            child.diverted = was_diverted
            return False
        diverted = False
        if not was_diverted:  # a failed diversion is not diverted again
            target, diverted = self.divert_or(child, target)
        self.leave_step(child)
        self.enter_step(child, target, diverted=diverted)
        return True

    # ------------------------------------------------------------ levers

    def write_setting(self, setting: str, value: float) -> None:
        """A lever sets a value: the settings change, and whatever depends on them (the registry's effect)."""
        entry = lever_setting(setting, self.settings.step_ids)
        if entry.effect == "staffing":
            self._advance_integrals()  # the FTE integral up to now at the old FTEs
        elif entry.effect == "price":
            self._rebook_at_new_price(setting.split(".")[1], value)
        self.settings.write(setting, value)
        if entry.effect in ("staffing", "capacity"):
            self.team.years_per_hour = self.settings.years_per_hour
            self.update_capacity()

    def _rebook_at_new_price(self, step_id: str, price: float) -> None:
        """Children on the step pay the old price up to now and the new one from now (a diverted child at
        the diversion's own price keeps it)."""
        i = self.settings.step_index(step_id)
        own_price = self.settings.diversion_price is not None
        for child in self.open_children:
            if child.step == i and not (child.diverted and own_price):
                self.ledger.book_step_cost(i, child.price, child.booked_from, self.env.now, child.diverted)
                child.booked_from = self.env.now
                child.price = price

    def apply_levers(self):
        """Process: every lever's value at its start and through its ramp (a ``by`` or ``times`` lever from
        the value in force when it starts; validation has checked the result with the same replay,
        ``sim.model.levers.lever_effects``)."""
        ramps = LeverRamps()
        levers, _ = scheduled_levers(self.scenario)
        for step in lever_steps(levers, self.first_year):
            if step.t > self.env.now:
                yield self.env.timeout(step.t - self.env.now)
            if lever_setting(step.setting, self.settings.step_ids).attribute is None:
                continue  # applied where it is used (the notification rate: when arrivals are drawn)
            value = ramps.value(step, self.settings.read(step.setting))
            if value is not None:  # None: a later lever on the same setting has started; this ramp stops
                self.write_setting(step.setting, value)

    # ------------------------------------------------------------ levers' mechanisms

    def divert_or(self, child: cp.Child, target: int) -> tuple[int, bool]:
        """An alternative to placement: a child about to be placed (not yet on a placement step) whose need
        is in the diversion's levels goes, with the diversion's share, to the diversion step instead.
        Returns the step and whether the child was diverted."""
        if (
            target == NO_STEP
            or self.settings.diversion_share <= 0.0
            or not self.steps[target].is_placement
            or (child.step != NO_STEP and self.steps[child.step].is_placement)
            or child.step == self.settings.diversion_step  # already there: this is the placement it was spared
            or child.need not in self.settings.diversion_levels
            or self.occupancy[self.settings.diversion_step] >= self.steps[self.settings.diversion_step].capacity
        ):
            return target, False
        if child.luck.u(cp.DRAW_POLICY) < self.settings.diversion_share:
            return self.settings.diversion_step, True
        return target, False

    def stay_limit(self, child: cp.Child) -> float:
        """When a time-limited stay on the child's step ends (inf when the step has no limit)."""
        if self.settings.limited_success > 0.0 and child.step in self.settings.limited_steps:
            return self.env.now + self.settings.limited_stay
        return math.inf

    def end_limited_stay(self, child: cp.Child) -> bool:
        """At the end of a time-limited stay: with the success share, the need has come down below the step
        and the child moves down to the least intrusive adequate step. True when the child moved."""
        if child.luck.u(cp.DRAW_POLICY) >= self.settings.limited_success:
            return False
        current = self.steps[child.step]
        child.need = min(child.need, current.need_level - 1)
        if child.need <= 0:
            return False  # nothing lower on the staircase; the next review closes the case
        target = self.choose_step(child, child.need, above=NO_STEP)
        if 0 <= target < child.step:
            self.change_step(child, target)
            return True
        return False

    def ledger_screening(self, notified: float, started: float, hours: float) -> None:
        """On time when queueing plus the work itself (in real hours) fit in the deadline."""
        on_time = started - notified + hours * HOUR <= self.settings.screening_deadline
        self.ledger.book_screening(self.env.now, on_time)

    def ledger_review(self, on_time: bool) -> None:
        self.ledger.book_review(self.env.now, on_time)

    def _record(self, child: cp.Child, what: str, step: int) -> None:
        if self.trace is not None:
            self.trace.setdefault(child.cid, []).append((round(self.env.now, 12), what, step))

    # ------------------------------------------------------------ notifications

    def count_notification(self, child: cp.Child) -> None:
        y = self.ledger.year_of(self.env.now)
        first_in_year = child.notified_year != y
        child.notified_year = y
        self.ledger.book_notification(y, first_in_year)

    def new_child(
        self, cid: int, age: float | None = None, ages: tuple[float, float] | None = None, luck: ChildLuck | None = None
    ) -> cp.Child:
        """A child with its own luck; its age is given, drawn in a range, or drawn from the notified ages."""
        luck = luck or ChildLuck(cid, self.draws)
        if age is None:
            if ages is None:
                ages = self.settings.age_bands[luck.pick(cp.DRAW_DEMOGRAPHY, self.settings.age_cumulative)]
                ages = (ages[0], ages[1] + 1.0)
            age = ages[0] + luck.u(cp.DRAW_DEMOGRAPHY) * max(ages[1] - ages[0], 0.0)
        child = cp.Child(cid, luck, self.env.now - age)
        child.leaves_at = child.birth + self.settings.age_out
        return child

    def notify(self, child: cp.Child) -> None:
        """A notification about a child: a new episode unless the child is already in one."""
        self.count_notification(child)
        self.count_renotification(child)
        if child.in_episode:
            # about an open case: it still has to be assessed, which takes caseworker time
            t0 = self.env.now
            hours = cp.task_hours(self, child, self.settings.screening_hours)
            due = t0 + self.settings.screening_deadline
            self.team.submit(SCREENING, hours, on_done=lambda start: self.ledger_screening(t0, start, hours), due=due)
            return
        child.in_episode = True
        cp.episode(self, child, self.env.now)

    def arrivals(self, times):
        """Process: every notification, at its time."""
        env = self.env
        settings = self.settings  # the share about known children is read live: a drift may move it
        notice = D["notice"]
        start = env.now
        for i, t in enumerate(times):
            if t < start:
                continue  # before an as-of start; the indices stay those of the whole span (common random numbers)
            if t > env.now:
                yield env.timeout(t - env.now)
            aid = child_id(NS_ARRIVAL, i)
            # the notification's own two draws (is it about a known child, which one); the luck of a new child
            # only when there is one (most notifications are about known children)
            about_known, which = self.draws.first_of(notice, aid, 2)
            child = None
            if about_known < settings.share_about_known_children:
                child = self.known.pick(which, env.now)
            if child is None:
                child = self.new_child(aid)
            self.notify(child)

    def extra_arrival(self, index: int, extra: ExtraChild):
        env = self.env
        yield env.timeout(extra.time)
        self.notify(self.new_child(child_id(NS_EXTRA, index), extra.age))

    # ------------------------------------------------------------ initial state

    def seed_initial_stock(self) -> None:
        """Children on the staircase when the simulation starts; the burn-in lets their mix settle."""
        per_1000 = self.scenario.initial_state.stock_per_1000_aged_0_22
        pop = population_0_22(self.scenario, self.first_year)
        index = 0
        for st in self.steps:
            n = int(round(per_1000.get(st.id, 0.0) * pop / 1000.0))
            for _ in range(n):
                child = self.initial_child(child_id(NS_INITIAL, index), st)
                index += 1
                child.in_episode = True
                self.open_case(child)
                first_due = child.luck.u(cp.DRAW_REVIEW) * self.settings.review_interval
                self.env.process(self._initial_measure(child, st.index, first_due))

    def initial_child(self, cid: int, st) -> cp.Child:
        """A child already on a step, aged as in a settled stock.

        Long stays make the stock older than the children entering it: the age is an entry age (as for
        notified children) plus a time on the step drawn with the step's exit rate, kept below the age at
        which the child leaves (renewal theory). Without this the burn-in would need decades to settle."""
        luck = ChildLuck(cid, self.draws)
        in_aftercare = self.settings.aftercare_enabled and luck.u(cp.DRAW_DEMOGRAPHY) < self.settings.aftercare_share
        leave = self.settings.aftercare_until_age + 1.0 if in_aftercare else self.settings.age_out
        lo, hi = float(st.min_age), min(st.max_age + 1.0, leave)
        exit_rate = self.settings.improvement_rate[st.need_level] * self.settings.step_down_share + self.settings.move_away_rate
        age = lo + luck.u(cp.DRAW_DEMOGRAPHY) * max(hi - lo, 0.0)  # fallback if no draw below fits
        for _ in range(50):
            band = self.settings.age_bands[luck.pick(cp.DRAW_DEMOGRAPHY, self.settings.age_cumulative)]
            entry = band[0] + luck.u(cp.DRAW_DEMOGRAPHY) * (band[1] + 1.0 - band[0])
            candidate = entry + luck.exponential(cp.DRAW_DEMOGRAPHY, exit_rate)
            if lo <= candidate < hi and entry < hi:
                age = candidate
                break
        child = cp.Child(cid, luck, self.env.now - age)
        child.leaves_at = child.birth + leave
        child.aftercare_decided = True
        return child

    def seed_register(self, cases) -> None:
        """The children of a case register, each on its step at its own price, reviews due as registered."""
        now = self.env.now
        for case in cases:
            i = self.staircase.ids.index(case.step)
            st = self.steps[i]
            child = self.new_child(child_id(NS_INITIAL, case.row), age=case.age)
            if case.age >= self.settings.age_out and self.settings.aftercare_enabled:
                child.leaves_at = child.birth + self.settings.aftercare_until_age + 1.0
                child.aftercare_decided = True
            child.in_episode = True
            self.open_case(child)
            since = years_since(case.step_start, self.first_year)
            if case.last_review is not None:
                due = years_since(case.last_review, self.first_year) + self.settings.review_interval
            else:
                due = since + self.settings.first_review
            if case.investigation_start is not None:  # an open investigation is caseworker work to do
                hours = cp.task_hours(self, child, self.settings.investigation_hours)
                due = years_since(case.investigation_start, self.first_year) + self.settings.investigation_deadline
                self.team.submit(cp.INVESTIGATION, hours, child=child, due=due)
            # a registered price is today's, taken as the price year's: in base-year prices it is that over the
            # factor, so the ledger books it back as registered
            price = case.monthly_price_dkk * 12.0 / self.scenario.price_factor
            self.env.process(self._register_measure(child, i, max(due, now), price, st.need_level))

    def _register_measure(self, child: cp.Child, step: int, first_due: float, price: float, need: int):
        yield from cp.on_measures(
            self, child, need, first_review_due=first_due, start_step=step, count_start=False, price=price
        )

    def _capture_start(self, into: dict):
        """Process started after the initial children's: by then they all stand on their steps."""
        into.update(self.initial_stock())
        yield self.env.timeout(0)

    def initial_stock(self) -> dict[str, dict[str, float]]:
        """Children and their monthly cost per step right now, in the price year's prices (for the manifest of
        an as-of run)."""
        out = {st.id: {"children": 0, "monthly_cost_dkk": 0.0} for st in self.steps}
        for child in self.open_children:
            if child.step != NO_STEP:
                entry = out[self.steps[child.step].id]
                entry["children"] += 1
                entry["monthly_cost_dkk"] += child.price / 12.0 * self.scenario.price_factor
        return out

    def _initial_measure(self, child: cp.Child, step: int, first_due: float):
        need = self.steps[step].need_level
        yield from cp.on_measures(self, child, need, first_review_due=first_due, start_step=step, count_start=False)

    # ------------------------------------------------------------ capacity and calendar

    def update_capacity(self) -> None:
        """Time for tasks = FTEs less the ongoing work of the open cases (pooled: the team's; own cases:
        each caseworker's own)."""
        settings = self.settings
        if self.workforce is not None:
            self.workforce.establish(settings.fte, self.env.now)  # an FTE lever: posts to recruit (or cut)
        if isinstance(self.team, OwnCaseDepartment):
            if self.workforce is not None:
                self.team.set_capacities(self.workforce.capacities(self.env.now))
            elif self.team.staffed_fte != self.staffed_fte:
                self.team.set_staff(self.staffed_fte)
            self.team.update_speeds(settings.ongoing_fte_per_case, settings.ongoing_max_share)
            return
        fte = self.productive_fte
        ongoing = min(len(self.open_children) * settings.ongoing_fte_per_case, settings.ongoing_max_share * fte)
        self.team.ongoing_fte = ongoing
        self.team.set_available(fte - ongoing)

    def monthly_capacity(self):
        # until the last month of the run: a month whose middle is past the end (its start 12 x 1/12 short of a
        # whole year) is not simulated, and would book a 13th month into the last year
        while (year := self.ledger.year_of_month(self.env.now)) is not None:
            if self.workforce is not None:
                self.workforce_month()
            self.give_way()
            self.update_capacity()
            # the month's ongoing work with the families, at this month's caseloads
            ongoing_hours = self.team.ongoing_fte * self.settings.hours_per_week * WEEKS_PER_YEAR * MONTH
            self.ledger.book_ongoing_hours(year, ongoing_hours)
            yield self.env.timeout(MONTH)
            self.measure_family_time()

    def workforce_month(self) -> None:
        """Leavers, vacancies filled and inductions ended (``sim.model.workforce``); capacity follows."""
        self._advance_integrals()  # the FTE integrals up to now at the old staffing
        leavers = self.workforce.month(self.env.now)
        self.ledger.book_leavers(self.ledger.year_of_month(self.env.now), leavers)

    def measure_family_time(self) -> None:
        """At a month's end: the share of the month's productive hours the mandatory tasks took, and the
        department's hours with the families per case (the yearly mean is reported)."""
        hours_per_fte_month = self.settings.hours_per_week * WEEKS_PER_YEAR * MONTH
        productive = self.productive_fte
        self.family_time.update(sum(self.team.hours_worked), productive, hours_per_fte_month)
        if self.open_children and productive > 0:
            hours = self.family_time.hours_per_case(len(self.open_children) / productive)
            self.ledger.book_family_hours(self.ledger.year_of(self.env.now - MONTH / 2), hours)

    # ------------------------------------------------------------ an overloaded department gives way

    def give_way(self) -> None:
        """Monthly: while the caseload stays above the overload level, more notifications are closed at
        screening, and after some months in a row temporary caseworkers come for a contract."""
        settings, now = self.settings, self.env.now
        overloaded = self.caseload > settings.overload_caseload
        self.months_overloaded = self.months_overloaded + 1 if overloaded else 0
        settings.under_pressure(overloaded)
        if overloaded:
            self.ledger.book_overload_month(self.ledger.year_of_month(now))
        if self.temporary_fte > 0.0 and now >= self.temporary_until:
            self._staff_temporary(0.0)
        hire = settings.temporary_share > 0.0 and self.months_overloaded >= settings.temporary_after_months
        if hire and self.temporary_fte == 0.0:
            self._staff_temporary(settings.temporary_share * settings.fte)
            self.temporary_until = now + settings.temporary_contract
            self.months_overloaded = 0

    def _staff_temporary(self, fte: float) -> None:
        self._advance_integrals()  # the integrals up to now at the old staffing
        self.temporary_fte = fte
        if self.workforce is not None:
            self.workforce.set_temporary(fte, self.env.now)

    def next_review_in(self, child: cp.Child) -> float:
        """Time to the next review after one done now: the interval, stretched when the child's caseworker
        (pooled: the department) is overloaded, in proportion to how far: the full stretch at twice the
        overload level and beyond (``overload_stretch``)."""
        settings = self.settings
        if settings.review_stretch <= 0.0:
            return settings.review_interval
        stretch = overload_stretch(self.team.caseload_of(child, self.caseload), settings.overload_caseload)
        if stretch <= 0.0:
            return settings.review_interval
        self.ledger.book_review_stretched(self.env.now)
        return settings.review_interval + stretch * settings.review_stretch

    def _placed_under_age_out(self) -> int:
        """Placed children not yet at the age-out age: the older series count only these (aged 0-17)."""
        placement, now, age_out = self.placement_steps, self.env.now, self.settings.age_out
        return sum(1 for c in self.open_children if c.step in placement and now - c.birth < age_out)

    def year_ends(self):
        env, ledger = self.env, self.ledger
        for y in range(ledger.n_years):
            if y + 1 <= env.now:
                continue  # a run that starts mid-year (as-of date) has no earlier year ends
            yield env.timeout(y + 1 - env.now)
            self._advance_integrals()
            for child in self.open_children:
                if child.step != NO_STEP:
                    ledger.book_step_cost(child.step, child.price, child.booked_from, env.now, child.diverted)
                    child.booked_from = env.now
            ledger.book_year_end(y, self.occupancy, len(self.open_children), self._placed_under_age_out(),
                                 self.team.unallocated)
            ledger.book_task_hours(y, self.team.hours_worked)

    # ------------------------------------------------------------ run

    def run(self, extra_children: tuple[ExtraChild, ...] = (), stock_at_start: dict | None = None) -> ReplicationResult:
        """``stock_at_start``: filled with children and monthly cost per step once the start is seeded."""
        # Python floats, not numpy's: SimPy's clock takes the type of the times it is given, and numpy scalars
        # would make every later time, comparison in its event queue and sum of the model several times slower
        times = notification_times(self.scenario, self.draws.generator(D["arrivals"])).tolist()
        if self.initial_cases is None:
            self.seed_initial_stock()
        else:
            self.seed_register(self.initial_cases)
        if stock_at_start is not None:
            self.env.process(self._capture_start(stock_at_start))
        self.env.process(self.arrivals(times))
        for i, extra in enumerate(extra_children):
            self.env.process(self.extra_arrival(i, extra))
        self.env.process(self.monthly_capacity())
        self.env.process(self.apply_levers())
        if self.scenario.drift:
            self.env.process(apply_drift(self))
        ends = self.env.process(self.year_ends())
        self.env.run(until=ends)
        return ReplicationResult(rows=self.ledger.rows(), events=_events_scheduled(self.env), paths=self.trace or {})


def overload_stretch(caseload: float, threshold: float) -> float:
    """The share of the review stretch an overloaded caseworker takes: 0 up to the overload level, rising in
    proportion to the excess, all of it at twice the level and beyond. Proportional, not a cliff: no evidence
    puts a step in the response at the assumed level, and a step would make the one post that crosses it worth
    more than all the others (docs/model.md, section 4)."""
    if caseload <= threshold:
        return 0.0
    return min(1.0, (caseload - threshold) / threshold)


def caseworker_organisation(env: simpy.Environment, scenario: Scenario, settings: Settings):
    """The caseworkers as the scenario organises them: own caseloads (default) or one pooled team."""
    cw = scenario.caseworkers
    if cw.organisation == "pooled":
        return CaseworkerTeam(env, cw.fte, cw.productive_hours_per_week)
    return OwnCaseDepartment(
        env,
        cw.fte,
        duty_roster_size=cw.duty_roster_size,
        allocation_ceiling=cw.allocation_ceiling_cases,
        years_per_hour=settings.years_per_hour,
    )


def caseworker_posts(scenario: Scenario, draws: Draws, n_years: int, start: float) -> Workforce | None:
    """The posts of the establishment when the scenario has turnover, vacancies or induction (else None: the
    FTEs are at work from the day a lever sets them, as without ``caseworkers.turnover``)."""
    turnover = scenario.caseworkers.turnover
    if not turnover.enabled:
        return None
    return Workforce(turnover, scenario.caseworkers.fte, draws, n_months=n_years * 12, start=start)


def _events_scheduled(env: simpy.Environment) -> int:
    """Events SimPy scheduled in this run (its internal event counter)."""
    try:
        return next(env._eid)  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - a SimPy without the counter
        return -1


def simulate(
    scenario: Scenario,
    seed: int,
    replication: int,
    extra_children: tuple[ExtraChild, ...] = (),
    trace: bool = False,
    initial_cases: tuple | None = None,
    start: float = 0.0,
    stock_at_start: dict | None = None,
) -> ReplicationResult:
    """One replication of the scenario: burn-in and horizon; the reported years' metrics.

    With ``initial_cases`` the run starts at ``start`` from those children instead of the initial stock."""
    with _fewer_garbage_collections():
        m = Municipality(scenario, seed, replication, trace=trace, initial_cases=initial_cases, start=start)
        return m.run(extra_children, stock_at_start=stock_at_start)


@contextlib.contextmanager
def _fewer_garbage_collections():
    """A run creates many short-lived objects; Python's default collector thresholds cost about a fifth of
    the run time in collections that find little. Collect less often, and once at the end."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.collect()


__all__ = ["simulate", "Municipality", "ExtraChild", "ReplicationResult", "simulated_years"]
