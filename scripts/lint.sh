#!/usr/bin/env bash
# `npm run lint` (and the first step of `npm test`): the guardrails of docs/architecture.md.
#   1. Prettier: the sources are formatted (.prettierrc.json; `npm run format` fixes it);
#   2. ESLint with typescript-eslint's recommended rules (eslint.config.mjs);
#   3. dependency-cruiser: no import loop, and no import against the allowed direction between
#      packages (.dependency-cruiser.cjs);
#   4. the browser-safe sources type-check without Node's types (packages/*/tsconfig.browser.json).
# Exits non-zero on the first failing check, naming it.
set -u
cd "$(dirname "$0")/.."
fail() { echo "lint: $1 failed (see above)" >&2; exit 1; }
npx prettier --check --log-level warn . || fail "prettier --check (run 'npm run format')"
npx eslint --max-warnings 0 . || fail "eslint"
npx depcruise --config .dependency-cruiser.cjs packages/*/src >/dev/null || { npx depcruise --config .dependency-cruiser.cjs packages/*/src; fail "dependency-cruiser"; }
for pkg in trace-format trace-filter runtime; do
  npx tsc -p "packages/$pkg/tsconfig.browser.json" || fail "tsc -p packages/$pkg/tsconfig.browser.json (browser-safe sources)"
done
echo "lint: prettier, eslint, dependency-cruiser and the browser-safe type check pass"
