#!/usr/bin/env bash
# `npm test`: build every package (turbo), lint (scripts/lint.sh), run every workspace's vitest suite, then print one
# summary line for all of them. Exits non-zero if a build or a test fails.
set -u
cd "$(dirname "$0")/.."
rm -rf .vitest-reports
# examples/vitest-app's own `npm test` is its vitest run: test/e2e/vitest.test.ts runs it (recorded
# and plain), so it is not a workspace suite of its own.
# Every package first: some suites run the built CLI or loader of another package (trace-format's
# streaming reader test records examples/ts-app with the CLI).
npx turbo run build --filter='!@codetracer-examples/vitest-app' || exit $?
# After the build: the package-direction and browser-safe checks resolve sibling packages' dist/.
bash scripts/lint.sh || exit $?   # format, lint, package directions, browser-safe types (docs/architecture.md)
node scripts/check-packages.mjs || exit $?   # publint + attw on each package's npm pack tarball
npx turbo run test --concurrency=1 --continue --filter='!@codetracer-examples/vitest-app'
status=$?
node scripts/test-summary.mjs
summary=$?
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$summary"
