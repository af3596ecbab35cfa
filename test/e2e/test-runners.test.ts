/**
 * Other test runners recorded through the Node loader (docs/ci.md "Mocha and node --test"):
 *
 * - `node --require codetracer-js-recorder/register --test` on examples/node-test-app: Node's test
 *   runner runs each test file in a child process; the runner process is the root trace folder
 *   and each test file's process is a child folder `children/<pid>` (docs/recording.md "Child
 *   processes").
 * - `mocha --import=codetracer-js-recorder/register` on examples/mocha-app: mocha re-runs itself
 *   in one child node process with the flag, which records into the trace folder itself.
 *
 * For each: the runner's exit code and pass/fail counts are those of the plain run, every folder
 * validates and CodeTracer's reader loads it, and the tested function (`sum` in src/stats.js)
 * has its steps, at the original line, in the trace.
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TraceMetadata } from "@codetracer/trace-format";
import { expectBalancedCalls, expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode } from "../utils/run.js";
import { endsWithPath, type TraceQuery } from "../utils/trace.js";

const MOCHA = path.join(REPO_ROOT, "node_modules/mocha/bin/mocha.js");
/** The loader as users name it (resolved from the example's folder, as for a user). */
const LOADER = "codetracer-js-recorder/register";

const NODE_TEST_APP = path.join(EXAMPLES, "node-test-app");
const MOCHA_APP = path.join(EXAMPLES, "mocha-app");
const TEST_FILES = ["test/mean.test.js", "test/sum.test.js"];

afterAll(cleanupTempDirs);

/** Asserts `q` holds steps of `sum` at the loop line of `<app>/src/stats.js`. */
function expectSumSteps(q: TraceQuery, app: string): void {
  const stats = path.join(app, "src/stats.js");
  const loop = lineOf(stats, "ct-marker: sum-loop");
  const steps = q.steps.filter((s) => endsWithPath(s.path, stats) && s.line === loop);
  expect(steps.length, `steps at src/stats.js:${loop}`).toBeGreaterThan(0);
  expect(steps.every((s) => s.frame === "sum")).toBe(true);
  expect(q.calls.some((c) => c.name === "sum")).toBe(true);
}

/** The `# tests/pass/fail` lines of Node's TAP reporter. */
function tapCounts(stdout: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of stdout.matchAll(/^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

describe("node --test under the loader", () => {
  it("records each test file's process into children/<pid>, with the plain run's results", async () => {
    const args = ["--test", "--test-reporter=tap", ...TEST_FILES];
    const plain = await runNode(args, { cwd: NODE_TEST_APP, timeoutMs: 120_000 });
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(tapCounts(plain.stdout)).toMatchObject({ tests: 4, pass: 4, fail: 0 });

    const traceDir = freshTraceDir();
    const recorded = await runNode(["--require", LOADER, ...args], { cwd: NODE_TEST_APP, env: { CODETRACER_TRACE: traceDir }, timeoutMs: 120_000 });
    expect(recorded.code, describeRun(recorded)).toBe(plain.code);
    expect(tapCounts(recorded.stdout)).toEqual(tapCounts(plain.stdout));
    expect(recorded.stdout + recorded.stderr, "no recorder error").not.toMatch(/ERR_[A-Z_]+/);

    // The root: the runner process (it runs no recorded code of its own), listing its children.
    expectValidTrace(traceDir);
    expectReaderLoads(traceDir);
    const root = readMetadata(traceDir)!;
    expect(root.children).toHaveLength(TEST_FILES.length);

    // One child folder per test file, each a complete trace of that file's process.
    const programs: string[] = [];
    for (const child of root.children!) {
      const dir = path.join(traceDir, child);
      const q = expectValidTrace(dir);
      expectReaderLoads(dir);
      expectBalancedCalls(q);
      const meta = readMetadata(dir) as TraceMetadata;
      expect(meta.process?.parent_trace).toBe("../..");
      expect((meta as { process_exit_status?: { code: number | null } }).process_exit_status?.code).toBe(0);
      programs.push(path.relative(NODE_TEST_APP, meta.program));
      expectSumSteps(q, NODE_TEST_APP);
      // Only its own test file of the two.
      const own = path.join(NODE_TEST_APP, path.relative(NODE_TEST_APP, meta.program));
      expect(q.paths.filter((p) => /\.test\.js$/.test(p))).toEqual([own]);
    }
    expect(programs.sort()).toEqual(TEST_FILES);
  }, 240_000);
});

describe("mocha under the loader", () => {
  it("records the run into one trace folder, with the plain run's results", async () => {
    interface MochaStats {
      stats: { tests: number; passes: number; failures: number; pending: number };
    }
    const counts = (stdout: string) => {
      const { tests, passes, failures, pending } = (JSON.parse(stdout) as MochaStats).stats;
      return { tests, passes, failures, pending };
    };
    const plain = await runNode([MOCHA, "--reporter=json"], { cwd: MOCHA_APP, timeoutMs: 120_000 });
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(counts(plain.stdout)).toEqual({ tests: 4, passes: 4, failures: 0, pending: 0 });

    const traceDir = freshTraceDir();
    const recorded = await runNode([MOCHA, `--import=${LOADER}`, "--reporter=json"], {
      cwd: MOCHA_APP,
      env: { CODETRACER_TRACE: traceDir },
      timeoutMs: 120_000,
    });
    expect(recorded.code, describeRun(recorded)).toBe(plain.code);
    expect(counts(recorded.stdout)).toEqual(counts(plain.stdout));
    expect(recorded.stderr, "no recorder error").not.toMatch(/ERR_[A-Z_]+/);

    const q = expectValidTrace(traceDir);
    expectReaderLoads(traceDir);
    expectBalancedCalls(q);
    expect(readMetadata(traceDir)?.children, "mocha's test process is the root").toBeUndefined();
    for (const file of [...TEST_FILES, "src/stats.js"]) expect(q.paths, file).toContain(path.join(MOCHA_APP, file));
    expectSumSteps(q, MOCHA_APP);
  }, 240_000);
});
