#!/usr/bin/env node
// Benchmark of @codetracer/trace-filter (runs against dist/: build first with `npx tsc -b`).
//
// Three chains: baseline (the builtin filter only), glob-heavy (builtin + 60 glob rules with
// value patterns) and regex-heavy (builtin + 60 regex rules with value patterns). For each it
// measures, in nanoseconds per operation (median of several rounds):
//   - classify uncached: the first classify() of a (file, obj) scope on a fresh chain;
//   - classify cached:   classify() of a scope seen before;
//   - value uncached:    the first valueAction(kind, name) of a name on a decision;
//   - value cached:      valueAction() of a name seen before;
// and the milliseconds to parse and compile the chain's filters. Then the cost of one regex
// selector match (no cache: selector.matches()) for the builtin filter's ~1.5 KB secret-name regex
// and for a short anchored regex, and the cold start of a fresh process: importing this package
// and parsing the builtin filter (the recorder does both in each thread at start-up).
//
// Usage: node bench/filter-bench.mjs [--out FILE] [--scopes N] [--names N] [--rounds N]
// Writes a JSON report to FILE (default: bench-results/filter.json under the current folder)
// and prints a table.

import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { FilterChain, builtinDefaultFilter, parseSelector, parseTraceFilter } from "../dist/index.js";

function parseArgs(argv) {
  const opts = { out: path.join(process.cwd(), "bench-results", "filter.json"), scopes: 20000, names: 20000, rounds: 7 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    if (flag === "--out") opts.out = path.resolve(value());
    else if (flag === "--scopes") opts.scopes = Number(value());
    else if (flag === "--names") opts.names = Number(value());
    else if (flag === "--rounds") opts.rounds = Number(value());
    else if (flag === "--help" || flag === "-h") {
      console.log("usage: node bench/filter-bench.mjs [--out FILE] [--scopes N] [--names N] [--rounds N]");
      process.exit(0);
    } else {
      console.error(`unknown argument: ${argv[i]}`);
      process.exit(2);
    }
  }
  return opts;
}

const RULES = 60;
const ROOT = "/bench/project";
const FILTER_PATH = `${ROOT}/.codetracer/trace-filter.toml`;

function header(name) {
  return `[meta]\nname = "${name}"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n`;
}

function globFilterText() {
  let t = header("glob-heavy");
  for (let i = 0; i < RULES; i++) {
    const sel = i % 3 === 0 ? `file:glob:src/module${i}/**/*.ts` : i % 3 === 1 ? `pkg:glob:@scope${i}/*` : `obj:glob:Service${i}.*`;
    t += `\n[[scope.rules]]\nselector = "${sel}"\nexec = "${i % 2 === 0 ? "skip" : "trace"}"\n`;
    t += `\n[[scope.rules.value_patterns]]\nselector = "local:glob:tmp_${i}_*"\naction = "drop"\n`;
    t += `\n[[scope.rules.value_patterns]]\nselector = "arg:glob:{secret,hidden}_${i}"\naction = "redact"\n`;
  }
  return t;
}

function regexFilterText() {
  let t = header("regex-heavy");
  for (let i = 0; i < RULES; i++) {
    const sel =
      i % 3 === 0 ? `file:regex:^src/module${i}/.*\\.ts$` : i % 3 === 1 ? `pkg:regex:^@scope${i}/[a-z-]+$` : `obj:regex:^Service${i}\\.(get|set)[A-Z]\\w*$`;
    t += `\n[[scope.rules]]\nselector = '${sel}'\nexec = "${i % 2 === 0 ? "skip" : "trace"}"\n`;
    t += `\n[[scope.rules.value_patterns]]\nselector = 'local:regex:^tmp_${i}_\\d+$'\naction = "drop"\n`;
    t += `\n[[scope.rules.value_patterns]]\nselector = 'arg:regex:(?i)^(secret|hidden)_${i}$'\naction = "redact"\n`;
  }
  return t;
}

function buildChain(kind) {
  const filters = [builtinDefaultFilter()];
  if (kind === "glob-heavy") filters.push(parseTraceFilter(globFilterText(), { path: FILTER_PATH }));
  if (kind === "regex-heavy") filters.push(parseTraceFilter(regexFilterText(), { path: FILTER_PATH }));
  return new FilterChain(filters, { packageNameOf: () => "bench-app" });
}

function scopes(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const file = `${ROOT}/src/module${i % 97}/dir${i % 13}/file${i}.ts`;
    out.push({ file, obj: i % 5 === 0 ? "<module>" : `Service${i % 71}.method${i}` });
  }
  return out;
}

function names(n) {
  const words = ["user", "password", "count", "apiKey", "tmp_3_1", "index", "sessionToken", "author", "value", "company"];
  const out = [];
  // Every name distinct, so each first lookup is uncached.
  for (let i = 0; i < n; i++) out.push(`${words[i % words.length]}${i % 2 === 0 ? i : `_${i}`}`);
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeNs(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0);
}

function bench(kind, opts) {
  const scopeList = scopes(opts.scopes);
  const nameList = names(opts.names);
  const kinds = ["local", "arg", "global", "ret", "attr"];
  let sink = 0;
  const build = [];
  const classifyUncached = [];
  const classifyCached = [];
  const valueUncached = [];
  const valueCached = [];
  for (let round = 0; round < opts.rounds + 1; round++) {
    let chain;
    build.push(timeNs(() => (chain = buildChain(kind))));
    classifyUncached.push(
      timeNs(() => {
        for (const s of scopeList) sink += chain.classify(s).exec === "skip" ? 1 : 0;
      }) / scopeList.length,
    );
    classifyCached.push(
      timeNs(() => {
        for (const s of scopeList) sink += chain.classify(s).exec === "skip" ? 1 : 0;
      }) / scopeList.length,
    );
    // A traced project scope; the chain is fresh each round, so its value cache starts empty.
    const decision = chain.classify({ file: `${ROOT}/src/app/main.ts`, obj: "main" });
    valueUncached.push(
      timeNs(() => {
        for (let i = 0; i < nameList.length; i++) sink += decision.valueAction(kinds[i % 5], nameList[i]) === "redact" ? 1 : 0;
      }) / nameList.length,
    );
    valueCached.push(
      timeNs(() => {
        for (let i = 0; i < nameList.length; i++) sink += decision.valueAction(kinds[i % 5], nameList[i]) === "redact" ? 1 : 0;
      }) / nameList.length,
    );
  }
  // Round 0 is warm-up.
  const chain = buildChain(kind);
  const rules = chain.filters.reduce((n, f) => n + f.rules.length, 0);
  const patterns = chain.filters.reduce((n, f) => n + f.rules.reduce((m, r) => m + r.valuePatterns.length, 0), 0);
  return {
    chain: kind,
    filters: chain.filters.length,
    rules,
    valuePatterns: patterns,
    buildMs: median(build.slice(1)) / 1e6,
    classifyUncachedNs: median(classifyUncached.slice(1)),
    classifyCachedNs: median(classifyCached.slice(1)),
    valueUncachedNs: median(valueUncached.slice(1)),
    valueCachedNs: median(valueCached.slice(1)),
    checksum: sink,
  };
}

/**
 * Compile-time classification: instrumenting one real file (the build of `marked` that Node
 * resolves) with the chain's decisions, as a ratio to instrumenting it without a filter, measured
 * in this same run. Also the redaction/drop decisions the chain made for its value names.
 */
async function compileBench(kind, opts) {
  let instrument;
  try {
    // By path, not by package name: the instrumenter depends (through the runtime) on this package.
    ({ instrument } = await import(new URL("../../instrument/dist/index.js", import.meta.url).href));
  } catch {
    return null; // run from a checkout where the instrumenter is not built
  }
  const require = createRequire(import.meta.url);
  const file = require.resolve("marked");
  const source = fs.readFileSync(file, "utf8");
  const project = `${ROOT}/src/vendor/marked.js`; // as if it were project code (not node_modules)
  const plain = [];
  const filtered = [];
  const stats = { redact: 0, drop: 0, decisions: 0 };
  for (let round = 0; round < Math.max(3, Math.floor(opts.rounds / 2)) + 1; round++) {
    plain.push(timeNs(() => instrument(source, { filename: project, format: "commonjs", inlineSourceMap: false })));
    const chain = buildChain(kind);
    const counted = (obj) => {
      const d = chain.classify({ file: project, obj });
      return {
        exec: d.exec,
        valueAction(k, name) {
          const a = d.valueAction(k, name);
          stats.decisions++;
          if (a === "redact") stats.redact++;
          else if (a === "drop") stats.drop++;
          return a;
        },
      };
    };
    filtered.push(timeNs(() => instrument(source, { filename: project, format: "commonjs", inlineSourceMap: false, scopes: counted })));
  }
  const rounds = plain.length - 1;
  return {
    file: path.relative(process.cwd(), file),
    lines: source.split("\n").length,
    plainMs: median(plain.slice(1)) / 1e6,
    filteredMs: median(filtered.slice(1)) / 1e6,
    ratio: median(filtered.slice(1)) / median(plain.slice(1)),
    valueDecisions: stats.decisions / (rounds + 1),
    redacted: stats.redact / (rounds + 1),
    dropped: stats.drop / (rounds + 1),
  };
}

/** ns per selector.matches() call over distinct names, median of rounds (round 0 warms up). */
function matchBench(opts) {
  const secret = builtinDefaultFilter().rules[1].valuePatterns[0].selector;
  const simple = parseSelector("local:regex:^tmp_\\d+$", "value", [""]);
  const nameList = names(opts.names);
  const out = {};
  for (const [label, sel] of [
    ["builtinSecretNs", secret],
    ["shortRegexNs", simple],
  ]) {
    const rounds = [];
    let sink = 0;
    for (let round = 0; round < opts.rounds + 1; round++) {
      rounds.push(
        timeNs(() => {
          for (const n of nameList) sink += sel.matches(n) ? 1 : 0;
        }) / nameList.length,
      );
    }
    out[label] = median(rounds.slice(1));
    out[`${label.replace(/Ns$/, "")}Matches`] = sink / (opts.rounds + 1);
  }
  return out;
}

/** Median over fresh processes of: importing the package, and then parsing the builtin filter (ms, wall and CPU). */
function coldStart(runs) {
  const script = `
    const c0 = process.cpuUsage(), w0 = performance.now();
    const tf = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
    const c1 = process.cpuUsage(), w1 = performance.now();
    tf.builtinDefaultFilter();
    const c2 = process.cpuUsage(), w2 = performance.now();
    const cpu = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
    console.log(JSON.stringify({ importMs: w1 - w0, importCpuMs: cpu(c0, c1), builtinMs: w2 - w1, builtinCpuMs: cpu(c1, c2) }));`;
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })));
  const out = { runs };
  for (const k of Object.keys(rows[0])) out[k] = median(rows.map((r) => r[k]));
  return out;
}

const opts = parseArgs(process.argv.slice(2));
const results = ["baseline", "glob-heavy", "regex-heavy"].map((k) => bench(k, opts));
for (const r of results) r.compile = await compileBench(r.chain, opts);

const fmt = (x, digits = 0) => x.toFixed(digits).padStart(10);
console.log(
  `${"chain".padEnd(12)} ${"rules".padStart(5)} ${"patterns".padStart(8)} ${"build ms".padStart(10)} ` +
    `${"classify ns".padStart(12)} ${"cached ns".padStart(10)} ${"value ns".padStart(10)} ${"cached ns".padStart(10)}`,
);
for (const r of results) {
  console.log(
    `${r.chain.padEnd(12)} ${String(r.rules).padStart(5)} ${String(r.valuePatterns).padStart(8)} ${fmt(r.buildMs, 2)} ` +
      `${fmt(r.classifyUncachedNs).padStart(12)} ${fmt(r.classifyCachedNs)} ${fmt(r.valueUncachedNs)} ${fmt(r.valueCachedNs)}`,
  );
}

console.log(`\ncompile-time classification (instrumenting one file, ratio to no filter in this run):`);
for (const r of results) {
  if (!r.compile) console.log(`${r.chain.padEnd(12)} (skipped: @codetracer/instrument is not built)`);
  else
    console.log(
      `${r.chain.padEnd(12)} ${r.compile.file} ${r.compile.lines} lines: ${r.compile.plainMs.toFixed(1)} ms → ${r.compile.filteredMs.toFixed(1)} ms (×${r.compile.ratio.toFixed(2)}), ${r.compile.valueDecisions} value decisions, ${r.compile.redacted} redacted, ${r.compile.dropped} dropped`,
    );
}

const matching = matchBench(opts);
console.log(
  `\nregex selector match, no cache (ns per call): builtin secret regex ${matching.builtinSecretNs.toFixed(0)}, ^tmp_\\d+$ ${matching.shortRegexNs.toFixed(0)}`,
);
const cold = coldStart(Math.max(5, opts.rounds));
console.log(
  `cold start (fresh process, median of ${cold.runs}): import ${cold.importMs.toFixed(1)} ms (CPU ${cold.importCpuMs.toFixed(1)} ms), ` +
    `builtin filter parse ${cold.builtinMs.toFixed(1)} ms (CPU ${cold.builtinCpuMs.toFixed(1)} ms)`,
);

const report = {
  benchmark: "trace-filter",
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? "unknown",
  parameters: { scopes: opts.scopes, names: opts.names, rounds: opts.rounds },
  units: {
    buildMs: "ms per chain",
    classifyUncachedNs: "ns per scope",
    classifyCachedNs: "ns per call",
    valueUncachedNs: "ns per name",
    valueCachedNs: "ns per call",
    regexMatch: "ns per call",
    coldStart: "ms",
  },
  results: results.map(({ checksum: _checksum, ...r }) => r),
  regexMatch: matching,
  coldStart: cold,
};
fs.mkdirSync(path.dirname(opts.out), { recursive: true });
fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nreport written to ${opts.out}`);
