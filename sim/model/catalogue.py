"""The metric catalogue: every metric the model reports, with its kind, unit and labels.

One list, read by everyone: the ledger produces these names (a test fails on a name that is not here),
the history reader accepts them, reports label them, and analyses ask whether a metric is money, a share or
a ratio here rather than by its spelling. The names are the contract's (docs/contract.md, "Metrics").

Kinds:
- ``count``: a flow counted in the calendar year (notifications, placements started);
- ``stock``: a number on 31 December or over the year (children placed, open cases, caseworker FTEs);
- ``share``: a fraction between 0 and 1 (reviews on time);
- ``ratio``: an average per caseworker, child or case (caseload, mean days); independent of size;
- ``money``: DKK in the year, in the prices of the scenario's price year (``calendar.price_year``, default the base
  year), indexed as the scenario says (per resident: ``per_capita``).
Counts, stocks and money grow with the municipality; shares and ratios do not (never scaled per 1,000).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

KINDS = ("count", "stock", "share", "ratio", "money")


@dataclass(frozen=True)
class Metric:
    """One metric (or, with ``per_step``, one family ``<prefix>.<step id>``)."""

    name: str
    kind: str
    unit: str
    label_en: str
    label_da: str
    per_step: bool = False  # a family: one metric per staircase step, named "<name>.<step id>"
    per_capita: bool = False  # money per resident: a ratio, independent of the municipality's size
    in_history: bool = True  # a history file can hold it (a statistic over replications cannot)
    # which way is better for the children: "lower", "higher", or None (no direction: more is neither)
    better: str | None = None

    def label(self, lang: str, step_label: str = "") -> str:
        text = self.label_da if lang == "da" else self.label_en
        return text.format(step_label) if self.per_step else text


METRICS: tuple[Metric, ...] = (
    Metric("population_0_17", "stock", "residents", "Residents aged 0-17", "Borgere 0-17 år"),
    Metric("population_0_22", "stock", "residents", "Residents aged 0-22", "Borgere 0-22 år"),
    Metric("notifications", "count", "notifications", "Notifications", "Underretninger"),
    Metric("children_notified", "count", "children", "Children notified", "Underrettede børn"),
    Metric("screenings_on_time_share", "share", "share", "Share assessed within 24 hours",
           "Andel vurderet inden for 24 timer"),
    Metric("investigations_started", "count", "investigations", "Investigations started",
           "Børnefaglige undersøgelser startet"),
    Metric("investigations_completed", "count", "investigations", "Investigations completed",
           "Børnefaglige undersøgelser afsluttet"),
    Metric("investigations_overdue_share", "share", "share", "Share of investigations over 4 months",
           "Andel undersøgelser over 4 måneder"),
    Metric("investigation_mean_days", "ratio", "days", "Mean days per investigation",
           "Gennemsnitlige dage pr. undersøgelse"),
    Metric("measures_started", "count", "children", "Measures started: {}", "Indsatser startet: {}", per_step=True),
    Metric("placements_started", "count", "children", "Placements started", "Anbringelser startet"),
    Metric("stock", "stock", "children", "Children on step (31 Dec): {}", "Børn på trin (31. dec.): {}", per_step=True),
    Metric("children_placed", "stock", "children", "Children placed (31 Dec)", "Anbragte børn (31. dec.)"),
    Metric("children_placed_0_17", "stock", "children", "Children placed aged 0-17 (31 Dec)",
           "Anbragte børn 0-17 år (31. dec.)"),
    Metric("children_preventive", "stock", "children", "Children in preventive measures (31 Dec)",
           "Børn i forebyggende indsatser (31. dec.)"),
    Metric(
        "kinship_share_of_family_care", "share", "share", "Kinship care's share of family care (31 Dec)",
        "Netværksplejens andel af familiepleje (31. dec.)", better="higher",
    ),
    Metric("open_cases", "stock", "cases", "Open cases (31 Dec)", "Åbne sager (31. dec.)"),
    Metric("inquiries_closed_with_need", "count", "inquiries", "Inquiries closed while the child had a real need",
           "Henvendelser lukket trods reelt behov", better="lower"),
    Metric("renotified_after_unmet_need", "count", "notifications", "Notifications after a need left unmet",
           "Underretninger efter udækket behov", better="lower"),
    Metric("placements_after_unmet_need", "count", "children", "Placements started after a need left unmet",
           "Anbringelser startet efter udækket behov", better="lower"),
    Metric("reviews_on_time_share", "share", "share", "Share of reviews on time", "Andel opfølgninger til tiden"),
    Metric("caseworker_fte", "stock", "FTE", "Caseworker FTEs", "Rådgivere (årsværk)"),
    Metric("caseload", "ratio", "cases per FTE", "Caseload (cases per caseworker)", "Sagstal (sager pr. rådgiver)"),
    Metric(
        "cases_unallocated", "stock", "cases", "Open cases waiting for a caseworker", "Åbne sager uden rådgiver"
    ),
    Metric("temporary_fte", "stock", "FTE", "Temporary caseworker FTEs", "Vikarer (årsværk)"),
    Metric("hours_acute", "count", "hours", "Caseworker hours: acute work", "Rådgivertimer: akutte opgaver"),
    Metric(
        "hours_screening", "count", "hours", "Caseworker hours: screening", "Rådgivertimer: vurdering af underretninger"
    ),
    Metric("hours_investigation", "count", "hours", "Caseworker hours: investigations", "Rådgivertimer: undersøgelser"),
    Metric("hours_review", "count", "hours", "Caseworker hours: reviews", "Rådgivertimer: opfølgninger"),
    Metric(
        "hours_ongoing", "count", "hours", "Caseworker hours: ongoing work with families",
        "Rådgivertimer: løbende sagsarbejde",
    ),
    Metric(
        "hours_per_case_per_month", "ratio", "hours per case and month", "Ongoing hours per case per month",
        "Løbende timer pr. sag pr. måned",
    ),
    Metric(  # a duration within the year (0-12), the same at any size: a ratio, not a count that grows
        "overload_months", "ratio", "months", "Months the department was overloaded", "Måneder med overbelastning"
    ),
    Metric(
        "reviews_stretched", "count", "reviews", "Reviews after which the next was postponed",
        "Opfølgninger hvor den næste blev udskudt",
    ),
    Metric("caseworker_leavers", "count", "caseworkers", "Caseworkers who left", "Rådgivere der er fratrådt"),
    Metric("vacant_fte", "stock", "FTE", "Vacant caseworker posts (FTE)", "Ubesatte rådgiverstillinger (årsværk)"),
    Metric(
        "induction_fte", "stock", "FTE", "Caseworkers in induction (FTE)", "Rådgivere under oplæring (årsværk)"
    ),
    Metric(
        "family_hours_per_case", "ratio", "hours per case and month",
        "Hours with the families per case per month (after mandatory tasks)",
        "Timer med familierne pr. sag pr. måned (efter lovpligtige opgaver)",
    ),
    Metric("cost", "money", "DKK", "Cost (DKK): {}", "Udgift (kr.): {}", per_step=True),
    Metric("cost_caseworkers", "money", "DKK", "Cost of caseworkers (DKK)", "Udgift til rådgivere (kr.)"),
    Metric("cost_policy", "money", "DKK", "Cost of policy measures (DKK)", "Udgift til politiske tiltag (kr.)"),
    Metric("cost_diversion", "money", "DKK", "Cost of support instead of placement (DKK; part of the steps' costs)",
           "Udgift til støtte i stedet for anbringelse (kr.; del af trinnenes udgifter)"),
    Metric("cost_total", "money", "DKK", "Total cost (DKK)", "Samlede udgifter (kr.)"),
    Metric("cost_per_child_0_17", "money", "DKK per resident", "Cost per resident aged 0-17 (DKK)",
           "Udgift pr. borger 0-17 år (kr.)", per_capita=True),
    Metric("budget_overrun_prob", "share", "share", "Chance of overrunning the budget",
           "Sandsynlighed for budgetoverskridelse", in_history=False),
    # the children's course (docs/model.md, "Outcomes"): time on steps, stability, time in care, waiting, wellbeing
    Metric("child_years", "stock", "child-years", "Child-years on step: {}", "Barneår på trin: {}", per_step=True),
    Metric("placement_breakdowns", "count", "breakdowns", "Placement breakdowns", "Sammenbrud i anbringelser",
           better="lower"),
    Metric("breakdowns_per_100_placed_years", "ratio", "breakdowns per 100 child-years",
           "Breakdowns per 100 placed child-years", "Sammenbrud pr. 100 anbragte barneår", better="lower"),
    Metric("placement_type_changes_per_placed_year", "ratio", "changes per child-year",
           "Changes of placement type per placed child-year", "Skift af anbringelsestype pr. anbragt barneår",
           better="lower"),
    Metric("share_placed_all_year_changed_type", "share", "share",
           "Share of children placed all year who changed placement type",
           "Andel anbragt hele året der skiftede anbringelsestype", better="lower"),
    Metric("share_placed_1jan_left_by_31dec", "share", "share",
           "Share of children placed on 1 Jan who left care by 31 Dec",
           "Andel anbragt 1. jan. hvis anbringelse sluttede inden 31. dec."),
    Metric("share_placed_over_2_years", "share", "share", "Share of placed children placed over 2 years (31 Dec)",
           "Andel anbragte der har været anbragt over 2 år (31. dec.)"),
    Metric("months_in_care_of_leavers_median", "ratio", "months", "Months in care of children leaving care (median)",
           "Måneder anbragt for børn hvis anbringelse slutter (median)"),
    Metric("months_in_care_of_leavers_mean", "ratio", "months", "Months in care of children leaving care (mean)",
           "Måneder anbragt for børn hvis anbringelse slutter (gennemsnit)"),
    Metric("family_like_share", "share", "share", "Share of placed children in family-like care (31 Dec)",
           "Andel anbragte i familielignende anbringelser (31. dec.)", better="higher"),
    Metric("family_like_child_years", "stock", "child-years", "Child-years in family-like care",
           "Barneår i familielignende anbringelser", better="higher"),
    Metric("days_to_investigation_start_p50", "ratio", "days", "Days from notification to investigation start (median)",
           "Dage fra underretning til undersøgelsens start (median)", better="lower"),
    Metric("days_to_investigation_start_p90", "ratio", "days",
           "Days from notification to investigation start (90th percentile)",
           "Dage fra underretning til undersøgelsens start (90 %-fraktil)", better="lower"),
    Metric("days_to_investigation_end_p50", "ratio", "days", "Days from notification to investigation end (median)",
           "Dage fra underretning til undersøgelsens afslutning (median)", better="lower"),
    Metric("days_to_investigation_end_p90", "ratio", "days",
           "Days from notification to investigation end (90th percentile)",
           "Dage fra underretning til undersøgelsens afslutning (90 %-fraktil)", better="lower"),
    Metric("good_wellbeing_child_years", "stock", "child-years",
           "Child-years in settings where children report good wellbeing (proxy)",
           "Barneår i anbringelsesformer hvor børn angiver god trivsel (indikator)"),
    Metric("good_wellbeing_share", "share", "share",
           "Share of placed child-years in settings where children report good wellbeing (proxy)",
           "Andel anbragte barneår i anbringelsesformer hvor børn angiver god trivsel (indikator)", better="higher"),
    Metric("reached_18", "count", "children", "Children with an open case who turned 18 on step: {}",
           "Børn med åben sag der fyldte 18 på trin: {}", per_step=True),
    Metric("reached_18_without_measure", "count", "children",
           "Children with an open case who turned 18 during their investigation (no measure)",
           "Børn med åben sag der fyldte 18 under undersøgelsen (ingen indsats)"),
)
_BY_NAME = {m.name: m for m in METRICS if not m.per_step}
_FAMILIES = {m.name: m for m in METRICS if m.per_step}
STEP_ID = re.compile(r"[a-z][a-z0-9_]*")

# the fixed (not per step) names a history can hold
FIXED_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if not m.per_step and m.in_history)
PER_STEP_PREFIXES: tuple[str, ...] = tuple(f"{m.name}." for m in METRICS if m.per_step)
POPULATION_METRICS: tuple[str, ...] = ("population_0_17", "population_0_22")


def metric(name: str) -> Metric | None:
    """The catalogue entry of a metric name (a family's entry for ``cost.<step>``), or None."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    prefix, dot, step = name.partition(".")
    if dot and prefix in _FAMILIES and STEP_ID.fullmatch(step):
        return _FAMILIES[prefix]
    return None


def kind(name: str) -> str | None:
    entry = metric(name)
    return entry.kind if entry else None


def is_share(name: str) -> bool:
    return kind(name) == "share"


def is_money(name: str) -> bool:
    return kind(name) == "money"


def better(name: str) -> str | None:
    """Which way is better for the children ("lower", "higher"), or None when the catalogue says neither."""
    entry = metric(name)
    return entry.better if entry else None


def is_ratio(name: str) -> bool:
    """A share, or an average per caseworker, child or case: independent of the municipality's size."""
    entry = metric(name)
    return entry is not None and (entry.kind in ("share", "ratio") or entry.per_capita)


def names(step_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Every metric a run of a scenario with these steps reports (the catalogue's order)."""
    out: list[str] = []
    for entry in METRICS:
        if not entry.in_history:
            continue
        if entry.per_step:
            out.extend(f"{entry.name}.{step}" for step in step_ids)
        else:
            out.append(entry.name)
    return out


def metric_problem(name: str) -> str | None:
    """Why ``name`` is not a metric a history can hold (with a suggestion), or None if it is one."""
    entry = metric(name)
    if entry is not None and entry.in_history:
        return None
    for prefix in PER_STEP_PREFIXES:
        if name.startswith(prefix):
            step = name[len(prefix):]
            return f"'{name}': '{step}' is not a step id (lower case letters, digits and _)"
    close = difflib.get_close_matches(name, FIXED_METRICS, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (docs/contract.md lists the metrics)"
    return f"unknown metric '{name}'{hint}"
