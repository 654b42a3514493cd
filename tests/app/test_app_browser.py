"""The app in a real browser: `boernesim app` on a free port, driven by Playwright in Debian's headless
Chromium (as the report's browser test: skipped without it, failing under BOERNESIM_REQUIRE_BROWSER=1).

A finance officer's round: start from Denmark scaled to a small municipality, set two levers, run 4
replications x 2 years, read the plain-words answer and a chart, download the workbook and the scenario,
run that scenario with `boernesim run` (the same numbers with the same seed), and upload a register with a
CPR-like id (refused, pointing to the box to tick). A screenshot of each page is saved in the test's temporary folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip

BOERNESIM = Path(sys.executable).parent / "boernesim"
REGISTER = Path(__file__).resolve().parents[2] / "calibration" / "example_case_register.csv"
SEED, REPS, YEARS = 7, 4, 2
LONG = 600_000  # ms: a run on a shared 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"boernesim app ended with exit code {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"boernesim app did not listen on port {port}")


@pytest.fixture
def app_url(tmp_path):
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path)}  # Streamlit's own files go to the test's folder
    process = subprocess.Popen([str(BOERNESIM), "app", "--port", str(port), "--no-browser"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the command and the server it started (one group), nothing else
        process.wait(timeout=20)
        time.sleep(5)  # the server ends its runs on the way out
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever of the group did not stop
        except ProcessLookupError:
            pass


def cpr_register(tmp_path: Path) -> Path:
    rows = [line for line in REGISTER.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    path = tmp_path / "register-with-cpr.csv"
    path.write_text(f"{rows[0]}\n010203-1234,{rows[1].split(',', 1)[1]}\n", encoding="utf-8")
    return path


def go_to(page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=label, exact=True).wait_for()


def fill(locator, value) -> None:
    locator.fill(str(value))
    locator.press("Enter")


def settle(page) -> None:
    """Wait until Streamlit has finished rerunning the script."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=LONG)


@pytest.mark.slow
def test_a_round_through_the_app_in_headless_chromium(tmp_path, app_url):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    requests, page_errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(app_url)
            page.get_by_role("heading", name="Kommune", exact=True).wait_for(timeout=LONG)

            # Kommune: Denmark scaled to a small municipality
            page.get_by_text("Danmark skaleret til et indbyggertal", exact=True).click()
            fill(page.get_by_label("Børn i alderen 0-17 i kommunen", exact=True), 2500)
            settle(page)
            page.get_by_role("button", name="Brug dette udgangspunkt").click()
            settle(page)
            # the form made afresh for the new starting point comes first (the old one may linger a moment)
            expect(page.get_by_label("Børn i alderen 0-17", exact=True).first).to_have_value("2.500", timeout=LONG)
            page.screenshot(path=str(shots / "1-kommune.png"))

            # Politik: two levers
            go_to(page, "Politik")
            page.get_by_text("sammensæt af greb", exact=True).click()
            settle(page)
            page.get_by_text("Brug dette greb").nth(0).click()  # caseworkers
            settle(page)
            page.get_by_text("Brug dette greb").nth(1).click()  # review interval
            settle(page)
            fill(page.get_by_role("textbox", name="Ny værdi").nth(0), 8)
            settle(page)
            fill(page.get_by_role("textbox", name="Ny værdi").nth(1), 3)
            settle(page)
            page.get_by_role("button", name="Anvend").click()
            page.get_by_text("Politikken er gyldig: politik, 2 greb.").wait_for(timeout=LONG)
            page.screenshot(path=str(shots / "2-politik.png"))

            # Kør: 4 replications x 2 years, in a worker process with a progress bar
            go_to(page, "Kør")
            page.get_by_text("Kør, til svaret er præcist", exact=False).click()  # a fixed number of runs
            settle(page)
            fill(page.get_by_label("Kørsler", exact=True), REPS)
            settle(page)
            fill(page.get_by_label("År", exact=True), YEARS)
            settle(page)
            fill(page.get_by_label("Seed", exact=True), SEED)
            settle(page)
            page.get_by_role("button", name="Kør", exact=True).click()
            page.get_by_text("Færdig: se siden Svar.").wait_for(timeout=LONG)
            page.screenshot(path=str(shots / "3-koer.png"))

            # Svar: the answer in one line first, then in plain words, then charts; the downloads
            go_to(page, "Svar")
            line = page.locator("h3").first.inner_text()
            said = page.locator("[data-testid='stMarkdownContainer'] p")
            lead = said.filter(has_text="nutidsværdi").first.inner_text()
            page.locator(".vega-embed").first.wait_for(timeout=LONG)
            charts = page.locator(".vega-embed").count()
            page.screenshot(path=str(shots / "4-svar.png"))
            with page.expect_download() as xlsx:
                page.get_by_role("button", name="Hent results.xlsx").click()
            xlsx.value.save_as(tmp_path / "results.xlsx")
            with page.expect_download() as scenario_file:
                page.get_by_role("button", name="Hent scenariet (YAML til boernesim run)").click()
            yaml_path = tmp_path / scenario_file.value.suggested_filename
            scenario_file.value.save_as(yaml_path)

            # Prognose: a register with a CPR-like id is refused, telling the user to tick the box
            go_to(page, "Prognose fra dagens sager")
            page.locator("input[type=file]").set_input_files(str(cpr_register(tmp_path)))
            settle(page)
            page.get_by_role("button", name="Prognose for året").click()
            refusal = page.get_by_text("ligner et CPR-nummer", exact=False)
            refusal.wait_for(timeout=LONG)
            refusal_text = refusal.inner_text()
            page.screenshot(path=str(shots / "5-prognose.png"))

            go_to(page, "Gemte scenarier")
            page.screenshot(path=str(shots / "6-gemte.png"))
        finally:
            browser.close()

    assert page_errors == [], page_errors
    # nothing from the network: the app's own server, and data or blob URLs the page makes itself
    assert all(u.startswith((app_url, "data:", "blob:")) for u in requests), \
        sorted({u for u in requests if not u.startswith((app_url, "data:", "blob:"))})
    assert line.startswith("politik: nettobesparelse") and "mio. kr." in line, line  # the one line, in Danish
    assert "policy" not in line and "net saving" not in line, line
    assert "politik" in lead and "Jeres kommune" in lead and "kr." in lead, lead  # Danish names and label
    assert "policy" not in lead and "municipality" not in lead, lead
    assert charts >= 3  # fans, staircase, waterfall
    assert "Sæt kryds i »Id'erne kan være CPR-numre" in refusal_text and "010203" not in refusal_text
    assert "--pseudonymise" not in refusal_text
    assert len(list(shots.glob("*.png"))) == 6

    # the downloaded scenario runs unchanged with `boernesim run`, and gives the app's numbers
    out = tmp_path / "cli"
    done = subprocess.run([str(BOERNESIM), "run", str(yaml_path), "--replications", str(REPS), "--seed", str(SEED),
                           "--workers", "1", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out / "summary.csv")
    app = pd.read_excel(tmp_path / "results.xlsx", sheet_name="summary")
    app = app[app["scenario"] == "politik"]
    both = cli.merge(app, on=["scenario", "year", "metric"], suffixes=("_cli", "_app"))
    assert len(both) == len(cli) == len(app) > 0
    for col in ("mean", "p05", "p50", "p95"):
        pd.testing.assert_series_equal(both[f"{col}_cli"], both[f"{col}_app"], check_names=False, rtol=1e-5)
