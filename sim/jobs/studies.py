"""Studies over many variants of one scenario: `sensitivity` (Morris or Sobol indices over a spec's ranges)
and `sweep` (one setting over values). Inputs and output folder checked before the long part, the runs, the
outputs written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.jobs.hooks import Hooks


@dataclass
class SensitivityDone:
    """A finished sensitivity study: the result, the method and size used, the output folder."""

    result: object  # sim.analysis.sensitivity's result
    method: str
    points: int  # sample points (besides the nominal one)
    replications: int
    target: Path


def sensitivity_job(scenario: Path, spec: Path, *, method: str | None = None, n: int | None = None,
                    replications: int | None = None, seed: int = 1, workers: int | None = None,
                    out: Path | None = None, lang: str = "en", executor: str = "local",
                    scheduler: str | None = None, command: Sequence[str] = ("boernesim",),
                    hooks: Hooks | None = None) -> SensitivityDone:
    """Which assumptions move the results; ``method``, ``n`` and ``replications`` default to the spec's. The
    output folder ``out`` or results/sensitivity-<scenario>-<time>/. Outputs that are not a number in some
    sample points are told to ``hooks.note``."""
    from sim.analysis.sensitivity import (
        check_design,
        load_spec,
        not_a_number_rows,
        prepare,
        rows_needed,
        run_sensitivity,
    )
    from sim.model.scenario import load_scenario, resolve_raw
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.outputs.sensitivity_report import write_sensitivity_outputs
    from sim.runs.executors import shared_local_cluster
    from sim.runs.runner import check_run_options

    hooks = hooks or Hooks()
    load_scenario(scenario)  # errors name the file that set the key, as `validate` does
    raw = resolve_raw(scenario)
    spec_ = load_spec(spec)
    chosen = method if method is not None else spec_.method
    size = n if n is not None else spec_.n_for(chosen)
    check_design(chosen, size, spec_.morris.levels)
    reps = replications if replications is not None else spec_.replications
    check_run_options(reps, workers, seed)
    name = str(raw.get("name", Path(scenario).stem))
    target = Path(out) if out is not None else default_out_dir(f"sensitivity-{name}")
    check_out_dir(target)  # before the long part, not after it
    prepare(raw, spec_, str(spec), str(scenario))  # every spec error before the progress bar
    total = rows_needed(chosen, len(spec_.parameters), size) + 1
    hooks.started(total, f"sensitivity {name} ({chosen})")
    try:
        with shared_local_cluster(executor, scheduler, workers):
            result = run_sensitivity(
                raw, spec_, method=chosen, n=size, replications=reps, seed=seed, workers=workers,
                on_progress=hooks.progress, source=str(spec), scenario_source=str(scenario), executor=executor,
                scheduler=scheduler,
            )
    finally:
        hooks.finished()
    write_sensitivity_outputs(target, result, lang, command=list(command))
    for output, k in not_a_number_rows(result.analysis).items():
        hooks.note(f"warning: output {output} is not a number in {k} sample points; no indices for it")
    return SensitivityDone(result, chosen, total - 1, reps, target)


@dataclass
class SweepDone:
    """A finished sweep: the runs at each value and the output folder."""

    results: object
    values: list
    target: Path
    precision: dict | None = None  # a sweep to a precision: what the manifest records


def sweep_job(scenario: Path, setting: str, values: str, *, replications: int = 20, years: int | None = None,
              seed: int = 1, workers: int | None = None, out: Path | None = None, lang: str = "en",
              fixed_assumptions: bool = False, command: Sequence[str] = ("boernesim",),
              hooks: Hooks | None = None, precision=None) -> SweepDone:
    """The scenario at each of ``values`` (START:STOP:STEP or a comma list) of ``setting``, with common random
    numbers; the output folder ``out`` or results/sweep-<scenario>-<time>/. ``precision``
    (sim.analysis.precision.Precision): replications in batches until each value's net saving against the
    first value is that precise, up to the cap (``replications`` is then ignored)."""
    from sim.analysis.sweep import parse_values
    from sim.model.scenario import load_scenario
    from sim.model.scenario.numbers import number_kind
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.outputs.sweep_report import write_sweep_outputs
    from sim.runs.experiment import sweep as run_sweep

    hooks = hooks or Hooks()
    chosen = parse_values(values, number_kind(setting))
    name = load_scenario(scenario).name
    target = Path(out) if out is not None else default_out_dir(f"sweep-{name}")
    check_out_dir(target)  # before the long part, not after it
    cap = precision.cap if precision is not None else replications
    hooks.started(cap * len(chosen), f"sweep {name} over {setting}")
    extra = {}
    try:
        def run_batch(first: int, n: int, which=None) -> list:
            values = chosen if which is None else [chosen[i] for i in which]
            return list(run_sweep(scenario, setting, values, replications=n, years=years, seed=seed,
                                  workers=workers, on_progress=hooks.progress, fixed_assumptions=fixed_assumptions,
                                  first=first).values())

        if precision is None:
            runs = run_batch(0, replications)
        else:
            from sim.jobs.run import precision_statistic, run_to_precision

            names = [f"{setting} = {v:g}" for v in chosen]  # the values' scenarios share the scenario's name
            runs, extra["precision"] = run_to_precision(
                run_batch, precision, hooks, statistic=lambda results: precision_statistic(results, names))
        results = dict(zip(chosen, runs))
    finally:
        hooks.finished()
    write_sweep_outputs(target, results, setting, lang, command=list(command), manifest_extra=extra)
    return SweepDone(results, chosen, target, extra.get("precision"))
