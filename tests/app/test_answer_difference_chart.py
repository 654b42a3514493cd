"""The Answer page's charts show a policy's difference: the levels on a scale that starts near the data, and in a
comparison the difference from the baseline beside them, so 4 M DKK on 200 M is not a hair's breadth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim
from sim.app import answer as answers
from sim.app.jobs import Answer
from sim.runs.runner import RunResult

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
YEARS = (2027, 2028, 2029)


def _answer(with_comparison: bool) -> Answer:
    base = sim.load_scenario(BASELINE)
    more = base.model_copy(update={"name": "more"})
    results = [RunResult(scenario=s, table=None, seed=1, replications=2, wall_seconds=0.0, events=0)
               for s in (base, more)]
    summary = pd.DataFrame([{"scenario": s, "year": y, "metric": "cost_total", "mean": v, "p05": v - 2e6,
                             "p50": v, "p95": v + 2e6}
                            for s, v in (("baseline", 200e6), ("more", 196e6)) for y in YEARS])
    comparison = pd.DataFrame([{"scenario": "more", "baseline": "baseline", "year": y, "metric": "cost_total",
                                "diff_mean": -4e6, "diff_p05": -6e6, "diff_p50": -4e6, "diff_p95": -2e6}
                               for y in YEARS]) if with_comparison else None
    return Answer(results, summary, comparison, None, None)


def _layers(chart) -> list[dict]:
    spec = chart.to_dict()
    return [layer for part in spec.get("hconcat", [spec]) for layer in part["layer"]]


def test_a_comparison_shows_the_difference_beside_the_levels():
    spec = answers.fan_chart(_answer(True), "cost_total", "da").to_dict()
    assert len(spec["hconcat"]) == 2
    levels, difference = spec["hconcat"]
    assert levels["layer"][0]["encoding"]["y"]["scale"] == {"zero": False}
    fields = {layer["encoding"]["y"]["field"] for layer in difference["layer"]}
    assert {"diff_p05", "diff_mean", "zero"} <= fields
    assert "forskel fra Nuværende praksis" in difference["title"]  # the baseline's label
    frame = answers.difference_frame(_answer(True), "cost_total")
    assert list(frame["diff_mean"]) == [-4e6] * len(YEARS)


def test_one_scenario_alone_has_the_levels_only():
    chart = answers.fan_chart(_answer(False), "cost_total", "en")
    assert "hconcat" not in chart.to_dict()
    assert answers.difference_frame(_answer(False), "cost_total") is None
    assert len(_layers(chart)) == 2  # the band and the median


def test_the_same_scenario_has_the_same_colour_in_both_charts():
    levels, difference = answers.fan_chart(_answer(True), "cost_total", "en").to_dict()["hconcat"]
    domains = [part["layer"][0]["encoding"]["color"]["scale"]["domain"] for part in (levels, difference)]
    # labels; "more" kept the baseline's label, so its name tells them apart
    assert domains[0] == domains[1] == ["Current practice (baseline)", "Current practice (more)"]


def test_long_step_names_are_not_cut_in_the_staircase_and_waterfall():
    """Vega-Lite cuts labels at 160-180 pixels by default; the Danish step names are longer."""
    answer = _answer(True)
    frame = pd.DataFrame([{"i": 0, "item": "Tidligt forebyggende indsats (kurser, rådgivning)", "amount": 1.0,
                           "kind": "total", "start": 0.0, "end": 1.0}])
    waterfall = answers.waterfall_chart(frame, "da").to_dict()
    assert waterfall["encoding"]["y"]["axis"]["labelLimit"] >= 400
    stairs = answers.staircase_chart(answer, "da").to_dict()
    assert stairs["encoding"]["color"]["legend"]["labelLimit"] >= 400
