#!/usr/bin/env bash
# A throw-away development CA and certificates, for the tests and a local
# `secure` docker-compose stack. FOR DEVELOPMENT AND TESTS ONLY: anyone with
# DIR holds the CA's key; never use these for real traffic, never commit them.
#   scripts/dev-certs.sh DIR [--san NAME]...
# makes DIR if missing and writes, in PEM (keys EC P-256, mode 0600; 30 days):
#   ca.pem ca.key                      the development CA (self-signed, CA:TRUE)
#   server.pem server.key              a server certificate signed by it, for
#                                      localhost, 127.0.0.1, ::1, command-service,
#                                      query-service and each --san NAME (DNS)
#   client.pem client.key              a client certificate signed by it, CN bank-client
#   other-ca.pem other-ca.key          a second, unrelated CA
#   other-client.pem other-client.key  a client certificate signed by the other CA,
#                                      CN bank-client too: mutual TLS must refuse it
#                                      for its issuer alone
# Files already in DIR are replaced. Prints nothing unless something fails.
set -euo pipefail

usage() {
  echo "usage: $0 DIR [--san NAME]..." >&2
  exit 2
}

dir=""
sans=()
while [ $# -gt 0 ]; do
  case "$1" in
    --san)
      [ $# -ge 2 ] || usage
      # The name goes into an OpenSSL config line: a DNS name and nothing else.
      if ! [[ "$2" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
        echo "$0: --san $2: not a DNS name" >&2
        exit 2
      fi
      sans+=("$2")
      shift 2
      ;;
    -*) usage ;;
    *)
      [ -z "$dir" ] || usage
      dir="$1"
      shift
      ;;
  esac
done
[ -n "$dir" ] || usage
command -v openssl >/dev/null || { echo "$0: needs the openssl command" >&2; exit 1; }

mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# openssl reports progress on stderr even when all goes well: show it only on failure.
run_openssl() {
  local output
  if ! output="$(openssl "$@" 2>&1)"; then
    echo "$0: openssl $1 failed:" >&2
    echo "$output" >&2
    return 1
  fi
}

# new_key NAME: DIR/NAME.key, created 0600 (an old file would keep its mode).
new_key() {
  rm -f "$dir/$1.key"
  (umask 077 && run_openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$dir/$1.key")
}

# new_ca NAME CN: a self-signed CA in DIR/NAME.{pem,key}.
new_ca() {
  new_key "$1"
  cat >"$work/$1.cnf" <<EOF
[req]
distinguished_name = dn
[dn]
[ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
  run_openssl req -x509 -new -key "$dir/$1.key" -subj "/CN=$2" -days 30 -sha256 \
    -config "$work/$1.cnf" -extensions ext -out "$dir/$1.pem"
}

# new_leaf NAME CN CA EXTENSIONS: DIR/NAME.{pem,key} signed by DIR/CA.{pem,key}.
# Our own config, never the system's openssl.cnf, decides every extension.
new_leaf() {
  new_key "$1"
  run_openssl req -new -key "$dir/$1.key" -subj "/CN=$2" -config "$work/$3.cnf" \
    -out "$work/$1.csr"
  cat >"$work/$1.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
$4
EOF
  # A random serial, and no CA.srl file left behind in DIR.
  run_openssl x509 -req -in "$work/$1.csr" -CA "$dir/$3.pem" -CAkey "$dir/$3.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 30 -sha256 -extfile "$work/$1.ext" \
    -out "$dir/$1.pem"
}

san="DNS:localhost, IP:127.0.0.1, IP:::1, DNS:command-service, DNS:query-service"
for name in "${sans[@]}"; do
  san+=", DNS:$name"
done

new_ca ca "bank development CA"
new_leaf server "bank server" ca "extendedKeyUsage = serverAuth
subjectAltName = $san"
new_leaf client bank-client ca "extendedKeyUsage = clientAuth"
new_ca other-ca "bank other development CA"
new_leaf other-client bank-client other-ca "extendedKeyUsage = clientAuth"
