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
    from sim.model.scenario import resolve_raw
    from conftest import BASELINE

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


def _per_replication(table: pd.DataFrame, metric: str) -> np.ndarray:
    return table[table["metric"] == metric].groupby("replication")["value"].mean().to_numpy()


def _pooled_sd(table: pd.DataFrame, metric: str) -> float:
    """The spread between replications, pooled over the years (each year about its own mean)."""
    rows = table[table["metric"] == metric]
    deviations = rows["value"] - rows.groupby("year")["value"].transform("mean")
    return float(np.sqrt(np.sum(deviations**2) / (len(rows) - rows["year"].nunique())))


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
    caseload_small, caseload_big = _per_replication(small, "caseload"), _per_replication(big, "caseload")
    assert caseload_big.mean() == pytest.approx(caseload_small.mean(), rel=0.1)  # a ratio: not divided


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
