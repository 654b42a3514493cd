"""Measure a scenario's own long-run stock on the staircase, for its ``initial_state``.

    .venv/bin/python scripts/long_run_stock.py [scenarios/baseline.yaml] [--replications 8] [--years 30]
        [--from-year 15] [--seed 1] [--set PATH=VALUE ...]

Runs the scenario for ``--years`` projected years and averages, over the years from ``--from-year`` on and all
replications, each step's stock per 1,000 aged 0-22, the placed and preventive totals, the caseload and the
hours per case. A scenario started from this stock with flat inputs gives a flat projection (docs/calibration.md,
"Where the fit starts"). ``--set`` changes a number first (a key path, as in a lever), to measure a candidate before
writing it into the scenario. Prints the ``initial_state`` block to paste.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from sim.model.keypaths import set_path
from sim.model.scenario import load_scenario, scenario_from_mapping
from sim.runs.runner import run_replications, with_horizon

ROOT = Path(__file__).resolve().parent.parent


def candidate(path: Path, settings: list[str]):
    """The scenario at ``path`` with each PATH=VALUE of ``settings`` set (values read as YAML)."""
    raw = load_scenario(path).model_dump(mode="json")
    for item in settings:
        key, _, value = item.partition("=")
        set_path(raw, key, yaml.safe_load(value))
    return scenario_from_mapping(raw, f"{path} with {', '.join(settings)}" if settings else str(path))


def long_run(scenario, replications: int, years: int, from_year: int, seed: int, workers: int | None) -> dict:
    """Mean stock per 1,000 aged 0-22 by step, and the caseload and hours per case, over the later years."""
    table = run_replications(with_horizon(scenario, years), replications, seed=seed, workers=workers).table
    late = table[table["year"] >= scenario.calendar.start_year + from_year]
    means = late.groupby("metric")["value"].mean()
    per_1000 = 1000.0 / means["population_0_22"]
    stock = {st.id: round(float(means[f"stock.{st.id}"] * per_1000), 2) for st in scenario.staircase}
    kinds = {kind: sum(stock[st.id] for st in scenario.staircase if st.kind == kind)
             for kind in ("placement", "preventive")}
    return {"stock_per_1000_aged_0_22": stock, "placed_per_1000": round(float(kinds["placement"]), 2),
            "preventive_per_1000": round(float(kinds["preventive"]), 2),
            **{m: round(float(means[m]), 3) for m in ("caseload", "hours_per_case_per_month", "family_hours_per_case",
                                                       "placements_started", "cost_total")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--from-year", type=int, default=15, help="first projected year averaged (0 = start_year)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    args = parser.parse_args()
    result = long_run(candidate(args.scenario, args.set), args.replications, args.years, args.from_year, args.seed,
                      args.workers)
    print(yaml.safe_dump(result, sort_keys=False, allow_unicode=True))


if __name__ == "__main__":
    main()
