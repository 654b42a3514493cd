"""Fit the strength of the hours-per-case dose-response to Herning's pilot (issue 11, item 4).

    .venv/bin/python scripts/fit_family_time.py [--replications 12] [--seed 1] [--values 0,0.25,0.5,0.75,1.0]

Runs the pilot (sim.analysis.herning: a quarter of the average municipality, 4 -> 8 caseworkers, reviews
every 3 months, three years) at each value of caseworkers.family_time.max_effect with the baseline's other
settings, prints the saving on placements at each, and the value whose saving is Herning's 6.7 M DKK
(facts: herning_placement_savings_2013_2015). The baseline's default is that value, rounded; the test
(tests/test_caseworker_time.py) then checks the saving on other random numbers (seed 2026, 10 replications).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import sim
from sim.analysis.herning import fit_max_effect

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--values", default="0,0.25,0.5,0.75,1.0")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    target = float(facts.loc[facts["key"] == "herning_placement_savings_2013_2015", "value"].iloc[0])
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    values = [float(v) for v in args.values.split(",")]
    fitted, curve = fit_max_effect(raw, target, values, args.replications, args.seed, args.workers)
    print("max_effect  saving on placements over 3 years (M DKK)")
    for value, saving in curve:
        print(f"{value:10.3f}  {saving / 1e6:8.2f}")
    print(f"Herning: {target / 1e6:.1f} M DKK -> max_effect = {fitted:.3f}")


if __name__ == "__main__":
    main()
