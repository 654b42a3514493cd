"""sim.compare (sim.runs.experiment): the rules of a comparison live in the library, not in the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.errors import InputError
from sim.model.scenario import scenario_from_mapping

ROOT = Path(__file__).resolve().parents[2]


def _small(name: str, **caseworkers) -> sim.Scenario:
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    raw["name"] = name
    raw["calendar"].update(burn_in_years=1, horizon_years=1)
    for key in ("aged_0_17", "aged_0_22"):
        raw["population"][key] *= 0.1
    raw["caseworkers"].update({"fte": 2.0, "fte_changes": [], **caseworkers})
    raw["levers"] = []
    return scenario_from_mapping(raw)


def test_compare_runs_every_scenario_on_the_same_replications():
    base, alt = _small("base"), _small("more", fte=3.0)
    result = sim.compare(base, alt, replications=2, seed=5, workers=1)
    table = result.table
    assert result.baseline == "base"
    assert set(table["scenario"]) == {"base", "more"}
    for name in ("base", "more"):
        part = table[table["scenario"] == name]
        assert sorted(part["replication"].unique()) == [0, 1]
    fte = table[table["metric"] == "caseworker_fte"].groupby("scenario")["value"].mean()
    assert fte["more"] > fte["base"]
    # common random numbers: a scenario compared with itself gives the same rows
    again = sim.compare(base, _small("same"), replications=2, seed=5, workers=1).table
    first, second = again[again["scenario"] == "base"], again[again["scenario"] == "same"]
    assert first["value"].tolist() == second["value"].tolist()


def test_compare_refuses_two_scenarios_of_one_name():
    with pytest.raises(InputError, match="same name"):
        sim.compare(_small("a"), _small("a"), replications=1, workers=1)


def test_compare_refuses_different_calendars():
    other = _small("b").model_dump(mode="json")
    other["calendar"]["horizon_years"] = 2
    with pytest.raises(InputError, match="calendar differs"):
        sim.compare(_small("a"), scenario_from_mapping(other), replications=1, workers=1)


def test_compare_refuses_a_bad_executor_before_running():
    with pytest.raises(InputError, match="--executor"):
        sim.compare(_small("a"), _small("b"), replications=1, executor="ray")
