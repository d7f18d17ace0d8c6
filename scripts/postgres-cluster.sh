#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, from Debian's `postgresql`:
#   scripts/postgres-cluster.sh start DIR   initdb into DIR (which must not exist),
#                                           start it on 127.0.0.1 at a free port and
#                                           print its URI
#   scripts/postgres-cluster.sh restart DIR stop it (fast: every connection is cut)
#                                           and start it again on the same port
#   scripts/postgres-cluster.sh stop DIR    stop it (fast) and remove DIR
# The server runs as the invoking user, or as `postgres` when that is root
# (initdb refuses root). Trust authentication on loopback only: no password
# is made, none is needed, nothing else can reach it.
set -euo pipefail

command="${1:?usage: $0 start|restart|stop DIR}"
dir="${2:?usage: $0 start|restart|stop DIR}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bindir/initdb" ] || { echo "no PostgreSQL server found: install Debian's postgresql" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log"
    # A port from the ephemeral range, tried until one is free.
    for _ in $(seq 20); do
      port=$((20000 + RANDOM % 30000))
      if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" >/dev/null; then
        echo "postgresql://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    echo "PostgreSQL did not start; see $dir/server.log" >&2
    exit 1
    ;;
  restart)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 30 restart >/dev/null
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|restart|stop DIR" >&2
    exit 2
    ;;
esac
