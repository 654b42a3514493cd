"""A comparison to a precision whose policies stopped at different runs writes each policy's rows as a run of as
many replications writes them (sim.jobs.run_job, in process), and the manifest and report say each one's runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from small import small_scenario

import sim
from sim.analysis.precision import Precision
from sim.jobs import Request, run_job

ROOT = Path(__file__).resolve().parents[2]


def _scenarios() -> tuple:
    start = f"{sim.load_scenario(ROOT / 'scenarios' / 'baseline.yaml').calendar.start_year}-01-01"
    return (small_scenario("base"), small_scenario("same"),
            small_scenario("more", [{"setting": "caseworkers.fte", "start": start, "value": 3.0}]))


def _rows(folder: Path, name: str, scenario: str) -> pd.DataFrame:
    table = pd.read_csv(folder / name)
    return table[table["scenario"] == scenario].reset_index(drop=True)


@pytest.mark.slow
def test_each_policy_is_written_as_a_run_of_its_own_replications(tmp_path):
    scenarios = _scenarios()
    exact = Precision(relative=1e-9, floor_dkk=0.0, probability=1.0, batch=2, cap=5)  # "same" stops at 2
    done = run_job(Request(scenarios, exact.cap, seed=7, workers=1, precision=exact), tmp_path / "precise")
    assert done.replications_each == {"base": 5, "same": 2, "more": 5}
    fixed = {n: run_job(Request(scenarios[:1] + (scenarios[i],), n, seed=7, workers=1), tmp_path / f"fixed{n}")
             for n, i in ((2, 1), (5, 2))}
    precise = done.outputs["en"]
    for name, n in (("same", 2), ("more", 5)):
        for csv in ("comparison.csv", "outcomes.csv"):
            pd.testing.assert_frame_equal(_rows(precise, csv, name), _rows(fixed[n].outputs["en"], csv, name),
                                          check_dtype=False)  # a column of whole numbers alone reads as int
        econ, want = _rows(precise, "economics.csv", name), _rows(fixed[n].outputs["en"], "economics.csv", name)
        pd.testing.assert_frame_equal(econ[want.columns], want, check_dtype=False)
        assert int(econ.loc[0, "replications"]) == n
    record = json.loads((precise / "manifest.json").read_text(encoding="utf-8"))["precision"]
    assert {k: p["replications"] for k, p in record["policies"].items()} == {"same": 2, "more": 5}
    replications = pd.read_parquet(precise / "replications.parquet")
    assert replications.groupby("scenario")["replication"].nunique().to_dict() == {"base": 5, "same": 2, "more": 5}
