#!/usr/bin/env bash
# Tests the docker-compose stack for real: builds the images (every program's shared libraries found
# by ldd in its image), brings command-service and query-service up, waits for both to be healthy,
# runs the demo profile (must exit 0), checks both services' health and makes a gRPC call from the
# host. Then the `metrics` profile: Prometheus comes up healthy and, asked from the host, has both
# services' targets up and bank_commands_total samples from the demo. Then the same for the
# `postgres` profile, with the images already built: PostgreSQL, two command-service replicas and
# the query service following both come up healthy, its demo exits 0 (a deposit through one replica,
# a withdrawal through the other), each replica answers health from the host, and with replica a
# stopped a command still lands through b and the query service shows it. Then the `secure` profile:
# its certs service makes the CA, certificates and tokens on a volume, the TLS-only, token-checking
# services come up healthy (health over TLS), its demo exits 0 (teller writes, auditor reads, the
# history names teller), and from the host, with the CA and the auditor's token copied out of the
# volume: a plaintext call is refused, a call with no token is UNAUTHENTICATED, the auditor's
# Deposit is PERMISSION_DENIED and its read works; a second `up` and a second run of certs keep the
# CA and the tokens. Then it brings everything down, deleting every volume.
#
# With a Docker engine reachable (DOCKER_HOST or the default socket) and a debian:bookworm image in
# it, both are used as they are, and the built images stay there as a cache. With none, as root, it
# makes its own: installs docker.io, docker-compose and debootstrap if missing, starts a private
# dockerd under a temporary folder, makes debian:bookworm with debootstrap from the host's Debian
# mirror (no registry is needed), and at the end stops that dockerd and deletes the folder.
# Exits non-zero on any failure, printing the containers' and the engine's logs.
set -euo pipefail
cd "$(dirname "$0")/.."

script_start=$SECONDS
phase_name=""
phase_start=$SECONDS
timings=()
phase() {  # phase NAME: ends the running phase (printing its time) and starts NAME.
  if [ -n "$phase_name" ]; then
    timings+=("$(printf '%-16s %4ds' "$phase_name" $((SECONDS - phase_start)))")
    echo "### $phase_name: $((SECONDS - phase_start))s"
  fi
  phase_name="$1"
  phase_start=$SECONDS
  [ -n "$phase_name" ] && echo "### $phase_name"
  return 0
}
fail() {
  echo "compose-test: FAILED: $*" >&2
  exit 1
}

# --- cleanup, on any exit ---------------------------------------------------------------------
tmp=""              # our temporary folder (source copy, base image work, our dockerd)
dockerd_pid=""      # our dockerd, when we started one
own_network=0       # 1 when the host's iptables, ip_forward and docker0 are ours to put back
stack_started=0
export COMPOSE_PROJECT_NAME="banktest$$"

compose() { docker-compose --profile demo --profile postgres --profile secure --profile metrics "$@"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [ "$status" -ne 0 ] && [ "$stack_started" -eq 1 ]; then
    echo "---- container logs ($COMPOSE_PROJECT_NAME) ----" >&2
    compose logs --no-color --tail=200 >&2
    compose ps >&2
  fi
  if [ "$stack_started" -eq 1 ]; then
    phase "down"
    compose down -v --remove-orphans
  fi
  if [ -n "$dockerd_pid" ]; then
    phase "stop dockerd"
    if [ "$status" -ne 0 ]; then
      echo "---- dockerd log (last 40 lines) ----" >&2
      tail -n 40 "$tmp/dockerd.log" >&2
    fi
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$dockerd_pid" 2>/dev/null
    wait "$dockerd_pid" 2>/dev/null
    # What dockerd leaves behind: mounts under its roots, its bridge, its iptables rules (and a
    # FORWARD policy of DROP), ip_forward on.
    grep -o " $tmp/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
    if [ "$own_network" -eq 1 ]; then
      ip link delete docker0 2>/dev/null
      iptables-restore <"$tmp/iptables.before"
      echo "$ip_forward_before" >/proc/sys/net/ipv4/ip_forward
    fi
  fi
  if [ -n "$tmp" ]; then
    phase "remove temp"
    rm -rf "$tmp"
  fi
  phase ""
  echo "timings:"
  printf '  %s\n' "${timings[@]}"
  printf '  %-16s %4ds\n' total $((SECONDS - script_start))
  if [ "$status" -eq 0 ]; then
    echo "compose-test: PASSED"
  else
    echo "compose-test: FAILED (exit $status)" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- engine -----------------------------------------------------------------------------------
engine_reachable() { command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; }

install_missing() {  # install_missing PACKAGE:COMMAND ...
  local missing=() item
  for item in "$@"; do
    command -v "${item#*:}" >/dev/null || missing+=("${item%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || fail "missing ${missing[*]}; run as root, or: sudo apt-get install -y ${missing[*]}"
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

phase "engine"
tmp=$(mktemp -d /tmp/bank-compose.XXXXXX)
if engine_reachable; then
  echo "using the Docker engine at ${DOCKER_HOST:-the default socket}"
  install_missing docker-compose:docker-compose
else
  [ "$(id -u)" -eq 0 ] || fail "no Docker engine is reachable, and starting one needs root"
  install_missing docker.io:dockerd docker.io:docker docker-compose:docker-compose debootstrap:debootstrap
  # Containers may not raise a limit above the hard limits this process has.
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  # dockerd rewrites the host's filter and nat tables: keep them to put back, unless another
  # dockerd is already running (its docker0 exists), whose rules are not ours to undo.
  if ! ip link show docker0 >/dev/null 2>&1; then
    { iptables-save -t filter && iptables-save -t nat; } >"$tmp/iptables.before" ||
      fail "cannot read the host's iptables"
    ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
    own_network=1
  fi
  dockerd --data-root "$tmp/root" --exec-root "$tmp/exec" --pidfile "$tmp/docker.pid" \
    -H "unix://$tmp/docker.sock" \
    --default-ulimit "nofile=$nofile:$nofile" --default-ulimit "nproc=$nproc:$nproc" \
    >"$tmp/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$tmp/docker.sock"
  for _ in $(seq 150); do
    engine_reachable && break
    kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited at start-up (its log follows)"
    sleep 0.2
  done
  engine_reachable || fail "dockerd did not answer within 30 s (its log follows)"
  echo "started dockerd $(docker version -f '{{.Server.Version}}') at $DOCKER_HOST (pid $dockerd_pid)"
fi

# --- base image -------------------------------------------------------------------------------
debian_mirror() {  # the host's Debian mirror for bookworm, from its apt sources
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $0 ~ / bookworm( |$)/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
  if [ -z "$mirror" ]; then
    mirror=$(awk 'BEGIN { RS = ""; FS = "\n" }
      /(^|\n)Suites:[^\n]*bookworm( |\n|$)/ && !/(^|\n)Enabled: *no/ {
        for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, f, " "); print f[2]; exit } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

if ! docker image inspect debian:bookworm >/dev/null 2>&1; then
  phase "base image"
  install_missing debootstrap:debootstrap
  mirror=$(debian_mirror)
  echo "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
    { tail -n 30 "$tmp/debootstrap.log" >&2; fail "debootstrap failed"; }
  # The image reaches Debian as the host does: the host's Debian sources replace debootstrap's.
  rm -f "$tmp/rootfs/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && grep -qi debian "$f" && cp "$f" "$tmp/rootfs$f"
  done
  rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*
  tar -C "$tmp/rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm >/dev/null
  rm -rf "$tmp/rootfs"
fi

# --- the stack --------------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
taken_ports=()
free_port() {  # free_port VAR START: exports VAR, the first port from START free and not given yet
  local p=$2
  while port_busy "$p" || [[ " ${taken_ports[*]} " == *" $p "* ]]; do p=$((p + 1)); done
  taken_ports+=("$p")
  printf -v "$1" '%s' "$p"
  export "${1?}"
}
free_port BANK_COMMAND_PORT "${BANK_COMMAND_PORT:-50051}"
free_port BANK_QUERY_PORT "${BANK_QUERY_PORT:-50052}"
free_port BANK_POSTGRES_PORT "${BANK_POSTGRES_PORT:-5432}"
free_port BANK_COMMAND_A_PORT "${BANK_COMMAND_A_PORT:-50061}"
free_port BANK_COMMAND_B_PORT "${BANK_COMMAND_B_PORT:-50071}"
free_port BANK_QUERY_REPLICAS_PORT "${BANK_QUERY_REPLICAS_PORT:-50062}"
free_port BANK_COMMAND_SECURE_PORT "${BANK_COMMAND_SECURE_PORT:-50081}"
free_port BANK_QUERY_SECURE_PORT "${BANK_QUERY_SECURE_PORT:-50082}"
free_port BANK_PROMETHEUS_PORT "${BANK_PROMETHEUS_PORT:-9090}"

phase "build images"
# The images are built from a copy of the tree taken now, so that all the builds see the same
# sources (and share the build stage) even while the tree is being edited.
# (tar exits 1 when a file changed while it was read: the copy is still whole.)
mkdir "$tmp/src"
{ tar -C . -c --exclude=./.git --exclude=./build --exclude=./data --warning=no-file-changed . ||
  [ $? -eq 1 ]; } | tar -C "$tmp/src" -x
export COMPOSE_FILE="$tmp/src/docker-compose.yml"
docker-compose config -q || fail "docker-compose.yml is not valid"
# Each image once: the profile's other services share these images.
compose build command-service query-service demo postgres certs prometheus || fail "image build failed"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'bank/*'
# The runtime stage installs the programs' shared libraries by name: ldd finds every one.
missing=$(docker run --rm --entrypoint sh bank/bankctl -c 'ldd /usr/local/bin/*' 2>&1) ||
  fail "ldd in bank/bankctl failed: $missing"
if grep 'not found' <<<"$missing"; then fail "the runtime image lacks shared libraries (above)"; fi
echo "ldd: every program's shared libraries are in the runtime image"

wait_healthy() {  # wait_healthy SERVICE...: each one's container healthy within 60 s
  local service container health
  for service in "$@"; do
    container=$(compose ps -q "$service")
    [ -n "$container" ] || fail "$service has no container"
    for _ in $(seq 120); do
      health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$container")
      [ "$health" = healthy ] && break
      sleep 0.5
    done
    [ "$health" = healthy ] || fail "$service is not healthy after 60 s: ${health:-no health status}"
    echo "$service: healthy"
  done
}

phase "up, healthy"
stack_started=1
compose up -d command-service query-service || fail "docker-compose up failed"
wait_healthy command-service query-service

phase "demo"
compose run --rm -T demo || fail "the demo profile did not show acc1 at 60"

phase "host checks"
command_addr="127.0.0.1:$BANK_COMMAND_PORT"
query_addr="127.0.0.1:$BANK_QUERY_PORT"
# The secure profile's CA and token, copied out of its volume, go here (our folder: 0700, root's).
secure_dir="$tmp/secure"
mkdir "$secure_dir"
if [ -x build/bin/bankctl ]; then
  bankctl=(build/bin/bankctl)
else  # no host build: the image's bankctl, on the host's network (seeing $secure_dir as is)
  echo "build/bin/bankctl missing: using the image's bankctl with --network host"
  bankctl=(docker run --rm --network host -v "$secure_dir:$secure_dir:ro" bank/bankctl)
fi
"${bankctl[@]}" --command_service="$command_addr" --query_service="$query_addr" health ||
  fail "the services are not SERVING from the host"
balance=$("${bankctl[@]}" --query_service="$query_addr" balance acc1) ||
  fail "balance acc1 from the host failed"
echo "$balance"
case "$balance" in "acc1: balance 60 "*) ;; *) fail "balance acc1 from the host: want 60, got: $balance" ;; esac

phase "metrics"
# Prometheus (after the demo, so the command service has counted commands), asked from the host:
# both targets up and bank_commands_total has samples, within 60 s (it scrapes every 2 s).
install_missing python3:python3
compose up -d prometheus || fail "docker-compose up of the metrics profile failed"
wait_healthy prometheus
python3 - "http://127.0.0.1:$BANK_PROMETHEUS_PORT" <<'PY' || fail "Prometheus does not show both services' metrics"
import json, sys, time, urllib.parse, urllib.request
base = sys.argv[1]
def get(path):
    with urllib.request.urlopen(base + path, timeout=5) as reply:
        return json.load(reply)["data"]
deadline = time.monotonic() + 60
while True:
    try:
        health = {t["labels"]["job"]: t["health"] for t in get("/api/v1/targets")["activeTargets"]}
        samples = get("/api/v1/query?" + urllib.parse.urlencode({"query": "bank_commands_total"}))["result"]
    except (OSError, ValueError, KeyError) as error:
        health, samples = {"error": str(error)}, []
    if health.get("command-service") == "up" and health.get("query-service") == "up" and samples:
        break
    if time.monotonic() > deadline:
        print(f"after 60 s: targets {health}, bank_commands_total {samples}", file=sys.stderr)
        sys.exit(1)
    time.sleep(0.5)
print(f"targets: {health}")
for sample in samples:
    labels = ",".join(f"{k}={v}" for k, v in sorted(sample["metric"].items()) if k != "__name__")
    print(f"bank_commands_total{{{labels}}} {sample['value'][1]}")
PY

phase "bank-log on the stopped command service's volume"
compose stop command-service || fail "docker-compose stop command-service failed"
verdict=$(compose run --rm --no-deps -T --entrypoint bank-log command-service verify /data) ||
  fail "bank-log verify of the command service's volume failed: $verdict"
echo "$verdict"
case "$verdict" in "whole: 2 events, head position 2,"*) ;; *) fail "bank-log verify: want the demo's 2 events, got: $verdict" ;; esac

# --- profile postgres: two replicas on PostgreSQL, the same images ---------------------------
phase "pg: up, healthy"
# The query service brings what it depends on: PostgreSQL, then both replicas.
compose up -d query-service-replicas || fail "docker-compose up of the postgres profile failed"
wait_healthy postgres command-service-a command-service-b query-service-replicas

phase "pg: demo"
compose run --rm -T demo-replicas || fail "the postgres profile's demo did not show acc1 at 60"

phase "pg: host checks"
replica_a="127.0.0.1:$BANK_COMMAND_A_PORT"
replica_b="127.0.0.1:$BANK_COMMAND_B_PORT"
query_replicas="127.0.0.1:$BANK_QUERY_REPLICAS_PORT"
for replica in "$replica_a" "$replica_b"; do
  "${bankctl[@]}" --command_service="$replica" health command ||
    fail "the replica at $replica is not SERVING from the host"
done
"${bankctl[@]}" --query_service="$query_replicas" health query ||
  fail "the postgres profile's query service is not SERVING from the host"

phase "pg: a stopped"
# The query service follows replica a (the first of its list): with a gone, a command sent to the
# replica list lands on b, and the query service, now following b, shows it.
compose stop command-service-a || fail "docker-compose stop command-service-a failed"
reply=$("${bankctl[@]}" --command_service="$replica_a,$replica_b" --command_id=compose-test-a-stopped \
  deposit acc1 15) || fail "a deposit with replica a stopped failed: $reply"
echo "$reply"
case "$reply" in "acc1: balance 75, "*) ;; *) fail "deposit with replica a stopped: want balance 75, got: $reply" ;; esac
for _ in $(seq 100); do
  balance=$("${bankctl[@]}" --query_service="$query_replicas" balance acc1 2>&1) &&
    case "$balance" in "acc1: balance 75 "*) break ;; esac
  sleep 0.2
done
echo "$balance"
case "$balance" in "acc1: balance 75 "*) ;; *) fail "the query service never showed acc1 at 75 with replica a stopped; last answer: $balance" ;; esac
compose logs --no-color query-service-replicas | grep 'following command service' ||
  fail "the query service's log does not say which replica it follows"

# --- profile secure: TLS and tokens, the same images ------------------------------------------
phase "secure: up, healthy"
# The query service brings what it depends on: certs (run to completion), then the command service.
compose up -d query-service-secure || fail "docker-compose up of the secure profile failed"
wait_healthy command-service-secure query-service-secure
compose logs --no-color certs

phase "secure: demo"
compose run --rm -T demo-secure || fail "the secure profile's demo failed"

phase "secure: host checks"
# from_volume FILE: /config/FILE of the secure-config volume, on stdout (the way the compose
# file's header shows).
from_volume() { compose run --rm --no-deps -T --entrypoint cat certs "/config/$1"; }
from_volume ca.pem >"$secure_dir/ca.pem" || fail "cannot copy ca.pem out of the secure-config volume"
from_volume tokens/auditor >"$secure_dir/auditor" || fail "cannot copy the auditor's token out"
chmod 0644 "$secure_dir"/*  # for the image's bankctl (uid 10001) when there is no host build
secure_command="127.0.0.1:$BANK_COMMAND_SECURE_PORT"
secure_query="127.0.0.1:$BANK_QUERY_SECURE_PORT"
tls=(--tls_ca="$secure_dir/ca.pem")
auditor=(--tls_ca="$secure_dir/ca.pem" --token_file="$secure_dir/auditor")
# expect_refusal WHAT WANT BANKCTL_ARGS...: bankctl must fail, saying WANT.
expect_refusal() {
  local what=$1 want=$2 out
  shift 2
  if out=$(env -u BANK_TOKEN "${bankctl[@]}" --timeout=5s "$@" 2>&1); then
    fail "$what: want $want, but it was answered: $out"
  fi
  echo "$what: $out"
  case "$out" in *"$want"*) ;; *) fail "$what: want $want, got: $out" ;; esac
}
"${bankctl[@]}" "${tls[@]}" --command_service="$secure_command" --query_service="$secure_query" \
  health || fail "the secure services are not SERVING over TLS from the host"
# Health needs no token: refused in plaintext, it is the transport that refuses.
expect_refusal "plaintext health" "UNAVAILABLE" --command_service="$secure_command" health command
expect_refusal "TLS deposit, no token" "UNAUTHENTICATED:" --command_service="$secure_command" \
  "${tls[@]}" deposit acc1 1
expect_refusal "TLS balance, no token" "UNAUTHENTICATED:" --query_service="$secure_query" \
  "${tls[@]}" balance acc1
expect_refusal "TLS deposit, auditor" "PERMISSION_DENIED:" --command_service="$secure_command" \
  "${auditor[@]}" deposit acc1 1
# The refused deposits recorded nothing: still the demo's 60, read with the auditor's token.
balance=$("${bankctl[@]}" "${auditor[@]}" --query_service="$secure_query" balance acc1) ||
  fail "balance acc1 with the auditor's token from the host failed"
echo "auditor: $balance"
case "$balance" in "acc1: balance 60 "*) ;; *) fail "balance acc1 from the host: want 60, got: $balance" ;; esac

phase "secure: again"
# A second `up` and a second run of certs on the filled volume keep the CA and every token.
config_digests() {
  compose run --rm --no-deps -T --entrypoint sha256sum certs /config/ca.pem /config/server.pem \
    /config/callers /config/tokens/teller /config/tokens/auditor /config/tokens/query-service
}
before=$(config_digests) || fail "cannot read the secure-config volume: $before"
compose up -d query-service-secure || fail "a second docker-compose up of the secure profile failed"
out=$(compose run --rm -T certs) || fail "a second run of certs failed: $out"
echo "$out"
case "$out" in *"keeping the existing"*) ;; *) fail "a second run of certs did not keep the volume: $out" ;; esac
after=$(config_digests) || fail "cannot read the secure-config volume: $after"
[ "$before" = "$after" ] || fail "the certificates, callers or tokens changed on a second up"
wait_healthy command-service-secure query-service-secure
"${bankctl[@]}" "${auditor[@]}" --query_service="$secure_query" balance acc1 ||
  fail "the auditor's token copied before the second up no longer reads"
