#!/usr/bin/env bash
# Every check and test of Hallpass: formatting, lints, unit and integration tests
# against the real local PostgreSQL and Redis (started if they are not running).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_postgres
ensure_redis

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
