"""The app as a finance officer uses it over a session: numbers typed the Danish way, choices that last across
pages and runs, answers marked stale when their question changed, and errors above the form that link to
the fields. Streamlit's AppTest drives the pages' script (no browser; the browser check is
test_app_browser.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from app_pages import app_test, go
from streamlit.testing.v1 import AppTest

from sim.app import building, jobs, texts
from sim.model.scenario import load_scenario, reason_in

COST = "caseworkers.cost_per_fte_dkk"


def apply_settings(at: AppTest, **typed: str) -> AppTest:
    """Type into the Municipality form's fields (by key path) and press its Anvend."""
    version = at.session_state["form_version"] if "form_version" in at.session_state else 0
    for path, text in typed.items():
        at.text_input(key=f"muni_{path}_{version}").set_value(text)
    next(b for b in at.button if b.label == texts.t("apply", "da")).click().run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------- numbers typed as a Danish user types them


@pytest.mark.parametrize(("typed", "value"), [("550.000", 550_000), ("612.345,50", 612_345.5), ("0,6 mio.", 600_000)])
def test_a_caseworker_cost_typed_the_danish_way_is_read_right(typed, value):
    at = apply_settings(app_test(), **{COST: typed})
    assert at.session_state["municipality"]["caseworkers"]["cost_per_fte_dkk"] == pytest.approx(value)
    assert [s.value for s in at.success] == [texts.t("applied", "da")]


def test_a_caseworker_cost_a_thousand_times_too_small_is_refused_above_the_form_and_beside_its_field():
    at = apply_settings(app_test(), **{COST: "550"})
    assert at.session_state["municipality"]["caseworkers"]["cost_per_fte_dkk"] == 550_000  # unchanged
    assert not at.success  # no green "valid" beside the red
    summary, beside = at.error[0].value, [e.value for e in at.error[1:]]
    assert summary.startswith(texts.t("invalid_summary", "da"))
    reason = "550 er under 100.000, det mindste, der er sandsynligt her: mente du 550.000?"
    assert f"(#field-caseworkers-cost-per-fte-dkk): {reason}" in summary
    assert reason in beside


def test_a_number_that_cannot_be_read_is_refused_with_a_danish_reason_and_nothing_is_used():
    at = apply_settings(app_test(), **{"population.aged_0_17": "elleve tusind", COST: "600.000"})
    assert "'elleve tusind' er ikke et tal" in at.error[0].value
    assert at.session_state["municipality"]["caseworkers"]["cost_per_fte_dkk"] == 550_000


def test_a_value_outside_the_scenario_format_gets_the_cli_reason_in_the_summary():
    """The command line's reason, in Danish, after the key path; no file name (the app's user made none)."""
    at = apply_settings(app_test(), **{"notifications.per_1000_aged_0_17": "-1"})
    assert "(#field-notifications-per-1000-aged-0-17): notifications.per_1000_aged_0_17: skal være mindst 0" \
        in at.error[0].value


def test_each_step_price_is_named_with_its_step():
    at = app_test()
    raw = at.session_state["municipality"]
    labels = [w.label for w in at.text_input if "price_per_year_dkk" in str(w.key)]
    assert len(labels) == len(raw["staircase"]) == len(set(labels))
    for step, label in zip(raw["staircase"], labels):
        assert step["label_da"] in label and "-priser" in label


def test_no_text_key_is_defined_twice_so_none_shadows_another():
    tables = [texts.APP_TEXT, texts.LEVER_TEXT, texts.FIELD_TEXT]
    keys = [k for table in tables for k in table]
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)


def test_a_denmark_scaled_to_twenty_thousand_children_typed_with_a_point():
    at = app_test()
    at.radio(key="start_kind").set_value("scaled").run()
    at.text_input(key="start_children").set_value("20.000").run()
    at.button(key="use_start").click().run()
    assert at.session_state["municipality"]["population"]["aged_0_17"] == 20_000


# ---------------------------------------------------------------- state that lasts


def test_replications_and_composed_levers_last_across_pages():
    at = go(app_test(), "run")
    at.number_input(key="reps").set_value(3).run()
    go(at, "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_caseworkers").check().run()
    at.text_input(key="value_caseworkers").set_value("25").run()
    go(at, "answer")
    go(at, "run")
    assert at.number_input(key="reps").value == 3
    go(at, "policies")
    assert at.radio(key="policy_mode").value == "compose"
    assert at.checkbox(key="use_caseworkers").value is True
    assert at.text_input(key="value_caseworkers").value == "25"


def test_the_chosen_policy_stays_chosen_when_the_municipality_changes():
    at = go(app_test(), "policies")
    at.selectbox(key="shipped_policy").set_value("more-caseworkers").run()
    at.button(key="apply_shipped").click().run()
    go(at, "municipality")
    apply_settings(at, **{"caseworkers.fte": "30"})
    policy = at.session_state["policy"]
    assert policy["name"] == "more-caseworkers"
    assert policy["caseworkers"]["fte"] == 30  # laid over the new settings
    assert building.check(policy).scenario.levers  # with its lever


def test_a_refused_policy_shows_its_error_and_no_green_for_the_policy_in_use():
    at = go(app_test(), "policies")
    at.selectbox(key="shipped_policy").set_value("more-caseworkers").run()
    at.button(key="apply_shipped").click().run()
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_reviews").check().run()
    at.text_input(key="value_reviews").set_value("0").run()
    at.button(key="apply_levers").click().run()
    assert not at.success
    assert any(e.value.startswith("levers[0].value") for e in at.error), [e.value for e in at.error]
    assert at.info[-1].value == texts.t("policy_still", "da").format(name="Flere rådgivere")  # by its label


@pytest.mark.parametrize("months", ["0", "0,1"])
def test_a_review_interval_below_the_formats_range_is_refused_as_the_cli_refuses_it(months, tmp_path):
    at = go(app_test(), "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_reviews").check().run()
    at.text_input(key="value_reviews").set_value(months).run()
    at.button(key="apply_levers").click().run()
    assert at.session_state["policy"] is None
    file = tmp_path / "policy.yaml"
    file.write_text(yaml.safe_dump({"extends": str(building.AVERAGE), "name": "policy", "levers": [
        {"setting": "reviews.interval_months", "value": float(months.replace(",", ".")), "start": "2027-01-01"}]}))
    with pytest.raises(Exception) as cli:
        load_scenario(file)
    reason = next(r for w, r in cli.value.problems if w.startswith("levers[0]"))
    danish = reason_in(reason, "da")
    assert danish != reason and any(danish in e.value for e in at.error), ([e.value for e in at.error], danish)


class _Ended:
    """A run that ended without an answer (cancelled or failed), as the Run page sees it."""

    def __init__(self, question, cancelled: bool):
        self.question, self.cancelled, self.answer, self.done = question, cancelled, None, 0
        self.finished, self.error = True, None if cancelled else "RuntimeError: boom"
        self.started_at = self.finished_at = None  # as a RunJob: no times for a run that never started


def _question(cap: int | None = None) -> jobs.Question:
    """The Run page's default question for the average municipality alone: to the default precision, at most
    ``cap`` runs (default: the page's)."""
    from sim.analysis.precision import default_precision
    from sim.app import timing

    scenario = building.check(building.start_average().raw).scenario
    if cap is None:
        cap = timing.default_cap(scenario.population.aged_0_17, 1, 10, scenario.calendar.burn_in_years)
    return jobs.Question((scenario,), cap, 10, 1, precision=default_precision(cap=cap))


@pytest.mark.parametrize("cancelled", [True, False])
def test_a_cancelled_or_failed_run_keeps_the_previous_answer(cancelled):
    at = app_test()
    previous = object()
    at.session_state["answer"] = previous
    at.session_state["answer_question"] = _question()
    at.session_state["job"] = _Ended(_question(30), cancelled)
    go(at, "run")
    assert at.session_state["answer"] is previous
    said = (at.warning if cancelled else at.error)[0].value
    assert said.startswith(texts.t("cancelled_kept" if cancelled else "failed_kept", "da").split(";")[0])
    assert "det forrige svar er bevaret" in said


def test_an_answer_to_an_earlier_question_is_marked_stale_with_what_changed():
    at = app_test()
    at.session_state["answer"] = object()
    at.session_state["answer_question"] = _question()
    go(at, "run")
    assert not at.warning  # the same question: not stale
    at.number_input(key="reps").set_value(3).run()
    assert "antal kørsler" in at.warning[0].value and "tidligere spørgsmål" in at.warning[0].value
    at.number_input(key="reps").set_value(_question().replications).run()
    go(at, "municipality")
    apply_settings(at, **{"caseworkers.fte": "30"})
    go(at, "run")
    assert "kommunen eller politikken" in at.warning[0].value


def test_compare_the_chosen_uses_the_run_pages_replications(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(jobs, "ask", lambda question: (asked.append(question), (None, None))[1])
    for name in ("a", "b"):
        building.save_scenario(load_scenario(building.AVERAGE), tmp_path, name)
    at = go(app_test(), "run")
    at.number_input(key="reps").set_value(3).run()
    go(at, "saved")
    at.text_input(key="folder").set_value(str(tmp_path)).run()
    at.multiselect(key="saved_chosen").select("a").select("b").run()
    at.button(key="compare").click().run()
    assert [q.replications for q in asked] == [3]
    assert any("3 kørsler" in c.value for c in at.caption)


# ---------------------------------------------------------------- saved scenarios


def test_a_saved_name_may_have_danish_letters_and_the_file_keeps_its_sources(tmp_path):
    at = go(app_test(), "saved")
    at.text_input(key="folder").set_value(str(tmp_path)).run()
    at.text_input(key="save_name").set_value("børnehus-å").run()
    at.button(key="save").click().run()
    file = tmp_path / "børnehus-å.yaml"
    assert load_scenario(file).name == "børnehus-å"
    text = file.read_text(encoding="utf-8")
    assert "cost_per_fte_dkk: 550000.0  # facts: cost_caseworker_fte_with_overhead" in text
    # read back, the comments give the numbers their sources again
    assert building.sources_of(file)[COST].startswith("facts: cost_caseworker_fte_with_overhead")


def test_a_changed_number_is_saved_with_the_app_as_its_source(tmp_path):
    at = apply_settings(app_test(), **{COST: "600.000"})
    go(at, "saved")
    at.text_input(key="folder").set_value(str(tmp_path)).run()
    at.text_input(key="save_name").set_value("vores").run()
    at.button(key="save").click().run()
    line = next(x for x in (tmp_path / "vores.yaml").read_text().splitlines() if "cost_per_fte_dkk" in x)
    assert "600000.0  # entered in the app (before: facts: cost_caseworker_fte_with_overhead" in line


def test_scenarios_are_saved_outside_the_code_checkout_by_default():
    assert building.PROJECT not in building.USER_FOLDER.parents
    at = go(app_test(), "saved")
    assert at.text_input(key="folder").value == str(building.USER_FOLDER)
    assert any(str(building.USER_FOLDER) in c.value for c in at.caption)


def test_a_lever_date_and_its_typed_cost_last_across_pages():
    at = go(app_test(), "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_caseworkers").check().run()
    at.text_input(key="oneoff_caseworkers").set_value("250.000").run()
    at.date_input(key="start_caseworkers").set_value(dt.date(2028, 1, 1)).run()
    go(at, "run")
    go(at, "policies")
    at.button(key="apply_levers").click().run()
    lever = at.session_state["policy"]["levers"][0]
    assert lever["one_off_dkk"] == 250_000 and lever["start"] == "2028-01-01"


def test_a_finished_run_says_done_only_while_its_question_is_the_current_one():
    at = app_test()
    job = _Ended(_question(), cancelled=False)
    job.answer, job.error = object(), None
    at.session_state["job"] = job
    go(at, "run")
    assert [s.value for s in at.success] == [texts.t("done", "da")]
    assert at.session_state["answer"] is job.answer
    at.number_input(key="reps").set_value(3).run()
    assert not at.success  # no "Færdig" for an earlier question
    assert "antal kørsler" in at.warning[0].value
