#!/usr/bin/env bash
# `npm test`: build every package (turbo), run every workspace's vitest suite, then print one
# summary line for all of them. Exits non-zero if a build or a test fails.
set -u
cd "$(dirname "$0")/.."
rm -rf .vitest-reports
npx turbo run test --concurrency=1 --continue
status=$?
node scripts/test-summary.mjs
summary=$?
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$summary"
