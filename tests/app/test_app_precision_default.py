"""The Run page asks for an answer to the default precision unless told a fixed number of runs; its cap ends in
about ten minutes on an idle 2-core machine, and the progress says how many runs so far of at most how many."""

from __future__ import annotations

from app_pages import app_test, go

from sim.analysis.precision import DEFAULT_CAP, default_precision
from sim.app import building, jobs, pages, texts, timing


def test_the_cap_ends_in_about_ten_minutes_and_the_average_municipality_gets_the_command_lines():
    assert timing.default_cap(20000, 2, 10, 3) == DEFAULT_CAP
    for children in (2500, 20000, 60000, 200000):
        cap = timing.default_cap(children, 2, 10, 3)
        assert timing.MIN_CAP <= cap <= DEFAULT_CAP
        if cap > timing.MIN_CAP:
            assert timing.estimate(children, cap, 2, 10, 3, workers=2, busy=1.0).total <= timing.PRECISION_SECONDS
    assert timing.default_cap(60000, 2, 10, 3) < DEFAULT_CAP  # a larger municipality: fewer runs at most


def test_the_run_page_asks_to_the_default_precision_and_a_tick_asks_a_fixed_number():
    at = go(app_test(), "run")
    assert at.checkbox(key="to_precision").value is True
    cap = at.number_input(key="reps").value
    assert at.number_input(key="reps").label == texts.t("max_replications", "da")
    assert any(c.value.startswith("Anslået tid") and "højst" in c.value for c in at.caption)
    at.checkbox(key="to_precision").uncheck().run()
    assert not at.exception, at.exception
    fixed = at.number_input(key="reps").value
    assert fixed < cap and at.number_input(key="reps").label == texts.t("replications", "da")
    assert timing.MIN_DEFAULT <= fixed <= timing.MAX_DEFAULT  # the fixed default: half a minute


def _average():
    return (building.check(building.start_average().raw).scenario,)


def test_a_switch_between_a_precision_and_a_fixed_number_makes_the_answer_stale():
    to_precision = jobs.Question(_average(), 150, 10, 1, precision=default_precision(cap=150))
    assert to_precision.total == 150  # at most: each policy may stop sooner
    assert pages.stale_inputs(to_precision, jobs.Question(_average(), 150, 10, 1)) == ["precision"]
    assert to_precision.key() != jobs.Question(_average(), 150, 10, 1).key()  # not answered from the other's cache


def test_the_progress_of_a_run_to_a_precision_says_at_most():
    class _Job:
        done, writing_since = 40, None
        started_at = 0.0
        question = jobs.Question(_average(), 150, 10, 1, precision=default_precision(cap=150))

    _, said = pages._progress_text(_Job(), "en", timing.Estimate(runs=100.0, writing=10.0))
    assert said.startswith("40 runs so far, at most 150") and "at most" in said.split("·")[1]
