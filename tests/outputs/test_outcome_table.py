"""The answer's outcome table: what happens to the children comes before the money, with each change, its band
and a word that says better, worse or no clear change, in both languages; a saving that closes more children
with a real need says so in its first sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from synthetic import synthetic_result

import sim
from sim.analysis.economics import COMPARISON_COLUMNS, ECONOMICS_COLUMNS
from sim.analysis.outcomes import OUTCOME_COLUMNS
from sim.analysis.summary import summarise
from sim.outputs.labels import metric_label, text
from sim.outputs.report import lead_sentences, outcomes_display, write_report
from sim.runs.runner import with_horizon

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
ALT = "intake_like"


@pytest.fixture(scope="module")
def results():
    base = with_horizon(sim.load_scenario(BASELINE), 2)
    return [synthetic_result(base, 1.0),
            synthetic_result(base.model_copy(update={"name": ALT, "label": None}), 0.98)]


def _outcomes() -> pd.DataFrame:
    rows = [
        (ALT, "baseline", "inquiries_closed_with_need", "sum", 120.0, 40.0, 30.0, 50.0, "lower", "worse"),
        (ALT, "baseline", "placement_breakdowns", "sum", 6.0, -2.0, -3.0, -1.0, "lower", "better"),
        (ALT, "baseline", "family_like_share", "mean", 0.68, 0.001, -0.01, 0.012, "higher", "no_clear_change"),
    ]
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def _economics(npv: float) -> pd.DataFrame:
    row = {"scenario": ALT, "baseline": "baseline", "discount_rate": 0.035, "npv_dkk": npv, "npv_p05_dkk": npv * 0.5,
           "npv_p95_dkk": npv * 1.5, "break_even_year": 2028, "prob_net_saving": 1.0, "price_year": 2025}
    return pd.DataFrame([row]).reindex(columns=ECONOMICS_COLUMNS)


def _first_sentence(paragraph: str) -> str:
    """Up to the first full stop followed by a capital ("8,0 mio. kr. i" is not an end)."""
    return re.split(r"(?<=[.)])\s+(?=[A-ZÆØÅ])", paragraph, maxsplit=1)[0]


def _comparison(results, more_closed: float) -> pd.DataFrame:
    years = sorted(results[0].table["year"].unique())
    rows = [(ALT, "baseline", y, "inquiries_closed_with_need", more_closed, more_closed - 5, more_closed,
             more_closed + 5) for y in years]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_children_come_before_the_money(tmp_path, results, lang):
    table = pd.concat([r.table for r in results], ignore_index=True)
    page = write_report(tmp_path, results, summarise(table), lang, comparison=_comparison(results, 0.0),
                        economics=_economics(8e6), outcomes=_outcomes()).read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings.index(text("sec_outcomes", lang)) < headings.index(text("sec_economics", lang))
    section = page[page.index(text("sec_outcomes", lang)):page.index(text("sec_economics", lang))]
    assert metric_label("inquiries_closed_with_need", lang) in section.replace("&#x27;", "'")
    for word in ("verdict_worse", "verdict_better", "verdict_no_clear_change"):
        assert text(word, lang) in section, word
    assert "+40" in section and "▲" in section and "▼" in section  # a count: its change, up, with its arrow


def test_without_a_comparison_there_is_no_outcome_section(tmp_path, results):
    page = write_report(tmp_path, results[:1], summarise(results[0].table), "en").read_text(encoding="utf-8")
    assert text("sec_outcomes", "en") not in page


def test_the_display_shows_the_baselines_level_and_each_policys_change(results):
    shown = outcomes_display(_outcomes(), "da")
    assert list(shown.columns)[:2] == [text("col_outcome", "da"), text("col_level", "da").format(base="baseline")]
    closed = shown.iloc[0]
    assert closed.iloc[1] == "120"
    assert closed.iloc[2].startswith("▲ +40") and closed.iloc[2].endswith(text("verdict_worse", "da"))
    assert "[+30,0; +50,0]" in closed.iloc[2]  # Danish decimals and list separator
    share = shown.iloc[2]
    assert share.iloc[1] == "68,0 %" and text("percentage_points", "da") in share.iloc[0]
    assert share.iloc[2].startswith("●")


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_saving_that_closes_more_children_with_a_need_says_so_first(results, lang):
    table = pd.concat([r.table for r in results], ignore_index=True)
    summary = summarise(table)
    first = lead_sentences(results, summary, lang, _comparison(results, 20.0), _economics(8e6))[0]
    first = _first_sentence(first)
    assert text("lead_saves_need", lang).split("{n}")[1].split("(")[0].strip() in first  # the need, then the band
    assert "20" in first
    quiet = _first_sentence(lead_sentences(results, summary, lang, _comparison(results, 0.0), _economics(8e6))[0])
    assert text("lead_saves_need", lang).split("{n}")[1].split("(")[0].strip() not in quiet


def test_a_policy_that_costs_more_is_not_told_as_a_saving_with_a_need(results):
    table = pd.concat([r.table for r in results], ignore_index=True)
    lead = lead_sentences(results, summarise(table), "en", _comparison(results, 20.0), _economics(-8e6))[0]
    assert "costs" in _first_sentence(lead) and text("lead_saves_need", "en")[-30:] not in lead


@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_need_is_said_once_in_a_saving_and_after_a_cost(results, lang):
    table = pd.concat([r.table for r in results], ignore_index=True)
    summary = summarise(table)
    later = text("closed_with_need_more", lang).split("{n}")[0].strip()
    saving = lead_sentences(results, summary, lang, _comparison(results, 20.0), _economics(8e6))[0]
    assert later not in saving  # the first sentence said it; the notes do not say it again
    cost = lead_sentences(results, summary, lang, _comparison(results, 20.0), _economics(-8e6))[0]
    assert later in cost  # a cost's first sentence does not name the need: the note after it does
