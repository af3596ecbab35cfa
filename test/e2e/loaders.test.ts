/**
 * The recorder under the TypeScript runners users already have: tsx (`tsx --import`, and tsx's
 * hooks registered before or after ours) and ts-node (its ESM loader, its CLI with `-r`, and
 * `node -r ts-node/register`). Each way records exactly the trace of the plain
 * `node --import @codetracer/register` (ESM) or `node -r @codetracer/register` (CommonJS)
 * recording: the same events at the original .ts lines, the same paths and the same program
 * and arguments in the metadata; and the program prints what it prints under the runner alone.
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectSameRun, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
const TSX = path.join(NODE_MODULES, "tsx/dist/cli.mjs");
const TS_NODE = path.join(NODE_MODULES, "ts-node/dist/bin.js");
const REGISTER = path.join(REPO_ROOT, "packages/register");
const REGISTER_ESM = path.join(REGISTER, "dist/index.js");
// ts-node type-checks by default; the programs are typed, but checking is slow and beside the point.
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
 * (tsx's `src/utils/node-features.ts`). Then a CommonJS module required from the entry is
 * loaded through the ES module loader's CommonJS translator with tsx's compiled source, and the
 * recorder's `require` hook never sees it: only the entry file is recorded (docs/recording.md).
 */
function tsxUsesSyncHooks(): boolean {
  const [major, minor, patch] = process.versions.node.split(".").map(Number) as [number, number, number];
  const atLeast = (a: number, b: number, c: number) => minor > b || (minor === b && patch >= c) || major > a;
  return major >= 26 || (major === 25 && atLeast(25, 1, 0)) || (major === 24 && atLeast(24, 11, 1)) || (major === 22 && atLeast(22, 22, 3));
}
const TSX_CJS_GAP = tsxUsesSyncHooks() ? "tsx's synchronous module hooks load required CommonJS files past the recorder on this Node" : undefined;

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

/** Runs each way and compares it with the baseline way (the first). */
function suite(name: string, cwd: string, script: string, ways: Record<string, Way>, check: (q: TraceQuery) => void): void {
  describe(name, () => {
    const [baseName, baseWay] = Object.entries(ways)[0]!;
    let base: Awaited<ReturnType<typeof record>> | undefined;

    it(`${baseName} (baseline) records the program at its original lines`, { timeout: 60_000 }, async () => {
      base = await record(baseWay, script, cwd);
      check(base.q);
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

const TS_APP = path.join(EXAMPLES, "ts-app");
suite(
  "ES modules (examples/ts-app)",
  TS_APP,
  "src/main.ts",
  {
    "node --import @codetracer/register": { recorded: ["--import", REGISTER_ESM], plain: ["--import", REGISTER_ESM.replace("index.js", "compile-only.js")] },
    "tsx --import @codetracer/register": { recorded: [TSX, "--import", REGISTER_ESM], plain: [TSX] },
    "node --import tsx --import @codetracer/register": { recorded: ["--import", "tsx", "--import", REGISTER_ESM], plain: ["--import", "tsx"] },
    "node --import @codetracer/register --import tsx": { recorded: ["--import", REGISTER_ESM, "--import", "tsx"], plain: ["--import", "tsx"] },
    "node --loader ts-node/esm --import @codetracer/register": {
      recorded: ["--loader", "ts-node/esm", "--import", REGISTER_ESM],
      plain: ["--loader", "ts-node/esm"],
      env: TS_NODE_ENV,
    },
  },
  (q) => {
    const store = path.join(TS_APP, "src/store.ts");
    expect(q.paths).toEqual(expect.arrayContaining([path.join(TS_APP, "src/main.ts"), store]));
    expect(q.functions.find((f) => f.name === "formatCents")?.line).toBe(lineOf(store, "export function formatCents"));
  },
);

const CJS_APP = path.join(FIXTURES, "loaders/cjs-app");
suite(
  "CommonJS (test/fixtures/loaders/cjs-app, tsconfig module commonjs)",
  CJS_APP,
  "src/main.ts",
  {
    "node -r @codetracer/register": { recorded: ["-r", REGISTER], plain: ["-r", path.join(REGISTER, "dist/compile-only.js")] },
    "ts-node -r @codetracer/register": { recorded: [TS_NODE, "-r", REGISTER], plain: [TS_NODE], env: TS_NODE_ENV },
    "node -r ts-node/register -r @codetracer/register": { recorded: ["-r", "ts-node/register", "-r", REGISTER], plain: ["-r", "ts-node/register"], env: TS_NODE_ENV },
    "node -r @codetracer/register -r ts-node/register": { recorded: ["-r", REGISTER, "-r", "ts-node/register"], plain: ["-r", "ts-node/register"], env: TS_NODE_ENV },
    "tsx --import @codetracer/register": { recorded: [TSX, "--import", REGISTER_ESM], plain: [TSX], knownGap: TSX_CJS_GAP },
    "tsx -r @codetracer/register": { recorded: [TSX, "-r", REGISTER], plain: [TSX], knownGap: TSX_CJS_GAP },
  },
  (q) => {
    const shapes = path.join(CJS_APP, "src/shapes.ts");
    const sumLine = lineOf(shapes, "sum += area(shape)");
    expect(q.stepsAt(shapes, sumLine).length).toBeGreaterThan(0);
    expect(q.returnsOf("area")).toEqual([9, Math.round(Math.PI * 100) / 100]);
    expect(q.returnsOf("Plan.total")).toEqual([9 + Math.round(Math.PI * 100) / 100]);
  },
);
