#!/usr/bin/env bash
# The SPA's size and speed: builds the release SPA (wasm-opt) and the release server, then
# prints the wasm's gzip size and the login-form-to-dashboard time in Chromium over
# loopback (median of RUNS logins, default 20). Needs the local PostgreSQL and Redis.
#
#   bash bench/spa.sh
#   RUNS=50 bash bench/spa.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
source scripts/tools.sh
ensure_postgres
ensure_redis
ensure_spa_tools
build_spa >/dev/null
cargo build --release --locked -p hallpass-server --bin hallpass
HALLPASS_BIN="$PWD/target/release/hallpass" node bench/spa.js
