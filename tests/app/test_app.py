"""The app's page logic, without a browser: Streamlit's AppTest drives the pages' script, and the plain
functions under it are checked against the CLI and the scenario files (the browser test is test_app_browser.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from app_pages import app_test, go
from typer.testing import CliRunner

from sim.app import building, jobs
from sim.app.server import streamlit_command
from sim.cli import app as cli
from sim.data.register import read_case_register
from sim.errors import InputError
from sim.model.scenario import load_scenario, reason_in, scenario_to_yaml

SCENARIOS = building.SCENARIOS
REGISTER = building.PROJECT / "calibration" / "example_case_register.csv"


def small_start() -> building.Start:
    return building.start_scaled(2500)


# ---------------------------------------------------------------- Kommune / Municipality


def test_every_page_renders_in_danish_by_default_and_in_english_on_the_switch():
    at = app_test()
    danish = []
    for page in ("municipality", "policies", "run", "answer", "forecast", "saved"):
        danish.append(go(at, page).title[0].value)
    assert danish == ["Kommune", "Politik", "Kør", "Svar", "Prognose fra dagens sager", "Gemte scenarier"]
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == "Saved scenarios"
    go(at, "municipality")
    assert at.title[0].value == "Municipality"
    assert "Children aged 0-17" in [n.label for n in at.text_input]


def test_each_setting_shows_its_source_from_the_scenario_file_and_the_facts():
    at = app_test()
    captions = [c.value for c in at.caption]
    # foster care's price: its public source, whole and in the page's language (Danish)
    price = next(c for c in captions if "plejefamilie" in c)
    assert "Benchmarkingenheden" in price and "470.000 kr." in price
    assert len(captions) == len(building.settings_of(building.start_average().raw))


def test_comments_of_reads_key_paths_and_list_items_by_id():
    text = (
        "population:\n  aged_0_17: 11700   # facts: population_0_17_derived\n"
        "staircase:\n  - id: early\n    price_per_year_dkk: 40000  # assumption: a course\n"
        "  - id: foster_family\n    label_en: 'Foster # family'\n    price_per_year_dkk: 470000 # facts: x\n"
        "name: 'a # b'\n"
    )
    assert building.comments_of(text) == {
        "population.aged_0_17": "facts: population_0_17_derived",
        "staircase.early.price_per_year_dkk": "assumption: a course",
        "staircase.foster_family.price_per_year_dkk": "facts: x",
    }


def test_denmark_scaled_keeps_rates_and_caseload_per_child():
    start = building.start_scaled(5850)  # half the average municipality
    scenario = building.check(start.raw).scenario
    average = load_scenario(SCENARIOS / "baseline.yaml")
    assert scenario.population.aged_0_17 == 5850
    assert scenario.caseworkers.fte == pytest.approx(average.caseworkers.fte / 2, rel=0.02)
    assert scenario.notifications.per_1000_aged_0_17 == average.notifications.per_1000_aged_0_17
    assert "denmark.yaml" in start.sources["caseworkers.fte"]


def test_a_bad_value_gets_the_cli_message_next_to_its_field(tmp_path, monkeypatch):
    at = app_test()
    price = "staircase.foster_family.price_per_year_dkk"
    at.text_input(key=f"muni_{price}_0").set_value("-5.0")
    at.button[1].click().run()  # the form's submit button (the first is "use this starting point")
    assert not at.exception, at.exception
    shown = [e.value for e in at.error]
    # the CLI on the same scenario written as a file
    edited = building.with_settings(building.start_average().raw, {price: -5.0})
    (tmp_path / "baseline.yaml").write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "baseline.yaml"])
    assert result.exit_code == 2
    cli_line = next(line for line in result.output.splitlines() if "price_per_year_dkk" in line)
    # the same key and reason, the reason in the page's language (Danish) and without a file the user never made
    cli_file, cli_key, cli_reason = cli_line.split(": ", 2)
    assert Path(cli_file).name == "baseline.yaml"
    assert f"{cli_key}: {reason_in(cli_reason, 'da')}" in shown, (cli_line, shown)
    assert reason_in(cli_reason, "da") != cli_reason
    assert not any(".yaml" in line for line in shown), shown
    # the page keeps the last valid scenario
    assert at.session_state["municipality"]["staircase"][4]["price_per_year_dkk"] == 470000


def test_a_broken_scenario_file_as_starting_point_gets_the_cli_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: %s\nname: bad\nreviews:\n  interval_months: -1\n" % (SCENARIOS / "baseline.yaml"))
    at = app_test()
    at.radio(key="start_kind").set_value("file").run()
    at.text_input(key="start_path").set_value(str(bad)).run()
    at.button(key="use_start").click().run()
    assert not at.exception
    assert any("reviews.interval_months" in e.value and str(bad) in e.value for e in at.error), at.error


# ---------------------------------------------------------------- Politik / Policies


def test_levers_composed_on_the_page_give_the_scenario_of_the_equivalent_yaml(tmp_path):
    at = go(app_test(), "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.text_input(key="policy_name").set_value("more-and-sooner").run()
    at.checkbox(key="use_caseworkers").check().run()
    at.checkbox(key="use_reviews").check().run()
    at.text_input(key="value_caseworkers").set_value("25.0")
    at.text_input(key="ramp_caseworkers").set_value("3.0")
    at.text_input(key="oneoff_caseworkers").set_value("250000.0")
    at.text_input(key="value_reviews").set_value("3.0")
    at.date_input(key="start_reviews").set_value(dt.date(2027, 7, 1))
    at.button(key="apply_levers").click().run()
    assert not at.exception and not at.error, at.error
    from_page = building.check(at.session_state["policy"]).scenario

    equivalent = tmp_path / "more-and-sooner.yaml"
    equivalent.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\n"
        "name: more-and-sooner\n"
        "levers:\n"
        "  - {setting: caseworkers.fte, value: 25, start: 2027-01-01, ramp_months: 3, label: caseworkers,"
        " one_off_dkk: 250000}\n"
        "  - {setting: reviews.interval_months, value: 3, start: 2027-07-01, label: reviews}\n"
    )
    assert from_page == load_scenario(equivalent)


def test_a_bad_lever_gets_the_cli_message_next_to_it():
    at = go(app_test(), "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_kinship").check().run()
    at.text_input(key="value_kinship").set_value("1.5")
    at.button(key="apply_levers").click().run()
    assert not at.exception
    assert at.session_state["policy"] is None
    assert any(e.value.startswith("levers[0]") and "mellem 0 og 1" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_the_policies_page_shows_what_each_lever_does_to_this_municipality():
    """Denmark scaled to 20,000 children has 34.2 FTEs: more-caseworkers shows +5 from them, in Danish numbers
    (and in English on the switch), before and after it is applied."""
    at = app_test()
    at.radio(key="start_kind").set_value("scaled").run()
    at.text_input(key="start_children").set_value("20000").run()
    at.button(key="use_start").click().run()
    go(at, "policies")
    at.selectbox(key="shipped_policy").set_value("more-caseworkers").run()
    assert not at.exception, at.exception
    line = "34,2 → 39,2 rådgivere (årsværk) (+5), fra 1. januar 2027"
    assert any(line in m.value for m in at.markdown), [m.value for m in at.markdown]
    at.button(key="apply_shipped").click().run()
    assert at.session_state["policy"]["name"] == "more-caseworkers"
    at.session_state["lang"] = "en"
    at.run()
    assert any("34.2 → 39.2 caseworkers (FTEs) (+5), from 1 January 2027" in m.value for m in at.markdown)


def test_a_lever_composed_by_an_amount_is_the_yaml_with_by(tmp_path):
    at = go(app_test(), "policies")
    at.radio(key="policy_mode").set_value("compose").run()
    at.checkbox(key="use_caseworkers").check().run()
    at.radio(key="change_caseworkers").set_value("by").run()
    at.text_input(key="by_caseworkers").set_value("-3.0")
    at.button(key="apply_levers").click().run()
    assert not at.exception and not at.error, at.error
    assert at.session_state["policy"]["levers"][0]["by"] == -3.0
    assert any("20 → 17 rådgivere (årsværk) (−3), fra 1. januar 2027" in m.value for m in at.markdown), \
        [m.value for m in at.markdown]


def test_a_shipped_policy_over_the_average_municipality_is_the_shipped_file():
    for name, path in building.shipped_policies().items():
        raw = building.with_policy(building.start_average().raw, path)
        assert building.check(raw).scenario == load_scenario(path), name


def test_every_lever_offered_is_a_lever_the_model_knows_and_explained_in_both_languages():
    from sim.app.texts import LEVER_TEXT
    from sim.model.levers import lever_setting

    steps = building.step_ids(building.start_average().raw)
    for option in building.LEVER_OPTIONS:
        assert lever_setting(option.setting.format(step=steps[0]), steps) is not None, option
        assert all(LEVER_TEXT[option.key]) and all(LEVER_TEXT[option.key + "_help"])


# ---------------------------------------------------------------- Kør / Run


@pytest.mark.slow
def test_a_repeated_run_is_answered_from_the_cache_and_the_downloaded_yaml_runs_unchanged(tmp_path):
    jobs.CACHE.clear()
    at = app_test()
    at.radio(key="start_kind").set_value("scaled").run()
    at.text_input(key="start_children").set_value("2500").run()
    at.button(key="use_start").click().run()
    go(at, "run")
    at.number_input(key="reps").set_value(2)
    at.number_input(key="years").set_value(2)
    at.number_input(key="seed").set_value(5)
    at.button(key="run").click().run()
    job = at.session_state["job"]
    assert job is not None
    job.wait(timeout=600)
    assert job.answer is not None, job.error
    at.run()
    assert any(s.value == "Færdig: se siden Svar." for s in at.success), at.success

    at.button(key="run").click().run()
    assert at.session_state["job"] is None  # nothing started
    assert any(s.value.startswith("Besvaret med det samme") for s in at.success), at.success

    go(at, "answer")
    assert not at.exception
    assert at.markdown[0].value.startswith("### Fremskrivning af Jeres kommune")  # its Danish label
    assert any("Beløb er i 2025-priser" in c.value for c in at.caption), [c.value for c in at.caption]
    scenario_yaml = scenario_to_yaml(job.answer.results[0].scenario)
    path = tmp_path / "municipality.yaml"
    path.write_text(scenario_yaml, encoding="utf-8")
    assert load_scenario(path) == job.answer.results[0].scenario


def test_a_failed_run_leaves_nothing_in_the_cache():
    scenario = building.check(small_start().raw).scenario
    question = jobs.Question((scenario, scenario), 1, 1, workers=1)  # two scenarios with one name: refused
    cache = jobs.AnswerCache()
    hit, job = jobs.ask(question, cache)
    assert hit is None
    job.wait(timeout=120)
    assert job.answer is None and "same name" in job.error
    assert len(cache) == 0
    hit, again = jobs.ask(question, cache)
    assert hit is None and again is not None  # asked again: run again, not a cached failure
    again.cancel()


def test_a_cancelled_run_ends_its_processes_and_leaves_nothing_in_the_cache():
    scenario = building.check(building.start_average().raw).scenario
    cache = jobs.AnswerCache()
    _, job = jobs.ask(jobs.Question((scenario,), 50, 10, workers=1), cache)
    job.cancel()
    assert job.cancelled and job.finished
    assert not job._process.is_alive()
    assert len(cache) == 0


def test_the_cache_key_is_the_scenario_seed_replications_and_years():
    scenario = building.check(small_start().raw).scenario
    other = building.check(building.with_settings(small_start().raw, {"caseworkers.fte": 9.0})).scenario
    q = jobs.Question((scenario,), 4, 2, seed=1)
    assert q.key() == jobs.Question((scenario,), 4, 2, seed=1).key()
    for different in (jobs.Question((other,), 4, 2, seed=1), jobs.Question((scenario,), 4, 2, seed=2),
                      jobs.Question((scenario,), 5, 2, seed=1), jobs.Question((scenario,), 4, 3, seed=1),
                      jobs.Question((scenario,), 4, 2, seed=1, fixed_assumptions=True)):
        assert different.key() != q.key()


def test_a_comparison_answer_says_what_it_rests_on_and_fixed_assumptions_say_noise_only():
    from sim.app import answer as answers

    base = building.check(small_start().raw).scenario
    policy = building.check(building.with_settings(small_start().raw, {"caseworkers.fte": 9.0})).scenario
    policy = policy.model_copy(update={"name": "policy"})
    drawn = jobs.answer(jobs.Question((base, policy), 4, 1, seed=2, workers=1))  # what it says, not how much
    assert drawn.economics["assumptions_drawn"].all()
    assert set(drawn.assumption_effects["scenario"]) == {"policy"}
    tables = answers.rests_on(drawn, "da")
    # by its label; it kept the municipality's, so its name tells them apart
    assert tables and tables[0][0] == "Jeres kommune (policy)" and "Evidens" in tables[0][1].columns
    assert answers.held_note(drawn, "da") == ""  # everything listed was drawn
    own_price = building.check(building.with_settings(small_start().raw, {
        "staircase.kinship_care.price_per_year_dkk": 400000.0})).scenario  # the municipality's own, outside the range
    held = jobs.answer(jobs.Question((own_price,), 2, 1, seed=2, workers=1))
    assert "netværkspleje" in answers.held_note(held, "da")
    fixed = jobs.answer(jobs.Question((base, policy), 4, 1, seed=2, workers=1, fixed_assumptions=True))
    assert answers.rests_on(fixed, "da") == []
    assert any("--fixed-assumptions" in s for s in answers.lead(fixed, "en"))


# ---------------------------------------------------------------- Forecast from today's cases


def test_a_register_with_cpr_like_ids_gets_the_cli_advice_and_is_read_in_memory(tmp_path):
    from sim.data.register import read_case_register_bytes

    text = REGISTER.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    header, first = rows[0], rows[1].split(",", 1)[1]
    cpr = f"{header}\n010203-1234,{first}\n".encode()
    steps = building.step_ids(building.start_average().raw)
    as_of = dt.date(2026, 9, 30)
    with pytest.raises(InputError) as from_memory:
        read_case_register_bytes(cpr, "register.csv", as_of, steps)
    on_disk = tmp_path / "register.csv"
    on_disk.write_bytes(cpr)
    with pytest.raises(InputError) as from_file:
        read_case_register(on_disk, as_of, steps)
    assert str(from_memory.value) == str(from_file.value).replace(str(on_disk), "register.csv")
    assert "--pseudonymise" in str(from_memory.value) and "010203" not in str(from_memory.value)
    assert len(read_case_register_bytes(cpr, "register.csv", as_of, steps, pseudonymise=True)) == 1


# ---------------------------------------------------------------- Saved scenarios


def test_saved_scenarios_are_saved_loaded_and_duplicated_as_yaml_files(tmp_path):
    folder = tmp_path / "my"
    at = go(app_test(), "saved")
    at.text_input(key="folder").set_value(str(folder)).run()
    at.text_input(key="save_name").set_value("our-town").run()
    at.button(key="save").click().run()
    assert (folder / "our-town.yaml").exists()
    saved = load_scenario(folder / "our-town.yaml")
    assert saved.name == "our-town"
    shipped = load_scenario(SCENARIOS / "baseline.yaml")
    assert saved.label is None  # a new name: the shipped label and description said what the old one was
    assert saved.model_copy(update={"name": "baseline", "label": shipped.label,
                                    "description": shipped.description}) == shipped

    at.multiselect(key="saved_chosen").select("our-town").run()
    at.text_input(key="copy_name").set_value("our-town-2").run()
    at.button(key="duplicate").click().run()
    assert load_scenario(folder / "our-town-2.yaml").name == "our-town-2"
    at.button(key="load").click().run()
    assert at.session_state["municipality"]["name"] == "our-town"
    at.text_input(key="save_name").set_value("no spaces allowed").run()
    at.button(key="save").click().run()
    assert not (folder / "no spaces allowed.yaml").exists() and at.error


# ---------------------------------------------------------------- boernesim app


def test_the_app_listens_on_this_computer_only_and_sends_no_usage_statistics():
    command = streamlit_command(8765, open_browser=False)
    assert "--server.address=127.0.0.1" in command
    assert "--browser.gatherUsageStats=false" in command
    assert "--server.headless=true" in command
    assert "--server.headless=false" in streamlit_command(8765, open_browser=True)
    result = CliRunner().invoke(cli, ["app", "--help"])
    assert result.exit_code == 0 and "--no-browser" in result.output and "--port" in result.output
    assert CliRunner().invoke(cli, ["app", "--port", "0"]).exit_code == 2


@pytest.mark.slow
def test_a_forecast_from_an_uploaded_register_gives_the_year_end_and_the_overrun_probability():
    from sim.data.register import read_case_register_bytes

    raw = building.with_settings(small_start().raw, {"budget_dkk.2027": 1.0})  # a budget every run overruns
    raw["budget_dkk"][2026] = 1.0
    scenario = building.check(raw).scenario
    as_of = dt.date(2026, 9, 30)
    cases = read_case_register_bytes(REGISTER.read_bytes(), "register.csv", as_of, [s.id for s in scenario.staircase])
    result = jobs.answer(jobs.Question((scenario,), 2, 1, seed=3, workers=1, cases=tuple(cases), as_of=as_of))
    total = result.forecast[result.forecast["account_function"] == "total"].iloc[0]
    assert total["budget_year"] == 2026
    assert total["expected_dkk"] > 0 and total["p05_dkk"] <= total["expected_dkk"] <= total["p95_dkk"]
    assert total["overrun_prob"] == 1.0
    assert set(result.files) == {"en", "da"} and all(f["results.xlsx"] for f in result.files.values())


def test_a_broken_saved_file_gets_the_cli_message_and_the_page_stays_up(tmp_path):
    folder = tmp_path / "my"
    folder.mkdir()
    (folder / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    at = go(app_test(), "saved")
    at.text_input(key="folder").set_value(str(folder)).run()
    at.multiselect(key="saved_chosen").select("broken").run()
    at.button(key="load").click().run()
    assert not at.exception
    assert any("broken.yaml" in e.value and "not valid YAML" in e.value for e in at.error), at.error
    assert at.session_state["municipality"]["name"] == "baseline"  # the scenario in use is unchanged
