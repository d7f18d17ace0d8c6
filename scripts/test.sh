#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, checks
# formatting, builds and runs the whole suite in the release build and again under
# AddressSanitizer + UndefinedBehaviorSanitizer, and builds with clang's
# -Wthread-safety analysis as errors. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-2}"

scripts/install-deps.sh
scripts/check-format.sh

for preset in release asan; do
  echo "== $preset: build"
  scripts/build.sh "$preset"
  echo "== $preset: test"
  ctest --preset "$preset"
done

echo "== clang -Wthread-safety: build"
scripts/build.sh clang-tsa
echo "all tests passed"
