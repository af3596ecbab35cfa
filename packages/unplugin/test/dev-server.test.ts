/**
 * The dev server's middleware on a real HTTP server, fed batches by hand: they are written in
 * sequence order whatever order they arrive in, once each; a batch that is not well formed, or
 * whose events would make the trace invalid at that point, gets a 400 and nothing of it is
 * written; missing batches, the server's close and unwritable folders end the folder as
 * partial; what it holds is bounded (open sessions and their files, bytes of batches kept for
 * later, idle sessions finished); and every folder it leaves validates (and CodeTracer's reader,
 * `rtcli`, reads it when it is found).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { repairTrace } from "@codetracer/runtime";
import { readTraceFolder, validateTraceFolder, type TraceMetadata } from "@codetracer/trace-format";
import { formatBytes } from "@codetracer/trace-format/internal";
import { DEV_SERVER_ENDPOINT } from "../src/core.js";
import { createTraceMiddleware, type DevServerRecordingOptions, type TraceMiddleware } from "../src/dev-server.js";
import { DEFAULT_ENDPOINT, IDLE_TIMEOUT_MS, MAX_OPEN_SESSIONS, MAX_PENDING_BATCHES, MAX_PENDING_BYTES, type EventBatch } from "../src/wire.js";

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ct-dev-server-"));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

const int = (i: number) => ({ kind: "Int", i, type_id: 0 });
/** A page's whole recording: the top-level call, a module that calls `f(2)`, `f` returns 3, the page goes away. */
const STREAM: unknown[] = [
  { Path: "http://localhost:5173/" },
  { Function: { path_id: 0, line: 1, name: "<top-level>" } },
  { Call: { function_id: 0, args: [] } },
  { Path: "/app/src/main.ts" },
  { Function: { path_id: 1, line: 1, name: "<module>" } },
  { Step: { path_id: 1, line: 1 } },
  { Call: { function_id: 1, args: [] } },
  { Type: { kind: 7, lang_type: "number", specific_info: { kind: "None" } } },
  { VariableName: "x" },
  { Step: { path_id: 1, line: 5 } },
  { Function: { path_id: 1, line: 2, name: "f" } },
  { Step: { path_id: 1, line: 2 } },
  { Call: { function_id: 2, args: [{ variable_id: 0, value: int(2) }] } },
  { Step: { path_id: 1, line: 3 } },
  { Value: { variable_id: 0, value: int(2) } },
  { Return: { return_value: int(3) } },
  { Step: { path_id: 1, line: 6 } },
  { Value: { variable_id: 0, value: int(3) } },
  { Return: { return_value: { kind: "None", type_id: 0 } } },
  { Return: { return_value: { kind: "Raw", r: "<pagehide>", type_id: 0 } } },
];
/** {@link STREAM} as four batches (cut inside calls and between a declaration and its use). */
const CUTS = [0, 4, 8, 14, STREAM.length];
const PROGRAM = "http://localhost:5173/";

function batches(session: string): [EventBatch, EventBatch, EventBatch, EventBatch] {
  return CUTS.slice(0, -1).map((from, seq): EventBatch => ({
    session,
    seq,
    events: STREAM.slice(from, CUTS[seq + 1]) as EventBatch["events"],
    ...(seq === 0 ? { program: PROGRAM } : {}),
    ...(seq === CUTS.length - 2 ? { done: true } : {}),
  })) as [EventBatch, EventBatch, EventBatch, EventBatch];
}

interface Running {
  url: string;
  traceDir: string;
  traces: TraceMiddleware;
  warnings: string[];
  close(): Promise<void>;
}
const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

let n = 0;
/** The middleware on an HTTP server of its own; requests it passes on get 418. */
async function serve(options: Partial<DevServerRecordingOptions> = {}): Promise<Running> {
  const traceDir = options.traceDir ?? path.join(OUT, `traces-${++n}`);
  const warnings: string[] = [];
  const traces = createTraceMiddleware({ traceDir, format: "json", root: "/app", warn: (m) => warnings.push(m), ...options });
  const server = http.createServer((req, res) =>
    traces.middleware(req, res, () => {
      res.statusCode = 418;
      res.end("next");
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const r: Running = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    traceDir,
    traces,
    warnings,
    close: async () => {
      traces.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  running.push(r);
  return r;
}

async function post(
  r: Running,
  body: unknown,
  headers: Record<string, string> = {},
  where = "/__codetracer__/events",
): Promise<{ status: number; text: string }> {
  const response = await fetch(r.url + where, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

const metadataOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as TraceMetadata;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** CodeTracer's own reader: `$CODETRACER_READER`, else `../shared/tools/codetracer-reader/rtcli` beside the repository. */
const RTCLI = process.env.CODETRACER_READER ?? path.resolve(REPO, "../shared/tools/codetracer-reader/rtcli");
const HAVE_RTCLI = fs.existsSync(RTCLI);

/** What `rtcli read DIR` printed first (`events: N` or `READ ERROR: …`); `events: <n>` when the reader is not found. */
function rtcliRead(dir: string, n: number): string {
  if (!HAVE_RTCLI) return `events: ${n}`;
  try {
    return execFileSync(RTCLI, ["read", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0]!;
  } catch (error) {
    return String((error as { stdout?: unknown }).stdout ?? error).split("\n")[0]!;
  }
}

/** File descriptors open in this process (Linux), or -1 elsewhere. */
const openFds = (): number => {
  try {
    return fs.readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
};

/** Asserts `dir` validates (the strict entry-step rule) and returns its events. */
function validEvents(dir: string): unknown[] {
  const report = validateTraceFolder(dir, { entryStepRule: "error" });
  expect(report.errors).toEqual([]);
  return readTraceFolder(dir).events;
}

describe("the dev server's trace middleware", () => {
  it("uses the endpoint the plugin generates into the page", () => {
    expect(DEV_SERVER_ENDPOINT).toBe(DEFAULT_ENDPOINT);
  });

  it.each(["json", "binary"] as const)("writes the batches in sequence order whatever order they arrive in, each once (%s)", async (format) => {
    const r = await serve({ format });
    const [b0, b1, b2, b3] = batches("s-1");
    expect((await post(r, b3)).status).toBe(202);
    expect((await post(r, b2)).status).toBe(202);
    expect((await post(r, b2)).status).toBe(202); // again, while kept
    expect(r.traces.folders()).toEqual([]); // no folder before batch 0
    expect((await post(r, b1)).status).toBe(202);
    expect((await post(r, b0)).status).toBe(204);
    const dir = path.join(r.traceDir, "s-1");
    expect(r.traces.folders()).toEqual([dir]);
    expect((await post(r, b1)).status).toBe(204); // again, after it was written
    expect(validEvents(dir)).toEqual(STREAM);
    expect(fs.readdirSync(dir).sort()).toEqual([format === "json" ? "trace.json" : "trace.bin", "trace_metadata.json", "trace_paths.json"]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_paths.json"), "utf8"))).toEqual([PROGRAM, "/app/src/main.ts"]);
    const meta = metadataOf(dir);
    expect(meta).toMatchObject({
      workdir: "/app",
      program: PROGRAM,
      args: [],
      recorder: { name: "codetracer-js-recorder", runtime: "browser", target_script: PROGRAM },
      format,
      page_session: "s-1",
      process_exit_status: { code: null, label: "<pagehide>" },
      stats: { events: STREAM.length, dropped_events: 0 },
    });
    expect(meta.partial).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("says each folder it finished through info, as one summary line with its figures", async () => {
    const infos: string[] = [];
    const r = await serve({ format: "binary", info: (m) => infos.push(m) });
    const [b0, b1, b2, b3] = batches("s-info");
    for (const b of [b0, b1, b2]) expect((await post(r, b)).status).toBe(204);
    expect(infos).toEqual([]); // not finished yet
    expect((await post(r, b3)).status).toBe(204);
    const dir = path.join(r.traceDir, "s-info");
    const bytes = fs.statSync(path.join(dir, "trace.bin")).size;
    expect(infos).toEqual([`codetracer: ${dir}${path.sep} — ${STREAM.length} events, ${formatBytes(bytes)} trace.bin, <pagehide>`]);
  });

  it("refuses a batch whose events would make the trace invalid, writes nothing of it, then takes a good one with the same number", async () => {
    const r = await serve();
    const [b0, b1, b2, b3] = batches("s-2");
    expect((await post(r, b0)).status).toBe(204);
    const file = path.join(r.traceDir, "s-2", "trace.json");
    const before = fs.readFileSync(file, "utf8");
    const refusals: [unknown[], string][] = [
      [[{ Step: { path_id: 7, line: 1 } }], "undefined-path-id"],
      [[...b1.events, { Value: { variable_id: 3, value: int(1) } }], "undefined-variable-id"],
      [[...b1.events, { VariableName: "y" }, { Value: { variable_id: 0, value: { kind: "Float", f: "one", type_id: 0 } } }], "invalid-float"],
      [[...b1.events, ...[1, 2, 3].map((i) => ({ Return: { return_value: int(i) } }))], "return-without-call"],
      [["DropLastStep"], "drop-last-step-without-steps"],
    ];
    for (const [events, code] of refusals) {
      const answer = await post(r, { session: "s-2", seq: 1, events });
      expect(answer.status, code).toBe(400);
      expect(answer.text, code).toMatch(new RegExp(`^codetracer: \\[ERR_TRACE_INVALID\\] batch 1 would make the trace invalid: ${code}: event #\\d+`));
      expect(fs.readFileSync(file, "utf8"), code).toBe(before);
    }
    for (const b of [b1, b2, b3]) expect((await post(r, b)).status).toBe(204);
    expect(validEvents(path.join(r.traceDir, "s-2"))).toEqual(STREAM);
  });

  it("drops a kept batch that turns out invalid when its turn comes, and waits for a good one", async () => {
    const r = await serve();
    const [b0, b1, b2, b3] = batches("s-3");
    expect(
      (await post(r, { ...b2, events: [{ Return: { return_value: int(0) } }, { Return: { return_value: int(0) } }, { Return: { return_value: int(0) } }] }))
        .status,
    ).toBe(202);
    expect((await post(r, b0)).status).toBe(204);
    expect((await post(r, b1)).status).toBe(204);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/session s-3: batch 2 would make the trace invalid: return-without-call: .*dropped/);
    expect((await post(r, b3)).status).toBe(202);
    expect((await post(r, b2)).status).toBe(204);
    expect(validEvents(path.join(r.traceDir, "s-3"))).toEqual(STREAM);
  });

  it("rejects requests that are not batches: 400 with the reason, and nothing is written", async () => {
    const r = await serve();
    const bad: [unknown, string][] = [
      ["{", "the body is not JSON"],
      [[], "the body must be a JSON object"],
      [{ seq: 0, events: [] }, "session must be"],
      [{ session: "a/b", seq: 0, events: [] }, "session must be"],
      [{ session: "x".repeat(65), seq: 0, events: [] }, "session must be"],
      [{ session: "s", seq: "0", events: [] }, "seq must be"],
      [{ session: "s", seq: 2 ** 53, events: [] }, "seq must be"],
      [{ session: "s", seq: 0 }, "events must be an array"],
      [{ session: "s", seq: 0, events: [], program: 1 }, "program must be a string"],
      [{ session: "s", seq: 0, events: [], done: "yes" }, "done must be a boolean"],
      [{ session: "s", seq: 0, events: [1] }, "events[0]: an event must be an object"],
      [{ session: "s", seq: 0, events: [{ Path: 1 }] }, "events[0]: Path must be a string"],
      [{ session: "s", seq: 0, events: [{ Call: { function_id: -1, args: [] } }] }, "events[0]: Call needs"],
      [{ session: "s", seq: 0, events: [{ Assignment: {} }] }, 'events[0]: "Assignment" is not an event the recorder sends'],
    ];
    for (const [body, reason] of bad) {
      const answer = await post(r, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.text).toMatch(/^codetracer: \[ERR_TRACE_INVALID\] /);
      expect(answer.text).toContain(reason);
    }
    expect(fs.existsSync(r.traceDir)).toBe(false);
  });

  it("answers 404, 405, 415, 403 and 413 on the endpoint and leaves other paths to the server", async () => {
    const r = await serve();
    expect((await post(r, {}, {}, "/__codetracer__/nope")).status).toBe(404);
    expect((await post(r, {}, {}, "/__codetracer__")).status).toBe(404);
    expect((await post(r, {}, {}, "/src/main.ts")).status).toBe(418);
    expect((await post(r, {}, {}, "/__codetracer__events")).status).toBe(418);
    const get = await fetch(`${r.url}/__codetracer__/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await post(r, batches("s")[0], { "content-type": "text/plain" })).status).toBe(415);
    expect((await post(r, batches("s")[0], { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(r, batches("s")[0], { "sec-fetch-site": "same-origin" })).status).toBe(204);
    const huge = await post(r, `{"session":"big","seq":1,"events":[],"pad":"${"x".repeat(17 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
    expect(r.traces.folders()).toEqual([path.join(r.traceDir, "s")]);
  });

  it(`keeps at most ${MAX_PENDING_BATCHES} batches waiting for a missing one (429 after)`, async () => {
    const r = await serve();
    for (let seq = 1; seq <= MAX_PENDING_BATCHES; seq++) expect((await post(r, { session: "s-5", seq, events: [] })).status).toBe(202);
    const answer = await post(r, { session: "s-5", seq: MAX_PENDING_BATCHES + 1, events: [] });
    expect(answer.status).toBe(429);
    expect(answer.text).toContain("wait for batch 0");
  });

  it("finishes a folder as partial when batches before `done` stay missing", async () => {
    const r = await serve({ gapTimeoutMs: 50 });
    const [b0, b1, , b3] = batches("s-6");
    await post(r, b0);
    await post(r, b1);
    expect((await post(r, b3)).status).toBe(202);
    const dir = path.join(r.traceDir, "s-6");
    await expect.poll(() => fs.existsSync(path.join(dir, "trace_metadata.json")), { timeout: 5000 }).toBe(true);
    const meta = metadataOf(dir);
    expect(meta.partial).toBe(true);
    expect(meta.stats).toMatchObject({ events: CUTS[2], dropped_events: b3.events.length });
    expect(validEvents(dir)).toEqual(STREAM.slice(0, CUTS[2]));
    expect(r.warnings.join("\n")).toContain("ends before a missing batch (2)");
    // Too late now.
    expect((await post(r, batches("s-6")[2])).status).toBe(204);
    expect(metadataOf(dir).stats).toMatchObject({ events: CUTS[2] });
  });

  it("on close, finishes the open folders as partial (repairable until then) and refuses later batches", async () => {
    const r = await serve({ format: "binary" });
    const exitListeners = process.listenerCount("exit");
    const [b0, b1] = batches("s-7");
    await post(r, b0);
    await post(r, b1);
    await post(r, batches("never-started")[1]!);
    const dir = path.join(r.traceDir, "s-7");
    expect(fs.readdirSync(dir).sort()).toEqual(["trace.bin", "trace_metadata.pending.json"]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.pending.json"), "utf8"))).toMatchObject({ program: PROGRAM, page_session: "s-7" });
    r.traces.close();
    r.traces.close();
    expect(process.listenerCount("exit")).toBe(exitListeners - 1);
    expect(fs.readdirSync(dir).sort()).toEqual(["trace.bin", "trace_metadata.json", "trace_paths.json"]);
    expect(metadataOf(dir)).toMatchObject({ partial: true, process_exit_status: { code: null, label: "<server-closed>" }, stats: { events: CUTS[2] } });
    expect(validEvents(dir)).toEqual(STREAM.slice(0, CUTS[2]));
    expect(fs.readdirSync(r.traceDir)).toEqual(["s-7"]); // nothing for a session whose batch 0 never came
    expect((await post(r, batches("s-7")[2])).status).toBe(503);
  });

  it.each(["json", "binary"] as const)("leaves a folder that the recorder's --repair finishes if the dev server is killed (%s)", async (format) => {
    const r = await serve({ format });
    const [b0, b1] = batches("s-10");
    await post(r, b0);
    await post(r, b1);
    const dir = path.join(r.traceDir, "s-10");
    // As if the process died now: nothing more is written, the repair reads what is on disk.
    const result = repairTrace(dir);
    expect(result).toMatchObject({ repaired: true, events: CUTS[2] });
    expect(metadataOf(dir)).toMatchObject({ program: PROGRAM, partial: true, page_session: "s-10" });
    expect(validEvents(dir)).toEqual(STREAM.slice(0, CUTS[2]));
  });

  it.each([
    ["alone on SIGINT: the process then dies of it, as without the middleware", false],
    ["with the program's own SIGINT listener: that one decides", true],
  ])("finishes the open folders on Ctrl+C (SIGINT), %s", { timeout: 30_000 }, async (_name, ownListener) => {
    const traceDir = path.join(OUT, `signal-${++n}`);
    const devServer = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "../dist/dev-server.js")).href;
    const script = [
      `import * as http from "node:http";`,
      `import { createTraceMiddleware } from ${JSON.stringify(devServer)};`,
      `const traces = createTraceMiddleware({ traceDir: ${JSON.stringify(traceDir)}, format: "json", root: "/app" });`,
      ownListener ? `process.on("SIGINT", () => { console.log("own listener"); process.exit(7); });` : "",
      `const server = http.createServer((req, res) => traces.middleware(req, res, () => res.end()));`,
      `server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));`,
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/port (\d+)/);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    const r = { url: `http://127.0.0.1:${port}` } as Running;
    const [b0, b1] = batches("s-11");
    expect((await post(r, b0)).status).toBe(204);
    expect((await post(r, b1)).status).toBe(204);
    child.kill("SIGINT");
    expect(await exited).toEqual(ownListener ? { code: 7, signal: null } : { code: null, signal: "SIGINT" });
    if (ownListener) expect(out).toContain("own listener");
    const dir = path.join(traceDir, "s-11");
    expect(metadataOf(dir)).toMatchObject({ partial: true, process_exit_status: { code: null, label: "<server-closed>" } });
    expect(validEvents(dir)).toEqual(STREAM.slice(0, CUTS[2]));
  });

  it("answers 500 [ERR_IO] when the folder cannot be written, and ends that session", async () => {
    const blocked = path.join(OUT, "a-file");
    fs.writeFileSync(blocked, "");
    const r = await serve({ traceDir: blocked });
    const answer = await post(r, batches("s-8")[0]);
    expect(answer.status).toBe(500);
    expect(answer.text).toMatch(/^codetracer: \[ERR_IO\] cannot write the trace: /);
    expect(r.warnings.join("\n")).toContain("[ERR_IO]");
    expect((await post(r, batches("s-8")[1])).status).toBe(204); // the session is over: nothing more is tried
    expect(r.warnings).toHaveLength(1);
  });
});

describe("the middleware's bounds", () => {
  it(
    `keeps at most ${MAX_OPEN_SESSIONS} sessions open (files) however many never send done, finishing the least recently active (<evicted>)`,
    { timeout: 60_000 },
    async () => {
      const r = await serve();
      const fds = openFds();
      const SESSIONS = 5 * MAX_OPEN_SESSIONS;
      for (let i = 0; i < SESSIONS; i++) {
        const [b0, b1] = batches(`many-${i}`);
        expect((await post(r, b0)).status).toBe(204);
        expect((await post(r, b1)).status).toBe(204);
      }
      if (fds >= 0) expect(openFds() - fds).toBeLessThanOrEqual(MAX_OPEN_SESSIONS + 8);
      expect(r.traces.folders()).toHaveLength(SESSIONS);
      const finished = fs.readdirSync(r.traceDir).filter((s) => fs.existsSync(path.join(r.traceDir, s, "trace_metadata.json")));
      expect(finished).toHaveLength(SESSIONS - MAX_OPEN_SESSIONS);
      const first = path.join(r.traceDir, "many-0");
      expect(metadataOf(first)).toMatchObject({ partial: true, process_exit_status: { code: null, label: "<evicted>" }, stats: { events: CUTS[2] } });
      expect(validEvents(first)).toEqual(STREAM.slice(0, CUTS[2]));
      expect(rtcliRead(first, CUTS[2]!)).toBe(`events: ${CUTS[2]}`);
      expect(r.warnings.filter((w) => w.includes("<evicted>"))).toHaveLength(SESSIONS - MAX_OPEN_SESSIONS);
      expect(r.warnings[0]).toMatch(/session many-0 was the least recently active of 64 unfinished sessions .*finished as partial \(<evicted>\)/);
      // The most recent sessions were not touched, and still take their batches.
      const last = batches(`many-${SESSIONS - 1}`);
      expect((await post(r, last[2])).status).toBe(204);
      expect((await post(r, last[3])).status).toBe(204);
      expect(validEvents(path.join(r.traceDir, `many-${SESSIONS - 1}`))).toEqual(STREAM);
      // A batch of an evicted session is not written (said once).
      expect((await post(r, batches("many-0")[2])).status).toBe(204);
      expect(r.warnings.at(-1)).toContain("session many-0 sent batch 2 after it was finished (<evicted>)");
    },
  );

  it(`bounds the bytes of batches kept for later, all sessions together (${MAX_PENDING_BYTES / 2 ** 20} MiB by default): 429 past it`, async () => {
    const limit = 1024 * 1024;
    const r = await serve({ maxPendingBytes: limit });
    const early = (session: string, seq: number) => ({ session, seq, events: [{ Path: `/pad/${"x".repeat(300 * 1024)}` }] });
    expect((await post(r, early("p-1", 1))).status).toBe(202);
    expect((await post(r, early("p-2", 1))).status).toBe(202);
    expect((await post(r, early("p-3", 1))).status).toBe(202);
    const refused = await post(r, early("p-4", 1));
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/^codetracer: \d+ bytes of batches wait for missing ones \(limit 1048576\); send batch 1 of session p-4 again later/);
    expect(r.warnings.filter((w) => w.includes("bytes of batches already wait"))).toHaveLength(1);
    // Batch 0 of p-1 arrives: its kept batch is written and its bytes freed.
    expect((await post(r, { session: "p-1", seq: 0, events: STREAM.slice(0, 4), program: PROGRAM })).status).toBe(204);
    expect((await post(r, early("p-4", 1))).status).toBe(202);
    expect((await post(r, early("p-5", 1))).status).toBe(429);
  });

  it("finishes a session idle for idleTimeoutMs as partial (<idle>), says so, and the folder is valid", { timeout: 30_000 }, async () => {
    expect(IDLE_TIMEOUT_MS).toBe(600_000);
    const r = await serve({ idleTimeoutMs: 300 });
    const [b0, b1, b2] = batches("idle-1");
    expect((await post(r, b0)).status).toBe(204);
    expect((await post(r, b1)).status).toBe(204);
    await post(r, { session: "idle-nofolder", seq: 3, events: [] }); // batch 0 never comes
    const dir = path.join(r.traceDir, "idle-1");
    await expect.poll(() => fs.existsSync(path.join(dir, "trace_metadata.json")), { timeout: 10_000 }).toBe(true);
    expect(metadataOf(dir)).toMatchObject({
      partial: true,
      process_exit_status: { code: null, label: "<idle>" },
      stats: { events: CUTS[2], dropped_events: 0 },
    });
    expect(fs.existsSync(path.join(dir, "trace_metadata.pending.json"))).toBe(false);
    expect(validEvents(dir)).toEqual(STREAM.slice(0, CUTS[2]));
    expect(rtcliRead(dir, CUTS[2]!)).toBe(`events: ${CUTS[2]}`);
    await expect.poll(() => r.warnings.join("\n"), { timeout: 5000 }).toContain("session idle-nofolder sent no batch");
    expect(r.warnings.join("\n")).toMatch(
      /session idle-1 sent no batch for 0 s without finishing \(no `done`\): its folder .* is finished as partial \(<idle>\)/,
    );
    expect(fs.readdirSync(r.traceDir)).toEqual(["idle-1"]);
    // Later batches are not written.
    expect((await post(r, b2)).status).toBe(204);
    expect(metadataOf(dir).stats).toMatchObject({ events: CUTS[2] });
  });

  it("a session that keeps sending is not finished as idle", { timeout: 30_000 }, async () => {
    const r = await serve({ idleTimeoutMs: 400 });
    const all = batches("busy");
    for (const b of all) {
      expect((await post(r, b)).status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const dir = path.join(r.traceDir, "busy");
    expect(metadataOf(dir)).toMatchObject({ process_exit_status: { label: "<pagehide>" } });
    expect(metadataOf(dir).partial).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("refuses (400) a Call without the entry step before it, as validateTraceFolder's entry-step rule does", async () => {
    const r = await serve();
    const [b0] = batches("s-call");
    expect((await post(r, b0)).status).toBe(204);
    // Batch 0 ends inside the top-level Call; batch 1 declares `f` (path 1, line 2) and calls it with no Step before.
    const events = [{ Function: { path_id: 1, line: 2, name: "f" } }, { Call: { function_id: 1, args: [] } }];
    const answer = await post(r, { session: "s-call", seq: 1, events });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/^codetracer: \[ERR_TRACE_INVALID\] batch 1 would make the trace invalid: missing-entry-step: event #5 Call/);
    // A Step at another line is not the entry step either.
    const elsewhere = await post(r, { session: "s-call", seq: 1, events: [events[0], { Step: { path_id: 1, line: 9 } }, events[1]] });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain("missing-entry-step");
    // With its entry step it is taken.
    expect((await post(r, { session: "s-call", seq: 1, events: [events[0], { Step: { path_id: 1, line: 2 } }, events[1]] })).status).toBe(204);
    expect(r.warnings).toEqual([]);
  });
});
