/**
 * A page served by the Vite dev server with unplugin-codetracer, in real Chromium (Debian's
 * `chromium`, driven by playwright-core; `.ci/run` installs it): clicking the button runs the
 * shared inventory code, the page's recorder sends its events to the dev server, and closing
 * the page finishes the trace folder, which must validate and hold the original .ts files and
 * lines with the right values. Bad requests to the dev server's endpoint get a 400 and leave
 * the folder being written valid.
 */
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import codetracer from "unplugin-codetracer/vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, cleanupTempDirs, lineOf, makeTempDir } from "../utils/run.js";

const ROOT = path.join(EXAMPLES, "bundlers/vite");
const PAGE = path.join(ROOT, "src/page.ts");
const INVENTORY = path.join(EXAMPLES, "bundlers/shared/src/inventory.ts");

/** Debian's Chromium (never a downloaded browser). */
function chromiumPath(): string {
  try {
    return execSync("command -v chromium", { encoding: "utf8" }).trim();
  } catch {
    throw new Error("Debian's chromium is not installed: apt-get install -y chromium (.ci/run does it)");
  }
}

let server: ViteDevServer;
let browser: Browser;
let url: string;
let traceDir: string;

beforeAll(async () => {
  traceDir = makeTempDir("ct-browser-");
  server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: "silent",
    plugins: [codetracer({ enabled: true, traceDir, format: "json" })],
    server: { host: "127.0.0.1", port: 0 },
  });
  await server.listen();
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanupTempDirs();
});

/** POSTs `body` to the recorder's endpoint; returns the status and text. */
async function post(body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL("/__codetracer__/events", url), { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.status, text: await response.text() };
}

describe("a page recorded through the Vite dev server", () => {
  it("records the clicked code at its original lines, and bad batches get a 400", { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    await page.click("#count");
    await page.waitForFunction(() => (document.querySelector("#result")?.textContent ?? "") !== "");
    expect(await page.textContent("#result")).toBe("3kg apples, 12pc jars, 2kg pears; 5 kg in all");

    // The page has sent its first batch: its folder exists. Bad requests change nothing in it.
    await expect.poll(() => fs.readdirSync(traceDir).length, { timeout: 10_000 }).toBe(1);
    const session = fs.readdirSync(traceDir)[0]!;
    const bad = [
      "not json",
      JSON.stringify({ session: "../escape", seq: 0, events: [] }),
      JSON.stringify({ session, seq: -1, events: [] }),
      JSON.stringify({ session, seq: 1000, events: [{ Step: { path_id: "x", line: 1 } }] }),
      JSON.stringify({ session, seq: 1000, events: [{ Bogus: {} }] }),
    ];
    for (const body of bad) {
      const answer = await post(body);
      expect(answer.status, body).toBe(400);
      expect(answer.text).toMatch(/^codetracer: (the body is not JSON|bad event batch)/);
    }
    expect(fs.readdirSync(traceDir)).toEqual([session]);

    await page.close({ runBeforeUnload: true });
    const dir = path.join(traceDir, session);
    await expect.poll(() => fs.existsSync(path.join(dir, "trace_metadata.json")), { timeout: 10_000 }).toBe(true);
    expect(errors).toEqual([]);

    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    const meta = readMetadata(dir)!;
    expect(meta.program).toBe(url);
    expect(meta.partial).toBeUndefined();
    expect(q.paths).toEqual(expect.arrayContaining([PAGE, INVENTORY]));
    // The click handler's lines, and the inventory's loop with `sum` before each step.
    expect(q.stepsAt(PAGE, lineOf(PAGE, "const kilograms = shelf.total"))).toHaveLength(1);
    const sumLine = lineOf(INVENTORY, "sum += item.quantity");
    expect(q.localAt(INVENTORY, sumLine, "sum")).toEqual([0, 0, 3, 3, 3]);
    expect(q.callsOf("Shelf.total")[0]!.args).toEqual({ unit: "kg" });
    expect(q.returnsOf("Shelf.total")).toEqual([5]);
    expect(q.localAt(PAGE, lineOf(PAGE, "result.textContent ="), "kilograms")).toEqual([5]);
  });
});
