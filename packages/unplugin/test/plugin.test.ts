/**
 * The plugin in real esbuild and Rollup builds: a recorded build runs and writes a valid trace at
 * the original lines; bad options, a bad filter and a file that does not parse fail the build
 * naming the option or the file; a file instrumented twice is detected and left alone.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rollup, type RollupLog } from "rollup";
import { afterAll, describe, expect, it } from "vitest";
import { readTraceFolder, validateTraceFolder } from "@codetracer/trace-format";
import { INSTRUMENTED_MARKER } from "@codetracer/runtime/abi";
import { unplugin } from "../src/core.js";
import type { CodetracerOptions } from "../src/options.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The fixtures are copied out of this package (the plugin never instruments its own package's
// files) into a folder whose node_modules is the repository's, so the built programs find
// unplugin-codetracer/runtime.
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ct-unplugin-"));
const FIXTURES = path.join(OUT, "fixtures");
fs.cpSync(path.join(HERE, "fixtures"), FIXTURES, { recursive: true });
fs.symlinkSync(path.resolve(HERE, "../../../node_modules"), path.join(OUT, "node_modules"), "dir");
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

let n = 0;
/** Bundles `entry` with esbuild for Node (ES module) and the plugin; returns the output file. */
async function esbuild(entry: string, options: CodetracerOptions): Promise<string> {
  const outfile = path.join(OUT, `out-${++n}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    sourcemap: true,
    logLevel: "silent",
    plugins: [unplugin.esbuild(options)],
  });
  return outfile;
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: () => Promise<unknown>): Promise<Error> {
  try {
    await promise();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the build to fail");
}

function lineOf(file: string, text: string): number {
  return (
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1
  );
}

describe("a recorded esbuild build", () => {
  it("runs as the plain build does and writes a valid trace at the original TypeScript lines", async () => {
    const app = path.join(FIXTURES, "app.ts");
    const traceDir = path.join(OUT, "trace");
    const plain = await esbuild(app, { enabled: false });
    const recorded = await esbuild(app, { enabled: true, traceDir, format: "json" });
    expect(fs.readFileSync(plain, "utf8")).not.toContain(INSTRUMENTED_MARKER);
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CODETRACER_")));
    const plainRun = spawnSync(process.execPath, [plain], { encoding: "utf8", env });
    const recordedRun = spawnSync(process.execPath, [recorded], { encoding: "utf8", env });
    expect(recordedRun.status, recordedRun.stderr).toBe(0);
    expect(recordedRun.stdout).toBe(plainRun.stdout);
    expect(validateTraceFolder(traceDir, { entryStepRule: "error" }).errors).toEqual([]);
    const { events, paths } = readTraceFolder(traceDir);
    expect(paths).toContain(app);
    const appId = paths.indexOf(app);
    const lines = events.flatMap((e) => (typeof e === "object" && "Step" in e && e.Step.path_id === appId ? [e.Step.line] : []));
    expect(lines).toContain(lineOf(app, "const twice = n * 2"));
    expect(lines).toContain(lineOf(app, "return twice"));
  });
});

describe("bad input fails the build, naming the option or the file", () => {
  it.each([
    [{ bogus: true }, 'option "bogus": unknown option'],
    [{ enabled: true, format: "xml" }, 'option "format"'],
    [{ enabled: true, traceFilter: path.join(FIXTURES, "missing.toml") }, 'option "traceFilter"'],
    [{ enabled: true, traceFilter: path.join(FIXTURES, "bad-filter.toml") }, "bad-filter.toml"],
  ])("esbuild with %j", async (options, message) => {
    const error = await rejection(() => esbuild(path.join(FIXTURES, "app.ts"), options as CodetracerOptions));
    expect(error.message).toContain(message);
  });

  it("rollup with an unknown option", async () => {
    const error = await rejection(async () =>
      rollup({ input: path.join(FIXTURES, "twice.js"), plugins: [unplugin.rollup({ traceDirectory: "x" } as CodetracerOptions)] }),
    );
    expect(error.message).toContain('option "traceDirectory": unknown option');
  });

  it("a file that does not parse is reported with its path, never skipped", async () => {
    const broken = path.join(FIXTURES, "broken.ts");
    const error = await rejection(() => esbuild(broken, { enabled: true }));
    expect(error.message).toContain(`unplugin-codetracer: cannot instrument ${broken}`);
    // Babel's position and code frame of the error, in the original file.
    const column = fs.readFileSync(broken, "utf8").split("\n")[0]!.indexOf("{");
    expect(error.message).toContain(`(1:${column})`);
    expect(error.message).toContain("> 1 | export function broken");
  });
});

describe("an already instrumented module", () => {
  it("is detected and left as it is (the plugin listed twice)", async () => {
    const warnings: RollupLog[] = [];
    const bundle = await rollup({
      input: path.join(FIXTURES, "twice.js"),
      external: [/^unplugin-codetracer\//],
      plugins: [unplugin.rollup({ enabled: true }), unplugin.rollup({ enabled: true })],
      onwarn: (warning) => void warnings.push(warning),
    });
    const { output } = await bundle.generate({ format: "es" });
    const code = output[0].code;
    expect(code.split(INSTRUMENTED_MARKER)).toHaveLength(2); // one marker: instrumented once
    expect(code.match(/__codetracer__\.file\(/g)).toHaveLength(1);
    expect(warnings.map((w) => w.message).join("\n")).toContain("twice.js is already instrumented");
  });
});
