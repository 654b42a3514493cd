"""Experiments: several scenarios run on the same children with the same luck, so they can be compared.

The rules of a comparison live here, not in the command line, so a notebook or the web app gets the same
answer as ``boernesim compare``: every scenario has its own name, all share one calendar (start year,
horizon, burn-in), all run with the same seed and replications (common random numbers: replication *r* of
each meets the same children), and calibrated parameter sets, when given, fit every scenario and vary only
what the baseline varies.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.model.keypaths import set_path
from sim.model.scenario import Scenario, load_scenario, resolve_raw, scenario_from_mapping
from sim.runs.assumptions import AssumptionDraws, draws_for
from sim.runs.executors import EXECUTORS, shared_local_cluster
from sim.runs.parameter_sets import ParameterSets, check_same_base, read_parameter_sets
from sim.runs.runner import RunResult, Start, check_run_options, run_replications, with_horizon
from sim.runs.shared import run_shared, worth_sharing


@dataclass
class Comparison:
    """The results of an experiment, baseline first; ``table`` is their long tables in one."""

    results: list[RunResult]
    parameter_sets_info: dict = field(default_factory=dict)  # what the manifest records of --parameter-sets

    @property
    def baseline(self) -> str:
        return self.results[0].scenario.name

    @property
    def table(self) -> pd.DataFrame:
        return pd.concat([r.table for r in self.results], ignore_index=True)


def check_comparable(scenarios: Sequence[Scenario], sources: Sequence[str] | None = None) -> None:
    """InputError unless every scenario has its own name and all share the first one's calendar."""
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"two scenarios have the same name ({', '.join(names)}); give each its own `name:`")
    sources = list(sources) if sources is not None else names
    first = scenarios[0].calendar
    for source, sc in zip(sources[1:], scenarios[1:]):
        c = sc.calendar
        same = (first.start_year, first.horizon_years, first.burn_in_years)
        if (c.start_year, c.horizon_years, c.burn_in_years) != same:
            raise InputError(f"{source}: calendar differs from the baseline's; scenarios compared must share "
                             "start_year, horizon_years and burn_in_years")
        if (sc.price_year, sc.price_factor) != (scenarios[0].price_year, scenarios[0].price_factor):
            raise InputError(f"{source}: its money is in {sc.price_year} prices (factor {sc.price_factor:g}), the "
                             f"baseline's in {scenarios[0].price_year} prices (factor {scenarios[0].price_factor:g}); "
                             "scenarios compared must share calendar.base_year, calendar.price_year and prices.index")


# what `dask scheduler` prints: a protocol, a host name or address, a port
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx|inproc)://[A-Za-z0-9._\-\[\]:]+:[0-9]{1,5}")


def check_executor(executor: str, scheduler: str | None) -> None:
    if executor not in EXECUTORS:
        raise InputError(f"--executor must be local or dask, not '{executor}'")
    if scheduler and executor != "dask":
        raise InputError("--scheduler goes with --executor dask")
    if scheduler is not None and not SCHEDULER_ADDRESS.fullmatch(scheduler):
        raise InputError(f"--scheduler {scheduler!r} is not a Dask scheduler address; give one like "
                         "tcp://HOST:8786 (what `dask scheduler` prints)")


def parameter_sets_for(path: str | os.PathLike | None,
                       scenarios: Sequence[Scenario]) -> tuple[ParameterSets | None, dict]:
    """The calibrated parameter sets in ``path``, checked against every scenario, and what the manifest
    records of them."""
    if path is None:
        return None, {}
    sets = read_parameter_sets(path)
    for sc in scenarios:
        sets.check_against(sc)
    for sc in scenarios[1:]:
        check_same_base(sets, scenarios[0], sc)
    return sets, {"parameter_sets": {"file": str(path), "sets": len(sets), "parameters": list(sets.paths),
                                     "digest": sets.digest,
                                     "draw": "replication r uses the set drawn by weight from a stream keyed "
                                             "by (seed, r)"}}


def assumption_draws_for(scenarios: Sequence[Scenario], fixed: bool,
                         parameter_sets: ParameterSets | None = None,
                         skip: Sequence[str] = ()) -> AssumptionDraws | None:
    """How the scenarios' uncertain assumptions are drawn (None: ``fixed``, or none to draw), checked against
    every scenario: each assumption's ends must give a valid scenario. Paths that parameter sets or ``skip``
    set are left to them."""
    return draws_for(scenarios, fixed, (*skip, *(parameter_sets.paths if parameter_sets is not None else ())))


def run_experiment(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    *,
    workers: int | None = None,
    start: Start = Start(),
    executor: str = "local",
    scheduler: str | None = None,
    parameter_sets: ParameterSets | None = None,
    on_progress: Callable[[int], None] | None = None,
    stream_to: Path | None = None,
    fixed_assumptions: bool = False,
    first: int = 0,
    share_burn_in: bool = True,
) -> list[RunResult]:
    """Every scenario with the same seed and replications (checked first); one local Dask cluster for all.
    ``first``: replications first .. first + replications - 1 (a batch of a run to a precision).
    ``share_burn_in``: on this machine, simulate each replication's burn-in once for the scenarios that share
    it (sim.runs.shared: the same tables, less time); False runs every scenario on its own.

    Each replication draws the scenarios' uncertain assumptions (``assumptions:``; replication r of every
    scenario the same draws) unless ``fixed_assumptions``. ``stream_to``: with one scenario, its replications
    are written to this file as they finish."""
    check_comparable(scenarios)
    check_run_options(replications, workers)
    check_executor(executor, scheduler)
    if stream_to is not None and len(scenarios) != 1:
        raise ValueError("only one scenario's replications can be streamed to a file")
    draws = assumption_draws_for(scenarios, fixed_assumptions, parameter_sets)
    if share_burn_in and executor == "local" and start == Start() and stream_to is None and worth_sharing(scenarios):
        return run_shared(scenarios, replications, seed, workers=workers, on_progress=on_progress,
                          parameter_sets=parameter_sets, assumptions=draws, first=first)
    results = []
    with shared_local_cluster(executor, scheduler, workers):
        for sc in scenarios:
            results.append(run_replications(
                sc, replications, seed=seed, workers=workers, on_progress=on_progress, start=start,
                executor=executor, scheduler=scheduler, parameter_sets=parameter_sets, stream_to=stream_to,
                assumptions=draws, first=first,
            ))
    return results


def compare(
    baseline: Scenario | str | os.PathLike,
    *alternatives: Scenario | str | os.PathLike,
    replications: int = 20,
    years: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    parameter_sets: str | os.PathLike | None = None,
    on_progress: Callable[[int], None] | None = None,
    fixed_assumptions: bool = False,
) -> Comparison:
    """Python API: the baseline and each alternative (``Scenario`` objects or YAML paths) with common random
    numbers, drawing the uncertain assumptions per replication unless ``fixed_assumptions`` (as ``boernesim
    compare``). ``Comparison.table`` is the long table; ``sim.analysis.economics`` turns it into NPVs."""
    items = [baseline, *alternatives]
    sources = [str(x) if not isinstance(x, Scenario) else x.name for x in items]
    scenarios = [with_horizon(x if isinstance(x, Scenario) else load_scenario(x), years) for x in items]
    check_comparable(scenarios, sources)
    sets, info = parameter_sets_for(parameter_sets, scenarios)
    results = run_experiment(scenarios, replications, seed, workers=workers, executor=executor,
                             scheduler=scheduler, parameter_sets=sets, on_progress=on_progress,
                             fixed_assumptions=fixed_assumptions)
    return Comparison(results, info)


def sweep(
    path: str | os.PathLike,
    setting: str,
    values: Sequence[float],
    replications: int = 20,
    years: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    fixed_assumptions: bool = False,
    first: int = 0,
) -> dict[float, RunResult]:
    """The scenario at each value of one setting (a key path, set from the start of the run, burn-in
    included), every value with the same seed and replications: common random numbers across values, the
    assumptions included (drawn per replication unless ``fixed_assumptions``; the swept setting is not drawn).
    ``first``: replications first .. first + replications - 1 (a batch of a run to a precision)."""
    load_scenario(path)  # errors name the file that set the key, as `validate` does
    raw = resolve_raw(path)
    check_run_options(replications, workers)
    scenarios = {}
    for value in values:
        varied = copy.deepcopy(raw)
        try:
            set_path(varied, setting, value)
            varied.get("assumptions", {}).pop(setting, None)  # the swept value, not a draw from its range
        except KeyError as e:
            raise InputError(f"--setting {setting}: {e.args[0] if e.args else e}") from None
        scenarios[value] = with_horizon(scenario_from_mapping(varied, f"{path} with {setting} = {value:g}"), years)
    draws = assumption_draws_for(list(scenarios.values()), fixed_assumptions, skip=(setting,))
    return {
        value: run_replications(sc, replications, seed=seed, workers=workers, on_progress=on_progress,
                                assumptions=draws, first=first)
        for value, sc in scenarios.items()
    }
