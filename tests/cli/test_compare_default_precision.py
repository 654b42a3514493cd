"""`compare` without --replications runs to the default precision (its cap from --max-replications), and
--replications N keeps a fixed number; the options are read before any run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from commands import cli

from sim.analysis.precision import DEFAULT_CAP, DEFAULT_RELATIVE, precision_from_options

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_compare_runs_to_the_default_precision_unless_given_a_number():
    chosen = precision_from_options(None, None, None, default=True)
    assert (chosen.relative, chosen.cap, chosen.probability) == (DEFAULT_RELATIVE, DEFAULT_CAP, 0.03)
    assert precision_from_options(None, None, 30, default=True).cap == 30
    assert precision_from_options(None, 20, None, default=True) is None  # --replications 20: a fixed number
    assert precision_from_options(None, None, None) is None  # run and sweep: a fixed number by default


@pytest.mark.slow
def test_compare_without_replications_records_the_default_precision(tmp_path):
    small = {"extends": str(BASELINE), "name": "small", "calendar": {"burn_in_years": 1},
             "population": {"aged_0_17": 2000, "aged_0_22": 2700}, "caseworkers": {"fte": 4}}
    more = {"extends": str(tmp_path / "small.yaml"), "name": "more", "caseworkers": {"fte": 6}}
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    (tmp_path / "more.yaml").write_text(yaml.safe_dump(more), encoding="utf-8")
    out = tmp_path / "out"
    proc = cli("compare", tmp_path / "small.yaml", tmp_path / "more.yaml", "--years", 1, "--max-replications", 4,
               "--workers", 1, "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (record["precision"]["relative"], record["precision"]["cap"]) == (DEFAULT_RELATIVE, 4)
    assert record["precision"]["policies"]["more"]["replications"] == 4 == record["replications"]
    assert "more: 4 runs" in proc.stdout
