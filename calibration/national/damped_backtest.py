"""The rolling back-test with the trends damped beside the same fit with its trends in full:

    .venv/bin/python calibration/national/damped_backtest.py [--workers 2] [--particles 60] [--generations 6]
        [--replications 20] [--scale 8] [--out calibration/national/results/damped_backtest]

At each origin (2016, 2017, 2018; 3 years ahead) the national fit (scenario.yaml, spec_abc.yaml) runs once,
and its posterior is projected twice: ``model`` with the scenario's damping (phi 0.82 from the origin on) and the
spec's random walk on the trend, ``model_full_trend`` as before damping (phi 1, no walk). Beside them the simple
forecasts and the combination (sim.analysis.combination: weights fitted on earlier origins only). Writes
``backtest.csv`` (every forecast scored) and ``backtest_rolling.csv`` (MAPE, MASE and coverage per method, metric
and horizon, with the winner of each row in ``backtest_winners.csv``). The ABC settings can be made smaller than
the spec's (a cheaper, rougher fit; the command line says which were used, and so do the docs' numbers).

``--post-hoc PHI`` instead damps the stored back-test's model forecasts after the fact (results/backtest/
backtest.csv: each forecast's log growth from the origin's last observed value times S_h(PHI)/h, as if the
model's growth were a constant trend) and prints the pooled MAPE and MASE per method and horizon: an
approximation without a simulation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.backtest import fit_origin, last_observed, project_origin, rolling_table, score_origin
from sim.analysis.calibration import load_spec
from sim.analysis.combination import winners, with_combination
from sim.analysis.damping_fit import damped_sum
from sim.analysis.simple_forecasts import simple_forecasts
from sim.data.history import read_history
from sim.model.scenario import resolve_raw

HERE = Path(__file__).resolve().parent
ORIGINS, HORIZON = (2016, 2017, 2018), 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--particles", type=int)
    ap.add_argument("--generations", type=int)
    ap.add_argument("--max-batches", type=int)
    ap.add_argument("--replications", type=int)
    ap.add_argument("--scale", type=int)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "damped_backtest")
    ap.add_argument("--post-hoc", type=float, help="damp the stored back-test's forecasts by this phi instead")
    args = ap.parse_args()
    if args.post_hoc is not None:
        history = read_history(HERE / "history.csv")
        stored = pd.read_csv(HERE / "results" / "backtest" / "backtest.csv")
        rolling = rolling_table(with_combination(post_hoc_damped(stored, history, args.post_hoc)))
        print(rolling[rolling["metric"].isin(["all", "notifications"])].to_string(index=False))
        return
    spec = load_spec(HERE / "spec_abc.yaml")
    abc = {k: v for k, v in (("particles", args.particles), ("generations", args.generations),
                             ("max_batches", args.max_batches)) if v is not None}
    spec = replace_spec(spec, abc, args.replications, args.scale)
    raw = resolve_raw(HERE / "scenario.yaml")
    history = read_history(HERE / "history.csv")
    frames, simulations = [], 0
    for origin in ORIGINS:
        problem, cal = fit_origin(raw, spec, history, origin, HORIZON, workers=args.workers)
        damped = project_origin(problem, cal, history, origin, HORIZON, workers=args.workers)
        full = project_origin(problem, cal, history, origin, HORIZON, workers=args.workers, method="model_full_trend",
                              changes={"trend_damping": {"phi": 1.0}}, walk_sd=0.0)
        simple = simple_forecasts(history, origin, HORIZON)
        simple = simple[simple["metric"].isin(set(damped["metric"]))]
        frames.append(score_origin(pd.concat([damped, full, simple], ignore_index=True), history, origin))
        simulations += cal.simulations
        print(f"origin {origin}: {cal.simulations} simulations", flush=True)
    scored = with_combination(pd.concat(frames, ignore_index=True), history)
    args.out.mkdir(parents=True, exist_ok=True)
    scored.to_csv(args.out / "backtest.csv", index=False, float_format="%.6g")
    rolling = rolling_table(scored)
    rolling.to_csv(args.out / "backtest_rolling.csv", index=False, float_format="%.6g")
    winners(rolling).to_csv(args.out / "backtest_winners.csv", index=False, float_format="%.6g")
    settings = {"particles": spec.abc.particles, "generations": spec.abc.generations,
                "max_batches": spec.abc.max_batches, "projection_replications": spec.projection_replications,
                "projection_scale": spec.projection_scale, "simulations": simulations}
    (args.out / "settings.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    pooled = rolling[(rolling["metric"] == "all")]
    print(pooled.to_string(index=False))


def post_hoc_damped(scored: pd.DataFrame, history: pd.DataFrame, phi: float) -> pd.DataFrame:
    """The model's scored forecasts damped after the fact (see the module's doc); the other methods as they are."""
    out = scored[scored["method"] != "combination"].copy()
    for i in out.index[out["method"] == "model"]:
        row = out.loc[i]
        year, value = last_observed(history, row["metric"], int(row["origin"]))
        steps = int(row["year"]) - year
        growth = np.log(row["forecast"] / value) / steps
        damped = value * float(np.exp(growth * damped_sum(phi, steps)))
        error, before = abs(damped - row["actual"]), abs(row["forecast"] - row["actual"])
        out.loc[i, ["forecast", "ape"]] = [damped, error / abs(row["actual"])]
        out.loc[i, "ase"] = row["ase"] * error / before if before > 0 else np.nan
    return out


def replace_spec(spec, abc: dict, replications: int | None, scale: int | None):
    """The spec with smaller ABC and projection settings where asked."""
    changes: dict = {}
    if abc:
        changes["abc"] = spec.abc.model_copy(update=abc)
    if replications is not None:
        changes["projection_replications"] = replications
    if scale is not None:
        changes["projection_scale"] = scale
    return spec.model_copy(update=changes) if changes else spec


if __name__ == "__main__":
    main()
