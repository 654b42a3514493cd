"""The scenario format: every part of a scenario as a frozen pydantic model, each field with its range.

Misspelt keys fail loudly and values cannot be changed after loading (``_Part``). Checks that span several
parts are in :mod:`sim.model.scenario.checks`; reading files and ``extends:`` in :mod:`sim.model.scenario.loading`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, description="a share between 0 and 1")]
# every number is finite, and every field below also has an upper bound (stated in its description) that no
# municipality could reach, so a typo (1e308, .inf, an extra zero or three) is refused by `validate` with its
# key rather than hanging or overflowing a run
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
MAX_DKK = 1e10  # 10 billion DKK: above a whole country's yearly spending on the area (about 20 billion / 98)
MAX_RATE_PER_YEAR = 52.0  # a transition once a week on average
MAX_MONTHS = 120.0  # ten years
MAX_REVIEW_MONTHS = 1200.0  # a hundred years: no review within any horizon (how a model check switches them off)
StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="lower-case id, e.g. foster_family")]


class _Part(BaseModel):
    """A part of a scenario: misspelt keys fail loudly, values cannot be changed after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no_for_numbers(cls, value: Any, info) -> Any:
        """YAML reads yes/no/true/false as booleans, which pydantic would take as 1 and 0: refuse them
        wherever a number (or numbers) is expected."""
        annotation = cls.model_fields[info.field_name].annotation
        if annotation is bool or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return value
        values = value.values() if isinstance(value, dict) and get_origin(annotation) is dict else [value]
        if any(isinstance(v, bool) for v in values):
            raise ValueError("a yes/no value where a number is expected; write the number")
        return value


class Calendar(_Part):
    """Which years are simulated: start year, projected years, burn-in, base year of prices."""

    base_year: int = Field(ge=1990, le=2100, description="prices are in this year's DKK (1990 to 2100)")
    start_year: int = Field(ge=1990, le=2100, description="first projected (reported) calendar year (1990 to 2100)")
    horizon_years: int = Field(ge=1, le=50, description="projected years, reported (1 to 50)")
    burn_in_years: int = Field(
        ge=0, le=50,
        description="years simulated before start_year and not reported, so queues and stocks settle (0 to 50)",
    )
    price_year: int | None = Field(
        default=None, ge=1990, le=2100,
        description="money is reported in this year's prices: every amount times prices.index[price_year] / "
        "prices.index[base_year] (default: base_year, no conversion; 1990 to 2100)",
    )


class Population(_Part):
    """Residents aged 0-17 and 0-22, their yearly growth, and the ages of newly notified children."""

    aged_0_17: Positive = Field(ge=1, le=2_000_000, description="residents aged 0-17 in start_year "
                                "(1 to 2,000,000; all of Denmark has about 1,160,000)")
    aged_0_22: Positive = Field(ge=1, le=3_000_000, description="residents aged 0-22 in start_year "
                                "(1 to 3,000,000; all of Denmark has about 1,540,000)")
    growth_per_year: float = Field(
        ge=-0.2, le=0.2, description="yearly relative change of both age groups (-0.2 to 0.2)"
    )
    notified_age_shares: dict[str, Share] = Field(
        description="age of a newly notified child: bands 'A-B' (whole years, inclusive) with shares summing to 1"
    )

    @field_validator("notified_age_shares")
    @classmethod
    def _bands(cls, bands: dict[str, float]) -> dict[str, float]:
        for band in bands:
            m = re.fullmatch(r"(\d+)-(\d+)", band)
            if not m or int(m.group(1)) > int(m.group(2)) or int(m.group(2)) > 17:
                raise ValueError(f"age band '{band}' must look like '6-12' with ages 0 to 17")
        if abs(sum(bands.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {sum(bands.values()):.4f})")
        return bands


class Notifications(_Part):
    """How many notifications arrive, how they grow, and how many are about children already known."""

    per_1000_aged_0_17: NonNegative = Field(
        le=500, description="notifications per year per 1,000 residents aged 0-17 (at most 500; Denmark: about 119)"
    )
    trend_per_year: float = Field(
        ge=-0.5, le=0.5, description="yearly relative growth of the rate, from start_year (-0.5 to 0.5)"
    )
    share_about_known_children: Share = Field(
        description="share of notifications about a child with an open or recently closed case"
    )
    recently_closed_months: NonNegative = Field(
        le=MAX_MONTHS, description="how long a closed case counts as 'recently closed' (at most 120 months)"
    )


class Screening(_Part):
    """The assessment of a notification within 24 hours and its outcome shares."""

    hours: NonNegative = Field(le=100, description="caseworker hours to assess one notification (at most 100)")
    deadline_hours: Positive = Field(ge=1, le=8760, description="legal deadline for the assessment (1 to 8,760 hours)")
    share_acute: Share = Field(description="share of new cases placed at once (acute placement)")
    share_closed_after_advice: Share = Field(description="share closed after advice, no further action")
    share_early_measure: Share = Field(description="share given an early measure without an investigation")

    @property
    def share_investigation(self) -> float:
        return 1.0 - self.share_acute - self.share_closed_after_advice - self.share_early_measure


class Investigation(_Part):
    """The child-welfare investigation: caseworker hours, sessions, external waits, deadline, what it finds."""

    hours: Positive = Field(ge=0.1, le=1000, description="caseworker hours for one investigation (0.1 to 1,000)")
    sessions: int = Field(ge=1, le=10, description="the hours are worked in this many sessions (1 to 10)")
    external_lag_weeks: NonNegative = Field(
        le=104, description="mean calendar weeks between sessions spent waiting for others (statements, meetings; "
        "at most 104)"
    )
    deadline_months: Positive = Field(
        ge=0.25, le=24, description="legal deadline; slower investigations count as overdue (0.25 to 24 months)"
    )
    outcome_need_shares: dict[int, Share] = Field(
        description="need level found by the investigation (0 = no measure) and its share; shares sum to 1"
    )

    @field_validator("outcome_need_shares")
    @classmethod
    def _sum_to_one(cls, shares: dict[int, float]) -> dict[int, float]:
        if abs(sum(shares.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {sum(shares.values()):.4f})")
        return shares


class NeedLevel(_Part):
    """One level of need: how fast it improves on an adequate step and how fast it escalates."""

    level: int = Field(ge=1, le=20, description="1 = mildest (at most 20); a step with need_level L is adequate for "
                       "needs up to L")
    label_en: str
    label_da: str
    improvement_rate_per_year: NonNegative = Field(
        le=MAX_RATE_PER_YEAR,
        description="rate at which the need drops one level while the child is on an adequate step (at most 52)",
    )
    escalation_rate_per_year: NonNegative = Field(
        le=MAX_RATE_PER_YEAR, description="rate at which the need rises one level (at most 52)"
    )


class Needs(_Part):
    """The levels of need and the level an acute placement answers."""

    levels: tuple[NeedLevel, ...] = Field(min_length=1)
    acute_need_level: int = Field(
        ge=1, le=20, description="need level of a child placed acutely at screening (1 to 20)"
    )


class Step(_Part):
    """One step of the staircase: its kind, the need it answers, price, uptake, ages, capacity, breakdowns."""

    id: StepId
    label_da: str
    label_en: str
    kind: Literal["preventive", "placement"]
    order: int = Field(
        ge=-1000, le=1000, description="position on the staircase, least intrusive first (-1000 to 1000)"
    )
    need_level: int = Field(ge=1, le=20, description="the highest need level this step is adequate for (1 to 20)")
    price_per_year_dkk: NonNegative = Field(
        le=50_000_000, description="price per child per year, base-year DKK (at most 50,000,000)"
    )
    account_function: str = Field(description="municipal account function the cost is booked on")
    uptake_share: Share = Field(
        default=1.0,
        description="chance the step is chosen when it is the least intrusive adequate step with room "
        "(e.g. kinship care tried first); otherwise the next step up is considered (a share, 0 to 1)",
    )
    min_age: int = Field(default=0, ge=0, le=22, description="youngest age the step is used for (0 to 22)")
    max_age: int = Field(default=22, ge=0, le=22, description="oldest age the step is used for (0 to 22)")
    capacity: int | None = Field(
        default=None, ge=0, le=1_000_000,
        description="children on the step at once (at most 1,000,000); none = unlimited",
    )
    breakdown_rate_per_year: NonNegative = Field(
        default=0.0, le=MAX_RATE_PER_YEAR,
        description="rate at which the measure breaks down and the child moves up a step (at most 52)",
    )
    family_care: Literal["kinship", "foster"] | None = Field(
        default=None,
        description="a placement in a family (familiepleje): 'kinship' (netværkspleje) or 'foster' (a foster "
        "family); none = not family care. The kinship share of family care is reported from these steps",
    )
    family_like: bool = Field(
        default=False,
        description="a placement in a family-like setting (kinship care, a foster family, the youth's own room): "
        "the family-like share of the placed children is reported from these steps",
    )
    good_wellbeing_share: Share | None = Field(
        default=None,
        description="the share of children placed in this setting who report good wellbeing (a national survey's "
        "figure or an assumption; a share, 0 to 1): the weight of the wellbeing proxy; none = not counted",
    )


class Reviews(_Part):
    """Reviews of a measure: when the first is due, the interval, hours, and the chance a lower need is acted on."""

    first_after_months: Positive = Field(
        ge=0.25, le=MAX_REVIEW_MONTHS, description="first review after a measure starts (0.25 to 1,200 months; "
        "a hundred years is 'never')"
    )
    interval_months: Positive = Field(
        ge=0.25, le=MAX_REVIEW_MONTHS, description="then a review every N months (0.25 to 1,200)"
    )
    hours: NonNegative = Field(le=100, description="caseworker hours per review (at most 100)")
    lead_days: NonNegative = Field(
        le=365, description="the review task is queued this many days before it is due (at most 365)"
    )
    step_down_share: Share = Field(
        description="chance that a review which finds a lower need acts on it (steps down or closes the case; "
        "a share, 0 to 1)"
    )


class FteChange(_Part):
    """A change in the number of caseworkers from a date, ramped in."""

    date: dt.date
    fte: NonNegative = Field(
        le=100_000, description="caseworker FTEs from this date on (reached after the ramp; at most 100,000)"
    )
    ramp_months: NonNegative = Field(
        default=0.0, le=MAX_MONTHS, description="months to go linearly from the old to the new FTEs (at most 120)"
    )


class Overload(_Part):
    """How the department gives way while its caseworkers stay overloaded (the defaults switch it off)."""

    caseload_threshold: Positive = Field(
        default=1e6, le=1e6, description="open cases per FTE above which the department (or a caseworker) is "
        "overloaded (at most 1,000,000, the default: never)"
    )
    extra_closed_after_advice_share: Share = Field(
        default=0.0, description="while the department is overloaded, this share more of new notifications is "
        "closed at screening (taken from those that would be investigated)"
    )
    review_stretch_months: NonNegative = Field(
        default=0.0, le=120, description="a review by a caseworker at twice the overload level or more sets the "
        "next one this much later; above the level, in proportion to the excess (at most 120)"
    )
    temporary_staff_after_months: NonNegative = Field(
        default=6.0, le=1200, description="months overloaded in a row before temporary caseworkers are hired "
        "(at most 1,200)"
    )
    temporary_share_of_fte: NonNegative = Field(
        default=0.0, le=10, description="temporary caseworkers hired then, as a share of the FTEs (0.1: one for "
        "every ten; at most 10)"
    )
    temporary_contract_months: Positive = Field(default=6.0, le=1200, description="how long a temporary contract "
                                                "runs (at most 1,200)")


class FamilyTime(_Part):
    """Time with the family is what caseload buys: a dose-response linear in the hours left per case after
    the mandatory tasks, capped at max_effect (the defaults switch it off)."""

    reference_hours_per_case_per_month: Positive = Field(
        default=1.0, le=1000, description="hours with the families per case and month at which the staircase's "
        "uptake shares and reviews.step_down_share hold (at most 1,000)"
    )
    max_effect: Share = Field(
        default=0.0, description="the largest chance that a choice is one step less (more) intrusive, and the "
        "largest relative change of the step-down share, with far more (fewer) hours than the reference"
    )
    full_effect_hours: Positive = Field(
        default=1.0, le=1000, description="hours per case and month away from the reference at which the effect "
        "reaches max_effect; linear in between (at most 1,000)"
    )


class Turnover(_Part):
    """Caseworkers leave, posts stay vacant while recruiting, newcomers learn (the defaults switch it off)."""

    leave_rate_per_year: NonNegative = Field(
        default=0.0, le=MAX_RATE_PER_YEAR, description="rate at which a caseworker leaves her post (0.24: about "
        "a quarter a year; at most 52)"
    )
    recruitment_months: NonNegative = Field(
        default=0.0, le=MAX_MONTHS, description="months a vacant post stays open until a new caseworker starts "
        "(also for new posts of an FTE increase; at most 120)"
    )
    induction_months: NonNegative = Field(
        default=0.0, le=MAX_MONTHS, description="months a new caseworker works at induction_productivity "
        "(at most 120)"
    )
    induction_productivity: Share = Field(
        default=1.0, description="a new caseworker's share of a full caseworker's capacity during induction"
    )
    cuts: Literal["at_once", "attrition"] = Field(
        default="at_once", description="an FTE cut: at_once (vacant posts first, then the last filled ones, "
        "their cases to colleagues) or attrition (posts go as their holders leave)"
    )

    @property
    def enabled(self) -> bool:
        return self.leave_rate_per_year > 0 or self.recruitment_months > 0 or self.induction_months > 0


class Caseworkers(_Part):
    """The caseworkers: FTEs, productive hours, ongoing work per case, costs and the caseload effect."""

    fte: NonNegative = Field(le=100_000, description="caseworker full-time equivalents at the start (at most 100,000)")
    fte_changes: tuple[FteChange, ...] = ()
    productive_hours_per_week: Positive = Field(
        ge=1, le=60, description="hours per FTE per week for case tasks (1 to 60)"
    )
    ongoing_hours_per_case_per_month: NonNegative = Field(
        le=160, description="hours of ongoing case work per open case per month, reserved before other tasks "
        "(at most 160)"
    )
    ongoing_work_max_share: Share = Field(
        description="at most this share of the FTEs goes to ongoing case work; beyond it, time per case shrinks"
    )
    escalation_hours: NonNegative = Field(
        le=100, description="hours to handle an escalation or a breakdown (at most 100)"
    )
    cost_per_fte_dkk: NonNegative = Field(
        le=5_000_000, description="yearly cost of one caseworker FTE (at most 5,000,000 DKK)"
    )
    family_time: FamilyTime = FamilyTime()  # hours per case move step choices and reviews (sim.model.family_time)
    turnover: Turnover = Turnover()  # leavers, vacancies, recruitment, induction (sim.model.workforce)
    task_time: Literal["exponential", "fixed"] = Field(
        default="exponential", description="distribution of hours per task around its mean"
    )
    organisation: Literal["own_cases", "pooled"] = Field(
        default="own_cases",
        description="own_cases: every open case has its own caseworker, tasks queue at her by due date; "
        "pooled: one team, whoever is free, strict priorities (the queueing-theory reference)",
    )
    duty_roster_size: int = Field(
        default=2, ge=1, le=10_000, description="own_cases: caseworkers who may screen notifications at the same "
        "time (at most 10,000)"
    )
    allocation_ceiling_cases: Positive = Field(
        default=60.0, le=10_000,
        description="own_cases: open cases per FTE beyond which a caseworker is given no more; "
        "new cases wait unallocated (at most 10,000)",
    )
    overload: Overload = Overload()


class Aftercare(_Part):
    """Aftercare (efterværn) beyond the age of 18."""

    enabled: bool = False
    until_age: int = Field(default=22, ge=18, le=22, description="aftercare ends on this birthday + 1 (18 to 22)")
    share: Share = Field(default=0.5, description="share of children on a step at 18 who continue")


class Exits(_Part):
    """How children leave: moving away, ageing out, aftercare."""

    age_out: int = Field(ge=1, le=23, description="age at which a case ends without aftercare (1 to 23)")
    aftercare: Aftercare = Aftercare()
    move_away_rate_per_year: NonNegative = Field(
        le=MAX_RATE_PER_YEAR, description="rate at which a child with a case moves away (at most 52)"
    )


class Prices(_Part):
    """How prices move over the years."""

    indexation_per_year: float = Field(
        ge=-0.1, le=0.2, description="yearly real price growth above general inflation, from base_year (-0.1 to 0.2)"
    )
    index: dict[int, Positive] = Field(
        default_factory=dict,
        description="a price index by calendar year (any reference year), to report money in calendar.price_year's "
        "prices; needs base_year and price_year when they differ",
    )


class PolicyCost(_Part):
    """An extra cost a scenario declares (a programme, an investment), one-off and yearly."""

    label: str
    start: dt.date
    end: dt.date | None = None
    one_off_dkk: NonNegative = Field(default=0.0, le=MAX_DKK, description="one-off cost (at most 10,000,000,000 DKK)")
    per_year_dkk: NonNegative = Field(default=0.0, le=MAX_DKK, description="yearly cost (at most 10,000,000,000 DKK)")


class Lever(_Part):
    """A setting that changes from a date, reached linearly over ``ramp_months``, with its own costs.

    The change is one of three: *to* a value (``value``), *by* an amount (``by``) or by a factor (``times``).
    ``by`` and ``times`` act on the value in force when the lever starts (the municipality's own, after any
    earlier lever on the setting), so a policy written as ``by: 5`` adds five caseworkers in any municipality
    (sim.model.levers.lever_effects)."""

    setting: str = Field(
        description="the setting that changes, e.g. reviews.interval_months or staircase.kinship_care.uptake_share "
        "(`boernesim schema` and docs/user-guide.md list them)"
    )
    value: float | None = Field(
        default=None, allow_inf_nan=False,
        description="change the setting TO this value, in the setting's own unit, within the setting's own range "
        "(give exactly one of value, by, times)",
    )
    by: float | None = Field(
        default=None, ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
        description="change the setting BY this amount (e.g. 5 or -3 caseworker FTEs) from its value when the lever "
        "starts; the result must stay within the setting's range (at most 10,000,000,000 either way)",
    )
    times: float | None = Field(
        default=None, ge=0.0, le=1000.0, allow_inf_nan=False,
        description="multiply the setting by this factor (e.g. 1.5) from its value when the lever starts; the result "
        "must stay within the setting's range (0 to 1,000)",
    )
    start: dt.date = Field(description="the date the change starts")
    ramp_months: NonNegative = Field(
        default=0.0, le=MAX_MONTHS, description="months to go linearly from the old to the new value (at most 120)"
    )
    label: str = ""
    one_off_dkk: NonNegative = Field(
        default=0.0, le=MAX_DKK,
        description="one-off cost at the start (booked as cost_policy; at most 10,000,000,000 DKK)",
    )
    per_year_dkk: NonNegative = Field(
        default=0.0, le=MAX_DKK,
        description="yearly cost from the start (booked as cost_policy; at most 10,000,000,000 DKK)",
    )

    @model_validator(mode="after")
    def _one_change(self) -> Lever:
        given = [name for name in LEVER_CHANGES if getattr(self, name) is not None]
        if len(given) != 1:
            got = f"got {' and '.join(given)}" if given else "got none"
            raise ValueError(f"give exactly one of value (to), by (an amount) or times (a factor) ({got})")
        return self

    @property
    def change(self) -> str:
        """How the lever changes its setting: 'value', 'by' or 'times'."""
        return next(name for name in LEVER_CHANGES if getattr(self, name) is not None)


LEVER_CHANGES = ("value", "by", "times")  # the three ways a lever changes its setting; exactly one is given


class Drift(_Part):
    """A propensity that drifts from the start year: a trend plus a random walk, on the logit scale for a share
    and the log scale otherwise (sim.model.drift). Default: no drift."""

    setting: str = Field(description="a setting the model reads while it runs (a lever setting, e.g. "
                         "screening.share_early_measure or staircase.residential_care.uptake_share)")
    trend_per_year: float = Field(default=0.0, ge=-3.0, le=3.0, allow_inf_nan=False,
                                  description="yearly change on the logit (share) or log scale (at most 3 either way)")
    sd_per_year: NonNegative = Field(default=0.0, le=3.0,
                                     description="sd of the yearly random-walk step on the same scale (at most 3)")


class Demand(_Part):
    """Reporting apart from need, and unmet need that comes back (sim.model.demand; docs/model.md, section 2).

    Off by default: then screening and investigation outcomes are drawn from their fixed shares and a closed
    inquiry's need is forgotten, as before this mechanism."""

    enabled: bool = Field(default=False, description="screen by severity and let unmet need come back")
    need_shares: dict[int, Share] = Field(
        default_factory=lambda: {0: 1.0},
        description="real need level of a newly notified child in start_year (0 = no need for a measure); "
        "shares sum to 1",
    )
    need_trend_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=0.5,
        description="yearly growth of the number of notified children with a real need, from start_year "
        "(notifications.trend_per_year is the growth of reporting); between -0.5 and 0.5",
    )
    triage_accuracy: Share = Field(
        default=1.0, description="chance that screening sees a child's real severity (else an unrelated one); a share"
    )
    investigation_finds_need_share: Share = Field(
        default=1.0, description="chance that an investigation finds the full need (else one level less); a share"
    )
    unmet_escalation_multiplier: NonNegative = Field(
        default=1.0, le=100, description="an unmet need escalates this many times faster than the level's "
        "escalation rate (at most 100)"
    )
    unmet_improvement_share: NonNegative = Field(
        default=0.0, le=10, description="an unmet need fades at this share of the level's improvement rate with "
        "help (at most 10)"
    )
    renotification_rate_per_year: dict[int, Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="rate per year at which a child with an unmet need of this level is notified again "
        "(each at most 100)",
    )

    @field_validator("need_shares")
    @classmethod
    def _sum_to_one(cls, shares: dict[int, float]) -> dict[int, float]:
        if abs(sum(shares.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {sum(shares.values()):.4f})")
        return shares


class TrendDamping(_Part):
    """How much of a fitted trend a projection carries forward (Gardner-McKenzie damped trend;
    sim.model.damping): the step of the reporting trend, the need trend and every drift's trend into the j-th
    year after ``full_until`` is multiplied by ``phi ** j``. Default: no damping (phi 1)."""

    phi: float = Field(default=1.0, gt=0.0, le=1.0, allow_inf_nan=False,
                       description="damping factor per year: 1 carries trends at full strength, less fades them "
                       "(above 0, at most 1)")
    full_until: int | None = Field(default=None, ge=1990, le=2100,
                                   description="last calendar year whose trend step runs at full strength "
                                   "(1990 to 2100; default: start_year; a back-test's projection uses its origin)")


class Diversion(_Part):
    """Intensive home-based support as an alternative to placement (alternativ til anbringelse)."""

    to_step: StepId | None = Field(default=None, description="the step children are diverted to")
    share: Share = Field(default=0.0, description="share of children about to be placed who are diverted")
    need_levels: tuple[int, ...] = Field(default=(), description="need levels that can be diverted")
    failure_rate_per_year: NonNegative = Field(
        default=0.0, le=MAX_RATE_PER_YEAR,
        description="rate at which a diversion fails and the child is placed after all (at most 52)",
    )
    price_per_year_dkk: NonNegative | None = Field(
        default=None, le=50_000_000,
        description="price per diverted child per year (at most 50,000,000 DKK); none = the step's price",
    )


class TimeLimitedStays(_Part):
    """Stays on some steps end after a set time with a step down (e.g. 6-9 months in an institution)."""

    steps: tuple[StepId, ...] = Field(default=(), description="steps whose stays are time-limited")
    months: Positive = Field(
        default=9.0, ge=0.25, le=MAX_MONTHS, description="planned length of a stay (0.25 to 120 months)"
    )
    success_share: Share = Field(
        default=0.0, description="share of stays that end with a step down when the time is up; 0 = off"
    )


class Economics(_Part):
    """How the investment case is valued: the discount rate."""

    discount_rate: float = Field(ge=0.0, le=0.2, description="yearly discount rate for net present values (0 to 0.2)")


GRADES = ("register", "controlled", "pilot", "assumption")  # the evidence grades of Assumption.grade
ACTORS = ("kommune", "region", "stat")  # the public actors SØM prices consequences for
MAX_UNITS_PER_YEAR = 1e6  # a service's yearly use per unit of a path quantity (days, contacts, weeks, kroner)
ServiceId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S",
                                 description="a public service whose use changes, e.g. psychiatric_bed_days")]


class _LongTermNumber(_Part):
    """What every long-term number carries: its evidence grade, its source, whether it is illustrative, and the
    range (as factors on the number) each replication draws from."""

    grade: Literal["register", "controlled", "pilot", "assumption"] = Field(
        description="the evidence behind the number: register, controlled, pilot or assumption (as assumptions:)"
    )
    source: str = Field(min_length=1, description="where the number comes from (a report, SØM's knowledge base, or "
                        "'illustrative: ...' with why)")
    illustrative: bool = Field(default=False, description="true: not a measured number, shown as illustrative")
    low: float = Field(default=1.0, ge=0.0, le=10.0, allow_inf_nan=False,
                       description="the lowest plausible value as a factor on the number (0 to 10; default 1: none)")
    high: float = Field(default=1.0, ge=0.0, le=10.0, allow_inf_nan=False,
                        description="the highest plausible value as a factor on the number (0 to 10; default 1)")

    @model_validator(mode="after")
    def _range_holds_the_number(self):
        if not self.low <= 1.0 <= self.high:
            raise ValueError(f"low ({self.low:g}) and high ({self.high:g}) are factors on the number: low <= 1 <= "
                             "high")
        return self


class ConsequenceProfile(_LongTermNumber):
    """Per unit of a path quantity (e.g. a child-year in residential care), the yearly difference in a public
    service's use in each of the years after (SØM's consequence estimates: up to 10 years)."""

    id: StepId
    metric: str = Field(min_length=1, description="the path quantity: a metric of the run (e.g. "
                        "placements_after_unmet_need) or a per-step family (e.g. child_years, reached_18)")
    steps: tuple[StepId, ...] = Field(default=(), description="for a per-step family: the steps counted "
                                      "(default: all, or those of step_kind)")
    step_kind: Literal["preventive", "placement"] | None = Field(
        default=None, description="for a per-step family: count the steps of this kind")
    service: ServiceId
    units_per_year: tuple[Annotated[float, Field(ge=-MAX_UNITS_PER_YEAR, le=MAX_UNITS_PER_YEAR,
                                                 allow_inf_nan=False)], ...] = Field(
        min_length=1, max_length=50,
        description="the extra use of the service per unit of the quantity in year 1, 2, ... after the year the "
        "unit occurs (negative: less use; 1 to 50 years, each at most 1,000,000 either way)")
    label_en: str = ""
    label_da: str = ""


class ServicePrice(_LongTermNumber):
    """What one unit of a service costs each public actor (SØM's prices: after refunds, per actor)."""

    service: ServiceId
    unit: str = Field(default="", description="what one unit is, e.g. 'bed day'")
    dkk: dict[str, Annotated[float, Field(allow_inf_nan=False, le=MAX_DKK)]] = Field(
        description="price per unit per actor (kommune, region, stat), DKK in long_term.price_year's prices")

    @field_validator("dkk")
    @classmethod
    def _known_actors_and_prices(cls, prices: dict[str, float]) -> dict[str, float]:
        for actor, price in prices.items():
            if actor not in ACTORS:
                raise ValueError(f"unknown actor '{actor}'; the actors are {', '.join(ACTORS)}")
            if price < 0:
                raise ValueError(f"the price to {actor} is negative ({price:g}): a price is what one unit costs, "
                                 "never negative; a revenue (taxes) is a consequence with a negative sign")
        if not prices:
            raise ValueError(f"give a price for at least one actor ({', '.join(ACTORS)})")
        return prices


class LongTerm(_Part):
    """Beyond the municipality's budget: the long-term public value of a policy's path differences, valued with
    consequence profiles x prices per actor, adjusted and discounted (sim.analysis.long_term; docs/long-term.md).
    Off by default; never part of the municipal answer."""

    enabled: bool = Field(default=False, description="value the path differences beyond the municipal budget")
    file: str = Field(default="", description="a YAML file (next to the scenario) whose long_term mapping is read "
                      "under this one when the scenario is loaded")
    horizon_years: int = Field(default=10, ge=1, le=60, description="years from start_year whose consequences count "
                               "(1 to 60)")
    price_year: int | None = Field(default=None, ge=1990, le=2100, description="the year of the prices' DKK "
                                   "(1990 to 2100; default: the scenario's price year)")
    deadweight: Share = Field(default=0.0, description="share of the value that would have happened anyway (0 to 1)")
    attribution: Share = Field(default=1.0, description="share of the value owed to the policy (others' part "
                               "taken off)")
    drop_off_per_year: Share = Field(default=0.0, description="yearly fall of a consequence after its first year "
                                     "(a share, 0 to 1)")
    optimism_bias: dict[Literal["register", "controlled", "pilot", "assumption"], Share] = Field(
        default_factory=dict, description="share of the value taken off by the weakest grade of its profile and "
        "price (HM Treasury's local-partnership guidance: the weaker the evidence, the larger)")
    profiles: tuple[ConsequenceProfile, ...] = ()
    prices: tuple[ServicePrice, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> LongTerm:
        ids = [p.id for p in self.profiles]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"profile ids must be unique: {', '.join(twice)}")
        services = [p.service for p in self.prices]
        twice = sorted({s for s in services if services.count(s) > 1})
        if twice:
            raise ValueError(f"one price per service: {', '.join(twice)} priced twice")
        unpriced = sorted({p.service for p in self.profiles} - set(services))
        if self.enabled and unpriced:
            raise ValueError(f"no price for the service(s) {', '.join(unpriced)}: add them under long_term.prices")
        if self.enabled and not self.profiles:
            raise ValueError("enabled without profiles: add long_term.profiles (or a long_term.file)")
        return self


class InitialState(_Part):
    """Children on each step when the simulation starts, per 1,000 residents aged 0-22."""

    stock_per_1000_aged_0_22: dict[str, Annotated[NonNegative, Field(le=1000)]] = Field(
        description="children on each step when the simulation (burn-in) starts, per 1,000 aged 0-22 (at most "
        "1,000 in all steps together)"
    )


class CalibratedValue(_Part):
    """Where a default number comes from when a calibration set it or checked it: the fit's output, its history
    and method, and the posterior's median and 90 % interval on the scenario's scale (settings that change by a
    yearly rate at the last fitted year's level). Copied into every run's manifest, with whether the scenario
    still holds the calibrated value (sim.outputs.files.calibration_provenance)."""

    path: str = Field(description="the key path of the number in this scenario, e.g. reviews.step_down_share")
    source: str = Field(min_length=1, description="the calibration's output folder (posterior, manifest)")
    history: str = Field(min_length=1, description="the history fitted, e.g. national 2015-2019")
    method: str = Field(min_length=1, description="how it was fitted, e.g. abc_smc")
    median: float = Field(ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
                          description="the posterior median (at most 10,000,000,000 either way)")
    p05: float = Field(ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
                       description="the posterior's 5 % point (at most 10,000,000,000 either way)")
    p95: float = Field(ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
                       description="the posterior's 95 % point (at most 10,000,000,000 either way)")
    adopted: bool = Field(strict=True,
                          description="true: the scenario's value is the posterior median; false: the value "
                          "is kept (sourced otherwise) and the calibration only checks that it lies in the interval")
    note: str = Field(default="", description="why a kept value differs from the calibration, if it does")


class Assumption(_Part):
    """How uncertain a number of the scenario is: a range around its value, the evidence's grade and source.

    Runs draw the number once per replication from this range (``sim.runs.assumptions``), so the answer's band
    and its chance of a saving carry the uncertainty of the assumptions, not only simulation noise."""

    low: float = Field(ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
                       description="the lowest plausible value (at most 10,000,000,000 either way)")
    high: float = Field(ge=-MAX_DKK, le=MAX_DKK, allow_inf_nan=False,
                        description="the highest plausible value (at most 10,000,000,000 either way)")
    distribution: Literal["triangular", "uniform"] = Field(
        default="triangular",
        description="triangular: most likely at the scenario's value, falling to low and high; uniform: any value "
        "in the range equally likely",
    )
    grade: Literal["register", "controlled", "pilot", "assumption"] = Field(
        description="the evidence behind the range: register (national register data), controlled (a controlled "
        "evaluation), pilot (a pilot without a control group), assumption (no measurement)"
    )
    source: str = Field(min_length=1, description="where the value and range come from (a facts.csv key, a report)")
    source_da: str = Field(default="", description="the source in Danish, shown in a Danish answer (default: source)")
    label_en: str = Field(default="", description="a short English name shown in the answer (default: the key path)")
    label_da: str = Field(default="", description="a short Danish name shown in the answer (default: the key path)")

    def source_in(self, lang: str) -> str:
        """Where the value and range come from, in the language when the scenario gives it (else as written)."""
        return self.source_da if lang == "da" and self.source_da else self.source
    setting: str = Field(
        default="",
        description="for a lever's number (levers.<i>.value, .by or .times): the lever's setting, e.g. "
        "screening.share_closed_after_advice; checked, so that a scenario that replaces the levers cannot hand the "
        "range to another lever",
    )


CaveatText = Annotated[str, Field(min_length=1, max_length=400, pattern=r"\S",
                                   description="one sentence or two (at most 400 characters)")]


class Caveat(_Part):
    """One caveat of a scenario's answer, in both languages: what the number rests on or leaves out."""

    en: CaveatText
    da: CaveatText

    def text(self, lang: str) -> str:
        return self.da if lang == "da" else self.en


# a scenario's name: also a file name, so letters (æ, ø, å and the other Latin-1 letters too), digits, - _ .
NAME_PATTERN = r"^[A-Za-z0-9ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ_.-]+$"


class Label(_Part):
    """A scenario's name as a reader reads it, in both languages (the ``name`` stays the id of files and tables)."""

    en: Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")]
    da: Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")]

    def text(self, lang: str) -> str:
        return self.da if lang == "da" else self.en


class Description(_Part):
    """What a scenario is, in both languages."""

    en: Annotated[str, Field(min_length=1, max_length=1000, pattern=r"\S")]
    da: Annotated[str, Field(min_length=1, max_length=1000, pattern=r"\S")]

    def text(self, lang: str) -> str:
        return self.da if lang == "da" else self.en


class Scenario(_Part):
    """A whole scenario: one municipality's children, staircase, caseworkers, prices and policies."""

    name: str = Field(pattern=NAME_PATTERN)
    label: Label | None = Field(
        default=None,
        description="the name as a reader reads it, {en: ..., da: ...} (at most 80 characters each): the report, "
        "workbook and app show it in the chosen language, the name where there is none; not inherited through "
        "extends",
    )
    description: str | Description = Field(
        default="",
        description="what the scenario is: one text, or {en: ..., da: ...}; not inherited through extends",
    )
    caveats: tuple[Caveat, ...] = Field(
        default=(), max_length=8,
        description="what the scenario's answer rests on or leaves out, each in English and Danish "
        "({en: ..., da: ...}; at most 8); printed next to its number in the report, workbook and app",
    )
    calendar: Calendar
    population: Population
    notifications: Notifications
    screening: Screening
    investigation: Investigation
    needs: Needs
    staircase: tuple[Step, ...] = Field(min_length=1)
    reviews: Reviews
    caseworkers: Caseworkers
    exits: Exits
    prices: Prices
    policy_costs: tuple[PolicyCost, ...] = ()
    levers: tuple[Lever, ...] = ()
    drift: tuple[Drift, ...] = ()
    trend_damping: TrendDamping = TrendDamping()
    demand: Demand = Demand()
    diversion: Diversion = Diversion()
    time_limited_stays: TimeLimitedStays = TimeLimitedStays()
    budget_dkk: dict[int, Annotated[NonNegative, Field(le=10 * MAX_DKK)]] = Field(
        default_factory=dict,
        description="budget per calendar year, DKK in calendar.price_year's prices (for budget_overrun_prob; at most "
                    "100 billion)",
    )
    economics: Economics
    long_term: LongTerm = Field(
        default_factory=LongTerm, description="the long-term public value beyond the municipal budget "
        "(off by default; docs/long-term.md)")
    initial_state: InitialState
    provenance: tuple[CalibratedValue, ...] = ()
    assumptions: dict[str, Assumption] = Field(
        default_factory=dict,
        description="uncertain numbers by key path (e.g. caseworkers.family_time.max_effect, levers.0.value): each "
        "replication draws them from their range unless a run asks for fixed assumptions",
    )

    @field_validator("assumptions", mode="before")
    @classmethod
    def _drop_cleared_assumptions(cls, value: Any) -> Any:
        """``path: null`` drops an assumption inherited through ``extends:`` (mappings merge key by key)."""
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None}
        return value

    def label_in(self, lang: str) -> str:
        """The scenario's label in the language, else its name."""
        return self.label.text(lang) if self.label is not None else self.name

    def description_in(self, lang: str) -> str:
        """The description in the language (a single text is shown in either)."""
        return self.description if isinstance(self.description, str) else self.description.text(lang)

    @property
    def price_year(self) -> int:
        """The year whose prices money is reported in (calendar.price_year, else base_year)."""
        cal = self.calendar
        return cal.base_year if cal.price_year is None else cal.price_year

    @property
    def price_factor(self) -> float:
        """Base-year DKK to price-year DKK: prices.index[price_year] / prices.index[base_year] (1 for the same year)."""
        if self.price_year == self.calendar.base_year:
            return 1.0
        index = self.prices.index
        return float(index[self.price_year]) / float(index[self.calendar.base_year])

    @property
    def end_year(self) -> int:
        """Last projected year (inclusive)."""
        return self.calendar.start_year + self.calendar.horizon_years - 1

    def step(self, step_id: str) -> Step:
        for s in self.staircase:
            if s.id == step_id:
                return s
        raise KeyError(step_id)
