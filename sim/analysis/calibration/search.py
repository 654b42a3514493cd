"""The likelihood-guided search (optuna TPE, then a Latin-hypercube refinement) with its journal of finished
trials, and the likelihood-ratio region kept as the ensemble."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import signal
import threading
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.calibration.likelihood import fit_log_likelihood
from sim.analysis.calibration.problem import Problem, trial_scenario
from sim.analysis.calibration.spec import CalibrationSpec
from sim.analysis.parameter_spec import (
    Parameter,
    parameter_value,
)
from sim.errors import InputError
from sim.runs.executors import default_workers, map_chunks
from sim.runs.runner import run_metrics


def fingerprint(problem: Problem) -> str:
    """What a journal of trials belongs to: the scenario over the years, the spec and the observations."""
    blob = json.dumps({"raw": problem.raw, "spec": problem.spec.model_dump(mode="json"),
                       "observed": problem.observed[["metric", "year", "model_observed"]].values.tolist()},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _study(problem: Problem, journal: Path | None):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = problem.spec
    sampler = _sampler(spec, 0)
    storage = None
    if journal is not None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        journal.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the journal backend is marked experimental in some versions
            storage = JournalStorage(JournalFileBackend(str(journal)))
    study = optuna.create_study(study_name="boernesim", storage=storage, sampler=sampler, direction="maximize",
                                load_if_exists=True)
    mark = fingerprint(problem)
    if study.user_attrs.get("fingerprint") not in (None, mark):
        raise InputError(f"{journal} holds trials of another calibration (different scenario, spec, history or "
                         "seed); delete it to start afresh, or choose another --out")
    study.set_user_attr("fingerprint", mark)
    return study


def _sampler(spec: CalibrationSpec, trials_done: int):
    """TPE, seeded by the spec's seed and the number of trials already done: a resumed search must not
    replay the random start of the interrupted one (the same points would run again with the same result)."""
    import optuna

    seed = spec.seed
    if trials_done:
        seed = int(np.random.SeedSequence([spec.seed, trials_done]).generate_state(1)[0])
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec.search.startup_trials, multivariate=True,
                                      constant_liar=True)


def _suggest(trial, p: Parameter) -> float:
    if p.integer:
        return float(trial.suggest_int(p.path, math.ceil(p.low), math.floor(p.high)))
    return trial.suggest_float(p.path, p.low, p.high)


def search(problem: Problem, workers: int | None = None, journal: Path | None = None,
           on_progress: Callable[[int], None] | None = None, executor: str = "local",
           scheduler: str | None = None, trials: int | None = None) -> tuple[object, int, int, int]:
    """Run the search until ``trials`` trials are complete (counting those already in ``journal``): TPE
    first, then the last ``refine_share`` of the trials spread evenly (Latin hypercube) over the box around
    the likelihood-ratio region found so far. TPE crowds its trials near the best fit, so without the second
    stage the region's edges are thinly sampled and the kept sets' spread comes out too narrow.
    Returns (study, simulations run now, events, trials resumed)."""
    total = trials or problem.spec.search.trials
    with _INTERRUPTS.held():
        return _search(problem, total, workers, journal, on_progress, executor, scheduler)


def _search(problem, total, workers, journal, on_progress, executor, scheduler):
    from optuna.trial import TrialState

    spec = problem.spec
    study = _study(problem, journal)
    # a trial asked but never told (the run was interrupted) is closed as failed so it does not linger
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(t.number, state=TrialState.FAIL)
    resumed = _complete(study)
    if resumed:
        study.sampler = _sampler(spec, resumed)
    if on_progress and resumed:
        on_progress(min(resumed, total))
    run = _Batches(problem, study, workers, executor, scheduler, on_progress)
    first_stage = total - int(round(total * spec.search.refine_share))
    run.until(first_stage)
    # points of an interrupted refinement stage still queued in the journal are run first; only the rest
    # are new (so a resumed refinement is two Latin hypercubes, not one)
    remaining = total - _complete(study) - _waiting(study)
    if remaining > 0:
        for point in _refinement_points(trials_frame(study, spec), spec, remaining):
            study.enqueue_trial(point, skip_if_exists=False)
    run.until(total)
    return study, run.simulations, run.events, resumed


class _Interrupts:
    """Ctrl-C while optuna writes or reads the journal (under its file lock) would leave half a record or a
    lock file behind. So during a search Ctrl-C is held back and raised at the next safe point, except while
    the simulations run (``allowed``), which it stops at once. Only in the main thread, where signals arrive."""

    def __init__(self):
        self.caught = False
        self.active = False

    def _hold(self, *_):
        self.caught = True

    @contextlib.contextmanager
    def held(self):
        if threading.current_thread() is not threading.main_thread() or self.active:
            yield
            return
        self.caught, self.active = False, True
        previous = signal.signal(signal.SIGINT, self._hold)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
            self.active = False
        if self.caught:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def allowed(self):
        if not self.active:
            yield
            return
        if self.caught:
            raise KeyboardInterrupt
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, self._hold)


_INTERRUPTS = _Interrupts()


def _waiting(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))


def _complete(study) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


class _Batches:
    """Asks the study for ``batch`` trials at a time, runs them in parallel, tells the results."""

    def __init__(self, problem: Problem, study, workers, executor, scheduler, on_progress):
        self.problem, self.study, self.on_progress = problem, study, on_progress
        self.workers = default_workers() if workers is None else workers
        self.batch = problem.spec.search.batch  # not the number of workers: the result must not depend on it
        self.run_on = dict(executor=executor, workers=self.workers, scheduler=scheduler)
        self.simulations = self.events = 0

    def until(self, target: int) -> None:
        from optuna.trial import TrialState

        spec, reps = self.problem.spec, self.problem.spec.search.replications
        work = partial(run_metrics, replications=reps, seed=spec.seed, metrics=self.problem.metrics)
        failed_in_a_row = 0
        while _complete(self.study) < target:
            asked = [self.study.ask() for _ in range(min(self.batch, target - _complete(self.study)))]
            values = [[_suggest(t, p) for p in spec.parameters] for t in asked]
            scenarios = [trial_scenario(self.problem, v) for v in values]
            runnable = [(t, sc) for t, sc in zip(asked, scenarios) if sc is not None]
            for t, sc in zip(asked, scenarios):
                if sc is None:
                    self.study.tell(t, state=TrialState.FAIL)
            with _INTERRUPTS.allowed():  # the simulations stop at once on Ctrl-C; the journal is not being written
                results = map_chunks(work, [sc for _, sc in runnable], **self.run_on)
            for (t, _sc), (table, ev) in zip(runnable, results):
                self.study.tell(t, fit_log_likelihood(self.problem, table, reps))
                self.simulations += reps
                self.events += ev
            if self.on_progress and runnable:
                self.on_progress(len(runnable))
            failed_in_a_row = 0 if runnable else failed_in_a_row + 1
            if failed_in_a_row >= 5:
                raise InputError("the prior ranges give invalid scenarios again and again (e.g. shares that sum "
                                 "over 1); narrow them")


def _refinement_points(trials: pd.DataFrame, spec: CalibrationSpec, n: int) -> list[dict[str, float]]:
    """``n`` points spread evenly (a seeded Latin hypercube) over the box around the likelihood-ratio region
    of ``trials``, widened by half its width on each side and kept inside the prior ranges."""
    from scipy.stats import qmc

    region = likelihood_region(trials, len(spec.parameters), spec.search.confidence, max_sets=len(trials))
    lows, highs = [], []
    for p in spec.parameters:
        lo, hi = float(region[p.path].min()), float(region[p.path].max())
        margin = max(hi - lo, 0.05 * (p.high - p.low)) * 0.5
        lows.append(max(p.low, lo - margin))
        highs.append(min(p.high, hi + margin))
    unit = qmc.LatinHypercube(d=len(spec.parameters), seed=spec.seed).random(n)
    points = qmc.scale(unit, lows, highs) if n else unit
    return [{p.path: (_whole_in_range(v, p) if p.integer else float(v)) for p, v in zip(spec.parameters, row)}
            for row in points]


def _whole_in_range(v: float, p: Parameter) -> int:
    return int(min(max(round(v), math.ceil(p.low)), math.floor(p.high)))


def trials_frame(study, spec: CalibrationSpec) -> pd.DataFrame:
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        rows.append({"trial": t.number, "loglik": float(t.value),
                     **{p.path: parameter_value(p, t.params[p.path]) for p in spec.parameters}})
    frame = pd.DataFrame(rows, columns=["trial", "loglik", *[p.path for p in spec.parameters]])
    return frame.sort_values("trial").reset_index(drop=True)


def likelihood_region(trials: pd.DataFrame, n_parameters: int, confidence: float, max_sets: int) -> pd.DataFrame:
    """The trials inside the likelihood-ratio region (loglik >= best - chi2(confidence, d) / 2), equally
    weighted; if more than ``max_sets``, every k-th by trial number so the spread is kept."""
    finite = trials[np.isfinite(trials["loglik"])]
    if finite.empty:
        raise InputError("no trial produced a finite likelihood (the model never came near the history); check "
                         "the prior ranges and the targets' scales")
    threshold = float(stats.chi2.ppf(confidence, n_parameters)) / 2.0
    inside = finite[finite["loglik"] >= finite["loglik"].max() - threshold].sort_values("trial")
    if len(inside) > max_sets:
        keep = np.unique(np.linspace(0, len(inside) - 1, max_sets).round().astype(int))
        inside = inside.iloc[keep]
    out = inside.drop(columns=["trial", "loglik"]).copy()
    out["weight"] = 1.0 / len(out)
    out["loglik"] = inside["loglik"].to_numpy()
    out["trial"] = inside["trial"].to_numpy()
    return out.reset_index(drop=True)
