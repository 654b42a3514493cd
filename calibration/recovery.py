"""Recovery of known parameters by ABC-SMC with the real simulator (too slow for the test suite; the algorithm's
own recovery on a model with a known truth is tests/analysis/test_abc.py).

    .venv/bin/python calibration/recovery.py [--repeats 4] [--workers 2] [--out calibration/recovery.csv]

Each repeat draws true values of every parameter of the national ABC spec (``national/spec_abc.yaml``: its
priors, targets and ABC settings, distance scale included) inside the middle 70 % of its range, simulates a
history 2015-2019 with them (a quarter-size municipality, one replication, a seed of its own), fits it by ABC-SMC
from the spec's priors, and records whether each parameter's 90 % posterior interval holds the truth. Writes one
row per repeat and parameter (truth, 5 %, 50 %, 95 %, covered) and prints the share covered.
tests/analysis/test_national_checks.py reads the table: which parameters the history identifies (narrower than the
prior, centred nearer the truth than the prior's midpoint) and which it does not.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.analysis.abc import interval_covers
from sim.analysis.calibration import calibrate, prepare, spec_from_mapping
from sim.model.keypaths import set_path
from sim.model.municipality import simulate
from sim.model.scenario import resolve_raw, scenario_from_mapping
from sim.runs.parameter_sets import weighted_quantile

HERE = Path(__file__).resolve().parent
NATIONAL_SPEC = yaml.safe_load((HERE / "national" / "spec_abc.yaml").read_text(encoding="utf-8"))
PARAMETERS = [{"path": p["path"], "low": p["low"], "high": p["high"]} for p in NATIONAL_SPEC["parameters"]]
# the simulated history is the quarter-size municipality's own counts: compared as they are
TARGETS = [{"metric": t["metric"]} for t in NATIONAL_SPEC["targets"]]


def scenario_raw() -> dict:
    raw = resolve_raw(HERE / "national" / "scenario.yaml")
    raw["population"].update(aged_0_17=2925, aged_0_22=3925)  # a quarter of the baseline
    raw["caseworkers"]["fte"] = 5
    raw["calendar"].update(start_year=2015, horizon_years=5, burn_in_years=2, base_year=2015)
    raw["levers"] = []
    return raw


def simulated_history(raw: dict, truth: dict[str, float], seed: int) -> pd.DataFrame:
    raw = copy.deepcopy(raw)
    for path, value in truth.items():
        set_path(raw, path, value)
    rows = simulate(scenario_from_mapping(raw, "<truth>"), seed=seed, replication=0).rows
    metrics = {t["metric"] for t in TARGETS}
    out = [(y, m, float(v), "simulated") for y, m, v in rows if m in metrics]
    out.append((2015, "population_0_17", float(raw["population"]["aged_0_17"]), "scenario"))
    return pd.DataFrame(out, columns=["year", "metric", "value", "note"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--particles", type=int, default=NATIONAL_SPEC["abc"]["particles"])
    ap.add_argument("--out", type=Path, default=HERE / "recovery.csv")
    args = ap.parse_args()
    raw = scenario_raw()
    rng = np.random.default_rng(2026)
    rows = []
    for k in range(args.repeats):
        truth = {p["path"]: float(rng.uniform(p["low"] + 0.15 * (p["high"] - p["low"]),
                                              p["high"] - 0.15 * (p["high"] - p["low"]))) for p in PARAMETERS}
        history = simulated_history(raw, truth, seed=9000 + k)
        spec = spec_from_mapping({"seed": 100 + k, "method": "abc_smc", "dispersion": NATIONAL_SPEC["dispersion"],
                                  "scale": "absolute", "parameters": PARAMETERS, "targets": TARGETS,
                                  "abc": {**NATIONAL_SPEC["abc"], "particles": args.particles},
                                  "projection_replications": 2}, "<recovery>")
        cal = calibrate(prepare(raw, spec, history), workers=args.workers, fit_bands=False)
        covered = interval_covers(cal.ensemble, truth)
        for p in PARAMETERS:
            v, w = cal.ensemble[p["path"]].to_numpy(), cal.ensemble["weight"].to_numpy()
            rows.append({"repeat": k, "parameter": p["path"], "truth": truth[p["path"]],
                         **{f"p{round(q * 100):02d}": weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95)},
                         "covered": covered[p["path"]],
                         "simulations": cal.simulations})
        print(k, covered, cal.simulations, flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False, float_format="%.6g")
    print(f"covered: {table['covered'].mean():.2f} of {len(table)} intervals; "
          f"{table.groupby('repeat')['simulations'].first().sum()} simulations")


if __name__ == "__main__":
    main()
