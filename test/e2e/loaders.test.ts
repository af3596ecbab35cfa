/**
 * The recorder under the TypeScript runners users already have: tsx (`tsx --import`, and tsx's
 * hooks registered before or after ours) and ts-node (its ESM loader, its CLI with `-r`, and
 * `node -r ts-node/register`). Each way records exactly the trace of the plain
 * `node --import @codetracer/register` (ESM) or `node -r @codetracer/register` (CommonJS)
 * recording: the same events at the original .ts lines, the same paths and the same program
 * and arguments in the metadata; and the program prints what it prints under the runner alone,
 * with ts-node type-checking as it does by default. Stack traces show the original .ts lines
 * and columns under every way.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectSameRun, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
const TSX = path.join(NODE_MODULES, "tsx/dist/cli.mjs");
const TS_NODE = path.join(NODE_MODULES, "ts-node/dist/bin.js");
const REGISTER = path.join(REPO_ROOT, "packages/register");
const REGISTER_ESM = path.join(REGISTER, "dist/index.js");
// ts-node type-checks by default (the programs type-check); the ways are run both with that and with this.
const TS_NODE_ENV = { TS_NODE_TRANSPILE_ONLY: "1" };

afterAll(() => cleanupTempDirs());

interface Way {
  /** node's arguments before the script, recording. */
  recorded: string[];
  /** The same runner without the recorder (the output to compare with). */
  plain: string[];
  env?: Record<string, string>;
  /** Why this way is known not to record the same here (the test is skipped, saying so). */
  knownGap?: string;
}

/**
 * tsx uses Node's synchronous `module.registerHooks` from Node 22.22.3, 24.11.1 and 25.1.0
 * (tsx's `src/utils/node-features.ts`). Its load hook then hands Node its compiled source of a
 * CommonJS entry, which Node runs with a `require` of the ES module loader's own: with only
 * asynchronous hooks of the recorder (`module.register`), the recorder's `require` hook never
 * sees the modules the entry requires, and only the entry file is recorded. The recorder
 * registers its hooks with `module.registerHooks` too where Node has it (every release where tsx
 * does), and answers for the entry before tsx, in either order (docs/recording.md): the gap
 * remains only on a Node where tsx has synchronous hooks and the recorder none.
 */
function tsxUsesSyncHooks(): boolean {
  const [major, minor, patch] = process.versions.node.split(".").map(Number) as [number, number, number];
  const atLeast = (a: number, b: number, c: number) => minor > b || (minor === b && patch >= c) || major > a;
  return major >= 26 || (major === 25 && atLeast(25, 1, 0)) || (major === 24 && atLeast(24, 11, 1)) || (major === 22 && atLeast(22, 22, 3));
}
const recorderUsesSyncHooks = typeof (Module as unknown as { registerHooks?: unknown }).registerHooks === "function";
const TSX_CJS_GAP =
  tsxUsesSyncHooks() && !recorderUsesSyncHooks
    ? "tsx's synchronous module hooks load required CommonJS files past the recorder's asynchronous ones on this Node (no module.registerHooks)"
    : undefined;

/** Records `script` one way; returns the run and its trace. */
async function record(way: Way, script: string, cwd: string): Promise<{ run: RunResult; q: TraceQuery; dir: string }> {
  const dir = freshTraceDir();
  const run = await runNode([...way.recorded, script], { cwd, env: { CODETRACER_TRACE: dir, ...way.env } }, dir);
  expect(run.code, describeRun(run)).toBe(0);
  return { run, q: expectValidTrace(dir), dir };
}

/**
 * The events with the values that differ between any two runs masked: a Node `Timeout` object
 * (the program's `setTimeout`) holds `_idleStart`, the loop time when it was armed.
 */
function comparable(q: TraceQuery): unknown[] {
  const timeoutTypes = new Set(q.types.flatMap((t, id) => (t.lang_type === "Timeout" ? [id] : [])));
  const mask = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(mask);
    if (node === null || typeof node !== "object") return node;
    const record = node as Record<string, unknown>;
    if (record.kind === "Struct" && timeoutTypes.has(record.type_id as number)) return "<Timeout>";
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, mask(v)]));
  };
  return q.events.map(mask);
}

/** `line:column` (1-based, as in a stack trace) of the one line of `file` containing `marker`, at the marker. */
function siteOf(file: string, marker: string): string {
  const line = lineOf(file, marker);
  const column = fs.readFileSync(file, "utf8").split("\n")[line - 1]!.indexOf(marker) + 1;
  return `${line}:${column}`;
}

/** Runs each way and compares it with the baseline way (the first), which `check` checks. */
function suite(name: string, cwd: string, script: string, ways: Record<string, Way>, check: (q: TraceQuery, run: RunResult) => void): void {
  describe(name, () => {
    const [baseName, baseWay] = Object.entries(ways)[0]!;
    let base: Awaited<ReturnType<typeof record>> | undefined;

    it(`${baseName} (baseline) records the program at its original lines`, { timeout: 60_000 }, async () => {
      base = await record(baseWay, script, cwd);
      check(base.q, base.run);
    });

    for (const [label, way] of Object.entries(ways).slice(1)) {
      const test = way.knownGap ? it.skip : it;
      const title = `${label} records the same trace, and the program runs as under the runner alone${way.knownGap ? ` (skipped: ${way.knownGap})` : ""}`;
      test(title, { timeout: 90_000 }, async () => {
        expect(base, "the baseline ran first").toBeDefined();
        const [got, plain] = await Promise.all([record(way, script, cwd), runNode([...way.plain, script], { cwd, env: way.env ?? {} })]);
        expectSameRun(got.run, plain);
        expect(got.q.paths).toEqual(base!.q.paths);
        expect(comparable(got.q)).toEqual(comparable(base!.q));
        const meta = readMetadata(got.dir)!;
        const baseMeta = readMetadata(base!.dir)!;
        expect([meta.program, meta.args]).toEqual([baseMeta.program, baseMeta.args]);
      });
    }
  });
}

/** The ways to record an ES module program; the first is the baseline. */
const ESM_WAYS: Record<string, Way> = {
  "node --import @codetracer/register": { recorded: ["--import", REGISTER_ESM], plain: ["--import", REGISTER_ESM.replace("index.js", "compile-only.js")] },
  "tsx --import @codetracer/register": { recorded: [TSX, "--import", REGISTER_ESM], plain: [TSX] },
  "node --import tsx --import @codetracer/register": { recorded: ["--import", "tsx", "--import", REGISTER_ESM], plain: ["--import", "tsx"] },
  "node --import @codetracer/register --import tsx": { recorded: ["--import", REGISTER_ESM, "--import", "tsx"], plain: ["--import", "tsx"] },
  "node --loader ts-node/esm --import @codetracer/register": {
    recorded: ["--loader", "ts-node/esm", "--import", REGISTER_ESM],
    plain: ["--loader", "ts-node/esm"],
  },
  "node --loader ts-node/esm --import @codetracer/register (TS_NODE_TRANSPILE_ONLY=1)": {
    recorded: ["--loader", "ts-node/esm", "--import", REGISTER_ESM],
    plain: ["--loader", "ts-node/esm"],
    env: TS_NODE_ENV,
  },
  "node --import @codetracer/register --loader ts-node/esm": {
    recorded: ["--import", REGISTER_ESM, "--loader", "ts-node/esm"],
    plain: ["--loader", "ts-node/esm"],
  },
};

// Not examples/ts-app: its two timers (5 ms and 1 ms, armed one after the other) fire in either
// order on a loaded machine, so two runs of it need not take the same path.
const ESM_APP = path.join(FIXTURES, "loaders/esm-app");
suite("ES modules (test/fixtures/loaders/esm-app, tsconfig module NodeNext)", ESM_APP, "src/main.ts", ESM_WAYS, (q, run) => {
  const inventory = path.join(ESM_APP, "src/inventory.ts");
  expect(run.stdout).toBe("front: books $22.98, all $27.97\nrejected: duplicate id i1\n");
  expect(q.paths).toEqual(expect.arrayContaining([path.join(ESM_APP, "src/main.ts"), inventory]));
  expect(q.functions.find((f) => f.name === "formatCents")?.line).toBe(lineOf(inventory, "export function formatCents"));
  // That line's `if` (two calls, three items each) and its `+=` (five items counted).
  expect(q.stepsAt(inventory, lineOf(inventory, "total += item.priceCents")).length).toBe(6 + 5);
  expect(q.returnsOf("Shelf.totalCents")).toEqual([2298, 2797]);
});

const CJS_APP = path.join(FIXTURES, "loaders/cjs-app");
suite(
  "CommonJS (test/fixtures/loaders/cjs-app, tsconfig module commonjs)",
  CJS_APP,
  "src/main.ts",
  {
    "node -r @codetracer/register": { recorded: ["-r", REGISTER], plain: ["-r", path.join(REGISTER, "dist/compile-only.js")] },
    "ts-node -r @codetracer/register": { recorded: [TS_NODE, "-r", REGISTER], plain: [TS_NODE] },
    "node -r ts-node/register -r @codetracer/register": { recorded: ["-r", "ts-node/register", "-r", REGISTER], plain: ["-r", "ts-node/register"] },
    // ts-node's require hook runs first here, and would compile (and type-check) the recorder's output again.
    "node -r @codetracer/register -r ts-node/register": { recorded: ["-r", REGISTER, "-r", "ts-node/register"], plain: ["-r", "ts-node/register"] },
    "node -r @codetracer/register -r ts-node/register (TS_NODE_TRANSPILE_ONLY=1)": {
      recorded: ["-r", REGISTER, "-r", "ts-node/register"],
      plain: ["-r", "ts-node/register"],
      env: TS_NODE_ENV,
    },
    "tsx --import @codetracer/register": { recorded: [TSX, "--import", REGISTER_ESM], plain: [TSX], knownGap: TSX_CJS_GAP },
    "tsx -r @codetracer/register": { recorded: [TSX, "-r", REGISTER], plain: [TSX], knownGap: TSX_CJS_GAP },
  },
  (q, run) => {
    const shapes = path.join(CJS_APP, "src/shapes.ts");
    // The other ways print the same (compared with the runner alone): their stack traces too.
    expect(run.stdout).toContain(`rejected: negative size -1 at shapes.ts:${siteOf(shapes, "new RangeError")}\n`);
    const sumLine = lineOf(shapes, "sum += area(shape)");
    expect(q.stepsAt(shapes, sumLine).length).toBeGreaterThan(0);
    const returns = q.returnsOf("area");
    expect(returns.slice(0, 2)).toEqual([9, Math.round(Math.PI * 100) / 100]);
    expect(JSON.stringify(returns.slice(2))).toContain("RangeError: negative size -1"); // the call that threw
    expect(q.returnsOf("Plan.total")).toEqual([9 + Math.round(Math.PI * 100) / 100]);
  },
);

/**
 * An ES module program's stack traces show the original .ts line and column of a throw under
 * every way of recording it (the recorder's output carries an inline source map, which Node's
 * source maps, or tsx's, must follow). Checked against the source, not against the runner alone:
 * plain `node --loader ts-node/esm` shows lines of ts-node's compiled output on Node 20.
 */
const ESM_ERRORS = path.join(FIXTURES, "loaders/esm-errors");
describe("stack traces at the original lines (ES modules, test/fixtures/loaders/esm-errors)", () => {
  for (const [label, way] of Object.entries(ESM_WAYS)) {
    it(label, { timeout: 60_000 }, async () => {
      const main = path.join(ESM_ERRORS, "src/main.ts");
      const { run, q } = await record(way, "src/main.ts", ESM_ERRORS);
      expect(run.stdout).toBe(`checked: a 2\nrejected: negative reading from b at main.ts:${siteOf(main, "new RangeError")}\n`);
      expect(q.callsOf("check").map((c) => c.line)).toEqual([lineOf(main, "function check"), lineOf(main, "function check")]);
    });
  }
});
