"""An interruptible fit as the commands run it: where the finished trials are kept until the output is
complete (next to it, hidden), so that the same command run again continues from them, and what to say
after Ctrl-C; the fit's options checked and its size for a progress bar."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sim.errors import InputError, Interrupted


def journal_for(target: Path) -> Path:
    """Where the finished trials of a fit written to ``target`` are kept until the output is complete."""
    target = Path(target)
    return target.parent / f".{target.name}.trials.journal"


def resume_hint(journal: Path, target: Path) -> str:
    """What to do after Ctrl-C: the finished trials are kept, and the same command with --out continues."""
    if not journal.exists() and not list(journal.parent.glob(journal.name + ".*")):  # rolling: one per origin
        return "interrupted before any trial finished; no output was written"
    return (f"interrupted; the trials finished so far are kept in {journal}. Run the same command with "
            f"--out {target} to continue from them")


@contextlib.contextmanager
def resume_hint_on_interrupt(journal: Path, target: Path) -> Iterator[None]:
    """Ctrl-C inside becomes :class:`~sim.errors.Interrupted` saying where the finished trials are kept and
    how to continue from them."""
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt:
        raise Interrupted(resume_hint(journal, target)) from None


@contextlib.contextmanager
def interruptible(journal: Path, target: Path, executor: str, scheduler: str | None,
                  workers: int | None) -> Iterator[None]:
    """A fit's search: one local Dask cluster for all its batches (with the Dask executor and no scheduler),
    and after Ctrl-C the resume hint."""
    from sim.runs.executors import shared_local_cluster

    with shared_local_cluster(executor, scheduler, workers), resume_hint_on_interrupt(journal, target):
        yield


def check_trials(trials: int | None) -> None:
    if trials is not None and trials < 2:
        raise InputError("--trials must be at least 2")


def fit_total(spec, trials: int | None) -> int:
    """Simulations a fit is expected to run, for the progress bar (ABC-SMC: about two batches a generation)."""
    if spec.method == "abc_smc":
        return spec.abc.particles * (1 + 2 * (spec.abc.generations - 1))
    return trials or spec.search.trials


def not_fitted_note(problem) -> str | None:
    """The history rows a fit leaves out (population rows apart), in one line; None when there are none."""
    rows = problem.not_fitted[~problem.not_fitted["reason"].str.startswith("population")]
    if rows.empty:
        return None
    return (f"{len(rows)} history rows are not fitted (listed in not_fitted.csv and the report): "
            + "; ".join(sorted({f"{m} ({r})" for m, r in zip(rows['metric'], rows['reason'])})))


def load_fit_inputs(scenario: Path, history: Path, spec: Path):
    """(raw scenario, history, calibration spec) of a fit; a scenario's errors name the file that set the key,
    as `validate` does."""
    from sim.analysis.calibration.spec import load_spec
    from sim.data.history import read_history
    from sim.model.scenario import load_scenario, resolve_raw

    load_scenario(scenario)
    return resolve_raw(scenario), read_history(history), load_spec(spec)
