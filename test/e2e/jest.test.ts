/**
 * `codetracer-js-recorder/jest` (the transformer) with `codetracer-js-recorder/jest-environment`
 * for real (Jest as a child process) on examples/jest-app: with `CODETRACER_TRACE`, one trace
 * folder per test file, named after the file, that CodeTracer's reader loads, holding the file's
 * tests and the TypeScript module they call at its original lines; in separate workers and in
 * one process (`--runInBand`); with `CODETRACER_KEEP=failed` only the failing file's folder; Jest's
 * transform cache never hands a recorded run the plain run's output or the other way round; and
 * without `CODETRACER_TRACE` the run is Jest's as usual (same results, nothing written).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, lineOf, makeTempDir, runNode } from "../utils/run.js";
import { failedFiles, resultSummary } from "../utils/test-results.js";

const JEST = path.join(REPO_ROOT, "node_modules/jest/bin/jest.js");

const APP = path.join(EXAMPLES, "jest-app");
const CART = path.join(APP, "src/cart.ts");
const CART_TEST = path.join(APP, "test/cart.test.ts");
const DISCOUNT_TEST = path.join(APP, "test/discount.test.ts");

const FAILURES = path.join(FIXTURES, "jest-failures");
const ESM = path.join(FIXTURES, "jest-esm");
/** The fixture's files that fail, each in its own way (checked against plain Jest's report below). */
const FAILING = ["after-all.test.ts", "assertion.test.ts", "before-each.test.ts", "describe-error.test.ts", "load-error.test.ts"];

afterAll(() => cleanupTempDirs());

interface Results {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** Runs Jest on the example (or `cwd`) with `args` and `env` (its own cache folder unless `cacheDir`); returns its JSON report. */
async function jest(
  args: string[],
  env: Record<string, string>,
  cacheDir = makeTempDir("ct-jest-cache-"),
  cwd = APP,
  nodeArgs: string[] = [],
): Promise<Results> {
  const out = path.join(makeTempDir("ct-jest-"), "results.json");
  const run = await runNode([...nodeArgs, JEST, `--cacheDirectory=${cacheDir}`, "--json", `--outputFile=${out}`, ...args], { cwd, env, timeoutMs: 120_000 });
  expect(fs.existsSync(out), describeRun(run)).toBe(true);
  expect(run.stderr, "no recorder error").not.toMatch(/ERR_[A-Z_]+|codetracer/);
  return JSON.parse(fs.readFileSync(out, "utf8")) as Results;
}

/** The names of the folders in `dir` (none when it does not exist). */
function folders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Every file and folder under `dir`, relative, sorted (what a run may have written there). */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.split(path.sep).includes("node_modules")).sort();
}

/** Checks the example's two folders under `traces`: valid, loaded by the reader, each file's own steps at their TS lines. */
function expectExampleTraces(traces: string): void {
  expect(folders(traces)).toEqual(["test"]);
  expect(folders(path.join(traces, "test"))).toEqual(["cart.test.ts", "discount.test.ts"]);

  const cartDir = path.join(traces, "test/cart.test.ts");
  expectReaderLoads(cartDir);
  const cart = expectValidTrace(cartDir);
  expectBalancedCalls(cart);
  expect(readMetadata(cartDir)!.program).toBe(CART_TEST);
  expect(cart.paths).toEqual(expect.arrayContaining([CART_TEST, CART]));
  expect(cart.paths).not.toContain(DISCOUNT_TEST);
  // The test bodies ran at their lines, and the module's loop at its TypeScript line.
  expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(11)"))).toHaveLength(1);
  expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(12)"))).toHaveLength(1);
  expect(cart.stepsAt(CART, lineOf(CART, "total += line.price * line.quantity")).length).toBeGreaterThan(0);
  expect(cart.stepsAt(CART, lineOf(CART, "if (existing) existing.quantity += line.quantity")).length).toBeGreaterThan(0);
  expect(cart.returnsOf("Cart.subtotal")).toEqual([11, 12]);
  expect(cart.callsOf("discount")).toHaveLength(0);
  expect((readMetadata(cartDir)!.process_exit_status as { code: number }).code).toBe(0);

  const discountDir = path.join(traces, "test/discount.test.ts");
  expectReaderLoads(discountDir);
  const discount = expectValidTrace(discountDir);
  expectBalancedCalls(discount);
  expect(readMetadata(discountDir)!.program).toBe(DISCOUNT_TEST);
  expect(discount.paths).not.toContain(CART_TEST);
  expect(discount.stepsAt(DISCOUNT_TEST, lineOf(DISCOUNT_TEST, 'const price = discount(20, "HALF")'))).toHaveLength(1);
  expect(discount.stepsAt(CART, lineOf(CART, "const rate = code ===")).length).toBe(2);
  expect(discount.returnsOf("discount")).toEqual([10, 18]);
  expect(discount.callsOf("Cart.subtotal")).toHaveLength(0);
}

describe("examples/jest-app: each test file recorded into its own trace folder", () => {
  it("workers: one folder per file that the reader loads; the same results as a plain run, which writes nothing", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-jest-traces-");
    const before = tree(APP);
    const [recorded, plain] = await Promise.all([jest(["--maxWorkers=2"], { CODETRACER_TRACE: traces }), jest(["--maxWorkers=2"], {})]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(plain.numPassedTests).toBe(4);
    expect(plain.numFailedTests).toBe(0);
    expectExampleTraces(traces);
    expect(tree(APP), "neither run wrote into the project").toEqual(before);
  });

  it("--runInBand: both files in one process, their traces never mix", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-jest-traces-");
    const recorded = await jest(["--runInBand"], { CODETRACER_TRACE: traces });
    expect(recorded.numPassedTests).toBe(4);
    expectExampleTraces(traces);
  });

  it("CODETRACER_KEEP=failed: only the folder of the file with a failing test stays", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-jest-traces-");
    const env = { EXAMPLE_FAIL: "1" };
    const [recorded, plain] = await Promise.all([jest([], { ...env, CODETRACER_TRACE: traces, CODETRACER_KEEP: "failed" }), jest([], env)]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(recorded.numFailedTests).toBe(1);
    expect(folders(path.join(traces, "test"))).toEqual(["discount.test.ts"]);
    const dir = path.join(traces, "test/discount.test.ts");
    expectReaderLoads(dir);
    const discount = expectValidTrace(dir);
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
    expect(discount.stepsAt(DISCOUNT_TEST, lineOf(DISCOUNT_TEST, 'expect(discount(20, "TENTH")).toBe(expected)'))).toHaveLength(1);
    expect((readMetadata(dir)!.process_exit_status as { code: number }).code).toBe(1);
  });

  it("recording without the recorder's test environment: each file fails with an error saying what is missing", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-jest-traces-");
    const out = path.join(makeTempDir("ct-jest-"), "results.json");
    const run = await runNode([JEST, `--cacheDirectory=${makeTempDir("ct-jest-cache-")}`, "--testEnvironment=node", "--json", `--outputFile=${out}`], {
      cwd: APP,
      env: { CODETRACER_TRACE: traces },
      timeoutMs: 120_000,
    });
    expect(run.code, describeRun(run)).toBe(1);
    const results = JSON.parse(fs.readFileSync(out, "utf8")) as Results & { testResults: Array<{ message: string }> };
    expect(results.testResults).toHaveLength(2);
    for (const file of results.testResults) {
      expect(file.status).toBe("failed");
      expect(file.message).toContain(
        '[ERR_INVALID_POLICY_VALUE] codetracer-js-recorder/jest: recording is on (CODETRACER_TRACE is set), but the test environment is not the recorder\'s: add testEnvironment: "codetracer-js-recorder/jest-environment"',
      );
    }
    expect(folders(traces)).toEqual([]);
  });

  it("Jest's transform cache: plain, recorded, plain again with one cache folder", { timeout: 240_000 }, async () => {
    const cache = makeTempDir("ct-jest-cache-");
    const traces = makeTempDir("ct-jest-traces-");
    const first = await jest(["--runInBand"], {}, cache);
    const recorded = await jest(["--runInBand"], { CODETRACER_TRACE: traces }, cache);
    // The plain run's output was not reused: the recorded run has every step.
    expectExampleTraces(traces);
    const again = await jest(["--runInBand"], {}, cache);
    expect(resultSummary(again)).toEqual(resultSummary(first));
    expect(resultSummary(recorded)).toEqual(resultSummary(first));
    // ... and a second recorded run from the cache records the same.
    const traces2 = makeTempDir("ct-jest-traces-");
    await jest(["--runInBand"], { CODETRACER_TRACE: traces2 }, cache);
    expectExampleTraces(traces2);
  });
});

describe("test/fixtures/jest-failures: which folders CODETRACER_KEEP=failed keeps", () => {
  it.each([
    ["workers", []],
    ["--runInBand", ["--runInBand"]],
  ])("%s", { timeout: 240_000 }, async (_mode, args) => {
    const traces = makeTempDir("ct-jest-traces-");
    const [recorded, plain] = await Promise.all([
      jest(args, { CODETRACER_TRACE: traces, CODETRACER_KEEP: "failed" }, undefined, FAILURES),
      jest(args, {}, undefined, FAILURES),
    ]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(failedFiles(plain), "the fixture fails where it means to").toEqual(FAILING);
    // Not kept: a passing file, a test passing on a retry, an expected failure (`it.failing`).
    expect(folders(path.join(traces, "tests"))).toEqual(FAILING);
    for (const name of FAILING) {
      const dir = path.join(traces, "tests", name);
      expectReaderLoads(dir);
      expectValidTrace(dir);
      expect((readMetadata(dir)!.process_exit_status as { code: number }).code, name).toBe(1);
    }
    // The recording ends after the file's last hook: the throwing afterAll ran in it.
    const afterAllTest = path.join(FAILURES, "tests/after-all.test.ts");
    const afterAll = expectValidTrace(path.join(traces, "tests/after-all.test.ts"));
    expect(afterAll.stepsAt(afterAllTest, lineOf(afterAllTest, 'throw new Error("afterAll throws")'))).toHaveLength(1);
    // Values built in the test file's realm (Jest's vm context) are captured as built-ins.
    const assertionTest = path.join(FAILURES, "tests/assertion.test.ts");
    const assertion = expectValidTrace(path.join(traces, "tests/assertion.test.ts"));
    const at = lineOf(assertionTest, 'expect(seen.get("tea")).toBe(7)');
    const [seen] = assertion.stepsAt(assertionTest, at).map((step) => step.locals.get("seen"));
    expect(assertion.typeName(seen)).toBe("Map");
    expect(assertion.decode(seen!)).toEqual([["tea", 6]]);
    const [when] = assertion.stepsAt(assertionTest, at).map((step) => step.locals.get("when"));
    expect(assertion.typeName(when)).toBe("Date");
    expect(assertion.decode(when!)).toEqual({ $raw: "1970-01-01T00:00:00.000Z" });
    // A file that fails while it loads holds what ran before.
    const loadErrorTest = path.join(FAILURES, "tests/load-error.test.ts");
    const loadError = expectValidTrace(path.join(traces, "tests/load-error.test.ts"));
    expect(loadError.returnsOf("price")).toEqual([2]);
    expect(loadError.stepsAt(loadErrorTest, lineOf(loadErrorTest, "if (total === 2) throw")).length).toBeGreaterThan(0);
  });
});

describe("test/fixtures/jest-esm: Jest's ES module mode", () => {
  it("the test file and its module recorded as ES modules, at their TypeScript lines", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-jest-traces-");
    const nodeArgs = ["--experimental-vm-modules", "--no-warnings"];
    const [recorded, plain] = await Promise.all([jest([], { CODETRACER_TRACE: traces }, undefined, ESM, nodeArgs), jest([], {}, undefined, ESM, nodeArgs)]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(plain.numPassedTests).toBe(1);
    expect(folders(path.join(traces, "tests"))).toEqual(["total.test.ts"]);
    const dir = path.join(traces, "tests/total.test.ts");
    expectReaderLoads(dir);
    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    const totalTs = path.join(ESM, "src/total.ts");
    const test = path.join(ESM, "tests/total.test.ts");
    expect(q.returnsOf("total")).toEqual([6]);
    expect(q.stepsAt(totalTs, lineOf(totalTs, "for (const price of prices) sum += price")).length).toBeGreaterThan(0);
    expect(q.stepsAt(test, lineOf(test, "expect(sum).toBe(6)"))).toHaveLength(1);
  });
});
