#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need, only those missing.
# As root it uses apt-get, otherwise sudo; when neither works it prints the exact
# command to run and fails.
set -euo pipefail

PACKAGES=(
  cmake ninja-build ccache g++ clang clang-format pkg-config
  libgrpc++-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev
  libabsl-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libclang-rt-14-dev
  postgresql libpq-dev  # the PostgreSQL store, and the throw-away clusters its tests start
  xz-utils  # scripts/fetch-absl-source.sh unpacks Debian's .debian.tar.xz
  openssl libssl-dev  # TLS: scripts/dev-certs.sh, and common/security's checks of PEM files
  prometheus-cpp-dev  # --metrics_listen: prometheus-cpp's registry and pull exposer
  prometheus  # promtool, which the metrics tests check the exposition with
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
install_line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $install_line
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive $install_line
else
  echo "cannot install packages (not root, no sudo). Run:" >&2
  echo "  sudo apt-get update && sudo $install_line" >&2
  exit 1
fi
