#!/usr/bin/env bash
# Session validation throughput against its ceilings, over loopback with wrk.
#
# Builds the release server and bench/baseline (a bare actix-web hello-world and a bare
# handler doing one Redis GET), starts them side by side (idle servers cost nothing),
# then drives every scenario in turn for ROUNDS rounds and prints, for each, the run
# with the median req/s (its req/s, p50 and p99) and its ratio to its ceiling. Interleaving the rounds spreads the
# machine's noise over all scenarios alike. Needs wrk (installed if missing) and the
# local PostgreSQL and Redis.
#
#   bash bench/sessions.sh                          # 3 rounds of 8 s
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 bash bench/sessions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-8s}"
CONNECTIONS="${CONNECTIONS:-32}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hallpass_bench"
export REDIS_URL="redis://127.0.0.1:6379"
export RUST_LOG=warn
# Every instance of the run shares one cookie key, as a deployment's would.
SESSION_SECRET="$(openssl rand -base64 48)"
export SESSION_SECRET
EMAIL="bench@hallpass.test"
PASSWORD="bench password 123"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p hallpass-server -p hallpass-bench-baseline
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hallpass_bench WITH (FORCE)" postgres 2>/dev/null
printf '%s\n' "$PASSWORD" | ./target/release/hallpass user add --email "$EMAIL" --name Bench --role student --password-stdin >/dev/null

wait_for() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

# hallpass PORT ENV... : serves with extra environment, logs a user in, and leaves the
# session cookie in $WORK/cookie-PORT. Runs in this shell so the EXIT trap stops it.
hallpass() {
    local port="$1"; shift
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "port $port is busy: stop whatever runs there first" >&2; exit 1
    fi
    env "$@" BIND="127.0.0.1:$port" ./target/release/hallpass serve >"$WORK/server-$port.log" 2>&1 &
    wait_for "http://127.0.0.1:$port/healthz"
    curl -sf -c "$WORK/jar-$port" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$port/api/auth/login" >/dev/null
    echo "hallpass_session=$(awk '$6 == "hallpass_session" {print $7}' "$WORK/jar-$port")" >"$WORK/cookie-$port"
}

hallpass 18181 SESSION_CACHE=memory
hallpass 18182 SESSION_CACHE=redis
hallpass 18183 SESSION_CACHE=memory CACHE_TTL=0
MEMORY_COOKIE="$(cat "$WORK/cookie-18181")"
REDIS_COOKIE="$(cat "$WORK/cookie-18182")"
MISS_COOKIE="$(cat "$WORK/cookie-18183")"
# The Redis ceiling reads a value of the same size as a cached session.
redis-cli GET "$(redis-cli --scan --pattern 'session:*' | head -n 1)" | redis-cli -x SET hallpass:bench:value >/dev/null
./target/release/hallpass-bench-baseline 127.0.0.1:18184 "$REDIS_URL" hallpass:bench:value &
wait_for "http://127.0.0.1:18184/hello"

# name|url|method|cookie
SCENARIOS=(
    "hello_world|http://127.0.0.1:18184/hello|GET|"
    "bare_redis_get|http://127.0.0.1:18184/redis|GET|"
    "validate_memory|http://127.0.0.1:18181/api/auth/session|GET|$MEMORY_COOKIE"
    "validate_redis|http://127.0.0.1:18182/api/auth/session|GET|$REDIS_COOKIE"
    "ensure_existing_redis|http://127.0.0.1:18182/api/sessions/ensure|POST|$REDIS_COOKIE"
    "validate_cache_miss|http://127.0.0.1:18183/api/auth/session|GET|$MISS_COOKIE"
)

# load NAME URL METHOD COOKIE : one wrk run, appends "name req/s p50 p99" to results.
load() {
    local name="$1" url="$2" method="$3" cookie="$4"
    printf 'wrk.method = "%s"\nwrk.headers["Cookie"] = "%s"\n' "$method" "$cookie" >"$WORK/request.lua"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/request.lua" "$url" >"$WORK/wrk.txt"
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

for scenario in "${SCENARIOS[@]}"; do   # warm-up
    IFS='|' read -r name url method cookie <<<"$scenario"
    printf 'wrk.method = "%s"\nwrk.headers["Cookie"] = "%s"\n' "$method" "$cookie" >"$WORK/request.lua"
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/request.lua" "$url" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    for scenario in "${SCENARIOS[@]}"; do
        IFS='|' read -r name url method cookie <<<"$scenario"
        load "$name" "$url" "$method" "$cookie"
    done
done

echo
echo "median run of $ROUNDS rounds, wrk -t1 -c$CONNECTIONS -d$DURATION over loopback, $(nproc) cores shared by wrk, Redis and the servers"
sort -k1,1 -k2,2n "$WORK/results" | awk -v rounds="$ROUNDS" '
    { n = $1; i = ++count[n]; rps[n, i] = $2; p50[n, i] = $3; p99[n, i] = $4 }
    # Runs of a scenario arrive sorted by req/s: the middle one is the median run.
    function median(arr, name) { return arr[name, int((count[name] + 1) / 2)] }
    END {
        split("hello_world bare_redis_get validate_memory validate_redis ensure_existing_redis validate_cache_miss", order, " ")
        ceiling["validate_memory"] = "hello_world"; goal["validate_memory"] = 0.5
        ceiling["validate_cache_miss"] = "hello_world"
        ceiling["validate_redis"] = "bare_redis_get"; goal["validate_redis"] = 0.7
        ceiling["ensure_existing_redis"] = "bare_redis_get"
        printf "| %-22s | %9s | %8s | %8s | %-31s |\n", "scenario", "req/s", "p50 ms", "p99 ms", "ratio to ceiling (goal)"
        printf "|%s|%s|%s|%s|%s|\n", "------------------------", "-----------", "----------", "----------", "---------------------------------"
        for (j = 1; j <= 6; j++) {
            n = order[j]; c = ceiling[n]
            r = median(rps, n)
            ratio = c == "" ? "ceiling" : sprintf("%.2f x %s%s", r / median(rps, c), c, goal[n] ? sprintf(" (>= %.1f)", goal[n]) : "")
            printf "| %-22s | %9d | %8.3f | %8.3f | %-31s |\n", n, r, median(p50, n), median(p99, n), ratio
        }
    }'
