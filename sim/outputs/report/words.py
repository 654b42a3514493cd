"""The answer in plain words: the report's first paragraph (``lead_sentences``), which the app shows too, and
the notes beside it (prices, assumptions held at the scenario's value)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from sim.model.scenario import Scenario
from sim.outputs.labels import (
    format_money_range,
    format_number,
    format_percent,
    over_years,
    scenario_label,
    text,
    year_span,
)
from sim.outputs.notes import closed_with_need_more, scenario_notes
from sim.outputs.report.formats import format_difference, range_value, rate_text, whole_number, year_or_none
from sim.runs.runner import RunResult


def intro_sentence(summary: pd.DataFrame, result: RunResult, lang: str) -> str:
    s = result.scenario
    last = summary[(summary["scenario"] == s.name) & (summary["year"] == s.end_year)].set_index("metric")

    def get(metric: str, col: str) -> float:
        return float(last.loc[metric, col]) if metric in last.index else float("nan")

    return text("intro", lang).format(
        name=s.label_in(lang),
        first=s.calendar.start_year,
        last=s.end_year,
        years=year_span(s.calendar.start_year, s.end_year),
        reps=result.replications,
        seed=result.seed,
        cost=format_number(get("cost_total", "p50"), lang, money=True),
        lo=format_number(get("cost_total", "p05"), lang, money=True),
        hi=format_number(get("cost_total", "p95"), lang, money=True),
        placed=format_number(get("children_placed", "p50"), lang),
    )


def runs_of_ten(prob: float, lang: str) -> str:
    """0.8 -> '8 of 10 runs'; near-certain and near-impossible shares are not rounded to all or none."""
    p = float(prob)
    if p >= 1.0:
        return text("runs_all", lang)
    n = int(math.floor(10 * p + 0.5))
    if n >= 10:
        return text("runs_almost_all", lang)
    if n == 0 and p > 0:
        return text("runs_few", lang)
    return text("runs_of_10", lang).format(n=n)


def horizon_years(name: str, by_name: Mapping[str, Scenario], comparison: pd.DataFrame | None) -> tuple[int, int]:
    s = by_name.get(name)
    if s is not None:
        return s.calendar.start_year, s.end_year
    if comparison is not None and not comparison.empty:
        years = comparison.loc[comparison["scenario"] == name, "year"]
        if not years.empty:
            return int(years.min()), int(years.max())
    return 0, 0


def economics_sentence(
    row: Mapping, first: int, last: int, lang: str, by_name: Mapping[str, Scenario] | None = None,
    closed_with_need_more: float = math.nan,
) -> str:
    """The answer for one alternative in plain words (plain text; names are not escaped), each scenario by its
    label in the language when ``by_name`` knows it. A saving that comes with ``closed_with_need_more`` more
    inquiries a year closed while the child has a real need (``sim.outputs.notes.closed_with_need_more``) says so
    in the same first sentence."""
    npv, lo, hi = row["npv_dkk"], row["npv_p05_dkk"], row["npv_p95_dkk"]
    common = {"first": first, "last": last, "over": over_years(first, last, lang),
              "alt": scenario_label(row["scenario"], lang, by_name),
              "base": scenario_label(row["baseline"], lang, by_name)}
    common["rate"] = rate_text(row.get("discount_rate"), lang)
    price_year = year_or_none(row.get("price_year"))
    common["prices"] = text("in_prices", lang).format(year=price_year) if price_year is not None else ""
    if pd.isna(npv) or float(npv) >= 0:
        lo_s, hi_s = format_money_range(lo, hi, lang)
        if math.isnan(closed_with_need_more):
            s = text("lead_saves", lang).format(npv=format_number(npv, lang, money=True), lo=lo_s, hi=hi_s, **common)
        else:
            s = text("lead_saves_need", lang).format(npv=format_number(npv, lang, money=True), lo=lo_s, hi=hi_s,
                                                     n=whole_number(round(closed_with_need_more), lang), **common)
    else:
        lo_s, hi_s = format_money_range(-float(hi), -float(lo), lang)
        s = text("lead_costs", lang).format(
            npv=format_number(-float(npv), lang, money=True), lo=lo_s, hi=hi_s, **common
        )
    prob = row.get("prob_net_saving")
    year = year_or_none(row.get("break_even_year"))
    if prob is None or pd.isna(prob):
        s += text("lead_break_even", lang).format(year=year) if year else text("lead_no_break_even_none", lang)
        return s
    if float(prob) <= 0:
        s += text("lead_runs_none", lang).format(last=last)
    else:
        s += text("lead_runs", lang).format(runs=runs_of_ten(prob, lang), last=last)
    if year is not None:
        s += text("lead_break_even", lang).format(year=year)
    elif float(prob) <= 0:
        s += "."
    else:
        s += text("lead_no_break_even", lang)
    return s + precision_sentence(row, lang)


def precision_sentence(row: Mapping, lang: str) -> str:
    """How sure the chance of a saving is: a run to a precision's errors, else the chance's 95 % interval when it
    is wider than 5 points; and whether the assumptions were held fixed; empty for an economics row without those
    columns."""
    from sim.analysis.uncertainty import TARGET_MARGIN

    out = stated_precision_sentence(row, lang)
    lo, hi, n = row.get("prob_net_saving_low"), row.get("prob_net_saving_high"), row.get("replications")
    prob = row.get("prob_net_saving")
    # A run to a precision has said its chance's error already; a second interval beside it would only confuse.
    if not out and not any(v is None or pd.isna(v) for v in (lo, hi, n, prob)) \
            and max(prob - lo, hi - prob) > TARGET_MARGIN:
        out += text("lead_precision", lang).format(
            n=int(n), lo=format_percent(lo, lang), hi=format_percent(hi, lang),
            need=whole_number(row.get("replications_for_prob_within_5pp"), lang))
    drawn = row.get("assumptions_drawn")
    if drawn is not None and not pd.isna(drawn) and not bool(drawn):
        out += text("lead_fixed_assumptions", lang)
    return out


def stated_precision_sentence(row: Mapping, lang: str) -> str:
    """A run to a precision (``--precision``): the runs and the Monte Carlo errors reached; at the cap a clear
    saving or cost where the NPV's 95 % interval excludes 0, "no clear saving" only where it does not; empty for
    any other run."""
    reached, n = row.get("precision_reached"), row.get("replications")
    if reached is None or pd.isna(reached) or n is None or pd.isna(n):
        return ""
    prob = row.get("prob_mc_error")
    points = "-" if prob is None or pd.isna(prob) else format_number(100 * float(prob), lang)
    npv = "±" + format_number(row.get("npv_mc_error_dkk"), lang, money=True)
    runs = whole_number(n, lang)
    if bool(reached):
        return text("lead_precision_reached", lang).format(n=runs, prob=points, npv=npv)
    clear, mean = row.get("npv_sign_clear"), row.get("npv_dkk")
    if clear is None or pd.isna(clear) or not bool(clear) or mean is None or pd.isna(mean):
        return text("lead_no_clear_saving", lang).format(n=runs, prob=points, npv=npv)
    return _clear_at_cap(row, lang, runs, points, npv, float(mean) > 0)


def _short(error, target, shown: str, runs: str, lang: str) -> str:
    """", not to ±10 M DKK within 150 runs" when ``error`` is above ``target`` (empty when within it)."""
    if error is None or target is None or pd.isna(error) or pd.isna(target) or float(error) <= float(target):
        return ""
    return text("not_within_runs", lang).format(target=shown, n=runs)


def _points(x: float, lang: str) -> str:
    """3.0 -> '3', 2.5 -> '2.5' ('2,5' in Danish): a stated target as it was stated."""
    shown = f"{x:.1f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "da" else shown


def _clear_at_cap(row: Mapping, lang: str, runs: str, points: str, npv: str, saving: bool) -> str:
    """At the cap with the NPV's sign clear: the saving or cost is clear, with what was not pinned by the cap."""
    npv_target = row.get("npv_mc_target_dkk")
    prob_target = row.get("prob_mc_target")
    npv_short = _short(row.get("npv_mc_error_dkk"), npv_target, "±" + format_number(npv_target, lang, money=True),
                       runs, lang)
    unit = " procentpoint" if lang == "da" else " percentage points"
    prob_shown = "-" if prob_target is None or pd.isna(prob_target) else \
        "±" + _points(100 * float(prob_target), lang) + unit
    prob_short = _short(row.get("prob_mc_error"), prob_target, prob_shown, runs, lang)
    key = "lead_clear_saving_at_cap" if saving else "lead_clear_cost_at_cap"
    return text(key, lang).format(n=runs, prob=points, npv=npv, npv_short=npv_short, prob_short=prob_short,
                                  chance=format_percent(row.get("prob_net_saving"), lang))


def assumption_label(row: Mapping, lang: str) -> str:
    """An assumption's name in the answer: its label in the language, else its key path."""
    label = row.get(f"label_{lang}") or row.get("label_en")
    return str(label) if isinstance(label, str) and label else str(row["path"])


def rests_on_sentence(effects: pd.DataFrame | None, alternative: str, baseline: str, lang: str) -> str:
    """The assumption the alternative's NPV goes with most, its grade, and the NPV at its two ends."""
    if effects is None or effects.empty:
        return ""
    from sim.analysis.uncertainty import SIGNIFICANCE

    mine = effects[(effects["scenario"] == alternative) & (effects["baseline"] == baseline)]
    if mine.empty:
        return ""
    standing_out = mine[mine["p_value"] < SIGNIFICANCE]
    if standing_out.empty:
        return text("lead_rests_on_none", lang)
    top = standing_out.sort_values("share_of_variance", ascending=False, kind="mergesort").iloc[0].to_dict()
    return text("lead_rests_on", lang).format(
        label=assumption_label(top, lang), grade=text(f"grade_{top['grade']}", lang),
        share=format_percent(top["share_of_variance"], lang),
        npv_low=format_number(top["npv_at_low_dkk"], lang, money=True), low=range_value(top["low"], lang),
        npv_high=format_number(top["npv_at_high_dkk"], lang, money=True), high=range_value(top["high"], lang))


def lead_sentences(
    results: Sequence[RunResult],
    summary: pd.DataFrame,
    lang: str,
    comparison: pd.DataFrame | None = None,
    economics: pd.DataFrame | None = None,
    assumption_effects: pd.DataFrame | None = None,
) -> list[str]:
    """The report's first paragraph, sentence by sentence (plain text)."""
    by_name = {r.scenario.name: r.scenario for r in results}
    if economics is not None and not economics.empty:
        out = []
        order = list(by_name)
        groups = sorted(
            economics.groupby(["scenario", "baseline"], sort=False),
            key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order else len(order),
        )
        for _, group in groups:
            row = group.iloc[0].to_dict()  # the first discount rate given is the headline; the table shows all
            first, last = horizon_years(row["scenario"], by_name, comparison)
            if pd.isna(row.get("price_year", float("nan"))) and row["scenario"] in by_name:
                row["price_year"] = by_name[row["scenario"]].price_year  # money is in the scenario's price year
            more = closed_with_need_more(comparison, summary, row["scenario"], row["baseline"])
            saves = pd.isna(row["npv_dkk"]) or float(row["npv_dkk"]) >= 0
            notes = scenario_notes(row["scenario"], by_name, summary, lang, comparison, row["baseline"],
                                   need_said=saves and not math.isnan(more))
            out.append(economics_sentence(row, first, last, lang, by_name, more)
                       + rests_on_sentence(assumption_effects, row["scenario"], row["baseline"], lang) + notes)
        return out
    if comparison is not None and not comparison.empty:
        out = []
        totals = comparison[comparison["metric"] == "cost_total"]
        for (alt, base), group in totals.groupby(["scenario", "baseline"], sort=False):
            first, last = horizon_years(alt, by_name, comparison)
            diff = format_difference(float(group["diff_mean"].sum()), "cost_total", lang)
            notes = scenario_notes(alt, by_name, summary, lang, comparison, base)
            sentence = text("lead_diff_only", lang).format(
                first=first, last=last, over=over_years(first, last, lang), alt=scenario_label(alt, lang, by_name),
                base=scenario_label(base, lang, by_name), diff=diff)
            out.append(sentence + notes)
        if out:
            return out
    return [intro_sentence(summary, r, lang) + scenario_notes(r.scenario.name, by_name, summary, lang) for r in results]


def prices_note(scenario: Scenario, lang: str) -> str:
    """'Money is in 2025 prices: the model's 2019 prices times the ... index, 1.169.' (plain text)."""
    if scenario.price_year == scenario.calendar.base_year:
        return text("prices_note_base", lang).format(year=scenario.price_year)
    factor = f"{scenario.price_factor:.3f}"
    factor = factor.replace(".", ",") if lang == "da" else factor
    base = scenario.calendar.base_year
    return text("prices_note", lang).format(year=scenario.price_year, base=base, factor=factor)


def held_assumptions_note(results: Sequence[RunResult], lang: str) -> str:
    """Which listed assumptions a run held at the scenario's own value although it drew the others (a value set
    outside its range, such as a municipality's own price, or a part the scenario does not have); empty when
    none, or when the run held all of them (the first paragraph says so)."""
    from sim.outputs.files import assumptions_record

    held = []
    for r in results:
        if r.assumptions is None or not r.scenario.assumptions:
            continue
        for path in assumptions_record(r)["held"]:
            a = r.scenario.assumptions[path]
            label = assumption_label({'path': path, 'label_en': a.label_en, 'label_da': a.label_da}, lang)
            held.append(f"{r.scenario.label_in(lang)}: {label}")
    return text("held_assumptions", lang).format(held="; ".join(held)) if held else ""
