/**
 * examples/bundlers: the same TypeScript app built for Node by the five real bundlers with
 * unplugin-codetracer. Each is built twice: plainly (the plugin is off unless asked, so this
 * build must carry no instrumentation) and with `CODETRACER_TRACE` set (the plugin records).
 * Both builds run with `--enable-source-maps`: their output must be the same, and in the
 * recorded build the stack-trace line of an Error made in src/main.ts, resolved through the
 * bundler's final map, must be the ORIGINAL line (the double-map drift of
 * vite-plugin-istanbul#101 and vitest#9001 would show here). The recorded run's trace must validate, name the original .ts files, and step through
 * the original lines with the right values, the same in every bundler.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectValidTrace } from "../utils/expect-trace.js";
import { EXAMPLES, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const ROOT = path.join(EXAMPLES, "bundlers");
const INVENTORY = path.join(ROOT, "shared/src/inventory.ts");

/** Each example: its build command (node + the bundler's own CLI script, from node_modules unless absolute) and its output file. */
const BUNDLERS: Record<string, { build: string[]; out: string }> = {
  vite: { build: ["vite/bin/vite.js", "build"], out: "dist/main.js" },
  webpack: { build: ["webpack-cli/bin/cli.js"], out: "dist/main.cjs" },
  rollup: { build: ["rollup/dist/bin/rollup", "-c"], out: "dist/main.js" },
  esbuild: { build: [path.join(ROOT, "esbuild/build.mjs")], out: "dist/main.js" },
  rspack: { build: ["@rspack/cli/bin/rspack.js", "build"], out: "dist/main.cjs" },
};

const NODE_MODULES = path.join(EXAMPLES, "../node_modules");

/** Builds example `name` (with `env` added to the environment); fails the test on a build error. */
async function build(name: string, env: Record<string, string>): Promise<string> {
  const dir = path.join(ROOT, name);
  fs.rmSync(path.join(dir, "dist"), { recursive: true, force: true });
  const [script, ...args] = BUNDLERS[name]!.build;
  const result = await runNode([path.resolve(NODE_MODULES, script!), ...args], { cwd: dir, env, timeoutMs: 120_000 });
  expect(result.code, `${name} build\n${describeRun(result)}`).toBe(0);
  return fs.readFileSync(path.join(dir, BUNDLERS[name]!.out), "utf8");
}

function run(name: string): Promise<RunResult> {
  return runNode(["--enable-source-maps", BUNDLERS[name]!.out], { cwd: path.join(ROOT, name) });
}

/** Steps as `file:line` in order, keeping only the ones in the class and functions of inventory.ts and in main.ts. */
function stepLines(q: TraceQuery, from: number): string[] {
  return q.steps.filter((s) => s.path.endsWith("/src/main.ts") || (s.path === INVENTORY && s.line >= from)).map((s) => `${path.basename(s.path)}:${s.line}`);
}

afterAll(() => cleanupTempDirs());

const sequences = new Map<string, string[]>();

describe.each(Object.keys(BUNDLERS))("%s", (name) => {
  const main = path.join(ROOT, name, "src/main.ts");

  it("builds plainly without instrumentation, and records the run with the plugin on", { timeout: 240_000 }, async () => {
    const plainCode = await build(name, {});
    expect(plainCode).not.toContain("__codetracer__");
    const plain = await run(name);
    expect(plain.code, describeRun(plain)).toBe(0);

    const traceDir = freshTraceDir();
    const recordedCode = await build(name, { CODETRACER_TRACE: traceDir });
    expect(recordedCode).toContain("__codetracer__");
    const recorded = await run(name);
    expect(recorded.code, describeRun(recorded)).toBe(0);
    expect(recorded.stderr).toBe(plain.stderr);
    // The same output but for the probe's stack frame, whose function name comes from the map's
    // `names` (minifiers rename) and which the plain Vite build itself maps a line off.
    const withoutProbe = (out: string) => out.replace(/^probe: .*$/m, "probe");
    expect(withoutProbe(recorded.stdout)).toBe(withoutProbe(plain.stdout));

    // The stack trace of the built program, through the bundler's final map: the original line.
    const probeLine = lineOf(main, 'new Error("probe")');
    expect(recorded.stdout).toMatch(new RegExp(`probe: .*src/main\\.ts:${probeLine}:\\d+\\)?\\n`));

    const q = expectValidTrace(traceDir);
    expectBalancedCalls(q);
    expect(q.paths).toEqual(expect.arrayContaining([INVENTORY, main]));
    // The loop over the shelf's items (3 kg apples, 12 jars, 2 kg pears), `sum` before each
    // step: the `if` steps for every item, its `sum +=` only for the two in kilograms.
    const sumLine = lineOf(INVENTORY, "sum += item.quantity");
    expect(q.stepsAt(INVENTORY, sumLine)).toHaveLength(5);
    expect(q.localAt(INVENTORY, sumLine, "sum")).toEqual([0, 0, 3, 3, 3]);
    expect(q.callsOf("Shelf.add", "shared/src/inventory.ts")).toHaveLength(3);
    expect(q.callsOf("Shelf.total")[0]!.args).toEqual({ unit: "kg" });
    expect(q.returnsOf("Shelf.total")).toEqual([5]);
    expect(q.functions.find((f) => f.name === "stockShelf")?.line).toBe(lineOf(INVENTORY, "export function stockShelf"));
    expect(q.localAt(main, lineOf(main, "kg in all"), "kilograms")).toEqual([5]);
    sequences.set(name, stepLines(q, lineOf(INVENTORY, "export class Shelf")));
  });
});

describe("every bundler", () => {
  it("records the same steps at the same original lines", () => {
    expect(sequences.size, "every bundler's test ran first").toBe(Object.keys(BUNDLERS).length);
    const [first, ...rest] = [...sequences.entries()];
    for (const [name, steps] of rest) {
      expect(steps, `${name} vs ${first![0]}`).toEqual(first![1]);
    }
  });
});
