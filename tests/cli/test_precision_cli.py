"""`--precision` end to end: bad options refused before any run, and a compare to a precision that is the same
to the byte with one worker or two and says how many replications it ran and the errors it reached."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from commands import assert_bad_input, cli

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _scenarios(directory: Path) -> tuple[Path, Path]:
    small = {"extends": str(BASELINE), "name": "small", "calendar": {"burn_in_years": 1},
             "population": {"aged_0_17": 2000, "aged_0_22": 2700}, "caseworkers": {"fte": 4}}
    more = {"extends": str(directory / "small.yaml"), "name": "more", "caseworkers": {"fte": 6}}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "small.yaml").write_text(yaml.safe_dump(small), encoding="utf-8")
    (directory / "more.yaml").write_text(yaml.safe_dump(more), encoding="utf-8")
    return directory / "small.yaml", directory / "more.yaml"


@pytest.mark.parametrize("options, words", [
    (["--precision", "0"], ["--precision"]),
    (["--precision", "-0.1"], ["--precision"]),
    (["--precision", "0.1", "--replications", "20"], ["--precision", "--replications"]),
    (["--precision", "0.1", "--max-replications", "0"], ["--max-replications"]),
    (["--replications", "20", "--max-replications", "30"], ["--max-replications", "--precision"]),
])
def test_bad_precision_options_are_refused_before_any_run(tmp_path, options, words):
    _refused(tmp_path, "compare", options, words)


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_run_and_sweep_refuse_a_precision_of_zero(tmp_path, command):
    _refused(tmp_path, command, ["--precision", "0"], ["--precision"])


def _refused(tmp_path, command, options, words):
    small, more = _scenarios(tmp_path / "sc")
    out = tmp_path / "out"
    args = {"run": ["run", small], "compare": ["compare", small, more],
            "sweep": ["sweep", small, "--setting", "caseworkers.fte", "--values", "4,6"]}[command]
    proc = cli(*args, *options, "--out", out, cwd=tmp_path)
    assert_bad_input(proc, *words)
    assert not out.exists()


@pytest.mark.slow
def test_compare_to_a_precision_is_the_same_whatever_the_workers(tmp_path):
    small, more = _scenarios(tmp_path / "sc")
    outs = {}
    for workers in (1, 2):
        outs[workers] = tmp_path / f"w{workers}"
        proc = cli("compare", small, more, "--years", 1, "--precision", 0.2, "--max-replications", 12,
                   "--workers", workers, "--out", outs[workers], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "replications (NPV 95 %, chance one standard error)" in proc.stdout
    assert (outs[1] / "replications.parquet").read_bytes() == (outs[2] / "replications.parquet").read_bytes()
    manifest = json.loads((outs[1] / "manifest.json").read_text(encoding="utf-8"))
    precision = manifest["precision"]
    ran = precision["replications"]
    assert ran in (10, 12)  # batches of 10, the last cut at the cap of 12
    assert manifest["replications"] == ran
    assert (precision["relative"], precision["cap"]) == (0.2, 12)
    policy = precision["policies"]["more"]
    assert policy["replications"] == ran and policy["npv_mc_error_dkk"] > 0
    table = pd.read_parquet(outs[1] / "replications.parquet")
    assert sorted(table["replication"].unique()) == list(range(ran))
    econ = pd.read_csv(outs[1] / "economics.csv")
    assert bool(econ.loc[0, "precision_reached"]) == policy["precision_reached"] == precision["reached"]
    report = (outs[1] / "report.html").read_text(encoding="utf-8")
    said = ["Run to the stated precision"] if precision["reached"] else \
        ["The saving is clear", "The cost is clear"] if policy["npv_sign_clear"] else ["No clear saving"]
    assert any(words in report for words in said)


@pytest.mark.slow
def test_run_and_sweep_to_a_precision_record_it(tmp_path):
    small, _ = _scenarios(tmp_path / "sc")
    out = tmp_path / "run"
    proc = cli("run", small, "--years", 1, "--precision", 0.5, "--max-replications", 10, "--workers", 1,
               "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    precision = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["precision"]
    assert precision["reached"] and precision["replications"] == 10  # total cost to ±50 % at the first look
    assert set(precision["policies"]) == {"small"}
    sweep_out = tmp_path / "sweep"
    proc = cli("sweep", small, "--setting", "caseworkers.fte", "--values", "4,6", "--years", 1, "--precision", 0.2,
               "--max-replications", 10, "--workers", 1, "--out", sweep_out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    precision = json.loads((sweep_out / "manifest.json").read_text(encoding="utf-8"))["precision"]
    assert precision["replications"] == 10 and set(precision["policies"]) == {"caseworkers.fte = 6"}
