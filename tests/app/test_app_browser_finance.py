"""The pages a finance officer of a municipality of 20,000 children reads before and during a run, in Danish,
in a real browser (Debian's Chromium through Playwright, as test_app_browser.py): what the shipped policy does
to this municipality (Politik and Kør), the time estimate and the progress through the report (Kør), and the
forecast page (the format and its example file, the register year's budget, the named Danish table, the CPR
refusal). Screenshots are saved in the test's temporary folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip
from test_app_browser import LONG, app_url, cpr_register, fill, go_to, settle  # noqa: F401 - app_url: fixture

REGISTER = Path(__file__).resolve().parents[2] / "calibration" / "example_case_register.csv"


def start_scaled(page, children: int) -> None:
    from playwright.sync_api import expect

    page.get_by_text("Danmark skaleret til et indbyggertal", exact=True).click()
    fill(page.get_by_label("Børn i alderen 0-17 i kommunen", exact=True), children)
    settle(page)
    page.get_by_role("button", name="Brug dette udgangspunkt").click()
    settle(page)
    typed = f"{children:,}".replace(",", ".")  # the field shows the number as Danish writes it
    expect(page.get_by_label("Børn i alderen 0-17", exact=True).first).to_have_value(typed, timeout=LONG)


@pytest.mark.slow
def test_a_finance_officer_sees_the_policy_the_time_and_the_forecast_in_danish(tmp_path, app_url):  # noqa: F811
    sync_playwright = browser_or_skip()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    seen: dict[str, str] = {}
    progress: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.goto(app_url)
            page.get_by_role("heading", name="Kommune", exact=True).wait_for(timeout=LONG)
            start_scaled(page, 20000)

            # Politik: a shipped policy shows its change on this municipality before it is applied
            go_to(page, "Politik")
            page.get_by_text("Hvad grebene gør ved denne kommune").wait_for(timeout=LONG)
            page.get_by_test_id("stSelectbox").first.click()
            page.get_by_role("option", name="Flere rådgivere").click()  # the shipped policy by its label
            settle(page)
            effect = page.get_by_text(re.compile(r"34,2 → 39,2 rådgivere"))
            effect.first.wait_for(timeout=LONG)
            seen["politik"] = effect.first.inner_text()
            page.get_by_role("button", name="Anvend").click()
            settle(page)
            page.screenshot(path=str(shots / "1-politik.png"), full_page=True)

            # Kør: the effect again, the estimate, a default for this size; progress through the report
            go_to(page, "Kør")
            seen["koer_effect"] = page.get_by_text(re.compile(r"34,2 → 39,2 rådgivere")).first.inner_text()
            seen["estimate"] = page.get_by_text("Anslået tid på denne maskine", exact=False).inner_text()
            from playwright.sync_api import TimeoutError as PlaywrightTimeout
            from playwright.sync_api import expect

            page.get_by_text("Kør, til svaret er præcist", exact=False).click()  # a fixed number of runs
            settle(page)
            reps = page.get_by_label("Kørsler", exact=True)
            # the field is drawn before its kept value arrives on a page's first visit: wait (a minute at most)
            # for a default between 5 and 19, then read it
            expect(reps).to_have_value(re.compile(r"^(?:[5-9]|1[0-9])$"), timeout=60_000)
            seen["default_reps"] = reps.input_value()
            page.screenshot(path=str(shots / "2-koer-foer.png"), full_page=True)
            fill(page.get_by_label("Kørsler", exact=True), 2)
            settle(page)
            fill(page.get_by_label("År", exact=True), 2)
            settle(page)
            page.get_by_role("button", name="Kør", exact=True).click()
            done = page.get_by_text("Færdig: se siden Svar.")
            shot = 0
            while not done.is_visible():
                bar = page.get_by_test_id("stProgress")
                if bar.count():
                    try:  # the bar goes when the run ends: it may be gone between count() and reading it
                        text = bar.first.inner_text(timeout=1000)
                    except PlaywrightTimeout:
                        continue
                    if not progress or progress[-1] != text:
                        progress.append(text)
                        if "skriver rapport" in text and shot == 0:
                            page.screenshot(path=str(shots / "3-koer-skriver.png"))
                            shot = 1
                page.wait_for_timeout(250)
            page.screenshot(path=str(shots / "4-koer-faerdig.png"))

            # Prognose: the format explained with the example file; the register year's budget; the table
            go_to(page, "Prognose fra dagens sager")
            page.get_by_text("Sådan skal sagsregisteret se ud", exact=False).click()
            with page.expect_download() as example:
                page.get_by_role("button", name="Hent eksempelfilen").click()
            example.value.save_as(tmp_path / "example.csv")
            page.locator("input[type=file]").set_input_files(str(REGISTER))
            settle(page)
            budget = page.get_by_label(re.compile(r"^Budget \d{4} \(kr\.; 0 = intet\)$"))
            fill(budget, 150000000)
            settle(page)
            fill(page.get_by_label("Forbrugt indtil nu i år (kr.)", exact=True), 110000000)
            settle(page)
            fill(page.get_by_label("Kørsler", exact=True), 2)
            settle(page)
            page.get_by_role("button", name="Prognose for året").click()
            page.get_by_text("Færdig: prognosen står nedenfor.").wait_for(timeout=LONG)
            page.get_by_text("Sandsynlighed for at overskride budgettet").wait_for(timeout=LONG)
            table = page.get_by_test_id("stTable").last
            seen["table"] = table.inner_text()
            seen["no_spent_warning"] = page.get_by_text("Der er ikke angivet noget forbrug", exact=False).count()
            page.screenshot(path=str(shots / "5-prognose.png"))
            table.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "5-prognose-tabel.png"))

            page.locator("input[type=file]").set_input_files(str(cpr_register(tmp_path)))
            settle(page)
            page.get_by_role("button", name="Prognose for året").click()
            refusal = page.get_by_text("ligner et CPR-nummer", exact=False)
            refusal.wait_for(timeout=LONG)
            seen["refusal"] = refusal.inner_text()
            page.screenshot(path=str(shots / "6-prognose-cpr.png"))
        finally:
            browser.close()

    assert "(+5)" in seen["politik"] and "fra 1. januar 2027" in seen["politik"], seen["politik"]
    assert seen["koer_effect"] == seen["politik"]
    assert re.search(r"ca\. \d+ (s|min\.)", seen["estimate"]), seen["estimate"]
    assert 5 <= int(seen["default_reps"]) < 20  # a smaller default than the average municipality's 20
    assert any(text.startswith("Kører ") and "tilbage" in text for text in progress), progress
    assert any("skriver rapport og regneark" in text for text in progress), progress  # the report is in the bar
    assert (tmp_path / "example.csv").read_bytes() == REGISTER.read_bytes()
    assert "Kontofunktion" in seen["table"] and "I alt" in seen["table"] and "mio. kr." in seen["table"]
    assert "150,0 mio. kr." in seen["table"] and "110,0 mio. kr." in seen["table"], seen["table"]
    assert "None" not in seen["table"] and seen["no_spent_warning"] == 0
    assert "Sæt kryds" in seen["refusal"] and "--pseudonymise" not in seen["refusal"]
