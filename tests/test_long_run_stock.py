"""The baseline's initial stock is its own long-run stock (README, "Where the baseline's numbers come from").

`scripts/long_run_stock.py` measures it; after a change to the baseline's numbers (an adoption from a fit, a
recalibration) the stock must be measured again, or projections drift from their first year. These tests fail
when the shipped ``initial_state`` is not what the baseline itself holds.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("long_run_stock", ROOT / "scripts" / "long_run_stock.py")
long_run_stock = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(long_run_stock)
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def measured():
    """Years 3-10 of 4 replications (another seed than the stored measurement's)."""
    scenario = long_run_stock.candidate(BASELINE, [])
    return scenario, long_run_stock.long_run(scenario, replications=4, years=10, from_year=3, seed=7, workers=2)


@pytest.mark.slow
def test_the_baseline_starts_from_the_stock_it_holds(measured):
    """Placed and preventive stocks stay within 5 % of the initial stock: the projection does not drift."""
    scenario, result = measured
    initial = scenario.initial_state.stock_per_1000_aged_0_22
    kinds = {st.id: st.kind for st in scenario.staircase}
    for kind, key in (("placement", "placed_per_1000"), ("preventive", "preventive_per_1000")):
        start = sum(v for step, v in initial.items() if kinds[step] == kind)
        assert result[key] == pytest.approx(start, rel=0.05), (kind, start, result[key])


@pytest.mark.slow
def test_the_measurement_adds_up_and_a_candidate_setting_moves_it(measured):
    """The totals are the sums of the steps; a candidate with twice the placement-level need holds more placed."""
    scenario, result = measured
    stock = result["stock_per_1000_aged_0_22"]
    placed = sum(v for step, v in stock.items() if any(st.id == step and st.kind == "placement" for st in scenario.staircase))
    assert result["placed_per_1000"] == pytest.approx(placed, abs=0.02)
    shares = scenario.demand.need_shares
    more = long_run_stock.candidate(BASELINE, [f"demand.need_shares.4={2 * shares[4]}",
                                               f"demand.need_shares.0={shares[0] - shares[4]}"])
    higher = long_run_stock.long_run(more, replications=4, years=10, from_year=3, seed=7, workers=2)
    assert higher["placed_per_1000"] > 1.05 * result["placed_per_1000"]
