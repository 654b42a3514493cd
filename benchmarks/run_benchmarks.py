"""Benchmarks (not tests): speed and memory of the model on this machine.

    python benchmarks/run_benchmarks.py [--replications N] [--years Y] [--workers W]

Measures in one run, on the same machine:
- bare SimPy timeouts per second (the ceiling for any SimPy model);
- replications per second and simulated events per second for the baseline (burn-in + Y years), in one
  process and with W worker processes;
- their ratio, the projected wall time of 1,000 replications x 10 years on all cores, and peak memory.
Goals (issue 2): 1,000 x 10 years in <= 60 s on 2 cores; model events/s >= 0.5 x bare SimPy; < 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.municipality import simulate  # noqa: E402
from sim.runner import run_replications, with_horizon  # noqa: E402


def bare_simpy_timeouts_per_second(n_processes: int = 100, until: int = 5000) -> float:
    env = simpy.Environment()

    def ticker(env):
        while True:
            yield env.timeout(1.0)

    for _ in range(n_processes):
        env.process(ticker(env))
    t = time.perf_counter()
    env.run(until=until)
    return n_processes * until / (time.perf_counter() - t)


def single_process(scenario, replications: int) -> tuple[float, int]:
    simulate(scenario, 1, 10_000)  # warm-up: imports, caches
    t = time.perf_counter()
    events = 0
    for r in range(replications):
        events += simulate(scenario, 1, r).events
    return time.perf_counter() - t, events


def peak_memory_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0  # ru_maxrss is KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    scenario = with_horizon(sim.load_scenario(ROOT / "scenarios" / "baseline.yaml"), args.years)
    simulated_years = scenario.calendar.burn_in_years + args.years
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}, simpy {simpy.__version__}")
    print(f"baseline: {args.years} projected + {scenario.calendar.burn_in_years} burn-in years per replication")

    bare = bare_simpy_timeouts_per_second()
    print(f"bare SimPy:            {bare:12,.0f} timeouts/s")

    n1 = max(2, args.replications // 4)
    secs, events = single_process(scenario, n1)
    model_rate = events / secs
    print(f"model, 1 process:      {n1 / secs:12.2f} replications/s  {model_rate:12,.0f} events/s  "
          f"({events / n1:,.0f} events and {secs / n1:.2f} s per replication)")
    print(f"ratio model/bare:      {model_rate / bare:12.2f}   (goal >= 0.5)")

    t = time.perf_counter()
    result = run_replications(scenario, args.replications, seed=1, workers=args.workers)
    wall = time.perf_counter() - t
    per_rep = wall / args.replications
    print(f"model, {args.workers} workers:     {args.replications / wall:12.2f} replications/s  "
          f"{result.events / wall:12,.0f} events/s")
    projected = per_rep * 1000 * (simulated_years / (scenario.calendar.burn_in_years + 10))
    projected_all = projected * args.workers / cores
    print(f"projected 1,000 x 10 years on {cores} cores: {projected_all:8.0f} s   (goal <= 60 s)")
    print(f"peak memory (this process + workers): {peak_memory_mib():8.0f} MiB   (goal < 1024 MiB)")


if __name__ == "__main__":
    main()
