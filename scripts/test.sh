#!/usr/bin/env bash
# Every check and test of Hallpass: formatting, lints, unit and integration tests
# against the real local PostgreSQL and Redis (started if they are not running).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_postgres
ensure_redis

# The shared wire crate also builds for the browser.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p hallpass-shared --target wasm32-unknown-unknown --locked -- -D warnings
echo "== schemathesis (API conformance to docs/openapi.json, as each role)"
bash scripts/schemathesis.sh
echo "== cargo test"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run (cargo prints one per test binary).
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
