#!/usr/bin/env bash
# bench/security.sh: what TLS and a bearer token cost a command. Two command
# services of the same build on the file store, one plaintext and one with
# TLS and --auth_tokens (certificates from scripts/dev-certs.sh), measured in
# interleaved rounds of bank-bench commands: calls/s at 64 in flight, with
# the service's CPU time per call (/proc, warm-up included), and p99 at 16 in
# flight. Channels are long-lived, so the handshake is not counted.
#
#   bench/security.sh [--seconds N] [--rounds R] [--bin-dir DIR]
#
# Needs jq and openssl. Prints one line per measurement and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=8
rounds=3
bin_dir=build/bin
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --bin-dir) bin_dir="$2"; shift ;;
    *) echo "usage: bench/security.sh [--seconds N] [--rounds R] [--bin-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done
command -v jq >/dev/null || { echo "bench/security.sh needs jq (apt-get install jq)" >&2; exit 1; }

work="$(mktemp -d /tmp/bank-bench-security.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/dev-certs.sh "$work/certs"
token="bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
printf '%s' "$token" >"$work/token"
echo "bench write $(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" >"$work/tokens"

start_service() {  # NAME ARGS... -> the address in $address
  local name="$1"
  shift
  "$bin_dir/command-service" --listen=127.0.0.1:0 --data_dir="$work/$name" "$@" \
    >/dev/null 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1000); do
    if grep -q "listening on" "$work/$name.log"; then
      address="$(grep -o "listening on [0-9.:]*" "$work/$name.log" | head -1 | awk '{print $3}')"
      return
    fi
    sleep 0.01
  done
  echo "command-service did not start: $(cat "$work/$name.log")" >&2
  exit 1
}
start_service plain
plain="$address" plain_pid="${pids[-1]}"
start_service secure --tls_cert="$work/certs/server.pem" --tls_key="$work/certs/server.key" \
  --auth_tokens="$work/tokens"
secure="$address" secure_pid="${pids[-1]}"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks
ticks_per_s="$(getconf CLK_TCK)"

bench() {  # ADDRESS IN_FLIGHT FIELD [FLAGS...] -> the field of bank-bench's JSON
  local address="$1" in_flight="$2" field="$3"
  shift 3
  "$bin_dir/bank-bench" --json --command_service="$address" --in_flight="$in_flight" \
    --warmup_seconds=2 --seconds="$seconds" "$@" commands | jq ".$field"
}
secure_flags=(--tls_ca="$work/certs/ca.pem" --token_file="$work/token")

# ADDRESS PID [FLAGS...]: calls/s at 64 in flight into $rate, and the
# service's CPU microseconds per call into $cpu_us.
throughput() {
  local address="$1" pid="$2"
  shift 2
  local before
  before="$(cpu_ticks "$pid")"
  rate="$(bench "$address" 64 commands_calls_per_s "$@")"
  cpu_us="$(jq -n "($(cpu_ticks "$pid") - $before) / $ticks_per_s * 1e6 / ($rate * ($seconds + 2)) | round")"
}

plain_rates=() secure_rates=() plain_cpu=() secure_cpu=() plain_p99=() secure_p99=()
for round in $(seq "$rounds"); do
  throughput "$plain" "$plain_pid"
  plain_rates+=("$rate") plain_cpu+=("$cpu_us")
  throughput "$secure" "$secure_pid" "${secure_flags[@]}"
  secure_rates+=("$rate") secure_cpu+=("$cpu_us")
  echo "round $round, 64 in flight: plaintext ${plain_rates[-1]} calls/s (${plain_cpu[-1]} us CPU a call)," \
    "TLS with a token ${secure_rates[-1]} calls/s (${secure_cpu[-1]} us)"
  plain_p99+=("$(bench "$plain" 16 commands_p99_us)")
  secure_p99+=("$(bench "$secure" 16 commands_p99_us "${secure_flags[@]}")")
  echo "round $round, 16 in flight: p99 plaintext ${plain_p99[-1]} us, TLS with a token ${secure_p99[-1]} us"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pr="$(median "${plain_rates[@]}")"
sr="$(median "${secure_rates[@]}")"
pp="$(median "${plain_p99[@]}")"
sp="$(median "${secure_p99[@]}")"
echo
echo "median over $rounds rounds of $seconds s:"
echo "  64 in flight: plaintext $pr, TLS with a token $sr calls/s ($(jq -n "$sr / $pr * 100 | floor")% of plaintext)"
echo "  the service's CPU a call: plaintext $(median "${plain_cpu[@]}") us, TLS with a token $(median "${secure_cpu[@]}") us"
echo "  16 in flight: p99 plaintext $pp us, TLS with a token $sp us ($(jq -n "($sp - $pp) / 1000 * 100 | round / 100") ms more)"
