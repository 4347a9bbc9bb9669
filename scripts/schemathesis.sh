#!/usr/bin/env bash
# Property-based API tests: schemathesis generates requests from /api/openapi.json and
# checks every answer against the document (status, headers, body schema) and for 5xx.
# Runs against a real server on a fresh database, once per role (student, teacher,
# admin). Installs schemathesis into target/ on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis

VERSION=4.32.5
VENV=target/schemathesis-venv
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi

PORT="${SCHEMATHESIS_PORT:-18301}"
DB="hallpass_schemathesis_$$"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export RUST_LOG=warn
PASSWORD="schemathesis password"
WORK="$(mktemp -d)"
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --locked -q --bin hallpass
for role in student teacher admin; do
    printf '%s\n' "$PASSWORD" | ./target/debug/hallpass user add \
        --email "$role@schemathesis.test" --name "Fuzzed $role" --role "$role" --password-stdin >/dev/null
done
SESSION_SECRET="$(openssl rand -base64 48)" SESSION_CACHE=redis REDIS_URL=redis://127.0.0.1:6379 \
    LOGIN_MAX_FAILURES=1000000 BIND="127.0.0.1:$PORT" \
    ./target/debug/hallpass serve >"$WORK/server.log" 2>&1 &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

status=0
for role in student teacher admin; do
    curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$role@schemathesis.test\",\"password\":\"$PASSWORD\"}" \
        "http://127.0.0.1:$PORT/api/auth/login" >/dev/null
    export HALLPASS_COOKIE="$(awk '$6 == "hallpass_session" {print $7}' "$WORK/jar")"
    echo "== schemathesis as $role"
    # Operations that end the session being used (logout, revoking sessions, changing
    # or setting a password, deactivating or demoting users) would leave the rest of the
    # run anonymous; they are exercised by the integration tests instead.
    "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run \
        "http://127.0.0.1:$PORT/api/openapi.json" \
        --checks all --phases examples,coverage,fuzzing --seed 1 --no-color \
        --exclude-operation-id logout --exclude-operation-id revoke_other_sessions \
        --exclude-operation-id revoke_session --exclude-operation-id change_password \
        --exclude-operation-id revoke_user_sessions --exclude-operation-id update_user \
        --exclude-operation-id set_user_password --exclude-operation-id admin_revoke_session || status=1
done
if grep -q "panicked" "$WORK/server.log"; then
    echo "the server panicked:" >&2; grep -A5 panicked "$WORK/server.log" >&2; status=1
fi
exit "$status"
