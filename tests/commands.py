"""The `boernesim` command as the tests run it: in a fresh interpreter, as a user would, and what a refused
input must look like. One place, so that every CLI test holds the command to the same promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """``boernesim ARGS`` in a fresh interpreter (arguments may be paths or numbers)."""
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def assert_bad_input(proc: subprocess.CompletedProcess, *must_name: str) -> None:
    """Refused input (the exit codes of sim/cli.py): exit 2, one ``boernesim:`` message on stderr that names
    each of ``must_name``, and no traceback anywhere."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr
    assert "Traceback" not in err and "Traceback" not in proc.stdout, err
    messages = [line for line in err.splitlines() if line.startswith("boernesim:")]
    assert len(messages) == 1, err
    for word in must_name:
        assert word in err, (word, err)
