"""Run results made by hand for report and answer tests: known numbers, no simulation."""

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
