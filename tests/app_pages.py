"""The app's pages under Streamlit's AppTest (no browser): the script, a fresh app, and going to a page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from sim.app import building

MAIN = Path(building.__file__).resolve().parent / "main.py"


def app_test() -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key=f"page_{at.session_state['lang']}").set_value(page).run()
    assert not at.exception, at.exception
    return at
