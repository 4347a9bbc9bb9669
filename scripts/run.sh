#!/usr/bin/env bash
# Builds the SPA (release, wasm-opt) and the server, then runs Hallpass on
# http://127.0.0.1:8080 against the local PostgreSQL (database `hallpass`, created if
# missing), with Redis as the session cache when it answers, and new sessions located
# with the CC0 country database npm installs (GEOIP_DB). Installs the SPA build tools on
# first use (see scripts/tools.sh).
# Prints fresh demo credentials (one account per role) before serving.
# Any setting can be overridden through the environment (see docs/CONFIGURATION.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
source scripts/tools.sh

ensure_postgres
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hallpass}"
if [ -z "${REDIS_URL:-}" ] && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379"
fi

ensure_wasm_tools
ensure_npm_packages
build_spa
export GEOIP_DB="${GEOIP_DB:-$PWD/e2e/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb}"
cargo build --release --locked --bin hallpass
./target/release/hallpass demo
exec ./target/release/hallpass serve --dev
