"""The app's pages: thin Streamlit code around the plain functions of ``building``, ``jobs`` and ``answer``.

State lives in ``st.session_state``: the language, the municipality's scenario mapping (``municipality``),
the policy's (``policy``), the running job and the last complete answer. Every message from the library is
shown as the CLI would print it, next to the field it is about; nothing raised reaches the page's top.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException, StopException

from sim.app import answer as answers
from sim.app import building, effects, jobs, timing
from sim.app import forecast as forecasts
from sim.app.long_term import long_term_box
from sim.app.texts import t
from sim.data.register import read_case_register_bytes
from sim.errors import InputError, ScenarioError
from sim.model.scenario import load_scenario
from sim.model.scenario.numbers import NumberTextError, format_typed
from sim.outputs.labels import format_number, format_percent, metric_label

PAGES = ("municipality", "policies", "run", "answer", "forecast", "saved")
DEFAULT_FOLDER = building.USER_FOLDER
POLL_SECONDS = 0.5
KEPT = "kept_widgets"  # the last value of each kept widget, by key: Streamlit forgets a widget not drawn
DEFAULT_REPLICATIONS, DEFAULT_YEARS, DEFAULT_SEED = 20, 10, 1


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
    ss.setdefault(KEPT, {})
    _remember_widgets()


def _remember_widgets() -> None:
    """Copy the kept widgets' values before the page is drawn: a widget on another page is forgotten by
    Streamlit at the end of this run, and ``keep`` gives it back its value when its page is drawn again."""
    ss = st.session_state
    for key in list(ss[KEPT]):
        if key in ss:
            ss[KEPT][key] = ss[key]


def keep(key: str, default, options=None):
    """Make the widget ``key`` (drawn next, with no ``value=``) show its last value, or ``default`` the first
    time or when the value is no longer one of ``options``; returns that value. Replications, levers and the
    other choices thus last while the app is open."""
    ss = st.session_state
    kept = ss[KEPT]
    kept.setdefault(key, default)
    if options is not None and kept[key] not in options:
        kept[key] = default
        ss.pop(key, None)
    if key not in ss:
        ss[key] = kept[key]
    return ss[key]


def kept(key: str, default):
    """A kept widget's value, also on a page where the widget is not drawn."""
    ss = st.session_state
    return ss[key] if key in ss else ss[KEPT].get(key, default)


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
    children = None
    if kind == "scaled":
        keep("start_children", format_typed(11700.0, L))
        children = st.text_input(t("children_0_17", L), key="start_children", help=t("typed_help", L))
    path = st.text_input(t("file_path", L), key="start_path") if kind == "file" else None
    if st.button(t("use_start", L), key="use_start"):
        _use_start(kind, children, path)
    _policy_lost_note(L)
    _settings_form(L)


def read_field(text: str, typed: building.Typed, L: str) -> tuple[float | None, str | None]:
    """(value, None) for a number typed in a field, or (None, why not in the page's language)."""
    try:
        return building.read_typed(text, typed), None
    except NumberTextError as e:
        return None, e.message(L)


def _use_start(kind: str, children, path) -> None:
    L = lang()
    try:
        if kind == "average":
            start = building.start_average()
        elif kind == "scaled":
            count, problem = read_field(children or "", building.Typed("count", 1), L)
            if problem:
                raise InputError(f"{t('children_0_17', L)}: {problem}")
            start = building.start_scaled(int(count), L)
        else:
            start = building.start_file(path or "")
    except InputError as e:
        st.error(str(e))
        return
    st.session_state.start = start
    _use_municipality(start.raw)
    st.session_state.pop("municipality_problems", None)
    st.session_state.form_version = st.session_state.get("form_version", 0) + 1  # fresh fields


def _use_municipality(raw: dict) -> None:
    """The municipality in use from now on, with the chosen policy laid over it again (it stays chosen)."""
    ss = st.session_state
    ss.municipality = raw
    recipe = ss.get("policy_recipe")
    if recipe is None:
        ss.policy = None
        return
    policy = _from_recipe(recipe, raw)
    checked = building.check(policy)
    ss.policy = policy if checked.scenario is not None else None
    ss.policy_lost = None if checked.scenario is not None else (building.raw_label(policy, lang()),
                                                                 checked.message)


def _policy_lost_note(L: str) -> None:
    lost = st.session_state.get("policy_lost")
    if lost:
        st.warning(t("policy_lost", L).format(name=lost[0]) + "  \n" + lost[1].replace("\n", "  \n"))


def _field_label(path: str, raw: dict, L: str) -> str:
    if path.startswith("staircase."):
        step = path.split(".")[1]
        label = next(s[f"label_{L}"] for s in raw["staircase"] if s["id"] == step)
        return t("step_price_field", L).format(step=label, base_year=raw["calendar"]["base_year"])
    if path.startswith("budget_dkk."):
        cal = raw["calendar"]
        price_year = cal.get("price_year") or cal["base_year"]
        return t("budget_year", L).format(year=path.split(".")[1], price_year=price_year)
    return t(path, L)


def anchor(path: str) -> str:
    """The id of a field's place on the page, for the links of the summary of errors."""
    return "field-" + path.replace(".", "-").replace("_", "-")


def _anchor_here(path: str) -> None:
    """A place the summary's links lead to (clear of the page's top bar)."""
    st.markdown(f'<span id="{anchor(path)}" style="display:block; scroll-margin-top:4.5rem"></span>',
                unsafe_allow_html=True)


def _settings_form(L: str) -> None:
    ss = st.session_state
    raw, start = ss.municipality, ss.start
    facts = building.read_facts()
    version = ss.get("form_version", 0)
    st.subheader(t("settings", L))
    _anchor_here("summary")
    summary = st.empty()  # the summary of errors stands above the form; a line under Apply links to it
    with st.form(f"municipality_form_{version}"):
        _anchor_here("name")
        name = st.text_input(t("scenario_name", L), value=raw["name"], key=f"muni_name_{version}")
        slots = {"name": st.empty()}
        texts = {}
        for path, value in building.settings_of(raw).items():
            _anchor_here(path)
            texts[path] = st.text_input(_field_label(path, raw, L), value=format_typed(float(value), L),
                                        key=f"muni_{path}_{version}", help=t("typed_help", L))
            shown = building.source_shown(start, path, facts, L) or t("no_source", L)
            st.caption(f"{t('source', L)}: " + shown.replace("\n", "  \n"))
            slots[path] = st.empty()
        submitted = st.form_submit_button(t("apply", L))
    below = st.empty()
    if submitted:
        ss.municipality_problems = _apply_settings(raw, texts, name, L)
    problems = ss.get("municipality_problems")
    if problems is None:
        return
    if not problems:
        summary.success(t("applied", L))
        return
    _show_problems(problems, slots, summary, raw, L)
    below.error(t("invalid_below", L).format(n=sum(map(len, problems.values())), link=f"#{anchor('summary')}"))


def _apply_settings(raw: dict, texts: dict[str, str], name: str, L: str) -> dict[str, list[str]]:
    """Read and check the form; use the municipality when valid. The problems by field ("" for the others)."""
    values, problems = {}, {}
    for path, text in texts.items():
        values[path], problem = read_field(text, building.typed_of(path), L)
        if problem:
            problems[path] = [problem]
    if problems:
        return problems
    edited = building.with_settings(raw, values, name=name)
    checked = building.check(edited)
    if checked.scenario is None:
        return _problems_by_field(edited, checked, ["name", *texts], L)
    _note_entered(raw, values)
    _use_municipality(edited)
    return {}


def _note_entered(raw: dict, values: dict[str, float]) -> None:
    """A number changed on the page gets that as its source (with what the file said before)."""
    sources = st.session_state.start.sources
    for path, value in values.items():
        if value != building.settings_of(raw).get(path):
            before = sources.get(path, "")
            sources[path] = "entered in the app" + (f" (before: {before})" if before else "")


def _problems_by_field(edited: dict, checked: building.Checked, paths: list[str], L: str) -> dict[str, list[str]]:
    file = building.file_name(edited)
    out: dict[str, list[str]] = {}
    shown: set[str] = set()
    for path in paths:
        lines = building.problems_at(edited, path, checked.problems, file, L) if path != "name" else \
            [building.problem_line(w, r, L) for w, r in checked.problems if w == "name"]
        if lines:
            out[path] = lines
            shown.update(lines)
    rest = [line for line in building.problem_lines(checked.problems, L) if line not in shown]
    if rest:
        out[""] = rest
    return out


def _show_problems(problems: dict[str, list[str]], slots: dict, summary, raw: dict, L: str) -> None:
    """Each problem beside its field, and above the form a summary linking to each field."""
    lines = []
    for path, reasons in problems.items():
        if path in slots:
            with slots[path].container():
                _errors(reasons)
        label = t("scenario_name", L) if path == "name" else _field_label(path, raw, L) if path else ""
        for reason in reasons:
            lines.append(f"- [{label}](#{anchor(path)}): {reason}" if path else f"- {reason}")
    summary.error(t("invalid_summary", L) + "\n\n" + "\n".join(lines))


# ---------------------------------------------------------------- Politik / Policies


def policies_page() -> None:
    L = lang()
    keep("policy_mode", "shipped")
    mode = st.radio(t("policy_mode", L), ("shipped", "compose"), key="policy_mode",
                    format_func=lambda m: t(f"policy_{m}", L), horizontal=True)
    if st.session_state.get("policy_problems_mode") != mode:
        st.session_state.policy_problems = []  # a refusal belongs to the way it was chosen
    st.session_state.policy_problems_mode = mode
    if mode == "shipped":
        _shipped_policy(L)
    else:
        _composed_policy(L)
    _policy_state(mode, L)


def _policy_state(mode: str, L: str) -> None:
    """Green only when the last Apply gave a valid policy; after a refused one, its errors and (neutral) the
    policy still in use."""
    ss = st.session_state
    policy = ss.policy
    if ss.get("policy_problems"):
        if policy is not None:
            st.info(t("policy_still", L).format(name=building.raw_label(policy, L)))
        return
    if policy is not None:
        st.success(t("policy_ready", L).format(name=building.raw_label(policy, L), n=len(policy.get("levers", []))))
        if mode == "compose":
            _lever_effects(policy, L)


def _lever_effects(raw: dict, L: str) -> None:
    """What the policy does to this municipality, before it runs: each lever's setting before -> after in the
    user's units, and the plain settings it sets differently, in the page's language."""
    lines = effects.policy_effects(raw, L) + effects.setting_changes(st.session_state.municipality, raw, L)
    if lines:
        st.markdown(f"**{t('lever_effects_here', L)}**\n\n" + "\n".join(f"- {line}" for line in lines))
    else:
        st.caption(t("no_lever_effects", L))


def _from_recipe(recipe: dict, municipality: dict) -> dict:
    """The policy's scenario mapping over a municipality: how it was chosen, applied again."""
    if recipe["kind"] == "shipped":
        return building.with_policy(municipality, Path(recipe["path"]))
    return building.composed(municipality, list(recipe["choices"]), recipe["name"])


def _choose_policy(recipe: dict) -> list[str]:
    """Use the policy the recipe gives over the municipality, or return the CLI's lines why not (the policy
    in use stays)."""
    ss = st.session_state
    raw = _from_recipe(recipe, ss.municipality)
    checked = building.check(raw)
    if checked.scenario is None:
        ss.policy_problems = building.problem_lines(checked.problems, lang())
        return ss.policy_problems
    ss.policy, ss.policy_recipe, ss.policy_problems, ss.policy_lost = raw, recipe, [], None
    return []


def _shipped_policy(L: str) -> None:
    shipped = building.shipped_policies()
    keep("shipped_policy", next(iter(shipped)), list(shipped))
    name = st.selectbox(t("shipped", L), list(shipped), key="shipped_policy",
                        format_func=lambda n: building.policy_label(shipped[n], L))
    st.write(building.policy_description(shipped[name], L))
    caveats = building.policy_caveats(shipped[name], L)
    if caveats:
        st.caption(f"{t('caveats', L)}: " + " ".join(caveats))
    _lever_effects(building.with_policy(st.session_state.municipality, shipped[name]), L)  # before Apply too
    problems = st.empty()
    if st.button(t("apply", L), key="apply_shipped"):
        _choose_policy({"kind": "shipped", "path": str(shipped[name])})
    if st.session_state.get("policy_problems"):
        with problems.container():
            st.error(t("policy_refused", L))
            _errors(st.session_state.policy_problems)


def _lever_inputs(option: building.LeverOption, raw: dict, L: str):
    """One lever's inputs: the choice, or None when the lever is not used, or the problems of what was typed
    (a list of lines)."""
    st.markdown(f"**{t(option.key, L)}**")
    st.caption(t(option.key + "_help", L))
    keep(f"use_{option.key}", False)
    if not st.checkbox(t("use_lever", L), key=f"use_{option.key}"):
        return None
    step = None
    if option.on_step:
        keep(f"step_{option.key}", building.step_ids(raw)[0], building.step_ids(raw))
        step = st.selectbox(t("step", L), building.step_ids(raw), key=f"step_{option.key}",
                            format_func=lambda s: next(x[f"label_{L}"] for x in raw["staircase"] if x["id"] == s))
    first = dt.date(raw["calendar"]["start_year"], 1, 1)
    keep(f"change_{option.key}", "value")
    change = st.radio(t("lever_change", L), ("value", "by", "times"), key=f"change_{option.key}", horizontal=True,
                      format_func=lambda c: t(f"change_{c}", L))
    cols = st.columns(5)
    default = {"value": building.current_value(raw, option, step), "by": 0.0, "times": 1.0}[change]
    typed = {f"{change}_{option.key}": building.lever_typed(option, change), f"ramp_{option.key}":
             building.Typed("number"), f"oneoff_{option.key}": building.COST, f"peryear_{option.key}": building.COST}
    labels = [t(f"new_{change}", L), t("ramp", L), t("one_off", L), t("per_year", L)]
    defaults = [default, 0.0, 0.0, 0.0]
    texts = {}
    for col, (key, label, value) in zip(cols[:1] + cols[2:], zip(typed, labels, defaults)):
        keep(key, format_typed(value, L))
        texts[key] = col.text_input(label, key=key, help=t("typed_help", L))
    keep(f"start_{option.key}", first)
    start = cols[1].date_input(t("start_date", L), key=f"start_{option.key}")
    values, problems = {}, []
    for (key, text), label in zip(texts.items(), labels):
        values[key], problem = read_field(text, typed[key], L)
        if problem:
            problems.append(f"{t(option.key, L)}, {label}: {problem}")
    if problems:
        return problems
    value, ramp, one_off, per_year = values.values()
    return building.LeverChoice(option.key, value, start, ramp, one_off, per_year, step, change)


def _composed_policy(L: str) -> None:
    raw = st.session_state.municipality
    keep("policy_name", building.default_name("policy", L))
    name = st.text_input(t("scenario_name", L), key="policy_name")
    choices, slots, typed_problems = [], [], []
    for option in building.LEVER_OPTIONS:
        choice = _lever_inputs(option, raw, L)
        if isinstance(choice, list):
            typed_problems.extend(choice)
            st.container().error("\n\n".join(choice))
        elif choice is not None:
            choices.append(choice)
            slots.append(st.empty())
    problems = st.empty()
    if st.button(t("apply", L), key="apply_levers"):
        if typed_problems:
            st.session_state.policy_problems = typed_problems
        else:
            _choose_policy({"kind": "composed", "choices": tuple(choices), "name": name})
    lines = st.session_state.get("policy_problems") or []
    if not lines:
        return
    first = len(raw.get("levers", []))
    shown = set(typed_problems)  # already beside their lever
    for i, slot in enumerate(slots):
        mine = [line for line in lines if line.startswith(f"levers[{first + i}]")]
        shown.update(mine)
        with slot.container():
            _errors(mine)
    with problems.container():
        st.error(t("policy_refused", L))
        _errors([line for line in lines if line not in shown])


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
        st.write(t("compared", L).format(alt=scenarios[1].label_in(L), base=scenarios[0].label_in(L)))
        _lever_effects(ss.policy, L)
    else:
        st.info(t("no_policy", L))
    keep("to_precision", True)
    precise = st.checkbox(t("to_precision", L), key="to_precision", help=t("to_precision_help", L),
                          on_change=_forget_replications)
    cols = st.columns(3)
    for col, (key, label, default, low) in zip(cols, RUN_INPUTS):
        keep(key, _default_replications(scenarios) if key == "reps" else default)
        shown = "max_replications" if key == "reps" and precise else label
        col.number_input(t(shown, L), min_value=low, step=1, key=key)
    keep("fixed_assumptions", False)
    st.checkbox(t("fixed_assumptions", L), key="fixed_assumptions", help=t("fixed_assumptions_help", L))
    _time_estimate(current_question(scenarios), L)
    running = ss.job is not None and not ss.job.finished
    if st.button(t("run", L), key="run", disabled=running):
        start_question(current_question(scenarios), "job", "answer")
    _job_status("job", "answer")
    _stale_note(L)


# the Run page's inputs: key, text, default, least value; kept for the Saved page's comparison too
RUN_INPUTS = (("reps", "replications", DEFAULT_REPLICATIONS, 1), ("years", "years", DEFAULT_YEARS, 1),
              ("seed", "seed", DEFAULT_SEED, 0))


def current_question(scenarios: list | None = None) -> jobs.Question:
    """The question the Run page's Kør would ask now: its scenarios, replications, years and seed; by default
    to the command line's default precision, the replications its cap (sim.analysis.precision)."""
    from sim.analysis.precision import default_precision

    scenarios = scenarios or _scenarios_to_run()
    reps, years, seed = (int(kept(key, default)) for key, _, default, _ in RUN_INPUTS)
    precision = default_precision(cap=reps) if kept("to_precision", True) else None
    return jobs.Question(tuple(scenarios), reps, years, seed,
                         fixed_assumptions=bool(kept("fixed_assumptions", False)), precision=precision)


def _forget_replications() -> None:
    """A switch between a precision and a fixed number of runs: the replications go back to the new one's
    default (the cap of a run to a precision is not a fixed number of runs that answers in half a minute)."""
    st.session_state.pop("reps", None)
    st.session_state[KEPT].pop("reps", None)
    st.session_state[KEPT]["to_precision"] = st.session_state.get("to_precision", True)


def _stale_note(L: str) -> None:
    """Say so when the answer shown is not the answer to the question the pages now ask."""
    ss = st.session_state
    asked = ss.get("answer_question")
    if ss.get("answer") is None or asked is None:
        return
    changed = stale_inputs(asked, current_question())
    if changed:
        st.warning(t("stale", L).format(changed=", ".join(t(f"changed_{c}", L) for c in changed)))


def stale_inputs(asked: jobs.Question, now: jobs.Question) -> list[str]:
    """What differs between the question answered and the one asked now (scenarios, replications, ...)."""
    out = []
    if [s.model_dump_json() for s in asked.scenarios] != [s.model_dump_json() for s in now.scenarios]:
        out.append("scenarios")
    for name in ("replications", "years", "seed", "fixed_assumptions", "precision"):
        if getattr(asked, name, None) != getattr(now, name, None):
            out.append(name)
    return out


def _default_replications(scenarios: list) -> int:
    """Replications that answer in about half a minute on a 2-core machine at this municipality's size; to a
    precision (the default) the cap that ends in about ten minutes."""
    first = scenarios[0]
    pick = timing.default_cap if kept("to_precision", True) else timing.default_replications
    return pick(first.population.aged_0_17, len(scenarios), 10, first.calendar.burn_in_years)


def _time_estimate(question: jobs.Question, L: str) -> None:
    """How long the run will take on this machine as busy as it is now, before it starts."""
    guess = timing.estimate_question(question)
    key = "estimate_precision" if question.precision is not None else "estimate"  # to a precision: at most
    st.caption(t(key, L).format(total=timing.format_seconds(guess.total, L), n=question.total,
                                       runs=timing.format_seconds(guess.runs, L),
                                       writing=timing.format_seconds(guess.writing, L), cores=timing.cores()))


def start_question(question: jobs.Question, job_key: str, answer_key: str) -> None:
    """Ask the question: the cached answer at once, or a run started. The answer shown so far stays until
    a new one is complete (a cancelled or failed run keeps it)."""
    hit, job = jobs.ask(question)
    ss = st.session_state
    ss[job_key] = job
    ss[job_key + "_cached"] = hit is not None
    ss[job_key + "_estimate"] = timing.estimate_question(question)  # as the machine was at the start
    if hit is not None:
        ss[answer_key] = hit
        ss[answer_key + "_question"] = question


def _job_status(job_key: str, answer_key: str, done_key: str = "done") -> None:
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
    _finished(job, answer_key, done_key, st.session_state.get(job_key + "_estimate"))


def _finished(job: jobs.RunJob, answer_key: str, done_key: str = "done", guess: timing.Estimate | None = None) -> None:
    L = lang()
    ss = st.session_state
    kept_before = ss.get(answer_key) is not None
    if job.answer is not None:
        if ss.get(answer_key) is not job.answer:
            ss[answer_key] = job.answer
            ss[answer_key + "_question"] = job.question
        if answer_key != "answer" or not stale_inputs(job.question, current_question()):
            st.success(t(done_key, L))  # else the stale note says the answer is to an earlier question
        _time_taken(job, guess, L)
    elif job.cancelled:
        st.warning(t("cancelled_kept" if kept_before else "cancelled", L))
    else:
        st.error(t("failed_kept" if kept_before else "failed", L).format(error=job.error))


def _time_taken(job: jobs.RunJob, guess: timing.Estimate | None, L: str) -> None:
    """How long the run took beside what was estimated before it started."""
    if job.finished_at is None or guess is None:
        return
    st.caption(t("took", L).format(took=timing.format_seconds(job.finished_at - job.started_at, L),
                                   guess=timing.format_seconds(guess.total, L)))


@st.fragment(run_every=POLL_SECONDS)
def _progress_fragment(job_key: str, answer_key: str) -> None:
    """Redrawn every half second while the worker runs; the rest of the page stays as it is."""
    L = lang()
    job = st.session_state.get(job_key)
    if job is None:
        return
    job.poll()
    st.progress(*_progress_text(job, L, st.session_state.get(job_key + "_estimate")))
    if st.button(t("cancel", L), key=f"cancel_{job_key}"):
        job.cancel()
    if job.finished:
        st.rerun()  # the whole page: the answer is ready (or the run ended)


def _progress_text(job: jobs.RunJob, L: str, guess: timing.Estimate | None) -> tuple[float, str]:
    """The whole job's progress bar: the replications, then the report in both languages, with the time left
    (from the estimate made when the job started, and the replications' pace)."""
    now = time.monotonic()
    writing_for = None if job.writing_since is None else now - job.writing_since
    at = timing.progress(job.done, job.question.total, now - job.started_at, writing_for,
                         guess or timing.estimate_question(job.question))
    left = timing.format_seconds(at.left, L)
    if at.phase == "writing":
        return at.fraction, t("writing_report", L).format(left=left)
    if job.question.precision is not None:  # each policy stops when precise: the total is at most
        return at.fraction, t("running_precision", L).format(done=job.done, total=job.question.total, left=left)
    return at.fraction, t("running_left", L).format(done=job.done, total=job.question.total, left=left)


# ---------------------------------------------------------------- Svar / Answer


def answer_page() -> None:
    L = lang()
    result = st.session_state.answer
    if result is None:
        st.info(t("no_answer", L))
        return
    _stale_note(L)
    lines = answers.first_lines(result, L)
    for line in lines:  # the answer in one line first, as the report's first screen; then in full
        st.markdown(f"### {line}")
    for sentence in answers.lead(result, L):
        st.markdown(sentence if lines else f"### {sentence}")
    st.caption(answers.prices(result, L))
    children = answers.outcomes(result, L)
    if children is not None:  # what happens to the children, before the money
        st.subheader(t("sec_outcomes", L))
        st.table(children[0])
        st.caption(children[1])
    chosen = st.multiselect(t("fan_metrics", L), answers.metric_choices(result),
                            default=list(answers.metric_choices(result)[:3]), key="fan_metrics",
                            format_func=lambda m: metric_label(m, L, result.results[0].scenario))
    for metric in chosen:
        st.altair_chart(answers.fan_chart(result, metric, L), use_container_width=True)
    case = answers.investment_case(result, L)
    if case is not None:
        st.subheader(t("investment_case", L))
        st.table(case)
    _long_term_box(result, L)
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


def _long_term_box(result: jobs.Answer, L: str) -> None:
    """Beyond the municipality's budget, in a bordered box of its own (nothing when the run did not value it)."""
    box = long_term_box(result, L)
    if box is None:
        return
    with st.container(border=True):
        st.subheader(box.title)
        st.warning(box.warning)
        st.table(box.table)
        for note in box.notes:
            st.caption(note)
        if box.grades is not None and not box.grades.empty:
            st.markdown(f"**{box.grades_title}**")
            st.table(box.grades)


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
    _register_format(scenario, L)
    upload = st.file_uploader(t("register", L), type=["csv"], key="register")
    register_slot = st.empty()
    as_of = st.date_input(t("as_of", L), value=dt.date(scenario.calendar.start_year - 1, 9, 30), key="as_of")
    pseudonymise = st.checkbox(t("pseudonymise", L), key="pseudonymise")
    cols = st.columns(2)
    spent = cols[0].number_input(t("spent_to_date", L), min_value=0.0, value=0.0, step=1e6, format="%.0f",
                                 key="spent")
    budget = cols[1].number_input(t("forecast_budget", L).format(year=as_of.year), min_value=0.0,
                                  value=float(scenario.budget_dkk.get(as_of.year, 0.0)), step=1e6, format="%.0f",
                                  key=f"forecast_budget_{as_of.year}")
    scenario = forecasts.with_budget(scenario, as_of.year, budget)
    cols = st.columns(2)
    reps = cols[0].number_input(t("replications", L), min_value=1, value=20, step=1, key="forecast_reps")
    seed = cols[1].number_input(t("seed", L), min_value=0, value=1, step=1, key="forecast_seed")
    # the year-end forecast needs the years up to the register's: no more (as_of_scenario starts there)
    years = max(1, as_of.year - scenario.calendar.start_year + 1)
    question = jobs.Question((scenario,), int(reps), years, int(seed), as_of=as_of, spent_to_date=spent or None)
    _time_estimate(question, L)
    if st.button(t("forecast", L), key="run_forecast"):
        if upload is None:
            ss.register_error = t("register_missing", L)
        else:
            _start_forecast(question, upload, pseudonymise, register_slot, L)
    if ss.get("register_error"):
        register_slot.error(ss.register_error)
        return
    _job_status("forecast_job", "forecast_answer", done_key="forecast_done")
    if ss.forecast_answer is not None:
        _forecast_table(ss.forecast_answer, L)


def _register_format(scenario, L: str) -> None:
    """The register's columns and steps explained, with the example file to download."""
    with st.expander(t("register_format", L)):
        st.markdown(t("register_format_help", L))
        st.table(forecasts.columns_table(scenario, L))
        st.table(forecasts.steps_table(scenario, L))
        st.download_button(t("download_example", L), forecasts.EXAMPLE_REGISTER.read_bytes(),
                           "example_case_register.csv", "text/csv", key="dl_example_register")


def _start_forecast(question: jobs.Question, upload, pseudonymise: bool, register_slot, L: str) -> None:
    ss = st.session_state
    scenario, as_of = question.scenarios[0], question.as_of
    try:
        # the upload stays in memory: read from its bytes, never saved
        cases = read_case_register_bytes(upload.getvalue(), upload.name, as_of,
                                         [s.id for s in scenario.staircase], pseudonymise=pseudonymise,
                                         max_rows=scenario.population.aged_0_22)
    except InputError as e:
        ss.register_error = forecasts.register_message(str(e), L, t("pseudonymise", L))
        ss.forecast_answer = None
        ss.forecast_job = None
        return
    ss.register_error = None
    start_question(dataclasses.replace(question, cases=tuple(cases)), "forecast_job", "forecast_answer")
    register_slot.success(t("register_ok", L).format(n=len(cases)))


def _forecast_table(result: jobs.Answer, L: str) -> None:
    fc = result.forecast
    if fc is None:
        return
    scenario = result.results[0].scenario
    total = fc[fc["account_function"] == "total"].iloc[0]
    cols = st.columns(3)
    cols[0].metric(t("expected", L).format(year=int(total["budget_year"])),
                   format_number(total["expected_dkk"], L, money=True))
    if total["budget_dkk"] == total["budget_dkk"]:  # NaN when no budget is set
        cols[1].metric(t("budget", L), format_number(total["budget_dkk"], L, money=True))
        cols[2].metric(t("overrun", L), format_percent(total["overrun_prob"], L))
    else:
        st.info(t("no_budget", L).format(year=int(total["budget_year"])))
    st.table(forecasts.forecast_display(fc, scenario, L))
    year = int(total["budget_year"])
    st.caption(t("forecast_reads", L).format(year=year, next=year + 1))
    if total["spent_to_date_dkk"] != total["spent_to_date_dkk"] or not total["spent_to_date_dkk"]:
        st.warning(t("forecast_no_spent", L).format(year=year))


# ---------------------------------------------------------------- Saved scenarios


def _current_scenario():
    ss = st.session_state
    return building.check(ss.policy if ss.policy is not None else ss.municipality).scenario


def _current_sources() -> dict[str, str]:
    """Each number's source comment, to write beside it in a saved file."""
    return st.session_state.start.sources


def saved_page() -> None:
    L = lang()
    keep("folder", str(DEFAULT_FOLDER))
    folder = Path(st.text_input(t("folder", L), key="folder")).expanduser()
    st.caption(t("folder_help", L).format(folder=DEFAULT_FOLDER))
    name = st.text_input(t("save_as", L), value=_current_scenario().name, key="save_name")
    if st.button(t("save", L), key="save"):
        if not building.good_name(name):
            st.error(f"{t('save_as', L)}: {t('name_problem', L)}")
        else:
            saved_to = building.save_scenario(_current_scenario(), folder, name, _current_sources())
            st.success(t("saved_to", L).format(path=saved_to))
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
        if not building.good_name(copy_name or ""):
            st.error(f"{t('duplicate_as', L)}: {t('name_problem', L)}")
        else:
            st.success(t("saved_to", L).format(path=building.duplicate_scenario(saved[chosen[0]], copy_name)))
    if cols[2].button(t("compare_saved", L), key="compare") and len(chosen) > 1:
        _compare_saved([saved[c] for c in chosen], L)
    question = current_question()
    cols[2].caption(t("compare_uses", L).format(reps=question.replications, years=question.years,
                                                seed=question.seed))
    _job_status("job", "answer")


def _load(path: Path, L: str) -> None:
    try:
        start = building.start_file(path)
    except ScenarioError as e:
        st.error(str(e))
        return
    ss = st.session_state
    ss.start, ss.municipality, ss.policy, ss.policy_recipe = start, start.raw, None, None
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
    question = current_question(scenarios)  # the Run page's replications, years and seed, as said beside it
    start_question(question, "job", "answer")
