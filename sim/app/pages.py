"""The app's pages: thin Streamlit code around the plain functions of ``building``, ``jobs`` and ``answer``.

State lives in ``st.session_state``: the language, the municipality's scenario mapping (``municipality``),
the policy's (``policy``), the running job and the last complete answer. Every message from the library is
shown as the CLI would print it, next to the field it is about; nothing raised reaches the page's top.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException, StopException

from sim.app import answer as answers
from sim.app import building, jobs
from sim.app.texts import t
from sim.data.register import read_case_register_bytes
from sim.errors import InputError, ScenarioError
from sim.model.scenario import load_scenario
from sim.outputs.labels import format_number, format_percent, metric_label

PAGES = ("municipality", "policies", "run", "answer", "forecast", "saved")
DEFAULT_FOLDER = building.SCENARIOS / "my"
POLL_SECONDS = 0.5


def lang() -> str:
    return st.session_state.get("lang", "da")


def _init_state() -> None:
    ss = st.session_state
    if "municipality" not in ss:
        start = building.start_average()
        ss.start = start
        ss.municipality = start.raw
    ss.setdefault("policy", None)
    ss.setdefault("job", None)
    ss.setdefault("answer", None)
    ss.setdefault("forecast_job", None)
    ss.setdefault("forecast_answer", None)


def main() -> None:
    st.set_page_config(page_title="boernesim", layout="wide")
    _init_state()
    st.sidebar.radio("Sprog / Language", ("da", "en"), key="lang",
                     format_func=lambda x: {"da": "Dansk", "en": "English"}[x], horizontal=True)
    # one page radio per language (its labels are fixed when it is made); the page chosen survives a switch
    L = lang()
    current = st.session_state.get("page", PAGES[0])
    page = st.sidebar.radio(t("page", L), PAGES, index=PAGES.index(current), key=f"page_{L}",
                            format_func=lambda p: t(f"page_{p}", L))
    st.session_state.page = page
    st.title(t(f"page_{page}", lang()))
    draw = {"municipality": municipality_page, "policies": policies_page, "run": run_page, "answer": answer_page,
            "forecast": forecast_page, "saved": saved_page}[page]
    try:
        draw()
    except InputError as e:
        st.error(str(e))  # as the CLI says it
    except (RerunException, StopException):
        raise  # Streamlit's own control flow
    except Exception as e:  # noqa: BLE001 - the page stays up and says what went wrong
        st.error(f"{type(e).__name__}: {e}")


def _errors(lines: list[str]) -> None:
    for line in lines:
        st.error(line)


# ---------------------------------------------------------------- Kommune / Municipality


def municipality_page() -> None:
    L = lang()
    kind = st.radio(t("start_from", L), ("average", "scaled", "file"), key="start_kind",
                    format_func=lambda k: t(f"start_{k}", L), horizontal=True)
    children = st.number_input(t("children_0_17", L), value=11700, step=100, key="start_children") \
        if kind == "scaled" else None
    path = st.text_input(t("file_path", L), key="start_path") if kind == "file" else None
    if st.button(t("use_start", L), key="use_start"):
        _use_start(kind, children, path)
    _settings_form(L)


def _use_start(kind: str, children, path) -> None:
    try:
        if kind == "average":
            start = building.start_average()
        elif kind == "scaled":
            if not children or children <= 0:
                raise InputError(f"{t('children_0_17', lang())}: must be above 0")
            start = building.start_scaled(int(children), lang())
        else:
            start = building.start_file(path or "")
    except InputError as e:
        st.error(str(e))
        return
    st.session_state.start = start
    st.session_state.municipality = start.raw
    st.session_state.policy = None
    st.session_state.pop("municipality_problems", None)
    st.session_state.form_version = st.session_state.get("form_version", 0) + 1  # fresh fields


def _field_label(path: str, raw: dict, L: str) -> str:
    if path.startswith("staircase."):
        step = path.split(".")[1]
        label = next(s[f"label_{L}"] for s in raw["staircase"] if s["id"] == step)
        return t("price", L).format(step=label, base_year=raw["calendar"]["base_year"])
    if path.startswith("budget_dkk."):
        cal = raw["calendar"]
        price_year = cal.get("price_year") or cal["base_year"]
        return t("budget_year", L).format(year=path.split(".")[1], price_year=price_year)
    return t(path, L)


def _settings_form(L: str) -> None:
    ss = st.session_state
    raw, start = ss.municipality, ss.start
    facts = building.read_facts()
    version = ss.get("form_version", 0)
    st.subheader(t("settings", L))
    with st.form(f"municipality_form_{version}"):
        name = st.text_input(t("scenario_name", L), value=raw["name"], key=f"muni_name_{version}")
        name_slot = st.empty()
        values, slots = {}, {}
        for path, value in building.settings_of(raw).items():
            values[path] = st.number_input(_field_label(path, raw, L), value=float(value), format="%g",
                                           key=f"muni_{path}_{version}")
            shown = building.source_shown(start, path, facts, L) or t("no_source", L)
            st.caption(f"{t('source', L)}: " + shown.replace("\n", "  \n"))
            slots[path] = st.empty()
        submitted = st.form_submit_button(t("apply", L))
    if submitted:
        edited = building.with_settings(raw, values, name=name)
        checked = building.check(edited)
        ss.municipality_problems = (edited, checked)
        if checked.scenario is not None:
            ss.municipality = edited
            ss.policy = None
    edited, checked = ss.get("municipality_problems", (None, None))
    if checked is None:
        return
    if checked.scenario is not None:
        st.success(t("applied", L))
        return
    st.error(t("invalid", L))
    shown = set()
    for path, slot in slots.items():
        lines = building.problems_at(edited, path, checked.problems, building.file_name(edited), L)
        shown.update(lines)
        if lines:
            with slot.container():
                _errors(lines)
    with name_slot.container():
        _errors([line for line in building.problem_lines(checked.problems, L) if line not in shown])


# ---------------------------------------------------------------- Politik / Policies


def policies_page() -> None:
    L = lang()
    mode = st.radio(t("policy_mode", L), ("shipped", "compose"), key="policy_mode",
                    format_func=lambda m: t(f"policy_{m}", L), horizontal=True)
    if mode == "shipped":
        _shipped_policy(L)
    else:
        _composed_policy(L)
    policy = st.session_state.policy
    if policy is not None:
        st.success(t("policy_ready", L).format(name=policy["name"], n=len(policy.get("levers", []))))
        if mode == "compose":
            _lever_effects(policy, L)


def _lever_effects(raw: dict, L: str) -> None:
    """What each lever does to this municipality: before -> after, in the page's language."""
    lines = building.lever_effect_lines(raw, L)
    if lines:
        st.markdown(f"**{t('lever_effects_here', L)}**\n\n" + "\n".join(f"- {line}" for line in lines))


def _shipped_policy(L: str) -> None:
    shipped = building.shipped_policies()
    name = st.selectbox(t("shipped", L), list(shipped), key="shipped_policy")
    st.write(building.policy_description(shipped[name], L))
    caveats = building.policy_caveats(shipped[name], L)
    if caveats:
        st.caption(f"{t('caveats', L)}: " + " ".join(caveats))
    _lever_effects(building.with_policy(st.session_state.municipality, shipped[name]), L)  # before Apply too
    if st.button(t("apply", L), key="apply_shipped"):
        raw = building.with_policy(st.session_state.municipality, shipped[name])
        checked = building.check(raw)
        if checked.scenario is None:
            _errors(building.problem_lines(checked.problems, L))
        else:
            st.session_state.policy = raw


def _lever_inputs(option: building.LeverOption, raw: dict, L: str) -> building.LeverChoice | None:
    """One lever's inputs; the choice, or None when the lever is not used."""
    st.markdown(f"**{t(option.key, L)}**")
    st.caption(t(option.key + "_help", L))
    if not st.checkbox(t("use_lever", L), key=f"use_{option.key}"):
        return None
    step = None
    if option.on_step:
        step = st.selectbox(t("step", L), building.step_ids(raw), key=f"step_{option.key}",
                            format_func=lambda s: next(x[f"label_{L}"] for x in raw["staircase"] if x["id"] == s))
    first = dt.date(raw["calendar"]["start_year"], 1, 1)
    change = st.radio(t("lever_change", L), ("value", "by", "times"), key=f"change_{option.key}", horizontal=True,
                      format_func=lambda c: t(f"change_{c}", L))
    cols = st.columns(5)
    default = {"value": building.current_value(raw, option, step), "by": 0.0, "times": 1.0}[change]
    value = cols[0].number_input(t(f"new_{change}", L), value=default, step=option.step if change != "times" else 0.05,
                                 format="%g", key=f"{change}_{option.key}")
    start = cols[1].date_input(t("start_date", L), value=first, key=f"start_{option.key}")
    ramp = cols[2].number_input(t("ramp", L), value=0.0, step=1.0, format="%g", key=f"ramp_{option.key}")
    one_off = cols[3].number_input(t("one_off", L), value=0.0, step=10000.0, format="%g", key=f"oneoff_{option.key}")
    per_year = cols[4].number_input(t("per_year", L), value=0.0, step=10000.0, format="%g",
                                    key=f"peryear_{option.key}")
    return building.LeverChoice(option.key, value, start, ramp, one_off, per_year, step, change)


def _composed_policy(L: str) -> None:
    raw = st.session_state.municipality
    name = st.text_input(t("scenario_name", L), value=building.default_name("policy", L), key="policy_name")
    choices, slots = [], []
    for option in building.LEVER_OPTIONS:
        choice = _lever_inputs(option, raw, L)
        if choice is not None:
            choices.append(choice)
            slots.append(st.empty())
    if st.button(t("apply", L), key="apply_levers"):
        composed = building.composed(raw, choices, name)
        checked = building.check(composed)
        if checked.scenario is not None:
            st.session_state.policy = composed
            return
        first = len(raw.get("levers", []))
        shown = set()
        for i, slot in enumerate(slots):
            lever = f"levers[{first + i}]"
            lines = [building.problem_line(w, r, L) for w, r in checked.problems if w.startswith(lever)]
            shown.update(lines)
            with slot.container():
                _errors(lines)
        _errors([line for line in building.problem_lines(checked.problems, L) if line not in shown])


# ---------------------------------------------------------------- Kør / Run


def _scenarios_to_run() -> list:
    """The municipality, and the policy compared with it when there is one."""
    ss = st.session_state
    out = [building.check(ss.municipality).scenario]
    if ss.policy is not None:
        out.append(building.check(ss.policy).scenario)
    return out


def run_page() -> None:
    L = lang()
    ss = st.session_state
    scenarios = _scenarios_to_run()
    if len(scenarios) > 1:
        st.write(t("compared", L).format(alt=scenarios[1].name, base=scenarios[0].name))
    else:
        st.info(t("no_policy", L))
    cols = st.columns(3)
    reps = cols[0].number_input(t("replications", L), min_value=1, value=20, step=1, key="reps")
    years = cols[1].number_input(t("years", L), min_value=1, value=10, step=1, key="years")
    seed = cols[2].number_input(t("seed", L), min_value=0, value=1, step=1, key="seed")
    fixed = st.checkbox(t("fixed_assumptions", L), key="fixed_assumptions", help=t("fixed_assumptions_help", L))
    running = ss.job is not None and not ss.job.finished
    if st.button(t("run", L), key="run", disabled=running):
        question = jobs.Question(tuple(scenarios), int(reps), int(years), int(seed), fixed_assumptions=bool(fixed))
        start_question(question, "job", "answer")
    _job_status("job", "answer")


def start_question(question: jobs.Question, job_key: str, answer_key: str) -> None:
    hit, job = jobs.ask(question)
    st.session_state[job_key] = job
    if hit is not None:
        st.session_state[answer_key] = hit
        st.session_state[job_key + "_cached"] = True
    else:
        st.session_state[answer_key] = None
        st.session_state[job_key + "_cached"] = False


def _job_status(job_key: str, answer_key: str) -> None:
    L = lang()
    ss = st.session_state
    if ss.get(job_key + "_cached") and ss.get(answer_key) is not None:
        st.success(t("from_cache", L))
        return
    job = ss.get(job_key)
    if job is None:
        return
    if not job.finished:
        _progress_fragment(job_key, answer_key)
        return
    _finished(job, answer_key)


def _finished(job: jobs.RunJob, answer_key: str) -> None:
    L = lang()
    if job.answer is not None:
        st.session_state[answer_key] = job.answer
        st.success(t("done", L))
    elif job.cancelled:
        st.warning(t("cancelled", L))
    else:
        st.error(t("failed", L).format(error=job.error))


@st.fragment(run_every=POLL_SECONDS)
def _progress_fragment(job_key: str, answer_key: str) -> None:
    """Redrawn every half second while the worker runs; the rest of the page stays as it is."""
    L = lang()
    job = st.session_state.get(job_key)
    if job is None:
        return
    job.poll()
    total = job.question.total
    st.progress(min(job.done / total, 1.0), text=t("running", L).format(done=job.done, total=total))
    if st.button(t("cancel", L), key=f"cancel_{job_key}"):
        job.cancel()
    if job.finished:
        st.rerun()  # the whole page: the answer is ready (or the run ended)


# ---------------------------------------------------------------- Svar / Answer


def answer_page() -> None:
    L = lang()
    result = st.session_state.answer
    if result is None:
        st.info(t("no_answer", L))
        return
    for sentence in answers.lead(result, L):
        st.markdown(f"### {sentence}")
    st.caption(answers.prices(result, L))
    chosen = st.multiselect(t("fan_metrics", L), answers.metric_choices(result),
                            default=list(answers.metric_choices(result)[:3]), key="fan_metrics",
                            format_func=lambda m: metric_label(m, L, result.results[0].scenario))
    for metric in chosen:
        st.altair_chart(answers.fan_chart(result, metric, L), use_container_width=True)
    case = answers.investment_case(result, L)
    if case is not None:
        st.subheader(t("investment_case", L))
        st.table(case)
    rests = answers.rests_on(result, L)
    if rests:
        st.subheader(t("rests_on", L))
        for name, table in rests:
            st.markdown(f"**{name}**")
            st.table(table)
    held = answers.held_note(result, L)
    if held:
        st.caption(held)
    st.subheader(t("staircase", L))
    st.altair_chart(answers.staircase_chart(result, L))
    waterfall = answers.waterfall_frame(result, L)
    if waterfall is not None:
        st.subheader(t("waterfall", L))
        st.altair_chart(answers.waterfall_chart(waterfall, L), use_container_width=True)
    _downloads(result, L)


def _downloads(result: jobs.Answer, L: str) -> None:
    files = result.files[L]
    cols = st.columns(3)
    cols[0].download_button(t("download_report", L), files["report.html"], "report.html", "text/html",
                            key="dl_report")
    cols[1].download_button(t("download_xlsx", L), files["results.xlsx"], "results.xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx")
    yamls = answers.yaml_files(result)
    name, text = list(yamls.items())[-1]  # the policy's (the municipality's alone when there is none)
    cols[2].download_button(t("download_yaml", L), text, name, "application/x-yaml", key="dl_yaml")


# ---------------------------------------------------------------- Forecast from today's cases


def forecast_page() -> None:
    L = lang()
    ss = st.session_state
    scenario = building.check(ss.municipality).scenario
    upload = st.file_uploader(t("register", L), type=["csv"], key="register")
    register_slot = st.empty()
    as_of = st.date_input(t("as_of", L), value=dt.date(scenario.calendar.start_year - 1, 9, 30), key="as_of")
    pseudonymise = st.checkbox(t("pseudonymise", L), key="pseudonymise")
    cols = st.columns(3)
    spent = cols[0].number_input(t("spent_to_date", L), min_value=0.0, value=0.0, step=100000.0, format="%g",
                                 key="spent")
    reps = cols[1].number_input(t("replications", L), min_value=1, value=20, step=1, key="forecast_reps")
    seed = cols[2].number_input(t("seed", L), min_value=0, value=1, step=1, key="forecast_seed")
    if st.button(t("forecast", L), key="run_forecast") and upload is not None:
        try:
            # the upload stays in memory: read from its bytes, never saved
            cases = read_case_register_bytes(upload.getvalue(), upload.name, as_of,
                                             [s.id for s in scenario.staircase], pseudonymise=pseudonymise)
        except InputError as e:
            ss.register_error = str(e)
            ss.forecast_answer = None
            ss.forecast_job = None
        else:
            ss.register_error = None
            # the year-end forecast needs the years up to the register's: no more (as_of_scenario starts there)
            years = max(1, as_of.year - scenario.calendar.start_year + 1)
            question = jobs.Question((scenario,), int(reps), years, int(seed), cases=tuple(cases), as_of=as_of,
                                     spent_to_date=spent or None)
            start_question(question, "forecast_job", "forecast_answer")
            register_slot.success(t("register_ok", L).format(n=len(cases)))
    if ss.get("register_error"):
        register_slot.error(ss.register_error)
        return
    _job_status("forecast_job", "forecast_answer")
    if ss.forecast_answer is not None:
        _forecast_table(ss.forecast_answer, L)


def _forecast_table(result: jobs.Answer, L: str) -> None:
    fc = result.forecast
    if fc is None:
        return
    total = fc[fc["account_function"] == "total"].iloc[0]
    st.metric(t("expected", L), format_number(total["expected_dkk"], L, money=True))
    if total["overrun_prob"] == total["overrun_prob"]:  # NaN when no budget is set
        st.metric(t("overrun", L), format_percent(total["overrun_prob"], L))
    st.dataframe(fc, hide_index=True)


# ---------------------------------------------------------------- Saved scenarios


def _current_scenario():
    ss = st.session_state
    return building.check(ss.policy if ss.policy is not None else ss.municipality).scenario


def saved_page() -> None:
    L = lang()
    folder = Path(st.text_input(t("folder", L), value=str(DEFAULT_FOLDER), key="folder"))
    name = st.text_input(t("save_as", L), value=_current_scenario().name, key="save_name")
    if st.button(t("save", L), key="save"):
        if not building.NAME.match(name):
            st.error(f"{t('save_as', L)}: {t('name_problem', L)}")
        else:
            st.success(t("saved_to", L).format(path=building.save_scenario(_current_scenario(), folder, name)))
    saved = building.saved_scenarios(folder)
    if not saved:
        st.info(t("none_saved", L))
        return
    chosen = st.multiselect(t("page_saved", L), list(saved), key="saved_chosen")
    cols = st.columns(3)
    copy_name = cols[1].text_input(t("duplicate_as", L), key="copy_name")
    if cols[0].button(t("load", L), key="load") and chosen:
        _load(saved[chosen[0]], L)
    if cols[1].button(t("duplicate", L), key="duplicate") and chosen:
        if not building.NAME.match(copy_name or ""):
            st.error(f"{t('duplicate_as', L)}: {t('name_problem', L)}")
        else:
            st.success(t("saved_to", L).format(path=building.duplicate_scenario(saved[chosen[0]], copy_name)))
    if cols[2].button(t("compare_saved", L), key="compare") and len(chosen) > 1:
        _compare_saved([saved[c] for c in chosen], L)
    _job_status("job", "answer")


def _load(path: Path, L: str) -> None:
    try:
        start = building.start_file(path)
    except ScenarioError as e:
        st.error(str(e))
        return
    ss = st.session_state
    ss.start, ss.municipality, ss.policy = start, start.raw, None
    ss.form_version = ss.get("form_version", 0) + 1
    st.success(t("loaded", L).format(name=start.raw["name"]))


def _compare_saved(paths: list[Path], L: str) -> None:
    from sim.runs.experiment import check_comparable

    try:
        scenarios = [load_scenario(p) for p in paths]
        check_comparable(scenarios, [str(p) for p in paths])
    except InputError as e:
        st.error(str(e))
        return
    state = st.session_state
    reps, years, seed = state.get("reps", 20), state.get("years", 10), state.get("seed", 1)
    start_question(jobs.Question(tuple(scenarios), int(reps), int(years), int(seed)), "job", "answer")
