#!/usr/bin/env bash
# bench/write_results.sh RAW_DIR OUT QUICK LOAD_BEFORE LOAD_AFTER TOTAL_S FSTYPE BIN_DIR
# Turns the JSON files bench/run.sh left in RAW_DIR into the Markdown report
# OUT: the machine, the commit, the targets table, then every raw figure.
set -euo pipefail
raw="$1" out="$2" quick="$3" load_before="$4" load_after="$5" total_s="$6" fstype="$7" bin_dir="$8"

j() { jq -r ".$2" "$raw/$1.json"; }
# calc EXPR: awk arithmetic, printed with the given format (default %.0f).
calc() { awk "BEGIN { printf \"${2:-%.0f}\", $1 }"; }
ms() { calc "$1 / 1000" "%.2f"; }
# met VALUE OP LIMIT
met() { if awk "BEGIN { exit !($1 $2 $3) }"; then echo "yes"; else echo "**no**"; fi; }

events=$(j process_small events)
big_accounts=$(j process_big accounts)

ratio=$(j commands64 throughput_ratio)
c64=$(j commands64 commands_calls_per_s) b64=$(j commands64 baseline_calls_per_s)
p99_16=$(j commands16 commands_p99_us) bp99_16=$(j commands16 baseline_p99_us)
diff16=$(j commands16 p99_difference_us)
restart_small=$(j process_small restart_ms) restart_big=$(j process_big restart_ms)
recovery_rate=$(calc "$events / ($restart_small / 1000)")
catchup=$(j catchup_small catchup_events_per_s)
huge_events=$(j process_huge events) restart_huge=$(j process_huge restart_ms)
snap_tail=$(j snapshot_startup tail) snap_huge_0=$(j snapshot_startup huge_tail0_ms)
snap_huge_tail=$(j snapshot_startup huge_tail_ms) snap_small_tail=$(j snapshot_startup small_tail_ms)
snap_huge_longest=$(j snapshot_startup huge_longest_tail_ms)
recovery_rate_huge=$(calc "$huge_events / ($restart_huge / 1000)")
catchup_huge=$(j catchup_huge catchup_events_per_s)
rebuild_small=$(j rebuild_small rebuild_events_per_s)
rebuild_big=$(j rebuild_big rebuild_events_per_s)
ryw99=$(j e2e ryw_read_p99_us) ryw50=$(j e2e ryw_read_p50_us)
lag99=$(j e2e lag_p99_us) lag50=$(j e2e lag_p50_us)
rss_kb=$(j process_big rss_filled_kb) rss_empty_kb=$(j process_big rss_empty_kb)
rss_rec_kb=$(j process_big rss_recovered_kb)
rss_mb=$(calc "$rss_kb / 1024" "%.1f")
rss_rec_mb=$(calc "$rss_rec_kb / 1024" "%.1f")
per_account=$(calc "($rss_kb - $rss_empty_kb) * 1024 / $big_accounts")
per_account_rec=$(calc "($rss_rec_kb - $rss_empty_kb) * 1024 / $big_accounts")

{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh$([[ $quick == 1 ]] && echo " --quick")\` (bank-bench against freshly"
  echo "started release services on throw-away data dirs, client and servers on one machine)."
  [[ $quick == 1 ]] && echo && echo "**Quick mode: a smoke test, not a measurement.**"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
  echo "| commit | $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' ':!bench/RESULTS.md' 2>/dev/null || echo ' (with uncommitted changes)') |"
  echo "| machine | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM |"
  echo "| binaries | \`$bin_dir\` (release build) |"
  echo "| data dirs | $fstype file system |"
  echo "| load average (1/5/15 min) | before: $load_before; after: $load_after |"
  echo "| run time | ${total_s} s |"
  echo
  echo "## Against the targets of issue 6"
  echo
  echo "| figure | measured | target | met |"
  echo "|---|---|---|---|"
  echo "| commands (Deposit:Withdraw 3:1) calls/s at 64 in flight / health-check baseline | $c64 / $b64 = **$ratio** | ≥ 0.85 | $(met "$ratio" ">=" 0.85) |"
  if [[ -f "$raw/commands64_ram.json" ]]; then
    echo "| (diagnostic) the same, log in RAM (tmpfs: fdatasync costs nothing) | $(j commands64_ram commands_calls_per_s) / $(j commands64_ram baseline_calls_per_s) = $(j commands64_ram throughput_ratio) | (the ceiling for the row above) | |"
  fi
  echo "| commands p99 at 16 in flight vs baseline p99 | $(ms "$p99_16") ms vs $(ms "$bp99_16") ms: **+$(ms "$diff16") ms** | ≤ +1 ms | $(met "$diff16" "<=" 1000) |"
  echo "| command-service start-up over $huge_events events (10k accounts), no snapshot yet | **$restart_huge ms** ($recovery_rate_huge events/s; log: $(j process_huge recovered_line)); RSS $(calc "$(j process_huge rss_recovered_kb) / 1024" "%.1f") MB | ≤ 2 s over 10M (≥ 5M events/s) | $(met "$restart_huge" "<=" 2000) |"
  echo "| command-service start-up over $events events (10k accounts) | $restart_small ms ($recovery_rate events/s; log: $(j process_small recovered_line)) | (for scale: start-up's fixed costs weigh more on a short log) | |"
  echo "| command-service start-up over $events events ($big_accounts accounts) | $restart_big ms (log: $(j process_big recovered_line)) | (for scale) | |"
  echo "| Subscribe catch-up from 0 to a bare client, $huge_events events | **$catchup_huge events/s** | ≥ 1.5M events/s | $(met "$catchup_huge" ">=" 1500000) |"
  echo "| Subscribe catch-up from 0 to a bare client, $events events | $catchup events/s | ≥ 1.5M events/s | $(met "$catchup" ">=" 1500000) |"
  echo "| query-service rebuild from 0, $events events over 10k accounts | **$rebuild_small events/s** ($(j process_small rebuild_wall_ms) ms from launch) | ≥ 200k events/s | $(met "$rebuild_small" ">=" 200000) |"
  echo "| query-service rebuild from 0, $events events over $big_accounts accounts | **$rebuild_big events/s** ($(j process_big rebuild_wall_ms) ms from launch) | ≥ 100k events/s | $(met "$rebuild_big" ">=" 100000) |"
  echo "| read-your-writes GetBalance(min_position) p99 at 16 in flight | p50 $(ms "$ryw50") ms, **p99 $(ms "$ryw99") ms** | ≤ 2 ms | $(met "$ryw99" "<=" 2000) |"
  echo "| OK-to-applied lag at 1000 commands/s (upper bound: OK to GetBalance(min_position) return) | p50 $(ms "$lag50") ms, **p99 $(ms "$lag99") ms** | ≤ 2 ms | $(met "$lag99" "<=" 2000) |"
  echo "| command-service RSS with $big_accounts accounts (after filling them$(if (( events >= 1000000 )); then echo ", and the snapshot the fill leads to written"; fi)) | **$rss_mb MB** ($per_account bytes/account over the empty service's $(calc "$rss_empty_kb / 1024" "%.1f") MB) | ≤ 150 MB | $(met "$rss_mb" "<=" 150) |"
  echo "| (for scale) its peak RSS over the fill$(if (( events >= 1000000 )); then echo " and that snapshot's writing"; fi) | $(calc "$(j process_big rss_peak_kb) / 1024" "%.1f") MB | | |"
  echo "| command-service RSS with $big_accounts accounts (after a restart) | $rss_rec_mb MB ($per_account_rec bytes/account) | ≤ 150 MB | $(met "$rss_rec_mb" "<=" 150) |"
  echo
  echo "## Against the targets of issue 17 (snapshots, default \`--snapshot_every\`)"
  echo
  echo "| figure | measured | target | met |"
  echo "|---|---|---|---|"
  echo "| start-up over $huge_events events from a snapshot at the head (median of 3) | **$snap_huge_0 ms** ($(j snapshot_startup huge_tail0_line)) | ≤ 300 ms | $(met "$snap_huge_0" "<=" 300) |"
  echo "| the same with the longest tail the default interval leaves ($(calc "1000000 - 1") events after the snapshot) | $snap_huge_longest ms ($(j snapshot_startup huge_longest_tail_line)) | (the worst case of the row above) | $(met "$snap_huge_longest" "<=" 300) |"
  echo "| start-up over $events vs $huge_events events, both with a snapshot and $snap_tail events after it (medians of $(j snapshot_startup pair_starts) starts, alternating) | $snap_small_tail ms vs $snap_huge_tail ms: **$(calc "($snap_huge_tail - $snap_small_tail) * 100 / $snap_small_tail" "%+.1f")%** ($(j snapshot_startup small_tail_line) / $(j snapshot_startup huge_tail_line)) | within 10% | $(met "(($snap_huge_tail - $snap_small_tail) / $snap_small_tail) ^ 2" "<=" 0.01) |"
  echo "| commands calls/s at 64 in flight while writing snapshots (one every 50,000 events of a million ids and 10k accounts, $(j snapshot_cost snapshots_written) written) / snapshots off, $(j snapshot_cost rounds) rounds each | $(j snapshot_cost on_calls_per_s | xargs printf '%.0f') / $(j snapshot_cost off_calls_per_s | xargs printf '%.0f') = **$(j snapshot_cost ratio | xargs printf '%.3f')** | ≥ 0.95 | $(met "$(j snapshot_cost ratio)" ">=" 0.95) |"
  echo
  echo "Notes: every command carries a unique command_id (the service keeps them for idempotency)."
  echo "Withdrawals the balance cannot cover end FAILED_PRECONDITION and count as calls."
  echo "Latency percentiles come from a log-linear histogram (within 1.6%)."
  echo "The $huge_events-event log is written by \`bank-make-log\` (the service's own handler and"
  echo "log, without gRPC); the other logs are filled over gRPC by \`bank-bench fill\`."
  echo "The lag figure includes one GetBalance round trip, so it bounds the true lag from above."
  echo
  echo "## The commands"
  echo
  echo "Addresses are those of the services started for each step (port 0, then parsed from"
  echo "their \`listening on\` line). Start-up times are this script's clock from launching"
  echo "command-service on the filled data dir to its \`listening on\` line; RSS is VmRSS."
  echo
  echo '```'
  cat "$raw/commands.txt"
  echo '```'
  echo
  echo "## Every figure"
  for name in commands64 commands64_ram commands16 e2e fill_small catchup_small rebuild_small \
              process_small fill_big catchup_big rebuild_big process_big catchup_huge process_huge \
              snapshot_startup snapshot_cost; do
    [[ -f "$raw/$name.json" ]] || continue  # commands64_ram needs a tmpfs
    echo
    echo "### $name"
    echo
    echo "| key | value |"
    echo "|---|---|"
    jq -r 'to_entries[] | "| \(.key) | \(.value) |"' "$raw/$name.json"
  done
} >"$out"
