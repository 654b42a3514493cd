"""docs/app.png: the app's Svar (answer) page in Danish, as a finance officer sees it after a run, taken in a
real browser (Debian's Chromium through Playwright, as the browser tests: bash scripts/install-browser.sh).

    .venv/bin/python scripts/app_screenshot.py [--children 20000] [--replications 4] [--years 2]
                                               [--height 1500] [--out docs/app.png]

Starts `boernesim app` on a free port, starts from Denmark scaled to ``--children`` children aged 0-17, chooses
the shipped policy Flere rådgivere, runs it and saves the top of the Svar page. A few minutes on 2 cores."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LONG = 900_000  # ms: a run on a shared 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle(page) -> None:
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=LONG)


def fill(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    settle(page)


def go_to(page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=label, exact=True).wait_for(timeout=LONG)
    settle(page)


def take(url: str, out: Path, children: int, replications: int, years: int, height: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": height})
            page.goto(url)
            page.get_by_role("heading", name="Kommune", exact=True).wait_for(timeout=LONG)
            page.get_by_text("Danmark skaleret til et indbyggertal", exact=True).click()
            settle(page)
            fill(page, "Børn i alderen 0-17 i kommunen", f"{children:,}".replace(",", "."))
            page.get_by_role("button", name="Brug dette udgangspunkt").click()
            settle(page)
            go_to(page, "Politik")
            page.get_by_test_id("stSelectbox").first.click()
            page.get_by_role("option", name="Flere rådgivere").click()
            settle(page)
            page.get_by_role("button", name="Anvend").click()
            page.get_by_text("Politikken er gyldig: Flere rådgivere", exact=False).wait_for(timeout=LONG)
            go_to(page, "Kør")
            page.get_by_text("Sammenligner Flere rådgivere med", exact=False).wait_for(timeout=LONG)
            fill(page, "Kørsler", str(replications))
            fill(page, "År", str(years))
            page.get_by_role("button", name="Kør", exact=True).click()
            page.get_by_text("Færdig: se siden Svar.").wait_for(timeout=LONG)
            go_to(page, "Svar")
            page.locator(".vega-embed").first.wait_for(state="visible", timeout=LONG)  # the first chart drawn
            settle(page)
            page.get_by_text("Færdig: se siden Svar.").wait_for(state="detached", timeout=LONG)  # Kør's, gone
            page.wait_for_timeout(3000)  # the charts finish drawing
            page.screenshot(path=str(out))
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--height", type=int, default=1500, help="pixels of the page shown (the answer and a chart)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "app.png")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        command = [str(Path(sys.executable).parent / "boernesim"), "app", "--port", str(port), "--no-browser"]
        server = subprocess.Popen(command, cwd=home, env={**os.environ, "HOME": home}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("boernesim app did not start")
                time.sleep(0.3)
            take(f"http://127.0.0.1:{port}", args.out, args.children, args.replications, args.years, args.height)
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # the app and the server it started, nothing else
            server.wait(timeout=30)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
