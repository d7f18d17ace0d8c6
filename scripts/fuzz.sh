#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan + UBSan) and runs
# each for SECONDS (default 60) on a copy of its committed corpus under
# tests/fuzz/corpus, so nothing is written into the repository. Exits non-zero
# when a target crashes, leaks, times out or runs out of memory; the input that
# did it is kept in the printed directory.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(fuzz_record_decoder fuzz_segment_recovery fuzz_command_validation fuzz_snapshot_decoder)

scripts/build.sh fuzz
work="$(mktemp -d "${TMPDIR:-/tmp}/bank-fuzz.XXXXXX")"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus" "$work/$target/crashes"
  cp -r "tests/fuzz/corpus/$target/." "$work/$target/corpus/"
  echo "== $target: ${seconds}s"
  if ! build/fuzz/bin/"$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$work/$target/crashes/" \
      "$work/$target/corpus" >"$work/$target/log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$work/$target/log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+ *DONE)' \
    "$work/$target/log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}; inputs and logs in $work" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: no crash in ${#targets[@]} targets x ${seconds}s"
