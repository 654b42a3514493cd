#!/usr/bin/env bash
# Use the repository's git hooks (scripts/git-hooks: commit-msg checks the subject's length and area prefix).
# Run once per clone: bash scripts/install-hooks.sh
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
chmod +x scripts/git-hooks/*
git config core.hooksPath scripts/git-hooks
echo "git hooks: core.hooksPath = scripts/git-hooks ($(ls scripts/git-hooks | tr '\n' ' '))"
