"""--out replaces an earlier output only when it holds exactly what the output's manifest lists, with the
content it had: an added folder (empty or not), a link to a folder or file, or a listed file edited in place
keeps the folder as it is; the check is made again just before the replace."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.errors import InputError
from sim.outputs.files import atomic_directory, check_out_dir


def _output(target: Path, text: str = "first") -> None:
    with atomic_directory(target) as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"tool": "boernesim"}), encoding="utf-8")
        (tmp / "summary.csv").write_text(text, encoding="utf-8")
        (tmp / "figures").mkdir()
        (tmp / "figures" / "cost.png").write_bytes(b"png")


def _snapshot(folder: Path) -> dict[str, object]:
    return {p.relative_to(folder).as_posix(): (p.is_symlink(), p.is_dir() or p.is_symlink() or p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def test_the_manifest_lists_every_files_hash_and_every_folder(tmp_path):
    _output(tmp_path / "out")
    recorded = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert set(recorded["sha256"]) == {"summary.csv", "figures/cost.png"}
    assert all(len(h.replace(":", "")) == 64 and not re.search("[0-9]{3}", h) for h in recorded["sha256"].values())
    assert recorded["folders"] == ["figures"]
    _output(tmp_path / "out", "second")  # an untouched output of ours is replaced
    assert (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8") == "second"


@pytest.mark.parametrize("change", ["empty folder", "folder with a file", "link to a folder", "link to a file",
                                    "listed file edited", "nested file edited", "manifest without hashes"])
def test_an_output_with_anything_added_or_edited_is_not_replaced(tmp_path, change):
    target = tmp_path / "out"
    _output(target)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("years of work", encoding="utf-8")
    if change == "empty folder":
        (target / "drafts").mkdir()
    elif change == "folder with a file":
        (target / "figures" / "mine").mkdir()
        (target / "figures" / "mine" / "a.txt").write_text("x", encoding="utf-8")
    elif change == "link to a folder":
        (target / "thesis").symlink_to(tmp_path / "mine")
    elif change == "link to a file":
        (target / "figures" / "thesis.docx").symlink_to(tmp_path / "mine" / "thesis.docx")
    elif change == "listed file edited":
        (target / "summary.csv").write_text("my corrections", encoding="utf-8")
    elif change == "nested file edited":
        (target / "figures" / "cost.png").write_bytes(b"my figure")
    else:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        del manifest["sha256"]
        (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises(InputError, match="--out"):
        check_out_dir(target)
    with pytest.raises(InputError, match="--out"):
        _output(target, "second")
    assert _snapshot(tmp_path) == before
    assert (tmp_path / "mine" / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_a_file_added_while_the_run_ran_keeps_the_folder_and_the_runs_output(tmp_path):
    target = tmp_path / "out"
    _output(target)
    with pytest.raises(InputError, match="this run's output is in") as caught:
        with atomic_directory(target) as tmp:
            (tmp / "manifest.json").write_text(json.dumps({"tool": "boernesim"}), encoding="utf-8")
            (tmp / "summary.csv").write_text("second", encoding="utf-8")
            (target / "notes.txt").write_text("written during the run", encoding="utf-8")
    assert (target / "notes.txt").read_text(encoding="utf-8") == "written during the run"
    assert (target / "summary.csv").read_text(encoding="utf-8") == "first"
    kept = tmp_path / "out-new"
    assert str(kept) in str(caught.value)
    assert (kept / "summary.csv").read_text(encoding="utf-8") == "second"
