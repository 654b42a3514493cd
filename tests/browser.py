"""Debian's Chromium for the browser tests (Playwright's ``executable_path``; no browser downloads)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_or_skip():
    """Playwright's sync API, or skip (fail under BOERNESIM_REQUIRE_BROWSER=1) with the reason."""
    require = os.environ.get("BOERNESIM_REQUIRE_BROWSER") == "1"
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = (reason + "; " if reason else "") + "the playwright package is missing"
        sync_playwright = None
    if reason:
        reason += " (install both with: bash scripts/install-browser.sh)"
        if require:
            pytest.fail(f"BOERNESIM_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return sync_playwright
