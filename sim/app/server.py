"""Starting the app: Streamlit on 127.0.0.1 only, no usage statistics, nothing fetched from the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def serve(port: int, open_browser: bool) -> int:
    """Run the app until it is stopped (Ctrl-C); the exit code of the server."""
    try:
        return subprocess.call(streamlit_command(port, open_browser))
    except KeyboardInterrupt:
        return 0
