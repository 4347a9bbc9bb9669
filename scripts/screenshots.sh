#!/usr/bin/env bash
# Refreshes the README's screenshots: runs the end-to-end test that takes them (it writes
# them under target/screenshots/, so test runs leave the tree clean) and copies them to
# docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/e2e.sh -g 'screenshotted|oversees users'
cp target/screenshots/*.png docs/screenshots/
git status --short docs/screenshots
