"""The Answer page's charts in the reader's language: numbers in Danish format (Vega's number locale: 100.000.000,
0,8) on axes and hover texts when Danish is chosen, and scenarios named by their labels in legends, facets,
titles and hover texts, never by their file names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.app import answer as answers
from sim.app.chart_format import localised, value_format
from sim.app.jobs import Answer
from sim.runs.runner import RunResult

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
YEARS = (2027, 2028)


def _answer() -> Answer:
    base = sim.load_scenario(SCENARIOS / "baseline.yaml")
    more = sim.load_scenario(SCENARIOS / "more-caseworkers.yaml")
    results = [RunResult(scenario=s, table=None, seed=1, replications=2, wall_seconds=0.0, events=0)
               for s in (base, more)]
    rows = [{"scenario": s, "year": y, "metric": m, "mean": v, "p05": v * 0.9, "p50": v, "p95": v * 1.1}
            for s, k in (("baseline", 1.0), ("more-caseworkers", 0.98)) for y in YEARS
            for m, v in (("cost_total", 1.3e8 * k), ("caseload", 31.2 * k))]
    rows += [{"scenario": s, "year": y, "metric": f"stock.{step.id}", "mean": 10.0, "p05": 9.0, "p50": 10.0,
              "p95": 11.0} for s in ("baseline", "more-caseworkers") for y in YEARS for step in base.staircase]
    comparison = pd.DataFrame([{"scenario": "more-caseworkers", "baseline": "baseline", "year": y, "metric": m,
                                "diff_mean": d, "diff_p05": 2 * d, "diff_p50": d, "diff_p95": 0.5 * d}
                               for y in YEARS for m, d in (("cost_total", -2.6e6), ("caseload", -0.6))])
    return Answer(results, pd.DataFrame(rows), comparison, None, None)


def _specs(lang: str) -> list[dict]:
    answer = _answer()
    return [answers.fan_chart(answer, "cost_total", lang).to_dict(),
            answers.fan_chart(answer, "caseload", lang).to_dict(),
            answers.staircase_chart(answer, lang).to_dict()]


@pytest.mark.parametrize("lang, decimal, thousands", [("da", ",", "."), ("en", ".", ",")])
def test_every_chart_writes_numbers_the_readers_way(lang, decimal, thousands):
    for spec in _specs(lang):
        number = spec["config"]["locale"]["number"]
        assert (number["decimal"], number["thousands"]) == (decimal, thousands)


def test_the_side_by_side_charts_keep_their_legend_below_with_the_locale():
    spec = answers.fan_chart(_answer(), "cost_total", "da").to_dict()
    assert spec["config"]["legend"]["orient"] == "bottom" and "locale" in spec["config"]


def test_legends_titles_and_hover_texts_name_scenarios_by_their_labels():
    for lang, base, alt in (("da", "Nuværende praksis", "Flere rådgivere"), ("en", "Current practice",
                                                                             "More caseworkers")):
        cost, _, stairs = _specs(lang)
        levels, difference = cost["hconcat"]
        colour = levels["layer"][0]["encoding"]["color"]
        assert colour["field"] == "scenario_label" and colour["scale"]["domain"] == [base, alt]
        assert difference["title"].endswith(base)
        tips = levels["layer"][0]["encoding"]["tooltip"]
        assert tips[0]["field"] == "scenario_label"
        assert stairs["encoding"]["column"]["field"] == "scenario_label"
        data = json.dumps(cost["datasets"], ensure_ascii=False)
        assert alt in data and base in data
        shown = json.dumps([levels["layer"][0]["encoding"], difference["title"], stairs["encoding"]],
                           ensure_ascii=False)
        assert "more-caseworkers" not in shown


def test_hover_texts_have_titles_in_the_language_and_keep_decimals_for_small_numbers():
    _, caseload, _ = _specs("da")
    tips = caseload["hconcat"][0]["layer"][0]["encoding"]["tooltip"]
    assert [t["title"] for t in tips] == ["Scenarie", "År", "Median", "5 % af kørslerne under",
                                          "95 % af kørslerne under"]
    assert tips[2]["format"] == ",.3~r"  # 31,2 sager, not 31
    assert value_format([1.3e8]) == ",.0f"


def test_an_english_chart_is_only_localised_to_english():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    assert localised(chart, "en").to_dict()["config"]["locale"]["number"]["thousands"] == ","
    assert chart.config is alt.Undefined  # the original is not changed
