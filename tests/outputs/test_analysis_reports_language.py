"""The sweep's and the sensitivity analysis's reports in the reader's language, like the main report: settings
and parameters by their labels (Danish when Danish is chosen), numbers in Danish format; and a sweep whose
lowest cost is at an edge of its range says the minimum may lie beyond it (report and terminal alike)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_danish_output import _table, english_in, visible_text

import sim
from sim.analysis.sensitivity import NOISE, SensitivityRun, sensitivity_analysis, spec_from_mapping
from sim.outputs.sensitivity_report import parameter_label, report_html
from sim.outputs.sweep_report import minimum_lines, write_sweep_outputs
from sim.runs.runner import RunResult, with_horizon

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
YEARS = 3


def _sweep(costs: dict[float, float]) -> dict[float, RunResult]:
    """A sweep over caseworkers.fte whose total cost at each value is scaled by ``costs[value]``."""
    base = with_horizon(sim.load_scenario(SCENARIOS / "more-caseworkers.yaml"), YEARS)
    results = {}
    for value, factor in costs.items():
        table = _table(base, 0.0)
        table.loc[table["metric"] == "cost_total", "value"] *= factor
        results[value] = RunResult(scenario=base, table=table, seed=1, replications=5, wall_seconds=0.0, events=0)
    return results


@pytest.mark.parametrize("lang, words", [("da", "kan ligge under intervallet"), ("en", "may lie below the range")])
def test_a_minimum_at_the_lowest_value_may_lie_below_the_range(lang, words):
    lines = minimum_lines(_sweep({20.0: 0.9, 25.0: 1.0, 30.0: 1.1}), "caseworkers.fte", lang)
    assert len(lines) == 2 and words in lines[1]
    assert ("Rådgivere (årsværk) = 20" if lang == "da" else "Caseworkers (FTEs) = 20") in lines[0]


@pytest.mark.parametrize("lang, words", [("da", "kan ligge over intervallet"), ("en", "may lie above the range")])
def test_a_minimum_at_the_highest_value_may_lie_above_the_range(lang, words):
    lines = minimum_lines(_sweep({20.0: 1.1, 25.0: 1.0, 30.0: 0.9}), "caseworkers.fte", lang)
    assert words in lines[-1]


def test_a_minimum_inside_the_range_says_nothing_of_beyond():
    for lang in ("da", "en"):
        lines = minimum_lines(_sweep({20.0: 1.1, 25.0: 0.9, 30.0: 1.0}), "caseworkers.fte", lang)
        assert len(lines) == 1 and "25" in lines[0]


def test_the_danish_sweep_report_says_the_edge_and_names_the_setting_in_danish(tmp_path):
    out = write_sweep_outputs(tmp_path / "s", _sweep({20.0: 0.9, 22.5: 1.0, 30.0: 1.1}), "caseworkers.fte", "da")
    text = visible_text((out / "report.html").read_text(encoding="utf-8"))
    assert "Rådgivere (årsværk)" in text and "caseworkers.fte" not in text
    assert "kan ligge under intervallet" in text and "22,5" in text
    assert english_in(text) == [], english_in(text)


# ---------------------------------------------------------------- the sensitivity report

SPEC = {
    "years": 2,
    "replications": 2,
    "morris": {"trajectories": 4},
    "parameters": [
        {"path": "caseworkers.fte", "low": 16, "high": 24, "label": "Caseworker FTEs"},  # one (English) text
        {"path": "staircase.foster_family.price_per_year_dkk", "low": 380000, "high": 560000},  # no label
        {"path": "reviews.step_down_share", "low": 0.5, "high": 0.9,
         "label": {"en": "Step-downs at review", "da": "Nedtrapning ved opfølgning"}},
    ],
    "outputs": [{"metric": "cost_total"}],
}


def _sensitivity_run() -> SensitivityRun:
    """A Morris run of a linear stand-in for the model (no simulation): the report's words, not its numbers."""
    spec = spec_from_mapping(SPEC)
    scenario = with_horizon(sim.load_scenario(SCENARIOS / "baseline.yaml"), 2)
    names = [p.path for p in spec.parameters]
    bounds = [(p.low, p.high) for p in spec.parameters]
    analysis = sensitivity_analysis(names, bounds, ["cost_total_last"],
                                    lambda X: 1.3e8 + X @ np.array([2e6, 100.0, -5e7]), "morris", 4, seed=3)
    noise = pd.DataFrame([{"output": "cost_total_last", "parameter": NOISE, "index": "noise_se", "value": 1e5,
                           "conf": np.nan}])
    return SensitivityRun(spec, scenario, analysis, noise, {"cost_total_last": 1.31e8}, replications=2, seed=3,
                          wall_seconds=12.0, events=0, params=list(spec.parameters))


def test_parameters_are_named_in_the_readers_language():
    run = _sensitivity_run()
    fte, price, share = run.params
    assert parameter_label(fte, "en", run.scenario) == "Caseworker FTEs"  # the spec's own text, in English
    assert parameter_label(fte, "da", run.scenario) == "Rådgivere (årsværk)"  # the setting's Danish label
    assert parameter_label(price, "da", run.scenario) == "Plejefamilie: pris pr. år (kr.)"
    assert parameter_label(share, "da", run.scenario) == "Nedtrapning ved opfølgning"
    assert parameter_label(share, "en", run.scenario) == "Step-downs at review"


def test_the_danish_sensitivity_report_reads_danish():
    run = _sensitivity_run()
    page = report_html(run, {"cost_total_last": b""}, "da")
    text = visible_text(page)
    assert "Rådgivere (årsværk)" in text and "Nedtrapning ved opfølgning" in text
    assert "Caseworker FTEs" not in text and "Step-downs at review" not in text
    assert "380.000" in text and "0,5" in text  # the ranges in Danish format
    assert english_in(text) == [], english_in(text)
    english = visible_text(report_html(run, {"cost_total_last": b""}, "en"))
    assert "Caseworker FTEs" in english and "380,000" in english
