#!/usr/bin/env bash
# Hallpass under faults, on real processes: the release server (default settings) on a
# private PostgreSQL cluster (a primary and a streaming standby) and a private Redis,
# each on its own loopback port and temporary directory, so the machine's own services
# are never touched. Clients poll the API while a dependency is hung (SIGSTOP), crashed
# (SIGKILL), restarted or its connections reset, the server itself is killed during a
# login burst, the primary is stopped and the standby promoted, and finally, with Redis
# under Sentinel (a master, a replica, three sentinels), the master is killed. Prints one
# row per scenario: answers by status during the fault, the slowest answer, and the time
# from healing to service.
#
#   bash bench/faults.sh
#   CLIENTS=16 bash bench/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS="${CLIENTS:-8}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
SERVER_PID=""
PG_PID=""
STANDBY_PID=""
REDIS_PID=""
SENTINEL_PIDS=""
cleanup() {
    for pid in $SERVER_PID $REDIS_PID $STANDBY_PID $SENTINEL_PIDS; do kill -CONT "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
    if [ -n "$PG_PID" ]; then pkill -CONT -P "$PG_PID" 2>/dev/null || true; kill -CONT "$PG_PID" 2>/dev/null || true
        pkill -KILL -P "$PG_PID" 2>/dev/null || true; kill -KILL "$PG_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cargo build --release --locked -q --bin hallpass
BIN="$PWD/target/release/hallpass"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
# PostgreSQL refuses to run as root: when this script does, the cluster runs as postgres
# (setpriv execs, so $! of a background start is the postmaster itself).
AS_POSTGRES=()
[ "$(id -u)" = 0 ] && AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --clear-groups)

PG_PORT="$(free_port)"
REDIS_PORT="$(free_port)"
API_PORT="$(free_port)"
API="http://127.0.0.1:$API_PORT"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
"${AS_POSTGRES[@]}" "$PG_BIN/initdb" --auth=trust --username=postgres --no-sync -D "$WORK/pg/data" >/dev/null

start_pg() {
    rm -f "$WORK/pg/data/postmaster.pid"
    "${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$WORK/pg/data" -p "$PG_PORT" -k "$WORK/pg" \
        -c listen_addresses=127.0.0.1 -c fsync=off >"$WORK/pg.log" 2>&1 &
    PG_PID=$!
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; do sleep 0.05; done
}
# signal_pg SIG: the postmaster, then every backend (each runs in a session of its own).
signal_pg() { kill "-$1" "$PG_PID"; pkill "-$1" -P "$PG_PID" || true; }
start_redis() {
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null &
    REDIS_PID=$!
    until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
}

STANDBY_PORT="$(free_port)"
# Both servers, libpq's way: connections go to whichever takes writes.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT,127.0.0.1:$STANDBY_PORT/hallpass?target_session_attrs=read-write"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export SESSION_SECRET="$(openssl rand -base64 48)"
export BIND="127.0.0.1:$API_PORT"
export STATIC_DIR="$WORK/no-spa"
export RUST_LOG=warn

start_server() {
    "$BIN" serve >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    until curl -sf -o /dev/null "$API/healthz"; do sleep 0.05; done
}

# login EMAIL JAR: logs in with the bench password, keeping the cookie in JAR; prints
# "status seconds".
login() {
    curl -s -o /dev/null -w '%{http_code} %{time_total}' -c "$2" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"bench password 123\"}" "$API/api/auth/login"
}

# poll SECONDS PATH LOG: CLIENTS loops, each with its own session, request PATH until
# SECONDS have passed, logging "status seconds" per answer.
POLLERS=()
poll() {
    local until=$(( $(now_ms) + $1 * 1000 ))
    POLLERS=()
    for client in $(seq 1 "$CLIENTS"); do
        (
            while [ "$(now_ms)" -lt "$until" ]; do
                curl -s -o /dev/null -m 60 -w '%{http_code} %{time_total}\n' \
                    -b "$WORK/jar-$client" "$API$2" >>"$3" || echo "000 0" >>"$3"
            done
        ) &
        POLLERS+=($!)
    done
}
# Waits for the clients only (the server and the services run in the background too).
wait_pollers() { wait "${POLLERS[@]}"; }

# until_ok PATH [JQ-FREE MATCH]: milliseconds until PATH answers 200 (and contains MATCH).
until_ok() {
    local started; started="$(now_ms)"
    until body="$(curl -sf -m 10 -b "$WORK/jar-1" "$API$1")" && [[ "$body" == *"${2:-}"* ]]; do sleep 0.02; done
    echo $(( $(now_ms) - started ))
}

ROWS=()
# row NAME LOG RECOVERY: counts the answers in LOG by status.
row() {
    ROWS+=("$(awk -v name="$1" -v recovery="$3" '
        { total++; slowest = ($2 > slowest ? $2 : slowest) }
        $1 ~ /^2/ { ok++ } $1 == "401" { refused++ } $1 == "503" { unavailable++ }
        $1 !~ /^2/ && $1 != "401" && $1 != "503" { other++ }
        END { printf "| %s | %d | %d | %d | %d | %d | %.0f ms | %s |", name, total, ok, refused,
              unavailable, other, slowest * 1000, recovery }' "$2")")
}

# start_standby: a base backup of the primary that streams from it (-R), started.
start_standby() {
    mkdir -p "$WORK/standby"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/standby"
    "${AS_POSTGRES[@]}" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
        -R -X stream --no-sync -D "$WORK/standby/data"
    "${AS_POSTGRES[@]}" "$PG_BIN/postgres" -D "$WORK/standby/data" -p "$STANDBY_PORT" -k "$WORK/standby" \
        -c listen_addresses=127.0.0.1 -c fsync=off >"$WORK/standby.log" 2>&1 &
    STANDBY_PID=$!
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$STANDBY_PORT"; do sleep 0.05; done
}

start_pg
start_standby
start_redis
"$BIN" migrate >/dev/null
for client in $(seq 1 "$CLIENTS"); do
    printf 'bench password 123\n' | "$BIN" user add --email "client$client@faults.test" \
        --name "Client $client" --role student --password-stdin >/dev/null
done
start_server
for client in $(seq 1 "$CLIENTS"); do
    [ "$(login "client$client@faults.test" "$WORK/jar-$client" | cut -d' ' -f1)" = 200 ]
done

echo "== Redis killed (SIGKILL) under load, restarted 2 s later"
LOG="$WORK/redis.log"; : >"$LOG"
poll 6 /api/auth/session "$LOG"
sleep 1; kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
sleep 2; start_redis
recovery="$(until_ok /readyz '"cache":"ok"') ms to a green cache"
wait_pollers
row "Redis killed, restarted" "$LOG" "$recovery"

echo "== Redis's client connections reset (CLIENT KILL) under load, Redis itself never down"
# cache_hits: how many validations Redis has answered so far (the metrics' counter).
cache_hits() {
    curl -s "$API/metrics" | awk '/^hallpass_session_validations_total\{outcome="valid",source="cache"\}/ { print $2 }'
}
LOG="$WORK/redis-reset.log"; : >"$LOG"
poll 4 /api/auth/session "$LOG"
sleep 1; hits="$(cache_hits)"
started="$(now_ms)"
redis-cli -p "$REDIS_PORT" CLIENT KILL TYPE normal >/dev/null
redis-cli -p "$REDIS_PORT" CLIENT KILL TYPE pubsub >/dev/null
until [ "$(cache_hits)" != "$hits" ] && curl -s "$API/metrics" | grep -q '^hallpass_cache_up 1'; do
    [ $(( $(now_ms) - started )) -lt 10000 ] || break
    sleep 0.02
done
recovery="$(( $(now_ms) - started )) ms to the first answer from Redis (the local tier answers meanwhile, up to L1_TTL 1 s)"
wait_pollers
row "Redis connections reset" "$LOG" "$recovery"

echo "== PostgreSQL hung (SIGSTOP) for 10 s under load"
LOG="$WORK/pg-hung.log"; : >"$LOG"
poll 14 /api/sessions "$LOG"
sleep 1; signal_pg STOP
sleep 10; signal_pg CONT
recovery="$(until_ok /api/sessions) ms to the first answer"
wait_pollers
row "PostgreSQL hung 10 s" "$LOG" "$recovery"

echo "== PostgreSQL crashed (SIGKILL) under load, restarted 4 s later"
LOG="$WORK/pg-crashed.log"; : >"$LOG"
poll 8 /api/sessions "$LOG"
sleep 1; signal_pg KILL; wait "$PG_PID" 2>/dev/null || true
sleep 4; start_pg
recovery="$(until_ok /api/sessions) ms to the first answer"
wait_pollers
row "PostgreSQL crashed, restarted" "$LOG" "$recovery"

echo "== the server killed (SIGKILL) during a login burst, then restarted"
LOG="$WORK/burst.log"; : >"$LOG"
POLLERS=()
for client in $(seq 1 "$CLIENTS"); do
    (
        for attempt in $(seq 1 40); do
            answer="$(login "client$client@faults.test" "$WORK/burst-$client-$attempt" || true)"
            echo "${answer:-000 0}" >>"$LOG"
        done
    ) &
    POLLERS+=($!)
done
sleep 1.5; kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
wait_pollers
started="$(now_ms)"; start_server; restart_ms=$(( $(now_ms) - started ))
valid=0; invalid=0
for jar in "$WORK"/burst-*; do
    grep -q hallpass_session "$jar" 2>/dev/null || continue
    code="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$API/api/auth/session")"
    if [ "$code" = 200 ]; then valid=$((valid + 1)); else invalid=$((invalid + 1)); fi
done
orphans="$(psql -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres hallpass -c "
    SELECT (SELECT count(*) FROM user_sessions s WHERE NOT EXISTS (SELECT 1 FROM session_events e
              WHERE e.session_id = s.id AND e.kind = 'session_created'))
         + (SELECT count(*) FROM session_events e WHERE e.kind = 'session_created' AND NOT EXISTS
              (SELECT 1 FROM user_sessions s WHERE s.id = e.session_id))")"
row "server SIGKILL mid-burst (other: refused while down)" "$LOG" "restart ${restart_ms} ms; cookies issued: $valid valid, $invalid refused; sessions without their event or events without their session: $orphans"

echo "== the server restarted (SIGTERM) with Redis flushed"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
start_server
LOG="$WORK/restart.log"; : >"$LOG"
poll 2 /api/auth/session "$LOG"
wait_pollers
row "server SIGTERM, Redis flushed" "$LOG" "every session kept"

echo "== PostgreSQL switchover under load: the primary stopped, the standby promoted 1 s later"
LOG="$WORK/pg-switchover.log"; : >"$LOG"
poll 6 /api/sessions "$LOG"
sleep 1; "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" stop -m fast -D "$WORK/pg/data" >/dev/null
wait "$PG_PID" 2>/dev/null || true; PG_PID=""
sleep 1; "${AS_POSTGRES[@]}" "$PG_BIN/pg_ctl" promote -w -D "$WORK/standby/data" >/dev/null
recovery="$(until_ok /api/sessions) ms from the promotion to the first answer, no restart"
wait_pollers
row "PostgreSQL switchover" "$LOG" "$recovery"

echo "== Redis under Sentinel: the master killed under load, the replica promoted"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
start_redis
MASTER_PID="$REDIS_PID"
REPLICA_PORT="$(free_port)"
redis-server --bind 127.0.0.1 --port "$REPLICA_PORT" --save "" --appendonly no \
    --replicaof 127.0.0.1 "$REDIS_PORT" >/dev/null &
REDIS_PID="$REDIS_PID $!"
SENTINELS=()
for index in 1 2 3; do
    port="$(free_port)"
    printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor hallpass 127.0.0.1 %s 2\nsentinel down-after-milliseconds hallpass 500\nsentinel failover-timeout hallpass 5000\n' \
        "$port" "$WORK" "$REDIS_PORT" >"$WORK/sentinel-$index.conf"
    redis-server "$WORK/sentinel-$index.conf" --sentinel >/dev/null &
    SENTINEL_PIDS="$SENTINEL_PIDS $!"
    SENTINELS+=("127.0.0.1:$port")
done
SENTINEL_PORT="${SENTINELS[0]#127.0.0.1:}"
# Every sentinel knows the two others and the replica before the master is hurt.
for sentinel in "${SENTINELS[@]}"; do
    until [ "$(redis-cli -p "${sentinel#127.0.0.1:}" SENTINEL sentinels hallpass | grep -c runid)" -ge 2 ] \
        && [ "$(redis-cli -p "${sentinel#127.0.0.1:}" SENTINEL replicas hallpass | grep -c runid)" -ge 1 ]; do
        sleep 0.1
    done
done
unset REDIS_URL
REDIS_SENTINELS="$(IFS=,; echo "${SENTINELS[*]}")"
export REDIS_SENTINELS REDIS_SENTINEL_MASTER=hallpass
start_server
# The cache in use (the instance asked the sentinels for the master).
until [ -n "$(cache_hits)" ]; do
    curl -s -o /dev/null -b "$WORK/jar-1" "$API/api/auth/session"; sleep 0.2
done
LOG="$WORK/sentinel.log"; : >"$LOG"
poll 8 /api/auth/session "$LOG"
sleep 1; kill -KILL "$MASTER_PID"; wait "$MASTER_PID" 2>/dev/null || true
killed="$(now_ms)"
until [ "$(redis-cli -p "$SENTINEL_PORT" SENTINEL get-master-addr-by-name hallpass | tail -n 1)" = "$REPLICA_PORT" ]; do
    sleep 0.02
done
promoted="$(now_ms)"; hits="$(cache_hits)"
until [ "$(cache_hits)" != "$hits" ] || [ $(( $(now_ms) - promoted )) -gt 20000 ]; do sleep 0.02; done
recovery="promoted $(( promoted - killed )) ms after the kill; the cache answered $(( $(now_ms) - promoted )) ms after the promotion"
wait_pollers
row "Redis master killed under Sentinel" "$LOG" "$recovery"

echo
echo "$CLIENTS clients; default settings (DB_POOL_TIMEOUT 2s, DB_QUERY_TIMEOUT 5s, CACHE_TTL 60s)"
echo
echo "| scenario | answers | 2xx | 401 | 503 | other | slowest | recovery |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
