#!/usr/bin/env bash
# Session validation throughput against its ceilings, over loopback with wrk, and how
# fast a revocation reaches another instance.
#
# Builds the release server and bench/baseline (a bare actix-web hello-world and a bare
# handler doing one Redis GET), starts them side by side (idle servers cost nothing),
# then drives every scenario in turn for ROUNDS rounds and prints, for each, the run
# with the median req/s (its req/s, p50, p99, and the server's CPU time per request)
# and its ratio to its ceiling. Interleaving the rounds spreads the machine's noise over
# all scenarios alike. The servers run as shipped: release build, default logging
# (RUST_LOG=info, one line per request to stderr, here a file); one more runs with
# RUST_LOG=warn to show what the request log costs. Then, for each cache backend, two
# instances: TRIALS revocations on one, polled on the other (bench/propagation.mjs),
# and once more with the channel's subscriptions killed before every revocation. Needs
# wrk (installed if missing), node, and the local PostgreSQL and Redis.
#
#   bash bench/sessions.sh                          # 3 rounds of 8 s, 200 trials
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 TRIALS=500 bash bench/sessions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-8s}"
CONNECTIONS="${CONNECTIONS:-32}"
TRIALS="${TRIALS:-200}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hallpass_bench"
export REDIS_URL="redis://127.0.0.1:6379"
unset RUST_LOG
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

# serve PORT ENV... : starts an instance with extra environment; its pid goes to
# $WORK/pid-PORT. Runs in this shell so the EXIT trap stops it.
serve() {
    local port="$1"; shift
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
        echo "port $port is busy: stop whatever runs there first" >&2; exit 1
    fi
    env "$@" BIND="127.0.0.1:$port" ./target/release/hallpass serve >"$WORK/server-$port.log" 2>&1 &
    echo $! >"$WORK/pid-$port"
    wait_for "http://127.0.0.1:$port/healthz"
}

# hallpass PORT ENV... : serve, then log a user in and leave the session cookie in
# $WORK/cookie-PORT.
hallpass() {
    local port="$1"
    serve "$@"
    curl -sf -c "$WORK/jar-$port" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$port/api/auth/login" >/dev/null
    echo "hallpass_session=$(awk '$6 == "hallpass_session" {print $7}' "$WORK/jar-$port")" >"$WORK/cookie-$port"
}

hallpass 18181 SESSION_CACHE=memory
hallpass 18182 SESSION_CACHE=redis
hallpass 18183 SESSION_CACHE=memory CACHE_TTL=0
hallpass 18185 SESSION_CACHE=memory RUST_LOG=warn
hallpass 18186 SESSION_CACHE=redis L1_TTL=0
cookie() { cat "$WORK/cookie-$1"; }
# The Redis ceiling reads a value of the same size as a cached session.
redis-cli GET "$(redis-cli --scan --pattern 'session:*' | head -n 1)" | redis-cli -x SET hallpass:bench:value >/dev/null
./target/release/hallpass-bench-baseline 127.0.0.1:18184 "$REDIS_URL" hallpass:bench:value &
echo $! >"$WORK/pid-18184"
wait_for "http://127.0.0.1:18184/hello"

# name|url|method|port of the server (its cookie, its CPU time)
SCENARIOS=(
    "hello_world|http://127.0.0.1:18184/hello|GET|18184"
    "bare_redis_get|http://127.0.0.1:18184/redis|GET|18184"
    "validate_memory|http://127.0.0.1:18181/api/auth/session|GET|18181"
    "validate_memory_warn|http://127.0.0.1:18185/api/auth/session|GET|18185"
    "validate_redis|http://127.0.0.1:18182/api/auth/session|GET|18182"
    "validate_redis_no_l1|http://127.0.0.1:18186/api/auth/session|GET|18186"
    "ensure_existing_redis|http://127.0.0.1:18182/api/sessions/ensure|POST|18182"
    "validate_cache_miss|http://127.0.0.1:18183/api/auth/session|GET|18183"
)

# cpu_ticks PORT : user + system CPU time of the server on PORT so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$WORK/pid-$1")/stat"; }

# load NAME URL METHOD PORT : one wrk run, appends "name req/s p50 p99 cpu-us/request"
# to results.
load() {
    local name="$1" url="$2" method="$3" port="$4" before after
    printf 'wrk.method = "%s"\nwrk.headers["Cookie"] = "%s"\n' "$method" "$(cookie "$port" 2>/dev/null)" >"$WORK/request.lua"
    before="$(cpu_ticks "$port")"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/request.lua" "$url" >"$WORK/wrk.txt"
    after="$(cpu_ticks "$port")"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then
        echo "$name: some answers were not 2xx" >&2; cat "$WORK/wrk.txt" >&2; exit 1
    fi
    awk -v name="$name" -v ticks="$((after - before))" -v hz="$(getconf CLK_TCK)" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        $2 == "requests" && $3 == "in" { requests = $1 }
        END { printf "%s %.0f %.3f %.3f %.1f\n", name, rps, p50, p99, ticks * 1e6 / hz / requests }' "$WORK/wrk.txt" >>"$WORK/results"
}

for scenario in "${SCENARIOS[@]}"; do   # warm-up
    IFS='|' read -r name url method port <<<"$scenario"
    cookie="$(cookie "$port" 2>/dev/null || true)"
    printf 'wrk.method = "%s"\nwrk.headers["Cookie"] = "%s"\n' "$method" "$cookie" >"$WORK/request.lua"
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/request.lua" "$url" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    for scenario in "${SCENARIOS[@]}"; do
        IFS='|' read -r name url method port <<<"$scenario"
        load "$name" "$url" "$method" "$port"
    done
done

echo
echo "median run of $ROUNDS rounds, wrk -t1 -c$CONNECTIONS -d$DURATION over loopback, $(nproc) cores shared by wrk, Redis and the servers; servers log at RUST_LOG=info unless named _warn"
sort -k1,1 -k2,2n "$WORK/results" | awk -v rounds="$ROUNDS" '
    { n = $1; i = ++count[n]; rps[n, i] = $2; p50[n, i] = $3; p99[n, i] = $4; cpu[n, i] = $5 }
    # Runs of a scenario arrive sorted by req/s: the middle one is the median run.
    function median(arr, name) { return arr[name, int((count[name] + 1) / 2)] }
    END {
        split("hello_world bare_redis_get validate_memory validate_memory_warn validate_redis validate_redis_no_l1 ensure_existing_redis validate_cache_miss", order, " ")
        ceiling["validate_memory"] = "hello_world"; goal["validate_memory"] = 0.5
        ceiling["validate_memory_warn"] = "hello_world"
        ceiling["validate_redis"] = "hello_world"; goal["validate_redis"] = 0.7
        ceiling["validate_redis_no_l1"] = "bare_redis_get"; goal["validate_redis_no_l1"] = 0.7
        ceiling["ensure_existing_redis"] = "hello_world"
        ceiling["validate_cache_miss"] = "hello_world"
        printf "| %-22s | %9s | %8s | %8s | %11s | %-31s |\n", "scenario", "req/s", "p50 ms", "p99 ms", "CPU us/req", "ratio to ceiling (goal)"
        printf "|%s|%s|%s|%s|%s|%s|\n", "------------------------", "----------:", "---------:", "---------:", "------------:", "---------------------------------"
        for (j = 1; j <= 8; j++) {
            n = order[j]; c = ceiling[n]
            r = median(rps, n)
            ratio = c == "" ? "ceiling" : sprintf("%.2f x %s%s", r / median(rps, c), c, goal[n] ? sprintf(" (>= %.1f)", goal[n]) : "")
            printf "| %-22s | %9d | %8.3f | %8.3f | %11.1f | %-31s |\n", n, r, median(p50, n), median(p99, n), median(cpu, n), ratio
        }
        printf "\nthe request log line at RUST_LOG=info costs %.1f us of CPU per request (validate_memory - validate_memory_warn; goal <= 2)\n", median(cpu, "validate_memory") - median(cpu, "validate_memory_warn")
    }'

# Propagation: two instances per backend sharing the database (and Redis); revocations
# on the first, polled on the second.
kill $(jobs -p) 2>/dev/null || true
wait 2>/dev/null || true
# pair NAME PORT_A PORT_B [BEFORE_REVOKE] ENV... : one propagation row.
pair() {
    local name="$1" port_a="$2" port_b="$3" before="$4"; shift 4
    serve "$port_a" "$@"
    serve "$port_b" "$@"
    until curl -sf "http://127.0.0.1:$port_b/readyz" | grep -q '"invalidation":"live"'; do sleep 0.1; done
    node bench/propagation.mjs "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "$EMAIL" "$PASSWORD" "$TRIALS" "$before" \
        | awk -v name="$name" '{ printf "| %-40s | %6d | %8.1f | %8.1f | %8.1f | %8d |\n", name, $1, $2, $3, $4, $5 }'
    kill "$(cat "$WORK/pid-$port_a")" "$(cat "$WORK/pid-$port_b")"
    wait "$(cat "$WORK/pid-$port_a")" "$(cat "$WORK/pid-$port_b")" 2>/dev/null || true
}
PRIVATE_REDIS_PORT=18199
redis-server --bind 127.0.0.1 --port "$PRIVATE_REDIS_PORT" --save "" --appendonly no >/dev/null &
until redis-cli -p "$PRIVATE_REDIS_PORT" PING >/dev/null 2>&1; do sleep 0.1; done

echo
echo "revocation propagation: sign out on instance A, poll instance B back to back until it refuses (ms from A's answer; goal p50 <= 10, p99 <= 100)"
printf "| %-40s | %6s | %8s | %8s | %8s | %8s |\n" "backend" "trials" "p50 ms" "p99 ms" "max ms" "accepted"
printf "|%s|%s|%s|%s|%s|%s|\n" "------------------------------------------" "-------:" "---------:" "---------:" "---------:" "---------:"
pair "redis (L1_TTL=1s)" 18191 18192 "" SESSION_CACHE=redis
pair "postgres (L1_TTL=1s)" 18193 18194 "" SESSION_CACHE=postgres
pair "memory" 18195 18196 "" SESSION_CACHE=memory
pair "redis, subscriptions killed before each" 18197 18198 \
    "redis-cli -p $PRIVATE_REDIS_PORT CLIENT KILL TYPE pubsub" \
    SESSION_CACHE=redis REDIS_URL="redis://127.0.0.1:$PRIVATE_REDIS_PORT"
