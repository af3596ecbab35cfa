#!/usr/bin/env node
// The recorder's benchmark suite (see bench/README.md). Runs against the built packages (dist/):
// `npm run bench` builds first.
//
//   node bench/run.mjs [--quick] [--only SECTION[,SECTION...]] [--rounds N] [--dense-rounds N] [--out FILE]
//
//   node bench/run.mjs --table bench-results/bench.json   (re-print the tables of a report)
//
// Sections: micro, floor, programs, transform, size, rss, profile, dense, costs. Prints a table, writes a JSON report
// (default bench-results/bench.json) and the same table as Markdown (bench-results/bench.md, to
// paste into docs/performance.md). Scratch files go to bench-results/tmp/ and are removed as
// the run goes (traces can be gigabytes).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { summarize } from "./profile-summary.mjs";
import { distinctKeysProgram, immediateProgram, javascriptSource, markdownDocument, microProgram, objectBuildProgram } from "./gen.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REGISTER = path.join(ROOT, "packages/register/dist/index.js");
const INSTRUMENT = path.join(ROOT, "packages/instrument/dist/index.js");
const TRACE_FORMAT = path.join(ROOT, "packages/trace-format/dist/index.js");
const TRACE_FORMAT_INTERNAL = path.join(ROOT, "packages/trace-format/dist/internal.js");
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const o = { quick: false, only: null, rounds: null, out: path.join(ROOT, "bench-results", "bench.json") };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    if (flag === "--quick") o.quick = true;
    else if (flag === "--only") o.only = new Set(value().split(","));
    else if (flag === "--rounds") o.rounds = Number(value());
    else if (flag === "--dense-rounds") o.denseRounds = Number(value());
    else if (flag === "--out") o.out = path.resolve(value());
    else if (flag === "--table") o.table = path.resolve(value());
    else if (flag === "--help" || flag === "-h") {
      console.log(
        "usage: node bench/run.mjs [--quick] [--only micro,floor,programs,transform,size,rss,profile,dense,costs] [--rounds N] [--dense-rounds N] [--out FILE] | --table FILE.json",
      );
      process.exit(0);
    } else {
      console.error(`unknown argument: ${argv[i]}`);
      process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
// --table FILE: print the Markdown tables of an earlier run's JSON report, and run nothing.
if (opts.table) {
  console.log(markdown(JSON.parse(fs.readFileSync(opts.table, "utf8"))));
  process.exit(0);
}
// Workload sizes. Full: what `npm run bench` runs (the RSS run has >= 50 M events). Quick: for CI.
// dense*: the `dense` section (each recorded run >= 5 M events in the full run, ~0.8 M quick; its
// own round count, since its runs are long); cost*: the `costs` section.
const SIZES = opts.quick
  ? {
      rounds: 3,
      microEvents: 1_000_000,
      rssEvents: 5_000_000,
      mdBigKB: 64,
      mdSmallKB: 1,
      acornBigRepeat: 1,
      jsSmallKB: 0.5,
      rayN: 8,
      transformReps: 3,
      binary: true,
      profileEvents: 1_000_000,
      profileRayN: 12,
      denseRounds: 2,
      denseRayN: 24,
      denseJsKB: 2,
      denseMdKB: 12,
      costObjectKeys: [2000, 5000],
      costTimeoutS: 120,
      costImmediateMs: 3000,
      costDistinctKeys: [24_000, 240_000],
    }
  : {
      rounds: 5,
      microEvents: 5_000_000,
      rssEvents: 50_000_000,
      mdBigKB: 256,
      mdSmallKB: 4,
      acornBigRepeat: 4,
      jsSmallKB: 2,
      rayN: 16,
      transformReps: 7,
      binary: true,
      profileEvents: 5_000_000,
      profileRayN: 16,
      denseRounds: 3,
      denseRayN: 100,
      denseJsKB: 20,
      denseMdKB: 96,
      costObjectKeys: [5000, 10_000, 20_000],
      costTimeoutS: 120,
      costImmediateMs: 3000,
      costDistinctKeys: [240_000, 2_400_000],
    };
if (opts.rounds) SIZES.rounds = opts.rounds;
if (opts.denseRounds) SIZES.denseRounds = opts.denseRounds;
const want = (s) => !opts.only || opts.only.has(s);

const TMP = path.join(ROOT, "bench-results", "tmp");
fs.rmSync(TMP, { recursive: true, force: true });
fs.mkdirSync(TMP, { recursive: true });

// ---------------------------------------------------------------- helpers

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function r1(x) {
  return x == null || Number.isNaN(x) ? null : Math.round(x * 10) / 10;
}
function r2(x) {
  return x == null || Number.isNaN(x) ? null : Math.round(x * 100) / 100;
}
const hasGnuTime = fs.existsSync("/usr/bin/time");
const hasTimeout = fs.existsSync("/usr/bin/timeout");
let traceCounter = 0;

/**
 * Runs `node [--import register] script args` from the repo root and returns
 * { ms, rssKB, events, traceBytes, binBytes, status, timedOut }. mode: "plain" | "record".
 * rec: { include: [globs], format: "json"|"binary", keepTrace, nodeArgs, rss, timeoutMs, allowFail }.
 * timeoutMs: the run is killed (SIGKILL) after that long and reported as timedOut (no throw).
 */
function runNode(script, args, mode, rec = {}) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith("CODETRACER_")) delete env[k];
  const nodeArgs = [...(rec.nodeArgs ?? [])];
  let traceDir = null;
  if (mode === "record") {
    traceDir = path.join(TMP, `trace-${process.pid}-${traceCounter++}`);
    env.CODETRACER_TRACE = traceDir;
    env.CODETRACER_JS_INCLUDE = JSON.stringify(rec.include ?? []);
    // explicit, since the default format changes (json, then binary)
    env.CODETRACER_FORMAT = rec.format ?? "json";
    nodeArgs.push("--import", REGISTER);
    Object.assign(env, rec.env ?? {});
  }
  let cmd = process.execPath;
  let argv = [...nodeArgs, script, ...args];
  // the limit on node itself, inside /usr/bin/time (which would leave node running if killed)
  if (rec.timeoutMs && hasTimeout) {
    argv = ["-s", "KILL", String(rec.timeoutMs / 1000), cmd, ...argv];
    cmd = "/usr/bin/timeout";
  }
  if (rec.rss && hasGnuTime) {
    argv = ["-v", cmd, ...argv];
    cmd = "/usr/bin/time";
  }
  const t0 = process.hrtime.bigint();
  const limit = rec.timeoutMs && !hasTimeout ? { timeout: rec.timeoutMs, killSignal: "SIGKILL" } : {};
  const res = spawnSync(cmd, argv, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 << 20, ...limit });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const timedOut = !!rec.timeoutMs && res.status !== 0 && (res.error?.code === "ETIMEDOUT" || ms >= rec.timeoutMs);
  const out = { ms, status: res.status, timedOut, rssKB: null, events: null, traceBytes: null, binBytes: null, stderr: res.stderr ?? "" };
  if (rec.rss && hasGnuTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
    if (m) out.rssKB = Number(m[1]);
  }
  if (traceDir) {
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(traceDir, "trace_metadata.json"), "utf8"));
      out.events = meta.stats?.events ?? null;
    } catch {}
    for (const [f, k] of [
      ["trace.json", "traceBytes"],
      ["trace.bin", "binBytes"],
    ]) {
      try {
        out[k] = fs.statSync(path.join(traceDir, f)).size;
      } catch {}
    }
    if (!rec.keepTrace) fs.rmSync(traceDir, { recursive: true, force: true });
    else out.traceDir = traceDir;
  }
  if (res.status !== 0 && !rec.allowFail && !timedOut) {
    throw new Error(`${mode} run of ${script} ${args.join(" ")} exited ${res.status}:\n${res.stderr.slice(-2000)}`);
  }
  return out;
}

function log(...a) {
  console.error(...a);
}

const report = {
  date: new Date().toISOString(),
  quick: opts.quick,
  machine: {
    cpu: (/model name\s*:\s*(.*)/.exec(safeRead("/proc/cpuinfo")) ?? [undefined, os.cpus()[0]?.model])[1],
    cores: os.cpus().length,
    memGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  sizes: SIZES,
  targets: {},
};

function safeRead(f) {
  try {
    return fs.readFileSync(f, "utf8");
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------- 1. micro workloads

// Each micro program is run with N iterations, plain and recorded, interleaved, for several
// rounds; the program reports its hot loop's own time (loop_ns), so process and loader start-up
// and the transform are left out. Recording cost per iteration = median(recorded) - median(plain).
const loopNs = (res) => Number(/loop_ns=(\d+)/.exec(res.stderr)?.[1]);
const eventsPerIter = (perIter) => (perIter.steps ?? 0) + 2 * (perIter.calls ?? 0) + (perIter.values ?? 0) + (perIter.objects ?? 0);
const itersFor = (perIter, events) => Math.ceil(events / eventsPerIter(perIter));

function micro() {
  const progs = {};
  for (const kind of ["step", "call", "value", "object"]) {
    const file = path.join(TMP, `micro-${kind}.js`);
    const { code, perIter } = microProgram(kind);
    fs.writeFileSync(file, code);
    progs[kind] = { file, perIter };
  }
  // All three programs run in each round (plain, recorded, binary in turn), so that a change of
  // the machine's load during the run affects the three alike (the unit costs subtract them).
  const runs = Object.fromEntries(Object.keys(progs).map((k) => [k, { plain: [], rec: [], bin: [], last: null, lastBin: null }]));
  for (let r = 0; r < SIZES.rounds; r++) {
    for (const kind of Object.keys(progs)) {
      const { file, perIter } = progs[kind];
      const N = itersFor(perIter, SIZES.microEvents);
      const x = runs[kind];
      x.plain.push(loopNs(runNode(file, [String(N)], "plain")));
      x.last = runNode(file, [String(N)], "record");
      x.rec.push(loopNs(x.last));
      // the same with --format binary, while it works (it is being added: "n/a" before)
      if (SIZES.binary && (!x.lastBin || x.lastBin.status === 0)) {
        x.lastBin = runNode(file, [String(N)], "record", { format: "binary", allowFail: true });
        if (x.lastBin.status === 0) x.bin.push(loopNs(x.lastBin));
      }
    }
    log(`micro round ${r + 1}/${SIZES.rounds} done`);
  }
  const res = {};
  for (const kind of Object.keys(progs)) {
    const { perIter } = progs[kind];
    const N = itersFor(perIter, SIZES.microEvents);
    const { plain, rec, bin, last, lastBin } = runs[kind];
    const recNsPerIter = median(rec) / N;
    const plainNsPerIter = median(plain) / N;
    res[kind] = {
      iterations: N,
      perIter,
      eventsPerIter: eventsPerIter(perIter),
      events: last.events,
      recordedNsPerIter: r1(recNsPerIter),
      plainNsPerIter: r1(plainNsPerIter),
      costNsPerIter: r1(recNsPerIter - plainNsPerIter),
      nsPerEvent: r1((recNsPerIter - plainNsPerIter) / eventsPerIter(perIter)),
      jsonBytesPerEvent: r1(last.traceBytes / last.events),
      binaryNsPerEvent: bin.length ? r1((median(bin) / N - plainNsPerIter) / eventsPerIter(perIter)) : "n/a",
      binBytesPerEvent: lastBin?.status === 0 && lastBin.binBytes != null ? r2(lastBin.binBytes / last.events) : "n/a",
    };
    log(`micro ${kind}: ${JSON.stringify(res[kind])}`);
  }
  // Solve for the unit costs: the step program is steps only; the call program adds calls whose
  // bodies are one step each; the value program is the step program with K locals in scope.
  const step = res.step.costNsPerIter / res.step.perIter.steps;
  const call = (res.call.costNsPerIter - res.call.perIter.steps * step) / res.call.perIter.calls;
  const value = (res.value.costNsPerIter - res.value.perIter.steps * step) / res.value.perIter.values;
  const object = (res.object.costNsPerIter - res.object.perIter.steps * step) / res.object.perIter.objects;
  res.unit = { nsPerStep: r1(step), nsPerCallReturn: r1(call), nsPerValue: r1(value), nsPerObject: r1(object) };
  // The same with trace.bin (the default format): cost per iteration from its ns/event.
  const binCost = (kind) => (typeof res[kind].binaryNsPerEvent === "number" ? res[kind].binaryNsPerEvent * res[kind].eventsPerIter : null);
  if (["step", "call", "value", "object"].every((k) => binCost(k) !== null)) {
    const bStep = binCost("step") / res.step.perIter.steps;
    res.unitBinary = {
      nsPerStep: r1(bStep),
      nsPerCallReturn: r1((binCost("call") - res.call.perIter.steps * bStep) / res.call.perIter.calls),
      nsPerValue: r1((binCost("value") - res.value.perIter.steps * bStep) / res.value.perIter.values),
      nsPerObject: r1((binCost("object") - res.object.perIter.steps * bStep) / res.object.perIter.objects),
    };
  }
  return res;
}

// ---------------------------------------------------------------- 2/3. real programs

let istanbulPlugin = null;
function babelCore() {
  return require("@babel/core");
}
function istanbulTransform(code, filename) {
  istanbulPlugin ??= require("babel-plugin-istanbul").default ?? require("babel-plugin-istanbul");
  return babelCore().transformSync(code, {
    filename,
    babelrc: false,
    configFile: false,
    sourceMaps: true,
    sourceType: "unambiguous",
    plugins: [[istanbulPlugin, { cwd: "/", include: ["**"], exclude: [], excludeNodeModules: false, useInlineSourceMaps: false }]],
  });
}
function istanbulCopy(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, istanbulTransform(fs.readFileSync(src, "utf8"), src).code);
  return dest;
}

// A program is run on a "big" input with the default filter (only the driver is recorded, so
// the library runs at full speed) and on a "small" one with the library included (every
// statement of the library is recorded: about 60 events per byte of Markdown, 400 per byte of
// JS for acorn, so a big input would take hours). Each has its own plain baseline.
function programDefs() {
  const mdBig = path.join(TMP, "big.md");
  const mdSmall = path.join(TMP, "small.md");
  fs.writeFileSync(mdBig, markdownDocument(SIZES.mdBigKB * 1024));
  fs.writeFileSync(mdSmall, markdownDocument(SIZES.mdSmallKB * 1024));
  const jsSmall = path.join(TMP, "small.js");
  fs.writeFileSync(jsSmall, javascriptSource(SIZES.jsSmallKB * 1024));
  const markedLib = path.join(ROOT, "node_modules/marked/lib/marked.esm.js");
  const acornLib = path.join(ROOT, "node_modules/acorn/dist/acorn.mjs");
  const acornBig = path.join(ROOT, "node_modules/acorn/dist/acorn.mjs");
  const kb = (f) => Math.round(fs.statSync(f).size / 1024);
  const ray = path.join(ROOT, "bench/programs/raytrace.js");
  const markedDriver = path.join(ROOT, "bench/programs/marked-driver.mjs");
  const acornDriver = path.join(ROOT, "bench/programs/acorn-driver.mjs");
  return [
    {
      name: "marked",
      filter: "default",
      what: `render ${SIZES.mdBigKB} KB of generated Markdown`,
      script: markedDriver,
      args: (lib) => [lib, mdBig, "1"],
      lib: markedLib,
    },
    {
      name: "marked",
      filter: "+lib",
      what: `render ${SIZES.mdSmallKB} KB of generated Markdown`,
      script: markedDriver,
      args: (lib) => [lib, mdSmall, "1"],
      lib: markedLib,
      include: "node_modules/marked/**",
    },
    {
      name: "acorn",
      filter: "default",
      what: `parse acorn.mjs (${kb(acornBig)} KB) x${SIZES.acornBigRepeat}`,
      script: acornDriver,
      args: (lib) => [lib, acornBig, String(SIZES.acornBigRepeat)],
      lib: acornLib,
    },
    {
      name: "acorn",
      filter: "+lib",
      what: `parse ${SIZES.jsSmallKB} KB of generated JS`,
      script: acornDriver,
      args: (lib) => [lib, jsSmall, "1"],
      lib: acornLib,
      include: "node_modules/acorn/**",
    },
    {
      name: "raytrace",
      filter: "all ours",
      what: `bench/programs/raytrace.js ${SIZES.rayN}x${SIZES.rayN}`,
      script: ray,
      args: () => [String(SIZES.rayN)],
      lib: null,
    },
  ];
}

// Modes of each row, interleaved in each round: plain; recorded (with the row's filter);
// istanbul (the driver, and for "+lib" rows the library too, instrumented with
// babel-plugin-istanbul and run by plain node).
function programs() {
  const rows = [];
  for (const p of programDefs()) {
    const dir = path.join(TMP, "istanbul", p.name);
    const istScript = istanbulCopy(p.script, path.join(dir, path.basename(p.script)));
    const istLib = p.lib && p.include ? istanbulCopy(p.lib, path.join(dir, "lib", path.basename(p.lib))) : p.lib;
    const modes = {
      plain: () => runNode(p.script, p.args(p.lib), "plain"),
      recorded: () => runNode(p.script, p.args(p.lib), "record", { include: p.include ? [p.include] : [] }),
      istanbul: () => runNode(istScript, p.args(istLib), "plain"),
    };
    // --format binary, timed like the others while it works (one failed run marks it "n/a")
    if (SIZES.binary)
      modes.binary = () => runNode(p.script, p.args(p.lib), "record", { include: p.include ? [p.include] : [], format: "binary", allowFail: true });
    const times = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    const last = {};
    for (let r = 0; r < SIZES.rounds; r++) {
      for (const [m, fn] of Object.entries(modes)) {
        if (m === "binary" && last.binary && last.binary.status !== 0) continue;
        const res = fn();
        times[m].push(res.ms);
        last[m] = res;
      }
      log(
        `program ${p.name} (${p.filter}) round ${r + 1}: ${Object.entries(times)
          .map(([m, t]) => `${m} ${Math.round(t.at(-1))} ms`)
          .join(", ")}`,
      );
    }
    const plain = median(times.plain);
    const rec = last.recorded;
    const row = {
      program: p.name,
      filter: p.filter,
      what: p.what,
      plainMs: Math.round(plain),
      recordedMs: Math.round(median(times.recorded)),
      istanbulMs: Math.round(median(times.istanbul)),
      slowdown: r1(median(times.recorded) / plain),
      istanbulSlowdown: r1(median(times.istanbul) / plain),
      events: rec.events,
      // recording cost per event over the whole run (start-up and transform included)
      nsPerEvent: rec.events >= 10_000 ? Math.round(((median(times.recorded) - plain) * 1e6) / rec.events) : null,
      jsonBytesPerEvent: rec.events ? r1(rec.traceBytes / rec.events) : null,
    };
    if (last.binary) {
      row.binBytesPerEvent = last.binary.status === 0 && last.binary.binBytes != null && rec.events ? r2(last.binary.binBytes / rec.events) : "n/a";
      if (last.binary.status === 0) {
        row.binaryMs = Math.round(median(times.binary));
        row.binarySlowdown = r1(median(times.binary) / plain);
      }
    }
    rows.push(row);
  }
  return {
    rows,
    medianSlowdownRecorded: r1(median(rows.map((r) => r.slowdown))),
    medianSlowdownBinary: rows.every((r) => r.binarySlowdown != null) ? r1(median(rows.map((r) => r.binarySlowdown))) : "n/a",
    medianSlowdownIstanbul: r1(median(rows.map((r) => r.istanbulSlowdown))),
  };
}

// ---------------------------------------------------------------- 4. transform speed

async function transform() {
  const { instrument } = await import(INSTRUMENT);
  const files = [
    path.join(ROOT, "node_modules/marked/lib/marked.esm.js"),
    path.join(ROOT, "node_modules/acorn/dist/acorn.mjs"),
    path.join(ROOT, "bench/programs/raytrace.js"),
  ];
  const out = {};
  for (const f of files) {
    const code = fs.readFileSync(f, "utf8");
    const kb = Buffer.byteLength(code) / 1024;
    const ours = () => instrument(code, { filename: f, format: "module", inlineSourceMap: false });
    const ist = () => istanbulTransform(code, f);
    const t = { ours: [], istanbul: [] };
    for (let i = 0; i < 2; i++) {
      // warm-up (JIT, Babel's lazy requires)
      ours();
      ist();
    }
    for (let i = 0; i < SIZES.transformReps; i++) {
      for (const [k, fn] of [
        ["ours", ours],
        ["istanbul", ist],
      ]) {
        const t0 = process.hrtime.bigint();
        fn();
        t[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const name = path.relative(ROOT, f);
    out[name] = {
      kb: r1(kb),
      oursMsPerKB: r2(median(t.ours) / kb),
      istanbulMsPerKB: r2(median(t.istanbul) / kb),
      ratio: r2(median(t.ours) / median(t.istanbul)),
    };
    log(`transform ${name}: ${JSON.stringify(out[name])}`);
  }
  return out;
}

// ---------------------------------------------------------------- floors: the writers alone, and start-up

/**
 * What no change to the runtime can go below: (1) the trace writers alone, in this process,
 * writing the micro programs' events into a sink that drops the bytes (CBOR or JSON encoding,
 * zstd compression); (2) the start-up of a recorded program that does nothing (the loader,
 * Babel, the module hooks thread), CommonJS and ES module, against plain node.
 */
async function floor() {
  const tf = await import(TRACE_FORMAT);
  const N = opts.quick ? 500_000 : 2_000_000;
  const dropBytes = { write() {}, close() {} };
  const int = { kind: "Int", i: 0, type_id: 1 };
  const cases = {
    step: (w, i) => w.writeStep(1, 3 + (i % 10)),
    value: (w, i) => w.writeValue(i & 7, ((int.i = i & 7), int)),
    "call+return": (w) => (w.writeCall(2, []), w.writeReturn(int)),
  };
  const writers = {
    binary: () => new tf.TraceBinWriter(dropBytes),
    json: () => new tf.TraceJsonWriter(dropBytes),
  };
  const out = { events: N, writer: {} };
  for (const [format, make] of Object.entries(writers)) {
    out.writer[format] = {};
    for (const [name, fn] of Object.entries(cases)) {
      const times = [];
      for (let round = 0; round < SIZES.rounds; round++) {
        const w = make();
        for (let i = 0; i < 20_000; i++) fn(w, i); // warm-up
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < N; i++) fn(w, i);
        w.flush();
        times.push(Number(process.hrtime.bigint() - t0) / N);
        w.finish();
      }
      out.writer[format][name] = r1(median(times));
    }
  }
  const empty = { commonjs: path.join(TMP, "empty.cjs"), "ES module": path.join(TMP, "empty.mjs") };
  for (const file of Object.values(empty)) fs.writeFileSync(file, "console.log(1);\n");
  out.startup = {};
  for (const [kind, file] of Object.entries(empty)) {
    const t = { plain: [], recorded: [], cold: [] };
    for (let round = 0; round < SIZES.rounds; round++) {
      t.plain.push(runNode(file, [], "plain").ms);
      // warm: the transform cache holds the file from the round before (or the warm-up below)
      if (round === 0) runNode(file, [], "record", { format: "binary" });
      t.recorded.push(runNode(file, [], "record", { format: "binary" }).ms);
      t.cold.push(runNode(file, [], "record", { format: "binary", env: { CODETRACER_CACHE: "0" } }).ms);
    }
    out.startup[kind] = { plainMs: Math.round(median(t.plain)), recordedMs: Math.round(median(t.recorded)), coldMs: Math.round(median(t.cold)) };
  }
  log(`floor: ${JSON.stringify(out)}`);
  return out;
}

// ---------------------------------------------------------------- 5. trace size (json and binary)

function size() {
  const { code, perIter } = microProgram("call");
  const file = path.join(TMP, "size-call.js");
  fs.writeFileSync(file, code);
  const N = String(itersFor(perIter, SIZES.microEvents));
  const json = runNode(file, [N], "record");
  const out = { workload: `micro call program, ${N} iterations`, events: json.events, jsonBytesPerEvent: r2(json.traceBytes / json.events) };
  const bin = runNode(file, [N], "record", { format: "binary", allowFail: true });
  if (bin.status === 0 && bin.binBytes != null) {
    out.binBytesPerEvent = r2(bin.binBytes / (bin.events ?? json.events));
  } else {
    out.binBytesPerEvent = "n/a";
    out.binNote = `--format binary: exit ${bin.status}; ${(bin.stderr.match(/ERR_[A-Z_]+/) ?? ["no trace.bin"])[0]}`;
  }
  log(`size: ${JSON.stringify(out)}`);
  return out;
}

// ---------------------------------------------------------------- 6. peak RSS

// /usr/bin/time -v measures the whole process; without it, a hook of ours reports
// process.resourceUsage().maxRSS on exit. runNode's arguments; sets rssKB.
const RSS_HOOK = path.join(ROOT, "bench/rss-hook.mjs");
function runNodeRss(script, args, mode, rec = {}) {
  if (hasGnuTime) return runNode(script, args, mode, { ...rec, rss: true });
  const r = runNode(script, args, mode, { ...rec, nodeArgs: [...(rec.nodeArgs ?? []), "--import", RSS_HOOK] });
  const m = /maxRSS_KB=(\d+)/.exec(r.stderr);
  r.rssKB = m ? Number(m[1]) : null;
  return r;
}

function rss() {
  const { code, perIter } = microProgram("call");
  const file = path.join(TMP, "rss-call.js");
  fs.writeFileSync(file, code);
  const N = String(itersFor(perIter, SIZES.rssEvents));
  const measure = (mode) => {
    const m = mode === "plain" ? "plain" : "record";
    const format = mode === "binary" ? "binary" : "json";
    return runNodeRss(file, [N], m, { format, allowFail: mode === "binary" });
  };
  const plain = measure("plain");
  const rec = measure("record");
  const bin = SIZES.binary ? measure("binary") : null;
  const out = {
    workload: `micro call program, ${N} iterations`,
    tool: hasGnuTime ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS",
    events: rec.events,
    plainMB: r1(plain.rssKB / 1024),
    recordedMB: r1(rec.rssKB / 1024),
    growthMB: r1((rec.rssKB - plain.rssKB) / 1024),
    recordedSeconds: r1(rec.ms / 1000),
    plainSeconds: r2(plain.ms / 1000),
    traceJsonMB: r1(rec.traceBytes / 2 ** 20),
  };
  if (bin && bin.status === 0) {
    Object.assign(out, {
      binaryMB: r1(bin.rssKB / 1024),
      binaryGrowthMB: r1((bin.rssKB - plain.rssKB) / 1024),
      binarySeconds: r1(bin.ms / 1000),
      traceBinMB: r2(bin.binBytes / 2 ** 20),
    });
  } else out.binaryGrowthMB = "n/a";
  log(`rss: ${JSON.stringify(out)}`);
  return out;
}

// ---------------------------------------------------------------- 7. CPU profile of recorded runs

function profile() {
  const out = {};
  const { code, perIter } = microProgram("value");
  const micro = path.join(TMP, "prof-value.js");
  fs.writeFileSync(micro, code);
  const runs = {
    [`micro value (steps with 8 locals), ${SIZES.profileEvents} events`]: [micro, [String(itersFor(perIter, SIZES.profileEvents))], []],
    [`raytrace ${SIZES.profileRayN}x${SIZES.profileRayN}`]: [path.join(ROOT, "bench/programs/raytrace.js"), [String(SIZES.profileRayN)], []],
    [`micro value (steps with 8 locals), ${SIZES.profileEvents} events, --format binary`]: [
      micro,
      [String(itersFor(perIter, SIZES.profileEvents))],
      [],
      "binary",
    ],
  };
  for (const [name, [script, args, , format]] of Object.entries(runs)) {
    const dir = path.join(TMP, `prof-${Object.keys(out).length}`);
    const r = runNode(script, args, "record", { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir], format: format ?? "json", allowFail: format === "binary" });
    if (r.status !== 0) continue;
    const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
    // all functions, then the recorder's own (packages/*/dist) ones
    out[name] = { all: summarize(files, 12), recorder: summarize(files, 12, (url) => url.includes("/packages/")) };
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------- 8. event-dense workloads

// The module format node gives a script: .cjs/.mjs, else the nearest package.json's "type".
function moduleKind(file) {
  if (file.endsWith(".cjs")) return "commonjs";
  if (file.endsWith(".mjs")) return "ES module";
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).type === "module" ? "ES module" : "commonjs";
    } catch {}
    if (dir === path.dirname(dir)) return "commonjs";
  }
}

/**
 * The start-up overhead of recording (warm transform cache, --format binary): wall time of a
 * recorded program that only prints minus plain node's, per module format. The floor section's
 * figures when it ran; else measured here (a warm-up, then the median of 3 interleaved runs).
 */
function startupOverhead() {
  const out = {};
  for (const kind of ["commonjs", "ES module"]) {
    const f = report.floor?.startup?.[kind];
    if (f) {
      out[kind] = { ms: f.recordedMs - f.plainMs, source: "floor section" };
      continue;
    }
    const file = path.join(TMP, kind === "commonjs" ? "startup-empty.cjs" : "startup-empty.mjs");
    fs.writeFileSync(file, "console.log(1);\n");
    runNode(file, [], "record", { format: "binary" }); // fills the transform cache
    const t = { plain: [], recorded: [] };
    for (let i = 0; i < 3; i++) {
      t.plain.push(runNode(file, [], "plain").ms);
      t.recorded.push(runNode(file, [], "record", { format: "binary" }).ms);
    }
    out[kind] = { ms: Math.round(median(t.recorded) - median(t.plain)), source: "measured" };
  }
  return out;
}

/**
 * Recording cost on event-dense workloads (>= 5 M events in the full run), where start-up is a
 * small share of the recorded time: the ray tracer, and acorn and marked with the library
 * included. Plain, recorded (--format binary, default filter + include) and istanbul runs,
 * interleaved: each round runs every mode of every program in turn; medians of the rounds.
 */
function dense() {
  const md = path.join(TMP, "dense.md");
  fs.writeFileSync(md, markdownDocument(SIZES.denseMdKB * 1024));
  const js = path.join(TMP, "dense.js");
  fs.writeFileSync(js, javascriptSource(SIZES.denseJsKB * 1024));
  // tiny inputs, to fill the transform cache before the timed runs
  const mdTiny = path.join(TMP, "dense-tiny.md");
  fs.writeFileSync(mdTiny, "# a\n\nb *c*\n");
  const jsTiny = path.join(TMP, "dense-tiny.js");
  fs.writeFileSync(jsTiny, "let a = 1;\n");
  const markedLib = path.join(ROOT, "node_modules/marked/lib/marked.esm.js");
  const acornLib = path.join(ROOT, "node_modules/acorn/dist/acorn.mjs");
  const defs = [
    {
      name: "raytrace",
      what: `bench/programs/raytrace.js ${SIZES.denseRayN}x${SIZES.denseRayN}`,
      script: path.join(ROOT, "bench/programs/raytrace.js"),
      args: () => [String(SIZES.denseRayN)],
      warmArgs: () => ["1"],
      lib: null,
    },
    {
      name: "acorn +lib",
      what: `parse ${SIZES.denseJsKB} KB of generated JS`,
      script: path.join(ROOT, "bench/programs/acorn-driver.mjs"),
      args: (lib) => [lib, js, "1"],
      warmArgs: (lib) => [lib, jsTiny, "1"],
      lib: acornLib,
      include: "node_modules/acorn/**",
    },
    {
      name: "marked +lib",
      what: `render ${SIZES.denseMdKB} KB of generated Markdown`,
      script: path.join(ROOT, "bench/programs/marked-driver.mjs"),
      args: (lib) => [lib, md, "1"],
      warmArgs: (lib) => [lib, mdTiny, "1"],
      lib: markedLib,
      include: "node_modules/marked/**",
    },
  ];
  const startup = startupOverhead();
  const progs = defs.map((p) => {
    const dir = path.join(TMP, "istanbul-dense", p.name.split(" ")[0]);
    const istScript = istanbulCopy(p.script, path.join(dir, path.basename(p.script)));
    const istLib = p.lib && p.include ? istanbulCopy(p.lib, path.join(dir, "lib", path.basename(p.lib))) : p.lib;
    const rec = { include: p.include ? [p.include] : [], format: "binary" };
    runNode(p.script, p.warmArgs(p.lib), "record", rec);
    return {
      p,
      modes: {
        plain: () => runNode(p.script, p.args(p.lib), "plain"),
        recorded: () => runNode(p.script, p.args(p.lib), "record", { ...rec, allowFail: true }),
        istanbul: () => runNode(istScript, p.args(istLib), "plain"),
      },
      times: { plain: [], recorded: [], istanbul: [] },
      last: {},
    };
  });
  for (let r = 0; r < SIZES.denseRounds; r++) {
    for (const x of progs) {
      for (const [m, fn] of Object.entries(x.modes)) {
        if (m === "recorded" && x.last.recorded && x.last.recorded.status !== 0) continue;
        const res = fn();
        x.last[m] = res;
        if (res.status === 0) x.times[m].push(res.ms);
      }
      log(
        `dense ${x.p.name} round ${r + 1}/${SIZES.denseRounds}: ${Object.entries(x.times)
          .map(([m, t]) => `${m} ${t.length ? Math.round(t.at(-1)) : "failed"} ms`)
          .join(", ")}${x.last.recorded?.events != null ? `, ${x.last.recorded.events} events` : ""}`,
      );
    }
  }
  const rows = progs.map(({ p, times, last }) => {
    const plain = median(times.plain);
    const row = {
      program: p.name,
      what: p.what,
      plainMs: Math.round(plain),
      istanbulMs: Math.round(median(times.istanbul)),
      istanbulSlowdown: r1(median(times.istanbul) / plain),
    };
    const rec = last.recorded;
    if (rec.status !== 0) {
      const code = /ERR_[A-Z_]+/.exec(rec.stderr)?.[0];
      row.recorded = `failed (exit ${rec.status}${code ? `, ${code}` : ""})`;
      return row;
    }
    const recMs = median(times.recorded);
    const kind = moduleKind(p.script);
    Object.assign(row, {
      recordedMs: Math.round(recMs),
      slowdown: r1(recMs / plain),
      events: rec.events,
      // all-in: the whole process, start-up and transform included
      nsPerEvent: rec.events ? r1(((recMs - plain) * 1e6) / rec.events) : null,
      binBytesPerEvent: rec.events && rec.binBytes != null ? r2(rec.binBytes / rec.events) : null,
      moduleKind: kind,
      startupMs: startup[kind].ms,
      startupSharePct: r1((100 * startup[kind].ms) / recMs),
    });
    return row;
  });
  const ok = rows.filter((r) => r.slowdown != null);
  const out = {
    rounds: SIZES.denseRounds,
    startup,
    rows,
    medianSlowdown: ok.length === rows.length ? r1(median(ok.map((r) => r.slowdown))) : "n/a",
    medianSlowdownIstanbul: r1(median(rows.map((r) => r.istanbulSlowdown))),
  };
  log(`dense: ${JSON.stringify(out)}`);
  return out;
}

// ---------------------------------------------------------------- 9. costs that must not grow with the program's data

/** The number of zstd frames of a finished trace.bin, from its seek table (spec §10). */
async function zstdFrames(file) {
  const tf = await import(TRACE_FORMAT_INTERNAL).catch(() => import(TRACE_FORMAT)); // (before ./internal: the main entry had it)
  const bytes = fs.readFileSync(file);
  if (typeof tf.parseSeekTable === "function") return tf.parseSeekTable(bytes.subarray(8), file).entries.length;
  // the footer alone: u32 N, u8 descriptor, u32 seekable magic
  const foot = bytes.subarray(bytes.length - 9);
  const v = new DataView(foot.buffer, foot.byteOffset, 9);
  if (v.getUint32(5, true) !== 0x8f92eab1) throw new Error(`${file}: no seek table`);
  return v.getUint32(0, true);
}

/**
 * Cases whose recording cost must not grow with the program's data:
 *  a. an object built key by key in a function (the object is a captured local at every step):
 *     plain and recorded (binary) wall time for several key counts, with a time limit;
 *  b. a program driven by setImmediate for a fixed wall time: events, trace.bin bytes, zstd
 *     frames in trace.bin (from its seek table), events per second;
 *  c. objects with millions of distinct key names (and so shapes), captured as locals: peak RSS
 *     plain and recorded (binary), at two key counts.
 */
async function costs() {
  const out = {};
  // a.
  const objFile = path.join(TMP, "cost-object.js");
  fs.writeFileSync(objFile, objectBuildProgram());
  runNode(objFile, ["10"], "record", { format: "binary" }); // fills the transform cache
  out.objectBuild = { timeoutS: SIZES.costTimeoutS, rows: [] };
  for (const n of SIZES.costObjectKeys) {
    if (out.objectBuild.rows.some((r) => r.recordedMs === "timeout")) {
      out.objectBuild.rows.push({ keys: n, recordedMs: "timeout (not run: fewer keys timed out)" });
      continue;
    }
    const plain = runNode(objFile, [String(n)], "plain");
    const rec = runNode(objFile, [String(n)], "record", { format: "binary", timeoutMs: SIZES.costTimeoutS * 1000, allowFail: true });
    const buildMs = (r) => Number(/build_ns=(\d+)/.exec(r.stderr)?.[1]) / 1e6;
    const row = { keys: n, plainMs: Math.round(plain.ms), plainBuildMs: r1(buildMs(plain)) };
    if (rec.timedOut) row.recordedMs = "timeout";
    else if (rec.status !== 0) row.recordedMs = `failed (exit ${rec.status})`;
    else {
      // per key: the build function's own time (start-up left out), recorded minus plain
      Object.assign(row, {
        recordedMs: Math.round(rec.ms),
        recordedBuildMs: r1(buildMs(rec)),
        events: rec.events,
        usPerKey: r2(((buildMs(rec) - buildMs(plain)) * 1e3) / n),
      });
    }
    out.objectBuild.rows.push(row);
    log(`costs object build: ${JSON.stringify(row)}`);
  }
  // b.
  const immFile = path.join(TMP, "cost-immediate.js");
  fs.writeFileSync(immFile, immediateProgram());
  const ms = String(SIZES.costImmediateMs);
  const parse = (r) => {
    const m = /callbacks=(\d+) loop_ms=(\d+)/.exec(r.stderr);
    return m ? { callbacks: Number(m[1]), loopMs: Number(m[2]) } : { callbacks: null, loopMs: null };
  };
  const pl = parse(runNode(immFile, [ms], "plain"));
  const rec = runNode(immFile, [ms], "record", { format: "binary", keepTrace: true, allowFail: true });
  const rc = parse(rec);
  out.immediate = {
    wallMs: SIZES.costImmediateMs,
    plainCallbacks: pl.callbacks,
    plainCallbacksPerS: pl.loopMs ? Math.round(pl.callbacks / (pl.loopMs / 1000)) : null,
  };
  if (rec.status === 0) {
    let frames = null;
    try {
      frames = await zstdFrames(path.join(rec.traceDir, "trace.bin"));
    } catch (e) {
      frames = `n/a (${e.message.split("\n")[0]})`;
    }
    Object.assign(out.immediate, {
      callbacks: rc.callbacks,
      callbacksPerS: rc.loopMs ? Math.round(rc.callbacks / (rc.loopMs / 1000)) : null,
      events: rec.events,
      eventsPerS: rc.loopMs && rec.events ? Math.round(rec.events / (rc.loopMs / 1000)) : null,
      binBytes: rec.binBytes,
      // 3 significant digits: a well-compressed trace is far below 0.01 B/event
      binBytesPerEvent: rec.events && rec.binBytes != null ? Number((rec.binBytes / rec.events).toPrecision(3)) : null,
      zstdFrames: frames,
      eventsPerFrame: typeof frames === "number" && frames > 0 && rec.events ? Math.round(rec.events / frames) : null,
    });
  } else out.immediate.recorded = `failed (exit ${rec.status})`;
  if (rec.traceDir) fs.rmSync(rec.traceDir, { recursive: true, force: true });
  log(`costs setImmediate: ${JSON.stringify(out.immediate)}`);
  // c.
  const keysFile = path.join(TMP, "cost-keys.js");
  fs.writeFileSync(keysFile, distinctKeysProgram());
  runNode(keysFile, ["4"], "record", { format: "binary" }); // fills the transform cache
  out.distinctKeys = { tool: hasGnuTime ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS", rows: [] };
  for (const n of SIZES.costDistinctKeys) {
    const plain = runNodeRss(keysFile, [String(n)], "plain");
    const r = runNodeRss(keysFile, [String(n)], "record", { format: "binary", timeoutMs: 2 * SIZES.costTimeoutS * 1000, allowFail: true });
    const row = { keys: n, plainMB: r1(plain.rssKB / 1024), plainSeconds: r2(plain.ms / 1000) };
    if (r.timedOut) row.recordedMB = "timeout";
    else if (r.status !== 0) row.recordedMB = `failed (exit ${r.status})`;
    else
      Object.assign(row, {
        events: r.events,
        recordedMB: r1(r.rssKB / 1024),
        growthMB: r1((r.rssKB - plain.rssKB) / 1024),
        recordedSeconds: r1(r.ms / 1000),
        binMB: r2(r.binBytes / 2 ** 20),
      });
    out.distinctKeys.rows.push(row);
    log(`costs distinct keys: ${JSON.stringify(row)}`);
  }
  return out;
}

// ---------------------------------------------------------------- main

if (want("micro")) report.micro = micro();
if (want("floor")) report.floor = await floor();
if (want("programs")) report.programs = programs();
if (want("transform")) report.transform = await transform();
if (want("size")) report.size = size();
if (want("rss")) report.rss = rss();
if (want("profile")) report.profile = profile();
if (want("dense")) report.dense = dense();
if (want("costs")) report.costs = await costs();

// targets
const T = report.targets;
const tgt = (name, value, limit, unit, better = "<=") => {
  const ok = value == null || typeof value !== "number" ? null : better === "<=" ? value <= limit : value < limit;
  T[name] = { value, target: `${better} ${limit}${unit}`, met: ok, factor: typeof value === "number" ? r2(value / limit) : null };
};
if (report.micro) {
  // issue 16's per-event goals, on trace.bin (the default format)
  const u = report.micro.unitBinary ?? report.micro.unit;
  tgt("step (ns)", u.nsPerStep, 10, " ns");
  tgt("call+return (ns)", u.nsPerCallReturn, 60, " ns");
  tgt("int local (ns)", u.nsPerValue, 10, " ns");
  if (u.nsPerObject != null) tgt("object with 3 float fields (ns)", u.nsPerObject, 40, " ns");
}
if (report.programs) {
  tgt("median slowdown (json)", report.programs.medianSlowdownRecorded, 5, "x");
  tgt("median slowdown (binary)", report.programs.medianSlowdownBinary, 5, "x");
}
if (report.transform) {
  const ratios = Object.values(report.transform).map((t) => t.ratio);
  tgt("transform time / istanbul's", r2(median(ratios)), 1, "x");
}
// trace.bin: the median over the program runs with >= 10 000 events (the micro loops are so
// repetitive that they compress to almost nothing); the micro figure is in the size section.
{
  const bins = (report.programs?.rows ?? []).filter((r) => r.events >= 10_000 && typeof r.binBytesPerEvent === "number").map((r) => r.binBytesPerEvent);
  const v = bins.length ? r2(median(bins)) : report.size ? report.size.binBytesPerEvent : undefined;
  if (v !== undefined) tgt("trace.bin bytes/event", v, 3, " B");
}
if (report.rss) {
  tgt("peak RSS growth, json (MB)", report.rss.growthMB, 100, " MB", "<");
  tgt("peak RSS growth, binary (MB)", report.rss.binaryGrowthMB, 100, " MB", "<");
}

fs.mkdirSync(path.dirname(opts.out), { recursive: true });
fs.writeFileSync(opts.out, JSON.stringify(report, null, 2) + "\n");
const md = markdown(report);
fs.writeFileSync(path.join(path.dirname(opts.out), "bench.md"), md);
console.log(md);
console.log(`\nwrote ${path.relative(process.cwd(), opts.out)} and bench.md beside it`);
fs.rmSync(TMP, { recursive: true, force: true });

// ---------------------------------------------------------------- the table

function markdown(rep) {
  const L = [];
  const m = rep.machine;
  L.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGB} GB; Node ${m.node}; ${m.platform}; ${rep.quick ? "`--quick`" : "full run"}, ${rep.date.slice(0, 10)}.`,
    "",
  );
  if (Object.keys(rep.targets).length) L.push("### Targets", "", "| measure | result | target | met |", "|---|---|---|---|");
  for (const [k, t] of Object.entries(rep.targets)) {
    L.push(
      `| ${k} | ${t.value ?? "n/a"} | ${t.target} | ${t.met == null ? "n/a" : t.met ? "yes" : `no (${r2(t.value / Number(/[\d.]+/.exec(t.target)[0]))}x the target)`} |`,
    );
  }
  if (rep.micro) {
    L.push(
      "",
      "### Per-event cost (micro workloads)",
      "",
      "| workload | events/iteration | plain ns/iter | recorded ns/iter | ns/event | trace.json B/event | ns/event with --format binary | trace.bin B/event |",
      "|---|---|---|---|---|---|---|---|",
    );
    for (const k of ["step", "call", "value", "object"]) {
      const x = rep.micro[k];
      if (!x) continue;
      const per = Object.entries(x.perIter)
        .map(([a, b]) => `${b} ${a}`)
        .join(", ");
      L.push(
        `| ${k} (${per}) | ${r1(x.eventsPerIter)} | ${x.plainNsPerIter} | ${x.recordedNsPerIter} | ${x.nsPerEvent} | ${x.jsonBytesPerEvent} | ${x.binaryNsPerEvent} | ${x.binBytesPerEvent} |`,
      );
    }
    const u = rep.micro.unit;
    const b = rep.micro.unitBinary;
    if (b)
      L.push(
        "",
        `Unit costs with trace.bin (the default): **${b.nsPerStep} ns per step**, **${b.nsPerCallReturn} ns per call+return pair**, **${b.nsPerValue} ns per captured int value**, **${b.nsPerObject} ns per captured object of three float fields**.`,
      );
    L.push(
      "",
      `Unit costs with trace.json: **${u.nsPerStep} ns per step**, **${u.nsPerCallReturn} ns per call+return pair**, **${u.nsPerValue} ns per captured value** (int locals)${u.nsPerObject != null ? `, **${u.nsPerObject} ns per captured object of three float fields**` : ""}.`,
    );
  }
  if (rep.floor) {
    const f = rep.floor;
    L.push(
      "",
      "### Floors: the writers alone, and start-up",
      "",
      `The trace writers writing the micro programs' events into a sink that drops the bytes (${f.events} events per round, ns per event):`,
      "",
      "| writer | step | value (int) | call+return pair |",
      "|---|---|---|---|",
    );
    for (const [format, w] of Object.entries(f.writer)) L.push(`| ${format} | ${w.step} | ${w.value} | ${w["call+return"]} |`);
    L.push(
      "",
      "Start-up of a program that only prints (median wall time, ms; cold: `CODETRACER_CACHE=0`, so the file is compiled and Babel loaded; warm: from the transform cache):",
      "",
      "| module format | plain | recorded, cold | recorded, warm | warm - plain |",
      "|---|---|---|---|---|",
    );
    for (const [kind, x] of Object.entries(f.startup))
      L.push(`| ${kind} | ${x.plainMs} | ${x.coldMs ?? "n/a"} | ${x.recordedMs} | ${x.recordedMs - x.plainMs} |`);
  }
  if (rep.programs) {
    L.push(
      "",
      "### Slowdown on real programs (median wall time of the whole process, interleaved rounds)",
      "",
      "| program | filter | workload | plain ms | recorded (json) | recorded (binary) | istanbul | events | ns/event (json) | trace.json B/event | trace.bin B/event |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const o of rep.programs.rows) {
      L.push(
        `| ${o.program} | ${o.filter} | ${o.what} | ${o.plainMs} | ${o.slowdown}x (${o.recordedMs} ms) | ${o.binarySlowdown != null ? `${o.binarySlowdown}x (${o.binaryMs} ms)` : "n/a"} | ${o.istanbulSlowdown}x (${o.istanbulMs} ms) | ${o.events} | ${o.nsPerEvent ?? "—"} | ${o.jsonBytesPerEvent} | ${o.binBytesPerEvent ?? "n/a"} |`,
      );
    }
    L.push(
      "",
      `Median slowdown, recorded: **${rep.programs.medianSlowdownRecorded}x** (json), **${rep.programs.medianSlowdownBinary ?? "n/a"}${typeof rep.programs.medianSlowdownBinary === "number" ? "x" : ""}** (binary); istanbul: ${rep.programs.medianSlowdownIstanbul}x.`,
    );
  }
  if (rep.transform) {
    L.push("", "### Transform speed", "", "| file | KB | ours ms/KB | istanbul ms/KB | ours / istanbul |", "|---|---|---|---|---|");
    for (const [k, t] of Object.entries(rep.transform)) L.push(`| ${k} | ${t.kb} | ${t.oursMsPerKB} | ${t.istanbulMsPerKB} | ${t.ratio} |`);
  }
  if (rep.size) {
    L.push(
      "",
      "### Trace size",
      "",
      `${rep.size.workload}, ${rep.size.events} events: trace.json **${rep.size.jsonBytesPerEvent} B/event**, trace.bin **${rep.size.binBytesPerEvent}${typeof rep.size.binBytesPerEvent === "number" ? " B/event" : ""}**${rep.size.binNote ? ` (${rep.size.binNote})` : ""}.`,
    );
  }
  if (rep.rss) {
    const r = rep.rss;
    L.push(
      "",
      "### Peak RSS",
      "",
      `${r.workload}, ${r.events} events (${r.tool}): plain ${r.plainMB} MB, recorded ${r.recordedMB} MB, **growth ${r.growthMB} MB**; recorded run ${r.recordedSeconds} s (plain ${r.plainSeconds} s), trace.json ${r.traceJsonMB} MB.${typeof r.binaryGrowthMB === "number" ? ` With --format binary: ${r.binaryMB} MB, **growth ${r.binaryGrowthMB} MB**, ${r.binarySeconds} s, trace.bin ${r.traceBinMB} MB.` : ""}`,
    );
  }
  if (rep.dense) {
    const d = rep.dense;
    L.push(
      "",
      `### Event-dense workloads (median wall time of the whole process, ${d.rounds} interleaved rounds; recorded with --format binary)`,
      "",
      "| program | workload | plain ms | recorded (binary) | istanbul | events | all-in ns/event | trace.bin B/event | start-up share |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const o of d.rows) {
      const recd = o.slowdown != null ? `${o.slowdown}x (${o.recordedMs} ms)` : (o.recorded ?? "n/a");
      L.push(
        `| ${o.program} | ${o.what} | ${o.plainMs} | ${recd} | ${o.istanbulSlowdown}x (${o.istanbulMs} ms) | ${o.events ?? "n/a"} | ${o.nsPerEvent ?? "n/a"} | ${o.binBytesPerEvent ?? "n/a"} | ${o.startupSharePct != null ? `${o.startupSharePct}% (${o.startupMs} ms)` : "n/a"} |`,
      );
    }
    const su = Object.entries(d.startup)
      .map(([k, x]) => `${k} ${x.ms} ms`)
      .join(", ");
    L.push(
      "",
      `Median slowdown of the three, recorded (binary): **${d.medianSlowdown}${typeof d.medianSlowdown === "number" ? "x" : ""}**; istanbul: ${d.medianSlowdownIstanbul}x. All-in ns/event = (recorded - plain) / events. Start-up share = start-up overhead of recording (a recorded program that only prints, minus plain node, warm cache: ${su}; ${Object.values(d.startup)[0]?.source ?? ""}) / recorded time.`,
    );
  }
  if (rep.costs) {
    const c = rep.costs;
    L.push("", "### Costs that must not grow with the program's data");
    if (c.objectBuild) {
      L.push(
        "",
        `a. An object built key by key in a function (\`big["k" + i] = i\`; \`big\` is a captured local at every step), recorded with --format binary, limit ${c.objectBuild.timeoutS} s per run:`,
        "",
        "| keys | plain ms | recorded ms | events | build() plain ms | build() recorded ms | µs per key (build(), recorded - plain) |",
        "|---|---|---|---|---|---|---|",
      );
      for (const o of c.objectBuild.rows)
        L.push(
          `| ${o.keys} | ${o.plainMs ?? "—"} | ${o.recordedMs} | ${o.events ?? "—"} | ${o.plainBuildMs ?? "—"} | ${o.recordedBuildMs ?? "—"} | ${o.usPerKey ?? "—"} |`,
        );
    }
    if (c.immediate) {
      const i = c.immediate;
      L.push(
        "",
        `b. A program driven by setImmediate for ${i.wallMs / 1000} s of wall time (a few statements per callback), recorded with --format binary:`,
        "",
        "| callbacks (plain) | callbacks (recorded) | events | events/s | trace.bin bytes | trace.bin B/event | zstd frames | events/frame |",
        "|---|---|---|---|---|---|---|---|",
      );
      if (i.recorded) L.push(`| ${i.plainCallbacks} | ${i.recorded} | | | | | | |`);
      else
        L.push(
          `| ${i.plainCallbacks} (${i.plainCallbacksPerS}/s) | ${i.callbacks} (${i.callbacksPerS}/s) | ${i.events} | ${i.eventsPerS} | ${i.binBytes} | ${i.binBytesPerEvent} | ${i.zstdFrames} | ${i.eventsPerFrame ?? "n/a"} |`,
        );
    }
    if (c.distinctKeys) {
      L.push(
        "",
        `c. Objects of 4 keys each, every key name new (\`"k" + counter\`), captured as locals; peak RSS (${c.distinctKeys.tool}), recorded with --format binary:`,
        "",
        "| distinct keys | events | plain MB | recorded MB | growth MB | plain s | recorded s | trace.bin MB |",
        "|---|---|---|---|---|---|---|---|",
      );
      for (const o of c.distinctKeys.rows)
        L.push(
          `| ${o.keys} | ${o.events ?? "—"} | ${o.plainMB} | ${o.recordedMB} | ${o.growthMB ?? "—"} | ${o.plainSeconds} | ${o.recordedSeconds ?? "—"} | ${o.binMB ?? "—"} |`,
        );
    }
  }
  if (rep.profile) {
    L.push("", "### CPU profile hot spots (self time, recorded runs)");
    for (const [k, p] of Object.entries(rep.profile)) {
      L.push(
        "",
        `${k}: all functions, and the recorder's own (% of the busy samples of both threads, main and module hooks)`,
        "",
        "| self % | function | where | | self % | recorder function | where |",
        "|---|---|---|---|---|---|---|",
      );
      for (let i = 0; i < Math.max(p.all.length, p.recorder.length); i++) {
        const a = p.all[i],
          b = p.recorder[i];
        L.push(
          `| ${a?.pct ?? ""} | ${a?.name ?? ""} | ${a ? `${a.url}:${a.line}` : ""} | | ${b?.pct ?? ""} | ${b?.name ?? ""} | ${b ? `${b.url}:${b.line}` : ""} |`,
        );
      }
    }
  }
  return L.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}
