#!/usr/bin/env bash
# Browser tests of the SPA: builds the SPA (release) and the server, then runs the
# Playwright tests in e2e/ against them (see e2e/playwright.config.js).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
source scripts/tools.sh

ensure_postgres
ensure_redis
ensure_spa_tools
build_spa
cargo build --locked -p hallpass-server --bin hallpass
run_e2e "$@"
