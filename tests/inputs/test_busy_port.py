"""`boernesim app` on a port another program listens on: exit 2 with one line naming the port, before
Streamlit starts (which only logged a line and exited 1)."""

from __future__ import annotations

import socket

from commands import assert_bad_input, cli_process


def test_app_on_a_port_in_use_exits_2_with_one_line():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = cli_process("app", "--port", port, "--no-browser", timeout=60)
    assert_bad_input(done, f"--port {port}", "in use")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
