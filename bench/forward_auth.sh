#!/usr/bin/env bash
# Forward-auth as the platform's other apps use it: wrk through a real nginx whose every
# request asks `auth_request` first, then goes to the app (another nginx server that
# answers `return 200`; a `return` in the guarded location itself would answer before
# the access phase, and so before the check), three ways:
#   verify            auth_request -> Hallpass GET /api/auth/verify, upstream keepalive
#   verify_no_keepalive  the same, a new connection per check (nginx's default)
#   hello_world       auth_request -> bench/baseline's bare actix server answering 200 with
#                     no body (as an auth server answers), keepalive
#   session_endpoint  auth_request -> Hallpass GET /api/auth/session (a JSON body), the
#                     way an app could ask before verify existed, with and without
#                     keepalive
# and, without nginx, Hallpass's verify and the hello-world called directly. Hallpass runs
# as shipped (release, default logging, SESSION_CACHE=redis, WORKERS=2), nginx with two
# workers, all on this machine's cores. Prints the median run of ROUNDS interleaved
# rounds and the ratios against their goals: through nginx, verify >= 0.8 x hello_world;
# directly, verify >= 0.7 x hello_world; keepalive's p99 no worse than without.
#
#   bash bench/forward_auth.sh
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 bash bench/forward_auth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
ensure_postgres
ensure_redis
ensure_nginx
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-8s}"
CONNECTIONS="${CONNECTIONS:-32}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/hallpass_bench_forward_auth"
export REDIS_URL="redis://127.0.0.1:6379"
unset RUST_LOG
SESSION_SECRET="$(openssl rand -base64 48)"
export SESSION_SECRET
EMAIL="bench@hallpass.test"
PASSWORD="bench password 123"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p hallpass-server -p hallpass-bench-baseline
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS hallpass_bench_forward_auth WITH (FORCE)" postgres 2>/dev/null
printf '%s\n' "$PASSWORD" | ./target/release/hallpass user add --email "$EMAIL" --name Bench --role student --password-stdin >/dev/null

wait_for() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

HALLPASS=18281
BASELINE=18284
SESSION_CACHE=redis WORKERS=2 TRUSTED_PROXIES=127.0.0.1/32 BIND="127.0.0.1:$HALLPASS" \
    ./target/release/hallpass serve >"$WORK/hallpass.log" 2>&1 &
echo $! >"$WORK/pid-$HALLPASS"
wait_for "http://127.0.0.1:$HALLPASS/healthz"
curl -sf -c "$WORK/jar" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$HALLPASS/api/auth/login" >/dev/null
COOKIE="hallpass_session=$(awk '$6 == "hallpass_session" {print $7}' "$WORK/jar")"
./target/release/hallpass-bench-baseline "127.0.0.1:$BASELINE" "$REDIS_URL" unused &
echo $! >"$WORK/pid-$BASELINE"
wait_for "http://127.0.0.1:$BASELINE/hello"

# One nginx, three apps: behind verify with keepalive, behind verify without it, and
# behind the hello-world.
NGINX_VERIFY=18291
NGINX_NO_KEEPALIVE=18292
NGINX_HELLO=18293
APP=18294
NGINX_SESSION=18295
NGINX_SESSION_NO_KEEPALIVE=18296
# app PORT AUTH_URI UPSTREAM KEEPALIVE(on|off)
app() {
    local keepalive=""
    [ "$4" = on ] && keepalive='proxy_http_version 1.1; proxy_set_header Connection "";'
    cat <<CONF
    server {
        listen 127.0.0.1:$1;
        location / {
            auth_request /_auth;
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
        location = /_auth {
            internal;
            proxy_pass http://$3$2;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            $keepalive
        }
    }
CONF
}
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
error_log $WORK/nginx/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream hallpass { server 127.0.0.1:$HALLPASS; keepalive 64; }
    upstream hallpass_plain { server 127.0.0.1:$HALLPASS; }
    upstream baseline { server 127.0.0.1:$BASELINE; keepalive 64; }
    upstream app { server 127.0.0.1:$APP; keepalive 64; }
    server {
        listen 127.0.0.1:$APP;
        location / { return 200 "ok"; }
    }
$(app "$NGINX_VERIFY" /api/auth/verify hallpass on)
$(app "$NGINX_NO_KEEPALIVE" /api/auth/verify hallpass_plain off)
$(app "$NGINX_HELLO" /empty baseline on)
$(app "$NGINX_SESSION" /api/auth/session hallpass on)
$(app "$NGINX_SESSION_NO_KEEPALIVE" /api/auth/session hallpass_plain off)
}
CONF
nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
wait_for "http://127.0.0.1:$NGINX_HELLO/"
# Every check must reach its auth server: Hallpass counts the verifications it answered.
verified() { curl -s "http://127.0.0.1:$HALLPASS/metrics" | awk '$1 == "hallpass_verify_total{result=\"allowed\"}" { print $2 }'; }

# name|url
SCENARIOS=(
    "nginx_hello_world|http://127.0.0.1:$NGINX_HELLO/course/7"
    "nginx_verify|http://127.0.0.1:$NGINX_VERIFY/course/7"
    "nginx_verify_no_keepalive|http://127.0.0.1:$NGINX_NO_KEEPALIVE/course/7"
    "nginx_session_endpoint|http://127.0.0.1:$NGINX_SESSION/course/7"
    "nginx_session_no_keepalive|http://127.0.0.1:$NGINX_SESSION_NO_KEEPALIVE/course/7"
    "direct_hello_world|http://127.0.0.1:$BASELINE/hello"
    "direct_verify|http://127.0.0.1:$HALLPASS/api/auth/verify"
)
printf 'wrk.headers["Cookie"] = "%s"\n' "$COOKIE" >"$WORK/request.lua"

# hallpass_ticks: Hallpass's user + system CPU time so far, in clock ticks.
hallpass_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$WORK/pid-$HALLPASS")/stat"; }

load() {
    local name="$1" url="$2" before after
    before="$(hallpass_ticks)"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/request.lua" "$url" >"$WORK/wrk.txt"
    after="$(hallpass_ticks)"
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
    IFS='|' read -r name url <<<"$scenario"
    wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/request.lua" "$url" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS" >&2
    for scenario in "${SCENARIOS[@]}"; do
        IFS='|' read -r name url <<<"$scenario"
        load "$name" "$url"
    done
done

if [ "$(verified)" = "" ]; then
    echo "nginx never asked Hallpass: the benchmark measures nothing" >&2; exit 1
fi

echo
echo "median run of $ROUNDS rounds, wrk -t1 -c$CONNECTIONS -d$DURATION over loopback; nginx (2 workers), Hallpass (2 workers, Redis cache, default logging) and wrk share $(nproc) cores"
sort -k1,1 -k2,2n "$WORK/results" | awk '
    { n = $1; i = ++count[n]; rps[n, i] = $2; p50[n, i] = $3; p99[n, i] = $4; cpu[n, i] = $5 }
    function median(arr, name) { return arr[name, int((count[name] + 1) / 2)] }
    END {
        split("nginx_hello_world nginx_verify nginx_verify_no_keepalive nginx_session_endpoint nginx_session_no_keepalive direct_hello_world direct_verify", order, " ")
        ceiling["nginx_verify"] = "nginx_hello_world"; goal["nginx_verify"] = 0.8
        ceiling["nginx_verify_no_keepalive"] = "nginx_hello_world"
        ceiling["nginx_session_endpoint"] = "nginx_hello_world"
        ceiling["nginx_session_no_keepalive"] = "nginx_hello_world"
        ceiling["direct_verify"] = "direct_hello_world"; goal["direct_verify"] = 0.7
        printf "| %-26s | %9s | %8s | %8s | %17s | %-39s |\n", "scenario", "req/s", "p50 ms", "p99 ms", "Hallpass CPU us/req", "ratio to ceiling (goal)"
        printf "|%s|%s|%s|%s|%s|%s|\n", "----------------------------", "----------:", "---------:", "---------:", "--------------------:", "-----------------------------------------"
        for (j = 1; j <= 7; j++) {
            n = order[j]; c = ceiling[n]; r = median(rps, n)
            ratio = c == "" ? "ceiling" : sprintf("%.2f x %s%s", r / median(rps, c), c, goal[n] ? sprintf(" (>= %.1f)", goal[n]) : "")
            hallpass_cpu = n ~ /verify|session/ ? sprintf("%.1f", median(cpu, n)) : "-"
            printf "| %-26s | %9d | %8.3f | %8.3f | %20s | %-39s |\n", n, r, median(p50, n), median(p99, n), hallpass_cpu, ratio
        }
        printf "\np99 through nginx with upstream keepalive %.3f ms, without %.3f ms (goal: keepalive no worse); asking GET /api/auth/session instead: %.3f ms with keepalive, %.3f ms without\n", median(p99, "nginx_verify"), median(p99, "nginx_verify_no_keepalive"), median(p99, "nginx_session_endpoint"), median(p99, "nginx_session_no_keepalive")
    }'
