"""The fits of `calibrate` and `backtest`: inputs and output folder checked before the long part, the search
run with progress and the resume hint after Ctrl-C, the outputs written, and the journal of finished trials
removed once the output is complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.jobs.hooks import Hooks


@dataclass(frozen=True)
class FitSetup:
    """A fit's inputs, checked: the scenario mapping, history and spec, their files, the output folder and the
    journal of finished trials next to it."""

    raw: dict
    history: pd.DataFrame
    spec: object  # sim.analysis.calibration.CalibrationSpec
    name: str
    target: Path
    journal: Path
    scenario_file: Path
    history_file: Path
    spec_file: Path


def fit_setup(kind: str, scenario: Path, history: Path, spec: Path, out: Path | None, trials: int | None,
              workers: int | None) -> FitSetup:
    """The inputs of calibrate (``kind`` "calibrate") and backtest, checked before the long part; the output
    folder ``out`` or results/<kind>-<scenario>-<time>/."""
    from sim.analysis.calibration import check_trials, journal_for, load_fit_inputs
    from sim.outputs.files import check_out_dir, default_out_dir
    from sim.runs.runner import check_run_options

    raw, hist, spec_ = load_fit_inputs(scenario, history, spec)
    check_run_options(1, workers)
    check_trials(trials)
    name = str(raw.get("name", Path(scenario).stem))
    target = Path(out) if out is not None else default_out_dir(f"{kind}-{name}")
    check_out_dir(target)
    return FitSetup(raw, hist, spec_, name, target, journal_for(target), Path(scenario), Path(history), Path(spec))


def calibration_job(setup: FitSetup, *, trials: int | None = None, workers: int | None = None,
                    executor: str = "local", scheduler: str | None = None, lang: str = "en",
                    command: Sequence[str] = ("boernesim",), hooks: Hooks | None = None):
    """Fit, write the calibration's outputs to ``setup.target``, remove the journal; returns the
    ``Calibration``. Ctrl-C raises :class:`~sim.errors.Interrupted` with how to continue."""
    from sim.analysis.calibration import (
        calibrate,
        fit_total,
        interruptible,
        not_fitted_note,
        prepare,
        resume_hint_on_interrupt,
    )
    from sim.outputs.history_report import write_calibration_outputs

    hooks = hooks or Hooks()
    problem = prepare(setup.raw, setup.spec, setup.history, source=str(setup.spec_file),
                      scenario_source=str(setup.scenario_file))
    _note(hooks, not_fitted_note(problem))
    hooks.started(fit_total(setup.spec, trials), f"calibrate {setup.name}")
    try:
        with interruptible(setup.journal, setup.target, executor, scheduler, workers):
            cal = calibrate(problem, workers=workers, journal=setup.journal, on_progress=hooks.progress,
                            executor=executor, scheduler=scheduler, trials=trials)
    finally:
        hooks.finished()
    with resume_hint_on_interrupt(setup.journal, setup.target):
        write_calibration_outputs(setup.target, cal, setup.raw, setup.scenario_file, lang, command=list(command),
                                  history_file=str(setup.history_file))
    setup.journal.unlink(missing_ok=True)
    return cal


def backtest_origins(fit_until: int | None, origins: str | None) -> list[int]:
    """The origins of `backtest`: ``--fit-until`` (one) or ``--origins`` (rolling), exactly one of them."""
    from sim.analysis.backtest import parse_origins

    if (fit_until is None) == (origins is None):
        raise InputError("give --fit-until YEAR (one origin) or --origins YEAR,YEAR,... (rolling origins), not both")
    return [fit_until] if origins is None else parse_origins(origins)


def backtest_job(setup: FitSetup, years: list[int], rolling: bool, horizon: int, *, trials: int | None = None,
                 workers: int | None = None, executor: str = "local", scheduler: str | None = None,
                 lang: str = "en", command: Sequence[str] = ("boernesim",), hooks: Hooks | None = None):
    """Fit up to each origin in ``years`` (``rolling``: several, scored together), project ``horizon`` years,
    score, write the back-test's outputs, remove the journals; returns the ``Backtest``. Ctrl-C raises
    :class:`~sim.errors.Interrupted` with how to continue."""
    from sim.analysis.backtest import check_window, origin_journal, run_backtest
    from sim.analysis.calibration import fit_total, interruptible, not_fitted_note, resume_hint_on_interrupt
    from sim.outputs.history_report import write_backtest_outputs

    hooks = hooks or Hooks()
    for year in years:
        check_window(setup.history, year, horizon)
    hooks.started(fit_total(setup.spec, trials) * len(years),
                  f"backtest {setup.name} (fit to {', '.join(map(str, years))})")
    try:
        with interruptible(setup.journal, setup.target, executor, scheduler, workers):
            bt = run_backtest(setup.raw, setup.spec, setup.history, years if rolling else years[0], horizon,
                              workers=workers, journal=setup.journal, on_progress=hooks.progress,
                              executor=executor, scheduler=scheduler, source=str(setup.spec_file),
                              scenario_source=str(setup.scenario_file), trials=trials)
    finally:
        hooks.finished()
    _note(hooks, not_fitted_note(bt.calibration.problem))
    with resume_hint_on_interrupt(setup.journal, setup.target):
        write_backtest_outputs(setup.target, bt, lang, command=list(command), history_file=str(setup.history_file))
    for year in years:
        origin_journal(setup.journal, year, len(years) > 1).unlink(missing_ok=True)
    return bt


def _note(hooks: Hooks, text: str | None) -> None:
    if text:
        hooks.note(text)
