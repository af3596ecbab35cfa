/**
 * `unplugin-codetracer/vitest` for real (vitest as a child process), on examples/vitest-app and
 * on test/fixtures/vitest-failures: one valid trace folder per test file, named after the file,
 * holding that file's tests and the module they call at their original lines, never another
 * file's (also when the files share one worker); with `keep: "failed"` exactly the folders of
 * the files vitest reports failed stay (a failed assertion, a hook that throws, a module that
 * fails to load; not a test passing on retry or an expected failure); and the test results are
 * those of vitest run without the plugin.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, lineOf, makeTempDir, runNode } from "../utils/run.js";
import { failedFiles, resultSummary } from "../utils/test-results.js";

const VITEST = path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs");

const APP = path.join(EXAMPLES, "vitest-app");
const APP_INCLUDE = "test/**/*.test.ts";
const CART = path.join(APP, "src/cart.ts");
const CART_TEST = path.join(APP, "test/cart.test.ts");
const DISCOUNT_TEST = path.join(APP, "test/discount.test.ts");

const FAILURES = path.join(FIXTURES, "vitest-failures");
const FAILURES_INCLUDE = "tests/*.test.ts";
const PRICE = path.join(FAILURES, "src/price.ts");
/** The fixture's files that fail, each in its own way (checked against plain vitest's report below). */
const FAILING = ["after-all.test.ts", "after-each.test.ts", "assertion.test.ts", "before-all.test.ts", "load-error.test.ts", "suite-hook.test.ts"];

afterAll(() => cleanupTempDirs());

interface Results {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTestSuites: number;
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ fullName: string; status: string }> }>;
  /** What vitest printed on stdout (not part of vitest's JSON report). */
  stdout: string;
}

/**
 * Runs vitest in `cwd` with `args` and `env`; returns its JSON report. `plain` runs it without
 * the plugin at all: with a config holding only `test.include` (`--config` outside the project,
 * `--root` the project).
 */
async function vitest(cwd: string, args: string[], env: Record<string, string>, plain?: { include: string }): Promise<Results> {
  const tmp = makeTempDir("ct-vitest-");
  const out = path.join(tmp, "results.json");
  const config: string[] = [];
  if (plain) {
    const file = path.join(tmp, "plain.config.mjs");
    fs.writeFileSync(file, `export default { test: { include: ${JSON.stringify([plain.include])} } };\n`);
    config.push(`--config=${file}`, `--root=${cwd}`);
  }
  const run = await runNode([VITEST, "run", ...config, ...args, "--reporter=json", `--outputFile=${out}`], { cwd, env, timeoutMs: 120_000 });
  expect(fs.existsSync(out), describeRun(run)).toBe(true);
  expect(run.stderr, "no recorder error").not.toMatch(/ERR_[A-Z_]+/);
  return { ...(JSON.parse(fs.readFileSync(out, "utf8")) as Omit<Results, "stdout">), stdout: run.stdout };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The names of the folders in `dir` (none when it does not exist). */
function folders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** `process_exit_status.code` and `run_id` of a folder's metadata. */
function exitAndRun(dir: string): { code: number | null; runId: string } {
  const meta = readMetadata(dir);
  expect(meta, `${dir} has its metadata`).not.toBeNull();
  const status = meta!.process_exit_status as { code: number | null } | undefined;
  return { code: status?.code ?? null, runId: meta!.run_id as string };
}

describe("examples/vitest-app: each test file recorded into its own trace folder", () => {
  it("keep all: one folder per file, the file's own tests and the module they call", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const [recorded, plain] = await Promise.all([vitest(APP, [], { CODETRACER_TRACE: traces }), vitest(APP, [], {}, { include: APP_INCLUDE })]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(recorded.numFailedTests).toBe(0);
    expect(folders(traces)).toEqual(["test"]);
    expect(folders(path.join(traces, "test"))).toEqual(["cart.test.ts", "discount.test.ts"]);

    const cartDir = path.join(traces, "test/cart.test.ts");
    const cart = expectValidTrace(cartDir);
    expectBalancedCalls(cart);
    expect(readMetadata(cartDir)!.program).toBe(CART_TEST);
    expect(cart.paths).toEqual(expect.arrayContaining([CART_TEST, CART]));
    expect(cart.paths).not.toContain(DISCOUNT_TEST);
    // The test bodies ran at their lines, and the module's loop with its running total.
    expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(11)"))).toHaveLength(1);
    expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(12)"))).toHaveLength(1);
    expect(cart.stepsAt(CART, lineOf(CART, "total += line.price * line.quantity")).length).toBeGreaterThan(0);
    expect(cart.returnsOf("Cart.subtotal")).toEqual([11, 12]);
    expect(cart.callsOf("discount")).toHaveLength(0);

    const discountDir = path.join(traces, "test/discount.test.ts");
    const discount = expectValidTrace(discountDir);
    expectBalancedCalls(discount);
    expect(readMetadata(discountDir)!.program).toBe(DISCOUNT_TEST);
    expect(discount.paths).toEqual(expect.arrayContaining([DISCOUNT_TEST, CART]));
    expect(discount.paths).not.toContain(CART_TEST);
    expect(discount.stepsAt(DISCOUNT_TEST, lineOf(DISCOUNT_TEST, 'const price = discount(20, "HALF")'))).toHaveLength(1);
    expect(discount.stepsAt(CART, lineOf(CART, "const rate = code ===")).length).toBe(2);
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
    expect(discount.callsOf("Cart.subtotal")).toHaveLength(0);

    // Both passed (exit code 0), and both belong to the same vitest run.
    const [a, b] = [exitAndRun(cartDir), exitAndRun(discountDir)];
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.runId).toBe(b.runId);
    // At its end the run lists the folders it kept, with their figures (and the plain run nothing).
    const listed = recorded.stdout.split("\n").filter((line) => line.startsWith("codetracer: "));
    expect(listed).toEqual(
      [cartDir, discountDir].map((dir) => {
        const events = (readMetadata(dir)!.stats as { events: number }).events;
        return expect.stringMatching(
          new RegExp(`^codetracer: ${escapeRegExp(dir)}/ — ${events.toLocaleString("en-US")} events, [\\d.]+ (?:B|kB|MB) trace\\.(?:bin|json)$`),
        );
      }),
    );
    expect(plain.stdout).not.toContain("codetracer: ");
  });

  it("keep failed: only the folder of the file with a failing test stays; none when all pass", { timeout: 240_000 }, async () => {
    const failing = makeTempDir("ct-vitest-traces-");
    const passing = makeTempDir("ct-vitest-traces-");
    const env = { EXAMPLE_FAIL: "1" };
    const [recorded, plain, allPass] = await Promise.all([
      vitest(APP, [], { ...env, CODETRACER_TRACE: failing, CODETRACER_KEEP: "failed" }),
      vitest(APP, [], env, { include: APP_INCLUDE }),
      vitest(APP, [], { CODETRACER_TRACE: passing, CODETRACER_KEEP: "failed" }),
    ]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(failedFiles(recorded)).toEqual(["discount.test.ts"]);
    expect(folders(path.join(failing, "test"))).toEqual(["discount.test.ts"]);
    const dir = path.join(failing, "test/discount.test.ts");
    const discount = expectValidTrace(dir);
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
    // The failing assertion's line ran in the trace, and the folder says the file failed.
    expect(discount.stepsAt(DISCOUNT_TEST, lineOf(DISCOUNT_TEST, 'expect(discount(20, "TENTH")).toBe(expected)'))).toHaveLength(1);
    expect(exitAndRun(dir).code).toBe(1);

    expect(allPass.numFailedTests).toBe(0);
    expect(allPass.numPassedTests).toBeGreaterThan(0);
    expect(folders(passing), "nothing kept, not even empty folders").toEqual([]);
  });

  it("both files in one worker thread, one after the other: their traces never mix", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const args = ["--pool=threads", "--no-isolate", "--maxWorkers=1"];
    const [recorded, plain] = await Promise.all([vitest(APP, args, { CODETRACER_TRACE: traces }), vitest(APP, args, {}, { include: APP_INCLUDE })]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(folders(path.join(traces, "test"))).toEqual(["cart.test.ts", "discount.test.ts"]);
    const cart = expectValidTrace(path.join(traces, "test/cart.test.ts"));
    const discount = expectValidTrace(path.join(traces, "test/discount.test.ts"));
    expectBalancedCalls(cart);
    expectBalancedCalls(discount);
    // One worker: src/cart.ts was evaluated once, by whichever file ran first.
    expect(cart.callsOf("<module>", CART).length + discount.callsOf("<module>", CART).length).toBe(1);
    expect(cart.paths).not.toContain(DISCOUNT_TEST);
    expect(discount.paths).not.toContain(CART_TEST);
    expect(cart.returnsOf("Cart.subtotal")).toEqual([11, 12]);
    expect(cart.callsOf("discount")).toHaveLength(0);
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
    expect(discount.callsOf("Cart.subtotal")).toHaveLength(0);
  });

  it("in an environment whose modules are built for the client (as jsdom's and happy-dom's are)", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const args = [`--environment=${path.join(FIXTURES, "vitest-client-env.ts")}`];
    const [recorded, plain] = await Promise.all([vitest(APP, args, { CODETRACER_TRACE: traces }), vitest(APP, args, {}, { include: APP_INCLUDE })]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(recorded.numFailedTests).toBe(0);
    expect(folders(path.join(traces, "test"))).toEqual(["cart.test.ts", "discount.test.ts"]);
    const cart = expectValidTrace(path.join(traces, "test/cart.test.ts"));
    expect(cart.stepsAt(CART_TEST, lineOf(CART_TEST, "expect(cart.subtotal()).toBe(11)"))).toHaveLength(1);
    expect(cart.returnsOf("Cart.subtotal")).toEqual([11, 12]);
    const discount = expectValidTrace(path.join(traces, "test/discount.test.ts"));
    expect(discount.returnsOf("discount")).toEqual([10, 18]);
  });
});

describe('test/fixtures/vitest-failures: which folders keep: "failed" keeps', () => {
  const modes: Array<[string, string[]]> = [
    ["forks, a process per file (vitest's default)", []],
    ["threads, a worker thread per file", ["--pool=threads"]],
    ["every file in one worker thread", ["--pool=threads", "--no-isolate", "--maxWorkers=1"]],
  ];
  it.each(modes)("%s", { timeout: 240_000 }, async (_mode, args) => {
    const traces = makeTempDir("ct-vitest-traces-");
    const [recorded, plain] = await Promise.all([
      vitest(FAILURES, args, { CODETRACER_TRACE: traces, CODETRACER_KEEP: "failed" }),
      vitest(FAILURES, args, {}, { include: FAILURES_INCLUDE }),
    ]);
    expect(resultSummary(recorded)).toEqual(resultSummary(plain));
    expect(failedFiles(plain), "the fixture fails where it means to").toEqual(FAILING);
    expect(folders(path.join(traces, "tests"))).toEqual(failedFiles(recorded));
    const runIds = new Set<string>();
    for (const name of FAILING) {
      const dir = path.join(traces, "tests", name);
      const q = expectValidTrace(dir);
      expect(q.paths, name).toContain(path.join(FAILURES, "tests", name));
      for (const other of fs.readdirSync(path.join(FAILURES, "tests")).filter((f) => f !== name)) {
        expect(q.paths, `${name} holds nothing of ${other}`).not.toContain(path.join(FAILURES, "tests", other));
      }
      const { code, runId } = exitAndRun(dir);
      expect(code, `${name} ends with exit code 1`).toBe(1);
      runIds.add(runId);
    }
    expect(runIds.size).toBe(1);

    // What each failure left in its trace.
    const file = (name: string) => path.join(FAILURES, "tests", name);
    const at = (name: string, marker: string) => expectValidTrace(path.join(traces, "tests", name)).stepsAt(file(name), lineOf(file(name), marker));
    expect(at("load-error.test.ts", 'const charged = price(4, "HALF")')).toHaveLength(1);
    expect(at("load-error.test.ts", "throw new Error(`the test module fails")).toHaveLength(1);
    expect(at("before-all.test.ts", 'throw new Error("beforeAll fails")')).toHaveLength(1);
    expect(at("before-all.test.ts", 'expect(price(10, "HALF")).toBe(5)')).toHaveLength(0);
    // The file's afterAll ran inside the recording (the file ends after its last hook).
    expect(at("after-all.test.ts", 'expect(price(10, "HALF")).toBe(5)')).toHaveLength(1);
    expect(at("after-all.test.ts", 'throw new Error("afterAll fails")')).toHaveLength(1);
    expect(at("after-each.test.ts", 'throw new Error("afterEach fails")')).toHaveLength(1);
    expect(at("suite-hook.test.ts", 'throw new Error("suite afterAll fails")')).toHaveLength(1);
  });

  it("keep all: every file's folder, exit code 0 for the passing files and 1 for the failing ones", { timeout: 240_000 }, async () => {
    const traces = makeTempDir("ct-vitest-traces-");
    const recorded = await vitest(FAILURES, [], { CODETRACER_TRACE: traces });
    const all = fs.readdirSync(path.join(FAILURES, "tests")).sort();
    expect(folders(path.join(traces, "tests"))).toEqual(all);
    const failed = new Set(failedFiles(recorded));
    for (const name of all) {
      const dir = path.join(traces, "tests", name);
      const q = expectValidTrace(dir);
      expect(exitAndRun(dir).code, name).toBe(failed.has(name) ? 1 : 0);
      expect(q.paths, name).toContain(PRICE);
    }
    // The retried test ran twice in its file's trace; the expected failure once.
    const retried = expectValidTrace(path.join(traces, "tests/retried.test.ts"));
    expect(retried.stepsAt(path.join(FAILURES, "tests/retried.test.ts"), lineOf(path.join(FAILURES, "tests/retried.test.ts"), "tries += 1"))).toHaveLength(2);
  });
});
