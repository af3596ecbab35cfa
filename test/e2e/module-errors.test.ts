/**
 * A module body that throws while it is loaded, caught by the importer: the module's frame
 * must end there, so that what runs afterwards is not recorded inside it.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, lineOf, recordWithCli, runPlain, type RunResult } from "../utils/run.js";
import type { CallInfo, TraceQuery } from "../utils/trace.js";

const DIR = path.join(FIXTURES, "module-errors");

afterAll(cleanupTempDirs);

/** The `<module>` call of the file ending with `file`. */
function moduleCall(q: TraceQuery, file: string): CallInfo {
  const calls = q.callsOf("<module>", file);
  expect(calls.length).toBeGreaterThan(0);
  return calls[0]!;
}

describe("CommonJS: require() of a module that throws", () => {
  let plain: RunResult;
  let rec: RunResult;
  let q: TraceQuery;
  beforeAll(async () => {
    [plain, rec] = await Promise.all([runPlain("main.cjs", [], { cwd: DIR }), recordWithCli("main.cjs", [], { cwd: DIR })]);
    q = expectValidTrace(rec.traceDir);
  });

  it("runs as under plain node and records a balanced, valid trace", () => {
    expect(plain.code).toBe(0);
    expectSameRun(rec, plain);
    expectBalancedCalls(q);
  });

  it("ends the throwing module's frame before the importer's catch block runs", () => {
    const mod = moduleCall(q, "throws.cjs");
    expect(mod.parent?.name).toBe("load");
    const catchStep = q.stepsAt("main.cjs", lineOf(path.join(DIR, "main.cjs"), "ct-marker: cjs-catch"))[0]!;
    expect(mod.returnIndex).toBeGreaterThan(0);
    expect(mod.returnIndex).toBeLessThan(catchStep.index);
    expect(catchStep.frame).toBe("load");
    expect(q.callsOf("after")[0]!.parent?.name).toBe("<module>");
    expect(q.callsOf("after")[0]!.parent?.path).toBe(path.join(DIR, "main.cjs"));
  });

  // RECORDER BUG: the frame of a module body left by a throw returns `<error: <unwound>>` (an
  // Error value) instead of the exception, unlike functions, whose Return carries the encoded
  // error (Raw "Error: ..."). Repro: `throws.cjs` = `throw new Error("module failed 1")`,
  // required inside try/catch: its `<module>` Return is {"kind":"Error","msg":"<unwound>"}.
  it("the throwing module's Return value is the error it threw", () => {
    const mod = moduleCall(q, "throws.cjs");
    expect(q.decode(mod.returnRecord!)).toEqual({ $raw: "Error: module failed 1" });
  });
});

describe("ES modules: import() of a module that throws", () => {
  let plain: RunResult;
  let rec: RunResult;
  let q: TraceQuery;
  beforeAll(async () => {
    [plain, rec] = await Promise.all([runPlain("main.mjs", [], { cwd: DIR }), recordWithCli("main.mjs", [], { cwd: DIR })]);
    q = expectValidTrace(rec.traceDir);
  });

  it("runs as under plain node and records a balanced, valid trace", () => {
    expect(plain.code).toBe(0);
    expectSameRun(rec, plain);
    expectBalancedCalls(q);
    expect(q.returnsOf("load").filter((v) => typeof v === "string")).toEqual([plain.stdout.split("\n")[0]]);
  });

  // RECORDER BUG: when an ES module body throws during `await import()`, its `<module>` frame is
  // never closed at the throw. Everything that runs afterwards (the importer's resumed `load`,
  // the entry module's resumed body, `after(21)`) is recorded as nested INSIDE the dead
  // `throws.mjs <module>` frame, which only gets its Return (`<error: <unwound>>`) at process
  // exit. The debugger shows a wrong call stack for the rest of the program.
  // Repro: test/fixtures/module-errors/main.mjs (`try { await import("./throws.mjs") } catch`),
  // record it, render the trace: after `step throws.mjs:3` comes `call load()` with no Return
  // in between; the penultimate event is `return <error: <unwound>>`.
  it("ends the throwing module's frame before the importer resumes in its catch block", () => {
    const mod = moduleCall(q, "throws.mjs");
    const catchStep = q.stepsAt("main.mjs", lineOf(path.join(DIR, "main.mjs"), "ct-marker: esm-catch"))[0]!;
    expect(catchStep.frame).toBe("load");
    expect(mod.returnIndex).toBeLessThan(catchStep.index);
  });

  it("calls made after the failed import are not nested in the failed module", () => {
    const after = q.callsOf("after")[0]!;
    const chain: string[] = [];
    for (let c = after.parent; c; c = c.parent) chain.push(`${c.name}@${path.basename(c.path)}`);
    expect(chain).not.toContain("<module>@throws.mjs");
  });
});

describe("CommonJS files whose lines start with `exports`", () => {
  it("are recorded as CommonJS (not taken for ES modules and left unrecorded)", async () => {
    const main = path.join(REPO_ROOT, "test/fixtures/format-detect/main.js");
    const lib = path.join(REPO_ROOT, "test/fixtures/format-detect/lib.js");
    const r = await recordWithCli(main, [], { cwd: REPO_ROOT });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("lib 40\n");
    const q = expectValidTrace(r.traceDir);
    expect(q.stepsAt("format-detect/lib.js", lineOf(lib, "ct-marker: scale"))).toHaveLength(1);
  });
});
