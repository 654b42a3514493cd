"""The rolling back-test with the trends damped beside the same fit with its trends in full:

    .venv/bin/python calibration/national/damped_backtest.py [--workers 1] [--particles 40] [--generations 5]
        [--max-batches 3] [--replications 20] [--scale 8] [--phi learnt|NUMBER] [--walk-sd earlier|NUMBER]
        [--sweep-walk] [--refit] [--fits-only] [--out calibration/national/results/damped_backtest]

At each origin (2016, 2017, 2018; 3 years ahead) the national fit (scenario.yaml, spec_abc.yaml) runs once, and
its posterior is projected: ``model`` damped by the origin's phi with a random walk on the trend,
``model_full_trend`` as before damping (phi 1, no walk). Beside them the simple forecasts and the combination
(sim.analysis.combination: weights fitted on earlier origins only). Writes ``backtest.csv`` (every forecast
scored) and ``backtest_rolling.csv`` (MAPE, MASE and coverage per method, metric and horizon, with the winner of
each row in ``backtest_winners.csv``), and ``settings.json`` (the settings, each origin's phi and walk sd).

Out of sample: ``--phi learnt`` (the default) takes each origin's phi from what was known at it
(:func:`origin_phi`: the 2006-2014 placements and the national history up to the origin, on rolling origins as
calibration/national/damping.py does, PRIOR_PHI with too few); ``--walk-sd earlier`` (the default) the trend
walk's sd on earlier origins only (sim.analysis.backtest.walk_sd_from_earlier: the smallest sd of WALK_SD_GRID
whose 90 % band covered at least 90 % of the forecasts made before the origin for years up to it; PRIOR_WALK_SD
at the first origin). A number sets either for every origin (a stated prior).

Where the time goes: the fits (ABC-SMC, about 0.55 s a simulation, hundreds a fit); a projection is
``--replications`` simulations at ``--scale`` times the size (about 8 s each at 8). The phi and the walk act only
after the origin, so each origin's fit is kept (``<out>/fits/<origin>.parquet``, its settings beside it) and read
again by the next run with the same ABC settings and seed (``--refit`` fits again), and each projection's
replications are kept (``<out>/projections/<origin>_phi<phi>.parquet``): another phi costs one projection per
origin and no fit, another walk sd no simulation at all. ``--sweep-walk`` prints the model's pooled scores with
each sd of WALK_SD_GRID at every origin.

``--post-hoc PHI`` instead damps the stored back-test's model forecasts after the fact (results/backtest/
backtest.csv: each forecast's log growth from the origin's last observed value times S_h(PHI)/h, as if the
model's growth were a constant trend) and prints the pooled MAPE and MASE per method and horizon: an
approximation without a simulation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.backtest import (
    WALK_SD_GRID,
    fit_origin,
    last_observed,
    model_forecast,
    origin_problem,
    projection_table,
    rolling_table,
    score_origin,
    stored_calibration,
    walk_sd_from_earlier,
)
from sim.analysis.calibration import load_spec
from sim.analysis.combination import winners, with_combination
from sim.analysis.damping_fit import damped_sum, damping_at_origin
from sim.analysis.simple_forecasts import simple_forecasts
from sim.data.history import read_history
from sim.model.scenario import resolve_raw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from damping import MIN_POINTS, series_sets  # noqa: E402  (the series phi is learnt from)

ORIGINS, HORIZON = (2016, 2017, 2018), 3
PRIOR_PHI = 1.0  # with too little known at an origin: the trends as fitted (damp only what the data show fading)
MIN_FORECASTS = 10  # scored forecasts a learnt phi needs at an origin (else PRIOR_PHI)
PRIOR_WALK_SD = 0.0  # the first origin's walk: none. The projection's band already carries the trends'
#   uncertainty (one posterior set per replication) and the drifting propensity's fitted random walk; a walk on top
#   is added only where forecasts scored before an origin show the band too narrow (walk_sd_from_earlier)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--particles", type=int)
    ap.add_argument("--generations", type=int)
    ap.add_argument("--max-batches", type=int)
    ap.add_argument("--replications", type=int)
    ap.add_argument("--scale", type=int)
    ap.add_argument("--phi", default="learnt", help="'learnt' (each origin's, out of sample) or a number")
    ap.add_argument("--walk-sd", default="earlier", help="'earlier' (chosen on earlier origins) or a number")
    ap.add_argument("--sweep-walk", action="store_true", help="print the model's scores under each walk sd")
    ap.add_argument("--refit", action="store_true", help="fit every origin again even if a kept fit matches")
    ap.add_argument("--fits-only", action="store_true", help="fit (or find) every origin's fit and stop")
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
    fits = {o: origin_fit(raw, spec, history, o, args.out / "fits", workers=args.workers, refit=args.refit)
            for o in ORIGINS}
    if args.fits_only:
        return
    damping = {o: origin_phi(o, args.phi) for o in ORIGINS}
    tables = {}
    for origin, (problem, cal, _) in fits.items():
        for phi in sorted({damping[origin]["phi"], 1.0}):
            tables[origin, phi] = kept_projection(problem, cal, origin, phi, args.out / "projections",
                                                  workers=args.workers)
    by_sd = {sd: model_scored(fits, tables, damping, history, {o: sd for o in ORIGINS}) for sd in WALK_SD_GRID}
    if args.sweep_walk:
        print(walk_sweep(fits, tables, damping, history, by_sd).to_string(index=False,
                                                                        float_format=lambda v: f"{v:.3f}"))
    for origin in ORIGINS:
        if args.walk_sd == "earlier":
            sd, rests_on = walk_sd_from_earlier(by_sd, origin, prior=PRIOR_WALK_SD)
            damping[origin].update(walk_sd=sd, walk_source="earlier origins" if rests_on else "prior",
                                   walk_forecasts=rests_on)
        else:
            damping[origin].update(walk_sd=float(args.walk_sd), walk_source="stated")
    scored = scored_backtest(fits, tables, damping, history)
    write_outputs(args.out, scored, spec, fits, damping)


# ---------------------------------------------------------------- fits and projections kept


def fit_settings(spec) -> dict:
    """What a kept fit must match to be used again: the ABC settings and the seed."""
    return {"seed": spec.seed, **spec.abc.model_dump(mode="json")}


def origin_fit(raw: dict, spec, history: pd.DataFrame, origin: int, where: Path, *, workers: int,
               refit: bool = False):
    """(problem, calibration, simulations of the fit) at ``origin``: the kept fit ``<where>/<origin>.parquet``
    when its settings match (no simulation), else fitted and kept."""
    path, settings_path = where / f"{origin}.parquet", where / f"{origin}.json"
    settings = fit_settings(spec)
    if not refit and path.is_file() and settings_path.is_file():
        kept = json.loads(settings_path.read_text(encoding="utf-8"))
        if kept.get("settings") == settings:
            problem = origin_problem(raw, spec, history, origin, HORIZON)
            print(f"origin {origin}: kept fit ({kept['simulations']} simulations)", flush=True)
            return problem, stored_calibration(problem, pd.read_parquet(path)), int(kept["simulations"])
    problem, cal = fit_origin(raw, spec, history, origin, HORIZON, workers=workers)
    where.mkdir(parents=True, exist_ok=True)
    cal.ensemble.to_parquet(path, index=False)
    settings_path.write_text(json.dumps({"settings": settings, "simulations": cal.simulations,
                                         "wall_seconds": round(cal.wall_seconds, 1)}, indent=2) + "\n",
                             encoding="utf-8")
    print(f"origin {origin}: fitted, {cal.simulations} simulations, {cal.wall_seconds:.0f} s", flush=True)
    return problem, stored_calibration(problem, cal.ensemble), cal.simulations


def kept_projection(problem, cal, origin: int, phi: float, where: Path, *, workers: int) -> pd.DataFrame:
    """The projection's replications of the history's metrics at ``phi`` (:func:`projection_table`), kept as
    ``<where>/<origin>_phi<phi>.parquet`` with the projection's settings in the JSON file beside it."""
    spec = problem.spec
    stem = f"{origin}_phi{phi:g}"
    path, settings_path = where / f"{stem}.parquet", where / f"{stem}.json"
    settings = {"fit": fit_settings(spec), "replications": spec.projection_replications,
                "scale": spec.projection_scale, "sets": cal.parameter_sets.digest}
    if path.is_file() and settings_path.is_file() and json.loads(settings_path.read_text()) == settings:
        return pd.read_parquet(path)
    _, table = projection_table(problem, cal, origin, HORIZON, workers=workers,
                                changes={"trend_damping": {"phi": phi}})
    table = table[table["metric"].isin(set(problem.history["metric"]))].reset_index(drop=True)  # what is scored
    where.mkdir(parents=True, exist_ok=True)
    table.to_parquet(path, index=False)
    settings_path.write_text(json.dumps(settings) + "\n", encoding="utf-8")
    print(f"origin {origin}: projected at phi {phi:g}", flush=True)
    return table


# ---------------------------------------------------------------- out of sample


def origin_phi(origin: int, phi: str = "learnt") -> dict:
    """The origin's phi from what was known at it (sim.analysis.damping_fit.damping_at_origin on the 2006-2014
    placements and the national history up to the origin, as calibration/national/damping.py learns it; PRIOR_PHI
    with fewer than MIN_FORECASTS scored forecasts), or the number given."""
    if phi != "learnt":
        return {"origin": origin, "phi": float(phi), "phi_source": "stated"}
    learnt = damping_at_origin(series_sets()["both"], origin, prior_phi=PRIOR_PHI, min_forecasts=MIN_FORECASTS,
                               min_points=MIN_POINTS)
    return learnt.as_row()


# ---------------------------------------------------------------- scoring


def model_scored(fits: dict, tables: dict, damping: dict, history: pd.DataFrame, walk: dict) -> pd.DataFrame:
    """The model's scored forecasts at every origin, at the origin's phi and the walk sd ``walk[origin]``
    (kept projections: no simulation)."""
    frames = []
    for origin, (problem, _, _) in fits.items():
        phi = damping[origin]["phi"]
        model = model_forecast(problem, tables[origin, phi], history, origin, HORIZON, phi=phi,
                               walk_sd=walk[origin])
        frames.append(score_origin(model, history, origin))
    return pd.concat(frames, ignore_index=True)


def scored_backtest(fits: dict, tables: dict, damping: dict, history: pd.DataFrame) -> pd.DataFrame:
    """Every method scored: the model at each origin's phi and walk sd, the full trend without a walk, the
    simple forecasts, and the combination."""
    frames = []
    for origin, (problem, _, _) in fits.items():
        phi = damping[origin]["phi"]
        model = model_forecast(problem, tables[origin, phi], history, origin, HORIZON, phi=phi,
                               walk_sd=damping[origin]["walk_sd"])
        full = model_forecast(problem, tables[origin, 1.0], history, origin, HORIZON, phi=1.0, walk_sd=0.0,
                              method="model_full_trend")
        simple = simple_forecasts(history, origin, HORIZON)
        simple = simple[simple["metric"].isin(set(model["metric"]))]
        frames.append(score_origin(pd.concat([model, full, simple], ignore_index=True), history, origin))
    return with_combination(pd.concat(frames, ignore_index=True), history)


def walk_sweep(fits: dict, tables: dict, damping: dict, history: pd.DataFrame, by_sd: dict) -> pd.DataFrame:
    """The model's pooled MAPE, MASE per horizon and band coverage with one walk sd at every origin."""
    rows = []
    for sd, scored in by_sd.items():
        rolling = rolling_table(scored)
        model = rolling[rolling["metric"] == "all"].set_index("horizon")
        rows.append({"walk_sd": sd, "mape": model.loc[0, "mape"], "mase": model.loc[0, "mase"],
                     **{f"mase_h{h}": model.loc[h, "mase"] for h in range(1, HORIZON + 1)},
                     "coverage_50": model.loc[0, "coverage_50"], "coverage_90": model.loc[0, "coverage_90"]})
    return pd.DataFrame(rows)


def write_outputs(out: Path, scored: pd.DataFrame, spec, fits: dict, damping: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    scored.to_csv(out / "backtest.csv", index=False, float_format="%.6g")
    rolling = rolling_table(scored)
    rolling.to_csv(out / "backtest_rolling.csv", index=False, float_format="%.6g")
    winners(rolling).to_csv(out / "backtest_winners.csv", index=False, float_format="%.6g")
    settings = {"particles": spec.abc.particles, "generations": spec.abc.generations,
                "max_batches": spec.abc.max_batches, "projection_replications": spec.projection_replications,
                "projection_scale": spec.projection_scale,
                "simulations": sum(s for _, _, s in fits.values())
                + spec.projection_replications * sum(len({d["phi"], 1.0}) for d in damping.values()),
                "origins": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}
                            for d in damping.values()]}
    (out / "settings.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
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
