"""The report page as sections in reading order: a section with nothing to show leaves no heading behind."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synthetic import synthetic_result

import sim
from sim.analysis.economics import COMPARISON_COLUMNS, ECONOMICS_COLUMNS
from sim.analysis.summary import summarise
from sim.outputs.labels import text
from sim.outputs.report import write_report
from sim.runs.runner import with_horizon

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
ALT = "more_caseworkers"
METRICS = {"cost_total": 400e6, "children_placed": 300.0, "caseload": 25.0}


@pytest.fixture(scope="module")
def results():
    base = with_horizon(sim.load_scenario(BASELINE), 2)
    return [synthetic_result(base, 1.0, METRICS),
            synthetic_result(base.model_copy(update={"name": ALT, "label": None}), 0.98, METRICS)]


def _comparison(results) -> pd.DataFrame:
    base, alt = (r.table.set_index(["replication", "year", "metric"])["value"] for r in results)
    diff = (alt - base).groupby(["year", "metric"])
    out = pd.DataFrame({"diff_mean": diff.mean(), "diff_p05": diff.min(), "diff_p50": diff.median(),
                        "diff_p95": diff.max()}).reset_index()
    return out.assign(scenario=ALT, baseline="baseline")[COMPARISON_COLUMNS]


def _economics() -> pd.DataFrame:
    row = {"scenario": ALT, "baseline": "baseline", "discount_rate": 0.04, "npv_dkk": 8e6, "npv_p05_dkk": 7e6,
           "npv_p95_dkk": 9e6, "break_even_year": 2028, "prob_net_saving": 1.0, "price_year": 2025}
    return pd.DataFrame([row]).reindex(columns=ECONOMICS_COLUMNS)


def _headings(path: Path) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", path.read_text(encoding="utf-8"))


def _expected(keys: list[str], lang: str) -> list[str]:
    return [f"{text('appendix', lang)}: {text('assumptions', lang)}" if k == "appendix" else text(k, lang)
            for k in keys]


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_single_run_has_no_comparison_sections(tmp_path, results, lang):
    """One scenario: the projection, the tables and the appendix; no empty waterfall or net-saving heading."""
    table = results[0].table
    page = write_report(tmp_path, results[:1], summarise(table), lang)
    assert _headings(page) == _expected(["sec_projection", "sec_tables", "appendix"], lang)
    assert sorted(p.name for p in (tmp_path / "figures").glob("*.png")) == sorted(
        f"fan_{m}.png" for m in METRICS)


def test_a_comparison_adds_its_sections_in_reading_order(tmp_path, results):
    """Two scenarios compared: the investment table right under the answer, the projection with the baseline's
    sentence, then the alternative's details folded (its projection sentence, waterfall and net saving per run),
    the tables and the appendix."""
    table = pd.concat([r.table for r in results], ignore_index=True)
    npv = pd.DataFrame({"scenario": ALT, "baseline": "baseline", "npv_dkk": np.array([7e6, 9e6])})
    page = write_report(tmp_path, results, summarise(table), "en", comparison=_comparison(results),
                        economics=_economics(), per_replication_npv=npv)
    assert _headings(page) == _expected(["sec_economics", "sec_answers_in_full", "sec_projection", "sec_details",
                                         "sec_tables", "appendix"], "en")
    html = page.read_text(encoding="utf-8")
    lead, notes = html.index('<p class="lead">'), [m.start() for m in re.finditer("Projection of ", html)]
    assert len(notes) == 2 and all(lead < n for n in notes)
    details = html.index(f"<summary>{ALT} compared with {results[0].scenario.label_in('en')}</summary>")
    folded = html[details:html.index("</details>", details)]
    assert "Projection of " in folded and folded.count("data:image/png") == 2  # the waterfall and the net saving
    assert html.index(f"<h3>{text('sec_waterfall', 'en')}</h3>", details) < html.index(
        f"<h3>{text('sec_npv', 'en')}</h3>", details)
    assert (tmp_path / "figures" / f"waterfall_{ALT}.png").is_file()
    assert (tmp_path / "figures" / f"npv_{ALT}.png").is_file()
