"""Danish throughout when Danish is chosen: every report, the workbook's visible sheets, every figure's texts and
the reasons a scenario is refused are read for the English words a Danish user met, and for numbers written
the English way (0.8, 100,000,000)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sim
from sim.analysis.economics import paired_differences
from sim.analysis.summary import summarise
from sim.errors import ScenarioError
from sim.model.scenario import reason_in, resolve_raw, scenario_from_mapping
from sim.outputs import pages
from sim.outputs.report import write_report, write_workbook
from sim.outputs.sweep_report import write_sweep_outputs
from sim.runs.runner import COLUMNS, RunResult, with_horizon

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
YEARS, REPS = 3, 5

# English a Danish user met in Danish output (scenario ids in prose, the app's names, pydantic's sentences,
# pointers to files a user cannot see, the workbook's and charts' English)
OFFENDERS = (
    r"\bmunicipality\b", r"\bpolicy\b", r"\bbaseline\b", r"\bmore-caseworkers\b", r"\bInput should\b",
    r"\bshould be\b", r"\bmust\b", r"\bprovenance\b", r"DOMAIN\.md", r"EVIDENCE\.md", r"\bcompared with\b",
    r"\bTotal cost\b", r"\bruns\b", r"\bDKK\b", r"\bMean\b", r"\bYear\b", r"\bMetric\b", r"\bSheet\b",
    r"\bCaveats\b", r"\bWarning\b", r"\bsummary\b", r"\bcomparison\b", r"\beconomics\b", r"\bthousand\b",
    r"\bassumption\b", r"\bno public\b", r"\bfacts:", r"\bSource\b",
)
# numbers written the English way: a decimal point before one or two digits (0.8, 31.2) or more than three
# (31.2038), or two or more groups of thousands after commas (100,000,000)
ENGLISH_NUMBER = re.compile(r"(?<![\w.,])(\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(?:,\d{3}){2,})(?![\w,]|\.\d)")


def english_in(text: str) -> list[str]:
    """The offenders and English-format numbers in a text (empty when it reads as Danish)."""
    found = [m.group(0) for pattern in OFFENDERS for m in re.finditer(pattern, text)]
    return found + [m.group(0) for m in ENGLISH_NUMBER.finditer(text)]


def visible_text(page: str) -> str:
    """What a reader reads of an HTML page: no style, no embedded images, no appendix of scenario YAML (ids and
    key paths are the format's own)."""
    page = re.sub(r"<style>.*?</style>|<pre>.*?</pre>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00ad", "")  # soft hyphens: line breaks only


@pytest.fixture
def figure_texts(monkeypatch) -> list[str]:
    """Every text of every figure the pages save: tick labels, axis labels, titles, legends."""
    texts: list[str] = []
    original = pages.png

    def png(fig, dpi=None, lang=None):
        if lang is not None:
            pages.localise_axes(fig, lang)
        fig.canvas.draw()
        for ax in fig.get_axes():
            texts.extend(t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels()))
            texts.extend([ax.get_xlabel(), ax.get_ylabel(), ax.get_title(loc="left"), ax.get_title()])
            if ax.get_legend() is not None:
                texts.extend(t.get_text() for t in ax.get_legend().get_texts())
        texts.extend(t.get_text() for legend in fig.legends for t in legend.get_texts())
        return original(fig, dpi=dpi, lang=lang)

    monkeypatch.setattr(pages, "png", png)
    return texts


def _table(scenario, effect: float) -> pd.DataFrame:
    """Plausible yearly metrics of an average municipality, paired over replications; ``effect`` moves cost."""
    rows = []
    steps = list(scenario.staircase)
    for r in range(REPS):
        noise = np.random.default_rng(r)
        for k, year in enumerate(range(scenario.calendar.start_year, scenario.end_year + 1)):
            values = {"cost_total": 1.31e8 * (1 - 0.02 * effect * k) * (1 + 0.01 * noise.normal()),
                      "children_placed": 137.4 + noise.normal(), "caseload": 31.2 - 4 * effect,
                      "notifications": 1390.6 + 20 * noise.normal(), "cost_caseworkers": 1e7 * (1 + 0.25 * effect),
                      "investigations_overdue_share": 0.45, "reviews_on_time_share": 0.61,
                      "hours_per_case_per_month": 0.8 + 0.3 * effect}
            for kind in ("ongoing", "acute", "screening", "investigation", "review"):
                values[f"hours_{kind}"] = 4500.0 + 100 * k
            for st in steps:
                values[f"stock.{st.id}"] = 10.0 + st.order
                values[f"cost.{st.id}"] = (10.0 + st.order) * st.price_per_year_dkk * (1 - 0.05 * effect)
            rows += [(scenario.name, r, year, m, float(v)) for m, v in values.items()]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def comparison_run():
    """The baseline and more-caseworkers as shipped (with their labels), on synthetic paired tables."""
    results = []
    for name, effect in (("baseline", 0.0), ("more-caseworkers", 1.0)):
        s = with_horizon(sim.load_scenario(SCENARIOS / f"{name}.yaml"), YEARS)
        results.append(RunResult(scenario=s, table=_table(s, effect), seed=1, replications=REPS, wall_seconds=0.0,
                                 events=0))
    table = pd.concat([r.table for r in results], ignore_index=True)
    summary = summarise(table)
    comparison = paired_differences(table, "baseline")
    economics = pd.DataFrame([{
        "scenario": "more-caseworkers", "baseline": "baseline", "discount_rate": 0.035, "npv_dkk": 12_345_678.9,
        "npv_p05_dkk": -3_210_987.6, "npv_p95_dkk": 25_432_109.8, "break_even_year": 2028,
        "cost_per_placement_avoided_dkk": 431_234.56, "prob_net_saving": 0.8, "gross_investment_dkk": 7_654_321.0,
        "placements_avoided": 31.20384334079682, "net_saving_per_placement_avoided_dkk": 512_345.6,
        "per_placement_note": "", "price_year": 2025}])
    npv = pd.DataFrame({"scenario": "more-caseworkers", "baseline": "baseline", "replication": range(REPS),
                        "npv_dkk": [-3.0e6, 8.0e6, 12.0e6, 16.0e6, 24.0e6]})
    return results, summary, comparison, economics, npv


def test_the_danish_report_has_no_english(tmp_path, comparison_run, figure_texts):
    results, summary, comparison, economics, npv = comparison_run
    path = write_report(tmp_path, results, summary, "da", comparison=comparison, economics=economics,
                        per_replication_npv=npv)
    text = visible_text(path.read_text(encoding="utf-8"))
    assert "Flere rådgivere" in text and "Nuværende praksis" in text  # the scenarios by their Danish labels
    assert english_in(text) == [], english_in(text)
    assert figure_texts, "no figure was drawn"
    shown = " | ".join(figure_texts)
    assert "Flere rådgivere" in shown
    assert english_in(shown) == [], english_in(shown)


def test_the_english_report_is_caught_by_the_same_check(tmp_path, comparison_run, figure_texts):
    """The check can fail: the English report of the same run trips it, in the page and in the figures."""
    results, summary, comparison, economics, npv = comparison_run
    path = write_report(tmp_path, results, summary, "en", comparison=comparison, economics=economics,
                        per_replication_npv=npv)
    assert english_in(visible_text(path.read_text(encoding="utf-8")))
    assert english_in(" | ".join(figure_texts))


def _visible_cells(path: Path) -> tuple[list[str], list]:
    wb = openpyxl.load_workbook(path)
    try:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        cells = [c for ws in visible for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        return [ws.title for ws in visible], cells
    finally:
        wb.close()


def test_the_danish_workbook_reads_danish_and_rounded(tmp_path, comparison_run):
    results, summary, comparison, economics, _ = comparison_run
    path = write_workbook(tmp_path / "results.xlsx", summary, "da", [r.scenario for r in results], comparison,
                          economics)
    names, cells = _visible_cells(path)
    assert names[0] == "Nøgletal" and "Økonomi" in names
    words = " | ".join(str(c) for c in cells if isinstance(c, str))
    assert "Flere rådgivere" in words and "Sammenlignet med" in words
    assert english_in(" | ".join([*names, words])) == [], english_in(words)
    numbers = [c for c in cells if isinstance(c, float)]
    assert numbers and all(round(c, 3) == c for c in numbers), [c for c in numbers if round(c, 3) != c][:5]
    assert 31.2 in cells and 12_345_679 in cells  # placements avoided to a tenth, money to the krone
    # the data sheets for scripts are still there, hidden, with their ids and unrounded values
    data = pd.read_excel(path, sheet_name="economics")
    assert data.loc[0, "placements_avoided"] == pytest.approx(31.20384334079682)


def test_the_danish_sweep_report_has_no_english(tmp_path, figure_texts):
    base = with_horizon(sim.load_scenario(SCENARIOS / "more-caseworkers.yaml"), YEARS)
    results = {}
    for value in (20.0, 25.0, 30.0):
        s = base.model_copy(update={"name": base.name})
        results[value] = RunResult(scenario=s, table=_table(s, value / 30.0), seed=1, replications=REPS,
                                   wall_seconds=0.0, events=0)
    out = write_sweep_outputs(tmp_path / "sweep", results, "caseworkers.fte", "da")
    text = visible_text((out / "report.html").read_text(encoding="utf-8"))
    assert "Flere rådgivere" in text
    assert english_in(text) == [], english_in(text)
    assert english_in(" | ".join(figure_texts)) == [], english_in(" | ".join(figure_texts))


def test_every_reason_a_broken_scenario_gives_is_danish():
    raw = resolve_raw(SCENARIOS / "baseline.yaml")
    raw["caseworkers"]["fte"] = -3                          # greater_than_equal
    raw["reviews"]["interval_months"] = 5000                # less_than_equal
    raw["population"]["aged_0_17"] = "many"                 # float_parsing
    raw["calendar"]["horizon_years"] = 2.5                  # int_from_float
    raw["screening"]["share_acute"] = 1.5                   # a share above 1
    raw["notifications"]["trend_per_yaer"] = 0.1            # unknown key
    raw["label"] = {"en": "x"}                              # a missing key
    raw["name"] = "æøå town"                                 # pattern
    with pytest.raises(ScenarioError) as refused:
        scenario_from_mapping(raw)
    problems = refused.value.problems
    assert len(problems) >= 8
    for where, reason in problems:
        danish = reason_in(reason, "da")
        assert danish != reason and english_in(danish) == [], (where, reason, danish)
    later = resolve_raw(SCENARIOS / "baseline.yaml")
    later["policy_costs"] = [{"label": "x", "one_off_dkk": 1.0, "start": "2099-01-01"}]  # outside the horizon
    with pytest.raises(ScenarioError) as refused:
        scenario_from_mapping(later)
    for where, reason in refused.value.problems:
        assert reason_in(reason, "da") != reason, (where, reason)


@pytest.mark.slow
def test_a_real_danish_comparison_has_no_english(tmp_path):
    """`boernesim compare --lang da` on the shipped baseline and more-caseworkers: the report and the workbook."""
    out = tmp_path / "cmp"
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", str(SCENARIOS / "baseline.yaml"),
         str(SCENARIOS / "more-caseworkers.yaml"), "--replications", "2", "--years", "2", "--workers", "1",
         "--lang", "da", "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = visible_text((out / "report.html").read_text(encoding="utf-8"))
    assert english_in(text) == [], english_in(text)
    names, cells = _visible_cells(out / "results.xlsx")
    words = " | ".join([*names, *(c for c in cells if isinstance(c, str))])
    assert english_in(words) == [], english_in(words)
    assert "e+" not in (out / "economics.csv").read_text(encoding="utf-8")


def test_danish_column_headers_break_between_the_parts_of_a_word(tmp_path, comparison_run):
    """Chromium has no Danish hyphenation: the report's headers break only at soft hyphens placed between the
    parts of a compound ("Netto-besparelse"), never inside a part ("Nettobespare-lse")."""
    results, summary, comparison, economics, npv = comparison_run
    page = write_report(tmp_path, results, summary, "da", comparison=comparison, economics=economics,
                        per_replication_npv=npv).read_text(encoding="utf-8")
    assert "overflow-wrap:anywhere" not in page and "hyphens:manual" in page
    headers = re.findall(r'<th scope="col">(.*?)</th>', page)
    assert "Netto\u00adbesparelse, nutids\u00adværdi" in headers
    assert "Diskonterings\u00adrente" in headers
