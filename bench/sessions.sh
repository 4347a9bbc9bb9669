#!/usr/bin/env bash
# Session validation throughput against its ceilings, over loopback with wrk.
#
# Builds the release server and bench/baseline (a bare actix-web hello-world and a bare
# handler doing one Redis GET), then for each scenario starts the server, logs a user
# in, and drives the endpoint with wrk. Prints req/s, p50, p99 and the ratio to the
# scenario's ceiling. Needs wrk (apt-get install wrk) and the local PostgreSQL + Redis.
#
#   bash bench/sessions.sh                 # 10 s per scenario
#   DURATION=30s CONNECTIONS=64 bash bench/sessions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
PORT=18181
BASE_PORT=18182
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hallpass_bench"
export REDIS_URL="redis://127.0.0.1:6379"
export RUST_LOG=warn
EMAIL="bench@hallpass.test"
PASSWORD="bench password 123"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p hallpass-server -p hallpass-bench-baseline
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hallpass_bench WITH (FORCE)" postgres
printf '%s\n' "$PASSWORD" | ./target/release/hallpass user add --email "$EMAIL" --name Bench --role student --password-stdin >/dev/null

wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# start_server ENV... : starts hallpass with extra environment, logs in, sets $COOKIE.
start_server() {
    env "$@" BIND="127.0.0.1:$PORT" ./target/release/hallpass serve >"$WORK/server.log" 2>&1 &
    SERVER=$!
    wait_for "http://127.0.0.1:$PORT/healthz"
    curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$PORT/api/auth/login" >/dev/null
    COOKIE="hallpass_session=$(awk '$6 == "hallpass_session" {print $7}' "$WORK/jar")"
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

# load NAME URL [METHOD] : runs wrk and records "name req/s p50 p99" in $WORK/results.
load() {
    local name="$1" url="$2" method="${3:-GET}"
    printf 'wrk.method = "%s"\nwrk.headers["Cookie"] = "%s"\n' "$method" "${COOKIE:-}" >"$WORK/request.lua"
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/request.lua" "$url" >/dev/null   # warm-up
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/request.lua" "$url" >"$WORK/wrk.txt"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then
        echo "$name: some answers were not 2xx" >&2; cat "$WORK/wrk.txt" >&2; exit 1
    fi
    awk -v name="$name" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END { printf "%s %.0f %.3f %.3f\n", name, rps, p50, p99 }' "$WORK/wrk.txt" >>"$WORK/results"
}

# Ceilings.
start_server SESSION_CACHE=redis
HASH="$(redis-cli --scan --pattern 'session:*' | head -n 1)"
redis-cli GET "$HASH" | redis-cli -x SET hallpass:bench:value >/dev/null   # same value size as a cached session
stop_server
./target/release/hallpass-bench-baseline "127.0.0.1:$BASE_PORT" "$REDIS_URL" hallpass:bench:value &
BASELINE=$!
wait_for "http://127.0.0.1:$BASE_PORT/hello"
COOKIE="" load hello_world "http://127.0.0.1:$BASE_PORT/hello"
COOKIE="" load bare_redis_get "http://127.0.0.1:$BASE_PORT/redis"
kill "$BASELINE"; wait "$BASELINE" 2>/dev/null || true

# Hallpass.
start_server SESSION_CACHE=memory
load validate_memory "http://127.0.0.1:$PORT/api/auth/session"
stop_server
start_server SESSION_CACHE=redis
load validate_redis "http://127.0.0.1:$PORT/api/auth/session"
load ensure_existing_redis "http://127.0.0.1:$PORT/api/sessions/ensure" POST
stop_server
start_server SESSION_CACHE=memory CACHE_TTL=0
load validate_cache_miss "http://127.0.0.1:$PORT/api/auth/session"
stop_server

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION over loopback, $(nproc) cores; server with default workers"
awk '
    { rps[$1] = $2; p50[$1] = $3; p99[$1] = $4; order[NR] = $1 }
    END {
        ceiling["validate_memory"] = "hello_world"; goal["validate_memory"] = 0.5
        ceiling["validate_cache_miss"] = "hello_world"
        ceiling["validate_redis"] = "bare_redis_get"; goal["validate_redis"] = 0.7
        ceiling["ensure_existing_redis"] = "bare_redis_get"
        printf "| %-22s | %9s | %8s | %8s | %-26s |\n", "scenario", "req/s", "p50 ms", "p99 ms", "ratio to ceiling (goal)"
        printf "|%s|%s|%s|%s|%s|\n", "------------------------", "-----------", "----------", "----------", "----------------------------"
        for (i = 1; i <= NR; i++) {
            n = order[i]; c = ceiling[n]
            ratio = c == "" ? "ceiling" : sprintf("%.2f x %s%s", rps[n] / rps[c], c, goal[n] ? sprintf(" (>= %.1f)", goal[n]) : "")
            printf "| %-22s | %9d | %8.3f | %8.3f | %-26s |\n", n, rps[n], p50[n], p99[n], ratio
        }
    }' "$WORK/results"
