#!/usr/bin/env bash
# A development security configuration in one folder, for the compose stack's `secure`
# profile (its `certs` service runs this on the volume it shares with the services) and
# for tests. FOR DEVELOPMENT AND TESTS ONLY: DIR holds the CA's key and every token.
#   scripts/dev-secure-config.sh DIR [--san NAME]...
# writes, when DIR/callers does not exist yet:
#   the certificates of scripts/dev-certs.sh DIR [--san NAME]... (ca.pem, server.pem, ...)
#   tokens/teller, tokens/auditor, tokens/query-service
#                  one random token each (openssl rand -hex 32), mode 0600
#   callers        the --auth_tokens file: `NAME ROLES SHA256` per token, no secret:
#                  teller write,subscribe; auditor read; query-service subscribe
# and otherwise keeps everything in DIR as it is (a second run changes nothing, so a
# stack's clients keep their CA and tokens). callers is written last, by rename: while
# it is missing, DIR is incomplete and the next run makes it all again. The files
# belong to whoever runs this (the `certs` service runs as the services' uid 10001).
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--san NAME]..." >&2
  exit 2
}
[ $# -ge 1 ] || usage
dir="$1"
shift
case "$dir" in -*) usage ;; esac
command -v openssl >/dev/null || { echo "$0: needs the openssl command" >&2; exit 1; }

if [ -f "$dir/callers" ]; then
  echo "$dir: keeping the existing certificates and tokens ($dir/callers exists)"
  # dev-certs.sh's certificates last 30 days: say so before they stop working.
  if ! openssl x509 -checkend $((3 * 86400)) -noout -in "$dir/server.pem" >/dev/null 2>&1; then
    echo "$0: WARNING: $dir/server.pem expires within 3 days (or is unreadable);" \
      "delete $dir/callers (the stack's volume) and run again for new ones" >&2
  fi
  exit 0
fi

# The --san checks and the certificates: dev-certs.sh, beside this script.
"$(dirname "$0")/dev-certs.sh" "$dir" "$@"

# name roles: who may call what.
callers=(
  "teller write,subscribe"
  "auditor read"
  "query-service subscribe"
)
mkdir -p "$dir/tokens"
chmod 0700 "$dir/tokens"
{
  echo "# Made by dev-secure-config.sh: NAME ROLES SHA256 (of the token in tokens/NAME)."
  for caller in "${callers[@]}"; do
    read -r name roles <<<"$caller"
    token="$(openssl rand -hex 32)"
    rm -f "$dir/tokens/$name"
    (umask 077 && echo "$token" >"$dir/tokens/$name")
    digest="$(printf '%s' "$token" | openssl dgst -sha256 -r)"
    echo "$name $roles ${digest%% *}"
  done
} >"$dir/callers.tmp"
chmod 0644 "$dir/callers.tmp"
mv -f "$dir/callers.tmp" "$dir/callers"
echo "$dir: made a CA, server and client certificates, tokens for:" \
  "$(printf '%s ' "${callers[@]%% *}")(roles in $dir/callers)"
