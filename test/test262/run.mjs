#!/usr/bin/env node
// The test262 differential run: every test of the committed sample (sample.json, see README.md)
// runs plainly (`node test.js`) and recorded (`node --import @codetracer/register test.js`, the
// built loader of packages/register/dist); a test that passes plainly must pass recorded, and its
// trace must load in CodeTracer's reader (`rtcli read`, when found) and pass the project's
// validator. Differences listed in known-differences.json (with the reason) are reported but
// allowed.
//
//   node test/test262/run.mjs [--jobs N] [--filter SUBSTRING] [--shard K/N] [--known] [--json FILE] [--keep] [--verbose]
//   (--known: only the tests listed in known-differences.json, to see which still differ)
//
// Exit code 0 when every difference is a known one, 1 otherwise. Needs the built packages
// (`npm run build`). The reader: $CODETRACER_RTCLI, else tools/codetracer-reader/rtcli of the
// CodeTracer checkout next to this repository; without one only the validator checks the trace.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const REGISTER = pathToFileURL(path.join(REPO, "packages/register/dist/index.js")).href;
const TIMEOUT_MS = 30_000;

function parseArgs(argv) {
  const opts = { jobs: Math.max(1, Math.min(2, os.availableParallelism?.() ?? 2)), filter: "", json: "", keep: false, verbose: false, shard: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--jobs") opts.jobs = Number(argv[++i]);
    else if (a === "--filter") opts.filter = argv[++i];
    else if (a === "--json") opts.json = argv[++i];
    else if (a === "--keep") opts.keep = true;
    else if (a === "--verbose") opts.verbose = true;
    else if (a === "--shard") opts.shard = argv[++i].split("/").map(Number);
    else if (a === "--known") opts.knownOnly = true;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

function findReader() {
  const candidates = [process.env.CODETRACER_RTCLI, path.resolve(REPO, "../shared/tools/codetracer-reader/rtcli")];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return null;
}

/** Runs a process; resolves with its exit code, signal and output (never rejects). */
function run(cmd, args, env, cwd, timeoutMs = TIMEOUT_MS) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s) => (stdout.length < 1e6 ? (stdout += s) : 0));
    child.stderr.setEncoding("utf8").on("data", (s) => (stderr.length < 1e6 ? (stderr += s) : 0));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(error) });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("CODETRACER_") || k === "NODE_OPTIONS" || k.startsWith("VITEST") || k === "NODE_ENV") continue;
    env[k] = v;
  }
  env.NO_COLOR = "1";
  return Object.assign(env, extra);
}

/** test262's verdict on a run: `null` when it passed, else why not. */
function verdict(result, isAsync) {
  if (result.signal) return `killed by ${result.signal}`;
  if (result.code !== 0) return `exit ${result.code}: ${lastLines(result.stderr)}`;
  if (isAsync) {
    if (result.stdout.includes("Test262:AsyncTestFailure")) return `async failure: ${lastLines(result.stdout)}`;
    if (!result.stdout.includes("Test262:AsyncTestComplete")) return "async test never completed";
  }
  return null;
}

function lastLines(text) {
  const lines = text.split("\n").filter((l) => l.trim() && !/^\s+at /.test(l));
  return lines.slice(-3).join(" | ").slice(0, 400);
}

const harnessCache = new Map();
function harness(name) {
  let text = harnessCache.get(name);
  if (text === undefined) harnessCache.set(name, (text = fs.readFileSync(path.join(HERE, "harness", name), "utf8")));
  return text;
}

/** The program of one run: the harness files, then the test (test262's INTERPRETING.md). */
function programOf(test, mode) {
  const parts = [];
  if (mode === "strict") parts.push('"use strict";');
  // `print` is the host's output function (doneprintHandle.js reports async results with it).
  parts.push("var print = function (message) { console.log(message); };");
  const includes = ["assert.js", "sta.js"];
  if (test.async) includes.push("doneprintHandle.js");
  for (const inc of test.includes) if (!includes.includes(inc)) includes.push(inc);
  for (const inc of includes) parts.push(harness(inc));
  parts.push(fs.readFileSync(path.join(HERE, "tests", test.path), "utf8"));
  return parts.join("\n");
}

async function checkTrace(traceDir, reader, validate) {
  if (!fs.existsSync(path.join(traceDir, "trace_metadata.json"))) return "no trace_metadata.json (trace not finished)";
  const meta = JSON.parse(fs.readFileSync(path.join(traceDir, "trace_metadata.json"), "utf8"));
  if (meta.partial) return "trace metadata says partial";
  if (meta.stats && (meta.stats.internal_errors > 0 || meta.stats.detaches > 0)) {
    return `recorder internal errors: ${meta.stats.internal_errors}, detaches: ${meta.stats.detaches}`;
  }
  const report = validate(traceDir, { entryStepRule: "error" });
  if (!report.ok) return `validator: ${report.errors.slice(0, 2).map((e) => `${e.code}: ${e.message}`).join("; ")}`;
  if (reader) {
    const r = await run(reader, ["read", traceDir], process.env, REPO);
    if (r.code !== 0 || !/^events: \d+/m.test(r.stdout)) return `rtcli: ${lastLines(r.stdout + r.stderr)}`;
  }
  return null;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { validateTraceFolder } = await import(pathToFileURL(path.join(REPO, "packages/trace-format/dist/index.js")).href);
  const sample = JSON.parse(fs.readFileSync(path.join(HERE, "sample.json"), "utf8")).tests;
  const knownList = JSON.parse(fs.readFileSync(path.join(HERE, "known-differences.json"), "utf8")).differences;
  const known = new Map(knownList.map((d) => [d.test, d.reason]));
  // A flaky entry (a timeout) may also pass: it is never reported as no longer differing.
  const flaky = new Set(knownList.filter((d) => d.flaky === true).map((d) => d.test));
  const reader = findReader();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ct-test262-"));
  fs.writeFileSync(path.join(work, "package.json"), '{"type":"commonjs"}\n');

  const runs = [];
  for (const test of sample) {
    if (opts.filter && !test.path.includes(opts.filter)) continue;
    if (opts.shard && sample.indexOf(test) % opts.shard[1] !== opts.shard[0] - 1) continue;
    if (opts.knownOnly && !known.has(`${test.path} (${test.mode})`)) continue;
    runs.push({ test, mode: test.mode, id: `${test.path} (${test.mode})` });
  }
  // The programs, then the transform cache filled for them by the loader itself (warm-cache.cjs),
  // a share of them per process: each recorded run then loads its program from the cache.
  runs.forEach((r, i) => {
    r.file = path.join(work, `t${String(i).padStart(5, "0")}-${path.basename(r.test.path)}`);
    fs.writeFileSync(r.file, programOf(r.test, r.mode));
  });
  const recordEnv = (traceDir) => cleanEnv({ CODETRACER_TRACE: traceDir, CODETRACER_CACHE_DIR: path.join(work, "cache") });
  await Promise.all(
    Array.from({ length: opts.jobs }, (_, j) => {
      const files = runs.filter((_, i) => i % opts.jobs === j).map((r) => r.file);
      return run(process.execPath, ["--import", REGISTER, path.join(HERE, "warm-cache.cjs"), ...files], recordEnv(path.join(work, `warm-${j}.trace`)), work, 600_000);
    }),
  );

  const results = [];
  let next = 0;
  let done = 0;
  const started = Date.now();
  async function worker() {
    while (next < runs.length) {
      const r = runs[next++];
      const n = next - 1;
      const file = r.file;
      const plain = await run(process.execPath, [file], cleanEnv({}), work);
      const plainWhy = verdict(plain, r.test.async);
      const entry = { id: r.id, plain: plainWhy === null ? "pass" : "fail", plainWhy };
      if (plainWhy === null) {
        const traceDir = `${file}.trace`;
        const rec = await run(process.execPath, ["--import", REGISTER, file], recordEnv(traceDir), work);
        const recWhy = verdict(rec, r.test.async);
        entry.recorded = recWhy === null ? "pass" : "fail";
        entry.recordedWhy = recWhy;
        entry.traceWhy = await checkTrace(traceDir, reader, validateTraceFolder);
        if (!opts.keep) fs.rmSync(traceDir, { recursive: true, force: true });
      }
      if (!opts.keep) fs.rmSync(file, { force: true });
      results[n] = entry;
      if (entry.plain === "pass" && (entry.recordedWhy || entry.traceWhy) && opts.verbose) {
        process.stdout.write(`DIFF? ${entry.id}: ${entry.recordedWhy ?? entry.traceWhy}\n`);
      }
      done++;
      if (process.stderr.isTTY && done % 20 === 0) process.stderr.write(`\r${done}/${runs.length}`);
    }
  }
  await Promise.all(Array.from({ length: opts.jobs }, worker));
  if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });

  const compared = results.filter((r) => r.plain === "pass");
  const differences = [];
  for (const r of compared) {
    const why = r.recordedWhy ?? r.traceWhy;
    if (why) differences.push({ test: r.id, why, known: known.has(r.id) ? known.get(r.id) : null });
  }
  const unknown = differences.filter((d) => d.known === null);
  const staleKnown = [...known.keys()].filter((k) => !flaky.has(k) && runs.some((r) => r.id === k) && !differences.some((d) => d.test === k));
  const summary = {
    runs: results.length,
    plainPass: compared.length,
    plainFail: results.length - compared.length,
    recordedPass: compared.filter((r) => r.recorded === "pass" && !r.traceWhy).length,
    differences: differences.length,
    unknownDifferences: unknown,
    knownDifferences: differences.filter((d) => d.known !== null).map((d) => d.test),
    knownButPassing: staleKnown,
    reader: reader ?? "(none: validator only)",
    seconds: Math.round((Date.now() - started) / 1000),
  };
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ summary, results }, null, 1));
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(
    `test262: ${summary.runs} runs, ${summary.plainPass} pass plainly (${summary.plainFail} do not: not compared), ` +
      `${summary.recordedPass} of them pass recorded with a valid trace; ${summary.differences} differences, ` +
      `${unknown.length} not in known-differences.json; ${summary.seconds} s`,
  );
  for (const d of unknown) console.log(`DIFF ${d.test}: ${d.why}`);
  for (const k of staleKnown) console.log(`known difference no longer differs (remove it): ${k}`);
  process.exit(unknown.length > 0 ? 1 : 0);
}

await main();
