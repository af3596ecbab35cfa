/**
 * Trace filters under the package managers' layouts (issue 19 item 5; docs/trace-filters.md,
 * "Package managers"). One set of our packages is packed (`npm pack`) and installed, with the
 * real `marked` from the npm registry, into a temporary project per layout:
 *
 * - npm (`node_modules/marked` is a folder);
 * - pnpm's default isolated layout (`node_modules/marked` links to pnpm's virtual store, and Node
 *   reports marked's files as `node_modules/.pnpm/marked@<v>/node_modules/marked/...`);
 * - pnpm with `node-linker=hoisted` (folders, as npm);
 * - yarn (berry) with `nodeLinker: node-modules`;
 * - yarn Plug'n'Play: no node_modules; the recorder refuses with `ERR_UNSUPPORTED_PNP`.
 *
 * pnpm and yarn come from the npm registry (`npm exec --yes pnpm@<v>`, `@yarnpkg/cli-dist`,
 * both pure JS), pinned below; their store and cache folders are in the test's temporary folder.
 * A small program renders Markdown with marked; it is recorded by the installed
 * `codetracer-js-recorder` with `--include 'node_modules/marked/**'`, with a `pkg:marked` rule
 * of a `--trace-filter` file, and with `--exclude 'node_modules/marked/**'` after a broad
 * include, and each trace is validated and read by CodeTracer's reader. Before the fix, pnpm's
 * isolated layout recorded no step of marked under the include (and the exclude let marked
 * through), and yarn PnP failed with Node's ERR_MODULE_NOT_FOUND for a file of the recorder's.
 *
 * Needs the npm registry (or a configured mirror) and ~1-2 minutes; skipped with
 * CODETRACER_TEST_OFFLINE=1, and by scripts/test-node.sh's runs on the other Node lines
 * (CODETRACER_TEST_OTHER_NODE=1): what it checks is the package managers' layouts, which the
 * main run covers, not the loader's behaviour on each Node line.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectReaderLoads, expectValidTrace } from "../utils/expect-trace.js";
import { REPO_ROOT, childEnv, cleanupTempDirs, makeTempDir, type RunResult } from "../utils/run.js";

const PNPM = "pnpm@10.34.8";
const YARN = "@yarnpkg/cli-dist@4.18.1";
const MARKED = "18.2.1";

/**
 * The CA file npm is configured with (`npm config get cafile`), if it names a file: yarn is given
 * it too. Asked when a yarn project is first made, not when the file is loaded, so a run that
 * skips these tests (other Node lines, offline) does not start npm.
 */
function npmCaFile(): string | undefined {
  if (npmCaFileCache === null) {
    const r = spawnSync("npm", ["config", "get", "cafile"], { encoding: "utf8" });
    const file = r.stdout?.trim();
    npmCaFileCache = file && file !== "null" && file !== "undefined" && fs.existsSync(file) ? file : undefined;
  }
  return npmCaFileCache;
}
let npmCaFileCache: string | undefined | null = null;

const offline = process.env.CODETRACER_TEST_OFFLINE === "1" || process.env.CODETRACER_TEST_OTHER_NODE === "1";

/** The environment of a package manager or recorded run: the test runner's, without npm's own `npm_*` settings. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out = childEnv(extra);
  for (const key of Object.keys(out)) if (key.startsWith("npm_") && !(key in extra)) delete out[key];
  return out;
}

/** Runs a command; resolves with its output (never rejects for a non-zero exit). */
function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}, timeoutMs = 300_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, traceDir: "" });
    });
  });
}

function expectOk(r: RunResult, what: string): void {
  expect(r.code, `${what}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
}

const PROGRAM = `import { marked } from "marked";

function render(markdown) {
  return marked.parse(markdown);
}

console.log(render("# Package managers\\n\\nSome *emphasis* and a [link](https://example.com).\\n\\n- one\\n- two\\n"));
`;

/** A `--trace-filter` file that traces the package named marked (a `pkg:` selector). */
const PKG_FILTER = `[meta]
name = "marked-by-package"
version = 1

[scope]
default_exec = "inherit"
default_value_action = "inherit"

[[scope.rules]]
selector = "pkg:marked"
exec = "trace"
`;

type Layout = "npm" | "pnpm" | "pnpm-hoisted" | "yarn" | "yarn-pnp";
const LAYOUTS: Layout[] = ["npm", "pnpm", "pnpm-hoisted", "yarn", "yarn-pnp"];

let tmp: string;
let packs: Record<string, string>;
const projects = {} as Record<Layout, { dir: string; install: RunResult }>;

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

/**
 * `npm pack`s, once, the CLI and every package of ours it depends on (directly or not):
 * tarball by package name.
 */
async function packAll(): Promise<Record<string, string>> {
  const folders = new Map<string, { dir: string; manifest: Manifest }>();
  for (const folder of fs.readdirSync(path.join(REPO_ROOT, "packages"))) {
    const dir = path.join(REPO_ROOT, "packages", folder);
    if (!fs.existsSync(path.join(dir, "package.json"))) continue;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
    if (!manifest.private) folders.set(manifest.name, { dir, manifest });
  }
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name) || !folders.has(name)) return;
    needed.add(name);
    for (const dep of Object.keys(folders.get(name)!.manifest.dependencies ?? {})) visit(dep);
  };
  visit("codetracer-js-recorder");
  const out = path.join(tmp, "packs");
  fs.mkdirSync(out);
  const result: Record<string, string> = {};
  for (const name of needed) {
    const r = await run("npm", ["pack", "--silent", "--pack-destination", out], folders.get(name)!.dir);
    expectOk(r, `npm pack ${name}`);
    result[name] = path.join(out, r.stdout.trim().split("\n").pop()!);
  }
  return result;
}

/** The project's package.json: marked and the CLI, our other packages forced to the packed ones. */
function packageJson(layout: Layout): string {
  const ours = Object.fromEntries(Object.entries(packs).map(([name, tgz]) => [name, `file:${tgz}`]));
  const overrides = Object.fromEntries(Object.entries(ours).filter(([name]) => name !== "codetracer-js-recorder"));
  const pkg: Record<string, unknown> = {
    name: `pm-${layout}`,
    private: true,
    version: "0.0.0",
    type: "module",
    dependencies: { marked: MARKED, "codetracer-js-recorder": ours["codetracer-js-recorder"] },
  };
  if (layout === "npm") pkg.overrides = overrides;
  else if (layout.startsWith("pnpm")) pkg.pnpm = { overrides };
  else pkg.resolutions = overrides;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

async function install(layout: Layout): Promise<{ dir: string; install: RunResult }> {
  const dir = path.join(tmp, layout);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "package.json"), packageJson(layout));
  fs.writeFileSync(path.join(dir, "main.js"), PROGRAM);
  fs.writeFileSync(path.join(dir, "marked-filter.toml"), PKG_FILTER);
  let r: RunResult;
  if (layout === "npm") {
    r = await run("npm", ["install", "--no-audit", "--no-fund", "--cache", path.join(tmp, "npm-cache")], dir);
  } else if (layout.startsWith("pnpm")) {
    if (layout === "pnpm-hoisted") fs.writeFileSync(path.join(dir, ".npmrc"), "node-linker=hoisted\n");
    r = await run("npm", ["exec", "--yes", `${PNPM}`, "--", "install", "--store-dir", path.join(tmp, "pnpm-store")], dir);
  } else {
    const linker = layout === "yarn-pnp" ? "pnp" : "node-modules";
    fs.writeFileSync(
      path.join(dir, ".yarnrc.yml"),
      // enableImmutableInstalls: off, else yarn refuses to write the new lockfile when CI=true (as in CI).
      // httpsCaFilePath: npm's CA file, for a machine whose registry traffic goes through a
      // TLS-inspecting proxy (yarn reads no npm config, and NODE_EXTRA_CA_CERTS may not reach it).
      `nodeLinker: ${linker}\nenableGlobalCache: false\nenableImmutableInstalls: false\n` +
        `cacheFolder: ${JSON.stringify(path.join(tmp, "yarn-cache"))}\nenableTelemetry: false\n` +
        (npmCaFile() ? `httpsCaFilePath: ${JSON.stringify(npmCaFile())}\n` : ""),
    );
    fs.writeFileSync(path.join(dir, "yarn.lock"), "");
    r = await yarn(dir, ["install"]);
  }
  return { dir, install: r };
}

function yarn(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run("npm", ["exec", "--yes", "--package", YARN, "--", "yarn", ...args], dir, extraEnv);
}

/** Records `main.js` in the layout's project with the installed CLI; returns the run and its trace folder. */
async function record(layout: Layout, cliArgs: string[]): Promise<RunResult> {
  const { dir } = projects[layout];
  const traceDir = path.join(makeTempDir("ct-pm-trace-"), "trace");
  const bin = path.join(dir, "node_modules/codetracer-js-recorder/bin/codetracer-js-recorder.js");
  const r = await run(process.execPath, [bin, "--trace-dir", traceDir, ...cliArgs, "main.js"], dir);
  return { ...r, traceDir };
}

/** marked's ES module as Node loads it in the project: its real path (in pnpm's store for the isolated layout). */
function markedFile(layout: Layout): string {
  return fs.realpathSync(path.join(projects[layout].dir, "node_modules/marked/lib/marked.esm.js"));
}

beforeAll(async () => {
  if (offline) return;
  tmp = makeTempDir("ct-pm-");
  packs = await packAll();
  // One install after the other: the machine's cores are shared.
  for (const layout of LAYOUTS) projects[layout] = await install(layout);
}, 600_000);

afterAll(cleanupTempDirs);

describe.skipIf(offline).each(LAYOUTS.filter((l) => l !== "yarn-pnp"))("%s layout", (layout) => {
  it("installs marked and the packed recorder", () => {
    expectOk(projects[layout].install, `${layout} install`);
    const marked = markedFile(layout);
    if (layout === "pnpm") expect(marked).toContain("/node_modules/.pnpm/marked@");
    else expect(marked).toBe(path.join(fs.realpathSync(projects[layout].dir), "node_modules/marked/lib/marked.esm.js"));
  });

  /** Asserts the run succeeded and the trace holds marked's steps (or none), and CodeTracer's reader loads it. */
  const expectMarked = (r: RunResult, recorded: boolean): void => {
    expectOk(r, `recording in ${layout}`);
    expect(r.stdout).toContain("<h1>Package managers</h1>");
    const q = expectValidTrace(r.traceDir);
    const marked = markedFile(layout);
    const main = path.join(fs.realpathSync(projects[layout].dir), "main.js");
    expect(q.folder.paths).toContain(main);
    expect(q.calls.some((c) => c.name === "render")).toBe(true);
    const markedSteps = q.steps.filter((s) => s.path === marked).length;
    if (recorded) {
      expect(q.folder.paths).toContain(marked);
      expect(markedSteps, "steps in marked").toBeGreaterThan(100);
      expect(q.functions.filter((f) => f.path === marked).length, "functions of marked").toBeGreaterThan(10);
    } else {
      expect(q.folder.paths).not.toContain(marked);
      expect(markedSteps).toBe(0);
    }
    expectReaderLoads(r.traceDir);
  };

  it("--include 'node_modules/marked/**' records marked", { timeout: 120_000 }, async () => {
    expectMarked(await record(layout, ["--format", "json", "--include", "node_modules/marked/**"]), true);
  });

  it("a pkg:marked rule records marked", { timeout: 120_000 }, async () => {
    expectMarked(await record(layout, ["--format", "json", "--trace-filter", "marked-filter.toml"]), true);
  });

  it("--exclude 'node_modules/marked/**' wins over a broad include", { timeout: 120_000 }, async () => {
    expectMarked(await record(layout, ["--format", "json", "--include", "**/node_modules/**", "--exclude", "node_modules/marked/**"]), false);
  });
});

describe.skipIf(offline)("yarn Plug'n'Play", () => {
  it("installs without node_modules", () => {
    expectOk(projects["yarn-pnp"].install, "yarn-pnp install");
    expect(fs.existsSync(path.join(projects["yarn-pnp"].dir, ".pnp.cjs"))).toBe(true);
    expect(fs.existsSync(path.join(projects["yarn-pnp"].dir, "node_modules"))).toBe(false);
  });

  it("the CLI refuses with ERR_UNSUPPORTED_PNP before the program runs", { timeout: 120_000 }, async () => {
    const { dir } = projects["yarn-pnp"];
    const traceDir = path.join(makeTempDir("ct-pm-trace-"), "trace");
    const r = await yarn(dir, ["codetracer-js-recorder", "--trace-dir", traceDir, "--json-errors", "--include", "node_modules/marked/**", "main.js"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("codetracer-js-recorder: error: [ERR_UNSUPPORTED_PNP] Yarn Plug'n'Play is not supported");
    expect(r.stderr).toContain("nodeLinker: node-modules");
    expect(r.stderr).toContain('"error_code":"ERR_UNSUPPORTED_PNP","error_kind":"Usage"'); // the --json-errors trailer
    expect(r.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
    expect(r.stdout).not.toContain("<h1>"); // the program did not run
  });

  it("node --import codetracer-js-recorder/register refuses with ERR_UNSUPPORTED_PNP", { timeout: 120_000 }, async () => {
    const { dir } = projects["yarn-pnp"];
    const traceDir = path.join(makeTempDir("ct-pm-trace-"), "trace");
    const r = await yarn(dir, ["node", "--import", "codetracer-js-recorder/register", "main.js"], { CODETRACER_TRACE: traceDir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("[ERR_UNSUPPORTED_PNP] Yarn Plug'n'Play is not supported");
    expect(r.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
    expect(r.stdout).not.toContain("<h1>");
  });
});
