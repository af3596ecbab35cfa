/**
 * The value capture bounds are configurable: `--max-depth`, `--max-items`,
 * `--max-string-length`, `--max-value-bytes` (CLI), the `CODETRACER_MAX_*` variables (loader)
 * and `start(dir, { limits })` (session API); bad values are coded errors before the program
 * runs. Fixtures: `test/fixtures/value-limits/`.
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, cleanupTempDirs, describeRun, freshTraceDir, lineOf, recordWithCli, recordWithImport, runNode } from "../utils/run.js";

afterAll(cleanupTempDirs);

const LIMITS = path.join(FIXTURES, "value-limits", "limits.cjs");
const API = path.join(FIXTURES, "value-limits", "api.mjs");

/** The locals at the marker line of `file`, decoded. */
function localsAt(traceDir: string, file: string, names: string[]): Record<string, unknown> {
  const q = expectValidTrace(traceDir);
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = q.localAt(file, lineOf(file, "ct-marker: check"), name)[0];
  return out;
}

describe("value capture bounds", () => {
  it("defaults: the whole list, the whole string, five levels of nesting", async () => {
    const run = await recordWithCli(LIMITS, [], { cliArgs: ["--format", "json"] });
    expect(run.code, describeRun(run)).toBe(0);
    const v = localsAt(run.traceDir, LIMITS, ["list", "text", "nested"]);
    expect(v.list).toEqual([1, 2, 3, 4, 5, 6]);
    expect(v.text).toBe("abcdefghijklmnopqrstuvwxyz");
    expect(v.nested).toEqual({ a: { b: { c: { d: { e: { $raw: "Object {…}" } } } } } });
  });

  it("CLI flags cut lists, strings and nesting, with a visible marker", async () => {
    const run = await recordWithCli(LIMITS, [], { cliArgs: ["--format", "json", "--max-items", "2", "--max-string-length", "4", "--max-depth", "1"] });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toBe("6 26 1\n"); // the program's own output is unchanged
    const v = localsAt(run.traceDir, LIMITS, ["list", "text", "nested"]);
    expect(v.list).toEqual([1, 2, { $raw: "… 4 more" }]);
    expect(v.text).toBe("abcd… (26 chars)");
    expect(v.nested).toEqual({ a: { $raw: "Object {…}" } });
  });

  it("--max-value-bytes cuts a value by its size", async () => {
    const run = await recordWithCli(LIMITS, [], { cliArgs: ["--format", "json", "--max-value-bytes", "256"] });
    expect(run.code, describeRun(run)).toBe(0);
    const list = localsAt(run.traceDir, LIMITS, ["list"]).list as unknown[];
    expect(list.length).toBeLessThan(7);
    expect(list[list.length - 1]).toEqual({ $raw: expect.stringMatching(/^… \d+ more \(byte limit\)$/) });
  });

  it("CODETRACER_MAX_* variables set them under --import", async () => {
    const run = await recordWithImport(LIMITS, [], { env: { CODETRACER_FORMAT: "json", CODETRACER_MAX_ITEMS: "3", CODETRACER_MAX_STRING_LENGTH: "2" } });
    expect(run.code, describeRun(run)).toBe(0);
    const v = localsAt(run.traceDir, LIMITS, ["list", "text"]);
    expect(v.list).toEqual([1, 2, 3, { $raw: "… 3 more" }]);
    expect(v.text).toBe("ab… (26 chars)");
  });

  it("start(dir, { limits }) sets them for a session", async () => {
    const traceDir = freshTraceDir();
    const run = await runNode(["--import", "codetracer-js-recorder/register/instrument", API, traceDir]);
    expect(run.code, describeRun(run)).toBe(0);
    const v = localsAt(traceDir, API, ["list", "text"]);
    expect(v.list).toEqual([1, 2, 3, { $raw: "… 3 more" }]);
    expect(v.text).toBe("abcde… (26 chars)");
  });

  it("a bad CLI value is wrong usage (exit 2) naming the flag; the program does not run", async () => {
    for (const [flag, value] of [
      ["--max-items", "0"],
      ["--max-depth", "x"],
      ["--max-value-bytes", "12"],
      ["--max-string-length", "1.5"],
    ]) {
      const run = await recordWithCli(LIMITS, [], { cliArgs: [flag!, value!] });
      expect(run.code, describeRun(run)).toBe(2);
      expect(run.stderr).toContain(flag!);
      expect(run.stdout).toBe("");
    }
  });

  it("a bad variable stops the loader with ERR_INVALID_POLICY_VALUE before the program runs", async () => {
    const run = await recordWithImport(LIMITS, [], { env: { CODETRACER_MAX_DEPTH: "-1" } });
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderr).toContain("ERR_INVALID_POLICY_VALUE");
    expect(run.stderr).toContain("CODETRACER_MAX_DEPTH");
    expect(run.stdout).toBe("");
  });
});
