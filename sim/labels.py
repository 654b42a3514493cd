"""Labels in English and Danish for what a municipality reads: metrics, units, number formats."""

from __future__ import annotations

import math

from .scenario import Scenario

LANGS = ("en", "da")

_METRICS = {
    "population_0_17": ("Residents aged 0-17", "Borgere 0-17 år"),
    "population_0_22": ("Residents aged 0-22", "Borgere 0-22 år"),
    "notifications": ("Notifications", "Underretninger"),
    "children_notified": ("Children notified", "Underrettede børn"),
    "screenings_on_time_share": ("Share assessed within 24 hours", "Andel vurderet inden for 24 timer"),
    "investigations_started": ("Investigations started", "Børnefaglige undersøgelser startet"),
    "investigations_completed": ("Investigations completed", "Børnefaglige undersøgelser afsluttet"),
    "investigations_overdue_share": ("Share of investigations over 4 months", "Andel undersøgelser over 4 måneder"),
    "investigation_mean_days": ("Mean days per investigation", "Gennemsnitlige dage pr. undersøgelse"),
    "placements_started": ("Placements started", "Anbringelser startet"),
    "children_placed": ("Children placed (31 Dec)", "Anbragte børn (31. dec.)"),
    "children_preventive": ("Children in preventive measures (31 Dec)", "Børn i forebyggende indsatser (31. dec.)"),
    "open_cases": ("Open cases (31 Dec)", "Åbne sager (31. dec.)"),
    "reviews_on_time_share": ("Share of reviews on time", "Andel opfølgninger til tiden"),
    "caseworker_fte": ("Caseworker FTEs", "Rådgivere (årsværk)"),
    "caseload": ("Caseload (cases per caseworker)", "Sagstal (sager pr. rådgiver)"),
    "cost_caseworkers": ("Cost of caseworkers (DKK)", "Udgift til rådgivere (kr.)"),
    "cost_policy": ("Cost of policy measures (DKK)", "Udgift til politiske tiltag (kr.)"),
    "cost_total": ("Total cost (DKK)", "Samlede udgifter (kr.)"),
    "cost_per_child_0_17": ("Cost per resident aged 0-17 (DKK)", "Udgift pr. borger 0-17 år (kr.)"),
}
_PREFIXES = {
    "measures_started": ("Measures started: {}", "Indsatser startet: {}"),
    "stock": ("Children on step (31 Dec): {}", "Børn på trin (31. dec.): {}"),
    "cost": ("Cost (DKK): {}", "Udgift (kr.): {}"),
}

TEXT = {
    "report_title": ("boernesim report", "boernesim-rapport"),
    "scenario": ("Scenario", "Scenarie"),
    "year": ("Year", "År"),
    "metric": ("Metric", "Nøgletal"),
    "mean": ("Mean", "Gennemsnit"),
    "median": ("Median", "Median"),
    "band_90": ("5-95 % of runs", "5-95 % af kørslerne"),
    "band_50": ("25-75 % of runs", "25-75 % af kørslerne"),
    "key_figures": ("Key figures", "Nøgletal"),
    "assumptions": ("Assumptions (the resolved scenario)", "Forudsætninger (det samlede scenarie)"),
    "runs": ("replications", "kørsler"),
    "intro": (
        "Projection of {name} for {first}-{last}, {reps} simulated replications (seed {seed}). "
        "In {last}, total cost is {cost} (median; 90 % of runs between {lo} and {hi}), "
        "with {placed} children placed at year end.",
        "Fremskrivning af {name} for {first}-{last}, {reps} simulerede kørsler (seed {seed}). "
        "I {last} er de samlede udgifter {cost} (median; 90 % af kørslerne mellem {lo} og {hi}), "
        "med {placed} anbragte børn ved årets udgang.",
    ),
    "figures": ("Figures", "Figurer"),
    "what_model": (
        "Bands show the spread over simulated replications: the chance variation of a municipality of this "
        "size under the scenario's assumptions. They do not include uncertainty about the assumptions "
        "themselves (see the sensitivity analysis).",
        "Båndene viser spredningen over de simulerede kørsler: den tilfældige variation for en kommune af "
        "denne størrelse under scenariets forudsætninger. De omfatter ikke usikkerheden om selve "
        "forudsætningerne (se følsomhedsanalysen).",
    ),
}


def text(key: str, lang: str) -> str:
    return TEXT[key][LANGS.index(lang)]


def metric_label(metric: str, lang: str, scenario: Scenario | None = None) -> str:
    i = LANGS.index(lang)
    if metric in _METRICS:
        return _METRICS[metric][i]
    prefix, _, step_id = metric.partition(".")
    if prefix in _PREFIXES:
        name = step_id
        if scenario is not None:
            try:
                st = scenario.step(step_id)
                name = st.label_da if lang == "da" else st.label_en
            except KeyError:
                pass
        return _PREFIXES[prefix][i].format(name)
    return metric


def format_number(x: float, lang: str, money: bool = False) -> str:
    """12.5 mio. kr. / DKK 12.5 m for money; thousands separators for counts; Danish decimal comma."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if money:
        if abs(x) >= 1e6:
            s = f"{x / 1e6:,.1f}"
            return (_da(s) + " mio. kr.") if lang == "da" else f"DKK {s} m"
        s = f"{x:,.0f}"
        return (_da(s) + " kr.") if lang == "da" else f"DKK {s}"
    s = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"
    return _da(s) if lang == "da" else s


def _da(s: str) -> str:
    """1,234.5 -> 1.234,5"""
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
