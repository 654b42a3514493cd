"""How fast Danish trends in this area faded: the damping factor phi learnt on rolling origins.

    .venv/bin/python calibration/national/damping.py [--out calibration/national/results/damping.csv]

Reads the 2006-2014 placement series (placements_0_17_2006_2014.csv, Ankestyrelsen, ages 0-17) and the
2015-2019 national history (history.csv, population rows left out), fits the damped trend of
sim.analysis.damping_fit on every rolling origin (trend: the least squares slope of the log values in up to 5
years with at least 2 observations; level: the last observation; horizons 1-3) for each set alone and both
together, and writes phi, its bootstrap 90 % interval, the pooled errors at phi, at 1 (the full trend) and at 0
(no trend), and the sd of a random walk on the trend that the errors at phi ask for. docs/calibration.md
("Damped trends") quotes the numbers; calibration/national/scenario.yaml states the chosen phi.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.analysis.damping_fit import fit_phi, series_from_history, trend_walk_sd
from sim.model.catalogue import POPULATION_METRICS

HERE = Path(__file__).resolve().parent
MIN_POINTS = 2  # a back-test's first origin (2016) fits its trends on two years: learn phi for that use too


def series_sets() -> dict[str, dict[str, pd.Series]]:
    old = pd.read_csv(HERE / "placements_0_17_2006_2014.csv", comment="#")
    new = pd.read_csv(HERE / "history.csv", comment="#")
    new = new[~new["metric"].isin(POPULATION_METRICS)]
    older = series_from_history(old, prefix="2006-2014 ")
    recent = series_from_history(new, prefix="2015-2019 ")
    return {"2006-2014": older, "2015-2019": recent, "both": {**older, **recent}}


def damping_table() -> pd.DataFrame:
    rows = []
    for name, series in series_sets().items():
        fit = fit_phi(series, min_points=MIN_POINTS)
        rows.append({"series": name, **fit.as_row(),
                     "trend_walk_sd": trend_walk_sd(series, fit.phi, min_points=MIN_POINTS)})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "damping.csv")
    args = parser.parse_args()
    table = damping_table()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False, float_format="%.4g")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
