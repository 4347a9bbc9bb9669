#!/usr/bin/env bash
# What the login throttle costs: round trips to its store per login attempt (counted by
# the store itself: a private Redis's command statistics), and the login time with the
# counters in Redis beside the same server counting in memory (its ceiling: argon2id
# dominates a login). Release build, default settings, the local PostgreSQL.
#
#   bash bench/login.sh
#   LOGINS=200 bash bench/login.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres

LOGINS="${LOGINS:-100}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --locked -q --bin hallpass
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
REDIS_PORT="$(free_port)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null &
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hallpass_bench_login"
export SESSION_SECRET="$(openssl rand -base64 48)"
export RUST_LOG=warn
# Nobody is throttled during the measurement: only the cost of counting is measured.
export LOGIN_MAX_FAILURES=1000000
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hallpass_bench_login WITH (FORCE)" postgres 2>/dev/null
printf 'bench password 123\n' | ./target/release/hallpass user add --email bench@login.test \
    --name Bench --role student --password-stdin >/dev/null

# serve PORT ENV...: a release server on PORT with extra environment.
serve() {
    local port="$1"; shift
    env "$@" BIND="127.0.0.1:$port" ./target/release/hallpass serve >>"$WORK/server.log" 2>&1 &
    until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
}
# logins PORT PASSWORD: LOGINS sequential logins, one "seconds" line each, fresh jar each.
logins() {
    for n in $(seq 1 "$LOGINS"); do
        curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
            -d "{\"email\":\"bench@login.test\",\"password\":\"$2\"}" "http://127.0.0.1:$1/api/auth/login"
    done
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f ms", v[int((NR + 1) / 2)] * 1000 }'; }
# Counter operations are Lua scripts: the store's EVAL count is the round trips.
evals() { redis-cli -p "$REDIS_PORT" INFO commandstats | sed -n 's/^cmdstat_eval:calls=\([0-9]*\),.*/\1/p' | grep . || echo 0; }

REDIS_API="$(free_port)"; MEMORY_API="$(free_port)"
serve "$REDIS_API" SESSION_CACHE=redis REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
serve "$MEMORY_API" SESSION_CACHE=memory
logins "$REDIS_API" "bench password 123" >/dev/null   # warm-up
logins "$MEMORY_API" "bench password 123" >/dev/null

before="$(evals)"; failed_redis="$(logins "$REDIS_API" "wrong password!" | median)"; after="$(evals)"
failed_trips="$(awk -v a="$before" -v b="$after" -v n="$LOGINS" 'BEGIN { printf "%.2f", (b - a) / n }')"
before="$(evals)"; ok_redis="$(logins "$REDIS_API" "bench password 123" | median)"; after="$(evals)"
ok_trips="$(awk -v a="$before" -v b="$after" -v n="$LOGINS" 'BEGIN { printf "%.2f", (b - a) / n }')"
failed_memory="$(logins "$MEMORY_API" "wrong password!" | median)"
ok_memory="$(logins "$MEMORY_API" "bench password 123" | median)"

echo
echo "$LOGINS sequential logins each; counters in a private Redis beside the same server counting in memory"
echo
echo "| login | counter round trips per login | p50, counters in Redis | p50, counters in memory (ceiling) |"
echo "| --- | ---: | ---: | ---: |"
echo "| wrong password | $failed_trips | $failed_redis | $failed_memory |"
echo "| right password | $ok_trips | $ok_redis | $ok_memory |"
