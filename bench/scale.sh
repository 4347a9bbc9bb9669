#!/usr/bin/env bash
# What each cost is at district scale: 200,000 users, 1,000,000 sessions (30% revoked or
# idle, one teacher with 1,000 active ones) and 20,000,000 audit events over a year,
# written at native speed (SQL generate_series, bench/scale/*.sql), measured against
# release servers on the local PostgreSQL and Redis, and printed as a table beside the
# goals of issue 13. The servers run as shipped (default logging), with SESSION_TTL=30d
# and MAX_SESSIONS_PER_USER=1000 so the heavy teacher's sessions are all valid.
#
# Validation runs under wrk (-t1 -c32) like bench/sessions.sh: "warm" cycles over 1,000
# sessions already cached; "cold" presents a session never seen before on every request
# (minted cookies, bench/scale/src/main.rs), so each is a cache miss read from the
# 1,000,000-row table. Lists, searches, pages and logins are timed one request at a
# time (bench/scale/measure.mjs). The purge is timed on 1,000,000 more sessions past
# their lifetime while a steady 300 validations a second read the database.
#
#   bash bench/scale.sh                      # the district above, about 10 minutes
#   USERS=20000 SESSIONS=100000 EVENTS=2000000 bash bench/scale.sh   # a smaller one
#   REUSE=1 bash bench/scale.sh              # measure the district the last run left
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

USERS="${USERS:-200000}"
SESSIONS="${SESSIONS:-1000000}"
EVENTS="${EVENTS:-20000000}"
EXPIRED="${EXPIRED:-$SESSIONS}"
COLD="${COLD:-40000}"   # never-seen sessions per backend for the cold runs
WARM=1000
DURATION="${DURATION:-6s}"
DB=hallpass_scale
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="redis://127.0.0.1:6379"
export SESSION_TTL=30d MAX_SESSIONS_PER_USER=1000
unset RUST_LOG
PASSWORD="district password 123"
STATE="target/bench-scale"   # what REUSE needs from the last run: the cookies, the key
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@" "$DB"; }
sql() { psql_db -Atc "$1"; }
elapsed() { echo "$(( $(date +%s) - $1 ))"; }
# step NAME : says how long the step before took, and starts NAME.
STEP="" STEP_STARTED=0
step() {
    if [[ -n "$STEP" ]]; then echo "$STEP: $(elapsed "$STEP_STARTED") s" >&2; fi
    STEP="$1" STEP_STARTED="$(date +%s)"
}

cargo build --release --locked -q -p hallpass-server -p hallpass-bench-scale

# --- The district ---------------------------------------------------------------------
# bulk_load TABLE COMMAND... : runs COMMAND with TABLE's indexes, keys, foreign keys (its
# own, and other tables' that point at it) and autovacuum off, then builds the indexes and
# checks the keys again as the migrations defined them: far faster than keeping indexes up
# to date row by row, and than a foreign key check per row (each locks the user's row;
# with two loaders that doubled the load).
bulk_load() {
    local table="$1" started; shift
    sql "SELECT indexdef FROM pg_indexes WHERE tablename = '$table'" >"$WORK/$table-indexes"
    sql "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '$table'::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC" >"$WORK/$table-keys"
    sql "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE confrelid = '$table'::regclass AND conrelid <> '$table'::regclass" >"$WORK/$table-referencing"
    awk -F'|' '{ print "ALTER TABLE " $1 " DROP CONSTRAINT " $2 ";" }' "$WORK/$table-referencing" | psql_db
    awk -F'|' -v t="$table" '{ print "ALTER TABLE " t " DROP CONSTRAINT " $1 ";" }' "$WORK/$table-keys" | psql_db
    sql "SELECT indexname FROM pg_indexes WHERE tablename = '$table'" | awk '{ print "DROP INDEX " $1 ";" }' | psql_db
    sql "ALTER TABLE $table SET (autovacuum_enabled = false)"
    "$@"
    started="$(date +%s)"
    { echo "SET maintenance_work_mem = '1GB';"
      awk -F'|' -v t="$table" '{ print "ALTER TABLE " t " ADD CONSTRAINT " $1 " " $2 ";" }' "$WORK/$table-keys"
      grep -v -F -f <(cut -d'|' -f1 "$WORK/$table-keys") "$WORK/$table-indexes" | sed 's/$/;/'
      awk -F'|' '{ print "ALTER TABLE " $1 " ADD CONSTRAINT " $2 " " $3 ";" }' "$WORK/$table-referencing"
      echo "ALTER TABLE $table RESET (autovacuum_enabled);"
    } | psql_db
    echo "$table: indexes and keys rebuilt in $(elapsed "$started") s" >&2
}

seed() {
    local started user_ids
    rm -rf "$STATE" && mkdir -p "$STATE"
    openssl rand -base64 48 >"$STATE/secret"
    export SESSION_SECRET; SESSION_SECRET="$(cat "$STATE/secret")"
    psql -X -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
    printf '%s\n' "$PASSWORD" | ./target/release/hallpass user add --email admin@district.test \
        --name "District Admin" --role admin --password-stdin >/dev/null

    started="$(date +%s)"
    psql_db -v users="$USERS" -v hash="$(sql "SELECT password_hash FROM users")" -f bench/scale/users.sql
    echo "users: $USERS in $(elapsed "$started") s" >&2

    # Sessions the benchmark will present: warm ones, cold ones per backend, then the
    # heavy teacher's and the admin's (the last two lines).
    started="$(date +%s)"
    # Up to three each: three backends' never-seen sessions outnumber a district's pupils.
    user_ids="$(sql "SELECT id FROM users CROSS JOIN generate_series(1, 3) WHERE role = 'student' ORDER BY random() LIMIT $((WARM + 3 * COLD))")"
    printf '%s\n%s\n%s\n' "$user_ids" \
        "$(sql "SELECT id FROM users WHERE email = 'heavy@district.test'")" \
        "$(sql "SELECT id FROM users WHERE role = 'admin'")" \
        | ./target/release/hallpass-bench-scale >"$STATE/minted.csv"
    bulk_load user_sessions psql_db -v sessions="$SESSIONS" -f bench/scale/sessions.sql <"$STATE/minted.csv"
    echo "sessions: $SESSIONS in $(elapsed "$started") s" >&2

    # Events in two slices at once.
    started="$(date +%s)"
    local half=$((EVENTS / 2))
    bulk_load session_events bash -c "
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -v events=$EVENTS -v first_event=1 -v last_event=$half -f bench/scale/events.sql $DB &
        psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -v events=$EVENTS -v first_event=$((half + 1)) -v last_event=$EVENTS -f bench/scale/events.sql $DB
        wait"
    echo "events: $EVENTS in $(elapsed "$started") s" >&2
    started="$(date +%s)"
    sql "VACUUM ANALYZE users"; sql "VACUUM ANALYZE user_sessions"; sql "VACUUM ANALYZE session_events"
    echo "VACUUM ANALYZE: $(elapsed "$started") s" >&2
    sql "SELECT count(*) FROM session_events" >"$STATE/seeded"
}
if [[ "${REUSE:-}" == 1 && -s "$STATE/seeded" ]]; then
    export SESSION_SECRET; SESSION_SECRET="$(cat "$STATE/secret")"
    echo "reusing the district of the last run" >&2
else
    seed
fi
# cookies FIRST LAST : the cookies of minted lines FIRST to LAST.
cookies() { awk -F, -v first="$1" -v last="$2" 'NR >= first && NR <= last { print $3 }' "$STATE/minted.csv"; }
cookies 1 "$WARM" >"$WORK/warm"
for i in 0 1 2; do
    cookies $((WARM + i * COLD + 1)) $((WARM + (i + 1) * COLD)) >"$WORK/cold-$i"
done
HEAVY_COOKIE="$(cookies $((WARM + 3 * COLD + 1)) $((WARM + 3 * COLD + 1)))"
ADMIN_COOKIE="$(cookies $((WARM + 3 * COLD + 2)) $((WARM + 3 * COLD + 2)))"
HEAVY_ID="$(sql "SELECT id FROM users WHERE email = 'heavy@district.test'")"

# --- Servers --------------------------------------------------------------------------
# Nothing cached from an earlier run: the cold runs must miss.
redis-cli --scan --pattern 'session:*' | xargs -r -n 500 redis-cli DEL >/dev/null
sql "TRUNCATE session_cache"
wait_for() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
serve() {
    local port="$1"; shift
    env "$@" BIND="127.0.0.1:$port" ./target/release/hallpass serve >"$WORK/server-$port.log" 2>&1 &
    echo $! >"$WORK/pid-$port"
    wait_for "http://127.0.0.1:$port/healthz"
}
serve 18281 SESSION_CACHE=memory
serve 18282 SESSION_CACHE=redis
serve 18283 SESSION_CACHE=postgres
serve 18284 SESSION_CACHE=memory CACHE_TTL=0   # every validation reads the database
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$(cat "$WORK/pid-$1")/status"; }

ROWS="$WORK/rows"   # "name|figure|goal" lines, printed at the end
row() { echo "$1|$2|$3" >>"$ROWS"; }

# wrk_run PORT COOKIES_FILE : "req/s p50 p99 requests" of a run cycling over the cookies.
wrk_run() {
    COOKIES="$2" wrk -t1 -c32 -d"$DURATION" --latency -s bench/scale/cookies.lua \
        "http://127.0.0.1:$1/api/auth/session" >"$WORK/wrk.txt"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then cat "$WORK/wrk.txt" >&2; echo "validation failed" >&2; exit 1; fi
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        $1 == "Requests/sec:" { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
        $2 == "requests" && $3 == "in" { n = $1 }
        END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, n }' "$WORK/wrk.txt"
}

# --- Validation, warm and cold, per backend -------------------------------------------
step validation
i=0
for backend in memory:18281 redis:18282 postgres:18283; do
    name="${backend%:*}" port="${backend#*:}"
    rss_before="$(rss_kb "$port")"
    read -r rps p50 p99 n < <(wrk_run "$port" "$WORK/cold-$i")
    misses=$(( n < COLD ? n : COLD ))
    note=""; if (( n > COLD )); then note=", only $COLD of $n requests were misses (raise COLD)"; fi
    row "validation, cold cache ($name): every request a miss" "$rps req/s, p50 $p50 ms, p99 $p99 ms$note" "flat as the table grows"
    if [[ "$name" == memory ]]; then
        cold_memory_rps="$rps"
        row "in-process cache, bytes per entry (RSS growth / entries)" "$(( ($(rss_kb "$port") - rss_before) * 1024 / misses ))" "measured"
    fi
    wrk_run "$port" "$WORK/warm" >/dev/null   # fills the cache with the warm sessions
    read -r rps p50 p99 n < <(wrk_run "$port" "$WORK/warm")
    row "validation, warm cache ($name)" "$rps req/s, p50 $p50 ms, p99 $p99 ms" "flat as the table grows"
    i=$((i + 1))
done
read -r rps p50 p99 n < <(wrk_run 18284 "$WORK/cold-0")
row "validation, no cache (CACHE_TTL=0): every request reads PostgreSQL" "$rps req/s, p50 $p50 ms, p99 $p99 ms" "flat as the table grows"
# A cold validation is a database read and a cache fill; its last_seen_at waits for the
# batch. Issue 27's goal: it costs no more than a read (within a fifth).
row "cold validation (memory) / no cache, same run" "$(awk -v cold="$cold_memory_rps" -v read="$rps" 'BEGIN { printf "%.2f x", cold / read }')" ">= 0.8 x"

# --- Lists, searches and pages, one request at a time ---------------------------------
step lists
measure() { node bench/scale/measure.mjs "$@"; }
p50_of() { awk '{ printf "p50 %s ms, p99 %s ms", $1, $2 }'; }
API=http://127.0.0.1:18282
row "GET /api/sessions, 1,000 active sessions" "$(measure get "$API" /api/sessions "$HEAVY_COOKIE" | p50_of)" "p50 <= 20 ms"
row "GET /api/admin/users/{id}/sessions, same user" "$(measure get "$API" "/api/admin/users/$HEAVY_ID/sessions" "$ADMIN_COOKIE" | p50_of)" "p50 <= 20 ms"
for listing in \
    "admin users, all|/api/admin/users?limit=25" \
    "admin users, search an email prefix (user1)|/api/admin/users?limit=25&q=user1" \
    "admin users, search a name (martin)|/api/admin/users?limit=25&q=martin" \
    "audit trail, all|/api/admin/events?limit=25" \
    "audit trail, one user (heavy)|/api/admin/events?limit=25&user_id=$HEAVY_ID" \
    "audit trail, one kind (login_failed)|/api/admin/events?limit=25&kind=login_failed" \
    "audit trail, a month (from, to)|/api/admin/events?limit=25&from=$(date -u -d '-60 days' +%FT00:00:00Z)&to=$(date -u -d '-30 days' +%FT00:00:00Z)"; do
    IFS='|' read -r name path <<<"$listing"
    for page in 1 1000; do
        read -r p50 p99 _ _ reached rows < <(measure page "$API" "$path" "$ADMIN_COOKIE" "$page")
        row "$name, page $reached ($rows rows)" "p50 $p50 ms, p99 $p99 ms" "p50 <= 50 ms"
    done
done

# --- Login ----------------------------------------------------------------------------
step login
sql "SELECT email FROM users WHERE role = 'student' ORDER BY random() LIMIT 30" >"$WORK/emails"
row "login (argon2id), $(sql "SELECT count(*) FROM user_sessions") sessions on record" \
    "$(measure login "$API" "$PASSWORD" "$WORK/emails" | p50_of)" "does not grow with the table"

# --- Space ----------------------------------------------------------------------------
per_row() { sql "SELECT pg_total_relation_size('$1') / greatest(count(*), 1) FROM $1"; }
row "PostgreSQL bytes per session (table + indexes)" "$(per_row user_sessions)" "measured"
row "PostgreSQL bytes per audit event (table + indexes)" "$(per_row session_events)" "measured"
row "PostgreSQL bytes per user (table + indexes)" "$(per_row users)" "measured"
row "Redis bytes per cached session (MEMORY USAGE, mean of 100)" "$(redis-cli --scan --pattern 'session:*' | head -n 100 \
    | while read -r key; do redis-cli MEMORY USAGE "$key"; done | awk '{ s += $1 } END { printf "%.0f", s / NR }')" "measured"

# --- Purging expired sessions while serving -------------------------------------------
step "expired sessions written"
sql "SET synchronous_commit = off;
     INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device, browser, os,
                                created, last_seen_at, expires_at)
     SELECT u.id, encode(sha256(('expired-' || n)::bytea), 'hex'), '10.9.9.9', 'curl/8.5.0',
            'unknown', 'Unknown', 'Unknown', now() - interval '31 days', now() - interval '31 days',
            now() - interval '1 day' - n * interval '1 millisecond'
     FROM generate_series(1, $EXPIRED) AS n
     JOIN (SELECT id, row_number() OVER () AS k FROM users WHERE role = 'student' LIMIT 1000) AS u
       ON u.k = 1 + n % 1000"
sql "VACUUM ANALYZE user_sessions"
sql "CHECKPOINT"   # the inserts' dirty pages written now, not during the idle figures
# steady COMMAND... : "p50 p99 requests failures" of 300 validations a second, for as
# long as COMMAND runs.
steady() {
    node bench/scale/measure.mjs steady http://127.0.0.1:18284 "$WORK/warm" 300 >"$WORK/steady" &
    local load=$!
    "$@"
    kill -TERM "$load"; wait "$load"
}
step purge
steady sleep 20
read -r idle_p50 idle_p99 _ idle_failed <"$WORK/steady"
started="$(date +%s%N)"
steady ./target/release/hallpass sessions purge >"$WORK/purge.txt"
purge_ms=$(( ($(date +%s%N) - started) / 1000000 ))
read -r purge_p50 purge_p99 _ purge_failed <"$WORK/steady"
row "purge of $(grep -o 'purged [0-9]* expired' "$WORK/purge.txt" | awk '{ print $2 }') expired sessions, while serving" "$purge_ms ms" "measured"
row "validation during the purge (300/s, database)" "p50 $purge_p50 ms, p99 $purge_p99 ms, $purge_failed failed; idle: p50 $idle_p50 ms, p99 $idle_p99 ms, $idle_failed failed" \
    "p99 <= 2 x idle ($(awk -v a="$purge_p99" -v b="$idle_p99" 'BEGIN { printf "%.2f x", a / b }'))"

# --- Audit retention --------------------------------------------------------------------
step "audit retention"
# A week of the year's events falls past a retention of 358 days.
started="$(date +%s%N)"
AUDIT_RETENTION=358d ./target/release/hallpass sessions purge >"$WORK/purge.txt"
purge_ms=$(( ($(date +%s%N) - started) / 1000000 ))
events="$(grep -o '[0-9]* audit event' "$WORK/purge.txt" | awk '{ print $1 }')"
row "audit retention: $events events (a week) purged" "$purge_ms ms ($(( events * 1000 / (purge_ms > 0 ? purge_ms : 1) )) events/s)" "measured"

step ""
echo
echo "bash bench/scale.sh (${SECONDS} s): $(sql "SELECT count(*) FROM users") users, $(sql "SELECT count(*) FROM user_sessions") sessions, $(sql "SELECT count(*) FROM session_events") audit events; $(nproc) cores shared by the load, PostgreSQL, Redis and the servers"
echo "| measure | figure | goal |"
echo "| --- | --- | --- |"
awk -F'|' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$ROWS"
