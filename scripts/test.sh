#!/usr/bin/env bash
# Every check and test of Hallpass: formatting, lints (host and wasm), API conformance,
# unit and integration tests against the real local PostgreSQL and Redis (started if they
# are not running), the SPA's tests in headless Chromium, and the end-to-end browser tests.
# Installs the SPA tools on first use (see scripts/tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
source scripts/tools.sh

ensure_postgres
ensure_redis
ensure_nginx
ensure_caddy
ensure_spa_tools

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p hallpass-shared -p hallpass-client --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p hallpass-client --features admin --all-targets --target wasm32-unknown-unknown --locked -- -D warnings
echo "== schemathesis (API conformance to docs/openapi.json, as each role)"
bash scripts/schemathesis.sh

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# Runs one test suite, keeping its output for the closing tally; a failure fails the run
# but the other suites still run.
suite() {
    echo "== $*"
    set +e
    "$@" 2>&1 | tee -a "$log"
    local code=${PIPESTATUS[0]}
    set -e
    if [ "$code" -ne 0 ]; then status=$code; fi
}

suite cargo test --workspace --locked
suite cargo test -p hallpass-client --features admin --locked
suite cargo test -p hallpass-client --features admin --target wasm32-unknown-unknown --locked
echo "== build the SPA (release) and the server for the browser tests"
build_spa
cargo build --locked -p hallpass-server --bin hallpass
suite run_e2e
echo "== the browser tests that sign in, revoke and sign out, through nginx in front of two instances"
suite run_e2e_behind_nginx -g "logs in through the form|ensure is posted once|revoked from the panel|signing out all other|password change|new device"

# One closing line for the whole run: cargo prints one line per test binary, Playwright
# one per outcome.
awk '
    /^test result:/ { passed += $4; failed += $6 }
    /^ +[0-9]+ passed \(/ { passed += $1 }
    /^ +[0-9]+ failed$/ { failed += $1 }
    END { printf "tests: %d passed, %d failed\n", passed, failed }
' "$log"
exit "$status"
