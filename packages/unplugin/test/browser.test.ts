/**
 * The browser runtime in a fake page (fetch, sendBeacon, page events and timers are stubs): it
 * records instrumented code with the real recorder, sends the events in numbered batches that
 * together are a valid trace, sends a failed batch again and a refused one not, finishes on
 * pagehide with a `done` beacon (re-sending what may be cancelled with the page), sends at once
 * when the page is hidden, and never uses the page's own `fetch`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { instrument } from "@codetracer/instrument";
import { validateEvents } from "@codetracer/trace-format";
import { RUNTIME_GLOBAL } from "@codetracer/runtime/abi";
import type { EventBatch } from "../src/wire.js";

const PROGRAM_URL = "http://localhost:5173/shop";
/** `f(n)` run by "the page": a module-level call and a loop with a local. */
const SOURCE = "function f(n) {\n  let sum = 0;\n  for (let i = 0; i < n; i++) sum += i;\n  return sum;\n}\nglobalThis.result = f(globalThis.n ?? 3);\n";
const CODE = instrument(SOURCE, { filename: "/app/src/page.js", format: "commonjs", inlineSourceMap: false }).code;
const runProgram = (n = 3) => {
  (globalThis as Record<string, unknown>).n = n;
  new Function(CODE)();
};

interface Sent {
  via: "fetch" | "beacon";
  url: string;
  keepalive: boolean;
  batch: EventBatch;
}

let sent: Sent[];
let listeners: Map<string, (event: { persisted?: boolean }) => void>;
let answer: (batch: EventBatch, tries: number) => Promise<Response> | Response;
let warnings: string[];
let page: { document: { visibilityState: string } };

const decode = (body: unknown) => JSON.parse(new TextDecoder().decode(body as Uint8Array)) as EventBatch;

beforeEach(async () => {
  vi.resetModules();
  vi.useFakeTimers();
  delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
  sent = [];
  listeners = new Map();
  warnings = [];
  answer = () => new Response(null, { status: 204 });
  const tries = new Map<number, number>();
  page = { document: { visibilityState: "visible" } };
  vi.stubGlobal("location", { href: PROGRAM_URL });
  vi.stubGlobal("document", page.document);
  vi.stubGlobal("addEventListener", (type: string, listener: (event: { persisted?: boolean }) => void) => listeners.set(type, listener));
  vi.stubGlobal("navigator", {
    sendBeacon: (url: string, blob: Blob) => {
      void blob.arrayBuffer().then((buffer) => sent.push({ via: "beacon", url, keepalive: true, batch: decode(new Uint8Array(buffer)) }));
      return true;
    },
  });
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    const batch = decode(init.body);
    sent.push({ via: "fetch", url, keepalive: init.keepalive === true, batch });
    expect(new Headers(init.headers).get("content-type")).toBe("application/json");
    const n = (tries.get(batch.seq) ?? 0) + 1;
    tries.set(batch.seq, n);
    return answer(batch, n);
  });
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
});

async function start(): Promise<void> {
  const { startBrowserRecording } = await import("../src/browser.js");
  startBrowserRecording({ endpoint: "/__codetracer__/", format: "binary" });
}

/** Lets the stubs' promises settle and `ms` of (fake) time pass. */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Every distinct batch that reached the server (the first copy of each number), in number order. */
function received(): EventBatch[] {
  const bySeq = new Map<number, EventBatch>();
  for (const s of sent) if (!bySeq.has(s.batch.seq)) bySeq.set(s.batch.seq, s.batch);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

describe("startBrowserRecording", () => {
  it("sends numbered batches that together are the whole valid trace, finished on pagehide with a done beacon", async () => {
    await start();
    runProgram();
    expect(sent).toEqual([]); // batched: nothing yet
    await settle(150);
    expect(sent.map((s) => [s.via, s.url, s.keepalive, s.batch.seq])).toEqual([["fetch", "/__codetracer__/events", true, 0]]);
    const first = sent[0]!.batch;
    expect(first.program).toBe(PROGRAM_URL);
    expect(first.session).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{10}$/);
    runProgram(4);
    await settle(150);
    listeners.get("pagehide")!({ persisted: false });
    await settle();
    const batches = received();
    expect(batches.map((b) => [b.seq, b.session, b.done ?? false])).toEqual([
      [0, first.session, false],
      [1, first.session, false],
      [2, first.session, true],
    ]);
    expect(sent.at(-1)!.via).toBe("beacon");
    const events = batches.flatMap((b) => b.events);
    const report = validateEvents(events, { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(report.stats.calls).toBe(report.stats.returns);
    expect(events[0]).toEqual({ Path: PROGRAM_URL });
    expect(events).toContainEqual({ Path: "/app/src/page.js" });
    expect(events.at(-1)).toEqual({ Return: { return_value: expect.objectContaining({ kind: "Raw", r: "<pagehide>" }) } });
    // The two runs of f returned 3 and 6.
    const returned = events.flatMap((e) => (typeof e === "object" && "Return" in e && e.Return.return_value.kind === "Int" ? [e.Return.return_value.i] : []));
    expect(returned).toEqual(expect.arrayContaining([3, 6]));
    // After pagehide nothing is recorded or sent.
    const count = sent.length;
    runProgram();
    await settle(500);
    expect(sent.length).toBe(count);
    expect(warnings).toEqual([]);
  });

  it("sends a batch that failed again later, and one the server refused (400) never again", async () => {
    answer = (batch, tries) =>
      new Response(batch.seq === 0 && tries < 3 ? "busy" : batch.seq === 1 ? "codetracer: [ERR_TRACE_INVALID] no" : null, {
        status: batch.seq === 0 && tries < 3 ? 503 : batch.seq === 1 ? 400 : 204,
      });
    await start();
    runProgram();
    await settle(150);
    runProgram();
    await settle(150);
    expect(sent.map((s) => s.batch.seq)).toEqual([0, 1]);
    await settle(250);
    expect(sent.map((s) => s.batch.seq)).toEqual([0, 1, 0]);
    await settle(1000);
    expect(sent.map((s) => s.batch.seq)).toEqual([0, 1, 0, 0]);
    await settle(20_000);
    expect(sent.map((s) => s.batch.seq)).toEqual([0, 1, 0, 0]);
    expect(warnings).toEqual([expect.stringContaining("refused batch 1 of session")]);
    expect(warnings[0]).toContain("[ERR_TRACE_INVALID] no");
  });

  it("gives a batch up after its last try, with a warning", async () => {
    answer = () => Promise.reject(new TypeError("Failed to fetch"));
    await start();
    runProgram();
    await settle(150);
    await settle(30_000);
    expect(sent.map((s) => s.batch.seq)).toEqual([0, 0, 0, 0, 0]);
    expect(warnings).toEqual([expect.stringContaining("batch 0 of session")]);
  });

  it("on pagehide, sends again by beacon the unanswered batches a closing page would cancel", async () => {
    const never = new Promise<Response>(() => {});
    answer = () => never;
    await start();
    runProgram(3);
    await settle(150); // batch 0: small, sent with keepalive (the browser delivers it)
    runProgram(2500); // batch 1: over 60 KB, sent without keepalive (cancelled with the page)
    await settle(150);
    const fetched = sent.map((s) => [s.batch.seq, s.keepalive]);
    expect(fetched[0]).toEqual([0, true]);
    expect(fetched.slice(1).some(([, keepalive]) => keepalive === false)).toBe(true);
    const big = sent.filter((s) => !s.keepalive).map((s) => s.batch.seq);
    listeners.get("pagehide")!({ persisted: false });
    await settle();
    const beacons = sent.filter((s) => s.via === "beacon");
    expect(beacons.map((s) => s.batch.seq)).toEqual([...big, sent.filter((s) => s.via === "fetch").length]);
    expect(beacons.at(-1)!.batch.done).toBe(true);
    expect(new TextEncoder().encode(JSON.stringify(beacons.at(-1)!.batch)).length).toBeLessThan(64 * 1024);
    const events = received().flatMap((b) => b.events);
    expect(validateEvents(events, { entryStepRule: "error" }).errors).toEqual([]);
  });

  it("sends at once when the page is hidden, and keeps recording after a back/forward-cache pagehide", async () => {
    await start();
    runProgram();
    page.document.visibilityState = "hidden";
    listeners.get("visibilitychange")!({});
    await settle();
    expect(sent.map((s) => s.batch.seq)).toEqual([0]);
    runProgram();
    listeners.get("pagehide")!({ persisted: true });
    await settle();
    expect(sent.map((s) => [s.batch.seq, s.batch.done ?? false])).toEqual([
      [0, false],
      [1, false],
    ]);
    runProgram();
    listeners.get("pagehide")!({ persisted: false });
    await settle();
    expect(received().map((b) => b.done ?? false)).toEqual([false, false, true]);
    expect(
      validateEvents(
        received().flatMap((b) => b.events),
        { entryStepRule: "error" },
      ).errors,
    ).toEqual([]);
  });

  it("uses the fetch of the page as it was when the runtime loaded, not one the page puts there later", async () => {
    await start();
    const pageFetch = vi.fn();
    vi.stubGlobal("fetch", pageFetch);
    runProgram();
    await settle(150);
    expect(pageFetch).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it("sends an empty batch when nothing was sent for 3 minutes (looked at every 3 minutes), so the dev server keeps an open page's session", async () => {
    await start();
    runProgram();
    await settle(150);
    expect(received().map((b) => b.seq)).toEqual([0]);
    await settle(2 * 60 * 1000);
    expect(received().map((b) => b.seq)).toEqual([0]); // not yet: the last batch is recent
    // Looked at every 3 minutes: sent at the first look 3 minutes after the last batch.
    await settle(4 * 60 * 1000);
    expect(received().map((b) => [b.seq, b.events.length])).toEqual([
      [0, expect.any(Number)],
      [1, 0],
    ]);
    await settle(3 * 60 * 1000);
    runProgram(4);
    await settle(150);
    const batches = received();
    expect(batches.map((b) => b.seq)).toEqual([0, 1, 2, 3]);
    expect(batches[2]!.events).toEqual([]);
    expect(batches[3]!.events.length).toBeGreaterThan(0);
    expect(
      validateEvents(
        batches.flatMap((b) => b.events),
        { entryStepRule: "error" },
      ).errors,
    ).toEqual([]);
    // Recording keeps the batches coming: no heartbeat between them.
    for (let i = 0; i < 4; i++) {
      runProgram();
      await settle(60 * 1000);
    }
    expect(
      received()
        .slice(4)
        .every((b) => b.events.length > 0),
    ).toBe(true);
    listeners.get("pagehide")!({ persisted: false });
    await settle(10 * 60 * 1000);
    const after = sent.length;
    await settle(10 * 60 * 1000);
    expect(sent.length).toBe(after); // finished: no more heartbeats
    expect(warnings).toEqual([]);
  });

  it("starts once", async () => {
    const { startBrowserRecording } = await import("../src/browser.js");
    startBrowserRecording({ endpoint: "/__codetracer__" });
    startBrowserRecording({ endpoint: "/__codetracer__" });
    runProgram();
    await settle(150);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.batch.events.filter((e) => typeof e === "object" && "Path" in e && e.Path === PROGRAM_URL)).toHaveLength(1);
  });
});
