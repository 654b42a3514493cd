"""The `boernesim` command.

Exit codes: 0 success, 2 bad input or usage (one clear message), 1 internal error (traceback with --debug).
"""


import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from sim.errors import InputError, Interrupted

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="boernesim: simulate children's cases, caseworkers and costs in a Danish municipality.",
)

_state = {"debug": False}


def _flags_without_a_type_in_help() -> None:
    """A flag (--debug, --no-browser, --help) is shown in `--help` as the plain flag it is, not as
    `--debug <bool>`: typer's rich help gives every option a type column, flags too (a value is never
    typed after a flag)."""
    try:
        from typer.core import TyperOption
    except ImportError:  # an older typer: its help has no such column
        return
    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "plain_flags", False):
        return

    def display_type_rich(self, ctx):
        if getattr(self, "is_flag", False) and not getattr(self, "count", False) and self.metavar is None:
            return None
        return shown(self, ctx)

    display_type_rich.plain_flags = True
    TyperOption.display_type_rich = display_type_rich


_flags_without_a_type_in_help()


class Lang(str, Enum):
    """Languages of reports and workbooks."""

    en = "en"
    da = "da"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug
    _redact_terminal()


def _redact_terminal() -> None:
    """Everything the command prints (results, notes, progress bars, messages) passes one redaction: no
    CPR-like number from a file name, a label or a command-line value reaches the terminal."""
    from sim.model.privacy import RedactingStream

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream))


def _fail(message: str, code: int) -> None:
    from sim.model.privacy import redact_cpr  # a file or folder named after a child must not echo its CPR

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
        except Interrupted as e:  # Ctrl-C that says how to continue (a fit's finished trials)
            _fail(str(e), 130)
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


_REPLICATIONS = typer.Option(None, "--replications", "-n", help="Monte Carlo replications (default 100).")
DEFAULT_REPLICATIONS = 100
_PRECISION = typer.Option(
    None, "--precision", help="Run replications in batches of 10, each policy until its mean NPV is known to within "
    "this share (e.g. 0.1: ±10 %, 95 %; at least ±5 M DKK) and its chance of a saving to ±0.03 (one standard "
    "error); instead of --replications. `compare` runs to 0.1 unless --replications is given."
)
_PRECISION_CHANCE = typer.Option(
    None, "--precision-chance", help="With --precision: how closely the chance of a saving must be known "
    "(default 0.03: ±3 percentage points, one standard error; about 210 replications for a chance of 3 in 4)."
)
_MAX_REPLICATIONS = typer.Option(
    None, "--max-replications", help="With --precision: the most replications of each scenario (default 100); "
    "a policy not precise by then is reported with the errors it reached (a clear saving or cost where its "
    "sign is clear, else no clear saving)."
)
_COMPARE_REPLICATIONS = typer.Option(
    None, "--replications", "-n", help="Monte Carlo replications, a fixed number (default: to --precision 0.1)."
)


def _replications_and_precision(replications: Optional[int], precision: Optional[float],
                                max_replications: Optional[int], chance: Optional[float] = None,
                                default: bool = False):
    """(replications, precision) of the options: --precision excludes --replications; with ``default`` a
    command without either runs to the default precision."""
    from sim.analysis.precision import precision_from_options

    chosen = precision_from_options(precision, replications, max_replications, chance, default=default)
    if chosen is not None:
        return chosen.cap, chosen
    return (DEFAULT_REPLICATIONS if replications is None else replications), None


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
    """The jobs' hooks (sim.jobs): a progress bar on stderr once every check has passed, notes on stderr."""
    from sim.jobs import Hooks

    bar = {"advance": lambda k: None, "close": lambda: None}

    def started(total: int, label: str) -> None:
        bar["advance"], bar["close"] = _progress(total, label)

    return Hooks(started=started, advance=lambda k: bar["advance"](k), finished=lambda: bar["close"](),
                 note=lambda text: typer.echo(f"boernesim: {text}", err=True),
                 skipped=lambda k: bar["advance"](k))  # runs a precise policy will not make: the bar ends full


def _simulate(request, out, lang: Lang) -> None:
    """Run ``request`` (sim.jobs) into ``out`` and say what was done."""
    from sim.jobs import run_job

    done = run_job(request, out, [lang.value], command=["boernesim", *sys.argv[1:]], hooks=_bar_hooks())
    counts = sorted(set(done.replications_each.values()))
    runs = f"{done.replications}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"  # to a precision: each its own
    typer.echo(f"{len(done.results)} x {runs} replications x {done.horizon_years} years in "
               f"{done.wall_seconds:.1f} s ({done.events:,} events) -> {done.outputs[lang.value]}")
    if done.precision is not None:
        typer.echo(_precision_line(done.precision))


def _precision_line(precision: dict) -> str:
    """Whether a run to a precision reached it, and each policy's runs and Monte Carlo errors (the NPV's 95 %
    half-width, the chance's standard error); at the cap a clear saving or cost where the NPV's sign is clear."""
    parts = []
    for name, p in precision["policies"].items():
        error = p.get("npv_mc_error_dkk")
        part = f"{name}: {p.get('replications')} runs, NPV ±{error / 1e6:.1f} M DKK" if error is not None else \
            f"{name}: {p.get('replications')} runs, NPV ±?"
        if p.get("prob_mc_error") is not None:
            part += f", chance of a saving ±{p['prob_mc_error']:.3f}"
        if not p["precision_reached"]:
            part += " (" + _at_cap(p) + ")"
        parts.append(part)
    head = "precision reached" if precision["reached"] else "precision not reached by the cap"
    return (f"{head} after {precision['replications']} replications (NPV 95 %, chance one standard error): "
            + "; ".join(parts))


def _at_cap(policy: dict) -> str:
    """What a policy at the cap shows: a clear saving or cost (its NPV's 95 % interval excludes 0), else none."""
    mean = policy.get("npv_mean_dkk")
    if not policy.get("npv_sign_clear") or mean is None:
        return "no clear saving"
    clear = "clear saving" if mean > 0 else "clear cost"
    return f"{clear}, not to the precision within {policy['replications']} runs"


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
    precision: Optional[float] = _PRECISION,
    max_replications: Optional[int] = _MAX_REPLICATIONS,
    precision_chance: Optional[float] = _PRECISION_CHANCE,
) -> None:
    """Run replications of a scenario and write manifest, tables, report and workbook.

    With --initial-cases and --as-of: start from today's cases and forecast the year-end result."""
    from sim.jobs import register_from_options, request_from_files

    replications, chosen = _replications_and_precision(replications, precision, max_replications,
                                                       precision_chance)
    register = register_from_options(scenario, initial_cases, as_of, spent_to_date, pseudonymise, previous)
    request = request_from_files([scenario], replications, years=years, seed=seed, workers=workers,
                                 register=register, fixed_assumptions=fixed_assumptions, executor=executor,
                                 scheduler=scheduler, parameter_sets=parameter_sets, precision=chosen)
    _simulate(request, out, lang)


@app.command()
@_guard
def compare(
    baseline: Path = typer.Argument(..., help="The baseline scenario."),
    alternatives: list[Path] = typer.Argument(..., help="One or more alternative scenarios."),
    replications: int = _COMPARE_REPLICATIONS,
    years: Optional[int] = _YEARS,
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = _OUT,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
    parameter_sets: Optional[Path] = _PARAMETER_SETS,
    fixed_assumptions: bool = _FIXED_ASSUMPTIONS,
    precision: Optional[float] = _PRECISION,
    max_replications: Optional[int] = _MAX_REPLICATIONS,
    precision_chance: Optional[float] = _PRECISION_CHANCE,
) -> None:
    """Run a baseline and alternatives with common random numbers; write paired differences and economics.

    Without --replications each policy runs to --precision 0.1 (at most --max-replications, default 100)."""
    from sim.jobs import request_from_files

    replications, chosen = _replications_and_precision(replications, precision, max_replications,
                                                       precision_chance, default=True)
    request = request_from_files([baseline, *alternatives], replications, years=years, seed=seed, workers=workers,
                                 fixed_assumptions=fixed_assumptions, executor=executor, scheduler=scheduler,
                                 parameter_sets=parameter_sets, precision=chosen)
    _simulate(request, out, lang)


@app.command()
@_guard
def validate(scenario: Path = typer.Argument(..., help="Scenario YAML file."),
             lang: Lang = typer.Option(Lang.en, "--lang", help="Language of the messages and the verdict.")) -> None:
    """Check a scenario file: print it fully resolved, what each lever does to it, and a verdict.

    After the resolved scenario come (as YAML comments) each lever's value before and after, e.g.
    caseworkers.fte: 20 → 25 (+5 from 2027-01-01), and last "valid" (gyldig). A refused file's problems are
    listed short: a misspelt key with the key it resembles, one line for a reason many keys share, at most
    20 lines, then "not valid" (ugyldig) with their number."""
    from sim.errors import ScenarioError
    from sim.model.levers import lever_effects
    from sim.model.scenario import load_scenario, scenario_to_yaml
    from sim.model.scenario.messages import problem_summary, verdict
    from sim.outputs.labels import lever_effect_line, text

    try:
        resolved = load_scenario(scenario)
    except ScenarioError as e:
        if _state["debug"]:
            raise
        for line in problem_summary(e.problems, lang.value):
            typer.echo(f"{e.file}: {line}", err=True)
        _fail(verdict("invalid", lang.value, n=len(e.problems), file=e.file), 2)
    typer.echo(scenario_to_yaml(resolved), nl=False)
    effects = lever_effects(resolved)
    if effects:
        typer.echo(f"# {text('lever_effects', lang.value)}:")
        for effect in effects:
            typer.echo(f"#   levers[{effect.index}] {lever_effect_line(effect, lang.value)}")
    typer.echo(f"# {verdict('valid', lang.value, file=scenario)}")


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
    from sim.jobs.studies import sensitivity_job

    done = sensitivity_job(scenario, spec, method=method.value if method is not None else None, n=n,
                           replications=replications, seed=seed, workers=workers, out=out, lang=lang.value,
                           executor=executor, scheduler=scheduler, command=["boernesim", *sys.argv[1:]],
                           hooks=_bar_hooks())
    typer.echo(f"{done.points} sample points x {done.replications} replications ({done.method}) in "
               f"{done.result.wall_seconds:.1f} s ({done.result.events:,} events) -> {done.target}")


@app.command()
@_guard
def sweep(
    scenario: Path = typer.Argument(..., help="Scenario YAML file."),
    setting: str = typer.Option(..., "--setting", help="Key path of the setting to vary, e.g. caseworkers.fte."),
    values: str = typer.Option(..., "--values", help="START:STOP:STEP (e.g. 14:32:2) or a comma list."),
    replications: Optional[int] = typer.Option(
        None, "--replications", help="Replications per value, the same for all (default 20)."),
    years: Optional[int] = typer.Option(None, "--years", help="Projected years (default: the scenario's)."),
    seed: int = _SEED,
    workers: Optional[int] = _WORKERS,
    out: Optional[Path] = typer.Option(
        None, "--out", help="Output directory (default results/sweep-<scenario>-<time>/)."
    ),
    lang: Lang = _LANG,
    fixed_assumptions: bool = _FIXED_ASSUMPTIONS,
    precision: Optional[float] = typer.Option(
        None, "--precision", help="Run replications in batches until each value's net saving against the first "
        "value is known to within this share (see `compare --precision`); instead of --replications."),
    max_replications: Optional[int] = _MAX_REPLICATIONS,
    precision_chance: Optional[float] = _PRECISION_CHANCE,
) -> None:
    """The scenario at each value of one setting, with common random numbers: sweep.csv and a report whose
    first chart is the total cost against the setting, its band and its minimum."""
    from sim.analysis.precision import precision_from_options
    from sim.jobs.studies import sweep_job

    chosen = precision_from_options(precision, replications, max_replications, precision_chance)
    replications = SWEEP_REPLICATIONS if replications is None else replications
    done = sweep_job(scenario, setting, values, replications=replications, years=years, seed=seed, workers=workers,
                     out=out, lang=lang.value, fixed_assumptions=fixed_assumptions,
                     command=["boernesim", *sys.argv[1:]], hooks=_bar_hooks(), precision=chosen)
    from sim.outputs.sweep_report import minimum_lines

    for line in minimum_lines(done.results, setting, lang.value):
        typer.echo(line)
    ran = next(iter(done.results.values())).replications
    typer.echo(f"{len(done.values)} values x {ran} replications -> {done.target}")
    if done.precision is not None:
        typer.echo(_precision_line(done.precision))


SWEEP_REPLICATIONS = 20


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
    out: Optional[Path] = typer.Option(None, "--out",
                                       help="Output directory (default results/calibrate-<scenario>-<time>/)."),
    trials: Optional[int] = _TRIALS,
    workers: Optional[int] = _WORKERS,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
) -> None:
    """Fit the scenario's uncertain parameters to a history; keep the parameter sets that fit.

    Safe to interrupt: run the same command (same --out) again and it continues from the trials done."""
    from sim.jobs.fitting import calibration_job, fit_setup

    setup = fit_setup("calibrate", scenario, history, spec, out, trials, workers)
    cal = calibration_job(setup, trials=trials, workers=workers, executor=executor, scheduler=scheduler,
                          lang=lang.value, command=["boernesim", *sys.argv[1:]], hooks=_bar_hooks())
    typer.echo(f"{len(cal.trials)} trials ({cal.resumed_trials} resumed), {len(cal.ensemble)} parameter sets kept, "
               f"{cal.simulations} replication-runs in {cal.wall_seconds:.1f} s -> {setup.target}")


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
    out: Optional[Path] = typer.Option(None, "--out",
                                       help="Output directory (default results/backtest-<scenario>-<time>/)."),
    trials: Optional[int] = _TRIALS,
    workers: Optional[int] = _WORKERS,
    lang: Lang = _LANG,
    executor: str = _EXECUTOR,
    scheduler: Optional[str] = _SCHEDULER,
) -> None:
    """Fit on the years up to --fit-until (or each of --origins), project --horizon years, and score the model
    against what happened and against three simple forecasts."""
    from sim.jobs.fitting import backtest_job, backtest_origins, fit_setup

    years = backtest_origins(fit_until, origins)
    setup = fit_setup("backtest", scenario, history, spec, out, trials, workers)
    bt = backtest_job(setup, years, origins is not None, horizon, trials=trials, workers=workers, executor=executor,
                      scheduler=scheduler, lang=lang.value, command=["boernesim", *sys.argv[1:]], hooks=_bar_hooks())
    pooled = bt.rolling[(bt.rolling["metric"] == "all") & (bt.rolling["horizon"] == 0)].set_index("method")
    for _, r in bt.summary[bt.summary["method"] == "model"].iterrows():
        typer.echo(f"{r['metric']}: model MAPE {r['mape']:.1%} over {r['n_years']} years")
    for method, r in pooled.iterrows():
        typer.echo(f"all metrics, {method}: MAPE {r['mape']:.1%}, MASE {r['mase']:.2f}"
                   + (f", 50 % band {r['coverage_50']:.0%}, 90 % band {r['coverage_90']:.0%}"
                      if method == "model" else "") + f" ({r['n']} forecasts)")
    typer.echo(f"-> {setup.target}")


@app.command("fetch-history")
@_guard
def fetch_history(
    municipality: str = typer.Option(..., "--municipality",
                                     help="Municipality code, 3 digits (e.g. 101 = Copenhagen)."),
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


def main() -> None:
    from sim.signals import run_command

    _redact_terminal()  # before any option is parsed: a usage error may quote a value
    run_command(app)


if __name__ == "__main__":  # pragma: no cover
    main()
