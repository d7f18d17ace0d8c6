#!/usr/bin/env bash
# Rewrites proto/bank/v1/api.lock from the current protos, after a deliberate,
# wire-compatible change (a new field, value or method). Review the diff: a
# line that disappears is a break for old clients and old logs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh release --target common_test >/dev/null
BANK_UPDATE_PROTO_LOCK=1 build/bin/common_test --gtest_filter='ProtoCompatibilityTest.*' >/dev/null
git --no-pager diff --stat -- proto/bank/v1/api.lock
