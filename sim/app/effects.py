"""What a policy does to this municipality, in the user's own words: each lever's setting before and after
('34,2 → 39,2 rådgivere (årsværk) (+5)', 'Plejefamilie: pris 470.000 → 520.000 kr. pr. år'), from the lever
registry's own replay (``sim.model.levers.lever_effects``, what ``boernesim validate`` prints), so the page
shows what the model will run, after any earlier lever on the same setting.
"""

from __future__ import annotations

import datetime as dt

from sim.app.building import check
from sim.model.levers import LeverEffect, lever_effects, step_setting
from sim.model.scenario import Scenario
from sim.outputs.labels import (
    format_percent,
    format_setting_value,
    lever_effect_line,
    step_label,
)

# setting -> (unit kind, English words, Danish words); {b} and {a} are the values before and after.
# Kinds: "count" (as the scenario holds it, e.g. 34,2), "money" (whole kroner), "share" (per cent).
SETTING_WORDS: dict[str, tuple[str, str, str]] = {
    "caseworkers.fte": ("count", "{b} → {a} caseworkers (FTEs)", "{b} → {a} rådgivere (årsværk)"),
    "caseworkers.productive_hours_per_week": (
        "count", "productive hours per caseworker a week {b} → {a}",
        "produktive timer pr. rådgiver pr. uge {b} → {a}"),
    "screening.hours": ("count", "hours per screening {b} → {a}", "timer pr. screening {b} → {a}"),
    "investigation.hours": ("count", "hours per investigation {b} → {a}", "timer pr. undersøgelse {b} → {a}"),
    "reviews.hours": ("count", "hours per review {b} → {a}", "timer pr. opfølgning {b} → {a}"),
    "reviews.interval_months": ("count", "a review every {b} → {a} months", "opfølgning hver {b} → {a} måneder"),
    "reviews.first_after_months": ("count", "first review after {b} → {a} months",
                                   "første opfølgning efter {b} → {a} måneder"),
    "reviews.step_down_share": ("share", "stepped down at a review {b} → {a}",
                                "trappet ned ved en opfølgning {b} → {a}"),
    "screening.share_closed_after_advice": ("share", "notifications closed after advice {b} → {a}",
                                            "underretninger lukket efter rådgivning {b} → {a}"),
    "screening.share_early_measure": ("share", "early measure after screening {b} → {a}",
                                      "tidlig indsats efter screening {b} → {a}"),
    "notifications.per_1000_aged_0_17": ("count", "notifications per 1,000 children {b} → {a}",
                                         "underretninger pr. 1.000 børn {b} → {a}"),
    "notifications.trend_per_year": ("share", "notification trend per year {b} → {a}",
                                     "årlig udvikling i underretninger {b} → {a}"),
    "notifications.share_about_known_children": ("share", "notifications about known children {b} → {a}",
                                                 "underretninger om kendte børn {b} → {a}"),
    "diversion.share": ("share", "intensive home support instead of placement {b} → {a}",
                        "intensiv støtte i hjemmet i stedet for anbringelse {b} → {a}"),
    "diversion.failure_rate_per_year": ("count", "home support failing, per year {b} → {a}",
                                        "støtte i hjemmet der mislykkes, pr. år {b} → {a}"),
    "time_limited_stays.success_share": ("share", "institutional stays ending with a step down {b} → {a}",
                                         "institutionsophold der slutter med nedtrapning {b} → {a}"),
    "demand.need_trend_per_year": ("share", "children with a real need, growth per year {b} → {a}",
                                   "børn med et reelt behov, årlig vækst {b} → {a}"),
    "demand.triage_accuracy": ("share", "triage accuracy {b} → {a}", "træfsikkerhed i visitationen {b} → {a}"),
}
STEP_FIELD_WORDS: dict[str, tuple[str, str, str]] = {
    "uptake_share": ("share", "{step}: uptake {b} → {a}", "{step}: andel {b} → {a}"),
    "capacity": ("count", "{step}: {b} → {a} places", "{step}: {b} → {a} pladser"),
    "price_per_year_dkk": ("money", "{step}: price {b} → {a} DKK a year", "{step}: pris {b} → {a} kr. pr. år"),
    "breakdown_rate_per_year": ("count", "{step}: breakdowns per year {b} → {a}",
                                "{step}: sammenbrud pr. år {b} → {a}"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
}
WORDS = {  # (English, Danish)
    "from": ("from", "fra"),
    "over": ("phased in over {months} months", "indfaset over {months} måneder"),
    "unlimited": ("unlimited", "ubegrænset"),
}


def _w(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "en" else 1]


def long_date(day: dt.date, lang: str) -> str:
    """1 January 2027 / 1. januar 2027."""
    month = MONTHS[lang][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def format_value(x: float | None, kind: str, lang: str) -> str:
    """A setting's value in the unit a user reads: 34,2; 470.000; 35 %; None is unlimited (a capacity)."""
    if x is None:
        return _w("unlimited", lang)
    if kind == "share":
        return format_percent(x, lang, digits=0 if round(100 * x, 1) == round(100 * x) else 1)
    if kind == "money":
        return format_setting_value(round(x), lang)
    return format_setting_value(round(x, 2), lang)


def _difference(effect: LeverEffect, kind: str, lang: str) -> str:
    """'(+5)', '(−50.000)', '(+10 %-point)'; empty when nothing is known or nothing changes."""
    if effect.before is None or effect.after is None or effect.after == effect.before:
        return ""
    diff = effect.after - effect.before
    if kind == "share":
        shown = format_setting_value(round(100 * diff, 1), lang) + (" pp" if lang == "en" else " %-point")
    else:
        shown = format_value(diff, kind, lang)
    sign = "+" if diff > 0 else ""
    return f" ({sign}{'−' + shown[1:] if shown.startswith('-') else shown})"


def _words(setting: str) -> tuple[str, str, str, str | None] | None:
    """(kind, English, Danish, step id) for a setting, or None when it has no words here."""
    on_step = step_setting(setting)
    if on_step is not None:
        kind, en, da = STEP_FIELD_WORDS[on_step[1]]
        return kind, en, da, on_step[0]
    if setting in SETTING_WORDS:
        kind, en, da = SETTING_WORDS[setting]
        return kind, en, da, None
    return None


def effect_line(effect: LeverEffect, scenario: Scenario, lang: str) -> str:
    """One lever's change in the user's words, with when it starts and how long it is phased in."""
    words = _words(effect.setting)
    if words is None:
        return lever_effect_line(effect, lang)  # a setting without words: as ``boernesim validate`` says it
    kind, en, da, step = words
    template = en if lang == "en" else da
    line = template.format(b=format_value(effect.before, kind, lang), a=format_value(effect.after, kind, lang),
                           step=step_label(step, lang, scenario) if step else "")
    line += _difference(effect, kind, lang)
    when = f"{_w('from', lang)} {long_date(effect.start, lang)}"
    if effect.ramp_months > 0:
        when += ", " + _w("over", lang).format(months=format_setting_value(effect.ramp_months, lang))
    return f"{line}, {when}"


def _leaves(mapping: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_leaves(value, path + "."))
        else:
            out[path] = value
    return out


NOT_SETTINGS = ("name", "description", "caveats", "levers", "label", "extends")


def setting_changes(municipality: dict, policy: dict, lang: str) -> list[str]:
    """The plain settings (not levers) a policy sets differently from the municipality, from the first year:
    'årlig udvikling i underretninger 0 % → 9,2 %' (a shipped policy such as rising notifications)."""
    before, after = _leaves(municipality), _leaves(policy)
    lines = []
    for path, value in after.items():
        if path.split(".")[0] in NOT_SETTINGS or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        old = before.get(path)
        if not isinstance(old, (int, float)) or old == value:
            continue
        words = SETTING_WORDS.get(path)
        if words is None:
            lines.append(f"{path}: {format_setting_value(old, lang)} → {format_setting_value(value, lang)}")
            continue
        kind, en, da = words
        template = en if lang == "en" else da
        lines.append(template.format(b=format_value(old, kind, lang), a=format_value(value, kind, lang)))
    return lines


def policy_effects(raw: dict, lang: str) -> list[str]:
    """Each lever of a scenario mapping as it changes this municipality; none when the mapping is not a
    valid scenario (the page shows its errors instead) or has no levers."""
    scenario = check(raw).scenario
    if scenario is None:
        return []
    return [effect_line(effect, scenario, lang) for effect in lever_effects(scenario)]
