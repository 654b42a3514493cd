"""The `boernesim` command as the tests run it, and what a refused input must look like. One place, so that every
CLI test holds the command to the same promise.

``cli(...)`` runs the command through its own entry point, ``sim.cli.main`` (the terminal's redaction before any
option is parsed, the signal handlers, the exit code of sim/signals.py), in this process: the interpreter and
pandas are imported once per test process instead of once per command (about two seconds each). It is a process
for the command in all that the tests read: its own file descriptors 1 and 2 (what the command, a library writing
to the descriptor, and its worker processes print), ``sys.argv``, the working directory, Python's default
warning filters with warnings printed to stderr, and the exit code ``os._exit`` would have ended it with. All of it
is put back afterwards, so nothing the command installs reaches the next test. ``cli_process(...)`` runs it in a
fresh interpreter instead (what the installed script, a kill or a crash of the interpreter needs), and
``BOERNESIM_TEST_CLI=process`` makes every ``cli(...)`` do so, to check that both ways agree."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import types
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IN_A_FRESH_INTERPRETER = os.environ.get("BOERNESIM_TEST_CLI") == "process"


def cli(*args, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """``boernesim ARGS`` (arguments may be paths or numbers), in this process as a user's would run it."""
    if IN_A_FRESH_INTERPRETER:
        return cli_process(*args, cwd=cwd, timeout=timeout)
    return cli_here(*args, cwd=cwd)


def cli_process(*args, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """``boernesim ARGS`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


class _Left(BaseException):
    """The command ended (sim.signals.leave) with ``code``; a BaseException, so no ``except Exception`` keeps it."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _leave_here(code: int) -> None:
    """sim.signals.leave without leaving: the command's streams flushed, the exit code handed to :func:`cli_here`
    (the exit handlers stay for the test process's own end)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    raise _Left(code)


# Python's warning filters in an interpreter started without -W (the `warnings` module's documentation)
_DEFAULT_FILTERS = (("default", DeprecationWarning, "__main__"), ("ignore", DeprecationWarning, ""),
                    ("ignore", PendingDeprecationWarning, ""), ("ignore", ImportWarning, ""),
                    ("ignore", ResourceWarning, ""))


def _warn_to_stderr(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def cli_here(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``boernesim ARGS`` through ``sim.cli.main`` in this process (see the module's text)."""
    argv = ["boernesim", *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with _as_a_process(argv, cwd, out, err):
            code = _run_main()
        return subprocess.CompletedProcess(argv, code, _text(out), _text(err))


def _run_main() -> int:
    import sim.cli

    try:
        sim.cli.main()
    except _Left as left:
        return left.code
    raise AssertionError("sim.cli.main returned without sim.signals.leave")


def _text(file) -> str:
    """What was written to ``file``, read as subprocess.run(text=True) reads a pipe (universal newlines)."""
    file.seek(0)
    return io.TextIOWrapper(file, encoding="utf-8", errors="replace", newline=None).read()


@contextlib.contextmanager
def _as_a_process(argv: list[str], cwd: Path, out, err):
    import sim.cli
    import sim.signals

    saved_streams = sys.stdout, sys.stderr
    saved = (sys.argv, sys.modules["__main__"], os.getcwd(), dict(sim.cli._state), sim.signals._MAIN_PID,
             sim.signals.leave)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    for stream in saved_streams:
        stream.flush()
    descriptors = os.dup(1), os.dup(2)
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", line_buffering=True)
        sys.argv = argv
        sys.modules["__main__"] = types.ModuleType("__main__")  # the installed script's: help says `boernesim`
        os.chdir(cwd)
        sim.signals.leave = _leave_here
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in _DEFAULT_FILTERS:
                warnings.filterwarnings(action, category=category, module=module, append=True)
            warnings.showwarning = _warn_to_stderr
            yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = saved_streams
        os.dup2(descriptors[0], 1)
        os.dup2(descriptors[1], 2)
        for fd in descriptors:
            os.close(fd)
        sys.argv, sys.modules["__main__"] = saved[0], saved[1]
        os.chdir(saved[2])
        sim.cli._state.clear()
        sim.cli._state.update(saved[3])
        sim.signals._MAIN_PID, sim.signals.leave = saved[4], saved[5]
        for number, handler in handlers.items():
            signal.signal(number, handler)


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
