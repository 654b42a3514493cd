"""ruff (pyproject.toml, [tool.ruff]: pycodestyle, pyflakes and import order) finds nothing in the code, tests,
scripts, benchmarks and calibration scripts. Fix what it names (`ruff check --fix` sorts imports); a rule is
switched off for a file only in pyproject.toml, with the reason."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("sim", "tests", "scripts", "benchmarks", "calibration")


def test_ruff_finds_nothing():
    assert importlib.util.find_spec("ruff") is not None, 'ruff is one of the test extras: pip install -e ".[test]"'
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                           *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
