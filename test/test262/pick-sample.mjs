#!/usr/bin/env node
// Picks the committed test262 sample (test/test262/tests, harness, sample.json) from a test262
// checkout, reproducibly: the same checkout always gives the same sample.
//
//   node test/test262/pick-sample.mjs /path/to/test262 [--commit <sha>]
//
// (a checkout: a clone of https://github.com/tc39/test262, or `git archive <sha> test harness
// LICENSE | tar -x`). It replaces test/test262/tests and test/test262/harness and rewrites
// sample.json and LICENSE; README.md says which commit the committed sample came from.
//
// Which tests: the files of test/language and test/built-ins that
// - are tests (not `_FIXTURE` files),
// - run as a script (no `module`, `raw`, `CanBlockIs*` flags), are not negative (parse or
//   early-error tests say nothing about a recorder: the program never runs),
// - use no feature Node 20 lacks (the SKIP_FEATURES list) and no host hook of `$262` (agents,
//   detachArrayBuffer, createRealm, evalScript, gc, IsHTMLDDA),
// - and whose hash (sha-256 of the path) falls under their directory's rate: a recorder touches
//   prototypes, iterators, getters, frames; the directories that stress that (FOCUS) are sampled
//   more densely, tests that patch Object.prototype or Array.prototype themselves densest.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** test262 feature tags Node 20 does not implement (or that need a host the runner lacks). */
const SKIP_FEATURES = new Set([
  "Array.fromAsync", "Atomics", "Atomics.pause", "Atomics.waitAsync", "Error.isError", "Float16Array",
  "IsHTMLDDA", "Iterator.prototype.join", "Math.sumPrecise", "RegExp.escape", "ShadowRealm", "SharedArrayBuffer",
  "Temporal", "array-grouping", "arraybuffer-transfer", "await-dictionary", "canonical-tz", "cross-realm",
  "decorators", "dynamic-import", "error-stack-accessor", "explicit-resource-management", "export-defer",
  "host-gc-required", "immutable-arraybuffer", "import-attributes", "import-bytes", "import-defer", "import-text",
  "import.meta", "iterator-chunking", "iterator-helpers", "iterator-includes", "iterator-sequencing",
  "joint-iteration", "json-modules", "json-parse-with-source", "legacy-regexp", "nonextensible-applies-to-private",
  "promise-try", "promise-with-resolvers", "regexp-duplicate-named-groups", "regexp-modifiers", "set-methods",
  "source-phase-imports", "source-phase-imports-module-source", "tail-call-optimization", "top-level-await",
  "uint8array-base64", "upsert",
]);

/** Harness files that need a host hook the runner does not give. */
const SKIP_INCLUDES = new Set(["detachArrayBuffer.js", "atomicsHelper.js", "testAtomics.js", "testIntl.js", "temporalHelpers.js", "asyncHelpers.js"]);

/** Directory prefixes (under test/) and their sampling rate; the first match wins, else BASE_RATE. */
const FOCUS = [
  ["language/statements/labeled/", 1],
  ["language/destructuring/", 1],
  ["language/statements/async-function/", 0.5],
  ["language/statements/try/", 0.3],
  ["language/statements/with/", 0.2],
  ["language/statements/for-in/", 0.3],
  ["language/statements/for-of/", 0.12],
  ["language/statements/generators/", 0.15],
  ["language/expressions/generators/", 0.15],
  ["language/statements/async-generator/", 0.12],
  ["language/expressions/async-generator/", 0.06],
  ["language/expressions/assignment/", 0.15],
  ["language/statements/class/", 0.04],
  ["language/expressions/class/", 0.03],
  ["language/expressions/object/", 0.06],
  ["language/arguments-object/", 0.15],
  ["language/function-code/", 0.15],
  ["language/statements/", 0.03],
  ["language/expressions/", 0.02],
  ["built-ins/Proxy/", 0.3],
  ["built-ins/Reflect/", 0.3],
  ["built-ins/Symbol/", 0.3],
  ["built-ins/GeneratorPrototype/", 0.5],
  ["built-ins/AsyncGeneratorPrototype/", 0.3],
  ["built-ins/ArrayIteratorPrototype/", 0.5],
  ["built-ins/Promise/", 0.1],
  ["built-ins/JSON/", 0.2],
  ["built-ins/Object/", 0.05],
  ["built-ins/Array/", 0.05],
  ["built-ins/Function/", 0.08],
  ["built-ins/Map/", 0.1],
  ["built-ins/Set/", 0.1],
  ["built-ins/WeakMap/", 0.1],
  ["built-ins/String/", 0.03],
  ["built-ins/TypedArray/", 0.02],
  ["built-ins/TypedArrayConstructors/", 0.03],
  ["built-ins/RegExp/", 0.02],
];
const BASE_RATE = 0.02;
/** All rates above are scaled by this (the sample's size: about 1,300 tests, one run each). */
const SCALE = 0.45;
/** Tests that patch the built-ins the recorder itself could use: rate 1. */
const PATCHES_BUILTINS =
  /Object\.prototype\s*\[|Object\.defineProperty\(\s*(Object|Array)\.prototype|delete\s+(Array|Object)\.prototype|(Array|Object)\.prototype\[Symbol\.iterator\]\s*=|(Object|Array|Function)\.prototype\.[A-Za-z_$]+\s*=[^=]/;

/** The YAML front matter's fields the runner needs (`flags`, `includes`, `features`, `negative`). */
function frontMatter(source) {
  const m = /\/\*---([\s\S]*?)---\*\//.exec(source);
  const meta = { flags: [], includes: [], features: [], negative: false };
  if (!m) return meta;
  const lines = m[1].split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const field = /^(flags|includes|features|negative):\s*(.*)$/.exec(lines[i]);
    if (!field) continue;
    const [, key, rest] = field;
    if (key === "negative") {
      meta.negative = true;
      continue;
    }
    if (rest.trim().startsWith("[")) {
      meta[key] = rest.replace(/[[\]]/g, "").split(",").map((s) => s.trim()).filter(Boolean);
    } else {
      const items = [];
      while (i + 1 < lines.length && /^\s+-\s*/.test(lines[i + 1])) items.push(lines[++i].replace(/^\s+-\s*/, "").trim());
      meta[key] = items;
    }
  }
  return meta;
}

/** A number in [0, 1) from the path, the same on every machine. */
function hashFraction(rel) {
  return createHash("sha256").update(rel).digest().readUInt32BE(0) / 2 ** 32;
}

function rateOf(rel, source) {
  if (PATCHES_BUILTINS.test(source)) return 1;
  for (const [prefix, rate] of FOCUS) if (rel.startsWith(prefix)) return rate * SCALE;
  return BASE_RATE * SCALE;
}

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith(".js")) yield full;
  }
}

function main() {
  const args = process.argv.slice(2);
  const root = args[0];
  if (!root || !fs.existsSync(path.join(root, "test/language"))) {
    console.error("usage: node test/test262/pick-sample.mjs <test262 checkout>");
    process.exit(2);
  }
  const picked = [];
  const harness = new Set(["assert.js", "sta.js", "doneprintHandle.js"]);
  for (const top of ["language", "built-ins"]) {
    for (const file of walk(path.join(root, "test", top))) {
      const rel = path.relative(path.join(root, "test"), file).split(path.sep).join("/");
      if (rel.includes("_FIXTURE")) continue;
      const source = fs.readFileSync(file, "utf8");
      const meta = frontMatter(source);
      if (meta.negative) continue;
      if (meta.flags.some((f) => f === "module" || f === "raw" || f.startsWith("CanBlockIs"))) continue;
      if (meta.features.some((f) => SKIP_FEATURES.has(f))) continue;
      if (meta.includes.some((f) => SKIP_INCLUDES.has(f))) continue;
      if (source.includes("$262")) continue;
      const u = hashFraction(rel);
      if (u >= rateOf(rel, source)) continue;
      for (const inc of meta.includes) harness.add(inc);
      // One run per test (the time a CI run has): its only mode, else strict or sloppy by the hash.
      const mode = meta.flags.includes("onlyStrict") ? "strict" : meta.flags.includes("noStrict") ? "sloppy" : (u * 1e6) % 2 < 1 ? "sloppy" : "strict";
      picked.push({ path: rel, includes: meta.includes, async: meta.flags.includes("async"), mode });
    }
  }
  const testsOut = path.join(HERE, "tests");
  const harnessOut = path.join(HERE, "harness");
  fs.rmSync(testsOut, { recursive: true, force: true });
  fs.rmSync(harnessOut, { recursive: true, force: true });
  for (const t of picked) {
    const dest = path.join(testsOut, t.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(root, "test", t.path), dest);
  }
  fs.mkdirSync(harnessOut, { recursive: true });
  for (const h of [...harness].sort()) fs.copyFileSync(path.join(root, "harness", h), path.join(harnessOut, h));
  fs.copyFileSync(path.join(root, "LICENSE"), path.join(HERE, "LICENSE"));
  fs.writeFileSync(path.join(HERE, "sample.json"), JSON.stringify({ tests: picked }, null, 0).replace(/\},\{/g, "},\n{") + "\n");
    console.log(`picked ${picked.length} tests, ${harness.size} harness files`);
}

main();
