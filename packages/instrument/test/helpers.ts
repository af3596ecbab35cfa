/**
 * Test harness: runs a small program plain and instrumented (with a real `Recorder` installed as
 * `globalThis.__codetracer__`) and checks the recorded events.
 *
 * - CommonJS programs run through `vm.runInThisContext` in a `(module, exports, require, log)`
 *   wrapper, like Node's own module wrapper.
 * - ES modules are written to a temporary `…/node_modules/` folder and loaded with `import()`.
 *   Vitest externalises anything under `node_modules`, so the file is evaluated natively by
 *   Node (real ESM semantics: strict mode, top-level await, no `require`), not by Vite's
 *   module runner. Programs log with `globalThis.__ctlog` there.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as util from "node:util";
import * as vm from "node:vm";
import { parseSync, traverse } from "@babel/core";
import { renderTrace, validateEvents, type TraceLowLevelEvent } from "@codetracer/trace-format";
import { expect } from "vitest";
import { Recorder } from "../../runtime/src/recorder.js";
import type { FileTable } from "../../runtime/src/abi.js";
import { instrument, type InstrumentResult } from "../src/instrument.js";

export type Format = "commonjs" | "module";

/** What a run of a program shows to the outside. */
export interface Outcome {
  /** Arguments of every `log(...)` call, in order. */
  logs: unknown[][];
  /** `module.exports` (CommonJS, awaited when it is a promise) or the `result` export (ESM). */
  result: unknown;
  /** `name: message` of the error the program threw (or rejected with), else null. */
  error: string | null;
  /** The thrown value itself. */
  thrown?: unknown;
}

/** A recorded run. */
export interface Recorded {
  outcome: Outcome;
  events: TraceLowLevelEvent[];
  internalErrors: unknown[];
  /** What ran: `instrument()`'s result, or only the code given as `RecordOptions.code`. */
  transformed: { code: string } & Partial<InstrumentResult>;
}

export const VIRTUAL = "/virtual/case.js";

const nodeRequire = createRequire(import.meta.url);
let esmDir: string | undefined;
let esmCounter = 0;

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `thrown ${typeof e}: ${String(e)}`;
}

async function settle(value: unknown): Promise<unknown> {
  if (value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function") {
    return await (value as Promise<unknown>);
  }
  return value;
}

/** Removes the temporary folder of the ES module cases (call from `afterAll`). */
export function cleanupTemp(): void {
  if (esmDir) fs.rmSync(esmDir, { recursive: true, force: true });
  esmDir = undefined;
}

/** Runs `code` (already compiled to plain JS) as `format`, collecting its observable outcome. */
export async function runCode(code: string, format: Format, filename = VIRTUAL): Promise<Outcome> {
  const logs: unknown[][] = [];
  const log = (...args: unknown[]) => {
    logs.push(args);
  };
  const outcome: Outcome = { logs, result: undefined, error: null };
  try {
    if (format === "commonjs") {
      const module = { exports: {} as unknown };
      const wrapper = vm.runInThisContext(`(function (module, exports, require, log) {${code}\n})`, { filename }) as (
        m: unknown,
        e: unknown,
        r: unknown,
        l: unknown,
      ) => void;
      wrapper.call(module.exports, module, module.exports, nodeRequire, log);
      outcome.result = await settle(module.exports);
    } else {
      esmDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "ct-instrument-test-"));
      const dir = path.join(esmDir, "node_modules");
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `case-${process.pid}-${esmCounter++}.mjs`);
      fs.writeFileSync(file, code);
      (globalThis as Record<string, unknown>).__ctlog = log;
      try {
        const ns = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { result?: unknown };
        outcome.result = await settle(ns.result);
      } finally {
        delete (globalThis as Record<string, unknown>).__ctlog;
      }
    }
  } catch (error) {
    outcome.error = describeThrown(error);
    outcome.thrown = error;
  }
  return outcome;
}

/** Runs the source without instrumentation (TypeScript is only stripped). */
export async function runPlain(source: string, format: Format, filename = VIRTUAL): Promise<Outcome> {
  const needsCompile = /\.(?:[cm]?ts|tsx|jsx)$/.test(filename);
  const code = needsCompile ? instrument(source, { filename, format, instrument: false, inlineSourceMap: false }).code : source;
  return runCode(code, format, filename);
}

export interface RecordOptions {
  filename?: string;
  /** Code to run instead of `instrument(source)` (already instrumented and compiled to JS some other way). */
  code?: string;
  /** Passed to the Recorder (default: `util.types.isProxy`, as the Node session does). */
  isProxy?: (v: unknown) => boolean;
}

/** Instruments `source`, installs a fresh Recorder and runs it. */
export async function runRecorded(source: string, format: Format, options: RecordOptions = {}): Promise<Recorded> {
  const filename = options.filename ?? VIRTUAL;
  const transformed = options.code !== undefined ? { code: options.code } : instrument(source, { filename, format, inlineSourceMap: false });
  const events: TraceLowLevelEvent[] = [];
  const internalErrors: unknown[] = [];
  const recorder = new Recorder({
    sink: { write: (e) => events.push(e) },
    isProxy: options.isProxy ?? util.types.isProxy,
    onInternalError: (e) => internalErrors.push(e),
  });
  const g = globalThis as Record<string, unknown>;
  expect(g.__codetracer__).toBeUndefined();
  recorder.begin(filename);
  g.__codetracer__ = recorder;
  let outcome: Outcome;
  try {
    outcome = await runCode(transformed.code, format, filename);
    if (outcome.error !== null) recorder.recordUncaught(outcome.thrown);
    recorder.finish(outcome.error === null ? 0 : 1);
  } finally {
    delete g.__codetracer__;
  }
  return { outcome, events, internalErrors, transformed };
}

/** Compares outcomes (the thrown value itself is compared through its description). */
export function expectSameOutcome(actual: Outcome, expected: Outcome): void {
  expect({ logs: actual.logs, result: actual.result, error: actual.error }).toEqual({
    logs: expected.logs,
    result: expected.result,
    error: expected.error,
  });
}

const DECLARATIONS = new Set(["Path", "Function", "Type", "VariableName", "Variable"]);

export function variant(e: TraceLowLevelEvent): string {
  return typeof e === "string" ? e : Object.keys(e)[0]!;
}

/** The `Function` records in id order. */
export function functionsOf(events: TraceLowLevelEvent[]): Array<{ name: string; line: number; path_id: number }> {
  const out: Array<{ name: string; line: number; path_id: number }> = [];
  for (const e of events) if (typeof e === "object" && "Function" in e) out.push(e.Function);
  return out;
}

export function variableNamesOf(events: TraceLowLevelEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) if (typeof e === "object" && "VariableName" in e) out.push(e.VariableName);
  return out;
}

/** One `Step` that is not an entry step, with the function open at that moment. */
export interface BodyStep {
  index: number;
  line: number;
  fn: string;
  fnLine: number;
  /** Names of the Values attached to the step, in order. */
  locals: string[];
}

/**
 * Replays the stream: the call stack, and every body step with the function it belongs to and
 * the names of the Values that follow it.
 */
export function replay(events: TraceLowLevelEvent[]): {
  steps: BodyStep[];
  calls: number;
  returns: number;
  maxDepth: number;
  /** Every Call: the callee's name and the function open below it (its caller in the trace). */
  callTree: Array<{ fn: string; parent: string; index: number }>;
} {
  const fns = functionsOf(events);
  const names = variableNamesOf(events);
  const stack: number[] = [];
  const steps: BodyStep[] = [];
  let calls = 0;
  let returns = 0;
  let maxDepth = 0;
  let current: BodyStep | null = null;
  const callTree: Array<{ fn: string; parent: string; index: number }> = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const v = variant(e);
    if (DECLARATIONS.has(v)) continue;
    if (typeof e === "string") continue;
    if ("Step" in e) {
      let j = i + 1;
      while (j < events.length && DECLARATIONS.has(variant(events[j]!))) j++;
      const next = events[j];
      if (next !== undefined && typeof next === "object" && "Call" in next) {
        current = null;
        continue; // entry step
      }
      const top = stack[stack.length - 1];
      const fn = top === undefined ? undefined : fns[top];
      current = { index: i, line: e.Step.line, fn: fn?.name ?? "<none>", fnLine: fn?.line ?? -1, locals: [] };
      steps.push(current);
    } else if ("Value" in e) {
      if (current) current.locals.push(names[e.Value.variable_id]!);
    } else if ("Call" in e) {
      calls++;
      const below = stack[stack.length - 1];
      callTree.push({ fn: fns[e.Call.function_id]?.name ?? "?", parent: below === undefined ? "<none>" : (fns[below]?.name ?? "?"), index: i });
      stack.push(e.Call.function_id);
      maxDepth = Math.max(maxDepth, stack.length);
      current = null;
    } else if ("Return" in e) {
      returns++;
      stack.pop();
      current = null;
    } else {
      current = null;
    }
  }
  return { steps, calls, returns, maxDepth, callTree };
}

/** `[startLine, endLine]` of every function of the original source, keyed by start line. */
export function functionRanges(source: string, filename = VIRTUAL): Map<number, Array<[number, number]>> {
  const isTS = /\.(?:[cm]?ts|tsx)$/.test(filename);
  const ast = parseSync(source, {
    filename,
    configFile: false,
    babelrc: false,
    sourceType: "unambiguous",
    parserOpts: { plugins: isTS ? ["typescript"] : [], allowReturnOutsideFunction: true },
  });
  const ranges = new Map<number, Array<[number, number]>>();
  const add = (key: number, start: number, end: number) => {
    const list = ranges.get(key) ?? [];
    list.push([start, end]);
    ranges.set(key, list);
  };
  traverse(ast!, {
    Function(p) {
      const loc = p.node.loc!;
      add(loc.start.line, loc.start.line, loc.end.line);
      // Instance field initialisers are stepped in the constructor's frame.
      if (p.isClassMethod({ kind: "constructor" })) {
        const cls = p.parentPath.parentPath!.node.loc!;
        add(loc.start.line, cls.start.line, cls.end.line);
      }
    },
    Class(p) {
      const loc = p.node.loc!;
      add(loc.start.line, loc.start.line, loc.end.line); // implicit constructor
    },
    StaticBlock(p) {
      const loc = p.node.loc!;
      add(loc.start.line, loc.start.line, loc.end.line);
    },
  });
  return ranges;
}

/**
 * The checks every recorded run must pass: no internal error, a valid stream (entry steps
 * are errors), balanced calls, Values only right after a Step, every body step inside the
 * source range of the function open at that moment, and the expected last event.
 */
export function expectWellFormedTrace(rec: Recorded, source: string, filename = VIRTUAL): void {
  expect(rec.internalErrors).toEqual([]);
  const report = validateEvents(rec.events as unknown[], { entryStepRule: "error" });
  if (report.errors.length > 0) {
    throw new Error(`invalid trace:\n${report.errors.map((i) => i.message).join("\n")}\n--- trace ---\n${renderTrace(rec.events).join("\n")}`);
  }
  expect(report.stats.calls).toBe(report.stats.returns);
  expect(rec.events.filter((e) => variant(e) === "Call").length).toBe(rec.events.filter((e) => variant(e) === "Return").length);

  // Values only after a Step (or another Value).
  let prev = "";
  for (const e of rec.events) {
    const v = variant(e);
    if (DECLARATIONS.has(v)) continue;
    if (v === "Value") expect(["Step", "Value"]).toContain(prev);
    prev = v;
  }

  // Each body step belongs to the function open at that moment.
  const ranges = functionRanges(source, filename);
  const { steps } = replay(rec.events);
  for (const s of steps) {
    if (s.fn === "<module>") continue;
    const candidates = ranges.get(s.fnLine) ?? [];
    const inside = candidates.some(([a, b]) => a <= s.line && s.line <= b);
    if (!inside) {
      throw new Error(`step at line ${s.line} (event #${s.index}) attributed to ${s.fn} (line ${s.fnLine})\n${renderTrace(rec.events).join("\n")}`);
    }
  }

  const last = rec.events[rec.events.length - 1]!;
  if (rec.outcome.error === null) expect(variant(last)).toBe("Return");
  else expect(last).toMatchObject({ Event: { kind: 11 } });
}

/** The rendered trace, for failure messages while debugging. */
export function dump(events: TraceLowLevelEvent[]): string {
  return renderTrace(events).join("\n");
}

/** Removes the first newline and the common indentation, so line 1 is the first code line. */
export function dedent(text: string): string {
  const lines = text
    .replace(/^\n/, "")
    .replace(/\n[ \t]*$/, "\n")
    .split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n");
}

/** 1-based line of the first line of `source` containing `marker`. */
export function lineOf(source: string, marker: string): number {
  const i = source.split("\n").findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not found`);
  return i + 1;
}

/** The `FileTable` literal embedded in instrumented code (read by parsing, without running it). */
export function tableOf(code: string): FileTable {
  const ast = parseSync(code, { configFile: false, babelrc: false, sourceType: "unambiguous", parserOpts: { allowReturnOutsideFunction: true } });
  let literal: string | undefined;
  traverse(ast!, {
    CallExpression(p) {
      const callee = p.node.callee;
      if (
        literal === undefined &&
        callee.type === "MemberExpression" &&
        callee.property.type === "Identifier" &&
        callee.property.name === "file" &&
        callee.object.type === "MemberExpression" &&
        callee.object.property.type === "Identifier" &&
        callee.object.property.name === "__codetracer__"
      ) {
        const arg = p.node.arguments[0]!;
        literal = code.slice(arg.start!, arg.end!);
      }
    },
  });
  if (literal === undefined) throw new Error("no file table in the code");
  return new Function(`return (${literal});`)() as ReturnType<typeof tableOf>;
}

/** How many times `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
