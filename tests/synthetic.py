"""Run results and histories made by hand for report, answer and back-test tests: known numbers, no simulation."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sim.runs.runner import COLUMNS, RunResult

COST_ONLY = {"cost_total": 4e8}


def synthetic_result(scenario, level: float, metrics: Mapping[str, float] = COST_ONLY,
                     replications: int = 2) -> RunResult:
    """Each metric ``level`` times its given value in every year of the scenario, 1 % higher per replication."""
    years = range(scenario.calendar.start_year, scenario.end_year + 1)
    rows = [(scenario.name, r, y, m, v * level * (1 + 0.01 * r)) for r in range(replications) for y in years
            for m, v in metrics.items()]
    return RunResult(scenario=scenario, table=pd.DataFrame(rows, columns=COLUMNS), seed=1,
                     replications=replications, wall_seconds=0.0, events=0)


def made_up_history() -> pd.DataFrame:
    """Four years of a small municipality's notifications and children placed (2020-2023), for back-tests."""
    return pd.DataFrame(
        [(2020, "notifications", 115.0), (2021, "notifications", 122.0), (2022, "notifications", 131.0),
         (2023, "notifications", 135.0), (2020, "children_placed", 9.0), (2021, "children_placed", 9.0),
         (2022, "children_placed", 10.0), (2023, "children_placed", 9.0), (2020, "population_0_17", 1000.0)],
        columns=["year", "metric", "value"]).assign(note="made up")
