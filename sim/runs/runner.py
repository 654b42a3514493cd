"""Running replications: in parallel processes, with a progress bar, reproducible to the byte.

Replication *r* with seed *s* draws from streams keyed by (s, r) only, so the result does not depend on
which process ran it or in what order; the table is sorted by replication before it is returned.
Workers return small tuples, never model objects.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.model.levers import years_since
from sim.model.municipality import simulate
from sim.model.scenario import Scenario, scenario_from_mapping
from sim.runs.executors import default_workers, map_chunks

COLUMNS = ["scenario", "replication", "year", "metric", "value"]


@dataclass
class RunResult:
    """All replications of one scenario, as the long table, plus what the manifest needs."""

    scenario: Scenario
    table: pd.DataFrame
    seed: int
    replications: int
    wall_seconds: float
    events: int
    stock_at_start: dict = field(default_factory=dict)  # children and monthly cost per step, replication 0
    parquet: Path | None = None  # streamed runs: the long table is in this file, and ``table`` is None
    assumptions: object | None = None  # the AssumptionDraws the replications used; None: assumptions as written


def with_horizon(scenario: Scenario, years: int | None) -> Scenario:
    """The scenario with another number of projected years, validated again (phase-in dates must fit)."""
    if years is None or years == scenario.calendar.horizon_years:
        return scenario
    if years < 1:
        raise InputError("--years must be at least 1")
    raw = scenario.model_dump(mode="json")
    raw["calendar"]["horizon_years"] = years
    return scenario_from_mapping(raw, f"{scenario.name} with --years {years}")


@dataclass(frozen=True)
class Start:
    """Where a run starts: the scenario's own initial stock, or a case register at an as-of date."""

    initial_cases: tuple | None = None
    time: float = 0.0  # simulated years from 1 January of the first simulated year


def as_of_scenario(scenario: Scenario, as_of: dt.date) -> Scenario:
    """The scenario run from a case register: from the as-of year (no burn-in) to the scenario's last year."""
    if as_of.year > scenario.end_year:
        raise InputError(f"--as-of {as_of} is after the scenario's last year {scenario.end_year}")
    raw = scenario.model_dump(mode="json")
    raw["calendar"].update(
        start_year=as_of.year,
        burn_in_years=0,
        horizon_years=scenario.end_year - as_of.year + 1,
    )
    return scenario_from_mapping(raw, f"{scenario.name} from {as_of}")


def register_start(cases, as_of: dt.date) -> Start:
    """Start the day after the as-of date: what is spent to date covers the as-of date itself."""
    return Start(initial_cases=tuple(cases), time=years_since(as_of + dt.timedelta(days=1), as_of.year))


def _replications(scenario: Scenario, seed: int, reps: list[int], start: Start, parameter_sets=None,
                  assumptions=None) -> list[tuple]:
    """Worker: run some replications; returns (replication, rows, events, stock at start) for each.

    ``assumptions`` (sim.runs.assumptions.AssumptionDraws): replication r draws the scenario's uncertain
    assumptions for (seed, r); ``parameter_sets``: then runs with the set drawn for (seed, r) (see
    sim.runs.parameter_sets)."""
    out = []
    for r in reps:
        stock: dict = {}  # the state replication r starts from, read off the model itself
        sc = assumptions.for_replication(scenario, seed, r) if assumptions is not None else scenario
        sc = parameter_sets.for_replication(sc, seed, r) if parameter_sets is not None else sc
        res = simulate(sc, seed, r, initial_cases=start.initial_cases, start=start.time, stock_at_start=stock)
        out.append((r, res.rows, res.events, stock))
    return out


def replication_chunks(n: int, size: int, first: int = 0) -> list[list[int]]:
    """Replications first .. first + n - 1 in lists of ``size``."""
    return [list(range(first + i, first + min(n, i + size))) for i in range(0, n, size)]


MAX_REPLICATIONS = 100_000  # about a day on 2 cores; more would only exhaust memory before it starts
MAX_SEED = 2**63 - 1  # the random streams take a non-negative 64-bit seed


def check_run_options(replications: int, workers: int | None, seed: int = 0) -> None:
    if replications < 1:
        raise InputError("--replications must be at least 1")
    if replications > MAX_REPLICATIONS:
        raise InputError(f"--replications must be at most {MAX_REPLICATIONS:,} (got {replications:,})")
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed must be a whole number from 0 to {MAX_SEED} (got {seed})")
    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int = 0,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    start: Start = Start(),
    executor: str = "local",
    scheduler: str | None = None,
    parameter_sets=None,
    stream_to: Path | None = None,
    assumptions=None,
    first: int = 0,
) -> RunResult:
    """Run ``replications`` replications of ``scenario``; ``on_progress(k)`` is called as k more finish.

    ``first``: run replications first .. first + replications - 1 (a batch of a run to a precision,
    sim.runs.batches); replication r is the same whichever batch runs it.

    ``executor`` 'local' (processes on this machine) or 'dask' (a Dask cluster at ``scheduler``, or a local
    one); the result is the same whatever runs it. ``parameter_sets`` (sim.runs.parameter_sets.ParameterSets):
    each replication draws one calibrated parameter set, so the bands carry parameter uncertainty.
    ``assumptions`` (sim.runs.assumptions.AssumptionDraws): each replication draws the scenario's uncertain
    assumptions; None keeps them as written (the engine's default: calibration and sensitivity vary their own).
    ``stream_to``: write each replication's rows to this parquet file as it finishes and keep none of them in
    memory (``table`` is then None and ``parquet`` the file): memory does not grow with replications."""
    check_run_options(replications, workers)
    workers = default_workers() if workers is None else workers
    started = time.perf_counter()
    # small chunks keep every worker busy to the end; results come back in chunk order
    size = 1 if workers == 1 else max(1, min(8, replications // (workers * 4) or 1))
    work = partial(_replications, scenario, seed, start=start, parameter_sets=parameter_sets,
                   assumptions=assumptions)
    chunks = replication_chunks(replications, size, first)
    run_on = dict(executor=executor, workers=workers, scheduler=scheduler)
    if stream_to is not None:
        streamed = _streamed(scenario, work, chunks, run_on, stream_to, seed, replications, on_progress, started)
        streamed.assumptions = assumptions
        return streamed
    parts = map_chunks(work, chunks, on_result=(lambda part: on_progress(len(part))) if on_progress else None,
                       **run_on)
    results = sorted((x for part in parts for x in part), key=lambda x: x[0])
    table = long_table(scenario.name, results)
    return RunResult(
        scenario=scenario,
        table=table,
        seed=seed,
        replications=replications,
        wall_seconds=time.perf_counter() - started,
        events=sum(x[2] for x in results),
        stock_at_start=results[0][3],
        assumptions=assumptions,
    )


def _streamed(scenario, work, chunks, run_on, path, seed, replications, on_progress, started) -> RunResult:
    """Run the chunks and write each replication to ``path`` as it arrives; keep only the totals."""
    from sim.runs.streaming import ReplicationWriter

    totals = {"events": 0, "stock": {}}

    with ReplicationWriter(path, scenario.name) as writer:
        def arrived(part):
            for r, rows, events, stock in part:
                writer.add(r, rows)
                totals["events"] += events
                if r == 0:
                    totals["stock"] = stock
            if on_progress:
                on_progress(len(part))

        map_chunks(work, chunks, on_result=arrived, keep=False, **run_on)
    return RunResult(
        scenario=scenario,
        table=None,
        seed=seed,
        replications=replications,
        wall_seconds=time.perf_counter() - started,
        events=totals["events"],
        stock_at_start=totals["stock"],
        parquet=Path(path),
    )


def run_metrics(
    scenario: Scenario, replications: int, seed: int, metrics: tuple[str, ...], parameter_sets=None
) -> tuple[pd.DataFrame, int]:
    """In this process: the long table of replications 0..R-1, only ``metrics``, and the events simulated.
    The unit of work of sensitivity analysis and calibration (one sample point or trial per worker)."""
    res = run_replications(scenario, replications, seed=seed, workers=1, parameter_sets=parameter_sets)
    table = res.table
    return table[table["metric"].isin(metrics)].reset_index(drop=True), res.events


def long_table(name: str, results: Iterable[tuple]) -> pd.DataFrame:
    reps, years, metrics, values = [], [], [], []
    for r, rows, *_ in results:
        for year, metric, value in rows:
            reps.append(r)
            years.append(year)
            metrics.append(metric)
            values.append(value)
    return pd.DataFrame(
        {
            "scenario": pd.Series([name] * len(reps), dtype=object),
            "replication": np.asarray(reps, dtype=np.int64),
            "year": np.asarray(years, dtype=np.int64),
            "metric": pd.Series(metrics, dtype=object),
            "value": np.asarray(values, dtype=np.float64),
        },
        columns=COLUMNS,
    )


def run(
    scenario: Scenario | str | os.PathLike,
    replications: int = 20,
    years: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    fixed_assumptions: bool = False,
) -> pd.DataFrame:
    """Python API: the long metric table of a scenario (a ``Scenario`` or a path to a YAML file), drawing its
    uncertain assumptions per replication unless ``fixed_assumptions`` (as ``boernesim run``)."""
    from sim.runs.assumptions import draws_for

    if not isinstance(scenario, Scenario):
        from sim.model.scenario import load_scenario

        scenario = load_scenario(scenario)
    scenario = with_horizon(scenario, years)
    draws = draws_for([scenario], fixed_assumptions)
    return run_replications(scenario, replications, seed=seed, workers=workers, assumptions=draws).table
