"""A calibration's bands from a larger municipality (`projection_scale` in a spec; sim.analysis.calibration.project).

A national history has no chance of a few hundred children in it: its bands should carry the uncertainty of the
parameters and of drifting practice, not the noise of an average municipality. With `projection_scale: k` the
band replications run a municipality k times the scenario's and report it per scenario-sized municipality.
- `larger` multiplies children, caseworkers, the duty roster and capacities, and nothing per child.
- The projection reports the scenario's own scale: populations as the scenario's, the mean of a count as at
  scale 1 (within Monte Carlo error), its spread smaller (about 1/sqrt(k) for Poisson-like counts).
- A spec that calibrates a setting the projection multiplies is refused, naming the parameter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import build, scaled

from sim.analysis.calibration import CalibrationSpecError, larger, prepare, project, spec_from_mapping
from sim.runs.parameter_sets import from_frame

SCALE = 4


@pytest.fixture(scope="module")
def scenario():
    from conftest import BASELINE

    from sim.model.scenario import resolve_raw

    raw = scaled(resolve_raw(BASELINE), 0.5)
    raw["calendar"].update(burn_in_years=1, horizon_years=2)
    return build(raw)


def test_larger_multiplies_people_and_keeps_rates(scenario):
    big = larger(scenario, SCALE)
    assert big.population.aged_0_17 == SCALE * scenario.population.aged_0_17
    assert big.population.aged_0_22 == SCALE * scenario.population.aged_0_22
    assert big.caseworkers.fte == SCALE * scenario.caseworkers.fte
    assert big.caseworkers.duty_roster_size == SCALE * scenario.caseworkers.duty_roster_size
    assert big.notifications == scenario.notifications and big.staircase[0].price_per_year_dkk == \
        scenario.staircase[0].price_per_year_dkk
    assert larger(scenario, 1) is scenario


def test_larger_multiplies_a_steps_capacity(baseline_raw):
    limited = build(baseline_raw, **{"staircase": [dict(st, capacity=7) if st["id"] == "institution" else st
                                                   for st in baseline_raw["staircase"]]})
    assert larger(limited, SCALE).step("institution").capacity == 7 * SCALE
    assert larger(limited, SCALE).step("foster_family").capacity is None


def _per_replication(table: pd.DataFrame, metric: str) -> np.ndarray:
    return table[table["metric"] == metric].groupby("replication")["value"].mean().to_numpy()


def _pooled_sd(table: pd.DataFrame, metric: str) -> float:
    """The spread between replications, pooled over the years (each year about its own mean)."""
    rows = table[table["metric"] == metric]
    deviations = rows["value"] - rows.groupby("year")["value"].transform("mean")
    return float(np.sqrt(np.sum(deviations**2) / (len(rows) - rows["year"].nunique())))


@pytest.mark.slow  # 48 replications, half of them at twice the baseline's size
def test_a_larger_projection_reports_the_scenarios_scale_with_less_chance(scenario):
    sets = from_frame(pd.DataFrame({"reviews.step_down_share": [0.7], "weight": [1.0]}))
    small, _ = project(scenario, sets, 24, seed=9, workers=2)
    big, _ = project(scenario, sets, 24, seed=9, workers=2, scale=SCALE)
    pop = big[big["metric"] == "population_0_17"]["value"]
    assert np.allclose(pop, scenario.population.aged_0_17)
    for metric in ("notifications", "children_preventive", "children_placed"):
        a, b = _per_replication(small, metric), _per_replication(big, metric)
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        assert abs(a.mean() - b.mean()) < 4 * se, (metric, a.mean(), b.mean(), se)
        assert _pooled_sd(big, metric) < 0.75 * _pooled_sd(small, metric), (metric, _pooled_sd(small, metric),
                                                                             _pooled_sd(big, metric))
    for ratio in ("caseload", "cost_per_child_0_17", "overload_months"):  # the same at any size: not divided
        a, b = _per_replication(small, ratio), _per_replication(big, ratio)
        assert b.mean() == pytest.approx(a.mean(), rel=0.15, abs=0.5), (ratio, a.mean(), b.mean())
    cost_small, cost_big = _per_replication(small, "cost_total"), _per_replication(big, "cost_total")
    assert cost_big.mean() == pytest.approx(cost_small.mean(), rel=0.05)  # money: divided back


def test_a_projection_larger_than_the_format_allows_is_refused_before_the_fit():
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    spec = spec_from_mapping({"method": "abc_smc", "projection_scale": 100, "years": {"first": 2015, "last": 2019},
                              "parameters": [{"path": "reviews.step_down_share", "low": 0.5, "high": 0.9}],
                              "targets": [{"metric": "notifications"}]})
    raw = resolve_raw("scenarios/denmark.yaml")
    with pytest.raises(CalibrationSpecError) as e:
        prepare(raw, spec, read_history("calibration/national/history.csv"))
    assert any(where == "projection_scale" for where, _ in e.value.problems), e.value.problems


def test_a_spec_that_calibrates_what_the_projection_multiplies_is_refused():
    from sim.data.history import read_history
    from sim.model.scenario import resolve_raw

    spec = spec_from_mapping({"method": "abc_smc", "projection_scale": 2, "years": {"first": 2015, "last": 2019},
                              "parameters": [{"path": "caseworkers.fte", "low": 5, "high": 30}],
                              "targets": [{"metric": "notifications"}]})
    with pytest.raises(CalibrationSpecError) as e:
        prepare(resolve_raw("calibration/national/scenario.yaml"), spec,
                read_history("calibration/national/history.csv"))
    assert "parameters[0] (caseworkers.fte).path" in str(e.value.problems)
