"""How a command's process ends: SIGTERM and SIGHUP as Ctrl-C (temporary files removed, no half-written
output), the exit code from SystemExit, and leaving before the C++ static destructors.

Outside the layers (like sim/errors.py): it imports nothing of the package; the command line uses it."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable

_MAIN_PID = os.getpid()


def interrupt(signum, frame) -> None:
    """SIGTERM and SIGHUP (a closed terminal, `timeout`, a job scheduler) end a command as Ctrl-C does:
    temporary files are removed and no half-written output is left. Worker processes inherit this handler
    and are stopped the default way."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def install() -> None:
    """This process is the command's: SIGTERM and SIGHUP raise KeyboardInterrupt in it (see :func:`interrupt`)."""
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), interrupt)


def run_command(app: Callable[[], object]) -> None:
    """Run ``app`` (the typer application) as the process, and end the process with its exit code: 130 after
    Ctrl-C outside a command's own handling (the shell's code for Ctrl-C), 1 with the traceback for an error
    that reaches here (with --debug)."""
    install()
    try:
        app()
    except SystemExit as stop:
        leave(exit_code(stop.code))
    except KeyboardInterrupt:
        leave(130)
    except BaseException:  # with --debug an internal error reaches here: show it, exit 1 as promised
        import traceback

        traceback.print_exc()
        leave(1)
    leave(0)


def exit_code(code: object) -> int:
    """SystemExit's code as the process's: None is success, a message is printed and is failure."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def leave(code: int) -> None:
    """End the process after Python's own clean-up (exit handlers, logs, streams) but before the C++ static
    destructors. pyarrow's thread pools, torn down there, can abort a finished command with SIGABRT
    ('terminate called without an active exception', apache/arrow#34314): seen in CI turning exit code 2
    into -6 after a parquet file was read. os._exit does not join non-daemon threads: every worker pool of
    the commands is closed by its ``with`` block before this point, which must stay so."""
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
