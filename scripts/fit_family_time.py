"""Fit the strength of the hours-per-case dose-response to Herning's pilot, with its range. One command:

    .venv/bin/python scripts/fit_family_time.py [--replications 40] [--seed 1] [--values 0,0.25,0.5,0.75,1.0]

Runs the pilot (sim.analysis.herning: 0.29 of the average municipality, 4 -> 8 caseworkers, caseload about
48 -> 24, reviews every 3 months, three years) at each value of caseworkers.family_time.max_effect with the
baseline's other settings (prices included: rerun it when they change), prints the saving on placements at
each, and reads off three values: the one whose three-year saving is Herning's 6.7 M DKK
(facts: herning_placement_savings_2013_2015), and the low and high ends of the range the evidence allows
(sim.analysis.herning.HERNING_BAND). The baseline's default is the first, rounded; its assumptions: entry draws
max_effect from no effect to the high end. It then runs the pilot at the fitted value and prints its saving per added
caseworker in year 3 (Herning: about 0.75 M DKK). The test (tests/properties/test_caseworker_time.py) checks it on
other random numbers.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import pandas as pd

import sim
from sim.analysis.herning import (
    FTE_AFTER,
    FTE_BEFORE,
    HERNING_BAND,
    HERNING_PER_CASEWORKER_YEAR_3,
    SETTING,
    placement_saving_by_year,
    read_off,
    saving_curve,
)
from sim.model.keypaths import set_path

ROOT = Path(__file__).resolve().parent.parent

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--values", default="0,0.25,0.5,0.75,1.0")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    facts = pd.read_csv(ROOT / "calibration" / "facts.csv")
    target = float(facts.loc[facts["key"] == "herning_placement_savings_2013_2015", "value"].iloc[0])
    raw = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    values = [float(v) for v in args.values.split(",")]
    curve = saving_curve(raw, values, args.replications, args.seed, args.workers)
    print("max_effect  saving on placements over 3 years (M DKK)")
    for value, saving in curve:
        print(f"{value:10.3f}  {saving / 1e6:8.2f}")
    low_target, high_target = (target * b / HERNING_PER_CASEWORKER_YEAR_3 for b in HERNING_BAND)
    fitted = read_off(curve, target)
    low, high = read_off(curve, low_target), read_off(curve, high_target)
    print(f"Herning: {target / 1e6:.1f} M DKK -> max_effect = {fitted:.3f}")
    print(f"range: {low_target / 1e6:.1f} M -> {low:.3f}, {high_target / 1e6:.1f} M -> {high:.3f}")
    at_fit = copy.deepcopy(raw)
    set_path(at_fit, SETTING, round(fitted, 2))
    by_year = placement_saving_by_year(at_fit, args.replications, args.seed, args.workers)
    print(f"at max_effect {round(fitted, 2)}: saving by year (M DKK) "
          + ", ".join(f"{s / 1e6:.2f}" for s in by_year)
          + f"; per added caseworker in year 3: {by_year[-1] / (FTE_AFTER - FTE_BEFORE) / 1e6:.2f} M DKK")


if __name__ == "__main__":
    main()
