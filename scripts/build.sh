#!/usr/bin/env bash
# Configures (once) and builds one CMake preset:
#   scripts/build.sh [PRESET [cmake --build options...]]   (default preset: release)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
# The tsan preset compiles Abseil's synchronization library from Debian's source.
[ "$preset" = tsan ] && scripts/fetch-absl-source.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
