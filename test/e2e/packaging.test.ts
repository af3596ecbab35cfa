/**
 * The packages as a user's project loads them (issue 19 items 1, 6 and 7):
 *
 * - a CommonJS file `require`s each CommonJS entry of unplugin-codetracer (the bundler plugins,
 *   the package root, the runtime) and of @codetracer/tracing, and gets the plugin function (or
 *   the exports), the same instance an ES module `import` gets;
 * - webpack builds a project whose `webpack.config.js` is CommonJS and `require`s the plugin:
 *   plainly (the plugin off) and recording (`CODETRACER_TRACE`), and the built program's trace
 *   is valid (and CodeTracer's reader loads it, where installed);
 * - `codetracer-js-recorder --version` prints the name and the version, and neither command
 *   crashes with EPIPE when the reader of its output goes away (`--help | head -1`);
 * - opt-in (`CODETRACER_TEST_CLONE=1`, a few minutes): a `git clone` of the repository, after
 *   `npm install` and `npm run build`, runs `npx codetracer-js-recorder --version`.
 *
 * scripts/check-packages.mjs (publint, @arethetypeswrong/cli on each `npm pack` tarball) checks
 * the package.json files themselves; `npm test` runs it after the build.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectReaderLoads, expectValidTrace } from "../utils/expect-trace.js";
import { REPO_ROOT, cleanupTempDirs, describeRun, freshTraceDir, makeTempDir, runNode } from "../utils/run.js";

afterAll(cleanupTempDirs);

const NODE_MODULES = path.join(REPO_ROOT, "node_modules");
/** A temporary CommonJS project (package.json without `"type"`) that sees the repository's node_modules. */
function commonJsProject(files: Record<string, string>): string {
  const dir = makeTempDir("ct-cjs-");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cjs-project", private: true, version: "0.0.0" }));
  fs.symlinkSync(NODE_MODULES, path.join(dir, "node_modules"), "dir");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const PLUGINS = ["vite", "webpack", "rollup", "esbuild", "rspack", "vitest"];

describe("CommonJS entries", () => {
  it("require() of each bundler plugin gives the plugin function, the one import gives", async () => {
    const dir = commonJsProject({
      "check.cjs": `"use strict";
const out = {};
for (const name of ${JSON.stringify(PLUGINS)}) {
  const plugin = require("unplugin-codetracer/" + name);
  out[name] = { type: typeof plugin, sameDefault: plugin.default === plugin };
}
const root = require("unplugin-codetracer");
const runtime = require("unplugin-codetracer/runtime");
const tracing = require("@codetracer/tracing");
(async () => {
  const esmRoot = await import("unplugin-codetracer");
  const esmTracing = await import("@codetracer/tracing");
  const esmRuntime = await import("unplugin-codetracer/runtime");
  out.root = { unplugin: typeof root.unplugin, same: root.unplugin === esmRoot.unplugin && root.default === esmRoot.default, webpack: typeof root.unplugin.webpack };
  out.runtime = { startBundleRecording: typeof runtime.startBundleRecording, same: runtime.startBundleRecording === esmRuntime.startBundleRecording };
  out.tracing = { getTracer: typeof tracing.getTracer, same: tracing.getTracer === esmTracing.getTracer && tracing.Span === esmTracing.Span };
  // The plugins called as a CommonJS webpack / rollup / vite config calls them.
  out.webpackPlugin = typeof require("unplugin-codetracer/webpack")().apply;
  out.rollupPlugin = require("unplugin-codetracer/rollup")().name;
  console.log(JSON.stringify(out));
})();
`,
    });
    const r = await runNode(["check.cjs"], { cwd: dir });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const name of PLUGINS) expect(out[name], name).toEqual({ type: "function", sameDefault: true });
    expect(out.root).toEqual({ unplugin: "object", same: true, webpack: "function" });
    expect(out.runtime).toEqual({ startBundleRecording: "function", same: true });
    expect(out.tracing).toEqual({ getTracer: "function", same: true });
    expect(out.webpackPlugin).toBe("function");
    expect(out.rollupPlugin).toBe("unplugin-codetracer");
  });

  it("webpack builds with a CommonJS webpack.config.js that requires the plugin, plainly and recording", { timeout: 240_000 }, async () => {
    const dir = commonJsProject({
      "webpack.config.js": `"use strict";
const path = require("node:path");
const codetracer = require("unplugin-codetracer/webpack");

module.exports = {
  mode: "production",
  target: "node",
  entry: "./src/main.js",
  devtool: "source-map",
  output: { path: path.resolve(__dirname, "dist"), filename: "main.js" },
  plugins: [codetracer()],
};
`,
      "src/main.js": `"use strict";
function total(items) {
  let sum = 0;
  for (const item of items) sum += item.price * item.count;
  return sum;
}
console.log("total", total([{ price: 3, count: 2 }, { price: 5, count: 1 }]));
`,
    });
    const webpackCli = path.join(NODE_MODULES, "webpack-cli/bin/cli.js");
    const plainBuild = await runNode([webpackCli], { cwd: dir, timeoutMs: 120_000 });
    expect(plainBuild.code, describeRun(plainBuild)).toBe(0);
    const plainCode = fs.readFileSync(path.join(dir, "dist/main.js"), "utf8");
    expect(plainCode).not.toContain("__codetracer__");
    const plain = await runNode(["dist/main.js"], { cwd: dir });
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(plain.stdout).toBe("total 11\n");

    const traceDir = freshTraceDir();
    const recordedBuild = await runNode([webpackCli], { cwd: dir, env: { CODETRACER_TRACE: traceDir }, timeoutMs: 120_000 });
    expect(recordedBuild.code, describeRun(recordedBuild)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "dist/main.js"), "utf8")).toContain("__codetracer__");
    const recorded = await runNode(["dist/main.js"], { cwd: dir });
    expect(recorded.code, describeRun(recorded)).toBe(0);
    expect(recorded.stdout).toBe("total 11\n");
    const q = expectValidTrace(traceDir);
    expect(
      q.steps.some((s) => s.path.endsWith("/src/main.js")),
      "steps in src/main.js",
    ).toBe(true);
    expect(
      q.calls.some((c) => c.name === "total"),
      "a call of total",
    ).toBe(true);
    expectReaderLoads(traceDir);
  });
});

/** Runs `node FILE ...args` with its stdout a pipe whose reading end is closed at once; resolves with its exit code and stderr. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

const RECORDER = path.join(REPO_ROOT, "packages/cli/dist/main.js");
const TRACE = path.join(REPO_ROOT, "packages/cli/dist/trace/main.js");
const CLI_VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "packages/cli/package.json"), "utf8")) as { version: string }).version;

describe("the commands' own output", () => {
  it("--version prints the command's name and version", () => {
    const r = spawnSync(process.execPath, [RECORDER, "--version"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`codetracer-js-recorder ${CLI_VERSION}\n`);
    const t = spawnSync(process.execPath, [TRACE, "--version"], { encoding: "utf8" });
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toBe(`codetracer-trace (codetracer-js-recorder) ${CLI_VERSION}\n`);
  });

  it.each([
    [RECORDER, "--help"],
    [RECORDER, "--version"],
    [TRACE, "--help"],
    [TRACE, "--version"],
  ])("%s %s: no EPIPE crash when the reader is gone", async (file, flag) => {
    const r = await runWithClosedStdout([file, flag]);
    expect(r.stderr).toBe("");
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
  });

  it("`--help | head -1` in a shell: the first line, exit status 0, nothing on stderr", () => {
    for (const file of [RECORDER, TRACE]) {
      const errFile = path.join(makeTempDir(), "stderr");
      const r = spawnSync("bash", ["-c", `"$0" "$1" --help 2>"$2" | head -1; echo "status \${PIPESTATUS[*]}"`, process.execPath, file, errFile], {
        encoding: "utf8",
      });
      expect(r.stdout).toMatch(/^Usage: codetracer-(js-recorder|trace) .*\nstatus 0 0\n$/);
      expect(fs.readFileSync(errFile, "utf8")).toBe("");
    }
  });
});

describe.skipIf(process.env.CODETRACER_TEST_CLONE !== "1")("a clone of the repository (CODETRACER_TEST_CLONE=1)", () => {
  it("npm install && npm run build, then npx codetracer-js-recorder --version", { timeout: 900_000 }, () => {
    const dir = path.join(makeTempDir("ct-clone-"), "repo");
    const run = (cmd: string, args: string[], cwd: string) => {
      const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
      expect(r.status, `${cmd} ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    run("git", ["clone", "--quiet", REPO_ROOT, dir], REPO_ROOT);
    run("npm", ["install", "--no-audit", "--no-fund"], dir);
    run("npm", ["run", "build"], dir);
    expect(run("npx", ["--no-install", "codetracer-js-recorder", "--version"], dir)).toBe(`codetracer-js-recorder ${CLI_VERSION}\n`);
    expect(run("npx", ["--no-install", "codetracer-trace", "--version"], dir)).toContain(CLI_VERSION);
  });
});
