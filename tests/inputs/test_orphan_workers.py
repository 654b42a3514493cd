"""Worker processes end when the command's process ends, even when it is killed with SIGKILL and can clean
nothing up: no worker goes on computing for minutes, holding the caller's pipes open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.runs.executors import PARENT_POLL_SECONDS

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that does not reap it has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent_of(int(p.name)) == pid]


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_worker_whose_parent_is_killed_ends_too(tmp_path):
    """The initializer itself, in a grandchild: its parent (a stand-in for the command) is SIGKILLed."""
    ready = tmp_path / "worker.pid"
    script = (f"import os, subprocess, sys, time\n"
              f"from sim.runs.executors import end_with_parent\n"
              f"pid = os.fork()\n"
              f"if pid == 0:\n"
              f"    end_with_parent(os.getppid())\n"
              f"    open({str(ready)!r}, 'w').write(str(os.getpid()))\n"
              f"    time.sleep(120)\n"
              f"    os._exit(0)\n"
              f"time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        assert _wait_for(lambda: ready.exists() and ready.read_text(), 30)
        worker = int(ready.read_text())
        time.sleep(2 * PARENT_POLL_SECONDS)
        assert _alive(worker)  # a worker whose parent lives goes on
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        assert _wait_for(lambda: not _alive(worker), 5), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_the_workers_of_a_killed_command_are_gone_within_seconds(tmp_path, command):
    scenario = tmp_path / "t.yaml"
    scenario.write_text(f"extends: {BASELINE}\ncalendar: {{horizon_years: 10}}\n", encoding="utf-8")
    extra = ["--setting", "caseworkers.fte", "--values", "18,22"] if command == "sweep" else []
    main = subprocess.Popen([sys.executable, "-m", "sim.cli", command, str(scenario), *extra, "--replications", "40",
                             "--workers", "2", "--out", str(tmp_path / "out")], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(_children(main.pid)) >= 2, 60), "the command started no workers"
        workers = _children(main.pid)
        os.kill(main.pid, signal.SIGKILL)
        main.wait(10)
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 5), [w for w in workers if _alive(w)]
    finally:
        if main.poll() is None:
            main.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
