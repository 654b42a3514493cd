"""The one runner of `run`, `compare` and the app (sim.jobs), and the protocol of an interrupted fit
(sim.analysis.calibration.journal): hooks, cancellation, output folders, the resume hint."""

from __future__ import annotations

import json

import pytest
from conftest import build, scaled

from sim.analysis.calibration import journal_for, resume_hint, resume_hint_on_interrupt
from sim.errors import InputError, Interrupted
from sim.jobs import Cancelled, Hooks, Request, run_job


@pytest.fixture
def tiny(small_raw):
    """A twentieth of the baseline over one year without burn-in: a replication takes well under a second."""
    raw = scaled(small_raw, 0.05)
    raw["calendar"].update(burn_in_years=0, horizon_years=1)
    raw["caseworkers"]["fte_changes"] = []
    raw["levers"] = []
    return build(raw)


def _hooks(log: list, cancel_after: int | None = None) -> Hooks:
    def cancelled() -> bool:
        return cancel_after is not None and sum(k for kind, k in log if kind == "advance") >= cancel_after

    return Hooks(started=lambda total, label: log.append(("started", total)),
                 advance=lambda k: log.append(("advance", k)), finished=lambda: log.append(("finished", 0)),
                 cancelled=cancelled)


@pytest.mark.slow  # writes the whole output (report, workbook)
def test_a_run_reports_its_total_then_progress_that_adds_up_to_it_and_writes_the_output(tmp_path, tiny):
    log: list = []
    done = run_job(Request((tiny,), 3, seed=4, workers=1), tmp_path / "out", hooks=_hooks(log))
    assert log[0] == ("started", 3)
    assert sum(k for kind, k in log if kind == "advance") == 3
    assert ("finished", 0) in log
    manifest = json.loads((done.outputs["en"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replications"] == 3 and manifest["seed"] == 4
    assert not list(tmp_path.glob(".*"))  # the streamed replications moved into the output


def test_a_cancelled_run_writes_nothing_and_leaves_no_stream_file(tmp_path, tiny):
    log: list = []
    with pytest.raises(Cancelled):
        run_job(Request((tiny,), 4, workers=1), tmp_path / "out", hooks=_hooks(log, cancel_after=1))
    assert sum(k for kind, k in log if kind == "advance") < 4  # stopped before the last replication
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # writes the whole output (report, workbook)
def test_several_languages_are_written_side_by_side_from_one_run(tmp_path, tiny):
    policy = tiny.model_copy(update={"name": "policy"})
    done = run_job(Request((tiny, policy), 2, workers=1), tmp_path / "out", ["en", "da"], stream=False)
    assert set(done.outputs) == {"en", "da"}
    for lang, folder in done.outputs.items():
        assert folder == tmp_path / "out" / lang
        assert (folder / "comparison.csv").exists()
    assert all(r.table is not None for r in done.results)  # not streamed: the tables stay in memory


def test_everything_is_checked_before_the_progress_starts(tmp_path, tiny):
    log: list = []
    with pytest.raises(InputError, match="same name"):
        run_job(Request((tiny, tiny), 2, workers=1), tmp_path / "out", hooks=_hooks(log))
    with pytest.raises(InputError, match="--replications"):
        run_job(Request((tiny,), 0, workers=1), tmp_path / "out", hooks=_hooks(log))
    assert log == [] and not (tmp_path / "out").exists()


def test_the_years_and_the_as_of_date_set_the_scenario_that_runs(tiny):
    import datetime as dt

    longer = Request((tiny,), 1, years=3).scenarios_run()[0]
    assert longer.calendar.horizon_years == 3
    as_of = dt.date(tiny.calendar.start_year + 1, 9, 30)
    forecast = Request((tiny,), 1, years=3, as_of=as_of).scenarios_run()[0]
    assert forecast.calendar.start_year == as_of.year and forecast.calendar.burn_in_years == 0
    assert forecast.end_year == longer.end_year


def test_ctrl_c_in_a_fit_says_where_the_finished_trials_are_kept(tmp_path):
    target = tmp_path / "fit"
    journal = journal_for(target)
    assert journal.parent == tmp_path and journal.name.startswith(".fit")
    assert "before any trial finished" in resume_hint(journal, target)
    journal.write_text("", encoding="utf-8")
    with pytest.raises(Interrupted) as caught, resume_hint_on_interrupt(journal, target):
        raise KeyboardInterrupt
    assert str(journal) in str(caught.value) and f"--out {target}" in str(caught.value)
