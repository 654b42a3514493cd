"""The app's form and state in a real browser, as a finance officer of a municipality with 20,000 children uses
it in Danish: numbers typed with points, a caseworker cost typed a thousand times too small refused above the
form with a link that brings the field into view, and choices that last across pages. Screenshots are saved
in the test's temporary folder."""

from __future__ import annotations

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip
from test_app_browser import LONG, app_url, fill, go_to, settle  # noqa: F401 - app_url is a fixture

SHORT = 60_000  # ms: no run is started here
COST_LABEL = "Udgift pr. rådgiver pr. år (kr., basisårets priser)"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] <= page.viewport_size["height"]


@pytest.mark.slow
def test_a_danish_finance_officer_types_numbers_and_keeps_choices_in_chromium(tmp_path, app_url):  # noqa: F811
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page_errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(app_url)
            page.get_by_role("heading", name="Kommune", exact=True).wait_for(timeout=LONG)

            # Denmark scaled to 20.000 children, typed with a Danish thousands point
            page.get_by_text("Danmark skaleret til et indbyggertal", exact=True).click()
            fill(page.get_by_label("Børn i alderen 0-17 i kommunen", exact=True), "20.000")
            settle(page)
            page.get_by_role("button", name="Brug dette udgangspunkt").click()
            settle(page)
            expect(page.get_by_label("Børn i alderen 0-17", exact=True).first).to_have_value("20.000", timeout=SHORT)

            # 550 for 550.000: refused above the form, with a link to the field
            cost = page.get_by_label(COST_LABEL, exact=True)
            expect(cost).to_have_count(1, timeout=SHORT)  # the form made for the old starting point is gone
            cost.fill("550")
            page.get_by_role("button", name="Anvend").click()
            settle(page)
            below = page.get_by_role("link", name="se listen over formularen")
            below.wait_for(timeout=SHORT)
            page.screenshot(path=str(shots / "1-below-apply.png"))
            below_in_view = in_view(page, below)
            below.click()
            page.wait_for_timeout(800)
            summary = page.get_by_test_id("stAlert").first
            expect(summary).to_contain_text("mente du 550.000?", timeout=SHORT)
            summary_in_view = in_view(page, summary)
            page.screenshot(path=str(shots / "2-summary.png"))
            assert page.get_by_text("Indstillingerne er gyldige og i brug.").count() == 0
            summary.get_by_role("link").first.click()
            page.wait_for_timeout(800)
            field_in_view = in_view(page, cost)
            page.screenshot(path=str(shots / "3-field.png"))

            # 550.000 is read right
            page.get_by_label(COST_LABEL, exact=True).fill("550.000")
            page.get_by_role("button", name="Anvend").click()
            settle(page)
            page.get_by_text("Indstillingerne er gyldige og i brug.").wait_for(timeout=LONG)
            expect(page.get_by_label(COST_LABEL, exact=True)).to_have_value("550.000")

            # the step prices each with their step
            prices = page.get_by_role("textbox", name="Pris pr. år:")
            price_labels = [prices.nth(i).get_attribute("aria-label") for i in range(prices.count())]

            # a policy and the replications last across pages
            go_to(page, "Politik")
            settle(page)
            page.locator(".st-key-apply_shipped button").click()
            page.get_by_text("Politikken er gyldig:", exact=False).wait_for(timeout=SHORT)
            go_to(page, "Kør")
            page.get_by_text("Kør, til svaret er præcist", exact=False).click()  # a fixed number of runs
            settle(page)
            fill(page.get_by_label("Kørsler", exact=True), 3)
            settle(page)
            go_to(page, "Kommune")
            page.get_by_label(COST_LABEL, exact=True).fill("600.000")
            page.get_by_role("button", name="Anvend").click()
            settle(page)
            go_to(page, "Kør")
            settle(page)
            expect(page.get_by_label("Kørsler", exact=True)).to_have_value("3")
            compared = page.get_by_text("Sammenligner", exact=False).inner_text()
            page.screenshot(path=str(shots / "4-koer.png"), full_page=True)
        finally:
            page.screenshot(path=str(shots / "last.png"), full_page=True)  # the state it ended in
            browser.close()

    assert page_errors == [], page_errors
    assert below_in_view and summary_in_view
    assert field_in_view
    assert len(price_labels) == 8 and len(set(price_labels)) == 8, price_labels
    # the policy stayed chosen, over the municipality under the app's Danish default name
    assert compared == "Sammenligner Færre rådgivere med Jeres kommune.", compared
