#!/usr/bin/env bash
# bench/postgres.sh: Deposits/Withdrawals at 64 in flight on the file store,
# on two command-service replicas sharing one PostgreSQL (32 in flight each,
# summed), and what the same PostgreSQL commits with one event-row INSERT per
# transaction from 64 pgbench clients (no gRPC in the way): interleaved, in
# one run, on a throw-away cluster with PostgreSQL's defaults (fsync and
# synchronous_commit on). Then the store's size: a file log of --store-events
# deposits (bank-make-log) copied into PostgreSQL with `bank-log copy`, a
# replica's start-up over it (launch to `listening on`), and Subscribe's
# catch-up over all of it (--store-events=0 skips it).
#
#   bench/postgres.sh [--seconds N] [--rounds R] [--store-events N] [--bin-dir DIR]
#
# Needs jq. Prints one line per measurement and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=8
rounds=2
store_events=10000000
bin_dir=build/bin
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --store-events) store_events="$2"; shift ;;
    --bin-dir) bin_dir="$2"; shift ;;
    *) echo "usage: bench/postgres.sh [--seconds N] [--rounds R] [--store-events N] [--bin-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "bench/postgres.sh needs jq (apt-get install jq)" >&2; exit 1; }
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

work="$(mktemp -d /tmp/bank-bench-pg.XXXXXX)"
chmod 755 "$work"  # the cluster may run as postgres
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/postgres-cluster.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
uri="$(scripts/postgres-cluster.sh start "$work/pg")"
echo "postgresql: $uri"

now_ms() { date +%s%3N; }

# Starts a command service with "$@"; its address in $address, the
# milliseconds from launch to `listening on` in $started_ms. (Not in a
# command substitution: the service must be this shell's child.)
start_service() {
  local log="$work/service.$RANDOM.log"
  local launched
  launched="$(now_ms)"
  "$bin_dir/command-service" --listen=127.0.0.1:0 "$@" >/dev/null 2>"$log" &
  pids+=($!)
  for _ in $(seq 2000); do
    if grep -q "listening on" "$log"; then
      started_ms=$(($(now_ms) - launched))
      address="$(grep -o "listening on [0-9.:]*" "$log" | head -1 | awk '{print $3}')"
      return
    fi
    sleep 0.005
  done
  echo "command-service did not start: $(cat "$log")" >&2
  exit 1
}
stop_services() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
bench() {  # ADDRESS IN_FLIGHT -> calls/s
  "$bin_dir/bank-bench" --json --command_service="$1" --in_flight="$2" \
    --warmup_seconds=2 --seconds="$seconds" commands | jq '.commands_calls_per_s'
}

cat >"$work/insert.sql" <<'SQL'
\set account random(1, 10000)
INSERT INTO pgbench_events (account_id, version, payload)
  VALUES ('bench-' || :account, :account, '\x0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
SQL
"$pgbin/psql" -q "$uri" -c "CREATE TABLE pgbench_events (position bigserial PRIMARY KEY,
  account_id text NOT NULL, version bigint NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),
  payload bytea NOT NULL)"

file_rates=()
pg_rates=()
pgbench_rates=()
for round in $(seq "$rounds"); do
  start_service --store=file --data_dir="$work/file$round"
  file_rates+=("$(bench "$address" 64)")
  stop_services
  echo "round $round: file store, 64 in flight: ${file_rates[-1]} calls/s"

  schema="bench$round"
  start_service --store="$uri" --store_schema="$schema"
  a="$address"
  start_service --store="$uri" --store_schema="$schema"
  b="$address"
  bench "$a" 32 >"$work/a.rate" & bench_a=$!
  bench "$b" 32 >"$work/b.rate" & bench_b=$!
  wait "$bench_a" "$bench_b"
  pg_rates+=("$(jq -n "$(cat "$work/a.rate") + $(cat "$work/b.rate")")")
  stop_services
  echo "round $round: two replicas on PostgreSQL, 32 in flight each: ${pg_rates[-1]} calls/s"

  tps="$("$pgbin/pgbench" -n -c 64 -j 2 -T "$seconds" -f "$work/insert.sql" "$uri" 2>/dev/null |
    awk '/^tps/ {print $3}')"
  pgbench_rates+=("$tps")
  echo "round $round: pgbench, 64 clients, one INSERT per transaction: $tps tx/s"
done

# --store-events=0 skips this part.
if [ "$store_events" -gt 0 ]; then
  echo
  echo "store size: $store_events events"
  "$bin_dir/bank-make-log" --data_dir="$work/big" --events="$store_events" --accounts=10000 >/dev/null 2>&1
  copy_start="$(now_ms)"
  "$bin_dir/bank-log" copy --from="$work/big" --to="$uri" --store_schema=big >/dev/null
  copy_s="$(jq -n "($(now_ms) - $copy_start) / 1000")"
  rm -rf "$work/big"
  echo "bank-log copy of $store_events events: $copy_s s"
  startups=()
  for run in 1 2 3; do
    start_service --store="$uri" --store_schema=big
    startups+=("$started_ms")
    [ "$run" -lt 3 ] && stop_services
  done
  echo "a replica's start-up over $store_events events (launch to listening on): ${startups[*]} ms"
  catchup="$("$bin_dir/bank-bench" --json --command_service="$address" catchup | jq '.catchup_events_per_s')"
  stop_services
  echo "Subscribe catch-up from PostgreSQL over $store_events events: $catchup events/s"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
file="$(median "${file_rates[@]}")"
pg="$(median "${pg_rates[@]}")"
pgb="$(median "${pgbench_rates[@]}")"
echo
echo "median over $rounds rounds of $seconds s:"
echo "  file store:                 $file calls/s"
echo "  2 replicas on PostgreSQL:   $pg calls/s ($(jq -n "$pg / $file * 100 | floor")% of the file store)"
echo "  pgbench one-row INSERT tx:  $pgb tx/s (replicas: $(jq -n "$pg / $pgb * 100 | floor")% of it)"
