"""The order of test files (tests/conftest.py): the suite's own recorded seconds, longest first, files without a
recording first; recording merges a run's files into tests/durations.json and drops files that are gone."""

from __future__ import annotations

import json

from conftest import DURATIONS, file_order, recorded_seconds, write_seconds


def test_files_without_a_recording_go_first_then_the_longest():
    seconds = {"test_a.py": 5.0, "test_b.py": 50.0}
    names = ["test_a.py", "test_new.py", "test_b.py"]
    assert sorted(names, key=lambda n: file_order(n, seconds)) == ["test_new.py", "test_b.py", "test_a.py"]


def test_a_recording_merges_and_drops_files_that_are_gone(tmp_path):
    (tmp_path / "test_kept.py").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "test_moved.py").write_text("")
    path = tmp_path / "durations.json"
    path.write_text(json.dumps({"seconds": {"test_kept.py": 3.0, "test_moved.py": 9.0, "test_gone.py": 7.0}}))
    write_seconds({"test_moved.py": 12.34}, path)
    assert recorded_seconds(path) == {"test_kept.py": 3.0, "test_moved.py": 12.3}


def test_the_committed_recording_is_read():
    recorded = recorded_seconds()
    here = {p.name for p in DURATIONS.parent.rglob("test_*.py")}
    assert set(recorded) & here, "tests/durations.json is missing: run the full suite with --record-durations"
    assert all(s >= 0 for s in recorded.values())
