"""Runs for the app: in a worker process (the page stays responsive and can cancel), answered from a cache
when the same question was asked before, and kept only when complete.

A question is the runner's request (``sim.jobs.Request``): the scenarios (the first is the baseline),
replications, years, seed and, for a forecast, the children of a case register. The worker runs it through
the runner the command line uses (``sim.jobs.run_job``: the checks and comparison rules of ``boernesim
compare``) and writes the outputs of docs/contract.md in both languages to a temporary folder, all or nothing;
the answer holds their bytes and tables, and the folder is removed.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import multiprocessing as mp
import os
import queue as queue_module
import signal
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import InputError
from sim.jobs import Hooks, Request, run_job
from sim.model.privacy import redact_cpr
from sim.outputs.labels import LANGS
from sim.runs.runner import RunResult

Question = Request  # what the pages ask: the runner's request (sim.jobs), built from the page's scenarios


@dataclass
class Answer:
    """A complete run: the results, the tables the report is made of, and the files to download, per language."""

    results: list[RunResult]
    summary: pd.DataFrame
    comparison: pd.DataFrame | None
    economics: pd.DataFrame | None
    forecast: pd.DataFrame | None
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # lang -> file name -> bytes
    assumption_effects: pd.DataFrame | None = None  # what each policy's answer rests on (assumption_effects.csv)
    outcomes: pd.DataFrame | None = None  # what happens to the children under each policy (outcomes.csv)


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def answer(question: Question, on_progress=None, on_writing=None) -> Answer:
    """Run the question and write its outputs in both languages; raises what the library raises.
    ``on_progress(k)``: k more replication-runs finished; ``on_writing()``: the runs are over and the outputs
    are being written (it may be called more than once)."""
    with tempfile.TemporaryDirectory(prefix="boernesim-app-") as tmp:
        hooks = Hooks(advance=on_progress or (lambda _k: None), finished=on_writing or (lambda: None))
        done = run_job(question, Path(tmp), LANGS, command=["boernesim", "app"], hooks=hooks, stream=False)
        files: dict[str, dict[str, bytes]] = {}
        tables: dict[str, pd.DataFrame | None] = {}
        for lang, out in done.outputs.items():
            files[lang] = {name: (out / name).read_bytes() for name in ("report.html", "results.xlsx")}
            for name in ("summary", "comparison", "economics", "forecast", "assumption_effects", "outcomes"):
                tables[name] = _read_csv(out / f"{name}.csv")
    return Answer(done.results, tables["summary"], tables["comparison"], tables["economics"], tables["forecast"],
                  files, tables["assumption_effects"], tables["outcomes"])


def _end_with_parent(parent: int) -> None:
    """In the worker: when the app's server is gone, end this process group (the worker and its pool)."""
    while os.getppid() == parent:
        threading.Event().wait(1.0)
    os.killpg(0, signal.SIGTERM)


def _work(question: Question, messages, parent: int) -> None:
    """The worker process: its own process group, so that cancelling ends the replications' processes too."""
    os.setpgrp()
    threading.Thread(target=_end_with_parent, args=(parent,), daemon=True).start()
    try:
        result = answer(question, on_progress=lambda k: messages.put(("progress", k)),
                        on_writing=lambda: messages.put(("writing", None)))
    except InputError as e:
        messages.put(("error", redact_cpr(str(e))))
    except Exception as e:  # noqa: BLE001 - the page shows it; the app must not crash
        messages.put(("error", redact_cpr(f"{type(e).__name__}: {e}")))
    else:
        messages.put(("answer", result))


class AnswerCache:
    """Complete answers by question key; shared by every page and session of one app process."""

    def __init__(self):
        self._answers: dict[str, Answer] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Answer | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: str, value: Answer) -> None:
        with self._lock:
            self._answers[key] = value

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        return len(self._answers)


CACHE = AnswerCache()
_RUNNING: weakref.WeakSet = weakref.WeakSet()  # jobs to end when the app stops


@atexit.register
def _cancel_running() -> None:
    """Registered after multiprocessing's own exit handler, so it runs first: a stopping server ends its runs
    instead of waiting for them."""
    for job in list(_RUNNING):
        job.cancel()


class RunJob:
    """One question running in a worker process: progress, cancel, and the answer put in the cache only
    when it is complete."""

    def __init__(self, question: Question, cache: AnswerCache = CACHE):
        self.question = question
        self.cache = cache
        self.done = 0
        self.answer: Answer | None = None
        self.error: str | None = None
        self.cancelled = False
        self.started_at = time.monotonic()
        self.writing_since: float | None = None  # when the runs ended and the report began
        self.finished_at: float | None = None  # when the answer came
        ctx = mp.get_context("spawn")  # the app's server is threaded: never fork it
        self._messages = ctx.Queue()
        # not a daemon: a daemon may not start the replications' processes
        self._process = ctx.Process(target=_work, args=(question, self._messages, os.getpid()), daemon=False)
        self._process.start()
        _RUNNING.add(self)

    @property
    def finished(self) -> bool:
        return self.answer is not None or self.error is not None or self.cancelled

    def poll(self, wait: float = 0.0) -> None:
        """Read what the worker has said; ``wait`` seconds for the first message."""
        if self.finished:
            return
        try:
            while True:
                kind, value = self._messages.get(timeout=wait) if wait else self._messages.get_nowait()
                wait = 0.0
                self._take(kind, value)
                if self.finished:
                    break
        except queue_module.Empty:
            pass
        if not self.finished and not self._process.is_alive():
            self._drain_after_exit()

    def _take(self, kind: str, value) -> None:
        if kind == "progress":
            self.done += int(value)
        elif kind == "writing":
            self.writing_since = self.writing_since or time.monotonic()
        elif kind == "answer":
            self.answer = value
            self.finished_at = time.monotonic()
            self.cache.put(self.question.key(), value)
        else:
            self.error = str(value)
        if kind not in ("progress", "writing"):
            self._process.join(timeout=10)

    def _drain_after_exit(self) -> None:
        try:
            while not self.finished:
                self._take(*self._messages.get(timeout=1.0))
        except queue_module.Empty:
            self.error = f"the worker process ended (exit code {self._process.exitcode}) without an answer"

    def wait(self, timeout: float) -> None:
        """Poll until finished or ``timeout`` seconds (scripts and tests)."""
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        while not self.finished and dt.datetime.now() < deadline:
            self.poll(wait=0.2)

    def cancel(self) -> None:
        """End the worker and the processes it started (its process group); nothing is kept."""
        if self.finished:
            return
        self.cancelled = True
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            self._process.terminate()  # not yet in its own group: then it has started nothing
        self._process.join(timeout=10)


def ask(question: Question, cache: AnswerCache = CACHE) -> tuple[Answer | None, RunJob | None]:
    """The cached answer at once, or a job started to find it."""
    hit = cache.get(question.key())
    if hit is not None:
        return hit, None
    return None, RunJob(question, cache)


def question_json(question: Question) -> str:
    """What the page shows of a question (no register contents)."""
    return json.dumps({"scenarios": [s.name for s in question.scenarios], "replications": question.replications,
                       "years": question.years, "seed": question.seed})
