/**
 * Recording and coverage in the same vitest run (issue 19): `vitest run --coverage` on
 * examples/vitest-app reports the same coverage whether `unplugin-codetracer/vitest` records
 * the run (`CODETRACER_TRACE`) or not, with `@vitest/coverage-v8` and with
 * `@vitest/coverage-istanbul`: the same statements, functions and branches at the same places
 * of `src/cart.ts`, hit the same number of times, so the same lines (the uncovered ones
 * included). The recorded run's trace folders are valid and CodeTracer's reader loads them.
 *
 * What used to differ: the code the recorder inserts (its calls, the `try`/`finally` around
 * function bodies, `(_ctRt || init())`) was mapped by the source map to the original lines
 * around it, so the providers counted it as statements and branches of the file (a 75% file
 * reported 100% covered with wrong uncovered lines, branches never taken that the file does
 * not have). See docs/ci.md, "Recording and coverage together".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectReaderLoads, expectValidTrace } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, describeRun, lineOf, makeTempDir, runNode } from "../utils/run.js";

const VITEST = path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs");
const APP = path.join(EXAMPLES, "vitest-app");
const CART = path.join(APP, "src/cart.ts");

afterAll(() => cleanupTempDirs());

/** A position in istanbul's coverage data (`column` may be null: to the end of the line). */
interface Position {
  line: number;
  column: number | null;
}
interface Range {
  start: Position;
  end: Position;
}
/** One file's entry of `coverage-final.json` (istanbul's FileCoverage data). */
interface FileCoverage {
  path: string;
  statementMap: Record<string, Range>;
  s: Record<string, number>;
  fnMap: Record<string, { name: string; decl: Range; loc: Range }>;
  f: Record<string, number>;
  branchMap: Record<string, { type: string; loc: Range; locations: Range[] }>;
  b: Record<string, number[]>;
}

const at = (r: Range): string => `${r.start.line}:${r.start.column}-${r.end.line}:${r.end.column}`;

/**
 * What a coverage report is made of, per file (relative to the app): each statement, function
 * and branch by its place in the original file with its hit counts, and each line's hits (as
 * istanbul derives them: the most any statement starting on the line ran).
 */
function hitMaps(report: Record<string, FileCoverage>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const fc of Object.values(report)) {
    const statements = Object.keys(fc.statementMap)
      .map((k) => `${at(fc.statementMap[k]!)} = ${fc.s[k]}`)
      .sort();
    const functions = Object.keys(fc.fnMap)
      .map((k) => `${fc.fnMap[k]!.name} ${at(fc.fnMap[k]!.decl)} ${at(fc.fnMap[k]!.loc)} = ${fc.f[k]}`)
      .sort();
    const branches = Object.keys(fc.branchMap)
      .map((k) => `${fc.branchMap[k]!.type} ${at(fc.branchMap[k]!.loc)} [${fc.branchMap[k]!.locations.map(at).join(", ")}] = ${fc.b[k]!.join(",")}`)
      .sort();
    const lines: Record<number, number> = {};
    for (const k of Object.keys(fc.statementMap)) {
      const line = fc.statementMap[k]!.start.line;
      lines[line] = Math.max(lines[line] ?? 0, fc.s[k]!);
    }
    out[path.relative(APP, fc.path).split(path.sep).join("/")] = { statements, functions, branches, lines };
  }
  return out;
}

/** Runs `vitest run --coverage` in the app with `provider`, the json reporter into `dir`; returns the report. */
async function coverage(provider: "v8" | "istanbul", dir: string, env: Record<string, string>): Promise<Record<string, FileCoverage>> {
  const run = await runNode(
    [VITEST, "run", "--coverage.enabled=true", `--coverage.provider=${provider}`, "--coverage.reporter=json", `--coverage.reportsDirectory=${dir}`],
    { cwd: APP, env, timeoutMs: 120_000 },
  );
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stderr, "no recorder error").not.toMatch(/ERR_[A-Z_]+/);
  const file = path.join(dir, "coverage-final.json");
  expect(fs.existsSync(file), describeRun(run)).toBe(true);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, FileCoverage>;
}

describe("examples/vitest-app: coverage is the same with recording on", () => {
  for (const provider of ["v8", "istanbul"] as const) {
    it(`@vitest/coverage-${provider}`, { timeout: 240_000 }, async () => {
      const tmp = makeTempDir(`ct-coverage-${provider}-`);
      const traces = path.join(tmp, "traces");
      const [plain, recorded] = await Promise.all([
        coverage(provider, path.join(tmp, "plain"), {}),
        coverage(provider, path.join(tmp, "recorded"), { CODETRACER_TRACE: traces }),
      ]);
      const expected = hitMaps(plain);
      // The comparison means something: the file is measured, and part of it is not covered.
      expect(Object.keys(expected)).toEqual(["src/cart.ts"]);
      const cart = expected["src/cart.ts"] as { statements: string[]; lines: Record<number, number> };
      expect(cart.lines[lineOf(CART, "this.lines = this.lines.filter")], "the line no test runs").toBe(0);
      expect(cart.lines[lineOf(CART, "total += line.price * line.quantity")]).toBeGreaterThan(0);
      expect(hitMaps(recorded)).toEqual(expected);

      // And the run was recorded: each test file's folder, with the module's lines in it.
      for (const name of ["cart.test.ts", "discount.test.ts"]) {
        const dir = path.join(traces, "test", name);
        const q = expectValidTrace(dir);
        expect(q.paths).toContain(CART);
        expectReaderLoads(dir);
      }
      const q = expectValidTrace(path.join(traces, "test", "cart.test.ts"));
      expect(q.stepsAt(CART, lineOf(CART, "total += line.price * line.quantity")).length).toBeGreaterThan(0);
    });
  }
});
