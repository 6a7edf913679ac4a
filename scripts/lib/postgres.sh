# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests and benchmarks, and stops it.
# Usage (sourced):  pg_start [PORT [SERVER_OPTIONS]]  → exports MAILROOM_TEST_PG_HOST/PORT/USER/PASSWORD;  pg_stop
# SERVER_OPTIONS (optional) are appended to the server's own, so they win over the defaults,
# e.g. pg_start "" "-c fsync=on" for benchmarks (tests run with fsync=off). An empty PORT picks
# a free one.
# The cluster lives in a fresh temporary directory, owned by the postgres system user, and is
# deleted by pg_stop. Only the PID file of this cluster is used to stop it.

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
    local bin port extra
    bin=$(pg_bin)
    [ -n "$bin" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; return 1; }
    port=${1:-$(pg_free_port)}
    extra=${2:-}
    MAILROOM_PG_DIR=$(mktemp -d /tmp/mailroom-pg.XXXXXX)
    chmod 755 "$MAILROOM_PG_DIR"
    mkdir -p "$MAILROOM_PG_DIR/data"
    echo "mailroom-test" > "$MAILROOM_PG_DIR/pw"
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres:postgres "$MAILROOM_PG_DIR"
        PG_AS="runuser -u postgres --"
    else
        PG_AS=""
    fi
    chmod 700 "$MAILROOM_PG_DIR/data"
    $PG_AS "$bin/initdb" -D "$MAILROOM_PG_DIR/data" -U postgres -A scram-sha-256 --pwfile="$MAILROOM_PG_DIR/pw" \
        -E UTF8 --locale=C.UTF-8 >"$MAILROOM_PG_DIR/initdb.log" 2>&1 || { cat "$MAILROOM_PG_DIR/initdb.log" >&2; return 1; }
    $PG_AS "$bin/pg_ctl" -D "$MAILROOM_PG_DIR/data" -l "$MAILROOM_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $MAILROOM_PG_DIR -c fsync=off -c max_connections=300${extra:+ $extra}" start >/dev/null \
        || { cat "$MAILROOM_PG_DIR/server.log" >&2; return 1; }
    export MAILROOM_PG_DIR MAILROOM_TEST_PG_HOST=127.0.0.1 MAILROOM_TEST_PG_PORT=$port \
        MAILROOM_TEST_PG_USER=postgres MAILROOM_TEST_PG_PASSWORD=mailroom-test
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($MAILROOM_PG_DIR)"
}

pg_stop() {
    [ -n "${MAILROOM_PG_DIR:-}" ] && [ -d "$MAILROOM_PG_DIR/data" ] || return 0
    local as=""
    [ "$(id -u)" = 0 ] && as="runuser -u postgres --"
    $as "$(pg_bin)/pg_ctl" -D "$MAILROOM_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$MAILROOM_PG_DIR"
}
