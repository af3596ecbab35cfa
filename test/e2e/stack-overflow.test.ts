/**
 * A stack overflow the program catches does not end the recording: the RangeError ("Maximum
 * call stack size exceeded") is usually thrown inside a recorder call (its frames are the last
 * ones pushed), which drops the event being recorded and goes on; frames it left half-opened or
 * half-closed are closed, so calls and returns balance, and what runs after the `catch` is
 * recorded. The trace is not `partial`, counts no internal error, and loads in CodeTracer's
 * reader; under the `disable` policy it is kept (it is no recorder failure).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { cleanupTempDirs, describeRun, makeTempDir, recordWithImport, REGISTER_URL, runPlain } from "../utils/run.js";

afterAll(cleanupTempDirs);

const PROGRAMS = {
  /** The program, as written. */
  plain: 'function f(n){return f(n+1)} try{f(0)}catch(e){} ; let after = 1; console.log("after")\n',
  /** Objects in every frame (value capture is deeper work), then a second overflow, then more calls. */
  objects: [
    "function g(o, depth) { const next = { depth, prev: o, tags: [depth, String(depth)] }; return g(next, depth + 1); }",
    "let caught = 0;",
    "for (let round = 0; round < 2; round++) {",
    "  try { g({ start: true }, 0); } catch (e) { if (e instanceof RangeError) caught++; }",
    "}",
    "function sum(a, b) { return a + b; }",
    "let after = sum(caught, 40);",
    'console.log("after", after);',
    "",
  ].join("\n"),
};

async function record(name: keyof typeof PROGRAMS, env: Record<string, string>) {
  const dir = makeTempDir("ct-overflow-");
  const script = path.join(dir, `${name}.js`);
  fs.writeFileSync(path.join(dir, "package.json"), '{"type":"commonjs"}\n');
  fs.writeFileSync(script, PROGRAMS[name]);
  const [plain, recorded] = await Promise.all([runPlain(script, [], { cwd: dir }), recordWithImport(script, [], { cwd: dir, loader: REGISTER_URL, env })]);
  return { plain, recorded, script };
}

describe("a caught stack overflow", () => {
  for (const [label, env] of [
    ["json, default policy", { CODETRACER_FORMAT: "json" }],
    ["json, disable policy", { CODETRACER_FORMAT: "json", CODETRACER_ON_RECORDER_ERROR: "disable" }],
  ] as const) {
    it(`keeps recording after the catch (${label})`, async () => {
      const { plain, recorded, script } = await record("plain", env);
      expect(plain.stdout).toBe("after\n");
      expect(recorded.code, describeRun(recorded)).toBe(0);
      expect(recorded.stdout).toBe("after\n");
      const meta = readMetadata(recorded.traceDir) as unknown as { partial?: boolean; stats: { internal_errors: number; detaches: number } };
      expect(meta, "trace_metadata.json").not.toBeNull();
      expect(meta.partial).toBeUndefined();
      expect(meta.stats.internal_errors).toBe(0);
      expect(meta.stats.detaches).toBe(0);
      const q = expectValidTrace(recorded.traceDir);
      expectBalancedCalls(q);
      // `after` is recorded, after the frames the overflow left returned, and its output too.
      expect(q.localAt(path.basename(script), 1, "after").length).toBeGreaterThan(0);
      expect(q.variableNames).toContain("after");
      expect(q.logEvents.map((e) => e.content)).toContain("after\n");
      expect(q.callsOf("f").length).toBeGreaterThan(100);
      expectReaderLoads(recorded.traceDir);
    }, 120_000);
  }

  it("survives two overflows with objects in every frame (binary trace, read by CodeTracer's reader)", async () => {
    const { plain, recorded } = await record("objects", { CODETRACER_FORMAT: "" });
    expect(plain.stdout).toBe("after 42\n");
    expect(recorded.code, describeRun(recorded)).toBe(0);
    expect(recorded.stdout).toBe("after 42\n");
    const meta = readMetadata(recorded.traceDir) as unknown as { partial?: boolean; stats: { internal_errors: number } };
    expect(meta.partial).toBeUndefined();
    expect(meta.stats.internal_errors).toBe(0);
    const q = expectValidTrace(recorded.traceDir);
    expectBalancedCalls(q);
    expect(q.callsOf("sum")).toHaveLength(1);
    expectReaderLoads(recorded.traceDir);
  }, 180_000);
});
