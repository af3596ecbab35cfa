/**
 * The OTLP exporter's and the tracer's bounds against real misbehaving collectors (node:http
 * servers on 127.0.0.1): one that never answers (shutdown and the exit of a program both end
 * within the one flush deadline, however many batches wait), one that answers with a huge body
 * (at most a few KB are read, then the connection is closed; the status decides), one that drips
 * its body slowly (a failure once the time is up), and the spans still queued when a program
 * ends, by itself or with `process.exit()` (sent, and received by the collector).
 */
import { spawn } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ExportError, MAX_RESPONSE_BYTES, OtlpHttpExporter, Tracer } from "../src/index.js";

const DIST = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js")).href;

interface Collector {
  url: string;
  /** Spans received in complete requests. */
  spans: string[];
  /** Requests whose body arrived. */
  requests: number;
  /** Bytes of answer bodies the server managed to write. */
  written: number;
  close(): Promise<void>;
}
const servers: Collector[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A collector on 127.0.0.1 that reads each request, then `answer`s it (or not). */
async function collector(answer: (res: http.ServerResponse, c: Collector) => void): Promise<Collector> {
  const sockets = new Set<import("node:net").Socket>();
  const c: Collector = { url: "", spans: [], requests: 0, written: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      c.requests++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) c.spans.push(span.name);
      } catch {
        // counted as a request anyway
      }
      res.on("error", () => {});
      answer(res, c);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  c.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  servers.push(c);
  return c;
}

/** Writes `total` bytes of body (after a 200 or `status`), in 1 MiB chunks, respecting backpressure; stops when the client goes away. */
function hugeBody(status: number, total: number) {
  return (res: http.ServerResponse, c: Collector) => {
    res.writeHead(status, { "content-type": "application/json", "content-length": String(total) });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let left = total;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        const more = res.write(n === chunk.length ? chunk : chunk.subarray(0, n), (error) => {
          if (!error) c.written += n;
        });
        if (!more) return void res.once("drain", pump);
      }
      if (left === 0) res.end();
    };
    pump();
  };
}

/** Runs an ES module in a child Node process; resolves with its exit, stdout and the time it exited (ms since the epoch). */
function runChild(source: string): Promise<{ code: number | null; out: string; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out: out + err, exitedAt: Date.now() }));
  });
}

const lineOf = (out: string, key: string) => {
  const m = out.match(new RegExp(`${key} (\\S+)`));
  if (!m) throw new Error(`no "${key}" in the child's output:\n${out}`);
  return m[1]!;
};

describe("a collector that never answers", () => {
  it("tracer.shutdown() ends within the one flush deadline however many batches wait, and counts every span", { timeout: 30_000 }, async () => {
    const c = await collector(() => {}); // reads the request, never answers
    const deadline = 400;
    const exporter = new OtlpHttpExporter({ url: c.url, timeoutMillis: 10_000 });
    const tracer = new Tracer("stuck", { exporter, batchSize: 1, flushTimeoutMs: deadline });
    for (let i = 0; i < 20; i++) tracer.startSpan(`s${i}`).finish();
    const started = Date.now();
    await tracer.shutdown();
    const took = Date.now() - started;
    expect(took).toBeLessThan(3 * deadline);
    // One export was in progress (aborted: failed), the 19 batches behind it were dropped.
    expect(tracer.failedExports).toBe(1);
    expect(tracer.droppedSpans).toBe(19);
  });

  it("tracer.flush() is bounded the same way, and the tracer goes on exporting afterwards", { timeout: 30_000 }, async () => {
    let answering = false;
    const c = await collector((res) => {
      if (answering) res.writeHead(200).end("{}");
    });
    const tracer = new Tracer("stuck", { exporter: new OtlpHttpExporter({ url: c.url }), batchSize: 1, flushTimeoutMs: 300 });
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).finish();
    const started = Date.now();
    await tracer.flush();
    expect(Date.now() - started).toBeLessThan(900);
    expect(tracer.failedExports + tracer.droppedSpans).toBe(5);
    answering = true;
    tracer.startSpan("after").finish();
    await tracer.flush();
    expect(c.spans).toContain("after");
    expect(tracer.failedExports + tracer.droppedSpans).toBe(5);
  });

  it("a program that ends by itself exits within the deadline (not 10 s per batch)", { timeout: 60_000 }, async () => {
    const c = await collector(() => {});
    const deadline = 500;
    const { code, out, exitedAt } = await runChild(`
      import { OtlpHttpExporter, Tracer } from ${JSON.stringify(DIST)};
      const tracer = new Tracer("stuck", { exporter: new OtlpHttpExporter({ url: ${JSON.stringify(c.url)}, timeoutMillis: 3000 }), batchSize: 1, flushTimeoutMs: ${deadline} });
      for (let i = 0; i < 20; i++) tracer.startSpan("s" + i).finish();
      process.on("exit", () => console.log("counted", tracer.failedExports + tracer.droppedSpans));
      console.log("main-done", Date.now());
    `);
    expect(code).toBe(0);
    expect(exitedAt - Number(lineOf(out, "main-done"))).toBeLessThan(3 * deadline);
    expect(Number(lineOf(out, "counted"))).toBe(20);
  });

  it("a program that calls process.exit() exits within the deadline, the queued spans counted as failed", { timeout: 60_000 }, async () => {
    const c = await collector(() => {});
    const deadline = 500;
    const { code, out, exitedAt } = await runChild(`
      import { OtlpHttpExporter, Tracer } from ${JSON.stringify(DIST)};
      const tracer = new Tracer("stuck", { exporter: new OtlpHttpExporter({ url: ${JSON.stringify(c.url)} }), scheduleDelayMs: 60000, flushTimeoutMs: ${deadline} });
      for (let i = 0; i < 3; i++) tracer.startSpan("s" + i).finish();
      process.on("exit", () => console.log("failed", tracer.failedExports));
      console.log("main-done", Date.now());
      process.exit(0);
    `);
    expect(code).toBe(0);
    // The exit-time export runs in a child process of its own: Node's start-up is added to the deadline.
    expect(exitedAt - Number(lineOf(out, "main-done"))).toBeLessThan(3 * deadline + 2000);
    expect(lineOf(out, "failed")).toBe("1");
    expect(c.requests).toBe(1);
  });
});

describe("the collector's answer", () => {
  const TOTAL = 256 * 1024 * 1024;

  it.each([
    [200, "succeeds"],
    [500, "fails"],
  ] as const)(
    `a ${TOTAL / 2 ** 20} MiB body with status %i: at most a few KB are read, and the export %s by its status`,
    { timeout: 60_000 },
    async (status, outcome) => {
      const c = await collector(hugeBody(status, TOTAL));
      const exporter = new OtlpHttpExporter({ url: c.url, timeoutMillis: 20_000 });
      const tracer = new Tracer("big");
      const span = tracer.startSpan("one");
      span.finish();
      global.gc?.();
      const rss = process.memoryUsage().rss;
      const started = Date.now();
      const result = exporter.export([span]);
      if (outcome === "succeeds") await expect(result).resolves.toBeUndefined();
      else {
        const error = await result.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ExportError);
        expect((error as ExportError).code).toBe("ERR_EXPORT_HTTP");
        expect((error as ExportError).message).toContain("HTTP 500");
      }
      expect(Date.now() - started).toBeLessThan(5000);
      const grown = process.memoryUsage().rss - rss;
      expect(grown).toBeLessThan(64 * 1024 * 1024);
      // The connection was closed after the first bytes: the server could not write the rest (kernel buffers hold a few MB).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(c.written).toBeLessThan(64 * 1024 * 1024);
      expect(MAX_RESPONSE_BYTES).toBeLessThanOrEqual(16 * 1024);
    },
  );

  it("a body that drips slower than the timeout is a failure (ERR_EXPORT_TIMEOUT), also through the tracer", { timeout: 30_000 }, async () => {
    const c = await collector((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(" ")), 50);
      res.on("close", () => clearInterval(drip));
    });
    const exporter = new OtlpHttpExporter({ url: c.url, timeoutMillis: 600 });
    const tracer = new Tracer("drip", { exporter, batchSize: 1 });
    const span = tracer.startSpan("one");
    span.finish();
    await tracer.flush();
    expect(tracer.failedExports).toBe(1);
    const started = Date.now();
    const error = await exporter.export([span]).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ExportError).code).toBe("ERR_EXPORT_TIMEOUT");
    expect((error as ExportError).message).toContain("body still arriving");
    expect(Date.now() - started).toBeLessThan(1800);
  });
});

describe("spans still queued when the program ends", () => {
  const program = (url: string, end: string) => `
    import { OtlpHttpExporter, Tracer } from ${JSON.stringify(DIST)};
    const tracer = new Tracer("partial", { exporter: new OtlpHttpExporter({ url: ${JSON.stringify(url)} }), scheduleDelayMs: 60000 });
    for (const name of ["a", "b", "c"]) tracer.startSpan(name).finish();
    process.on("exit", () => console.log("counts", tracer.failedExports + "/" + tracer.droppedSpans));
    ${end}
  `;

  it.each([
    ["ends by itself", ""],
    ["calls process.exit()", "process.exit(0);"],
  ])("are exported when the program %s (a batch of 3 of 10, 60 s before its timer)", { timeout: 60_000 }, async (_how, end) => {
    const c = await collector((res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    const { code, out } = await runChild(program(c.url, end));
    expect(code).toBe(0);
    expect(c.spans.sort()).toEqual(["a", "b", "c"]);
    expect(lineOf(out, "counts")).toBe("0/0");
  });
});
