"""Starting the app: Streamlit on 127.0.0.1 only, no usage statistics, nothing fetched from the network."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

from sim.errors import InputError

MAIN = Path(__file__).resolve().parent / "main.py"


def streamlit_command(port: int, open_browser: bool) -> list[str]:
    """The command line that serves the app; every setting that matters for privacy is explicit here."""
    return [
        sys.executable, "-m", "streamlit", "run", str(MAIN),
        "--server.address=127.0.0.1",  # this computer only: nothing uploaded can be reached from outside
        f"--server.port={port}",
        "--browser.serverAddress=127.0.0.1",
        "--browser.gatherUsageStats=false",  # no usage statistics
        f"--server.headless={'false' if open_browser else 'true'}",  # not headless = Streamlit opens the browser
        "--server.fileWatcherType=none",  # the app's code does not change while it runs
        "--global.developmentMode=false",
        "--server.maxUploadSize=50",  # MB: a case register is small
        "--theme.base=light",
        "--client.toolbarMode=viewer",  # no "Deploy" button: nothing is published from here
    ]


def check_port_free(port: int) -> None:
    """InputError (exit 2, one line) when another program listens on 127.0.0.1:``port``: Streamlit would
    only log a line and exit 1. Bound as Streamlit binds (SO_REUSEADDR), so a port just closed counts as free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise InputError(f"--port {port}: the port is in use on this computer (another program or app); "
                                 f"stop it or choose another port, e.g. --port {port + 1 if port < 65535 else 8502}"
                                 ) from None
            if e.errno == errno.EACCES:
                raise InputError(f"--port {port}: not allowed to use this port; choose one above 1023, "
                                 "e.g. --port 8501") from None
            raise


def serve(port: int, open_browser: bool) -> int:
    """Run the app until it is stopped (Ctrl-C); the exit code of the server."""
    check_port_free(port)
    try:
        return subprocess.call(streamlit_command(port, open_browser))
    except KeyboardInterrupt:
        return 0
