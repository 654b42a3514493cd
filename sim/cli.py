"""The `boernesim` command.

Exit codes: 0 success, 2 bad input or usage (one clear message), 1 internal error (traceback with --debug).
"""


import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="boernesim: simulate children's cases, caseworkers and costs in a Danish municipality.",
)

_state = {"debug": False}


class Lang(str, Enum):
    en = "en"
    da = "da"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _fail(message: str, code: int) -> None:
    typer.echo(f"boernesim: {message}", err=True)
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


def _simulate(paths: list[Path], replications, years, seed, workers, out, lang: Lang, compare: bool) -> None:
    """Load, check, run every scenario with the same seed and replications, write the outputs."""
    from .errors import InputError
    from .results import check_out_dir, default_out_dir, write_outputs
    from .runner import check_run_options, run_replications, with_horizon
    from .scenario import load_scenario

    scenarios = [with_horizon(load_scenario(p), years) for p in paths]
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"two scenarios have the same name ({', '.join(names)}); give each its own `name:`")
    first = scenarios[0].calendar
    for p, sc in zip(paths[1:], scenarios[1:]):
        c = sc.calendar
        if (c.start_year, c.horizon_years, c.burn_in_years) != (first.start_year, first.horizon_years, first.burn_in_years):
            raise InputError(f"{p}: calendar differs from the baseline's; scenarios compared must share start_year, "
                             "horizon_years and burn_in_years")
    check_run_options(replications, workers)
    target = out or default_out_dir("-vs-".join(names) if compare else names[0])
    check_out_dir(target)  # before the long part, not after it
    advance, close = _progress(replications * len(scenarios), " + ".join(names))
    results = []
    try:
        for sc in scenarios:
            results.append(run_replications(sc, replications, seed=seed, workers=workers, on_progress=advance))
    finally:
        close()
    write_outputs(target, results, lang.value, command=["boernesim", *sys.argv[1:]], compare=compare)
    wall = sum(r.wall_seconds for r in results)
    events = sum(r.events for r in results)
    typer.echo(f"{len(results)} x {replications} replications x {first.horizon_years} years in {wall:.1f} s "
               f"({events:,} events) -> {target}")


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
) -> None:
    """Run replications of a scenario and write manifest, tables, report and workbook."""
    _simulate([scenario], replications, years, seed, workers, out, lang, compare=False)


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
) -> None:
    """Run a baseline and alternatives with common random numbers; write paired differences and economics."""
    _simulate([baseline, *alternatives], replications, years, seed, workers, out, lang, compare=True)


@app.command()
@_guard
def validate(scenario: Path = typer.Argument(..., help="Scenario YAML file.")) -> None:
    """Check a scenario file and print the fully resolved scenario."""
    from .scenario import load_scenario, scenario_to_yaml

    typer.echo(scenario_to_yaml(load_scenario(scenario)), nl=False)


@app.command()
@_guard
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from .scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
