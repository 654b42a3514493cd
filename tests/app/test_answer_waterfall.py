"""The Answer page's waterfall (sim.app.answer.waterfall_frame): from the baseline's total over the horizon
through each cost item's change to the alternative's total; each change's bar runs from the level before it to
the level after it, a fall shaded as a saving and a rise as an extra cost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.app import answer as answers
from sim.app.jobs import Answer
from sim.runs.runner import RunResult

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
YEARS = (2027, 2028)
CHANGES = {"cost.foster_family": -3e6, "cost.preventive": 1e6, "cost_caseworkers": 0.5e6}  # per year


def _answer() -> Answer:
    base = sim.load_scenario(BASELINE)
    more = base.model_copy(update={"name": "more"})
    results = [RunResult(scenario=s, table=None, seed=1, replications=2, wall_seconds=0.0, events=0)
               for s in (base, more)]
    total_change = sum(CHANGES.values())
    summary = pd.DataFrame([{"scenario": s, "year": y, "metric": "cost_total", "mean": v, "p05": v, "p50": v,
                             "p95": v} for s, v in (("baseline", 100e6), ("more", 100e6 + total_change))
                            for y in YEARS])
    comparison = pd.DataFrame([{"scenario": "more", "baseline": "baseline", "year": y, "metric": m,
                                "diff_mean": d, "diff_p05": d, "diff_p50": d, "diff_p95": d}
                               for y in YEARS for m, d in [*CHANGES.items(), ("cost_total", total_change)]])
    return Answer(results, summary, comparison, None, None)


def test_the_bars_run_from_level_to_level_and_end_at_the_alternatives_total():
    frame = answers.waterfall_frame(_answer(), "en")
    first, last = frame.iloc[0], frame.iloc[-1]
    assert (first["start"], first["end"], first["kind"]) == (0.0, 200e6, "total")
    assert (last["start"], last["kind"]) == (0.0, "total")
    assert last["end"] == pytest.approx(200e6 + 2 * sum(CHANGES.values()))
    changes = frame.iloc[1:-1]
    assert len(changes) == len(CHANGES)
    level = first["end"]
    for _, bar in changes.iterrows():
        assert bar["start"] == pytest.approx(level)
        assert bar["end"] == pytest.approx(level + bar["amount"])
        level = bar["end"]
    assert level == pytest.approx(last["end"])


def test_a_fall_is_a_saving_and_a_rise_an_extra_cost():
    frame = answers.waterfall_frame(_answer(), "en")
    changes = frame.iloc[1:-1]
    assert set(changes.loc[changes["amount"] < 0, "kind"]) == {"saving"}
    assert set(changes.loc[changes["amount"] > 0, "kind"]) == {"extra"}
    assert (changes["amount"] < 0).sum() == 1 and (changes["amount"] > 0).sum() == 2
