#!/usr/bin/env bash
# bench/run.sh: the standard benchmark set of issue 6, against freshly started
# services on throw-away data dirs, written to bench/RESULTS.md.
#
#   bench/run.sh [--quick] [--no-build] [--bin-dir DIR] [--out FILE]
#
#   --quick      smoke test: 3 s runs, one round, 100k-event logs (about a minute)
#   --no-build   skip scripts/build.sh release (use what is in --bin-dir)
#   --bin-dir    where command-service, query-service and bank-bench are (build/bin)
#   --out        the Markdown report (bench/RESULTS.md); raw JSON goes beside it
#                in bench/results/
#
# Needs jq. Every figure comes from bank-bench --json or from this script's
# own clock (start-up times) and /proc (RSS).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
build=1
bin_dir=build/bin
out=bench/RESULTS.md
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --bin-dir) bin_dir="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--no-build] [--bin-dir DIR] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "bench/run.sh needs jq (apt-get install jq)" >&2; exit 1; }

if [[ $quick == 1 ]]; then
  seconds=3; warmup=1; rounds=1; events=100000; big_accounts=100000; huge_events=1000000
else
  seconds=8; warmup=2; rounds=2; events=1000000; big_accounts=1000000; huge_events=10000000
fi

if [[ $build == 1 ]]; then scripts/build.sh release; fi
bench="$bin_dir/bank-bench"
for program in command-service query-service bank-bench bank-make-log; do
  [[ -x "$bin_dir/$program" ]] || { echo "missing $bin_dir/$program" >&2; exit 1; }
done

# Data dirs on the same disk as the repository would be: /tmp here is not tmpfs
# on our machines, but say so in the report.
work=$(mktemp -d "${TMPDIR:-/tmp}/bank-bench.XXXXXX")
raw_dir="$(dirname "$out")/results"
mkdir -p "$raw_dir"
rm -f "$raw_dir"/*.json "$raw_dir/commands.txt"
pids=()
cleanup() {
  for pid in "${pids[@]+"${pids[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work" "${ram_data:-}"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { echo "[bench $(date +%T)] $*" >&2; }

# start NAME LOG ARGS...: starts a program in the background, waits for its
# "listening on HOST:PORT" line and sets started_pid, started_addr and
# started_ms (launch to that line, by this script's clock).
start() {
  local program="$1" logfile="$2"; shift 2
  local t0; t0=$(now_ms)
  : >"$logfile"
  "$bin_dir/$program" --listen=127.0.0.1:0 "$@" 2>"$logfile" &
  started_pid=$!
  pids+=("$started_pid")
  local deadline=$(( t0 + 300000 ))
  until grep -q "listening on" "$logfile"; do
    if ! kill -0 "$started_pid" 2>/dev/null; then
      echo "$program exited during start-up:" >&2; cat "$logfile" >&2; exit 1
    fi
    if (( $(now_ms) > deadline )); then echo "$program did not start" >&2; exit 1; fi
    sleep 0.01
  done
  started_ms=$(( $(now_ms) - t0 ))
  started_addr=$(grep -o 'listening on [^ ]*' "$logfile" | head -1 | awk '{print $3}')
}

# stop PID: SIGTERM, wait for the exit, and forget the pid.
stop() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${pids[@]+"${pids[@]}"}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# wait_for_snapshot LOG POSITION: until the service logging to LOG has written
# a snapshot at POSITION.
wait_for_snapshot() {
  until grep -q "snapshot at position $2 written" "$1"; do sleep 0.1; done
}

# startup_once DIR LOG: the command service started on DIR, logging to LOG,
# and stopped; sets started_ms.
startup_once() {
  start command-service "$2" --data_dir="$1"
  stop "$started_pid"
}

# median_startup LOGPREFIX TIMES...: sets median_ms to the median of an odd
# number of start-up TIMES, and median_line to that start's snapshot and
# recovery lines (from LOGPREFIX-I.log, I counting from 1).
median_startup() {
  local prefix="$1"; shift
  local times=("$@") i
  median_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( ($# + 1) / 2 ))p")
  for i in $(seq "$#"); do [[ ${times[$((i - 1))]} == "$median_ms" ]] && break; done
  median_line=$(grep -o -e 'snapshot at position [0-9]*: .* loaded in [^ ]*' \
    -e 'recovered [0-9]* events in [0-9]* segment(s) in [^ ]*' "$prefix-$i.log" | paste -sd ';' -)
}

# startup_median DIR LOGPREFIX: the median of three starts on DIR.
startup_median() {
  local times=() i
  for i in 1 2 3; do
    startup_once "$1" "$2-$i.log"
    times+=("$started_ms")
  done
  median_startup "$2" "${times[@]}"
}

# startup_pair DIR_A LOGPREFIX_A DIR_B LOGPREFIX_B: pair_starts starts on
# each, alternating, so that the host's drift falls on both alike; sets
# pair_a_ms, pair_a_line, pair_b_ms and pair_b_line (medians, as
# median_startup). Eleven: single starts of about 300 ms spread ±25% here, and
# five a side still moved the medians' ratio by more than the 10% compared.
pair_starts=11
startup_pair() {
  local a=() b=() i
  for i in $(seq "$pair_starts"); do
    startup_once "$1" "$2-$i.log"
    a+=("$started_ms")
    startup_once "$3" "$4-$i.log"
    b+=("$started_ms")
  done
  median_startup "$2" "${a[@]}"
  pair_a_ms=$median_ms pair_a_line=$median_line
  median_startup "$4" "${b[@]}"
  pair_b_ms=$median_ms pair_b_line=$median_line
}

# run NAME ARGS...: bank-bench --json ARGS > $raw_dir/NAME.json
run() {
  local name="$1"; shift
  log "bank-bench $*"
  echo "$name: bank-bench --json $*" >>"$raw_dir/commands.txt"
  "$bench" --json "$@" >"$raw_dir/$name.json"
  cat "$raw_dir/$name.json" >&2
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started_at=$(now_ms)
common=(--seconds="$seconds" --warmup_seconds="$warmup")

# 1. Commands against the health-check ceiling, alone on a fresh log.
log "commands vs baseline"
start command-service "$work/c1.log" --data_dir="$work/c1"
c1_pid=$started_pid c1=$started_addr
run commands64 --command_service="$c1" "${common[@]}" --rounds="$rounds" --baseline \
  --in_flight=64 commands
run commands16 --command_service="$c1" "${common[@]}" --rounds="$rounds" --baseline \
  --in_flight=16 commands
stop "$c1_pid"

# 1b. Diagnostic, not a target: the same load with the log in RAM (tmpfs),
# where fdatasync returns at once. Its ratio is what the command path reaches
# when durability costs nothing: the ceiling for the figure above.
ram_dir=/dev/shm
if [[ $(stat -f -c %T "$ram_dir" 2>/dev/null) == tmpfs ]]; then
  log "commands vs baseline, log in RAM"
  ram_data=$(mktemp -d "$ram_dir/bank-bench.XXXXXX")
  start command-service "$work/c1ram.log" --data_dir="$ram_data"
  c1ram_pid=$started_pid c1ram=$started_addr
  run commands64_ram --command_service="$c1ram" "${common[@]}" --rounds="$rounds" --baseline \
    --in_flight=64 commands
  stop "$c1ram_pid"
  rm -rf "$ram_data"
else
  log "no tmpfs at $ram_dir: skipping the log-in-RAM diagnostic"
fi

# 2. Read-your-writes and OK-to-applied lag, with a fresh pair.
log "e2e"
start command-service "$work/c2.log" --data_dir="$work/c2"
c2_pid=$started_pid c2=$started_addr
start query-service "$work/q2.log" --data_dir="$work/q2" --command_service="$c2"
q2_pid=$started_pid q2=$started_addr
run e2e --command_service="$c2" --query_service="$q2" "${common[@]}" --in_flight=16 \
  --rate=1000 e2e
stop "$q2_pid"
stop "$c2_pid"

# 3. and 4. A log over 10k accounts, then one over one account per event:
# fill, catch-up, restart (recovery), query-service rebuild from 0, RSS.
log_set() {
  local tag="$1" accounts="$2"
  log "log $tag: $events events over $accounts accounts"
  start command-service "$work/c$tag.log" --data_dir="$work/c$tag"
  local pid=$started_pid addr=$started_addr
  local empty_rss; empty_rss=$(rss_kb "$pid")
  run "fill_$tag" --command_service="$addr" --events="$events" --accounts="$accounts" \
    --account_prefix="acct-" --in_flight=256 --channels=2 fill
  # The fill ends at the default interval's first snapshot: measure the state
  # once that is written and its memory returned, and the peak while it was.
  if (( events >= 1000000 )); then wait_for_snapshot "$work/c$tag.log" 1000000; fi
  local filled_rss; filled_rss=$(rss_kb "$pid")
  local peak_rss; peak_rss=$(peak_rss_kb "$pid")
  run "catchup_$tag" --command_service="$addr" catchup
  stop "$pid"

  start command-service "$work/c$tag-restart.log" --data_dir="$work/c$tag"
  pid=$started_pid addr=$started_addr
  local restart_ms=$started_ms
  local recovered_rss; recovered_rss=$(rss_kb "$pid")
  local recovered_line
  recovered_line=$(grep -o 'recovered [0-9]* events in [0-9]* segment(s) in [^ ]*' \
    "$work/c$tag-restart.log" | head -1)

  local t0; t0=$(now_ms)
  start query-service "$work/q$tag.log" --data_dir="$work/q$tag" --command_service="$addr"
  local qpid=$started_pid qaddr=$started_addr
  run "rebuild_$tag" --command_service="$addr" --query_service="$qaddr" rebuild
  local rebuild_wall_ms=$(( $(now_ms) - t0 ))
  stop "$qpid"
  stop "$pid"
  jq -n --argjson empty "$empty_rss" --argjson filled "$filled_rss" --argjson peak "$peak_rss" \
    --argjson recovered "$recovered_rss" --argjson restart "$restart_ms" \
    --argjson rebuild_wall "$rebuild_wall_ms" --arg line "$recovered_line" \
    --argjson accounts "$accounts" --argjson events "$events" \
    '{accounts: $accounts, events: $events, rss_empty_kb: $empty, rss_filled_kb: $filled,
      rss_peak_kb: $peak,
      rss_recovered_kb: $recovered, restart_ms: $restart, recovered_line: $line,
      rebuild_wall_ms: $rebuild_wall}' >"$raw_dir/process_$tag.json"
  cat "$raw_dir/process_$tag.json" >&2
}
log_set small 10000
log_set big "$big_accounts"

# 5. The issue's 10M-event log over 10k accounts, written by bank-make-log
# through the service's own handler and log (over gRPC it would take minutes):
# start-up (recovery), RSS, and Subscribe catch-up from 0.
log "log huge: $huge_events events over 10000 accounts (bank-make-log)"
echo "make_huge: bank-make-log --data_dir=DIR --events=$huge_events --accounts=10000" \
  >>"$raw_dir/commands.txt"
"$bin_dir/bank-make-log" --data_dir="$work/chuge" --events="$huge_events" --accounts=10000 \
  2>"$work/make-huge.log"
# Measure reading the log, not the kernel writing back the 800 MB just made.
sync
start command-service "$work/chuge.log" --data_dir="$work/chuge"
huge_pid=$started_pid huge_addr=$started_addr huge_restart_ms=$started_ms
huge_rss=$(rss_kb "$huge_pid")
huge_line=$(grep -o 'recovered [0-9]* events in [0-9]* segment(s) in [^ ]*' "$work/chuge.log" \
  | head -1)
# No snapshot yet: the writer folds the whole log and writes one at its head.
# Let it finish first, so that the catch-up below has the CPU to itself.
wait_for_snapshot "$work/chuge.log" "$huge_events"
run catchup_huge --command_service="$huge_addr" catchup
stop "$huge_pid"
jq -n --argjson events "$huge_events" --argjson restart "$huge_restart_ms" \
  --argjson rss "$huge_rss" --arg line "$huge_line" \
  '{events: $events, restart_ms: $restart, rss_recovered_kb: $rss, recovered_line: $line}' \
  >"$raw_dir/process_huge.json"
cat "$raw_dir/process_huge.json" >&2

# 6. Snapshots (issue 17): start-up from the snapshot the run above wrote at
# the huge log's head, then with a tail of events after it, against a
# 1M-event log with the same snapshot and tail (the cost should follow the
# accounts, the id window and the tail, not the log), and with the longest
# tail the default interval leaves (one event short of the next snapshot).
snap_tail=$(( quick == 1 ? 10000 : 100000 ))
log "snapshots: start-up from a snapshot, tails of 0 and $snap_tail events"
"$bin_dir/bank-make-log" --data_dir="$work/csnap" --events="$events" --accounts=10000 \
  2>"$work/make-snap.log"
# (--snapshot_every is the default but for --quick's shorter log.)
start command-service "$work/csnap-first.log" --data_dir="$work/csnap" --snapshot_every="$events"
wait_for_snapshot "$work/csnap-first.log" "$events"
stop "$started_pid"
sync
startup_median "$work/chuge" "$work/snap-huge-0"
snap_huge_0=$median_ms snap_huge_0_line=$median_line
for dir in chuge csnap; do
  "$bin_dir/bank-make-log" --data_dir="$work/$dir" --events="$snap_tail" --accounts=10000 \
    2>"$work/make-tail-$dir.log"
done
sync
startup_pair "$work/chuge" "$work/snap-huge-tail" "$work/csnap" "$work/snap-small-tail"
snap_huge_tail=$pair_a_ms snap_huge_tail_line=$pair_a_line
snap_small_tail=$pair_b_ms snap_small_tail_line=$pair_b_line
"$bin_dir/bank-make-log" --data_dir="$work/chuge" \
  --events=$(( 1000000 - 1 - snap_tail )) --accounts=10000 2>"$work/make-longest-tail.log"
sync
startup_median "$work/chuge" "$work/snap-huge-longest"
snap_huge_longest=$median_ms snap_huge_longest_line=$median_line
jq -n --argjson huge "$huge_events" --argjson small "$events" --argjson tail "$snap_tail" \
  --argjson pair_starts "$pair_starts" --argjson huge_0 "$snap_huge_0" --arg huge_0_line "$snap_huge_0_line" \
  --argjson huge_tail "$snap_huge_tail" --arg huge_tail_line "$snap_huge_tail_line" \
  --argjson small_tail "$snap_small_tail" --arg small_tail_line "$snap_small_tail_line" \
  --argjson huge_longest "$snap_huge_longest" --arg huge_longest_line "$snap_huge_longest_line" \
  '{huge_events: $huge, small_events: $small, tail: $tail, pair_starts: $pair_starts,
    huge_tail0_ms: $huge_0, huge_tail0_line: $huge_0_line,
    huge_tail_ms: $huge_tail, huge_tail_line: $huge_tail_line,
    small_tail_ms: $small_tail, small_tail_line: $small_tail_line,
    huge_longest_tail_ms: $huge_longest, huge_longest_tail_line: $huge_longest_line}' \
  >"$raw_dir/snapshot_startup.json"
cat "$raw_dir/snapshot_startup.json" >&2

# 7. What writing snapshots costs commands: on the huge data dir (10k
# accounts, a million ids: a 15 MB snapshot), the command mix in alternating
# rounds with snapshots off and with one every 50,000 events, many times the
# default's rate (about one every 3 s at the rate measured here).
log "snapshots: commands with and without snapshot writing"
declare -A calls_per_s=([0]=0 [50000]=0)
snapshot_writes=0
# More rounds than elsewhere: the effect is a few percent, a round's noise more.
cost_rounds=$(( quick == 1 ? 1 : 5 ))
for round in $(seq "$cost_rounds"); do
  for every in 0 50000; do
    start command-service "$work/snap-cost-$every-$round.log" --data_dir="$work/chuge" \
      --snapshot_every="$every"
    run "snapshot_cost_${every}_$round" --command_service="$started_addr" "${common[@]}" \
      --rounds=1 --in_flight=64 commands
    stop "$started_pid"
    calls_per_s[$every]=$(jq -r ".commands_calls_per_s + ${calls_per_s[$every]}" \
      "$raw_dir/snapshot_cost_${every}_$round.json")
    if [[ $every != 0 ]]; then
      snapshot_writes=$(( snapshot_writes + $(grep -c "snapshot at position .* written" \
        "$work/snap-cost-$every-$round.log" || true) ))
    fi
  done
done
jq -n --argjson off "${calls_per_s[0]}" --argjson on "${calls_per_s[50000]}" \
  --argjson rounds "$cost_rounds" --argjson writes "$snapshot_writes" \
  '{rounds: $rounds, off_calls_per_s: ($off / $rounds), on_calls_per_s: ($on / $rounds),
    ratio: ($on / $off), snapshots_written: $writes}' >"$raw_dir/snapshot_cost.json"
cat "$raw_dir/snapshot_cost.json" >&2

total_s=$(( ($(now_ms) - started_at) / 1000 ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
bench/write_results.sh "$raw_dir" "$out" "$quick" "$load_before" "$load_after" "$total_s" \
  "$(df -T "$work" | awk 'NR==2 {print $2}')" "$bin_dir"
log "wrote $out in ${total_s}s"
