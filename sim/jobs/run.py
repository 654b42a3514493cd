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
    streamed = stream and not request.compare and not request.forecast and len(langs) == 1
    stream_to = stream_file(target) if streamed else None
    try:
        results = run_experiment(
            scenarios, request.replications, request.seed, workers=request.workers, start=start,
            executor=request.executor, scheduler=request.scheduler, parameter_sets=sets,
            on_progress=hooks.progress, stream_to=stream_to, fixed_assumptions=request.fixed_assumptions)
        hooks.finished()
        hooks.stop_if_cancelled()
        for lang, folder in targets.items():
            write_outputs(folder, results, lang, command=list(command), compare=request.compare,
                          forecast_of=request.forecast_of(), manifest_extra=manifest_extra)
    finally:
        hooks.finished()
        if stream_to is not None:
            stream_to.unlink(missing_ok=True)  # gone already when the output was written
    return Done(request, results, targets)
