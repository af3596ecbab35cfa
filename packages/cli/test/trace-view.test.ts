/**
 * `codetracer-trace view` (docs/commands.md, "view") in real Chromium: Debian's `chromium`
 * driven by playwright-core, as test/e2e/browser.test.ts does (.ci/run installs it; nothing is
 * downloaded). Recordings are made with the built CLI: examples/ts-app in both formats, into
 * and out of paths with spaces and non-ASCII names; the HTML the command writes is opened from
 * file:// with no server. The page must show the call tree (a call is expanded), step back and
 * forward, show a local's value at a known line, jump from a call to its return, find a
 * function by name, and log no console error. Bad input: a truncated trace.bin and a cut
 * trace.json (the page says so and shows the whole events), a recording killed with SIGKILL,
 * a corrupt frame (a clear message in the page, never a blank page), a file that is not a
 * trace.bin, one of a newer format and a 2 GB trace.json (the command says so, exit 1). Worker
 * and child process folders: a selector. A loop program of about 5 M events is viewed too, and its load time printed (the
 * figure in docs/performance.md, not a timed assertion). The screenshot in
 * docs/images/viewer.png is taken here when `UPDATE_SCREENSHOTS=1` is set (otherwise into the
 * test's temporary folder, so a test run leaves the tree clean). Build the package first (`npm run build`, which runs
 * build-viewer.mjs).
 */
import { execSync, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readTraceFolder } from "@codetracer/trace-format";
import { cleanEnv } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../../..");
const CLI_MAIN = path.resolve(HERE, "../dist/main.js");
const TRACE_MAIN = path.resolve(HERE, "../dist/trace/main.js");
const REGISTER = pathToFileURL(path.resolve(HERE, "../dist/register.js")).href;
const TS_APP = path.join(REPO_ROOT, "examples/ts-app/src/main.ts");
const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
const DOCS_SCREENSHOT = path.join(REPO_ROOT, "docs/images/viewer.png");

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

// A folder with a space and non-ASCII letters in its name: every path below goes through it.
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct view ü-")));
let browser: Browser;
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === "1" ? DOCS_SCREENSHOT : path.join(root, "viewer.png");

/** A loop program: 14 events per iteration (a call, its steps, arguments and locals), so N = 360,000 gives about 5 M events. */
const LOOP = path.join(root, "loop.js");
fs.writeFileSync(
  LOOP,
  [
    "function add(total, i) {",
    "  const next = total + (i % 7);",
    "  return next;",
    "}",
    "let total = 0;",
    "const n = Number(process.argv[2]);",
    "for (let i = 0; i < n; i++) {",
    "  total = add(total, i);",
    "}",
    "console.log(total);",
    "",
  ].join("\n"),
);

/** Debian's Chromium (never a downloaded browser). */
function chromiumPath(): string {
  try {
    return execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim();
  } catch {
    throw new Error("Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)");
  }
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Records `script` with the built CLI into `root/name`; returns the folder. */
function record(name: string, script: string, args: string[] = [], scriptArgs: string[] = []): string {
  const dir = path.join(root, name);
  const r = spawnSync(process.execPath, [CLI_MAIN, "--trace-dir", dir, ...args, script, ...scriptArgs], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return dir;
}

/** Runs `codetracer-trace ...argv` (the built bin). */
function trace(argv: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [TRACE_MAIN, ...argv], { cwd: root, env: cleanEnv(env), encoding: "utf8", timeout: 120_000 });
}

/** `view DIR -o FILE`; returns FILE (absolute). */
function view(dir: string, name: string): string {
  const out = path.join(root, "pages ✓", `${name}.html`);
  const r = trace(["view", dir, "-o", out]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain("wrote");
  expect(fs.existsSync(out)).toBe(true);
  return out;
}

interface Opened {
  page: Page;
  errors: string[];
  /** Milliseconds from navigation to the page being ready (or showing its error). */
  ms: number;
}

/** Opens `file` from file:// and waits until the page is ready or shows an error. */
async function open(file: string, width = 1400, height = 820): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
  });
  // No request may leave the page: it is self-contained (blob: is its own zstd workers' code).
  page.on("request", (request) => {
    if (!/^(file|data|blob):/.test(request.url())) errors.push(`request to ${request.url()}`);
  });
  const start = Date.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector("body[data-state=ready], body[data-state=error]", { timeout: 150_000 });
  return { page, errors, ms: Date.now() - start };
}

const stepLine = async (page: Page): Promise<number> => Number(await page.getAttribute("#step-info", "data-line"));
const stepPath = async (page: Page): Promise<string> => (await page.getAttribute("#step-info", "data-path")) ?? "";
const viewerState = (page: Page) => page.evaluate(() => window.codetracerViewer!);

declare global {
  interface Window {
    codetracerViewer?: { loadMs: number; timings: Record<string, number>; eventCount: number; stepCount: number; callCount: number; step: number };
  }
}

describe("view of examples/ts-app", () => {
  let binDir: string;
  let html: string;
  beforeAll(() => {
    binDir = record("ts-app bin é", TS_APP);
    html = view(binDir, "ts-app bin é");
  });

  it("opens from file:// with the trace's counts, expands a call, steps back and forward, shows a local, jumps to a return, finds a function", async () => {
    const { page, errors } = await open(html);
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    const events = readTraceFolder(binDir).events;
    const state = await viewerState(page);
    expect(state.eventCount).toBe(events.length);
    expect(state.stepCount).toBe(events.filter((e) => typeof e === "object" && "Step" in e).length);
    expect(state.callCount).toBe(events.filter((e) => typeof e === "object" && "Call" in e).length);
    expect(await page.textContent("#program")).toContain("main.ts");

    // Expand the main module's first call (up to its top-level await, so it returns a Promise): main() appears under it.
    const moduleRow = page.locator(".tree-row", { hasText: "<module>() → Promise" }).filter({ hasText: "main.ts:1" });
    await expect.poll(() => moduleRow.count()).toBe(1);
    expect(await page.locator(".tree-row", { hasText: /^main\(/ }).count()).toBe(0);
    const before = await page.locator(".tree-row").count();
    await moduleRow.locator(".twisty").click();
    // An async function: one call up to its first await, one more for each resumption.
    const mainRows = page.locator(".tree-row .call-label", { hasText: /^main\(\) → / });
    await expect.poll(() => mainRows.count()).toBe(2);
    const mainRow = mainRows.first();
    expect(await page.locator(".tree-row").count()).toBeGreaterThan(before);

    // Selecting main moves to its first step, at its definition (main.ts:26); then forward and back.
    await mainRow.click();
    expect(await stepLine(page)).toBe(26);
    expect(await stepPath(page)).toBe(TS_APP);
    await page.click("#step-forward");
    expect(await stepLine(page)).toBe(27);
    await page.click("#step-forward");
    expect(await stepLine(page)).toBe(54); // into new Store(...) in store.ts
    expect(path.basename(await stepPath(page))).toBe("store.ts");
    expect(await page.textContent("#locals")).toContain('name = "Corner Shop"');
    await page.click("#step-back");
    expect(await stepLine(page)).toBe(27);
    await page.click("#step-back");
    expect(await stepLine(page)).toBe(26);
    // The keyboard steps too.
    await page.keyboard.press("ArrowRight");
    expect(await stepLine(page)).toBe(27);
    await page.keyboard.press("ArrowLeft");
    expect(await stepLine(page)).toBe(26);

    // The marked line of main.ts (`const books = store.totalCents(Category.Book)`): clicking it
    // in the source goes to its execution, where `books` is not set yet; on the next line it is
    // a local holding the total of the two books (1299 + 999 cents).
    const marked =
      fs
        .readFileSync(TS_APP, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("ct-marker: books-total")) + 1;
    expect(marked).toBeGreaterThan(0);
    const markedRow = page.locator(`.src-row[data-line="${marked}"]`);
    await markedRow.scrollIntoViewIfNeeded();
    expect(await markedRow.locator(".hits").textContent()).toBe("1");
    await markedRow.click();
    expect(await stepLine(page)).toBe(marked);
    expect(await page.textContent("#locals")).toContain('name: "Corner Shop"');
    expect(await page.locator('#locals .value-row[data-name="books"]').count()).toBe(0);
    expect(await page.locator(".src-row.current").getAttribute("data-line")).toBe(String(marked));
    await page.click("#over-forward");
    expect(await stepLine(page)).toBe(marked + 1);
    expect(await page.textContent('#locals .value-row[data-name="books"] .value')).toBe("2298");

    // From the call to its return: the last step of main, and main's return value.
    await page.click("#goto-return");
    const last = await viewerState(page);
    await page.click("#goto-call");
    const first = await viewerState(page);
    expect(last.step).toBeGreaterThan(first.step);
    expect(await stepLine(page)).toBe(26);
    expect(await page.textContent("#call-details")).toContain("return = undefined");

    // Search by name: priorityFor, called once per product.
    await page.fill("#search", "priorityF");
    const hit = page.locator("#search-results .search-row", { hasText: "priorityFor" });
    await expect.poll(() => hit.count()).toBe(1);
    expect(await hit.textContent()).toContain("3 calls");
    await hit.click();
    expect(await stepLine(page)).toBe(22);
    expect(await page.textContent(".tree-row.selected")).toMatch(/^priorityFor\(product=\{ id: "p1"/);
    expect(await page.textContent('#locals .value-row[data-name="product"] .value')).toContain('title: "Dune"');
    await page.click("text=next call of it ▶");
    expect(await page.textContent('#locals .value-row[data-name="product"] .value')).toContain('title: "Tetris"');

    // The step slider.
    await page.locator("#step-slider").fill("0");
    await expect.poll(async () => (await viewerState(page)).step).toBe(0);

    // The screenshot of the docs: main's marked line, with its locals.
    await page.fill("#search", "");
    await page.selectOption("#file-select", { label: "main.ts" });
    await page.locator(`.src-row[data-line="${marked + 1}"]`).click();
    expect(await stepLine(page)).toBe(marked + 1);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(0);

    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a trace.json recording the same way (re-encoded as a trace.bin)", async () => {
    const jsonDir = record("ts-app json", TS_APP, ["--format", "json"]);
    expect(fs.existsSync(path.join(jsonDir, "trace.json"))).toBe(true);
    const { page, errors } = await open(view(jsonDir, "ts-app json"));
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    const state = await viewerState(page);
    expect(state.eventCount).toBe(readTraceFolder(jsonDir).events.length);
    expect(await page.textContent("#stats")).toContain("trace.json");
    await page.fill("#search", "loadReviews");
    await page.locator("#search-results .search-row").first().click();
    expect(await stepLine(page)).toBe(13);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("embeds the sources as they were when the page was written, and says when one is missing", async () => {
    const dir = path.join(root, "src ✓ ünï");
    fs.mkdirSync(dir);
    const script = path.join(dir, "prögram ✓.js");
    fs.writeFileSync(script, 'const wörd = "grüße ✓";\nconsole.log(wörd.length);\n');
    const traceDir = record("non-ascii trace ✓", script);
    const html = view(traceDir, "non-ascii ✓");
    fs.rmSync(script); // the page holds its own copy
    const { page, errors } = await open(html);
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    expect(await page.textContent('.src-row[data-line="1"] .code')).toBe('const wörd = "grüße ✓";');
    expect(await page.textContent("#file-path")).toBe(script);
    await page.close();
    // Viewed again now that the file is gone: the page says so and still shows the hit lines.
    const again = await open(view(traceDir, "non-ascii missing"));
    expect(await again.page.textContent("#source-note")).toContain("is not in this page: the file no longer exists");
    expect(await again.page.locator(".src-row.hit").count()).toBeGreaterThan(0);
    expect([...errors, ...again.errors]).toEqual([]);
    await again.page.close();
  });
});

describe("bad input", () => {
  let loopDir: string;
  beforeAll(() => {
    loopDir = record("loop 30k", LOOP, [], ["30000"]);
  });

  it("a truncated trace.bin: the page shows the whole frames and says the rest is missing", async () => {
    const dir = path.join(root, "truncated");
    fs.cpSync(loopDir, dir, { recursive: true });
    const bin = path.join(dir, "trace.bin");
    const size = fs.statSync(bin).size;
    fs.truncateSync(bin, Math.floor(size * 0.6));
    const { page, errors } = await open(view(dir, "truncated"));
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    expect(await page.textContent("#messages")).toContain("does not end with its seek table");
    const state = await viewerState(page);
    const full = readTraceFolder(loopDir).events.length;
    expect(state.eventCount).toBeGreaterThan(0);
    expect(state.eventCount).toBeLessThan(full);
    expect(fs.statSync(bin).size).toBe(Math.floor(size * 0.6)); // the folder is not touched
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a trace.json cut short: the page shows its whole events and says the rest is missing", async () => {
    const dir = record("cut json", LOOP, ["--format", "json"], ["3000"]);
    const file = path.join(dir, "trace.json");
    const full = readTraceFolder(dir).events.length;
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const { page, errors } = await open(view(dir, "cut json"));
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    expect(await page.textContent("#messages")).toContain("trace.json is not a finished JSON array");
    const state = await viewerState(page);
    expect(state.eventCount).toBeGreaterThan(full / 3);
    expect(state.eventCount).toBeLessThan(full);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a frame that does not decompress: a clear message in the page, not a blank page", async () => {
    const dir = path.join(root, "corrupt");
    fs.cpSync(loopDir, dir, { recursive: true });
    const bin = path.join(dir, "trace.bin");
    const bytes = fs.readFileSync(bin);
    for (let i = 40; i < 240; i++) bytes[i] = (bytes[i]! * 31 + 7) & 0xff; // inside the first frame; the seek table stays
    fs.writeFileSync(bin, bytes);
    const { page } = await open(view(dir, "corrupt"));
    expect(await page.isVisible("#messages")).toBe(true);
    const text = (await page.textContent("#messages")) ?? "";
    expect(text).toMatch(/cannot be shown|cannot be read|cannot be decompressed|holds \d+ bytes/);
    await page.close();
  });

  it("a trace.bin that is not one, and a folder that is not a trace: the command says so", () => {
    const dir = path.join(root, "not bin");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "trace.bin"), "hello, this is not a trace");
    const r = trace(["view", dir, "-o", path.join(root, "nope.html")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("not a CodeTracer trace.bin");
    expect(fs.existsSync(path.join(root, "nope.html"))).toBe(false);
    const empty = path.join(root, "empty folder");
    fs.mkdirSync(empty);
    const e = trace(["view", empty]);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain("not a trace folder");
    const usage = trace(["view"]);
    expect(usage.status).toBe(2);
    expect(trace(["view", loopDir, "--bogus"]).status).toBe(2);
  });

  it("a trace.bin of a newer format and a trace.json too large for a page: the command says so", () => {
    const newer = path.join(root, "newer");
    fs.cpSync(loopDir, newer, { recursive: true });
    const bin = path.join(newer, "trace.bin");
    const bytes = fs.readFileSync(bin);
    bytes[5] = 2; // Binary v2
    fs.writeFileSync(bin, bytes);
    const r = trace(["view", newer, "-o", path.join(root, "newer.html")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is of a newer format (Binary v2)");
    // A seek table promising 4 GB of events: more than a page can hold, refused before decompressing.
    const huge = path.join(root, "huge");
    fs.cpSync(loopDir, huge, { recursive: true });
    const hugeBin = path.join(huge, "trace.bin");
    const hb = fs.readFileSync(hugeBin);
    const frames = hb.readUInt32LE(hb.length - 9);
    hb.writeUInt32LE(0xf0000000, hb.length - 9 - frames * 8 + 4);
    fs.writeFileSync(hugeBin, hb);
    const h = trace(["view", huge, "-o", path.join(root, "huge.html")]);
    expect(h.status).toBe(1);
    expect(h.stderr).toContain("more than a page can hold");
    // A 2 GB trace.json (sparse: nothing is written) is refused before it is read.
    const big = path.join(root, "big json");
    fs.mkdirSync(big);
    fs.copyFileSync(path.join(loopDir, "trace_metadata.json"), path.join(big, "trace_metadata.json"));
    const fd = fs.openSync(path.join(big, "trace.json"), "w");
    fs.ftruncateSync(fd, 2 * 1024 * 1024 * 1024);
    fs.closeSync(fd);
    const t = Date.now();
    const j = trace(["view", big, "-o", path.join(root, "big.html")]);
    expect(j.status).toBe(1);
    expect(j.stderr).toContain("2147.5 MB is too large to put in one page");
    expect(j.stderr).toContain("--format binary");
    expect(Date.now() - t).toBeLessThan(20_000);
    expect(fs.existsSync(path.join(root, "big.html"))).toBe(false);
  });

  it("--open without any opener still writes the file and exits 0", () => {
    const out = path.join(root, "opened.html");
    const r = trace(["view", loopDir, "-o", out, "--open"], { PATH: path.join(root, "no-such-bin") });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(out)).toBe(true);
    expect(r.stderr).toContain("could not open it");
  });
});

describe("workers", () => {
  it("a selector lists the worker folders, each viewed on choice", async () => {
    const dir = record("workers", path.join(FIXTURES, "workers/esm-main.mjs"));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as { workers?: string[] };
    expect(meta.workers?.length).toBeGreaterThan(0);
    const { page, errors } = await open(view(dir, "workers"));
    expect(await page.isVisible("#folder-select")).toBe(true);
    const options = await page.locator("#folder-select option").allTextContents();
    expect(options.length).toBe(1 + meta.workers!.length);
    expect(options[1]).toContain("worker workers/");
    const mainEvents = (await viewerState(page)).eventCount;
    await page.selectOption("#folder-select", "1");
    await expect.poll(async () => (await viewerState(page)).eventCount).toBe(readTraceFolder(path.join(dir, meta.workers![0]!)).events.length);
    expect((await viewerState(page)).eventCount).not.toBe(mainEvents);
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("child processes and unfinished recordings", () => {
  it("a child process's folder is in the selector too", async () => {
    const dir = record("children", path.join(FIXTURES, "child-processes/fork-main.cjs"));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as { children?: string[] };
    expect(meta.children?.length).toBe(1);
    const { page, errors } = await open(view(dir, "children"));
    const options = await page.locator("#folder-select option").allTextContents();
    expect(options).toEqual([expect.stringMatching(/^main /), `child ${meta.children![0]}`]);
    await page.selectOption("#folder-select", "1");
    await expect.poll(async () => (await viewerState(page)).eventCount).toBe(readTraceFolder(path.join(dir, meta.children![0]!)).events.length);
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a recording killed with SIGKILL: the page says it did not finish and shows what was written", async () => {
    const dir = path.join(root, "killed ✓");
    const child = spawn(process.execPath, ["--import", REGISTER, path.join(FIXTURES, "crash/wait-forever.js")], {
      cwd: REPO_ROOT,
      env: cleanEnv({ CODETRACER_TRACE: dir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" in time: ${out}`)), 60_000);
      child.stdout!.setEncoding("utf8").on("data", (text: string) => {
        out += text;
        if (/^ready$/m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The events of the turn that printed "ready" reach trace.bin once a whole frame is flushed.
    const bin = path.join(dir, "trace.bin");
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && !(fs.existsSync(bin) && fs.statSync(bin).size > 8);) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
    const before = fs.readFileSync(bin);
    const { page, errors } = await open(view(dir, "killed"));
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    const messages = (await page.textContent("#messages")) ?? "";
    expect(messages).toContain("This recording did not finish");
    expect(messages).toContain("does not end with its seek table");
    expect(await page.textContent("#stats")).toContain("unfinished recording");
    expect((await viewerState(page)).stepCount).toBeGreaterThan(0);
    expect(fs.readFileSync(bin).equals(before)).toBe(true); // not repaired on disk
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("a 5 M-event trace", () => {
  it("loads (the time is printed for docs/performance.md, not asserted)", async () => {
    const dir = record("loop 5M", LOOP, [], ["360000"]);
    const started = Date.now();
    const html = view(dir, "loop 5M");
    const viewMs = Date.now() - started;
    const { page, errors, ms } = await open(html);
    expect(await page.getAttribute("body", "data-state")).toBe("ready");
    const state = await viewerState(page);
    expect(state.eventCount).toBeGreaterThan(5_000_000);
    // Still responsive: the last step, a search and a step back answer at once.
    const t = Date.now();
    await page.click("#step-last");
    await page.click("#step-back");
    await page.fill("#search", "add");
    await page.locator("#search-results .search-row", { hasText: "add" }).first().click();
    const interactMs = Date.now() - t;
    console.log(
      `[view 5M] ${state.eventCount} events, html ${(fs.statSync(html).size / 1e6).toFixed(1)} MB written in ${viewMs} ms; ` +
        `page ready in ${ms} ms (in page: ${state.loadMs} ms: ${JSON.stringify(state.timings)}); interactions ${interactMs} ms`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
