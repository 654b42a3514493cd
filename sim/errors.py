"""Errors a user can act on. The CLI turns these into exit code 2 with one clear message."""


class InputError(Exception):
    """Bad input from the user: a scenario file, an option, a data file."""


class ScenarioError(InputError):
    """A scenario file that cannot be used; the message names the file, the key path and the reason."""

    what = "scenario"

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = problems
        lines = [f"{file}: {path or '(top level)'}: {reason}" for path, reason in problems]
        super().__init__(f"invalid {self.what}\n" + "\n".join(lines))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, SIGHUP) that says what to do next: the CLI exits 130 with this message."""
