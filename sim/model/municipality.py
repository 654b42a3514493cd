"""One municipality in one replication: arrivals, caseworker capacity, year ends, and the books.

``simulate(scenario, seed, replication)`` runs burn-in plus horizon and returns the yearly metrics of the
reported years. Everything random comes from ``randomness.Draws`` keyed by (seed, replication), so the
same replication of two scenarios sees the same children and the same luck.
"""

from __future__ import annotations

import contextlib
import gc
import math
from dataclasses import dataclass, field

import simpy

from sim.model import initial_state, pathway
from sim.model.caseworkers import CaseworkerTeam
from sim.model.child import NO_SLOT, Child, new_child
from sim.model.damping import scenario_damped_years
from sim.model.department import OwnCaseDepartment
from sim.model.drift import apply_drift
from sim.model.family_time import FamilyTimeMeter
from sim.model.known import KnownChildren
from sim.model.ledger import YearLedger
from sim.model.levers import LeverRamps, lever_setting, lever_steps, scheduled_levers
from sim.model.pathway import overload_stretch
from sim.model.population import first_simulated_year, notification_times, population_0_22, simulated_years
from sim.model.randomness import NS_ARRIVAL, NS_EXTRA, ChildLuck, D, Draws, child_id
from sim.model.scenario import Scenario
from sim.model.settings import Settings
from sim.model.staircase import NO_STEP, Staircase
from sim.model.tasks import CaseworkerOrganisation
from sim.model.units import MONTH, WEEKS_PER_YEAR
from sim.model.workforce import Workforce


@dataclass(frozen=True)
class ExtraChild:
    """A child added to the arrivals by hand (used to check that it changes no one else's path)."""

    time: float  # simulated years from the first simulated 1 January
    age: float


@dataclass(frozen=True)
class RunPlan:
    """What a run takes from the scenario once, before it starts; while it runs the model reads ``Settings``."""

    arrival_times: list[float]  # every notification's time (Python floats: see ``plan_run``)
    lever_steps: list  # every lever's steps in time order (``sim.model.levers.lever_steps``)
    drift: tuple  # the scenario's ``drift:`` entries
    drift_start: float  # model time of 1 January of the start year
    drift_years: int  # the horizon's years after the start year
    initial_stock_per_1000: dict[str, float]  # children on each step per 1,000 aged 0-22 at the start
    population_0_22: float  # in the first simulated year
    drift_trend_years: tuple = ()  # the drift trends' cumulative effect in each year after the start year


def plan_run(scenario: Scenario, draws: Draws, first_year: int) -> RunPlan:
    levers, _ = scheduled_levers(scenario)
    calendar = scenario.calendar
    return RunPlan(
        # Python floats, not numpy's: SimPy's clock takes the type of the times it is given, and numpy scalars
        # would make every later time, comparison in its event queue and sum of the model several times slower
        arrival_times=notification_times(scenario, draws.generator(D["arrivals"])).tolist(),
        lever_steps=lever_steps(levers, first_year),
        drift=tuple(scenario.drift),
        drift_start=calendar.start_year - first_year,
        drift_years=calendar.horizon_years - 1,
        initial_stock_per_1000=dict(scenario.initial_state.stock_per_1000_aged_0_22),
        population_0_22=population_0_22(scenario, first_year),
        drift_trend_years=tuple(scenario_damped_years(scenario, calendar.start_year + k)
                                for k in range(1, calendar.horizon_years)),
    )


@dataclass
class ReplicationResult:
    """The reported years' metrics of one replication, its event count, and the children's paths if traced."""

    rows: list[tuple[int, str, float]]
    events: int
    paths: dict[int, list[tuple[float, str, int]]] = field(default_factory=dict)


class Municipality:
    """One municipality in one replication: its clock, its children, its caseworkers and its books.

    Parameters live in ``settings`` (what levers change, in model units); the rest is state: the team
    and its queue, the occupancy of each step, the open cases, the known children and the ledger. A child's
    path (``sim.model.pathway``) decides; it calls the verbs here (its ``CaseOffice``) to open and close cases
    and to move between steps, so every change of state is booked in one place."""

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
        self.plan = plan_run(scenario, self.draws, self.first_year)  # the scenario is not kept: Settings is read

        # state
        self.team: CaseworkerOrganisation = caseworker_organisation(self.env, scenario, self.settings)
        self.occupancy = [0] * len(self.steps)
        self.open_children: list[Child] = []
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

    def open_case(self, child: Child) -> None:
        if child.open:
            return
        self._advance_integrals()
        child.open = True
        child.slot = len(self.open_children)
        self.open_children.append(child)
        self.team.open_case(child)
        self.known.add(child)

    def close_case(self, child: Child, recent: bool, gone: bool = False) -> None:
        if child.step != NO_STEP:
            self.leave_step(child)
        if child.prev_step in self.placement_steps:
            self._leaves_care(child)
        child.prev_step = NO_STEP
        if child.open:
            self._advance_integrals()
            last = self.open_children.pop()
            if last is not child:
                last.slot = child.slot
                self.open_children[child.slot] = last
            child.open = False
            child.slot = NO_SLOT
            self.team.close_case(child)
        child.gone = gone
        child.in_episode = False
        child.closed_at = self.env.now
        if recent and not gone:
            self.known.add(child)
        else:
            self.known.remove(child)
        self.record(child, "close", NO_STEP)

    def forget(self, child: Child) -> None:
        """The child is no longer a known child (it left while its need was unmet)."""
        self.known.remove(child)

    def hours_per_case(self, child: Child) -> float:
        """The hours a month the child's caseworker has per case after the mandatory tasks
        (``sim.model.family_time``): her share of the department's free time over her own cases."""
        productive = self.productive_fte
        department = len(self.open_children) / productive if productive > 0 else math.inf
        return self.family_time.hours_per_case(self.team.caseload_of(child, department))

    def caseload_of(self, child: Child) -> float:
        """Open cases per staffed FTE of the child's caseworker (pooled: the department's)."""
        return self.team.caseload_of(child, self.caseload)

    # ------------------------------------------------------------ steps

    def enter_step(self, child: Child, step: int, count: bool = True, diverted: bool = False) -> None:
        now = self.env.now
        st = self.steps[step]
        child.step = step
        child.booked_from = now
        child.diverted = diverted
        diversion_price = self.settings.diversion_price
        child.price = diversion_price if diverted and diversion_price is not None else st.price_per_year_dkk
        self.occupancy[step] += 1
        self._placement_spell(child, st.is_placement)
        if count:
            self.ledger.book_measure_started(step, now, child.had_unmet_need and st.is_placement)
        self.record(child, "enter", step)

    def leave_step(self, child: Child) -> None:
        self.ledger.book_step_cost(child.step, child.price, child.booked_from, self.env.now, child.diverted)
        self.occupancy[child.step] -= 1
        child.prev_step = child.step
        child.step = NO_STEP

    def _placement_spell(self, child: Child, placed: bool) -> None:
        """The child's placement spell as it enters a step: from a placement step to another is a change of
        placement type, to a preventive step the spell's end; a first placement step begins a spell."""
        was_placed = child.prev_step in self.placement_steps
        child.prev_step = NO_STEP
        if placed and was_placed:
            child.changed_type_at = self.env.now
            self.ledger.book_placement_type_change(self.env.now)
        elif placed:
            child.placed_since = self.env.now
        elif was_placed:
            self._leaves_care(child)

    def _leaves_care(self, child: Child) -> None:
        """A placement spell ends: its months in care, and whether the child was placed on 1 January."""
        now = self.env.now
        at_year_start = child.placed_from_year == self.ledger.year_of(now)
        self.ledger.book_left_care(now, (now - child.placed_since) * 12.0, at_year_start)
        child.placed_since = math.inf
        child.placed_from_year = -1

    def _placement_year_end(self, y: int) -> None:
        """At 31 December of year index ``y``: the placed children placed all year (and of them those who changed
        placement step), those placed for more than two years, and the placed children of 1 January next."""
        now, placement, age_out = self.env.now, self.placement_steps, self.settings.age_out
        placed = all_year = changed = over_2 = 0
        for child in self.open_children:
            if not child.reached_18_booked and child.step != NO_STEP and now - child.birth >= age_out:
                # an initial child in aftercare passes its 18th birthday without an event of its own
                child.reached_18_booked = True
                self.ledger.book_reached_18(child.birth + age_out, child.step)
            if child.step not in placement:
                continue
            placed += 1
            if child.placed_since <= y:
                all_year += 1
                changed += child.changed_type_at >= y
            over_2 += now - child.placed_since > 2.0
            child.placed_from_year = y + 1
        self.ledger.book_placement_year_end(y, all_year, changed, over_2)
        self.ledger.book_placed_at_year_start(y + 1, placed)

    def _placed_at_start(self) -> None:
        """The children placed when the run starts count as placed on 1 January of its first year (at an as-of
        date: on that day); those already past the age-out age do not reach it in the run."""
        y, now, age_out = self.ledger.year_of(self.env.now), self.env.now, self.settings.age_out
        for child in self.open_children:  # past the age-out age before the run: not counted as reaching it
            child.reached_18_booked = now - child.birth >= age_out
        placed = [c for c in self.open_children if c.step in self.placement_steps]
        for child in placed:
            child.placed_from_year = y
        self.ledger.book_placed_at_year_start(y, len(placed))

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
        for step in self.plan.lever_steps:
            if step.t > self.env.now:
                yield self.env.timeout(step.t - self.env.now)
            if lever_setting(step.setting, self.settings.step_ids).attribute is None:
                continue  # applied where it is used (the notification rate: when arrivals are drawn)
            value = ramps.value(step, self.settings.read(step.setting))
            if value is not None:  # None: a later lever on the same setting has started; this ramp stops
                self.write_setting(step.setting, value)

    def record(self, child: Child, what: str, step: int) -> None:
        if self.trace is not None:
            self.trace.setdefault(child.cid, []).append((round(self.env.now, 12), what, step))

    # ------------------------------------------------------------ notifications

    def new_child(
        self, cid: int, age: float | None = None, ages: tuple[float, float] | None = None, luck: ChildLuck | None = None
    ) -> Child:
        """A child with its own luck; its age is given, drawn in a range, or drawn from the notified ages."""
        return new_child(cid, luck or ChildLuck(cid, self.draws), self.settings, self.env.now, age, ages)

    def notify(self, child: Child) -> None:
        """A notification about a child: the pathway takes it from here."""
        pathway.notified(self, child)

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
            pathway.notified(self, child)

    def extra_arrival(self, index: int, extra: ExtraChild):
        env = self.env
        yield env.timeout(extra.time)
        self.notify(self.new_child(child_id(NS_EXTRA, index), extra.age))

    # ------------------------------------------------------------ initial state

    def seed_initial_stock(self) -> None:
        """Children on the staircase when the simulation starts (``sim.model.initial_state``)."""
        plan = self.plan
        initial_state.seed_initial_stock(self, self.draws, plan.initial_stock_per_1000, plan.population_0_22)

    def seed_register(self, cases) -> None:
        """The children of a case register, each on its step at its own price, reviews due as registered."""
        initial_state.seed_register(self, self.draws, cases, self.first_year, self.settings.price_factor)

    def _capture_start(self, into: dict):
        """Process started after the initial children's: by then they all stand on their steps."""
        into.update(self.initial_stock())
        yield self.env.timeout(0)

    def initial_stock(self) -> dict[str, dict[str, float]]:
        """Children and their monthly cost per step right now, in the price year's prices (for the manifest of
        an as-of run)."""
        return initial_state.stock_by_step(self.open_children, self.steps, self.settings.price_factor)

    # ------------------------------------------------------------ capacity and calendar

    def update_capacity(self) -> None:
        """Time for tasks = FTEs less the ongoing work of the open cases (pooled: the team's; own cases:
        each caseworker's own)."""
        settings = self.settings
        if self.workforce is not None:
            self.workforce.establish(settings.fte, self.env.now)  # an FTE lever: posts to recruit (or cut)
        slots = self.workforce.capacities(self.env.now) if self.workforce is not None else None
        self.team.restaff(self.staffed_fte, self.productive_fte, slots, len(self.open_children),
                          settings.ongoing_fte_per_case, settings.ongoing_max_share)

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

    def _placed_under_age_out(self) -> int:
        """Placed children not yet at the age-out age: the older series count only these (aged 0-17)."""
        placement, now, age_out = self.placement_steps, self.env.now, self.settings.age_out
        return sum(1 for c in self.open_children if c.step in placement and now - c.birth < age_out)

    def year_ends(self):
        env, ledger = self.env, self.ledger
        self._placed_at_start()  # started after the initial children's processes: they stand on their steps
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
            self._placement_year_end(y)

    # ------------------------------------------------------------ run

    def run(self, extra_children: tuple[ExtraChild, ...] = (), stock_at_start: dict | None = None) -> ReplicationResult:
        """``stock_at_start``: filled with children and monthly cost per step once the start is seeded."""
        ends = self.start_processes(extra_children, stock_at_start)
        self.env.run(until=ends)
        return self.result()

    def start_processes(self, extra_children: tuple[ExtraChild, ...] = (),
                        stock_at_start: dict | None = None) -> simpy.Process:
        """Seed the start and start every process (``self.processes`` keeps the arrivals' and the levers');
        returns the process whose end is the run's end (the year ends)."""
        plan = self.plan
        if self.initial_cases is None:
            self.seed_initial_stock()
        else:
            self.seed_register(self.initial_cases)
        if stock_at_start is not None:
            self.env.process(self._capture_start(stock_at_start))
        self.processes = {"arrivals": self.env.process(self.arrivals(plan.arrival_times))}
        for i, extra in enumerate(extra_children):
            self.env.process(self.extra_arrival(i, extra))
        self.env.process(self.monthly_capacity())
        self.processes["levers"] = self.env.process(self.apply_levers())
        if plan.drift:
            self.env.process(apply_drift(self, plan.drift, plan.drift_start, plan.drift_years,
                                         plan.drift_trend_years))
        return self.env.process(self.year_ends())

    def result(self) -> ReplicationResult:
        """The reported years' rows, the events scheduled and the traced paths, once the run is over."""
        return ReplicationResult(rows=self.ledger.rows(), events=events_scheduled(self.env), paths=self.trace or {})


def caseworker_organisation(env: simpy.Environment, scenario: Scenario, settings: Settings) -> CaseworkerOrganisation:
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


def events_scheduled(env: simpy.Environment) -> int:
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
    with fewer_garbage_collections():
        m = Municipality(scenario, seed, replication, trace=trace, initial_cases=initial_cases, start=start)
        return m.run(extra_children, stock_at_start=stock_at_start)


@contextlib.contextmanager
def fewer_garbage_collections(collect: bool = True):
    """A run creates many short-lived objects; Python's default collector thresholds cost about a fifth of
    the run time in collections that find little. Collect less often, and once at the end (unless not
    ``collect``: a burn-in whose state runs on)."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if collect:
            gc.collect()


__all__ = ["simulate", "Municipality", "ExtraChild", "ReplicationResult", "simulated_years", "KnownChildren",
           "overload_stretch"]
