#!/usr/bin/env bash
# bench/security.sh: what TLS and a bearer token cost a command. Two command
# services of the same build on the file store, one plaintext and one with
# TLS and --auth_tokens (certificates from scripts/dev-certs.sh), measured in
# interleaved rounds of bank-bench commands: calls/s at 64 in flight, with
# the service's CPU time per call (/proc, warm-up included), and p99 at 16 in
# flight. Channels are long-lived, so the handshake is not counted.
#
#   bench/security.sh [--seconds N] [--rounds R] [--bin-dir DIR] [--pin]
#
# --pin runs the services on CPU 0 and bank-bench on CPU 1.
#
# Needs jq and openssl. Prints one line per measurement and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=8
rounds=3
bin_dir=build/bin
pin=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --bin-dir) bin_dir="$2"; shift ;;
    --pin) pin=1 ;;
    *) echo "usage: bench/security.sh [--seconds N] [--rounds R] [--bin-dir DIR] [--pin]" >&2; exit 2 ;;
  esac
  shift
done
work="$(mktemp -d /tmp/bank-bench-security.XXXXXX)"
source bench/ab_services.sh

scripts/dev-certs.sh "$work/certs"
token="bench-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
printf '%s' "$token" >"$work/token"
echo "bench write $(printf '%s' "$token" | sha256sum | cut -d' ' -f1)" >"$work/tokens"

start_service plain
plain="$address" plain_pid="${pids[-1]}"
start_service secure --tls_cert="$work/certs/server.pem" --tls_key="$work/certs/server.key" \
  --auth_tokens="$work/tokens"
secure="$address" secure_pid="${pids[-1]}"

secure_flags=(--tls_ca="$work/certs/ca.pem" --token_file="$work/token")

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

pr="$(median "${plain_rates[@]}")"
sr="$(median "${secure_rates[@]}")"
pp="$(median "${plain_p99[@]}")"
sp="$(median "${secure_p99[@]}")"
echo
echo "median over $rounds rounds of $seconds s:"
echo "  64 in flight: plaintext $pr, TLS with a token $sr calls/s ($(jq -n "$sr / $pr * 100 | floor")% of plaintext)"
echo "  the service's CPU a call: plaintext $(median "${plain_cpu[@]}") us, TLS with a token $(median "${secure_cpu[@]}") us"
echo "  16 in flight: p99 plaintext $pp us, TLS with a token $sp us ($(jq -n "($sp - $pp) / 1000 * 100 | round / 100") ms more)"
