"""The shipped parameter sets of the time-with-families effect (scenarios/parameter_sets/family_time.parquet):
what scripts/family_time_sets.py writes, valid for every shipped scenario, and spread over the stated range."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.runs.parameter_sets import read_parameter_sets

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "scenarios" / "parameter_sets" / "family_time.parquet"


def _script():
    spec = importlib.util.spec_from_file_location("family_time_sets", ROOT / "scripts" / "family_time_sets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_file_is_what_the_script_writes():
    pd.testing.assert_frame_equal(pd.read_parquet(SHIPPED), _script().family_time_sets())


def test_the_sets_spread_evenly_from_no_effect_to_the_highest_allowed():
    values = pd.read_parquet(SHIPPED)["caseworkers.family_time.max_effect"].to_numpy()
    assert values.min() < 0.05 and values.max() > 0.95
    steps = np.diff(np.sort(values))
    assert np.allclose(steps, steps[0]) and steps[0] > 0
    assert np.mean(values) == pytest.approx(0.5)


@pytest.mark.parametrize("name", ["baseline", "more-caseworkers", "caseworker-cuts", "swedish-model",
                                  "intensive-home-support", "intake-team", "rising-notifications",
                                  "notification-surge"])
def test_every_set_gives_a_valid_shipped_scenario(name):
    sets = read_parameter_sets(SHIPPED)
    scenario = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    for index in range(len(sets.values)):
        assert sets.apply(scenario, index).caseworkers.family_time.max_effect == sets.values[index][0]
