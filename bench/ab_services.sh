# Sourced by the A/B benchmarks (bench/security.sh, bench/metrics.sh): two
# command services of one build, started by start_service, measured in turn
# by bank-bench. The caller sets $bin_dir, $seconds, $work (a temporary
# directory it removes) and $pin (1: the services run on CPU 0 and bank-bench
# on CPU 1, so that the client's work does not compete with the service's;
# empty: both anywhere) and sources this after parsing its flags.

command -v jq >/dev/null || { echo "$0 needs jq (apt-get install jq)" >&2; exit 1; }

pin_service=() pin_client=()
if [[ -n "$pin" ]]; then pin_service=(taskset -c 0) pin_client=(taskset -c 1); fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_service() {  # NAME ARGS... -> the address in $address, the pid in ${pids[-1]}
  local name="$1"
  shift
  "${pin_service[@]}" "$bin_dir/command-service" --listen=127.0.0.1:0 --data_dir="$work/$name" "$@" \
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

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks
ticks_per_s="$(getconf CLK_TCK)"

bench() {  # ADDRESS IN_FLIGHT FIELD [FLAGS...] -> the field of bank-bench's JSON
  local address="$1" in_flight="$2" field="$3"
  shift 3
  "${pin_client[@]}" "$bin_dir/bank-bench" --json --command_service="$address" --in_flight="$in_flight" \
    --warmup_seconds=2 --seconds="$seconds" "$@" commands | jq ".$field"
}

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

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
