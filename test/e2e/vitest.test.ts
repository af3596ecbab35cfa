/**
 * examples/vitest-app under vitest with `unplugin-codetracer/vitest`, for real (vitest as a
 * child process): one valid trace folder per test file, named after the file, holding that
 * file's tests and the module they call at their original lines, never another file's; with
 * `keep: "failed"` only the folders of failing files stay; and the test results are those of
 * the same run without recording.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, describeRun, lineOf, makeTempDir, runNode } from "../utils/run.js";

const APP = path.join(EXAMPLES, "vitest-app");
const VITEST = path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs");
const CART = path.join(APP, "src/cart.ts");
const CART_TEST = path.join(APP, "test/cart.test.ts");
const DISCOUNT_TEST = path.join(APP, "test/discount.test.ts");

afterAll(() => cleanupTempDirs());

interface Results {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; status: string }>;
}

/** Runs vitest on the example with `env`; returns its JSON results (pass/fail per file and test). */
async function vitest(env: Record<string, string>): Promise<Results> {
  const out = path.join(makeTempDir("ct-vitest-"), "results.json");
  const run = await runNode([VITEST, "run", "--reporter=json", `--outputFile=${out}`], { cwd: APP, env, timeoutMs: 120_000 });
  expect(fs.existsSync(out), describeRun(run)).toBe(true);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as Results;
  return results;
}

/** What matters of the results: the counts and each file's status (paths are the same files). */
function summary(r: Results): unknown {
  return { passed: r.numPassedTests, failed: r.numFailedTests, files: r.testResults.map((f) => [path.basename(f.name), f.status]).sort() };
}

describe("each test file recorded into its own trace folder", () => {
  it("keep all: one folder per file, the file's own tests and the module they call", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const [recorded, plain] = await Promise.all([vitest({ CODETRACER_TRACE: traces }), vitest({})]);
    expect(summary(recorded)).toEqual(summary(plain));
    expect(recorded.numFailedTests).toBe(0);
    expect(fs.readdirSync(path.join(traces, "test")).sort()).toEqual(["cart.test.ts", "discount.test.ts"]);

    const cart = expectValidTrace(path.join(traces, "test/cart.test.ts"));
    expectBalancedCalls(cart);
    expect(readMetadata(path.join(traces, "test/cart.test.ts"))!.program).toBe(CART_TEST);
    expect(cart.paths).toEqual(expect.arrayContaining([CART_TEST, CART]));
    expect(cart.paths).not.toContain(DISCOUNT_TEST);
    // The test bodies ran at their lines, and the module's loop with its running total.
    expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(11)"))).toHaveLength(1);
    const totalLine = lineOf(CART, "total += line.price * line.quantity");
    expect(cart.stepsAt(CART, totalLine).length).toBeGreaterThan(0);
    expect(cart.returnsOf("Cart.subtotal")).toEqual([11, 12]);

    const discount = expectValidTrace(path.join(traces, "test/discount.test.ts"));
    expect(discount.paths).toEqual(expect.arrayContaining([DISCOUNT_TEST, CART]));
    expect(discount.paths).not.toContain(CART_TEST);
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
    expect(discount.callsOf("Cart.subtotal")).toHaveLength(0);
  });

  it("keep failed: only the folder of the file with a failing test stays", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const env = { EXAMPLE_FAIL: "1" };
    const [recorded, plain] = await Promise.all([vitest({ ...env, CODETRACER_TRACE: traces, CODETRACER_KEEP: "failed" }), vitest(env)]);
    expect(summary(recorded)).toEqual(summary(plain));
    expect(recorded.numFailedTests).toBe(1);
    expect(fs.readdirSync(path.join(traces, "test"))).toEqual(["discount.test.ts"]);
    const discount = expectValidTrace(path.join(traces, "test/discount.test.ts"));
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
  });
});
