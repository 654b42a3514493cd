"""Every page of the app in Danish, as a finance officer of a municipality other than the average one reads it
(Denmark scaled to 20,000 children, the shipped policy Flere rådgivere, an answer on Svar), checked for the
English words a Danish user met and for numbers in English format (the list of offenders and the number check
of tests/outputs/test_danish_output.py), in the page's texts, its fields and choices, its tables and its charts'
texts; the charts also write their numbers the Danish way (Vega's number locale)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from app_pages import app_test, go

from sim.app import building, jobs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outputs"))
from test_danish_output import english_in  # noqa: E402 - the one list of offenders

PAGES = ("municipality", "policies", "run", "answer", "forecast", "saved")
TEXTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text")
WIDGETS = ("text_input", "number_input", "selectbox", "multiselect", "radio", "checkbox", "button",
           "date_input", "download_button", "file_uploader", "expander")
# names that are the same in both languages or not words: the language switch, file names to download
NOT_OFFENDERS = ("English", "report.html", "results.xlsx")
# the case register's format is explained with a number as the file must hold it (a point, no thousands)
FILE_FORMAT = ("(39000.50)",)


def _strings(at) -> list[str]:
    """What the page shows in words: texts, widget labels and choices, tables' headers and cells."""
    out: list[str] = []
    for kind in TEXTS:
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in WIDGETS:
        for w in at.get(kind):
            out += [str(getattr(w, "label", "") or "")]
            out += [str(o) for o in (getattr(w, "options", None) or [])]
    for table in at.table:
        frame = table.value
        out += [str(c) for c in frame.columns] + [str(i) for i in frame.index]
        out += [str(v) for v in frame.to_numpy().ravel()]
    out = [re.sub(r"<[^>]+>", " ", s).strip() for s in out]  # anchors for the error summary's links
    for example in FILE_FORMAT:
        out = [s.replace(example, "") for s in out]
    return [s for s in out if s and s not in NOT_OFFENDERS]


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _chart_words(spec: dict) -> list[str]:
    """A chart's titles, axis and legend titles, hover-text titles and the scenarios its colours name."""
    words = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    words.append(value)
                if key == "domain" and isinstance(value, list):
                    words.extend(str(v) for v in value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in spec.items() if k not in ("datasets", "data")})
    return words


@pytest.fixture(scope="module")
def finance_officer():
    """The app after a finance officer's choices, and the answer to its question (2 runs of 1 year)."""
    start = building.start_scaled(20000, "da")
    policy = building.with_policy(start.raw, building.shipped_policies()["more-caseworkers"])
    scenarios = (building.check(start.raw).scenario, building.check(policy).scenario)
    answer = jobs.answer(jobs.Question(scenarios, 2, 1, seed=3, workers=1))
    return start, policy, answer


def _app(finance_officer):
    start, policy, answer = finance_officer
    at = app_test()
    at.session_state["municipality"] = start.raw
    at.session_state["policy"] = policy
    at.session_state["policy_recipe"] = {"kind": "shipped",
                                         "path": str(building.shipped_policies()["more-caseworkers"])}
    at.session_state["answer"] = answer
    at.run()
    return at


def test_every_page_reads_danish(finance_officer):
    at = _app(finance_officer)
    found = []
    for page in PAGES:
        go(at, page)
        shown = _strings(at)
        assert shown, page
        found += [(page, s[:160], english_in(s)) for s in shown if english_in(s)]
    assert found == [], "\n".join(map(str, found))


def test_the_answer_page_names_the_scenarios_by_label_and_its_charts_write_danish_numbers(finance_officer):
    at = go(_app(finance_officer), "answer")
    shown = " | ".join(_strings(at))
    assert "Flere rådgivere" in shown and "more-caseworkers" not in shown
    charts = _charts(at)
    assert len(charts) >= 3  # the fans, the staircase, the waterfall
    for spec in charts:
        number = spec["config"]["locale"]["number"]
        assert (number["decimal"], number["thousands"]) == (",", ".")
        words = _chart_words(spec)
        assert english_in(" | ".join(words)) == [], english_in(" | ".join(words))
        assert "more-caseworkers" not in words and "kommune" not in words  # labels, not names
    fan = _chart_words(charts[0])
    assert "Flere rådgivere" in fan and "Jeres kommune" in fan and "Median" in fan


def test_the_run_page_says_what_is_compared_by_label(finance_officer):
    at = go(_app(finance_officer), "run")
    compared = next(m.value for m in at.markdown if m.value.startswith("Sammenligner"))
    assert compared == "Sammenligner Flere rådgivere med Jeres kommune."


def test_the_check_catches_the_english_app(finance_officer):
    """The check can fail: the same pages in English trip it."""
    at = _app(finance_officer)
    at.session_state["lang"] = "en"
    at.run()
    found = []
    for page in PAGES:
        go(at, page)
        found += [s for s in _strings(at) if english_in(s)]
    assert found
    assert pd.Series(found).str.contains("municipality|policy|Mean|Year", case=False).any(), found[:10]
