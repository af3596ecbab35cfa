/**
 * A page served by the Vite dev server with unplugin-codetracer, in real Chromium (Debian's
 * `chromium`, driven by playwright-core; `.ci/run` installs it, nothing is downloaded): clicking
 * the button runs the shared inventory code, the page's recorder sends its events to the dev
 * server, and closing the page finishes the trace folder, which must validate and hold the
 * original .ts files and lines with the right values, in both formats. Bad requests to the dev
 * server's endpoint, including batches forged from the page's own that would break the trace,
 * get a 400 and leave the folder valid; a reload gives a second folder; a dev server closed
 * under an open page finishes its folder as partial.
 */
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import codetracer from "unplugin-codetracer/vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECORDER_VERSION, expectBalancedCalls, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, FIXTURES, cleanupTempDirs, lineOf, makeTempDir } from "../utils/run.js";
import { filesContaining } from "../fixtures/trace-filter/harness.js";

const ROOT = path.join(EXAMPLES, "bundlers/vite");
const PAGE = path.join(ROOT, "src/page.ts");
const INVENTORY = path.join(EXAMPLES, "bundlers/shared/src/inventory.ts");
const EVENTS = "/__codetracer__/events";
/** What the page shows after the click, computed by the same code run plainly (in Node, below). */
let expectedText: string;

/** Debian's Chromium (never a downloaded browser). */
function chromiumPath(): string {
  try {
    return execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim();
  } catch {
    throw new Error("Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)");
  }
}

let browser: Browser;
const servers: ViteDevServer[] = [];

/** A Vite dev server of the example with the plugin on, writing into a fresh `traceDir`. */
async function startServer(format: "binary" | "json", root = ROOT): Promise<{ server: ViteDevServer; url: string; traceDir: string }> {
  const traceDir = path.join(makeTempDir("ct-browser-"), "traces");
  const server = await createServer({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: [codetracer({ enabled: true, traceDir, format })],
    server: { host: "127.0.0.1", port: 0, watch: null },
  });
  servers.push(server);
  await server.listen();
  return { server, url: server.resolvedUrls!.local[0]!, traceDir };
}

/** Opens `url` in a new page and waits until the dev server has answered the page's first batch (the modules' load). */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "warning" || message.type() === "error") errors.push(message.text());
  });
  const firstBatch = page.waitForResponse((r) => r.url().endsWith(EVENTS));
  await page.goto(url);
  expect((await firstBatch).status()).toBe(204);
  return { page, errors };
}

/** Clicks the button and waits for the page to show the result. */
async function clickAndRead(page: Page): Promise<string> {
  await page.click("#count");
  await page.waitForSelector("#result:not(:empty)");
  return (await page.textContent("#result"))!;
}

/** POSTs `body` to the recorder's endpoint of `url`; returns the status and text. */
async function post(url: string, body: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL(EVENTS, url), { method: "POST", headers: { "content-type": "application/json" }, body, ...init });
  return { status: response.status, text: await response.text() };
}

/** The folders under `traceDir` that have their metadata (finished), waiting up to 10 s for `count` of them. */
async function finishedFolders(traceDir: string, count: number): Promise<string[]> {
  const finished = () =>
    (fs.existsSync(traceDir) ? fs.readdirSync(traceDir) : []).filter((name) => fs.existsSync(path.join(traceDir, name, "trace_metadata.json")));
  await expect.poll(() => finished().length, { timeout: 10_000 }).toBe(count);
  return finished()
    .sort()
    .map((name) => path.join(traceDir, name));
}

beforeAll(async () => {
  // The text the page must show: the shared code run plainly, without the recorder.
  const { stockShelf, Unit } = await import("../../examples/bundlers/shared/src/inventory.js");
  const shelf = stockShelf();
  expectedText = `${shelf.describe()}; ${shelf.total(Unit.Kilogram)} kg in all`;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  cleanupTempDirs();
});

describe.each(["binary", "json"] as const)("a page recorded through the Vite dev server (%s)", (format) => {
  it("records the clicked code at its original lines; bad and forged batches get a 400 and change nothing", { timeout: 120_000 }, async () => {
    const { url, traceDir } = await startServer(format);
    const { page, errors } = await openPage(url);

    // The click's batch is held on its way: forged copies of it that would break the trace
    // reach the server first, with the same session and number; then the real one goes on.
    const forged: { what: string; status: number; text: string }[] = [];
    let clickBatch: { session: string; seq: number; events: Record<string, unknown>[] } | undefined;
    let released!: () => void;
    const held = new Promise<void>((resolve) => (released = resolve));
    await page.route(`**${EVENTS}`, async (route) => {
      const body = route.request().postData() ?? "";
      if (clickBatch || !body.includes('"Shelf.total"')) return route.continue();
      clickBatch = JSON.parse(body);
      const { session, seq, events } = clickBatch!;
      const stepAt = events.findIndex((e) => "Step" in e);
      const variants: [string, unknown[]][] = [
        ["a Step at an undeclared path", events.map((e, i) => (i === stepAt ? { Step: { path_id: 999, line: 1 } } : e))],
        ["more Returns than Calls", [...events, ...Array.from({ length: 20 }, () => ({ Return: { return_value: { kind: "None", type_id: 0 } } }))]],
        ["a Value of an undeclared type", [...events, { Value: { variable_id: 0, value: { kind: "Int", i: 1, type_id: 9999 } } }]],
        ["a Value without its field", [...events, { Value: { variable_id: 0, value: { kind: "String", type_id: 0 } } }]],
        ["a Call of an undeclared function", [...events, { Call: { function_id: 9999, args: [] } }]],
      ];
      for (const [what, evil] of variants) forged.push({ what, ...(await post(url, JSON.stringify({ session, seq, events: evil }))) });
      await route.continue();
      released();
    });
    expect(await clickAndRead(page)).toBe(expectedText);
    await held;
    await page.unroute(`**${EVENTS}`);
    for (const answer of forged) {
      expect(answer.status, answer.what).toBe(400);
      expect(answer.text, answer.what).toMatch(/^codetracer: \[ERR_TRACE_INVALID\] batch \d+ would make the trace invalid: [a-z-]+: /);
    }
    expect(forged.map((f) => f.text.match(/invalid: ([a-z-]+)/)![1])).toEqual([
      "undefined-path-id",
      "return-without-call",
      "undefined-type-id",
      "missing-field",
      "undefined-function-id",
    ]);

    // Requests that are not batches at all.
    const session = clickBatch!.session;
    const bad: [string, string][] = [
      ["not json", "the body is not JSON"],
      [JSON.stringify([1, 2]), "bad event batch: the body must be a JSON object"],
      [JSON.stringify({ session: "../escape", seq: 0, events: [] }), "bad event batch: session"],
      [JSON.stringify({ session, seq: -1, events: [] }), "bad event batch: seq"],
      [JSON.stringify({ session, seq: 1.5, events: [] }), "bad event batch: seq"],
      [JSON.stringify({ session, seq: 1000, events: {} }), "bad event batch: events must be an array"],
      [JSON.stringify({ session, seq: 1000, events: [{ Step: { path_id: "x", line: 1 } }] }), "bad event batch: events[0]: Step needs"],
      [JSON.stringify({ session, seq: 1000, events: [{ Bogus: {} }] }), 'bad event batch: events[0]: "Bogus" is not an event'],
      [
        JSON.stringify({ session, seq: 1000, events: [{ Step: { path_id: 0, line: 1 }, Call: {} }] }),
        "bad event batch: events[0]: an event must have exactly one key",
      ],
    ];
    for (const [body, reason] of bad) {
      const answer = await post(url, body);
      expect(answer.status, body).toBe(400);
      expect(answer.text, body).toContain(`codetracer: [ERR_TRACE_INVALID] ${reason}`);
    }
    expect((await post(url, "{}", { headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await fetch(new URL(EVENTS, url))).status).toBe(405);
    // Nothing under the endpoint falls through to Vite (which would answer with index.html).
    expect((await fetch(new URL("/__codetracer__/other", url))).status).toBe(404);
    expect(
      (await post(url, JSON.stringify({ session, seq: 1000, events: [] }), { headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" } }))
        .status,
    ).toBe(403);
    expect(fs.readdirSync(traceDir)).toEqual([session]);

    await page.close({ runBeforeUnload: true });
    const [dir] = await finishedFolders(traceDir, 1);
    expect(path.basename(dir!)).toBe(session);
    expect(errors).toEqual([]);
    expect(fs.existsSync(path.join(dir!, format === "binary" ? "trace.bin" : "trace.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir!, "trace_metadata.pending.json"))).toBe(false);

    const q = expectValidTrace(dir!);
    expectBalancedCalls(q);
    const meta = readMetadata(dir!)!;
    expect(meta.program).toBe(url);
    expect(meta.args).toEqual([]);
    expect(meta.workdir).toBe(ROOT);
    expect(meta.recorder).toMatchObject({ name: "codetracer-js-recorder", version: RECORDER_VERSION, runtime: "browser" });
    expect(meta.format).toBe(format);
    expect(meta.partial).toBeUndefined();
    expect(meta.process_exit_status).toEqual({ code: null, label: "<pagehide>" });
    expect(meta.stats).toMatchObject({ events: q.events.length, dropped_events: 0 });
    // The top-level call returned when the page went away.
    expect(q.decode(q.topLevel().returnRecord!)).toEqual({ $raw: "<pagehide>" });

    // trace_paths.json: the page URL (the top-level "file"), then the ORIGINAL .ts modules.
    const paths = JSON.parse(fs.readFileSync(path.join(dir!, "trace_paths.json"), "utf8")) as string[];
    expect(paths).toEqual(q.paths);
    expect(paths[0]).toBe(url);
    expect(paths.slice(1).sort()).toEqual([INVENTORY, PAGE].sort());

    // The click handler's lines, with its locals.
    expect(q.stepsAt(PAGE, lineOf(PAGE, "const shelf = stockShelf()"))).toHaveLength(1);
    expect(q.stepsAt(PAGE, lineOf(PAGE, "const kilograms = shelf.total"))).toHaveLength(1);
    expect(q.localAt(PAGE, lineOf(PAGE, "result.textContent ="), "kilograms")).toEqual([5]);
    // Shelf.total at its original lines: `sum` before each step of the loop body.
    for (const marker of ["let sum = 0", "for (const item of this.items)", "sum += item.quantity", "return sum"]) {
      expect(q.stepsAt(INVENTORY, lineOf(INVENTORY, marker)).length, marker).toBeGreaterThan(0);
    }
    expect(q.localAt(INVENTORY, lineOf(INVENTORY, "sum += item.quantity"), "sum")).toEqual([0, 0, 3, 3, 3]);
    expect(q.localAt(INVENTORY, lineOf(INVENTORY, "return sum"), "sum")).toEqual([5]);
    // Calls with their names, arguments and return values.
    expect(q.callsOf("stockShelf", INVENTORY)).toHaveLength(1);
    expect(q.callsOf("Shelf.add").map((c) => c.args.item)).toEqual([
      { name: "apples", quantity: 3, unit: "kg" },
      { name: "jars", quantity: 12, unit: "pc" },
      { name: "pears", quantity: 2, unit: "kg" },
    ]);
    expect(q.returnsOf("Shelf.add")).toEqual([1, 2, 3]);
    expect(q.callsOf("Shelf.total")[0]!.args).toEqual({ unit: "kg" });
    expect(q.returnsOf("Shelf.total")).toEqual([5]);
    expect(q.returnsOf("Shelf.describe")).toEqual([expectedText.split(";")[0]]);
    // Every Shelf call happened inside the click handler, itself called from the top level.
    const total = q.callsOf("Shelf.total")[0]!;
    expect(total.parent?.path).toBe(PAGE);
    expect(total.parent?.parent?.name).toBe("<top-level>");
  });
});

describe("page loads and the dev server's end (json)", () => {
  it("a reload finishes the first page's folder and records the second load in its own", { timeout: 120_000 }, async () => {
    const { url, traceDir } = await startServer("json");
    const { page, errors } = await openPage(url);
    const secondBatch = page.waitForResponse((r) => r.url().endsWith(EVENTS) && (r.request().postData() ?? "").includes('"seq":0'));
    await page.reload();
    expect((await secondBatch).status()).toBe(204);
    expect(await clickAndRead(page)).toBe(expectedText);
    await page.close({ runBeforeUnload: true });
    const [first, second] = await finishedFolders(traceDir, 2);
    expect(errors).toEqual([]);
    for (const dir of [first!, second!]) {
      const q = expectValidTrace(dir);
      expectBalancedCalls(q);
      expect(readMetadata(dir)!.partial).toBeUndefined();
    }
    // Session ids sort by time: the first folder is the first load, which never clicked.
    expect(new Set([readMetadata(first!)!.trace_id, readMetadata(second!)!.trace_id]).size).toBe(2);
    expect(expectValidTrace(first!).callsOf("Shelf.total")).toEqual([]);
    expect(expectValidTrace(second!).returnsOf("Shelf.total")).toEqual([5]);
  });

  it("closing the dev server under an open page finishes its folder as partial, with what arrived", { timeout: 120_000 }, async () => {
    const { server, url, traceDir } = await startServer("binary");
    const { page } = await openPage(url);
    const clickBatch = page.waitForResponse((r) => r.url().endsWith(EVENTS) && (r.request().postData() ?? "").includes('"Shelf.total"'));
    expect(await clickAndRead(page)).toBe(expectedText);
    expect((await clickBatch).status()).toBe(204);
    const [session] = fs.readdirSync(traceDir);
    // While the page is open, the folder can be repaired if the server is killed.
    expect(fs.existsSync(path.join(traceDir, session!, "trace_metadata.pending.json"))).toBe(true);
    await server.close();
    const [dir] = await finishedFolders(traceDir, 1);
    const meta = readMetadata(dir!)!;
    expect(meta.partial).toBe(true);
    expect(meta.process_exit_status).toEqual({ code: null, label: "<server-closed>" });
    const q = expectValidTrace(dir!);
    // The top-level call is still open (the page never went away); everything the click did is there.
    expect(q.openCalls.map((c) => c.name)).toEqual(["<top-level>"]);
    expect(q.returnsOf("Shelf.total")).toEqual([5]);
    await page.close();
  });
});

describe("object fields named like secrets in a page (json)", () => {
  it("are redacted by the build's filters (the builtin's attr rule), as on Node; other fields are recorded", { timeout: 120_000 }, async () => {
    const root = path.join(FIXTURES, "browser-secrets");
    const login = path.join(root, "src/login.ts");
    const { url, traceDir } = await startServer("json", root);
    const { page, errors } = await openPage(url);
    await page.waitForSelector("#result:not(:empty)");
    expect(await page.textContent("#result")).toBe("ada (NOTE-VALUE-visible)");
    await page.close({ runBeforeUnload: true });
    const [dir] = await finishedFolders(traceDir, 1);
    expect(errors).toEqual([]);
    const q = expectValidTrace(dir!);
    const [call] = q.callsOf("describe", login);
    const account = call!.args.account as Record<string, unknown>;
    expect(account.user).toBe("ada");
    expect(account.note).toBe("NOTE-VALUE-visible");
    expect(account.password).not.toBe("PASSWORD-VALUE-s3cr3t");
    expect(account.apiToken).not.toBe("TOKEN-VALUE-s3cr3t");
    // The values are nowhere in the folder; the search does find what is written.
    expect(filesContaining(dir!, "PASSWORD-VALUE-s3cr3t")).toEqual([]);
    expect(filesContaining(dir!, "TOKEN-VALUE-s3cr3t")).toEqual([]);
    expect(filesContaining(dir!, "NOTE-VALUE-visible").length).toBeGreaterThan(0);
  });
});
