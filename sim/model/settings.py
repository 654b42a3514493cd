"""The settings the running model reads, in model units, and the one place levers write to.

A scenario is frozen; a running municipality needs numbers that levers change mid-run (FTEs, review
interval, screening shares, a step's price or capacity). :class:`Settings` holds them, converted once from
the scenario's units (months, days, hours) to the model's (years, hours of work). Which lever writes which
field is the registry ``sim.model.levers.LEVER_SETTINGS``; ``read``/``write`` go through it, so a setting
cannot be declared as a lever without a field here (a test walks the registry).
"""

from __future__ import annotations

import math
from dataclasses import replace

from sim.model.demand import DemandSettings
from sim.model.levers import LEVER_SETTINGS, STEP_LEVER_FIELDS, UNLIMITED_AS_NUMBER, step_setting
from sim.model.population import age_band_table, first_simulated_year, simulated_years
from sim.model.scenario import Scenario
from sim.model.staircase import Staircase, StepInfo
from sim.model.units import DAYS_PER_YEAR, HOURS_PER_YEAR, MONTH, WEEKS_PER_YEAR


def cumulative(shares: list[float]) -> list[float]:
    """Running sums of shares, for drawing one outcome with one uniform."""
    out, acc = [], 0.0
    for x in shares:
        acc += x
        out.append(acc)
    return out


class Settings:
    """Parameters of one running municipality (model units: years, hours of work, rates per year).

    Built from the scenario at the start; levers change them through :meth:`write`. Derived numbers
    (screening's cumulative shares, the FTE share of ongoing work per case, the team's years per hour) are
    kept in step by the properties that need them."""

    __slots__ = (
        # screening
        "screening_hours", "screening_deadline", "share_acute", "_share_closed_after_advice",
        "_share_early_measure", "screening_cumulative",
        # demand: reporting apart from need, unmet need (sim.model.demand)
        "demand", "triage_accuracy",
        # investigation
        "investigation_hours", "investigation_sessions", "investigation_lag_rate", "investigation_deadline",
        "investigation_need_levels", "investigation_cumulative",
        # needs
        "max_need", "improvement_rate", "escalation_rate", "acute_need_level",
        # reviews
        "first_review", "review_interval", "review_hours", "review_lead", "step_down_share",
        # caseworkers
        "fte", "_hours_per_week", "ongoing_hours_per_case_per_month", "ongoing_fte_per_case", "years_per_hour",
        "escalation_hours", "ongoing_max_share", "fixed_task_time",
        # time with the families (sim.model.family_time)
        "family_hours_reference", "family_time_max_effect", "family_time_full_hours",
        # how an overloaded department gives way
        "overload_caseload", "overload_closed_share", "_pressure_closed_share", "review_stretch",
        "temporary_after_months", "temporary_share", "temporary_contract",
        # notifications
        "_share_about_known_children", "known_window",
        # exits and ages
        "move_away_rate", "age_out", "aftercare_enabled", "aftercare_until_age", "aftercare_share",
        "age_cumulative", "age_bands",
        # policy mechanisms
        "diversion_step", "diversion_share", "diversion_levels", "diversion_failure_rate", "diversion_price",
        "limited_steps", "limited_stay", "limited_success",
        # the staircase's steps (the same list the staircase chooses from)
        "steps", "step_ids",
        # prices: base-year DKK to the price year's (calendar.price_year)
        "price_factor",
    )

    def __init__(self, scenario: Scenario, staircase: Staircase):
        self._pressure_closed_share = 0.0  # extra closures at screening while the department is overloaded
        self.demand = DemandSettings(scenario, first_simulated_year(scenario), simulated_years(scenario))
        self.triage_accuracy = scenario.demand.triage_accuracy
        sc = scenario.screening
        self.screening_hours = sc.hours
        self.screening_deadline = sc.deadline_hours / HOURS_PER_YEAR
        self.share_acute = sc.share_acute
        self._share_closed_after_advice = sc.share_closed_after_advice
        self._share_early_measure = sc.share_early_measure
        self._refresh_screening()

        inv = scenario.investigation
        self.investigation_hours = inv.hours
        self.investigation_sessions = inv.sessions
        lag_weeks = inv.external_lag_weeks
        self.investigation_lag_rate = WEEKS_PER_YEAR / lag_weeks if lag_weeks > 0 else math.inf
        self.investigation_deadline = inv.deadline_months * MONTH
        self.investigation_need_levels = list(inv.outcome_need_shares.keys())
        self.investigation_cumulative = cumulative(list(inv.outcome_need_shares.values()))

        levels = sorted(scenario.needs.levels, key=lambda n: n.level)
        self.max_need = len(levels)
        self.improvement_rate = [0.0] + [n.improvement_rate_per_year for n in levels]
        self.escalation_rate = [levels[0].escalation_rate_per_year] + [n.escalation_rate_per_year for n in levels]
        self.acute_need_level = scenario.needs.acute_need_level

        r = scenario.reviews
        self.first_review = r.first_after_months * MONTH
        self.review_interval = r.interval_months * MONTH
        self.review_hours = r.hours
        self.review_lead = r.lead_days / DAYS_PER_YEAR
        self.step_down_share = r.step_down_share

        cw = scenario.caseworkers
        self.fte = cw.fte
        self.ongoing_hours_per_case_per_month = cw.ongoing_hours_per_case_per_month
        self.hours_per_week = cw.productive_hours_per_week
        self.escalation_hours = cw.escalation_hours
        self.ongoing_max_share = cw.ongoing_work_max_share
        self.fixed_task_time = cw.task_time == "fixed"
        ft = cw.family_time
        self.family_hours_reference = ft.reference_hours_per_case_per_month
        self.family_time_max_effect = ft.max_effect
        self.family_time_full_hours = ft.full_effect_hours
        ov = cw.overload
        self.overload_caseload = ov.caseload_threshold
        self.overload_closed_share = ov.extra_closed_after_advice_share
        self.review_stretch = ov.review_stretch_months * MONTH
        self.temporary_after_months = ov.temporary_staff_after_months
        self.temporary_share = ov.temporary_share_of_fte
        self.temporary_contract = ov.temporary_contract_months * MONTH

        nt = scenario.notifications
        self._share_about_known_children = nt.share_about_known_children
        self.known_window = nt.recently_closed_months * MONTH

        ex = scenario.exits
        self.move_away_rate = ex.move_away_rate_per_year
        self.age_out = float(ex.age_out)
        self.aftercare_enabled = ex.aftercare.enabled
        self.aftercare_until_age = float(ex.aftercare.until_age)
        self.aftercare_share = ex.aftercare.share
        self.age_cumulative, self.age_bands = age_band_table(scenario)

        self.steps: list[StepInfo] = staircase.steps
        self.step_ids = staircase.ids
        d = scenario.diversion
        self.diversion_step = self.step_ids.index(d.to_step) if d.to_step else None
        self.diversion_share = d.share
        self.diversion_levels = frozenset(d.need_levels)
        self.diversion_failure_rate = d.failure_rate_per_year
        self.diversion_price = d.price_per_year_dkk
        tls = scenario.time_limited_stays
        self.limited_steps = frozenset(self.step_ids.index(x) for x in tls.steps)
        self.limited_stay = tls.months * MONTH
        self.limited_success = tls.success_share
        self.price_factor = scenario.price_factor

    # ------------------------------------------------------------ derived numbers

    def _refresh_screening(self) -> None:
        rest = max(0.0, 1.0 - self.share_acute - self._share_closed_after_advice - self._share_early_measure)
        pressure = min(self._pressure_closed_share, rest)  # closed instead of investigated
        self.screening_cumulative = cumulative(
            [self.share_acute, self._share_closed_after_advice + pressure, self._share_early_measure, rest - pressure]
        )
        # with the demand model the same shares set the severity cut-offs: under pressure the closing band widens
        self.demand.refresh_cutoffs(self.share_acute, self._share_closed_after_advice + pressure,
                                    self._share_early_measure)

    def under_pressure(self, overloaded: bool) -> None:
        """An overloaded department closes more notifications at screening (none extra when it is not)."""
        share = self.overload_closed_share if overloaded else 0.0
        if share != self._pressure_closed_share:
            self._pressure_closed_share = share
            self._refresh_screening()

    @property
    def share_closed_after_advice(self) -> float:
        return self._share_closed_after_advice

    @share_closed_after_advice.setter
    def share_closed_after_advice(self, value: float) -> None:
        self._share_closed_after_advice = value
        self._refresh_screening()

    @property
    def share_about_known_children(self) -> float:
        return self._share_about_known_children

    @share_about_known_children.setter
    def share_about_known_children(self, value: float) -> None:
        """More notifications about known children leave fewer about new ones; the need mix of the new ones is
        rescaled so that the number of children with a real need still follows the need trend."""
        self._share_about_known_children = value
        self.demand.known_share_changed(value)

    @property
    def share_early_measure(self) -> float:
        return self._share_early_measure

    @share_early_measure.setter
    def share_early_measure(self, value: float) -> None:
        self._share_early_measure = value
        self._refresh_screening()

    @property
    def hours_per_week(self) -> float:
        return self._hours_per_week

    @hours_per_week.setter
    def hours_per_week(self, hours: float) -> None:
        self._hours_per_week = hours
        self.years_per_hour = 1.0 / (hours * WEEKS_PER_YEAR)
        self.ongoing_fte_per_case = self.ongoing_hours_per_case_per_month * 12.0 / (hours * WEEKS_PER_YEAR)

    # ------------------------------------------------------------ what levers read and write

    def read(self, setting: str) -> float:
        """A lever setting's current value, in the scenario's units."""
        on_step = step_setting(setting)
        if on_step is not None:
            return self._read_step(*on_step)
        entry = LEVER_SETTINGS[setting]
        return getattr(self, entry.attribute) / entry.scale

    def write(self, setting: str, value: float) -> None:
        """Set a lever setting (``value`` in the scenario's units)."""
        on_step = step_setting(setting)
        if on_step is not None:
            self._write_step(*on_step, value)
            return
        entry = LEVER_SETTINGS[setting]
        setattr(self, entry.attribute, value * entry.scale)

    def step_index(self, step_id: str) -> int:
        return self.step_ids.index(step_id)

    def _read_step(self, step_id: str, field: str) -> float:
        value = getattr(self.steps[self.step_index(step_id)], STEP_LEVER_FIELDS[field].attribute)
        return value if not math.isinf(value) else UNLIMITED_AS_NUMBER

    def _write_step(self, step_id: str, field: str, value: float) -> None:
        i = self.step_index(step_id)
        self.steps[i] = replace(self.steps[i], **{STEP_LEVER_FIELDS[field].attribute: float(value)})
