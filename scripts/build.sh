#!/usr/bin/env bash
# Configures (once) and builds one CMake preset: scripts/build.sh [PRESET] (default release).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
