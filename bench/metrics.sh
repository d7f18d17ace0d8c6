#!/usr/bin/env bash
# bench/metrics.sh: what serving Prometheus metrics costs a command. Two
# command services of the same build on the file store, one with
# --metrics_listen (scraped once a second meanwhile, more often than a
# Prometheus would) and one without, measured in interleaved rounds of
# bank-bench commands: calls/s at 64 in flight, with the service's CPU time
# per call (/proc, warm-up included). Each goes first in every other round.
#
#   bench/metrics.sh [--seconds N] [--rounds R] [--bin-dir DIR] [--pin]
#
# --pin runs the services on CPU 0 and bank-bench on CPU 1.
#
# Needs jq. Prints one line per round and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=8
rounds=6
bin_dir=build/bin
pin=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --bin-dir) bin_dir="$2"; shift ;;
    --pin) pin=1 ;;
    *) echo "usage: bench/metrics.sh [--seconds N] [--rounds R] [--bin-dir DIR] [--pin]" >&2; exit 2 ;;
  esac
  shift
done
work="$(mktemp -d /tmp/bank-bench-metrics.XXXXXX)"
source bench/ab_services.sh

start_service plain
plain="$address" plain_pid="${pids[-1]}"
start_service metrics --metrics_listen=127.0.0.1:0
metrics="$address" metrics_pid="${pids[-1]}"
metrics_port="$(grep -o "serving metrics at http://[0-9.]*:[0-9]*" "$work/metrics.log" | awk -F: '{print $NF}')"

scrape() {  # one GET /metrics, the body discarded
  exec 3<>"/dev/tcp/127.0.0.1/$metrics_port"
  printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
  cat <&3 >/dev/null
  exec 3<&-
}
scrape  # fails here, not in the background, if nothing serves metrics
while true; do scrape; sleep 1; done &
pids+=($!)

plain_rates=() metrics_rates=() plain_cpu=() metrics_cpu=()
measure_plain() { throughput "$plain" "$plain_pid"; plain_rates+=("$rate") plain_cpu+=("$cpu_us"); }
measure_metrics() {
  throughput "$metrics" "$metrics_pid"
  metrics_rates+=("$rate") metrics_cpu+=("$cpu_us")
}
for round in $(seq "$rounds"); do
  # Each goes first in every other round: the second run of a round tends to be faster.
  if ((round % 2)); then measure_plain; measure_metrics; else measure_metrics; measure_plain; fi
  echo "round $round, 64 in flight: without ${plain_rates[-1]} calls/s (${plain_cpu[-1]} us CPU a call)," \
    "with --metrics_listen ${metrics_rates[-1]} calls/s (${metrics_cpu[-1]} us)" \
    "= $(jq -n "${metrics_rates[-1]} / ${plain_rates[-1]} * 1000 | round / 1000")"
done

pr="$(median "${plain_rates[@]}")"
mr="$(median "${metrics_rates[@]}")"
echo
echo "median over $rounds rounds of $seconds s:"
echo "  64 in flight: without $pr, with --metrics_listen $mr calls/s ($(jq -n "$mr / $pr * 1000 | round / 1000") of without)"
echo "  the service's CPU a call: without $(median "${plain_cpu[@]}") us, with $(median "${metrics_cpu[@]}") us"
