"""The first screen's one line per policy: the net saving in millions with its band, the chance of a saving, the
change for the children that matters most (a clear worse before a clear better), a marker for a warning; and the
horizon's years written once ("In 2027", never "2027–2027")."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from synthetic import synthetic_result

import sim
from sim.analysis.economics import ECONOMICS_COLUMNS, paired_differences
from sim.analysis.outcomes import OUTCOME_COLUMNS, outcome_changes
from sim.analysis.summary import summarise
from sim.outputs.labels import MINUS, metric_label, over_years, text, year_span
from sim.outputs.notes import KINSHIP_METRIC, KINSHIP_SHARE_OBSERVED_MAX
from sim.outputs.report import answer_lines, write_report
from sim.outputs.report.answer_line import WARNING_MARK, children_change
from sim.runs.runner import with_horizon

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_danish_output import english_in, visible_text  # noqa: E402 - the one list of offenders

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _outcome(alt: str, metric: str, verdict: str, diff: float) -> dict:
    return {"scenario": alt, "baseline": "baseline", "metric": metric, "aggregate": "sum", "base_mean": 10.0,
            "diff_mean": diff, "diff_p05": diff - 1.0 if diff else -1.0, "diff_p95": diff + 0.5 if diff else 1.0,
            "better": "lower", "verdict": verdict}


OUTCOMES = pd.DataFrame([
    # "mixed": better on the first headline outcome, worse on two later ones
    _outcome("mixed", "placement_breakdowns", "better", -3.0),
    _outcome("mixed", "inquiries_closed_with_need", "worse", 12.0),
    _outcome("mixed", "good_wellbeing_share", "worse", -0.02),
    _outcome("kind", "placement_breakdowns", "no_clear_change", 0.0),
    _outcome("kind", "days_to_investigation_end_p90", "better", -4.0),
    _outcome("quiet", "placement_breakdowns", "no_clear_change", 0.0),
    _outcome("quiet", "family_like_share", "no_clear_change", 0.0),
], columns=OUTCOME_COLUMNS)


def _economics(alts, npv=12.34e6, lo=-3.1e6, hi=25.0e6, prob=0.8) -> pd.DataFrame:
    rows = [{"scenario": a, "baseline": "baseline", "discount_rate": 0.035, "npv_dkk": npv, "npv_p05_dkk": lo,
             "npv_p95_dkk": hi, "break_even_year": 2029, "prob_net_saving": prob, "price_year": 2025} for a in alts]
    return pd.DataFrame(rows).reindex(columns=ECONOMICS_COLUMNS)


def _results(names):
    base = with_horizon(sim.load_scenario(BASELINE), 2)
    return [synthetic_result(base.model_copy(update={"name": n, "label": None}) if n != "baseline" else base, 1.0)
            for n in names]


def _summary(kinship: dict[str, float]) -> pd.DataFrame:
    rows = [{"scenario": s, "year": 2028, "metric": KINSHIP_METRIC, "mean": v, "p05": v, "p50": v, "p95": v}
            for s, v in kinship.items()]
    return pd.DataFrame(rows, columns=["scenario", "year", "metric", "mean", "p05", "p50", "p95"])


def test_a_clear_worse_outcome_comes_before_a_clear_better_one():
    mixed = children_change(OUTCOMES, "mixed")
    assert mixed["verdict"] == "worse"
    assert mixed["metric"] == "inquiries_closed_with_need"  # of two worse, the earlier in the headline order
    assert children_change(OUTCOMES, "kind")["metric"] == "days_to_investigation_end_p90"
    assert children_change(OUTCOMES, "quiet") is None


@pytest.mark.parametrize("lang", ["en", "da"])
def test_each_line_says_the_childrens_change_in_words(lang):
    names = ["baseline", "mixed", "kind", "quiet"]
    lines = {line.scenario: line for line in answer_lines(_results(names), _summary({}), lang,
                                                          _economics(names[1:]), OUTCOMES)}
    worse = text("line_worse", lang).split(":")[0]
    assert worse in lines["mixed"].rest and metric_label("inquiries_closed_with_need", lang) in lines["mixed"].rest
    assert metric_label("placement_breakdowns", lang) not in lines["mixed"].rest
    assert text("line_better", lang).split(":")[0] in lines["kind"].rest
    assert lines["quiet"].rest.endswith(text("line_no_clear_change", lang))


@pytest.mark.parametrize(("lang", "npv", "band", "chance"), [
    ("en", "net saving 12.3 m DKK", f"(5-95 %: {MINUS}3.1 to 25.0)", "chance of a net saving 80 %"),
    ("da", "nettobesparelse 12,3 mio. kr.", f"(5-95 %: {MINUS}3,1 til 25,0)", "sandsynlighed for nettobesparelse 80 %"),
])
def test_the_line_gives_the_npv_in_millions_with_its_band_and_the_chance(lang, npv, band, chance):
    line = answer_lines(_results(["baseline", "mixed"]), _summary({}), lang, _economics(["mixed"]), OUTCOMES)[0]
    assert str(line).startswith(f"mixed: {npv} {band}")
    assert chance in line.rest
    assert not line.warnings and WARNING_MARK not in str(line)
    if lang == "da":
        assert english_in(str(line).replace("mixed", "")) == []


def test_a_loss_is_a_negative_saving():
    line = answer_lines(_results(["baseline", "mixed"]), _summary({}), "en",
                        _economics(["mixed"], npv=-9e6, lo=-10e6, hi=-8e6, prob=0.0), None)[0]
    assert line.parts[0] == f"net saving {MINUS}9.0 m DKK (5-95 %: {MINUS}10.0 to {MINUS}8.0)"
    assert line.parts[1] == "chance of a net saving 0 %"
    assert len(line.parts) == 2  # no outcomes measured: nothing said about the children


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_kinship_share_outside_danish_experience_is_marked(lang):
    names = ["baseline", "mixed", "kind"]
    share = {"mixed": KINSHIP_SHARE_OBSERVED_MAX + 0.1, "kind": KINSHIP_SHARE_OBSERVED_MAX - 0.1}
    lines = answer_lines(_results(names), _summary(share), lang, _economics(names[1:]), OUTCOMES)
    assert lines[0].warnings == (text("line_kinship", lang),)
    assert str(lines[0]).endswith(f"{WARNING_MARK} {text('line_kinship', lang)}")
    assert lines[1].warnings == ()


@pytest.mark.parametrize(("first", "last", "span", "en", "da"), [
    (2027, 2027, "2027", "In 2027", "I 2027"),
    (2027, 2029, "2027–2029", "Over 2027–2029", "I 2027–2029"),
])
def test_a_horizon_is_written_as_its_years(first, last, span, en, da):
    assert year_span(first, last) == span
    assert (over_years(first, last, "en"), over_years(first, last, "da")) == (en, da)


# ---------------------------------------------------------------- the page


def _page_of_a_real_shape(tmp_path: Path, lang: str, years: int) -> str:
    """A baseline and two policies over ``years`` years with outcomes measured: the one that saves and moves
    children out of family-like care, and the one that costs more."""
    metrics = {"cost_total": 4e8, "children_placed": 300.0, "placement_breakdowns": 20.0,
               "family_like_share": 0.5, "inquiries_closed_with_need": 30.0}
    base = with_horizon(sim.load_scenario(BASELINE), years)
    results = [synthetic_result(base, 1.0, metrics, replications=4)] + [
        synthetic_result(base.model_copy(update={"name": a, "label": None}), level, metrics, replications=4)
        for a, level in (("saves", 0.98), ("costs", 1.03))]
    table = pd.concat([r.table for r in results], ignore_index=True)
    economics = _economics(["saves", "costs"])
    economics.loc[1, ["npv_dkk", "npv_p05_dkk", "npv_p95_dkk", "prob_net_saving"]] = [-9e6, -10e6, -8e6, 0.0]
    return write_report(tmp_path, results, summarise(table), lang, comparison=paired_differences(table, "baseline"),
                        economics=economics, outcomes=outcome_changes(table, "baseline")).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_first_screen_has_the_lines_then_the_childrens_table_and_the_answers_folded_below(tmp_path, lang):
    page = _page_of_a_real_shape(tmp_path, lang, 2)
    lines = page.index('<ul class="answer-lines">')
    children = page.index(f"<h2>{text('sec_outcomes', lang)}</h2>")
    economics = page.index(f"<h2>{text('sec_economics', lang)}</h2>")
    in_full = page.index(f"<h2>{text('sec_answers_in_full', lang)}</h2>")
    assert lines < children < economics < in_full
    first = html.unescape(re.search(r"<li>(.*?)</li>", page[lines:]).group(1))
    # less family-like care is worse for the children, and it is said before the fewer breakdowns (better)
    assert text("line_worse", lang).split(":")[0] in first and metric_label("family_like_share", lang) in first
    for alt in ("saves", "costs"):
        folded = page.index(f'<details class="answer"><summary>{alt}</summary>')
        assert in_full < folded and "<details open" not in page[folded:page.index("</details>", folded)]
    assert re.search(r"@media print\{details::details-content\{content-visibility:visible", page)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_one_year_horizon_reads_in_that_year(tmp_path, lang):
    page = html.unescape(_page_of_a_real_shape(tmp_path, lang, 1))
    year = sim.load_scenario(BASELINE).calendar.start_year
    assert f"{year}–{year}" not in page and f"{year}-{year}" not in page
    assert f"{over_years(year, year, lang)} sparer" in page if lang == "da" else f"In {year}, saves" in page


def test_the_danish_first_screen_and_answers_have_no_english(tmp_path):
    page = _page_of_a_real_shape(tmp_path, "da", 2)
    top = page[:page.index(f"<h2>{text('sec_projection', 'da')}</h2>")]
    words = visible_text(top).replace("saves", "").replace("costs", "")  # the policies' names in the test
    assert english_in(words) == []


@pytest.mark.parametrize(("lang", "fixed", "precise"), [
    ("en", "chance of a net saving 80 % (20 runs)", "chance of a net saving 80 % (± 4.6 points, 100 runs)"),
    ("da", "sandsynlighed for nettobesparelse 80 % (20 kørsler)",
     "sandsynlighed for nettobesparelse 80 % (± 4,6 procentpoint, 100 kørsler)"),
])
def test_the_chance_says_how_many_runs_it_rests_on(lang, fixed, precise):
    """A chance from 20 runs and one from a run to a precision do not read alike: the runs, and the Monte Carlo
    error where the run was to a precision."""
    economics = _economics(["mixed"]).assign(replications=20)
    line = answer_lines(_results(["baseline", "mixed"]), _summary({}), lang, economics, None)[0]
    assert line.parts[1] == fixed
    economics = economics.assign(replications=100, prob_mc_error=0.0456)
    line = answer_lines(_results(["baseline", "mixed"]), _summary({}), lang, economics, None)[0]
    assert line.parts[1] == precise
