"""The one runner of `run`, `compare` and the app: a request's scenarios checked, run and written.

Everything is checked before the long part (scenarios comparable, run options, parameter sets, executor,
output folder); then the replications run with the hooks told of progress, and the outputs of
docs/contract.md are written all or nothing."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.jobs.hooks import Hooks
from sim.jobs.request import Request
from sim.runs.runner import RunResult


@dataclass
class Done:
    """A finished job: the runs and the output folder of each language."""

    request: Request
    results: list[RunResult]
    outputs: dict[str, Path] = field(default_factory=dict)
    precision: dict | None = None  # a run to a precision: what the manifest records (sim.analysis.precision.summary)

    @property
    def replications(self) -> int:
        """Replications run of the baseline (to a precision the most of any scenario: the baseline runs as far
        as the longest-running policy)."""
        return self.results[0].replications

    @property
    def replications_each(self) -> dict[str, int]:
        """Replications run of each scenario, by name (to a precision each policy stops on its own)."""
        return {r.scenario.name: r.replications for r in self.results}

    @property
    def wall_seconds(self) -> float:
        return sum(r.wall_seconds for r in self.results)

    @property
    def events(self) -> int:
        return sum(r.events for r in self.results)

    @property
    def horizon_years(self) -> int:
        return self.results[0].scenario.calendar.horizon_years


def output_dir(request: Request, out: Path | None) -> Path:
    """``out``, or results/<scenario>-<time>/ (a comparison: <baseline>-vs-<alternative>...)."""
    from sim.outputs.files import default_out_dir

    names = [sc.name for sc in request.scenarios]
    return Path(out) if out is not None else default_out_dir("-vs-".join(names) if request.compare else names[0])


def stream_file(target: Path) -> Path:
    """Where a single run's replications are streamed as they finish: next to the output (same file
    system), hidden and named after the process, moved into the output when it is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent / f".{target.name}.replications-{os.getpid()}.parquet"


def run_job(request: Request, out: Path | None = None, langs: Sequence[str] = ("en",), *,
            command: Sequence[str] = ("boernesim",), hooks: Hooks | None = None, stream: bool = True) -> Done:
    """Check, run and write ``request``: the outputs in ``out`` (default :func:`output_dir`), or with several
    languages in ``out/<lang>`` for each.

    ``stream``: a single run without a case register, written in one language, streams its replications to
    disk as they finish, so memory does not grow with replications (the results then hold no table); False
    keeps every table in memory (the app shows them). Raises what the library raises, and
    :class:`~sim.jobs.hooks.Cancelled`."""
    from sim.outputs.files import check_out_dir
    from sim.outputs.results import write_outputs
    from sim.runs.experiment import check_comparable, check_executor, parameter_sets_for, run_experiment
    from sim.runs.runner import check_run_options

    hooks = hooks or Hooks()
    scenarios = request.scenarios_run()
    start = request.start()
    check_comparable(scenarios, list(request.sources) or None)
    check_run_options(request.replications, request.workers, request.seed)
    sets, manifest_extra = parameter_sets_for(request.parameter_sets, scenarios)
    check_executor(request.executor, request.scheduler)
    target = output_dir(request, out)
    check_out_dir(target)  # before the long part, not after it
    targets = {langs[0]: target} if len(langs) == 1 else {lang: target / lang for lang in langs}

    hooks.started(request.total, request.label)
    results: list[RunResult] = []
    # a run to a precision looks at every replication after each batch: its tables stay in memory
    streamed = (stream and not request.compare and not request.forecast and len(langs) == 1
                and request.precision is None)
    stream_to = stream_file(target) if streamed else None
    precise = None
    try:
        def run_batch(first: int, n: int, which=None) -> list[RunResult]:
            chosen = scenarios if which is None else [scenarios[i] for i in which]
            return run_experiment(
                chosen, n, request.seed, workers=request.workers, start=start,
                executor=request.executor, scheduler=request.scheduler, parameter_sets=sets,
                on_progress=hooks.progress, stream_to=stream_to, fixed_assumptions=request.fixed_assumptions,
                first=first)

        if request.precision is None:
            results = run_batch(0, request.replications)
        else:
            results, precise = run_to_precision(run_batch, request.precision, hooks)
            manifest_extra = {**manifest_extra, "precision": precise}
        hooks.finished()
        hooks.stop_if_cancelled()
        for lang, folder in targets.items():
            write_outputs(folder, results, lang, command=list(command), compare=request.compare,
                          forecast_of=request.forecast_of(), manifest_extra=manifest_extra)
    finally:
        hooks.finished()
        if stream_to is not None:
            stream_to.unlink(missing_ok=True)  # gone already when the output was written
    return Done(request, results, targets, precise)


def precision_statistic(results: list[RunResult], names: Sequence[str] | None = None) -> tuple[dict, bool]:
    """Each policy's NPV per replication, by name (``names``, default the scenarios'), and whether the chance
    of a saving counts too: in a comparison each alternative's net saving against the first scenario, paired
    on the alternative's replications (the baseline may have run more); alone, the scenario's total cost."""
    import pandas as pd

    from sim.analysis.precision import cost_npvs, paired_rows, saving_npvs

    base = results[0].scenario
    names = list(names) if names is not None else [r.scenario.name for r in results]
    rate, start = base.economics.discount_rate, base.calendar.start_year
    if len(results) == 1:
        return {names[0]: cost_npvs(results[0].table, rate, start)}, False
    table = pd.concat([r.table.assign(scenario=name) for r, name in zip(results, names)], ignore_index=True)
    out = {}
    for result, name in zip(results[1:], names[1:]):
        pair = paired_rows(table, names[0], name, result.replications)
        out.update(saving_npvs(pair, names[0], [name], rate, start))
    return out, True


def runs_not_needed(results: Sequence[RunResult], going: Sequence[int], stopped: set[int], cap: int) -> int:
    """The runs up to the cap of the scenarios that stop now (added to ``stopped``), which will never be made."""
    now = [i for i in range(len(results)) if i not in going and i not in stopped]
    stopped.update(now)
    return sum(cap - results[i].replications for i in now)


def run_to_precision(run_batch, precision, hooks: Hooks | None = None,
                     statistic=precision_statistic) -> tuple[list[RunResult], dict]:
    """``run_batch(first, n, which)`` batch after batch, each policy until its answer is within ``precision``
    (sim.analysis.precision; the baseline while any policy runs) or the cap; the results (each scenario with
    the replications it ran) and what the manifest records of the precision."""
    from sim.analysis.precision import assess_all, still_running, summary
    from sim.runs.batches import Batches, run_in_batches

    seen: dict = {}
    stopped: set[int] = set()

    def running(results: list[RunResult]) -> list[int]:
        if hooks is not None:
            hooks.stop_if_cancelled()
        npvs, probability = statistic(results)
        seen["assessed"] = assess_all(npvs, precision, probability)
        going = still_running(seen["assessed"], compare=len(results) > 1)
        if hooks is not None:  # the progress bar counts to the cap: a scenario that stops needs no more of it
            hooks.skipped(runs_not_needed(results, going, stopped, precision.cap))
        return going

    results, reached = run_in_batches(run_batch, Batches(precision.batch, precision.cap), running)
    return results, summary(precision, seen["assessed"], reached, max(r.replications for r in results))
