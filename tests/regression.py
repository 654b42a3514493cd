"""The stored regression baseline: a small run of the shipped baseline, summarised.

Regenerate on purpose only, after a change that is meant to change results:

    python tests/regression.py --update

and say in the commit message why the numbers moved.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORED = ROOT / "tests" / "data" / "regression_summary.csv"
SEED, REPLICATIONS, YEARS = 2024, 3, 2


def current_summary() -> pd.DataFrame:
    import sim
    from sim.analysis.summary import summarise
    from sim.runs.runner import run_replications, with_horizon

    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), YEARS)
    table = run_replications(scenario, REPLICATIONS, seed=SEED, workers=1).table
    return summarise(table)


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit(__doc__)
    current_summary().to_csv(STORED, index=False, float_format="%.10g")
    print(f"wrote {STORED}")
