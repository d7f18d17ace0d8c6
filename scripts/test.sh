#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, checks
# formatting, builds and runs the whole suite in the release build and again
# under AddressSanitizer + UndefinedBehaviorSanitizer, runs the tests that
# exercise threads under ThreadSanitizer (the PostgreSQL tests on a
# throw-away cluster this script starts and stops), builds the programs with clang's
# -Wthread-safety analysis as errors, and, where it can run Docker as root,
# builds and tests the docker-compose stack. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-2}"

step() { echo "== $(date +%T) $*"; }

step "install"
scripts/install-deps.sh
step "format"
scripts/check-format.sh

# One throw-away PostgreSQL cluster for every suite that needs one; each test
# works in a schema of its own (tests/support/test_postgres.h).
step "postgresql: start a throw-away cluster"
pg_dir="$(mktemp -d /tmp/bank-test-pg.XXXXXX)"
rmdir "$pg_dir"
trap 'scripts/postgres-cluster.sh stop "$pg_dir"' EXIT
BANK_TEST_POSTGRES_URI="$(scripts/postgres-cluster.sh start "$pg_dir")"
export BANK_TEST_POSTGRES_URI
echo "$BANK_TEST_POSTGRES_URI"

# Runs one preset's suite in an empty scratch directory (CMakePresets.json's
# TEST_TMPDIR), emptied again after a pass; a failure keeps it for a look.
run_tests() {
  local scratch="build/$1/test-tmp"
  [ "$1" != release ] || scratch="build/test-tmp"
  rm -rf "$scratch" && mkdir -p "$scratch"
  ctest --preset "$1"
  rm -rf "$scratch" && mkdir -p "$scratch"
}

for preset in release asan; do
  step "$preset: build"
  scripts/build.sh "$preset"
  step "$preset: test"
  run_tests "$preset"
done

# The tsan presets name the targets and tests; Abseil's synchronization is
# compiled instrumented from Debian's source (scripts/fetch-absl-source.sh).
step "tsan: build"
scripts/build.sh tsan
step "tsan: test"
run_tests tsan

step "clang -Wthread-safety: build"
scripts/build.sh clang-tsa --target command-service query-service bankctl bank-log

# libFuzzer on the record decoder, segment recovery and command validation,
# from the committed corpus; a longer run: scripts/fuzz.sh 600.
step "fuzz: 15 s per target"
scripts/fuzz.sh 15

# The stack needs Docker: an engine that is reachable, or root to start one.
if [ "$(id -u)" -eq 0 ] || docker info >/dev/null 2>&1; then
  step "docker-compose stack"
  scripts/compose-test.sh
else
  step "docker-compose stack: SKIPPED (needs root or a reachable Docker engine)"
fi

step "done: all tests passed"
