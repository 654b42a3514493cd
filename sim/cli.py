"""The `boernesim` command.

Exit codes: 0 success, 2 bad input or usage (one clear message), 1 internal error (traceback with --debug).
"""


import atexit
import contextlib
import json
import logging
import os
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sim.errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="boernesim: simulate children's cases, caseworkers and costs in a Danish municipality.",
)

_state = {"debug": False}


class Lang(str, Enum):
    """Languages of reports and workbooks."""

    en = "en"
    da = "da"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _fail(message: str, code: int) -> None:
    from sim.data.register import redact_cpr  # a file or folder named after a child must not echo its CPR

    typer.echo(f"boernesim: {redact_cpr(message)}", err=True)
    raise typer.Exit(code)


def _guard(fn):
    """Bad input -> exit 2 with its message; anything else -> exit 1 (traceback only with --debug)."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except InputError as e:
            if _state["debug"]:
                raise
            _fail(str(e), 2)
        except KeyboardInterrupt:
            _fail("interrupted; no output was written", 130)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if _state["debug"]:
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (run with --debug for the traceback)", 1)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    import inspect

    wrapper.__signature__ = inspect.signature(fn)
    return wrapper


def _progress(total: int, label: str):
    """A progress bar on stderr; returns (advance, close)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    progress.start()
    task = progress.add_task(label, total=total)
    return (lambda k: progress.advance(task, k)), progress.stop


_REPLICATIONS = typer.Option(100, "--replications", "-n", help="Monte Carlo replications.")
_YEARS = typer.Option(None, "--years", help="Projected years (default: the scenario's horizon).")
_SEED = typer.Option(1, "--seed", help="Random seed; the same seed gives the same numbers.")
_WORKERS = typer.Option(None, "--workers", help="Parallel processes (default: all cores).")
_OUT = typer.Option(None, "--out", help="Output directory (default results/<scenario>-<time>/).")
_LANG = typer.Option(Lang.en, "--lang", help="Language of the report and workbook labels.")
_EXECUTOR = typer.Option("local", "--executor", help="local (processes on this machine) or dask.")
_SCHEDULER = typer.Option(
    None, "--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786 (default: a local Dask cluster)."
)


def _bar_hooks():
    """The runner's hooks drawing a progress bar on stderr once every check has passed."""
    from sim.jobs import Hooks

    bar = {"advance": lambda k: None, "close": lambda: None}

    def started(total: int, label: str) -> None:
        bar["advance"], bar["close"] = _progress(total, label)

    return Hooks(started=started, advance=lambda k: bar["advance"](k), finished=lambda: bar["close"]())


def _simulate(request, out, lang: Lang) -> None:
    """Run ``request`` (sim.jobs) into ``out`` and say what was done."""
    from sim.jobs import run_job

    done = run_job(request, out, [lang.value], command=["boernesim", *sys.argv[1:]], hooks=_bar_hooks())
    typer.echo(f"{len(done.results)} x {request.replications} replications x {done.horizon_years} years in "
               f"{done.wall_seconds:.1f} s ({done.events:,} events) -> {done.outputs[lang.value]}")


_FIXED_ASSUMPTIONS = typer.Option(
    False, "--fixed-assumptions", help="Keep every assumption at its value instead of drawing it from its range "
    "(assumptions: in the scenario) for each replication: the bands then hold simulation noise only."
)
_PARAMETER_SETS = typer.Option(
    None, "--parameter-sets", help="posterior.parquet of `boernesim calibrate`: each replication draws one set, "
    "so the bands carry parameter uncertainty."
)


@app.command()
@_guard
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    replications: int = _REPLICATIONS,
    years: Optional[int] = _YEARS,
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = _OUT,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
    initial_cases: Optional[Path] = typer.Option(
        None, "--initial-cases", help="Case register (CSV) to start from: every child with an open case today."
    ),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date of the case register (YYYY-MM-DD)."),
    spent_to_date: Optional[str] = typer.Option(
        None, "--spent-to-date", help="DKK spent this year up to --as-of: a total, or FUNCTION=DKK,... pairs."
    ),
    pseudonymise: bool = typer.Option(
        False, "--pseudonymise", help="Accept CPR-like case ids (they are hashed in memory, never written)."
    ),
    previous: list[Path] = typer.Option(
        [], "--previous", help="An earlier forecast's output directory, to show how the forecast moved (repeatable)."
    ),
    parameter_sets: Optional[Path] = _PARAMETER_SETS,
    fixed_assumptions: bool = _FIXED_ASSUMPTIONS,
) -> None:
    """Run replications of a scenario and write manifest, tables, report and workbook.

    With --initial-cases and --as-of: start from today's cases and forecast the year-end result."""
    from sim.jobs import register_from_options, request_from_files

    register = register_from_options(scenario, initial_cases, as_of, spent_to_date, pseudonymise, previous)
    request = request_from_files([scenario], replications, years=years, seed=seed, workers=workers,
                                 register=register, fixed_assumptions=fixed_assumptions, executor=executor,
                                 scheduler=scheduler, parameter_sets=parameter_sets)
    _simulate(request, out, lang)


def _register_options(scenario, initial_cases, as_of, spent_to_date, pseudonymise, previous):
    """`run`'s case register options read and checked (sim.jobs.register_from_options)."""
    from sim.jobs import register_from_options

    return register_from_options(scenario, initial_cases, as_of, spent_to_date, pseudonymise, previous)


@app.command()
@_guard
def compare(
    baseline: Path = typer.Argument(..., help="The baseline scenario."),
    alternatives: list[Path] = typer.Argument(..., help="One or more alternative scenarios."),
    replications: int = _REPLICATIONS,
    years: Optional[int] = _YEARS,
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = _OUT,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
    parameter_sets: Optional[Path] = _PARAMETER_SETS,
    fixed_assumptions: bool = _FIXED_ASSUMPTIONS,
) -> None:
    """Run a baseline and alternatives with common random numbers; write paired differences and economics."""
    from sim.jobs import request_from_files

    request = request_from_files([baseline, *alternatives], replications, years=years, seed=seed, workers=workers,
                                 fixed_assumptions=fixed_assumptions, executor=executor, scheduler=scheduler,
                                 parameter_sets=parameter_sets)
    _simulate(request, out, lang)


@app.command()
@_guard
def validate(scenario: Path = typer.Argument(..., help="Scenario YAML file.")) -> None:
    """Check a scenario file and print the fully resolved scenario, then (as YAML comments) what each lever
    does to it: the value before and after, e.g. caseworkers.fte: 20 → 25 (+5 from 2027-01-01)."""
    from sim.model.levers import lever_effects
    from sim.model.scenario import load_scenario, scenario_to_yaml
    from sim.outputs.labels import lever_effect_line, text

    resolved = load_scenario(scenario)
    typer.echo(scenario_to_yaml(resolved), nl=False)
    effects = lever_effects(resolved)
    if effects:
        typer.echo(f"# {text('lever_effects', 'en')}:")
        for effect in effects:
            typer.echo(f"#   levers[{effect.index}] {lever_effect_line(effect, 'en')}")


@app.command("app")
@_guard
def app_command(
    port: int = typer.Option(8501, "--port", help="Port on 127.0.0.1 (this computer only)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the browser."),
) -> None:
    """Start the local web app: build a scenario, run it, read the answer (Danish, with an English switch)."""
    from sim.app.server import serve

    if not 1 <= port <= 65535:
        raise InputError(f"--port must be 1 to 65535, not {port}")
    raise typer.Exit(serve(port, open_browser=not no_browser))


@app.command()
@_guard
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.model.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


class Method(str, Enum):
    """Sensitivity methods."""

    morris = "morris"
    sobol = "sobol"


@app.command()
@_guard
def sensitivity(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (its own values are the nominal ones)."),
    spec: Path = typer.Option(..., "--spec", help="Sensitivity spec: parameters with ranges, outputs (YAML)."),
    method: Optional[Method] = typer.Option(
        None, "--method", help="morris (screening, many parameters) or sobol (S1/ST); default: the spec's."
    ),
    n: Optional[int] = typer.Option(
        None, "--n", help="Morris: trajectories (D+1 runs each); Sobol: base sample, a power of 2 (N x (D+2) runs). "
        "Default: the spec's."
    ),
    replications: Optional[int] = typer.Option(
        None, "--replications", help="Replications per sample point, same seed for all (default: the spec's, 4)."
    ),
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = typer.Option(
        None, "--out", help="Output directory (default results/sensitivity-<scenario>-<time>/)."
    ),
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
) -> None:
    """Which assumptions move the results: Morris or Sobol indices over the spec's parameter ranges."""
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.runs.runner import check_run_options
    from sim.model.scenario import load_scenario, resolve_raw
    from sim.analysis.sensitivity import (
        check_design,
        load_spec,
        not_a_number_rows,
        prepare,
        rows_needed,
        run_sensitivity,
    )
    from sim.outputs.sensitivity_report import write_sensitivity_outputs

    load_scenario(scenario)  # errors name the file that set the key, as `validate` does
    raw = resolve_raw(scenario)
    spec_ = load_spec(spec)
    chosen = method.value if method is not None else spec_.method
    size = n if n is not None else spec_.n_for(chosen)
    check_design(chosen, size, spec_.morris.levels)
    reps = replications if replications is not None else spec_.replications
    check_run_options(reps, workers, seed)
    name = str(raw.get("name", Path(scenario).stem))
    target = out or default_out_dir(f"sensitivity-{name}")
    check_out_dir(target)  # before the long part, not after it
    prepare(raw, spec_, str(spec), str(scenario))  # every spec error before the progress bar
    total = rows_needed(chosen, len(spec_.parameters), size) + 1
    advance, close = _progress(total, f"sensitivity {name} ({chosen})")
    from sim.runs.executors import shared_local_cluster

    try:
        with shared_local_cluster(executor, scheduler, workers):
            result = run_sensitivity(
                raw, spec_, method=chosen, n=size, replications=reps, seed=seed, workers=workers,
                on_progress=advance, source=str(spec), scenario_source=str(scenario), executor=executor,
                scheduler=scheduler,
            )
    finally:
        close()
    write_sensitivity_outputs(target, result, lang.value, command=["boernesim", *sys.argv[1:]])
    for output, k in not_a_number_rows(result.analysis).items():
        typer.echo(f"boernesim: warning: output {output} is not a number in {k} sample points; no indices for it",
                   err=True)
    typer.echo(f"{total - 1} sample points x {reps} replications ({chosen}) in {result.wall_seconds:.1f} s "
               f"({result.events:,} events) -> {target}")


@app.command()
@_guard
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    setting: str = typer.Option(..., "--setting", help="Key path of the setting to vary, e.g. caseworkers.fte."),
    values: str = typer.Option(..., "--values", help="START:STOP:STEP (e.g. 14:32:2) or a comma list."),
    replications: int = typer.Option(20, "--replications", help="Replications per value, the same for all."),
    years: Optional[int] = typer.Option(None, "--years", help="Projected years (default: the scenario's)."),
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = typer.Option(
        None, "--out", help="Output directory (default results/sweep-<scenario>-<time>/)."
    ),
    lang: Lang = _LANG,
    fixed_assumptions: bool = _FIXED_ASSUMPTIONS,
) -> None:
    """The scenario at each value of one setting, with common random numbers: sweep.csv and a report whose
    first chart is the total cost against the setting, its band and its minimum."""
    from sim.analysis.sweep import parse_values
    from sim.model.scenario import load_scenario
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.outputs.sweep_report import write_sweep_outputs
    from sim.runs.experiment import sweep as run_sweep

    chosen = parse_values(values)
    name = load_scenario(scenario).name
    target = out or default_out_dir(f"sweep-{name}")
    check_out_dir(target)  # before the long part, not after it
    advance, close = _progress(replications * len(chosen), f"sweep {name} over {setting}")
    try:
        results = run_sweep(scenario, setting, chosen, replications=replications, years=years, seed=seed,
                            workers=workers, on_progress=advance, fixed_assumptions=fixed_assumptions)
    finally:
        close()
    write_sweep_outputs(target, results, setting, lang.value, command=["boernesim", *sys.argv[1:]])
    typer.echo(f"{len(chosen)} values x {replications} replications -> {target}")


def _journal_for(target: Path) -> Path:
    """Where finished trials are kept until the output is complete (next to it, hidden), so an
    interrupted calibration continues when the same command runs again."""
    return target.parent / f".{target.name}.trials.journal"


def _fit_inputs(scenario: Path, history: Path, spec: Path):
    from sim.analysis.calibration import load_spec
    from sim.data.history import read_history
    from sim.model.scenario import load_scenario, resolve_raw

    load_scenario(scenario)  # errors name the file that set the key, as `validate` does
    return resolve_raw(scenario), read_history(history), load_spec(spec)


_HISTORY = typer.Option(..., "--history", help="History file: CSV year,metric,value[,note] (docs/contract.md).")
_CAL_SPEC = typer.Option(..., "--spec", help="Calibration spec (YAML): parameters with prior ranges, targets, "
                         "search settings; see calibration/national/spec.yaml.")
_TRIALS = typer.Option(None, "--trials", help="Parameter sets to try (default: the spec's search.trials).")


@app.command()
@_guard
def calibrate(
    scenario: Path = typer.Argument(..., help="Scenario YAML file whose parameters are fitted."),
    history: Path = _HISTORY,
    spec: Path = _CAL_SPEC,
    out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default results/calibrate-<scenario>-<time>/)."),
    trials: Optional[int] = _TRIALS,
    workers: Optional[int] = _WORKERS,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
) -> None:
    """Fit the scenario's uncertain parameters to a history; keep the parameter sets that fit.

    Safe to interrupt: run the same command (same --out) again and it continues from the trials done."""
    from sim.analysis.calibration import calibrate as fit
    from sim.analysis.calibration import prepare
    from sim.outputs.history_report import write_calibration_outputs

    raw, hist, spec_, name, target, journal = _fit_setup("calibrate", scenario, history, spec, out, trials, workers)
    problem = prepare(raw, spec_, hist, source=str(spec), scenario_source=str(scenario))
    _say_not_fitted(problem)
    cal = _searching(
        lambda advance: fit(problem, workers=workers, journal=journal, on_progress=advance, executor=executor,
                            scheduler=scheduler, trials=trials),
        _fit_total(spec_, trials), f"calibrate {name}", journal, target, executor, scheduler, workers)
    with _resume_hint_on_interrupt(journal, target):
        write_calibration_outputs(target, cal, raw, scenario, lang.value, command=["boernesim", *sys.argv[1:]],
                                  history_file=str(history))
    journal.unlink(missing_ok=True)
    typer.echo(f"{len(cal.trials)} trials ({cal.resumed_trials} resumed), {len(cal.ensemble)} parameter sets kept, "
               f"{cal.simulations} replication-runs in {cal.wall_seconds:.1f} s -> {target}")


def _fit_total(spec, trials) -> int:
    """Simulations a fit is expected to run, for the progress bar (ABC-SMC: about two batches a generation)."""
    if spec.method == "abc_smc":
        return spec.abc.particles * (1 + 2 * (spec.abc.generations - 1))
    return trials or spec.search.trials


def _fit_setup(kind: str, scenario: Path, history: Path, spec: Path, out, trials, workers):
    """The inputs of calibrate and backtest, checked before the long part: (raw scenario, history, spec,
    name, output directory, journal of finished trials)."""
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.runs.runner import check_run_options

    raw, hist, spec_ = _fit_inputs(scenario, history, spec)
    check_run_options(1, workers)
    _check_trials(trials)
    name = str(raw.get("name", Path(scenario).stem))
    target = out or default_out_dir(f"{kind}-{name}")
    check_out_dir(target)
    return raw, hist, spec_, name, target, _journal_for(Path(target))


def _searching(work, total: int, label: str, journal: Path, target: Path, executor, scheduler, workers):
    """``work(advance)`` with a progress bar, one local Dask cluster for all its batches (with the Dask
    executor and no scheduler), and after Ctrl-C a message on how to continue from the journal."""
    from sim.runs.executors import shared_local_cluster

    advance, close = _progress(total, label)
    try:
        with shared_local_cluster(executor, scheduler, workers), _resume_hint_on_interrupt(journal, target, close):
            return work(advance)
    finally:
        close()


@contextlib.contextmanager
def _resume_hint_on_interrupt(journal: Path, target: Path, before=lambda: None):
    """Ctrl-C: exit 130 saying where the finished trials are kept and how to continue from them."""
    try:
        yield
    except KeyboardInterrupt:
        before()  # stop the progress bar first, so the message is not drawn over
        _fail(_resume_hint(journal, target), 130)


def _resume_hint(journal: Path, target: Path) -> str:
    """What to do after Ctrl-C: the finished trials are kept, and the same command with --out continues."""
    if not journal.exists() and not list(journal.parent.glob(journal.name + ".*")):  # rolling: one per origin
        return "interrupted before any trial finished; no output was written"
    return (f"interrupted; the trials finished so far are kept in {journal}. Run the same command with "
            f"--out {target} to continue from them")


def _check_trials(trials: int | None) -> None:
    from sim.errors import InputError

    if trials is not None and trials < 2:
        raise InputError("--trials must be at least 2")


def _say_not_fitted(problem) -> None:
    rows = problem.not_fitted[~problem.not_fitted["reason"].str.startswith("population")]
    if not rows.empty:
        typer.echo(f"boernesim: {len(rows)} history rows are not fitted (listed in not_fitted.csv and the "
                   f"report): " + "; ".join(sorted({f"{m} ({r})" for m, r in zip(rows['metric'], rows['reason'])})),
                   err=True)


@app.command()
@_guard
def backtest(
    scenario: Path = typer.Argument(..., help="Scenario YAML file whose parameters are fitted."),
    history: Path = _HISTORY,
    spec: Path = _CAL_SPEC,
    fit_until: Optional[int] = typer.Option(None, "--fit-until", help="Last year used for fitting (one origin)."),
    origins: Optional[str] = typer.Option(None, "--origins", help="Rolling origins, e.g. 2016,2017,2018: the fit "
                                          "is repeated with the history up to each, and all are scored together."),
    horizon: int = typer.Option(..., "--horizon", help="Years after each origin to project and score."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output directory (default results/backtest-<scenario>-<time>/)."),
    trials: Optional[int] = _TRIALS,
    workers: Optional[int] = _WORKERS,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
) -> None:
    """Fit on the years up to --fit-until (or each of --origins), project --horizon years, and score the model
    against what happened and against three simple forecasts."""
    from sim.analysis.backtest import check_window, origin_journal, parse_origins, run_backtest
    from sim.errors import InputError
    from sim.outputs.history_report import write_backtest_outputs

    if (fit_until is None) == (origins is None):
        raise InputError("give --fit-until YEAR (one origin) or --origins YEAR,YEAR,... (rolling origins), not both")
    years = [fit_until] if origins is None else parse_origins(origins)
    raw, hist, spec_, name, target, journal = _fit_setup("backtest", scenario, history, spec, out, trials, workers)
    for year in years:
        check_window(hist, year, horizon)
    label = f"backtest {name} (fit to {', '.join(map(str, years))})"
    bt = _searching(
        lambda advance: run_backtest(raw, spec_, hist, years if origins else fit_until, horizon, workers=workers,
                                     journal=journal, on_progress=advance, executor=executor, scheduler=scheduler,
                                     source=str(spec), scenario_source=str(scenario), trials=trials),
        _fit_total(spec_, trials) * len(years), label, journal, target, executor, scheduler, workers)
    _say_not_fitted(bt.calibration.problem)
    with _resume_hint_on_interrupt(journal, target):
        write_backtest_outputs(target, bt, lang.value, command=["boernesim", *sys.argv[1:]],
                               history_file=str(history))
    for year in years:
        journal_of = origin_journal(journal, year, len(years) > 1)
        journal_of.unlink(missing_ok=True)
    pooled = bt.rolling[(bt.rolling["metric"] == "all") & (bt.rolling["horizon"] == 0)].set_index("method")
    for _, r in bt.summary[bt.summary["method"] == "model"].iterrows():
        typer.echo(f"{r['metric']}: model MAPE {r['mape']:.1%} over {r['n_years']} years")
    for method, r in pooled.iterrows():
        typer.echo(f"all metrics, {method}: MAPE {r['mape']:.1%}, MASE {r['mase']:.2f}"
                   + (f", 50 % band {r['coverage_50']:.0%}, 90 % band {r['coverage_90']:.0%}"
                      if method == "model" else "") + f" ({r['n']} forecasts)")
    typer.echo(f"-> {target}")


@app.command("fetch-history")
@_guard
def fetch_history(
    municipality: str = typer.Option(..., "--municipality", help="Municipality code, 3 digits (e.g. 101 = Copenhagen)."),
    year_from: int = typer.Option(..., "--from", help="First year."),
    year_to: int = typer.Option(..., "--to", help="Last year."),
    out: Path = typer.Option(..., "--out", help="History file to write (CSV year,metric,value,note)."),
) -> None:
    """Fetch a municipality's history from Statistics Denmark's StatBank API into a history file."""
    from sim.data.statbank import fetch_history as fetch
    from sim.data.statbank import write_history

    frame = fetch(municipality, year_from, year_to)
    write_history(frame, out)
    for warning in frame.attrs.get("warnings", []):
        typer.echo(f"boernesim: note: {warning}", err=True)
    typer.echo(f"{len(frame)} rows ({', '.join(sorted(set(frame['metric'])))}) -> {out}")


def _interrupt(signum, frame) -> None:
    """SIGTERM and SIGHUP (a closed terminal, `timeout`, a job scheduler) end a command as Ctrl-C does:
    temporary files are removed and no half-written output is left. Worker processes inherit this handler
    and are stopped the default way."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


_MAIN_PID = os.getpid()


def main() -> None:
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupt)
    try:
        app()
    except SystemExit as stop:
        _leave(_exit_code(stop.code))
    except KeyboardInterrupt:
        _leave(130)  # outside a command's own handling (the shell's code for Ctrl-C)
    except BaseException:  # with --debug an internal error reaches here: show it, exit 1 as promised
        import traceback

        traceback.print_exc()
        _leave(1)
    _leave(0)


def _exit_code(code: object) -> int:
    """SystemExit's code as the process's: None is success, a message is printed and is failure."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _leave(code: int) -> None:
    """End the process after Python's own clean-up (exit handlers, logs, streams) but before the C++ static
    destructors. pyarrow's thread pools, torn down there, can abort a finished command with SIGABRT
    ('terminate called without an active exception', apache/arrow#34314): seen in CI turning exit code 2
    into -6 after a parquet file was read. os._exit does not join non-daemon threads: every worker pool of
    the commands is closed by its ``with`` block before this point, which must stay so."""
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
