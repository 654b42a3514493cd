"""The command as the CLI tests run it in their own process (tests/commands.py) answers as a fresh interpreter
does, and leaves the test process as it found it."""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path

import yaml
from commands import cli_here, cli_process

import sim.cli
import sim.signals

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
CPR = "0102031234"


def _bad_scenario(directory: Path) -> Path:
    """A refused scenario whose file name and bad key both hold a CPR-like number (the terminal redacts both)."""
    path = directory / f"plan {CPR}.yaml"
    path.write_text(yaml.safe_dump({"extends": str(BASELINE), "name": "x", "caseworkers": {CPR: 1}}),
                    encoding="utf-8")
    return path


def test_in_this_process_the_command_answers_as_in_a_fresh_interpreter(tmp_path):
    path = _bad_scenario(tmp_path)
    for args in (["validate", path], ["--debug", "validate", path]):
        here, fresh = cli_here(*args, cwd=tmp_path), cli_process(*args, cwd=tmp_path)
        assert (here.returncode, here.stdout) == (fresh.returncode, fresh.stdout), args
        # the same message; a traceback's frames differ (the test process calls the command through the runner)
        assert here.stderr.splitlines()[-1] == fresh.stderr.splitlines()[-1], (here.stderr, fresh.stderr)
        assert ("Traceback" in here.stderr) == ("Traceback" in fresh.stderr) == ("--debug" in args)
        assert CPR not in here.stdout + here.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing written by either


def test_the_command_leaves_the_test_process_as_it_found_it(tmp_path, capfd):
    before = (sys.stdout, sys.stderr, list(sys.argv), sys.modules["__main__"], os.getcwd(), dict(sim.cli._state),
              sim.signals.leave, [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)],
              list(warnings.filters))
    done = cli_here("--debug", "validate", BASELINE, cwd=tmp_path)
    assert done.returncode == 0 and "# valid: " in done.stdout, done.stderr
    after = (sys.stdout, sys.stderr, list(sys.argv), sys.modules["__main__"], os.getcwd(), dict(sim.cli._state),
             sim.signals.leave, [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)],
             list(warnings.filters))
    assert after == before
    print("the test's", flush=True)
    os.write(1, b"own stdout\n")
    assert capfd.readouterr().out == "the test's\nown stdout\n"  # the descriptors are the test's again
