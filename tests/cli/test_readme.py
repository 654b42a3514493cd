"""The README's commands are the ones users copy: check they exist and that the main job runs."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return [line for line in re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)]


def test_readme_top_has_setup_main_job_and_test_commands():
    first_two = _commands()[:2]
    assert len(first_two) == 2
    main, tests = first_two
    assert "pip install" in main and "boernesim compare scenarios/baseline.yaml" in main
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "Run the tests:" in ci  # .ci/run extracts the command from the README, so they cannot drift


@pytest.mark.slow
def test_readme_main_job_runs(tmp_path):
    main = _commands()[0]
    job = main.split("&&")[-1].strip()
    args = shlex.split(job)
    assert Path(args[0]).name == "boernesim"
    # the same command, made small: later options override the README's
    args = [sys.executable, "-m", "sim.cli", *args[1:], "--replications", "2", "--years", "1", "--workers", "1",
            "--out", str(tmp_path / "out")]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("manifest.json", "replications.parquet", "summary.csv", "report.html", "results.xlsx",
                 "comparison.csv", "economics.csv"):
        assert (tmp_path / "out" / name).is_file(), name


def test_readme_says_how_to_open_the_app_right_after_the_main_job():
    """The app is the reader's second step: the first line after the main job's command names it."""
    after_main = README.split("```bash", 1)[1].split("```", 1)[1]
    second = next(line for line in after_main.splitlines() if line.strip())
    assert "boernesim app" in second, second
    assert README.index("boernesim app") < README.index("Run the tests:")
    assert (ROOT / "docs" / "app.png").is_file() and "](docs/app.png)" in README


def test_readme_main_job_is_on_line_7_and_the_readme_is_short():
    """The first screen is for users: the main job's command on line 7, the rest in docs/ (about 150 lines)."""
    lines = README.splitlines()
    assert "boernesim compare scenarios/baseline.yaml" in lines[6]
    assert len(lines) <= 180, len(lines)
