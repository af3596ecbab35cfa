/**
 * The environment variables mean in the bundler plugin what they mean in the CLI and the loader
 * (`CODETRACER_TRACE` and its deprecated name, `CODETRACER_JS_INCLUDE`/`_EXCLUDE` as a JSON array
 * or a `::` list), and a production build for the browser is not instrumented unless
 * `forceBuildInstrument: true` (then with a loud warning): real Vite builds of a small page.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, createLogger, type Logger } from "vite";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createFileFilter } from "@codetracer/register/filter";
import { resolveOptions } from "../src/options.js";
import codetracer from "../src/vite.js";
import { FORCED_PRODUCTION_MESSAGE, REFUSED_PRODUCTION_MESSAGE } from "../src/core.js";
import { errorOf } from "./helpers.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
/** This package's folder. */
const PACKAGE_ROOT = path.resolve(FIXTURES, "../..");
const require = createRequire(import.meta.url);
/** The repository's node_modules, where `unplugin-codetracer/browser` resolves from a temporary folder. */
const ROOT_NODE_MODULES = path.resolve(FIXTURES, "../../../../node_modules");
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe("environment variables in the plugin", () => {
  it("CODETRACER_JS_RECORDER_OUT_DIR (deprecated) turns the plugin on and names the trace folder, as CODETRACER_TRACE does; one warning", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const old = resolveOptions({}, { CODETRACER_JS_RECORDER_OUT_DIR: "/tmp/old-name" }, FIXTURES, warn);
    expect(old.enabled).toBe(true);
    expect(old.traceDir).toBe("/tmp/old-name");
    resolveOptions({}, { CODETRACER_JS_RECORDER_OUT_DIR: "/tmp/old-name" }, FIXTURES, warn);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/CODETRACER_JS_RECORDER_OUT_DIR is deprecated: use CODETRACER_TRACE/);
    // The new name wins, without a warning.
    const both = resolveOptions({}, { CODETRACER_TRACE: "/tmp/new", CODETRACER_JS_RECORDER_OUT_DIR: "/tmp/old-name" }, FIXTURES, warn);
    expect(both.traceDir).toBe("/tmp/new");
    expect(warnings).toHaveLength(1);
  });

  it.each([
    ["a JSON array", '["node_modules/dep/**"]', '["vendor/**","gen/**"]'],
    ["a :: list", "node_modules/dep/**", "vendor/**::gen/**"],
  ])("CODETRACER_JS_INCLUDE / _EXCLUDE as %s: the files recorded change, the option's globs are added", (_form, include, exclude) => {
    const env = { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: include, CODETRACER_JS_EXCLUDE: exclude };
    const resolved = resolveOptions({ exclude: "src/skip.ts" }, env, FIXTURES);
    expect(resolved.include).toEqual(["node_modules/dep/**"]);
    expect(resolved.exclude).toEqual(["vendor/**", "gen/**", "src/skip.ts"]);
    const shouldRecord = createFileFilter({ ownRoots: [] }, resolved.chain!);
    expect(shouldRecord(path.join(FIXTURES, "node_modules/dep/index.js"))).toBe(true);
    expect(shouldRecord(path.join(FIXTURES, "node_modules/other/index.js"))).toBe(false);
    expect(shouldRecord(path.join(FIXTURES, "vendor/x.ts"))).toBe(false);
    expect(shouldRecord(path.join(FIXTURES, "gen/y.ts"))).toBe(false);
    expect(shouldRecord(path.join(FIXTURES, "src/skip.ts"))).toBe(false);
    expect(shouldRecord(path.join(FIXTURES, "app.ts"))).toBe(true);
  });

  it("a bad include value and a non-boolean forceBuildInstrument are coded errors naming them", () => {
    const bad = errorOf(() => resolveOptions({}, { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: '["a", 1]' }, FIXTURES));
    expect(bad.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(bad.message).toContain("CODETRACER_JS_INCLUDE");
    const force = errorOf(() => resolveOptions({ forceBuildInstrument: "yes" }, {}, FIXTURES));
    expect(force.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(force.message).toContain('option "forceBuildInstrument"');
  });
});

/** A small Vite app: index.html loading src/main.ts. */
function makeApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-vite-prod-"));
  temps.push(dir);
  fs.mkdirSync(path.join(dir, "src"));
  fs.writeFileSync(
    path.join(dir, "index.html"),
    '<!doctype html><html><body><div id="out"></div><script type="module" src="/src/main.ts"></script></body></html>\n',
  );
  fs.writeFileSync(
    path.join(dir, "src/main.ts"),
    'function total(prices: number[]): number {\n  let sum = 0;\n  for (const p of prices) sum += p;\n  return sum;\n}\ndocument.getElementById("out")!.textContent = String(total([1, 2, 3]));\n',
  );
  return dir;
}

/** The page's JavaScript after `vite build` (mode production), and what Vite's logger printed. */
async function viteBuild(dir: string, env: Record<string, string>, options: Record<string, unknown> = {}): Promise<{ js: string; warnings: string[] }> {
  const warnings: string[] = [];
  const base = createLogger("warn", { allowClearScreen: false });
  const logger: Logger = { ...base, warn: (msg) => void warnings.push(msg), warnOnce: (msg) => void warnings.push(msg) };
  const saved = { ...process.env };
  Object.assign(process.env, env); // the plugin reads the environment when it is made, as in a real config
  let plugin;
  try {
    plugin = codetracer(options);
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
  }
  const outDir = path.join(dir, "dist");
  fs.rmSync(outDir, { recursive: true, force: true });
  await build({
    root: dir,
    configFile: false,
    mode: "production",
    logLevel: "warn",
    customLogger: logger,
    plugins: [plugin],
    build: { outDir, emptyOutDir: true },
  });
  const assets = path.join(outDir, "assets");
  const js = fs
    .readdirSync(assets)
    .filter((f) => f.endsWith(".js"))
    .map((f) => fs.readFileSync(path.join(assets, f), "utf8"))
    .join("\n");
  return { js, warnings };
}

describe("a production Vite build for the browser", () => {
  it("with a leaked CODETRACER_TRACE is not instrumented: the same output as the plain build, and the refusal is printed", { timeout: 120_000 }, async () => {
    const dir = makeApp();
    const plain = await viteBuild(dir, {});
    const leaked = await viteBuild(dir, { CODETRACER_TRACE: path.join(dir, "trace-out") });
    // (booleans and lengths: a failure would otherwise print the whole instrumented bundle)
    expect(plain.js.includes("__codetracer__")).toBe(false);
    expect(leaked.js.includes("__codetracer__")).toBe(false);
    expect(leaked.js.length).toBe(plain.js.length);
    expect(leaked.js === plain.js).toBe(true);
    expect(leaked.warnings).toEqual([REFUSED_PRODUCTION_MESSAGE]);
    expect(plain.warnings).toEqual([]);
    // enabled: true is refused the same way
    const enabled = await viteBuild(dir, {}, { enabled: true });
    expect(enabled.js === plain.js).toBe(true);
    expect(enabled.warnings).toEqual([REFUSED_PRODUCTION_MESSAGE]);
  });

  it("with forceBuildInstrument: true is instrumented, with the warning", { timeout: 120_000 }, async () => {
    const dir = makeApp();
    const plain = await viteBuild(dir, {});
    const forced = await viteBuild(dir, { CODETRACER_TRACE: path.join(dir, "trace-out") }, { forceBuildInstrument: true });
    expect(forced.js.includes("__codetracer__")).toBe(true);
    expect(forced.js.length).toBeGreaterThan(plain.js.length * 5);
    expect(forced.warnings).toEqual([FORCED_PRODUCTION_MESSAGE]);
  });
});

describe("production builds for the browser in the other bundlers", () => {
  /** A small page script (plain JavaScript: no bundler needs a TypeScript loader). */
  function makeScript(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-prod-"));
    temps.push(dir);
    fs.writeFileSync(
      path.join(dir, "main.js"),
      "function total(prices) {\n  let sum = 0;\n  for (const p of prices) sum += p;\n  return sum;\n}\nglobalThis.out = total([1, 2, 3]);\n",
    );
    return dir;
  }

  /**
   * webpack in `mode` for the web, the plugin (built, `dist/webpack.js`) made with `CODETRACER_TRACE`
   * set, in a child process (webpack's loaders find the plugin only outside vitest's module
   * runner); the output and the infrastructure log (stderr).
   */
  function webpackBuild(dir: string, mode: "production" | "development", options: Record<string, unknown> = {}): { js: string; log: string } {
    const outDir = path.join(dir, `dist-${mode}`);
    const script = [
      `import webpack from ${JSON.stringify(pathToFileURL(require.resolve("webpack")).href)};`,
      `import codetracer from ${JSON.stringify(pathToFileURL(path.join(PACKAGE_ROOT, "dist/webpack.js")).href)};`,
      `const plugin = codetracer(${JSON.stringify(options)});`,
      "webpack(",
      `  { mode: ${JSON.stringify(mode)}, target: "web", context: ${JSON.stringify(dir)}, entry: "./main.js", devtool: false,`,
      `    output: { path: ${JSON.stringify(outDir)}, filename: "main.js" }, resolve: { modules: ["node_modules", ${JSON.stringify(ROOT_NODE_MODULES)}] },`,
      '    plugins: [plugin], infrastructureLogging: { level: "warn", colors: false, appendOnly: true } },',
      "  (error, stats) => { if (error || stats.hasErrors()) { console.error(error ?? stats.toString()); process.exitCode = 1; } },",
      ");",
    ].join("\n");
    const file = path.join(dir, `build-${mode}.mjs`);
    fs.writeFileSync(file, script);
    const env = { ...process.env, CODETRACER_TRACE: path.join(dir, "trace-out") };
    delete env.NODE_ENV;
    const r = spawnSync(process.execPath, [file], { cwd: dir, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return { js: fs.readFileSync(path.join(outDir, "main.js"), "utf8"), log: r.stderr };
  }

  it(
    'webpack mode: "production", target web: refused (webpack\'s logger says so); forced: instrumented with the warning; development: instrumented',
    { timeout: 120_000 },
    () => {
      const dir = makeScript();
      const prod = webpackBuild(dir, "production");
      expect(prod.js.includes("__codetracer__")).toBe(false);
      expect(prod.log).toContain(REFUSED_PRODUCTION_MESSAGE);
      const forced = webpackBuild(dir, "production", { forceBuildInstrument: true });
      expect(forced.js.includes("__codetracer__")).toBe(true);
      expect(forced.log).toContain(FORCED_PRODUCTION_MESSAGE);
      const dev = webpackBuild(dir, "development");
      expect(dev.js.includes("__codetracer__")).toBe(true);
      expect(dev.log).not.toContain("codetracer:");
    },
  );

  it(
    "esbuild for the browser with NODE_ENV=production (or its define): refused on console.warn; platform node: instrumented",
    { timeout: 60_000 },
    async () => {
      const { build: esbuild } = await import("esbuild");
      const { unplugin } = await import("../src/core.js");
      const dir = makeScript();
      const warnings: string[] = [];
      const spy = vi.spyOn(console, "warn").mockImplementation((m: unknown) => void warnings.push(String(m)));
      const saved = process.env.NODE_ENV;
      try {
        const run = async (platform: "browser" | "node", define: Record<string, string>, nodeEnv: string | undefined) => {
          if (nodeEnv === undefined) delete process.env.NODE_ENV;
          else process.env.NODE_ENV = nodeEnv;
          const out = await esbuild({
            entryPoints: [path.join(dir, "main.js")],
            bundle: true,
            write: false,
            platform,
            define,
            logLevel: "silent",
            plugins: [unplugin.esbuild({ enabled: true })],
            external: ["unplugin-codetracer/browser", "unplugin-codetracer/runtime"],
          });
          return out.outputFiles[0]!.text;
        };
        await expect(run("browser", {}, "production").then((js) => js.includes("__codetracer__"))).resolves.toBe(false);
        await expect(run("browser", { "process.env.NODE_ENV": '"production"' }, undefined).then((js) => js.includes("__codetracer__"))).resolves.toBe(false);
        expect(warnings.filter((w) => w === REFUSED_PRODUCTION_MESSAGE).length).toBeGreaterThan(0);
        await expect(run("browser", {}, undefined).then((js) => js.includes("__codetracer__"))).resolves.toBe(true);
        await expect(run("node", {}, "production").then((js) => js.includes("__codetracer__"))).resolves.toBe(true);
      } finally {
        spy.mockRestore();
        if (saved === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = saved;
      }
    },
  );
});
