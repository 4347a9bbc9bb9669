# Sourced by run.sh and test.sh: makes sure the local PostgreSQL and Redis are up.
# Both are started the way this machine kind starts them, only when they do not answer.

ensure_postgres() {
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        return
    fi
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 50); do
        pg_isready -q -h 127.0.0.1 -p 5432 && return
        sleep 0.2
    done
    echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
    exit 1
}

ensure_redis() {
    if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        return
    fi
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 1 50); do
        redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return
        sleep 0.2
    done
    echo "Redis did not come up on 127.0.0.1:6379" >&2
    exit 1
}

# nginx for the load-balancer and forward-auth tests: only the binary (Debian's package); each test runs
# a private one on its own port and config, never a system-wide nginx.
ensure_nginx() {
    command -v nginx >/dev/null && return
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nginx
    # The package starts its own server on port 80; the tests do not need it.
    if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
        systemctl stop nginx
    elif [ -f /run/nginx.pid ]; then
        nginx -s quit 2>/dev/null || true
    fi
}

# Caddy for the forward-auth tests: only the binary (Debian's package); each test runs a
# private one on its own port and config. The package may start a system-wide Caddy on
# port 80; the tests do not need it.
ensure_caddy() {
    command -v caddy >/dev/null && return
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends caddy
    if command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then
        systemctl stop caddy
    fi
}
