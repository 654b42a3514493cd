"""The commit-msg hook (scripts/git-hooks/commit-msg) that scripts/install-hooks.sh installs: a subject of at most
72 characters with an area prefix from docs/developing.md's list passes; others are refused; merges pass."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / "scripts" / "git-hooks"
HOOK = HOOKS / "commit-msg"


def run_hook(tmp_path: Path, message: str) -> subprocess.CompletedProcess:
    path = tmp_path / "COMMIT_EDITMSG"
    path.write_text(message, encoding="utf-8")
    return subprocess.run([sys.executable, str(HOOK), str(path)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("message", [
    "model: reviews step down by need\n\nThe body may be as long as it needs to be, " + "x" * 100 + "\n",
    "docs: " + "a" * 66,  # exactly 72 characters
    "scenarios: the baseline's share of kinship care from Ankestyrelsen",
    "# a comment git strips\n\ncalib: fit the reporting stage first\n",
    "app: æøå in the subject count as one character each " + "å" * 17,
    "Merge branch 'w-prose' into main, with a subject longer than seventy-two characters",
])
def test_good_messages_pass(tmp_path, message):
    done = run_hook(tmp_path, message)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("message", "says"), [
    ("docs: " + "a" * 67, "73 characters"),
    ("fix the review bug", "must start with an area"),
    ("feature: a new lever", "must start with an area"),
    ("Model: capital letters are not an area", "must start with an area"),
    ("model:no space after the colon", "must start with an area"),
    ("model: ", "must start with an area"),
    ("", "must start with an area"),
])
def test_bad_messages_are_refused_with_the_reason(tmp_path, message, says):
    done = run_hook(tmp_path, message)
    assert done.returncode == 1
    assert says in done.stderr, done.stderr


def test_the_documented_areas_are_the_hooks():
    hook_areas = re.search(r"AREAS = \((.*?)\)", HOOK.read_text(encoding="utf-8"), flags=re.S)[1]
    in_hook = set(re.findall(r'"([a-z]+)"', hook_areas))
    developing = (ROOT / "docs" / "developing.md").read_text(encoding="utf-8")
    section = developing.split("## Commit messages", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z]+):`", section))
    assert in_hook == documented


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_runs_the_installed_hook(tmp_path):
    """In a fresh repository with the hooks installed as scripts/install-hooks.sh does (core.hooksPath), git
    refuses a commit with a bad subject and makes one with a good subject."""
    repo = tmp_path / "repo"
    shutil.copytree(HOOKS, repo / "scripts" / "git-hooks")
    shutil.copy(ROOT / "scripts" / "install-hooks.sh", repo / "scripts" / "install-hooks.sh")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    subprocess.run(["bash", "scripts/install-hooks.sh"], cwd=repo, check=True, capture_output=True, timeout=30)
    (repo / "a.txt").write_text("a\n")
    subprocess.run([*git, "add", "a.txt"], cwd=repo, check=True, timeout=30)
    bad = subprocess.run([*git, "commit", "-q", "-m", "added a file"], cwd=repo, capture_output=True, text=True,
                         timeout=30)
    assert bad.returncode != 0 and "must start with an area" in bad.stderr
    good = subprocess.run([*git, "commit", "-q", "-m", "data: a file"], cwd=repo, capture_output=True, text=True,
                          timeout=30)
    assert good.returncode == 0, good.stderr
