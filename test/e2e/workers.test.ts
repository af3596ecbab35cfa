/**
 * Worker threads: each recorded worker gets a trace folder of its own,
 * `<trace dir>/workers/<threadId>`, listed by the main trace's metadata; the main trace holds
 * none of the worker's events, and the program prints and exits exactly as under plain node.
 * Fixtures: `test/fixtures/workers/*-main.*`.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseTraceJson, validateEvents, type TraceMetadata } from "@codetracer/trace-format";
import { expectBalancedCalls, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { FIXTURES, cleanupTempDirs, describeRun, freshTraceDir, lineOf, recordWithCli, recordWithImport, runPlain, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const DIR = path.join(FIXTURES, "workers");
const fixture = (name: string) => path.join(DIR, name);

afterAll(cleanupTempDirs);

/** One worker's trace folder, validated. */
interface WorkerTrace {
  dir: string;
  /** The worker's `threadId` (the folder's name). */
  id: number;
  meta: TraceMetadata;
  q: TraceQuery;
}

/** A recorded run next to the plain run of the same script. */
interface Recorded {
  plain: RunResult;
  rec: RunResult;
  /** The main thread's trace. */
  main: TraceQuery;
  mainMeta: TraceMetadata;
}

type Mode = "cli" | "import";

/** Runs `script` under plain node and recorded (in `DIR`), and validates the main trace. */
async function record(script: string, args: string[] = [], mode: Mode = "cli", cliArgs: string[] = []): Promise<Recorded> {
  const [plain, rec] = await Promise.all([
    runPlain(fixture(script), args, { cwd: DIR }),
    mode === "cli" ? recordWithCli(fixture(script), args, { cwd: DIR, cliArgs }) : recordWithImport(fixture(script), args, { cwd: DIR }),
  ]);
  const main = expectValidTrace(rec.traceDir);
  return { plain, rec, main, mainMeta: readMetadata(rec.traceDir)! };
}

/**
 * Same exit code, stdout and stderr as the plain run. The process id in Node's warnings
 * (`(node:1234) [DEP0205] DeprecationWarning: …`, which Node 26 prints for the program's own
 * `module.register()`) differs between any two runs: it is masked.
 */
function expectSameBehaviour({ rec, plain }: Recorded): void {
  const maskPid = (text: string) => text.replace(/^\(node:\d+\) /gm, "(node:PID) ");
  expect(rec.code, describeRun(rec)).toBe(plain.code);
  expect(rec.signal).toBeNull();
  expect(rec.stdout).toBe(plain.stdout);
  expect(maskPid(rec.stderr)).toBe(maskPid(plain.stderr));
}

/** The finished worker traces listed by the main trace's metadata, validated, in list order. */
function workerTraces(r: Recorded): WorkerTrace[] {
  const listed = r.mainMeta.workers ?? [];
  return listed.map((rel) => {
    expect(rel).toMatch(/^workers\/\d+$/);
    const dir = path.join(r.rec.traceDir, rel);
    const q = expectValidTrace(dir);
    const meta = readMetadata(dir)!;
    expect(fs.existsSync(path.join(dir, "trace_metadata.pending.json")), "pending metadata is removed").toBe(false);
    return { dir, id: Number(path.basename(dir)), meta, q };
  });
}

/** The only worker trace; checks its metadata names `script` run by a worker of the main thread. */
function onlyWorker(r: Recorded, script: string, args: string[] = []): WorkerTrace {
  const workers = workerTraces(r);
  expect(workers).toHaveLength(1);
  const w = workers[0]!;
  expect(w.meta.program).toBe(fixture(script));
  expect(w.meta.args).toEqual(args);
  expect(w.meta.workdir).toBe(DIR);
  expect(w.meta.recorder?.name).toBe("codetracer-js-recorder");
  expect(w.meta.thread).toEqual({ id: w.id, parent_id: 0, parent_trace: "../.." });
  expect(w.q.paths[0]).toBe(fixture(script));
  return w;
}

/** The main trace holds no event of `files` and no call of `functions`. */
function expectNoWorkerEvents(main: TraceQuery, files: string[], functions: string[]): void {
  for (const file of files) expect(main.paths).not.toContain(fixture(file));
  for (const name of functions) expect(main.functionNames()).not.toContain(name);
}

describe.each(["cli", "import"] as const)("a CommonJS worker (%s)", (mode) => {
  it("records the worker into workers/<threadId>, with the values its functions saw", async () => {
    const r = await record("cjs-main.cjs", [], mode);
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe('cjs worker says: {"sum":30,"env":["ONLY"]}\ncjs worker exit: 0\n');

    const w = onlyWorker(r, "cjs-worker.cjs");
    expect(r.mainMeta.workers).toEqual([`workers/${w.id}`]);
    expect(w.meta.process_exit_status).toEqual({ code: 0, label: null });
    expectBalancedCalls(w.q);
    expect(w.q.callsOf("sumOfSquares").map((c) => c.args)).toEqual([{ numbers: [1, 2, 3, 4] }]);
    expect(w.q.returnsOf("sumOfSquares")).toEqual([30]);
    expect(w.q.callsOf("square", "cjs-helper.cjs").map((c) => c.args.n)).toEqual([1, 2, 3, 4]);
    expect(w.q.returnsOf("square")).toEqual([1, 4, 9, 16]);
    expect(w.q.localAt("cjs-worker.cjs", lineOf(fixture("cjs-worker.cjs"), "ct-marker: cjs-total"), "total")).toEqual([30]);

    expect(r.main.callsOf("report").map((c) => c.args.label)).toEqual(["cjs worker says", "cjs worker exit"]);
    expectNoWorkerEvents(r.main, ["cjs-worker.cjs", "cjs-helper.cjs"], ["sumOfSquares", "square"]);
  });
});

describe("workers use the main thread's configuration", () => {
  it("--exclude applies to files the worker requires", async () => {
    const r = await record("cjs-main.cjs", [], "cli", ["--exclude", "**/cjs-helper.cjs"]);
    expectSameBehaviour(r);
    const w = onlyWorker(r, "cjs-worker.cjs");
    expect(w.q.returnsOf("sumOfSquares")).toEqual([30]);
    expect(w.q.functionNames()).not.toContain("square");
    expect(w.q.paths).not.toContain(fixture("cjs-helper.cjs"));
  });

  it("worker traces left in the trace directory by an earlier recording are removed, other files are kept", async () => {
    const traceDir = freshTraceDir();
    const stale = path.join(traceDir, "workers", "999");
    fs.mkdirSync(stale, { recursive: true });
    fs.writeFileSync(path.join(stale, "trace.json"), "[\n]\n");
    fs.writeFileSync(path.join(stale, "notes.txt"), "mine");
    const rec = await recordWithCli(fixture("cjs-main.cjs"), [], { cwd: DIR, traceDir });
    expect(rec.code, describeRun(rec)).toBe(0);
    expect(fs.readdirSync(stale)).toEqual(["notes.txt"]);
    const workers = readMetadata(traceDir)!.workers!;
    expect(workers).toHaveLength(1);
    expect(workers[0]).not.toBe("workers/999");
  });
});

describe("an ES module worker", () => {
  it("records the worker, its imports, its arguments and its async frames", async () => {
    const r = await record("esm-main.mjs");
    expectSameBehaviour(r);
    expect(r.rec.stdout).toContain('esm worker says: {"count":3,"last":{"x":2,"y":2}}\n');

    const w = onlyWorker(r, "esm-worker.mjs", ["--size", "3"]);
    expect(w.meta.process_exit_status).toEqual({ code: 0, label: null });
    expectBalancedCalls(w.q);
    // The second Call is the resumption after `await` (no arguments).
    expect(w.q.callsOf("measure").map((c) => c.args)).toEqual([{ size: 3 }, {}]);
    expect(w.q.returnsOf("measure").at(-1)).toEqual({ count: 3, last: { x: 2, y: 2 } });
    expect(w.q.localAt("esm-worker.mjs", lineOf(fixture("esm-worker.mjs"), "ct-marker: esm-result"), "last")).toEqual([{ x: 2, y: 2 }]);
    expect(w.q.callsOf("diagonal", "esm-helper.mjs")[0]!.args).toEqual({ size: 3 });
    expect(w.q.callsOf("Point.constructor").map((c) => c.args)).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 7, y: 8 },
    ]);
    expect(w.q.returnsOf("Point.toString")).toEqual(["(7, 8)"]);
    expectNoWorkerEvents(r.main, ["esm-worker.mjs", "esm-helper.mjs"], ["measure", "diagonal", "Point.constructor"]);
  });
});

describe("a TypeScript worker", () => {
  it("new Worker(new URL('./ts-worker.ts', import.meta.url)) runs and is recorded against the .ts sources", async () => {
    const r = await record("ts-main.mjs");
    expect(r.rec.code, describeRun(r.rec)).toBe(0);
    expect(r.rec.stdout).toBe('ts worker says: {"text":"HELLO TYPESCRIPT!","length":17}\nts worker exit: 0\n');
    expect(r.rec.stderr).toBe("");
    // Node 20 cannot run .ts files; Node 22.18+ and 24 strip the types themselves.
    if ((process.features as { typescript?: unknown }).typescript) expectSameBehaviour(r);

    const w = onlyWorker(r, "ts-worker.ts");
    expectBalancedCalls(w.q);
    expect(w.q.callsOf("greet").map((c) => c.args)).toEqual([{ name: "typescript" }]);
    expect(w.q.returnsOf("greet")).toEqual([{ text: "HELLO TYPESCRIPT!", length: 17 }]);
    expect(w.q.callsOf("shout", "ts-helper.ts").map((c) => c.args)).toEqual([{ words: "hello typescript" }]);
    expect(w.q.paths).toEqual([fixture("ts-worker.ts"), fixture("ts-helper.ts")]);
    expectNoWorkerEvents(r.main, ["ts-worker.ts", "ts-helper.ts"], ["greet", "shout"]);
  });
});

describe("a worker started by a worker", () => {
  it("gets its own folder, with the starting worker as its parent", async () => {
    const r = await record("nested-main.mjs");
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("nested result: 16\nouter exit: 0\n");

    const workers = workerTraces(r);
    expect(workers.map((w) => path.basename(w.meta.program))).toEqual(["nested-outer.mjs", "nested-inner.mjs"]);
    const [outer, inner] = workers as [WorkerTrace, WorkerTrace];
    expect(outer.meta.thread).toEqual({ id: outer.id, parent_id: 0, parent_trace: "../.." });
    expect(inner.meta.thread).toEqual({ id: inner.id, parent_id: outer.id, parent_trace: `../${outer.id}` });
    expect(inner.q.callsOf("triple").map((c) => c.args.n)).toEqual([5]);
    expect(inner.q.returnsOf("triple")).toEqual([15]);
    expect(outer.q.callsOf("relay").map((c) => c.args.value)).toEqual([15]);
    expect(outer.q.functionNames()).not.toContain("triple");
    expect(inner.q.functionNames()).not.toContain("relay");
    expectNoWorkerEvents(r.main, ["nested-outer.mjs", "nested-inner.mjs"], ["relay", "triple"]);
  });
});

describe("how a worker ends", () => {
  it("an uncaught exception: the worker's trace ends with an Error event and exit status 1", async () => {
    const r = await record("throw-main.mjs");
    expectSameBehaviour(r);
    expect(r.rec.code).toBe(4);
    expect(r.rec.stdout).toBe("worker failed: RangeError: too big: 3\nthrow worker exit: 1\n");

    const w = onlyWorker(r, "throw-worker.mjs");
    expect(w.meta.process_exit_status).toEqual({ code: 1, label: null });
    expectBalancedCalls(w.q);
    expect(w.q.callsOf("check").map((c) => c.args.value)).toEqual([1, 2, 3]);
    expect(w.q.decode(w.q.callsOf("check")[2]!.returnRecord!)).toEqual({ $raw: "RangeError: too big: 3" });
    expect(w.q.lastEvent()).toEqual({ Event: { kind: 11, metadata: "", content: "Uncaught RangeError: too big: 3" } });
    expect(w.q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 1 });
    // The main thread's trace ends normally; what it printed is in it as Write events.
    expect(r.main.logEvents.filter((e) => e.kind === 11)).toEqual([]);
    expect(
      r.main.logEvents
        .filter((e) => e.kind === 0)
        .map((e) => e.content)
        .join(""),
    ).toBe(r.rec.stdout);
    expect(r.mainMeta.process_exit_status).toEqual({ code: 4, label: null });
  });

  it("process.exit(3) inside the worker: only the worker stops, its trace returns 3", async () => {
    const r = await record("exit-main.cjs");
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("exit worker exit: 3\n");

    const w = onlyWorker(r, "exit-worker.cjs");
    expect(w.meta.process_exit_status).toEqual({ code: 3, label: null });
    expectBalancedCalls(w.q);
    expect(w.q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 3 });
    expect(w.q.stepsAt("exit-worker.cjs", lineOf(fixture("exit-worker.cjs"), "ct-marker: worker-exit")).map((s) => s.frame)).toEqual(["finish"]);
    expect(w.q.stepsAt("exit-worker.cjs", lineOf(fixture("exit-worker.cjs"), '"unreachable"'))).toEqual([]);
    expect(r.mainMeta.process_exit_status).toEqual({ code: 0, label: null });
  });

  it("worker.terminate(): the parent thread finishes the worker's trace, labelled <terminated>", async () => {
    const r = await record("terminate-main.mjs", ["terminate"]);
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("worker is idle\nterminated worker exit: 1\nterminate() resolved\n");

    const w = onlyWorker(r, "terminate-worker.mjs");
    expect(w.meta.process_exit_status).toEqual({ code: 1, label: "<terminated>" });
    // Everything up to the moment the worker went idle reached the file.
    expect(w.q.callsOf("work").map((c) => c.args.n)).toEqual([1, 2, 3]);
    expect(w.q.returnsOf("work")).toEqual([1, 4, 9]);
  });

  it("the main thread exits first: the worker's unfinished trace is listed and is a valid prefix", async () => {
    const r = await record("terminate-main.mjs", ["exit"]);
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("worker is idle\n");
    const listed = r.mainMeta.workers!;
    expect(listed).toHaveLength(1);
    const dir = path.join(r.rec.traceDir, listed[0]!);
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
    const pending = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.pending.json"), "utf8")) as TraceMetadata;
    expect(pending.program).toBe(fixture("terminate-worker.mjs"));
    expect(pending.thread?.parent_id).toBe(0);
    // Each written line is a whole event: closing the array gives a valid trace.
    const text = fs.readFileSync(path.join(dir, "trace.json"), "utf8");
    const events = parseTraceJson(`${text}\n]\n`);
    const report = validateEvents(events, { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(events).toContainEqual({ Function: expect.objectContaining({ name: "work" }) as unknown });
  });

  it("a module loaded by the worker's exit handler, after the recording stopped, runs normally", async () => {
    const r = await record("late-main.cjs");
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("goodbye from the worker\nlate worker exit: 0\n");
    const w = onlyWorker(r, "late-worker.cjs");
    expect(w.q.returnsOf("early")).toEqual(["early"]);
    expect(w.q.functionNames()).not.toContain("farewell");
  });
});

describe("eval workers and workers without the preload", () => {
  it.each(["cli", "import"] as const)(
    "%s: both run as under plain node; an eval worker's modules are recorded only under --require, its code string never",
    async (mode) => {
      const r = await record("eval-main.cjs", [], mode);
      expectSameBehaviour(r);
      expect(r.rec.stdout).toBe("eval worker says: 42\neval worker exit: 0\nbare worker says: 8 undefined\nbare worker exit: 0\n");
      expectNoWorkerEvents(r.main, ["bare-worker.cjs", "double.cjs"], ["double"]);
      if (mode === "import") {
        // Node runs --import modules in file workers only: nothing is recorded.
        expect(r.mainMeta.workers).toBeUndefined();
        expect(fs.existsSync(path.join(r.rec.traceDir, "workers"))).toBe(false);
        return;
      }
      // The CLI preloads with --require, which Node runs in eval workers too. The worker with
      // execArgv: [] has no preload: it is not recorded.
      const w = workerTraces(r);
      expect(w).toHaveLength(1);
      expect(w[0]!.meta.program).toBe("<eval>");
      expect(w[0]!.q.paths).toEqual(["<eval>", fixture("double.cjs")]);
      expect(w[0]!.q.callsOf("double").map((c) => c.args.n)).toEqual([21]);
    },
  );
});

/**
 * A Node bug: after `module.registerHooks` hooks were registered from a `--require` preload (the
 * CLI's), a program's own `module.register()` hooks make Node's next synchronous resolution throw
 * ERR_METHOD_NOT_IMPLEMENTED ("The resolveSync() method is not implemented"; the error of
 * https://github.com/privatenumber/tsx/issues/719). Plain `node --require` of a preload that only
 * calls `registerHooks` fails the same way (measured on 22.15.0 and 22.23.5, the newest 22, on
 * 24.11.0, 24.11.1, 25.0.0 and 25.1.0; not on 24.12.0, 24.13.0, 24.16.0, 25.2.0, 25.3.0, 26.0.0,
 * 26.12.1). Skipped on every release of those lines before the fixed ones.
 */
function syncAndAsyncHooksClash(): boolean {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  if (typeof (Module as unknown as { registerHooks?: unknown }).registerHooks !== "function") return false;
  return major === 22 || major === 23 || (major === 24 && minor < 12) || (major === 25 && minor < 2);
}

describe("instrumented code where nothing records", () => {
  it.skipIf(syncAndAsyncHooksClash())("the program's own module hooks, compiled by the recorder's hooks, run on Node's hooks thread", async () => {
    const r = await record("hooks-main.mjs");
    expectSameBehaviour(r);
    expect(r.rec.stdout).toBe("virtual module says: 42\n");
    expect(r.mainMeta.workers).toBeUndefined();
    expectNoWorkerEvents(r.main, ["user-hooks.mjs"], ["isVirtual"]);
  });
});
