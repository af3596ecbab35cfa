/**
 * `process.exit(n)` from deep inside a call, and script arguments that look like recorder
 * options passing through unchanged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectMetadata, expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import {
  FIXTURES,
  REGISTER_URL,
  REPO_ROOT,
  cleanupTempDirs,
  describeRun,
  lineOf,
  makeTempDir,
  recordWithCli,
  recordWithImport,
  runPlain,
  type RunResult,
} from "../utils/run.js";

const EXIT_DEEP = path.join(FIXTURES, "exit-deep.js");
const PRINT_ARGS = path.join(FIXTURES, "print-args.js");

afterAll(cleanupTempDirs);

const record = (mode: "cli" | "import", script: string, args: string[], cwd: string): Promise<RunResult> =>
  mode === "cli"
    ? recordWithCli(script, args, { cwd })
    : // cwd may be outside the repository, where the bare specifier does not resolve.
      recordWithImport(script, args, { cwd, loader: REGISTER_URL });

describe.each(["cli", "import"] as const)("%s", (mode) => {
  it("process.exit(3) deep in a call: exit code 3, a valid trace whose top-level returns 3", async () => {
    const depth = 5;
    const [plain, r] = await Promise.all([runPlain(EXIT_DEEP, [String(depth)]), record(mode, EXIT_DEEP, [String(depth)], REPO_ROOT)]);
    expect(plain.code).toBe(3);
    expect(r.code, describeRun(r)).toBe(3);
    expectSameRun(r, plain);
    expect(r.stdout).toBe("start\n");

    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    const root = q.topLevel();
    expect(root.returnRecord).toMatchObject({ kind: "Int", i: 3 });
    expect(q.callsOf("descend").map((c) => c.args.n)).toEqual(Array.from({ length: depth + 1 }, (_, i) => depth - i));
    // The exit statement was reached in the innermost frame, where n is 0.
    const exitLine = lineOf(EXIT_DEEP, "ct-marker: exit-call");
    const steps = q.stepsAt("fixtures/exit-deep.js", exitLine);
    expect(steps.map((s) => s.frame)).toEqual(["descend"]);
    expect(q.localAt("fixtures/exit-deep.js", exitLine, "n")).toEqual([0]);
    // Nothing after the exit ran: no step on the last console.log line.
    expect(q.stepsAt("fixtures/exit-deep.js", lineOf(EXIT_DEEP, '"unreachable"'))).toEqual([]);
    expectMetadata(r.traceDir, { program: EXIT_DEEP, args: [String(depth)], workdir: REPO_ROOT });
  });

  it("script arguments pass through unchanged, even ones that look like recorder options", async () => {
    const cwd = makeTempDir();
    const args = ["--trace-dir", "x", "--format", "binary", "--include", "**", "-h", "--", "a b", "", "--version", "ünïcode"];
    const [plain, r] = await Promise.all([runPlain(PRINT_ARGS, args, { cwd }), record(mode, PRINT_ARGS, args, cwd)]);
    expect(JSON.parse(plain.stdout)).toEqual(args);
    expectSameRun(r, plain);
    // The recorder took none of them: its trace went where it was told, not to ./x.
    expect(fs.existsSync(path.join(cwd, "x"))).toBe(false);
    const q = expectValidTrace(r.traceDir);
    expect(q.callsOf("show").map((c) => c.args.args)).toEqual([args]);
    expectMetadata(r.traceDir, { program: PRINT_ARGS, args, workdir: cwd });
  });
});
