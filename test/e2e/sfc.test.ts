/**
 * Vue and Svelte single-file components served by the Vite dev server with unplugin-codetracer,
 * in real Chromium (Debian's `chromium`, driven by playwright-core as in browser.test.ts; nothing
 * is downloaded). The examples `examples/bundlers/vue-app` (`<script setup lang="ts">`,
 * @vitejs/plugin-vue) and `examples/bundlers/svelte-app` (`<script lang="ts">`, Svelte 5 runes,
 * @sveltejs/vite-plugin-svelte) have the same script: clicking the button calls `onAdd`, which
 * calls `addLine`. The trace must name the real `.vue` / `.svelte` file (no query), step at the
 * original lines of its script block (taken from the file's text here), hold `addLine`'s call,
 * arguments, locals and return value, record nothing of the render code compiled from the
 * template, and load in CodeTracer's reader. The recorder's plugin is listed BEFORE the
 * framework's: it must still instrument the compiled component (see docs/bundlers.md).
 */
import { execSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { build, createLogger, createServer, type PluginOption, type ViteDevServer } from "vite";
import vue from "@vitejs/plugin-vue";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import codetracer from "unplugin-codetracer/vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, childEnv, cleanupTempDirs, lineOf, makeTempDir } from "../utils/run.js";

const EVENTS = "/__codetracer__/events";

/** Debian's Chromium (never a downloaded browser). */
function chromiumPath(): string {
  try {
    return execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim();
  } catch {
    throw new Error("Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)");
  }
}

/** The first and last line of the component's `<script>` block, from its text. */
function scriptBlock(file: string): [number, number] {
  return [lineOf(file, "<script"), lineOf(file, "</script>")];
}

let browser: Browser;
const servers: ViteDevServer[] = [];

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  cleanupTempDirs();
});

const CASES = [
  // `declarations`: the script's top-level statements (run once, when the component is created).
  {
    framework: "vue",
    component: "App.vue",
    format: "binary",
    plugin: (): PluginOption => vue(),
    declarations: ["const lines = ref<Line[]>(", 'const summary = ref("");'],
  },
  {
    framework: "svelte",
    component: "App.svelte",
    format: "json",
    plugin: (): PluginOption => svelte(),
    declarations: ["let lines: Line[] = $state(", 'let summary = $state("");'],
  },
] as const;

describe.each(CASES)("a $framework component recorded through the Vite dev server ($format)", ({ framework, component, format, plugin, declarations }) => {
  const root = path.join(EXAMPLES, `bundlers/${framework}-app`);
  const app = path.join(root, "src", component);
  const main = path.join(root, "src/main.ts");

  it("records the script block at the component file's own lines, with calls and locals; no template code", { timeout: 180_000 }, async () => {
    const traceDir = path.join(makeTempDir("ct-sfc-"), "traces");
    const server = await createServer({
      root,
      configFile: false,
      logLevel: "silent",
      // The recorder first, on purpose: it must wait for the framework's compile all the same.
      plugins: [codetracer({ enabled: true, traceDir, format }), plugin()],
      server: { host: "127.0.0.1", port: 0, watch: null },
    });
    servers.push(server);
    await server.listen();
    const url = server.resolvedUrls!.local[0]!;

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    const firstBatch = page.waitForResponse((r) => r.url().endsWith(EVENTS));
    await page.goto(url);
    expect((await firstBatch).status()).toBe(204);
    await page.click("#add");
    await page.waitForSelector("#result:not(:empty)", { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`${error.message}\npage errors: ${errors.join("\n") || "none"}`);
    });
    expect(await page.textContent("#result")).toBe("3 lines, 9 items");
    await page.close({ runBeforeUnload: true });

    const finished = () =>
      (fs.existsSync(traceDir) ? fs.readdirSync(traceDir) : []).filter((name) => fs.existsSync(path.join(traceDir, name, "trace_metadata.json")));
    await expect.poll(() => finished().length, { timeout: 15_000 }).toBe(1);
    const dir = path.join(traceDir, finished()[0]!);
    expect(errors).toEqual([]);
    expect(readMetadata(dir)!.partial).toBeUndefined();
    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    expectReaderLoads(dir);

    // The component is recorded under its real path, without Vite's query.
    expect(q.paths).toContain(app);
    expect(q.paths).toContain(main);
    expect(q.paths.filter((p) => p.includes("?"))).toEqual([]);

    // Steps at the script block's own lines (computed from the file's text): each statement of
    // the script that ran, and nothing else but the lines of the functions' definitions (where
    // a call's first step is): no step at a line of the template, at the `<script>` tags, or
    // for code the framework's compiler added (Vue's `__returned__`, Svelte's `$.push`, HMR).
    const code = [
      ...declarations,
      "const line: Line = {",
      "push(line);",
      "let total = 0;",
      "total += l.count;",
      "return total;",
      'const total = addLine("Plums", 4);',
      "lines, ${total} items",
    ];
    for (const marker of code) expect(q.stepsAt(app, lineOf(app, marker)).length, marker).toBeGreaterThan(0);
    const definitionLines = new Set(q.functions.filter((f) => f.path === app).map((f) => f.line));
    const stepLines = new Set(q.steps.filter((s) => s.path === app && !definitionLines.has(s.line)).map((s) => s.line));
    expect([...stepLines].sort((a, b) => a - b)).toEqual(code.map((marker) => lineOf(app, marker)).sort((a, b) => a - b));
    // addLine: defined at its line, called once from onAdd with its arguments, returns 9.
    const addLine = q.calls.filter((c) => c.path === app && /(?:^|\.)addLine$/.test(c.name));
    expect(addLine).toHaveLength(1);
    expect(addLine[0]!.line).toBe(lineOf(app, "function addLine("));
    expect(addLine[0]!.args).toEqual({ name: "Plums", count: 4 });
    expect(q.decode(addLine[0]!.returnRecord!)).toBe(9);
    expect(addLine[0]!.parent!.name).toMatch(/(?:^|\.)onAdd$/);
    expect(addLine[0]!.parent!.line).toBe(lineOf(app, "function onAdd("));
    // Locals before each step: `total` at the loop line (the loop, then its body on the same line
    // once per line of the basket: 0, 0, 3, 5), at the return 9; `line` as built.
    expect(q.localAt(app, lineOf(app, "for (const l of"), "total")).toEqual([0, 0, 3, 5]);
    expect(q.localAt(app, lineOf(app, "return total;"), "total")).toEqual([9]);
    expect(q.localAt(app, lineOf(app, "return total;"), "line")).toEqual([{ name: "plums", count: 4 }]);

    // Nothing of the component outside its script block: every step and every function the
    // trace gives the component file is inside it (the template's render code is not recorded).
    const [first, last] = scriptBlock(app);
    const appSteps = q.steps.filter((s) => s.path === app);
    expect(appSteps.length).toBeGreaterThan(0);
    expect(appSteps.filter((s) => s.line < first || s.line > last).map((s) => s.line)).toEqual([]);
    const appFunctions = q.functions.filter((f) => f.path === app && f.name !== "<module>");
    expect(appFunctions.filter((f) => f.line < first || f.line > last).map((f) => `${f.name}:${f.line}`)).toEqual([]);
  });
});

describe("a Vue component in a vite build (SSR, run on Node)", () => {
  const root = path.join(EXAMPLES, "bundlers/vue-app");
  const app = path.join(root, "src/App.vue");
  const outDirs: string[] = [];
  afterAll(() => {
    for (const dir of outDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Builds src/server.ts into a fresh folder under the example's dist/ and runs it; returns the trace folder and the plugin's warnings. */
  async function buildAndRun(sourcemap: boolean): Promise<{ traceDir: string; warnings: string[]; stdout: string }> {
    const traceDir = path.join(makeTempDir("ct-sfc-ssr-"), "trace");
    const outDir = path.join(root, "dist", `sfc-test-${process.pid}-${outDirs.length}`);
    outDirs.push(outDir);
    const warnings: string[] = [];
    const logger = createLogger("silent");
    logger.warn = (message) => void warnings.push(message);
    // The component's script is built as its `?vue&type=script&setup=true&lang.ts` sub-module.
    await build({
      root,
      configFile: false,
      customLogger: logger,
      logLevel: "warn",
      plugins: [codetracer({ enabled: true, traceDir, format: "json" }), vue()],
      build: { ssr: "src/server.ts", outDir, sourcemap, emptyOutDir: true, minify: false },
    });
    const run = spawnSync(process.execPath, ["--enable-source-maps", path.join(outDir, "server.js")], { cwd: root, env: childEnv(), encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    return { traceDir, warnings, stdout: run.stdout };
  }

  it(
    "records the script's top level at the .vue file's lines, through the script sub-module; the SSR render code is not recorded",
    { timeout: 180_000 },
    async () => {
      const { traceDir, warnings, stdout } = await buildAndRun(true);
      expect(stdout).toContain("<li>3 apples</li><li>2 pears</li>");
      expect(warnings.filter((w) => w.includes("codetracer"))).toEqual([]);
      const q = expectValidTrace(traceDir);
      expectBalancedCalls(q);
      expectReaderLoads(traceDir);
      expect(q.paths).toContain(app);
      expect(q.paths.filter((p) => p.includes("?"))).toEqual([]);
      const [first, last] = scriptBlock(app);
      const appSteps = q.steps.filter((s) => s.path === app);
      const definitionLines = new Set(q.functions.filter((f) => f.path === app).map((f) => f.line));
      expect([...new Set(appSteps.filter((s) => !definitionLines.has(s.line)).map((s) => s.line))].sort((a, b) => a - b)).toEqual([
        lineOf(app, "const lines = ref<Line[]>("),
        lineOf(app, 'const summary = ref("");'),
      ]);
      expect(q.functions.filter((f) => f.path === app && (f.line < first || f.line > last))).toEqual([]);
      expect(q.callsOf("setup", app)).toHaveLength(1);
      // `lines` as the step after its declaration sees it (a ref: its value is inside).
      expect(q.localAt(app, lineOf(app, 'const summary = ref("");'), "lines")).toHaveLength(1);
    },
  );

  it("without build.sourcemap (@vitejs/plugin-vue then makes no map) the component is not recorded, and the build says why", { timeout: 180_000 }, async () => {
    const { traceDir, warnings, stdout } = await buildAndRun(false);
    expect(stdout).toContain("<li>3 apples</li><li>2 pears</li>");
    expect(warnings.join("\n")).toMatch(
      /a component is not recorded: its framework's plugin gave no source map back to the component file.*build\.sourcemap.*App\.vue/s,
    );
    const q = expectValidTrace(traceDir);
    expect(q.paths).not.toContain(app);
    expect(q.paths).toContain(path.join(root, "src/server.ts"));
  });
});
