#!/usr/bin/env bash
# The project's run command (README): installs what is missing, builds the
# release preset and runs the service pair on the default ports with data under
# ./data/. Ctrl-C stops both cleanly (SIGTERM, then waits for them to exit).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release

bin=build/bin
pids=()
stop() {
  trap - INT TERM
  echo
  echo "stopping..."
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exit 0
}
trap stop INT TERM

"$bin/command-service" --listen=127.0.0.1:50051 --data_dir=data/command &
pids+=($!)
"$bin/query-service" --listen=127.0.0.1:50052 --data_dir=data/query \
  --command_service=127.0.0.1:50051 &
pids+=($!)

sleep 1
cat <<'TOUR'

command-service on 127.0.0.1:50051, query-service on 127.0.0.1:50052 (Ctrl-C stops both). Try:
  build/bin/bankctl deposit acc1 100 && build/bin/bankctl balance acc1
  grpcurl -plaintext -d '{"account_id":"acc1","amount":"100"}' 127.0.0.1:50051 bank.v1.CommandService/Deposit
TOUR
wait -n "${pids[@]}" || true
echo "a service exited; stopping the other" >&2
stop
