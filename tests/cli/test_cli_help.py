"""`boernesim --help` and each command's help show a flag as the flag it is (`--debug`, `--no-browser`), never
with a value type (`--debug <bool>`), while options that take a value keep theirs (`--port <int>`)."""

from __future__ import annotations

import re

import pytest
from commands import cli

COMMANDS_WITH_FLAGS = [("app", "--no-browser"), ("sweep", "--fixed-assumptions"), ("run", "--fixed-assumptions")]


def _line_of(help_text: str, option: str) -> str:
    return next(line for line in help_text.splitlines() if re.search(rf"{re.escape(option)}\b", line))


def test_the_top_help_shows_debug_as_a_plain_flag():
    proc = cli("--help")
    assert proc.returncode == 0, proc.stderr
    assert "--debug" in proc.stdout and "<bool>" not in proc.stdout
    assert "Show tracebacks on errors." in _line_of(proc.stdout, "--debug")
    validate = proc.stdout.split("validate", 1)[1].split("│ app", 1)[0]
    assert "verdict" in validate and "YAML comments" not in validate  # its first paragraph only


@pytest.mark.parametrize("command, flag", COMMANDS_WITH_FLAGS)
def test_command_flags_have_no_type_and_value_options_keep_theirs(command, flag):
    proc = cli(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "<bool>" not in proc.stdout
    assert flag in proc.stdout
    if command == "app":
        assert "<int>" in _line_of(proc.stdout, "--port")


def test_debug_is_still_a_flag_that_takes_no_value(tmp_path):
    proc = cli("--debug", "validate", tmp_path / "missing.yaml")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr  # --debug shows the traceback; it did not swallow the next word
