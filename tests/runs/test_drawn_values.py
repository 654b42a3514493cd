"""What replications draw besides the model's own streams: assumptions set otherwise (a parameter set, a sweep's
setting) are not drawn, and a weighted quantile of parameter sets holds for weights that do not sum to 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.runs.assumptions import AssumptionDraws
from sim.runs.parameter_sets import weighted_quantile

ROOT = Path(__file__).resolve().parents[2]


def test_an_assumption_set_otherwise_is_not_drawn():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    every = AssumptionDraws().drawn(scenario, seed=3, replication=0)
    assert len(every) >= 2
    held = sorted(every)[0]
    fewer = AssumptionDraws(frozenset({held})).drawn(scenario, seed=3, replication=0)
    assert set(fewer) == set(every) - {held}
    assert all(fewer[p] == every[p] for p in fewer)  # the others draw the same numbers as before


@pytest.mark.parametrize("scale", [1.0, 7.0, 0.01])
def test_a_weighted_quantile_does_not_depend_on_the_weights_scale(scale):
    values = np.array([10.0, 20.0, 30.0, 40.0])
    weights = np.array([0.1, 0.2, 0.3, 0.4]) * scale
    # cumulative weights 0.1, 0.3, 0.6, 1.0: the median is 30, the 5 % quantile 10, the 95 % quantile 40
    assert weighted_quantile(values, weights, 0.5) == 30.0
    assert weighted_quantile(values, weights, 0.05) == 10.0
    assert weighted_quantile(values, weights, 0.95) == 40.0
    assert weighted_quantile(values[::-1], weights[::-1], 0.3) == 20.0  # order of the sets does not matter
