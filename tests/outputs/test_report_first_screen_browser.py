"""The report's first screen in Debian's Chromium: within the first 900 pixels one line per policy and what
happens to the children; each answer in full folded on screen and open in print."""

from __future__ import annotations

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, browser_or_skip
from test_answer_line import _page_of_a_real_shape

from sim.outputs.labels import text

FIRST_SCREEN = 900  # pixels: a laptop's window


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_first_900_pixels_answer_and_print_opens_every_fold(tmp_path, lang):
    sync_playwright = browser_or_skip()
    _page_of_a_real_shape(tmp_path, lang, 3)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": FIRST_SCREEN})
            page.goto((tmp_path / "report.html").as_uri(), wait_until="load")
            lines = page.locator("ul.answer-lines li")
            assert lines.count() == 2
            bottom_of_lines = lines.last.bounding_box()
            children = page.locator("h2", has_text=text("sec_outcomes", lang)).bounding_box()
            table = page.locator("h2", has_text=text("sec_outcomes", lang)).locator("xpath=following::table[1]")
            table_box = table.bounding_box()
            answers = page.locator("details.answer p.lead")
            assert answers.count() == 2
            folded_on_screen = [answers.nth(i).is_visible() for i in range(2)]
            page.emulate_media(media="print")
            open_in_print = [answers.nth(i).is_visible() for i in range(2)]
            hints = page.locator("p.fold-hint")
            hints_in_print = [hints.nth(i).is_visible() for i in range(hints.count())]
        finally:
            browser.close()
    assert bottom_of_lines["y"] + bottom_of_lines["height"] < children["y"]
    assert table_box["y"] < FIRST_SCREEN, table_box  # the children's table starts on the first screen
    assert folded_on_screen == [False, False]
    assert open_in_print == [True, True]
    assert hints_in_print and not any(hints_in_print)  # "click to open" means nothing on paper
