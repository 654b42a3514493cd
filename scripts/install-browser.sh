#!/usr/bin/env bash
# Installs what the report's browser test needs: Debian's Chromium and the Playwright Python package.
#
#   bash scripts/install-browser.sh            # playwright into the active Python (see below)
#   PYTHON=.venv/bin/python bash scripts/install-browser.sh
#
# The active Python is $PYTHON if set, else the activated virtualenv's ($VIRTUAL_ENV), else the project's
# .venv next to this folder if it exists, else python3 on PATH.
#
# Idempotent: does nothing when /usr/bin/chromium and playwright are already there. It never downloads
# Playwright's own browser builds (`playwright install` is not run): the test drives /usr/bin/chromium.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ -x /usr/bin/chromium ]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
else
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "install-browser: need root (or sudo) to apt-get install chromium" >&2; exit 1
        fi
    fi
    echo "chromium: installing Debian's package"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

# CHROMIUM_ONLY=1: the browser only (CI, before the project's own install brings playwright)
if [ "${CHROMIUM_ONLY:-0}" = 1 ]; then exit 0; fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${PYTHON:-}" ]; then
    py="$PYTHON"
elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    py="$VIRTUAL_ENV/bin/python"
elif [ -x "$repo/.venv/bin/python" ]; then
    py="$repo/.venv/bin/python"
else
    py="$(command -v python3)"
fi

if "$py" -c "import playwright.sync_api" >/dev/null 2>&1; then
    echo "playwright: already installed in $py"
else
    echo "playwright: pip install into $py"
    "$py" -m pip install -q "playwright>=1.40,<2"
fi
