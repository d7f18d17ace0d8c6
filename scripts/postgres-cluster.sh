#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, from Debian's `postgresql`:
#   scripts/postgres-cluster.sh start DIR   initdb into DIR (which must not exist),
#                                           start it on 127.0.0.1 at a free port and
#                                           print its URI
#   scripts/postgres-cluster.sh restart DIR stop it (fast: every connection is cut)
#                                           and start it again on the same port
#   scripts/postgres-cluster.sh stop DIR    stop it (fast) and remove DIR
#   scripts/postgres-cluster.sh serve DIR   a server for a container (the compose
#                                           stack's `postgres`): initdb into DIR/data
#                                           unless a cluster is there already, then
#                                           run the server in the foreground (exec)
# The server runs as the invoking user, or as `postgres` when that is root
# (initdb refuses root). start: trust authentication on loopback only, so no
# password is made, none is needed, nothing else can reach it. serve listens on
# every address at port 5432, so it takes passwords there (scram-sha-256) and
# trusts no one on the network: a role and database `bank` whose password is
# $BANK_PG_PASSWORD, set when the cluster is made; the superuser (the invoking
# user's name) only on the Unix socket in DIR, by peer authentication.
set -euo pipefail

command="${1:?usage: $0 start|restart|stop|serve DIR}"
dir="${2:?usage: $0 start|restart|stop|serve DIR}"
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
  serve)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      [ -n "${BANK_PG_PASSWORD:-}" ] || { echo "serve: set BANK_PG_PASSWORD, the role bank's password" >&2; exit 1; }
      # Made in data.new and renamed when whole: a start that fails half way is redone.
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      rm -rf "$dir/data.new"
      as_owner "$bindir/initdb" -D "$dir/data.new" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 \
        >"$dir/initdb.log"
      echo "host all all all scram-sha-256" >>"$dir/data.new/pg_hba.conf"
      # The role and its database, on a server that listens on the socket only. psql reads the
      # password from the environment and quotes it: it is on no command line.
      as_owner "$bindir/pg_ctl" -D "$dir/data.new" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses= -k $dir" >/dev/null
      as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -d postgres <<'SQL'
\getenv password BANK_PG_PASSWORD
CREATE ROLE bank LOGIN PASSWORD :'password';
CREATE DATABASE bank OWNER bank;
SQL
      as_owner "$bindir/pg_ctl" -D "$dir/data.new" -m fast -w stop >/dev/null
      mv "$dir/data.new" "$dir/data"
      echo "serve: made a cluster in $dir/data with the role and database bank"
    fi
    server=("$bindir/postgres" -D "$dir/data" -k "$dir" -c listen_addresses='*' -p 5432)
    if [ "$(id -u)" -eq 0 ]; then exec runuser -u postgres -- "${server[@]}"; else exec "${server[@]}"; fi
    ;;
  *)
    echo "usage: $0 start|restart|stop|serve DIR" >&2
    exit 2
    ;;
esac
