"""``compare``'s economics discount from the projection's first year (calendar.start_year), not from the
prices' base year: a saving in the first projected year counts in full, one a year later is divided by
(1 + rate)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.outputs.results import comparison_tables
from sim.runs.runner import RunResult

ROOT = Path(__file__).resolve().parents[2]


def _results_and_table(saving_by_offset: dict[int, float]):
    """Baseline and an alternative saving ``saving_by_offset[k]`` DKK in the k-th projected year (from 0)."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    saving_by_year = {base.calendar.start_year + k: v for k, v in saving_by_offset.items()}
    alt = base.model_copy(update={"name": "alternative"})
    assert base.calendar.base_year != base.calendar.start_year  # else the test could not tell them apart
    rows = []
    for rep in range(3):
        for year, saving in saving_by_year.items():
            rows.append((base.name, rep, year, "cost_total", 100e6))
            rows.append((alt.name, rep, year, "cost_total", 100e6 - saving))
    table = pd.DataFrame(rows, columns=["scenario", "replication", "year", "metric", "value"])
    results = [RunResult(scenario=s, table=table[table["scenario"] == s.name], seed=1, replications=3,
                         wall_seconds=0.0, events=0) for s in (base, alt)]
    return base, table, results


def test_compare_discounts_from_the_first_projected_year():
    base, table, results = _results_and_table({0: 10e6, 1: 10e6})
    rate = base.economics.discount_rate
    assert rate > 0
    _, econ, npvs = comparison_tables(table, results)
    expected = 10e6 + 10e6 / (1 + rate)
    assert econ.set_index("scenario").loc["alternative", "npv_dkk"] == pytest.approx(expected)
    assert npvs["alternative"] == pytest.approx([expected] * 3)
