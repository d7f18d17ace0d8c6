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
# Failover (tests/e2e/replica_faults_e2e_test.cc):
#   scripts/postgres-cluster.sh standby PRIMARY_DIR DIR
#                                           make DIR a streaming standby of the
#                                           running primary in PRIMARY_DIR
#                                           (pg_basebackup -R), start it at a
#                                           free port, make it the primary's
#                                           synchronous standby (a commit then
#                                           returns once the standby has flushed
#                                           it) and print its URI
#   scripts/postgres-cluster.sh kill DIR    SIGKILL to the postmaster and every
#                                           server process at once, as a crash
#   scripts/postgres-cluster.sh promote DIR promote the standby in DIR to a
#                                           primary (pg_ctl promote -w)
# The server runs as the invoking user, or as `postgres` when that is root
# (initdb refuses root). start: trust authentication on loopback only, so no
# password is made, none is needed, nothing else can reach it; initdb's
# pg_hba.conf trusts replication connections from 127.0.0.1 too, and
# PostgreSQL 15's defaults (wal_level=replica, max_wal_senders=10) let a
# standby stream. serve listens on every address at port 5432, so it takes
# passwords there (scram-sha-256) and trusts no one on the network: a role and
# database `bank` whose password is $BANK_PG_PASSWORD, set when the cluster is
# made; the superuser (the invoking user's name) only on the Unix socket in
# DIR, by peer authentication.
set -euo pipefail

usage="usage: $0 start|restart|stop|kill|promote|serve DIR, or $0 standby PRIMARY_DIR DIR"
command="${1:?$usage}"
dir="${2:?$usage}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bindir/initdb" ] || { echo "no PostgreSQL server found: install Debian's postgresql" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The port of the running cluster in $1 (postmaster.pid's fourth line).
port_of() { sed -n 4p "$1/data/postmaster.pid"; }

# Runs SQL on the cluster at port $1, printing rows unaligned.
sql() { "$bindir/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc "$2"; }

# Starts the cluster in $dir/data at a port from the ephemeral range, tried
# until one is free, and prints its URI.
start_at_free_port() {
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 30000))
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" >/dev/null; then
      echo "postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  echo "PostgreSQL did not start; see $dir/server.log" >&2
  return 1
}

# Waits up to 30 s for `sql $1 $2` to print $3.
wait_for_sql() {
  for _ in $(seq 300); do
    [ "$(sql "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for \"$2\" to be $3 on port $1" >&2
  return 1
}

case "$command" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log"
    start_at_free_port
    ;;
  standby)
    primary_dir="$dir"
    dir="${3:?$usage}"
    primary_port="$(port_of "$primary_dir")"
    name="standby_$(basename "$dir" | tr -c 'a-zA-Z0-9\n' _)"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" \
      -R -X stream -c fast --no-sync
    # Named for synchronous_standby_names; and waiting for no standby of its
    # own (whatever the copy of the primary's settings says), so that once
    # promoted it commits alone until a new standby is made.
    as_owner tee -a "$dir/data/postgresql.auto.conf" >/dev/null <<CONF
primary_conninfo = 'host=127.0.0.1 port=$primary_port user=postgres application_name=$name'
synchronous_standby_names = ''
CONF
    uri="$(start_at_free_port)"
    # The primary waits for the standby only once it streams: a primary that
    # names a standby that is not connected blocks every commit.
    wait_for_sql "$primary_port" \
      "SELECT state FROM pg_stat_replication WHERE application_name = '$name'" streaming
    sql "$primary_port" "ALTER SYSTEM SET synchronous_standby_names = '$name'"
    sql "$primary_port" "SELECT pg_reload_conf()" >/dev/null
    wait_for_sql "$primary_port" \
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$name'" sync
    echo "$uri"
    ;;
  restart)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 30 restart >/dev/null
    ;;
  kill)
    # Each server process is a session of its own: stop the postmaster from
    # forking, then kill it and its children together. The shared memory a
    # crashed machine would lose goes too.
    pid="$(head -1 "$dir/data/postmaster.pid")"
    shmid="$(sed -n 7p "$dir/data/postmaster.pid" | awk '{ print $2 }')"
    kill -STOP "$pid"
    pids="$(echo "$pid" $(ps -o pid= --ppid "$pid") | tr ' ' ,)"
    kill -KILL ${pids//,/ }
    while ps -o stat= -p "$pids" | grep -qv '^Z'; do sleep 0.05; done
    [ -z "$shmid" ] || ipcrm -m "$shmid" 2>/dev/null || true
    ;;
  promote)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 30 promote >/dev/null
    ;;
  stop)
    # A killed cluster has nothing left to stop.
    if [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
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
    echo "$usage" >&2
    exit 2
    ;;
esac
