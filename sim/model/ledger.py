"""The yearly ledger: counts, stocks and costs per calendar year, turned into the tidy metric table.

Flows are counted in the year they happen, stocks are read at 31 December, costs are booked as
price x time on a step when the child leaves the step or the year closes (no daily ticks).
Metric names are those of docs/contract.md.
"""

from __future__ import annotations

import datetime as dt

from sim.model.caseworkers import TASK_KINDS
from sim.model.population import first_simulated_year, population_0_17, population_0_22
from sim.model.scenario import Scenario
from sim.model.staircase import Staircase
from sim.model.units import MONTH


class YearLedger:
    """Counters, stocks and costs per simulated year (burn-in included), turned into rows at the end."""

    def __init__(self, scenario: Scenario, staircase: Staircase):
        self.staircase = staircase
        self.first_year = first_simulated_year(scenario)
        n = scenario.calendar.burn_in_years + scenario.calendar.horizon_years
        self.n_years = n
        # what the rows need of the scenario, taken once: the ledger does not keep the scenario
        self.burn_in_years = scenario.calendar.burn_in_years
        # base-year DKK to the price year's (calendar.price_year; 1 by default)
        self.price_factor = scenario.price_factor
        self.cost_per_fte = scenario.caseworkers.cost_per_fte_dkk
        reported = [self.first_year + y for y in range(self.burn_in_years, n)]
        self.population_0_17 = {year: population_0_17(scenario, year) for year in reported}
        self.population_0_22 = {year: population_0_22(scenario, year) for year in reported}
        items = [*scenario.policy_costs, *scenario.levers]
        self.policy_costs = {year: policy_cost(items, year) for year in reported}
        k = len(staircase)
        zeros = lambda: [0.0] * n  # noqa: E731 - a fresh list per counter
        self.notifications = zeros()
        self.children_notified = zeros()
        self.screenings = zeros()
        self.screenings_on_time = zeros()
        self.investigations_started = zeros()
        self.investigations_completed = zeros()
        self.investigations_overdue = zeros()
        self.investigation_days = zeros()
        self.reviews = zeros()
        self.inquiries_closed_with_need = zeros()  # sim.model.demand: closed while the child had a real need
        self.renotified_after_unmet_need = zeros()
        self.placements_after_unmet_need = zeros()
        self.reviews_on_time = zeros()
        self.open_case_years = zeros()  # integral of open cases over time, in case-years
        self.fte_years = zeros()  # integral of FTEs over time
        self.open_cases_year_end = zeros()
        self.placed_under_age_out = zeros()  # placed children below the age-out age at 31 Dec (no aftercare)
        self.cases_unallocated_year_end = zeros()
        self.temporary_fte_years = zeros()  # integral of temporary FTEs (also in fte_years)
        self.overload_months = zeros()  # months the department's caseload was above the overload level
        self.reviews_stretched = zeros()  # reviews after which the next was set later than the interval
        self.caseworker_leavers = zeros()  # sim.model.workforce: caseworkers who left their post
        self.vacant_fte_years = zeros()  # integral of vacant posts' FTEs
        self.induction_fte_years = zeros()  # integral of the FTEs of caseworkers in induction
        self.family_hours = zeros()  # sim.model.family_time: sum over months of hours with families per case
        self.family_hours_months = zeros()
        self.hours_tasks = [zeros() for _ in TASK_KINDS]  # task hours started in the year, by kind
        self._hours_before = [0.0] * len(TASK_KINDS)  # the team's cumulative task hours at the last year end
        self.hours_ongoing = zeros()  # hours of ongoing work with the families
        self.diversion_cost = zeros()  # of cost on steps: what diverted children cost (an alternative to placement)
        self.measures_started = [zeros() for _ in range(k)]
        # the children's course (docs/model.md, "Outcomes"): time on steps, stability, time in care, waiting
        self.child_years = [zeros() for _ in range(k)]  # integral of children on each step over the year
        self.placement_breakdowns = zeros()  # placements that broke down (the child moved on)
        self.placement_type_changes = zeros()  # moves from one placement step to another
        self.placed_at_year_start = zeros()  # children on a placement step at 1 January (the run's start: its day)
        self.left_care_of_placed_at_year_start = zeros()  # of them, those whose placement ended in the year
        self.placed_all_year = zeros()  # placed on 1 January and still on 31 December, without a break
        self.placed_all_year_changed_type = zeros()  # of them, those who changed placement step in the year
        self.placed_over_2_years = zeros()  # placed on 31 December for more than two years without a break
        self.months_in_care_of_leavers: list[list[float]] = [[] for _ in range(n)]  # a placement spell's months
        self.days_to_investigation_start: list[list[float]] = [[] for _ in range(n)]  # by the year it ended
        self.days_to_investigation_end: list[list[float]] = [[] for _ in range(n)]
        self.reached_18 = [zeros() for _ in range(k)]  # open cases that reach the age-out age, by step
        self.reached_18_without_measure = zeros()  # open cases that reach it during their investigation
        self.stock = [zeros() for _ in range(k)]
        self.cost = [zeros() for _ in range(k)]
        self.price_index = [
            (1.0 + scenario.prices.indexation_per_year) ** (self.first_year + y - scenario.calendar.base_year)
            for y in range(n)
        ]

    # ---------------------------------------------------------------- bookings (nothing writes a counter from outside)

    def book_notification(self, y: int, first_of_child_in_year: bool) -> None:
        """A notification in year index ``y``; the child counts once a year among the children notified."""
        self.notifications[y] += 1
        if first_of_child_in_year:
            self.children_notified[y] += 1

    def book_screening(self, t: float, on_time: bool) -> None:
        y = self.year_of(t)
        self.screenings[y] += 1
        if on_time:
            self.screenings_on_time[y] += 1

    def book_investigation_started(self, t: float) -> None:
        self.investigations_started[self.year_of(t)] += 1

    def book_investigation_completed(self, t: float, days: float, overdue: bool) -> None:
        y = self.year_of(t)
        self.investigations_completed[y] += 1
        self.investigation_days[y] += days
        if overdue:
            self.investigations_overdue[y] += 1

    def book_review(self, t: float, on_time: bool) -> None:
        y = self.year_of(t)
        self.reviews[y] += 1
        if on_time:
            self.reviews_on_time[y] += 1

    def book_review_stretched(self, t: float) -> None:
        self.reviews_stretched[self.year_of(t)] += 1

    def book_measure_started(self, step: int, t: float, placement_after_unmet_need: bool) -> None:
        """A measure started on ``step``; a placement of a child once closed with a real need is also counted
        among the placements after unmet need."""
        y = self.year_of(t)
        self.measures_started[step][y] += 1
        if placement_after_unmet_need:
            self.placements_after_unmet_need[y] += 1

    def book_placement_breakdown(self, t: float) -> None:
        """A placement broke down and the child moved to another step."""
        self.placement_breakdowns[self.year_of(t)] += 1

    def book_placement_type_change(self, t: float) -> None:
        """A placed child moved from one placement step to another (after a breakdown, an escalation or a
        review)."""
        self.placement_type_changes[self.year_of(t)] += 1

    def book_left_care(self, t: float, months: float, placed_at_year_start: bool) -> None:
        """A placement spell ended (the child went home, to a preventive measure, aged out or moved away)
        after ``months`` in care; ``placed_at_year_start``: the child was placed on 1 January of the year."""
        y = self.year_of(t)
        self.months_in_care_of_leavers[y].append(months)
        if placed_at_year_start:
            self.left_care_of_placed_at_year_start[y] += 1

    def book_placed_at_year_start(self, y: int, placed: int) -> None:
        """The children placed on 1 January of year index ``y`` (the denominator of those who left by 31 Dec)."""
        if y < self.n_years:
            self.placed_at_year_start[y] = placed

    def book_placement_year_end(self, y: int, all_year: int, all_year_changed_type: int, over_2_years: int) -> None:
        """At 31 December of year index ``y``: the placed children placed all year, of them those who changed
        placement step, and those placed for more than two years."""
        self.placed_all_year[y] = all_year
        self.placed_all_year_changed_type[y] = all_year_changed_type
        self.placed_over_2_years[y] = over_2_years

    def book_investigation_waits(self, t: float, days_to_start: float, days_to_end: float) -> None:
        """An investigation ended at ``t``: the days from the notification to its first session's start (the
        caseworker took it up) and to its end."""
        y = self.year_of(t)
        self.days_to_investigation_start[y].append(days_to_start)
        self.days_to_investigation_end[y].append(days_to_end)

    def book_reached_18(self, t: float, step: int) -> None:
        """A child with an open case reached the age-out age (18) at ``t`` on ``step``; NO_STEP (negative):
        during its investigation, before any measure."""
        y = self.year_of(t)
        if step < 0:
            self.reached_18_without_measure[y] += 1
        else:
            self.reached_18[step][y] += 1

    def book_inquiry_closed_with_need(self, t: float) -> None:
        self.inquiries_closed_with_need[self.year_of(t)] += 1

    def book_renotified_after_unmet_need(self, t: float) -> None:
        self.renotified_after_unmet_need[self.year_of(t)] += 1

    def book_integrals(self, t0: float, dt: float, open_cases: int, fte: float, temporary_fte: float,
                       vacant_fte: float | None = None, induction_fte: float | None = None) -> None:
        """Open cases and FTEs held over [t0, t0 + dt) (the caller never lets it cross a year end); vacant and
        induction FTEs only with turnover (None: no posts to count)."""
        y = self.year_of(t0)
        self.open_case_years[y] += open_cases * dt
        self.fte_years[y] += fte * dt
        self.temporary_fte_years[y] += temporary_fte * dt
        if vacant_fte is not None:
            self.vacant_fte_years[y] += vacant_fte * dt
        if induction_fte is not None:
            self.induction_fte_years[y] += induction_fte * dt

    def book_ongoing_hours(self, y: int, hours: float) -> None:
        """A month's hours of ongoing work with the families."""
        self.hours_ongoing[y] += hours

    def book_leavers(self, y: int, leavers: int) -> None:
        self.caseworker_leavers[y] += leavers

    def book_overload_month(self, y: int) -> None:
        self.overload_months[y] += 1

    def book_year_end(self, y: int, occupancy: list[int], open_cases: int, placed_under_age_out: int,
                      unallocated: int) -> None:
        """The stocks at 31 December of year index ``y``."""
        for i, n in enumerate(occupancy):
            self.stock[i][y] = n
        self.open_cases_year_end[y] = open_cases
        self.placed_under_age_out[y] = placed_under_age_out
        self.cases_unallocated_year_end[y] = unallocated

    def book_task_hours(self, y: int, cumulative: list[float]) -> None:
        """At a year end: the task hours the caseworkers started in the year, by kind."""
        for k, total in enumerate(cumulative):
            self.hours_tasks[k][y] = total - self._hours_before[k]
            self._hours_before[k] = total

    def book_family_hours(self, y: int, hours_per_case: float) -> None:
        """A month's hours with the families per open case (the year reports their mean)."""
        self.family_hours[y] += hours_per_case
        self.family_hours_months[y] += 1

    def year_of(self, t: float) -> int:
        """Index of the simulated year that time t falls in (the last year for t at the very end)."""
        y = int(t)
        return y if y < self.n_years else self.n_years - 1

    def year_of_month(self, start: float) -> int | None:
        """The year of the month that starts at ``start``, by its middle; None for a month after the run's end.
        A monthly clock's start accumulates floating-point error (twelve times 1/12 is 0.999...): by its start a
        year's first month could fall in the year before, which then counted 13 months and the year after 11,
        and a month starting a hair before the end counted a 13th in the last year."""
        middle = start + MONTH / 2
        return int(middle) if middle < self.n_years else None

    def book_step_cost(self, step: int, price_per_year: float, t0: float, t1: float, diverted: bool = False) -> None:
        """Cost and time of [t0, t1) on a step; the caller never lets the interval cross a year end. A diverted
        child's cost is also counted as ``cost_diversion`` (a part of the step's, what the diversion policy
        spends); the time adds to the step's child-years."""
        if t1 > t0:
            y = self.year_of(t0)
            amount = price_per_year * (t1 - t0) * self.price_index[y]
            self.cost[step][y] += amount
            self.child_years[step][y] += t1 - t0
            if diverted:
                self.diversion_cost[y] += amount

    # ---------------------------------------------------------------- to the tidy table

    def kinship_share(self, y: int) -> float:
        """Kinship care's share of the children in family care at the end of year index ``y`` (the steps marked
        ``family_care`` in the scenario); NaN when no child is in family care or no step is marked."""
        kinship = sum(self.stock[i][y] for i in self.staircase.kinship_care)
        foster = sum(self.stock[i][y] for i in self.staircase.foster_care)
        return _share(kinship, kinship + foster)

    def family_like_share(self, y: int) -> float:
        """The share of the placed children at the end of year index ``y`` in family-like settings (the steps
        marked ``family_like``); NaN when no child is placed."""
        sc = self.staircase
        placed = sum(self.stock[i][y] for i in sc.placement)
        return _share(sum(self.stock[i][y] for i in sc.family_like), placed)

    def placed_child_years(self, y: int) -> float:
        return sum(self.child_years[i][y] for i in self.staircase.placement)

    def good_wellbeing_child_years(self, y: int) -> float:
        """Child-years on the weighted steps times the share of children there who report good wellbeing."""
        return sum(self.child_years[i][y] * w for i, w in self.staircase.wellbeing_weights.items())

    def good_wellbeing_share(self, y: int) -> float:
        """The wellbeing proxy as a share: of the child-years on the weighted placement steps, the part in which
        children in such a setting report good wellbeing; NaN when no step is weighted or no time was spent."""
        weighted = sum(self.child_years[i][y] for i in self.staircase.wellbeing_weights)
        return _share(self.good_wellbeing_child_years(y), weighted)

    def outcome_rows(self, y: int) -> list[tuple[str, float]]:
        """The children's course in year index ``y``: time on steps, stability, time in care, waiting."""
        sc = self.staircase
        placed_years = self.placed_child_years(y)
        months = self.months_in_care_of_leavers[y]
        out = [(f"child_years.{st.id}", self.child_years[st.index][y]) for st in sc.steps]
        out += [
            ("placement_breakdowns", self.placement_breakdowns[y]),
            ("breakdowns_per_100_placed_years", 100.0 * _share(self.placement_breakdowns[y], placed_years)),
            ("placement_type_changes_per_placed_year", _share(self.placement_type_changes[y], placed_years)),
            ("share_placed_all_year_changed_type",
             _share(self.placed_all_year_changed_type[y], self.placed_all_year[y])),
            ("share_placed_1jan_left_by_31dec",
             _share(self.left_care_of_placed_at_year_start[y], self.placed_at_year_start[y])),
            ("share_placed_over_2_years",
             _share(self.placed_over_2_years[y], sum(self.stock[i][y] for i in sc.placement))),
            ("months_in_care_of_leavers_median", quantile(months, 0.5)),
            ("months_in_care_of_leavers_mean", _share(sum(months), len(months))),
            ("family_like_share", self.family_like_share(y)),
            ("family_like_child_years", sum(self.child_years[i][y] for i in sc.family_like)),
            ("days_to_investigation_start_p50", quantile(self.days_to_investigation_start[y], 0.5)),
            ("days_to_investigation_start_p90", quantile(self.days_to_investigation_start[y], 0.9)),
            ("days_to_investigation_end_p50", quantile(self.days_to_investigation_end[y], 0.5)),
            ("days_to_investigation_end_p90", quantile(self.days_to_investigation_end[y], 0.9)),
            ("good_wellbeing_child_years", self.good_wellbeing_child_years(y)),
            ("good_wellbeing_share", self.good_wellbeing_share(y)),
        ]
        out += [(f"reached_18.{st.id}", self.reached_18[st.index][y]) for st in sc.steps]
        out.append(("reached_18_without_measure", self.reached_18_without_measure[y]))
        return out

    def rows(self) -> list[tuple[int, str, float]]:
        """(year, metric, value) for the reported years."""
        sc = self.staircase
        out: list[tuple[int, str, float]] = []
        for y in range(self.burn_in_years, self.n_years):
            year = self.first_year + y
            add = lambda name, value: out.append((year, name, float(value)))  # noqa: E731
            add("population_0_17", self.population_0_17[year])
            add("population_0_22", self.population_0_22[year])
            add("notifications", self.notifications[y])
            add("children_notified", self.children_notified[y])
            add("screenings_on_time_share", _share(self.screenings_on_time[y], self.screenings[y]))
            add("investigations_started", self.investigations_started[y])
            add("investigations_completed", self.investigations_completed[y])
            add("investigations_overdue_share",
                _share(self.investigations_overdue[y], self.investigations_completed[y]))
            add("investigation_mean_days", _share(self.investigation_days[y], self.investigations_completed[y]))
            for st in sc.steps:
                add(f"measures_started.{st.id}", self.measures_started[st.index][y])
            add("placements_started", sum(self.measures_started[i][y] for i in sc.placement))
            for st in sc.steps:
                add(f"stock.{st.id}", self.stock[st.index][y])
            add("children_placed", sum(self.stock[i][y] for i in sc.placement))
            add("children_placed_0_17", self.placed_under_age_out[y])
            add("children_preventive", sum(self.stock[i][y] for i in sc.preventive))
            add("kinship_share_of_family_care", self.kinship_share(y))
            add("open_cases", self.open_cases_year_end[y])
            add("inquiries_closed_with_need", self.inquiries_closed_with_need[y])
            add("renotified_after_unmet_need", self.renotified_after_unmet_need[y])
            add("placements_after_unmet_need", self.placements_after_unmet_need[y])
            add("reviews_on_time_share", _share(self.reviews_on_time[y], self.reviews[y]))
            fte = self.fte_years[y]
            add("caseworker_fte", fte)
            add("caseload", self.open_case_years[y] / fte if fte > 0 else float("nan"))
            add("cases_unallocated", self.cases_unallocated_year_end[y])
            add("temporary_fte", self.temporary_fte_years[y])
            add("overload_months", self.overload_months[y])
            add("reviews_stretched", self.reviews_stretched[y])
            add("caseworker_leavers", self.caseworker_leavers[y])
            add("vacant_fte", self.vacant_fte_years[y])
            add("induction_fte", self.induction_fte_years[y])
            add("family_hours_per_case", _share(self.family_hours[y], self.family_hours_months[y]))
            for k, kind in enumerate(TASK_KINDS):
                add(f"hours_{kind}", self.hours_tasks[k][y])
            add("hours_ongoing", self.hours_ongoing[y])
            case_months = self.open_case_years[y] * 12.0
            add("hours_per_case_per_month", self.hours_ongoing[y] / case_months if case_months > 0 else float("nan"))
            price = self.price_factor
            step_costs = 0.0
            for st in sc.steps:
                add(f"cost.{st.id}", self.cost[st.index][y] * price)
                step_costs += self.cost[st.index][y] * price
            cw = fte * self.cost_per_fte * price  # salaries: not indexed by indexation_per_year
            policy = self.policy_costs[year] * price
            add("cost_caseworkers", cw)
            add("cost_policy", policy)
            add("cost_diversion", self.diversion_cost[y] * price)  # within the steps' costs: not added again
            total = step_costs + cw + policy
            add("cost_total", total)
            add("cost_per_child_0_17", total / self.population_0_17[year])
            for name, value in self.outcome_rows(y):
                add(name, value)
        return out


def policy_cost(items, year: int) -> float:
    """Declared extra costs of the scenario and of its levers (``items``) in a calendar year (one-off at start,
    yearly pro rata from the start)."""
    total = 0.0
    for pc in items:
        if pc.start.year == year:
            total += pc.one_off_dkk
        start = max(pc.start.toordinal(), _ordinal(year, 1, 1))
        pc_end = getattr(pc, "end", None)
        end = min(pc_end.toordinal() + 1 if pc_end else 10**9, _ordinal(year + 1, 1, 1))
        if end > start:
            total += pc.per_year_dkk * (end - start) / (_ordinal(year + 1, 1, 1) - _ordinal(year, 1, 1))
    return total


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of the values with linear interpolation (numpy's default); NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else float("nan")


def _ordinal(year: int, month: int, day: int) -> int:
    return dt.date(year, month, day).toordinal()
