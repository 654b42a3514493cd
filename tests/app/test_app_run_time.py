"""The time a run will take, before it starts and while it runs (sim/app/timing.py), and the Run page that
shows it; the constants' measurements are in timing.py's docstring."""

from __future__ import annotations

from app_pages import MAIN
from streamlit.testing.v1 import AppTest

from sim.app import building, jobs, timing


def test_the_estimate_grows_with_replications_scenarios_years_and_the_municipalitys_size():
    base = timing.estimate(20000, 4, 2, 10, 3, workers=2, busy=1.0)
    assert timing.estimate(20000, 8, 2, 10, 3, workers=2, busy=1.0).runs == 2 * base.runs
    assert timing.estimate(20000, 4, 1, 10, 3, workers=2, busy=1.0).runs == base.runs / 2
    assert timing.estimate(20000, 4, 2, 23, 3, workers=2, busy=1.0).runs == 2 * base.runs
    assert timing.estimate(40000, 4, 2, 10, 3, workers=2, busy=1.0).runs > 2 * base.runs  # a little worse than linear
    assert timing.estimate(20000, 4, 2, 10, 3, workers=2, busy=3.0).total > base.total  # a busy machine
    assert timing.estimate(20000, 4, 2, 10, 3, langs=1, workers=2, busy=1.0).writing < base.writing


def test_the_default_replications_answer_within_a_minute_on_an_idle_two_core_machine():
    for children in (2500, 11700, 20000, 60000, 200000):
        n = timing.default_replications(children, 2, 10, 3)
        assert timing.MIN_DEFAULT <= n <= timing.MAX_DEFAULT
        if n > timing.MIN_DEFAULT:
            assert timing.estimate(children, n, 2, 10, 3, workers=2, busy=1.0).total < 60
    assert timing.default_replications(20000, 2, 10, 3) < timing.default_replications(11700, 2, 10, 3)


def test_progress_runs_through_the_replications_and_then_the_report():
    guess = timing.Estimate(runs=30.0, writing=10.0)
    start = timing.progress(0, 10, 0.0, None, guess)
    half = timing.progress(5, 10, 15.0, None, guess)
    runs_done = timing.progress(10, 10, 30.0, None, guess)
    writing = timing.progress(10, 10, 35.0, 5.0, guess)
    late = timing.progress(10, 10, 60.0, 30.0, guess)
    fractions = [p.fraction for p in (start, half, runs_done, writing, late)]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] < 1.0
    assert runs_done.fraction == 0.75  # the runs are three quarters of the estimated time
    assert half.phase == "runs" and half.left == 15.0 + 10.0  # their pace so far, then the writing
    assert writing.phase == "writing" and writing.left == 5.0
    assert late.left >= 1.0  # never "0 s left" while it is still writing


def test_seconds_read_as_a_person_says_them():
    assert timing.format_seconds(42, "da") == "ca. 40 s"
    assert timing.format_seconds(7.4, "en") == "about 7 s"
    assert timing.format_seconds(200, "da") == "ca. 3 min."


def test_the_run_page_shows_the_policys_effect_the_estimate_and_a_default_for_this_size():
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    at.radio(key="start_kind").set_value("scaled").run()
    at.text_input(key="start_children").set_value("20.000").run()
    at.button(key="use_start").click().run()
    at.sidebar.radio(key="page_da").set_value("policies").run()
    at.selectbox(key="shipped_policy").set_value("more-caseworkers").run()
    at.button(key="apply_shipped").click().run()
    at.sidebar.radio(key="page_da").set_value("run").run()
    assert not at.exception, at.exception
    assert any("34,2 → 39,2 rådgivere (årsværk)" in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert at.number_input(key="reps").value == timing.default_cap(20000, 2, 10, 3)  # to a precision: its cap
    assert any(c.value.startswith("Anslået tid på denne maskine") for c in at.caption), [c.value for c in at.caption]


def test_a_job_says_when_its_runs_are_over_and_the_report_is_being_written(monkeypatch):
    """The worker's runner hook ``finished`` reaches the page as the start of the writing phase."""
    said = []

    def fake_run_job(question, out, langs, command, hooks, stream):
        hooks.advance(1)
        hooks.finished()
        said.append("finished")
        raise RuntimeError("stop before writing")

    monkeypatch.setattr(jobs, "run_job", fake_run_job)
    seen = []
    try:
        jobs.answer(None, on_progress=lambda k: seen.append(("progress", k)), on_writing=lambda: seen.append("writing"))
    except RuntimeError:
        pass
    assert seen == [("progress", 1), "writing"] and said == ["finished"]


def test_a_job_keeps_when_its_report_began_and_when_its_answer_came():
    job = jobs.RunJob.__new__(jobs.RunJob)  # its bookkeeping only: no worker process
    job.done, job.answer, job.error, job.cancelled = 0, None, None, False
    job.writing_since = job.finished_at = None
    job.question = jobs.Question((building.check(building.start_scaled(2500).raw).scenario,), 1, 1)

    class Cache:
        def put(self, key, value):
            self.kept = value

    class Process:
        def join(self, timeout):
            pass

    job.cache, job._process = Cache(), Process()
    job._take("progress", 1)
    job._take("writing", None)
    first = job.writing_since
    job._take("writing", None)  # the runner says it twice (after the runs and on the way out)
    assert job.done == 1 and job.writing_since == first and job.finished_at is None
    job._take("answer", "the answer")
    assert job.finished and job.finished_at >= first and job.cache.kept == "the answer"
