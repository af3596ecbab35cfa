/**
 * The OpenTelemetry SDK environment variables (docs/spans.md, "OpenTelemetry environment
 * variables"), each against a real `OtlpHttpExporter` posting to a real `node:http` collector on
 * 127.0.0.1: the endpoint's URL path, the headers, the export timeout (a collector that never
 * answers), the resource attributes in the posted JSON, `OTEL_SDK_DISABLED` (no request, the
 * recording still gets the spans), the `OTEL_BSP_*` batching, the warnings for values that
 * cannot be used (one per variable, never a throw), and the report of an exporter that keeps
 * failing (once, not once per batch).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ExportError, OtlpHttpExporter, Tracer } from "../src/index.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = pathToFileURL(path.join(HERE, "../dist/index.js")).href;
const REPO = path.resolve(HERE, "../../..");

/** What the collector received in one request. */
interface Request {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans: Array<{ spans: Array<{ name: string }> }>;
    }>;
  };
}

interface Collector {
  /** `http://127.0.0.1:PORT` (no path). */
  base: string;
  requests: Request[];
  close(): Promise<void>;
}
const collectors: Collector[] = [];

/** A collector on 127.0.0.1: records each request, then `answer`s it (200 by default; a function that does nothing never answers). */
async function collector(
  answer: (res: http.ServerResponse) => void = (res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"),
): Promise<Collector> {
  const sockets = new Set<import("node:net").Socket>();
  const c: Collector = { base: "", requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      c.requests.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.on("error", () => {});
      answer(res);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  c.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  c.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  collectors.push(c);
  return c;
}

const OTEL_VARS = Object.keys(process.env).filter((k) => k.startsWith("OTEL_") || k.startsWith("CODETRACER_LOG"));
let saved: NodeJS.ProcessEnv;
let stderr: MockInstance;
/** The records this package wrote on stderr (JSON lines of target codetracer.tracing). */
const records = () =>
  stderr.mock.calls
    .map((call) => String(call[0]))
    .flatMap((text) => text.split("\n"))
    .filter((line) => line.includes('"codetracer.tracing"'))
    .map((line) => JSON.parse(line) as { level: string; target: string; message: string; error_code?: string; fields?: Record<string, unknown> });

beforeEach(() => {
  saved = { ...process.env };
  for (const key of OTEL_VARS) delete process.env[key];
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(async () => {
  process.env = saved;
  stderr.mockRestore();
  for (const c of collectors.splice(0)) await c.close();
});

/** Sets the variables (undefined: unset) while `make` runs, i.e. while the exporter or tracer reads them. */
function withEnv<T>(vars: Record<string, string | undefined>, make: () => T): T {
  const before = { ...process.env };
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return make();
  } finally {
    process.env = before;
  }
}

/** Exports `names` as spans through a tracer on `exporter` and waits for them. */
async function send(exporter: OtlpHttpExporter, names: string[] = ["one"]): Promise<Tracer> {
  const tracer = new Tracer("env", { exporter, scheduleDelayMs: 60_000 });
  for (const name of names) tracer.startSpan(name).finish();
  await tracer.flush();
  return tracer;
}

const resourceOf = (r: Request) => Object.fromEntries(r.body.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
const batchSizes = (c: Collector) => c.requests.map((r) => r.body.resourceSpans[0]!.scopeSpans.reduce((n, s) => n + s.spans.length, 0));

describe("endpoint", () => {
  it("OTEL_EXPORTER_OTLP_ENDPOINT is a base: v1/traces is appended after a slash", async () => {
    const c = await collector();
    for (const base of [`${c.base}/mycollector`, `${c.base}/mycollector/`]) {
      const exporter = withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: base }, () => new OtlpHttpExporter());
      expect((await send(exporter)).failedExports).toBe(0);
    }
    expect(c.requests.map((r) => r.path)).toEqual(["/mycollector/v1/traces", "/mycollector/v1/traces"]);
    // Nothing else of the URL is changed: a base ending in "//" keeps both slashes.
    await send(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${c.base}/double//` }, () => new OtlpHttpExporter()));
    expect(c.requests[2]!.path).toBe("/double//v1/traces");
    // A value that is not an http(s) URL is ignored with one warning: the default applies.
    for (const value of ["ftp://collector:21", "collector:4318 x"]) {
      expect(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: value }, () => new OtlpHttpExporter()).url).toBe("http://localhost:4318/v1/traces");
      expect(withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: value }, () => new OtlpHttpExporter()).url).toBe("http://localhost:4318/v1/traces");
    }
    expect(records().map((r) => r.fields?.variable)).toEqual(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]);
  });

  it("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as it is, over OTEL_EXPORTER_OTLP_ENDPOINT; one that is not an http(s) URL is ignored with one warning", async () => {
    const c = await collector();
    const vars = { OTEL_EXPORTER_OTLP_ENDPOINT: `${c.base}/general`, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${c.base}/custom/spans` };
    await send(withEnv(vars, () => new OtlpHttpExporter()));
    await send(withEnv({ ...vars, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: c.base }, () => new OtlpHttpExporter()));
    expect(c.requests.map((r) => r.path)).toEqual(["/custom/spans", "/"]);
    // An unusable per-signal endpoint falls back to the general one (and never throws).
    for (let i = 0; i < 3; i++) await send(withEnv({ ...vars, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "collector:4318 /v1" }, () => new OtlpHttpExporter()));
    expect(c.requests.slice(2).map((r) => r.path)).toEqual(["/general/v1/traces", "/general/v1/traces", "/general/v1/traces"]);
    const warnings = records();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: "WARN",
      target: "codetracer.tracing",
      error_code: "ERR_INVALID_ENV",
      fields: { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" },
    });
    // An explicit url wins over both.
    await send(withEnv(vars, () => new OtlpHttpExporter({ url: `${c.base}/explicit` })));
    expect(c.requests.at(-1)!.path).toBe("/explicit");
  });
});

describe("headers", () => {
  it("OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_TRACES_HEADERS: percent-decoded, TRACES wins per key, explicit options win over both", async () => {
    const c = await collector();
    const vars = {
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=general, x-team = a%20b%2Cc%3Dd ,x-general-only=1",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "API-Key=traces%21,x-traces-only=2",
    };
    await send(withEnv(vars, () => new OtlpHttpExporter({ url: `${c.base}/v1/traces` })));
    await send(withEnv(vars, () => new OtlpHttpExporter({ url: `${c.base}/v1/traces`, headers: { "X-Team": "explicit" } })));
    const [env, explicit] = c.requests.map((r) => r.headers);
    expect(env).toMatchObject({ "api-key": "traces!", "x-team": "a b,c=d", "x-general-only": "1", "x-traces-only": "2", "content-type": "application/json" });
    expect(explicit).toMatchObject({ "api-key": "traces!", "x-team": "explicit", "x-general-only": "1", "x-traces-only": "2" });
    expect(records()).toEqual([]);
  });

  it("a variable with an entry that is not key=value, or not a valid header, is ignored with one warning; the other still applies", async () => {
    const c = await collector();
    const vars = { OTEL_EXPORTER_OTLP_HEADERS: "api-key=general", OTEL_EXPORTER_OTLP_TRACES_HEADERS: "api-key=traces,broken" };
    for (let i = 0; i < 2; i++) await send(withEnv(vars, () => new OtlpHttpExporter({ url: `${c.base}/v1/traces` })));
    await send(withEnv({ OTEL_EXPORTER_OTLP_HEADERS: "bad%20name=1" }, () => new OtlpHttpExporter({ url: `${c.base}/v1/traces` })));
    expect(c.requests.map((r) => r.headers["api-key"])).toEqual(["general", "general", undefined]);
    expect(c.requests[2]!.headers["bad name"]).toBeUndefined();
    expect(records().map((r) => r.fields?.variable)).toEqual(["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"]);
  });
});

describe("timeout", () => {
  it("OTEL_EXPORTER_OTLP_TIMEOUT: a collector that never answers is a failure after that many ms", { timeout: 30_000 }, async () => {
    const c = await collector(() => {});
    const exporter = withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: "300" }, () => new OtlpHttpExporter({ url: `${c.base}/v1/traces` }));
    const tracer = new Tracer("env", { exporter, scheduleDelayMs: 60_000, flushTimeoutMs: 8000 });
    tracer.startSpan("one").finish();
    const started = Date.now();
    await tracer.flush();
    const took = Date.now() - started;
    expect(tracer.failedExports).toBe(1);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2500);
    expect(c.requests).toHaveLength(1);
    expect(exporter.timeoutMillis).toBe(300);
  });

  it(
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT wins over OTEL_EXPORTER_OTLP_TIMEOUT; an explicit timeoutMillis over both; invalid values warn once and are ignored",
    { timeout: 30_000 },
    async () => {
      const c = await collector(() => {});
      const exporter = withEnv(
        { OTEL_EXPORTER_OTLP_TIMEOUT: "9000", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "200" },
        () => new OtlpHttpExporter({ url: `${c.base}/v1/traces` }),
      );
      const started = Date.now();
      const error = await exporter.export(makeSpans()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toBeInstanceOf(ExportError);
      expect((error as ExportError).code).toBe("ERR_EXPORT_TIMEOUT");
      expect((error as ExportError).message).toContain("after 200 ms");
      expect(withEnv({ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "200" }, () => new OtlpHttpExporter({ timeoutMillis: 50 })).timeoutMillis).toBe(50);
      // Invalid: not a number, negative, a fraction: ignored (the general variable, else 10000, applies), one warning each.
      for (let i = 0; i < 2; i++) {
        expect(withEnv({ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "soon", OTEL_EXPORTER_OTLP_TIMEOUT: "700" }, () => new OtlpHttpExporter()).timeoutMillis).toBe(700);
        expect(withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: "-5" }, () => new OtlpHttpExporter()).timeoutMillis).toBe(10_000);
        expect(withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: "1.5" }, () => new OtlpHttpExporter()).timeoutMillis).toBe(10_000);
      }
      expect(records().map((r) => r.fields?.variable)).toEqual([
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
      ]);
      // 0 is "no limit" (the longest timer Node keeps); empty is unset.
      expect(withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: "0" }, () => new OtlpHttpExporter()).timeoutMillis).toBe(2 ** 31 - 1);
      expect(withEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: "" }, () => new OtlpHttpExporter()).timeoutMillis).toBe(10_000);
    },
  );
});

function makeSpans() {
  const span = new Tracer("made").startSpan("made");
  span.finish();
  return [span];
}

describe("resource", () => {
  it("OTEL_RESOURCE_ATTRIBUTES are the posted resource's attributes (percent-decoded); OTEL_SERVICE_NAME wins for service.name; explicit resource wins over both", async () => {
    const c = await collector();
    const url = `${c.base}/v1/traces`;
    const attrs = "service.name=from-attrs, deployment.environment = prod ,team=a%2Cb%3Dc%20d,empty=";
    await send(withEnv({ OTEL_RESOURCE_ATTRIBUTES: attrs }, () => new OtlpHttpExporter({ url })));
    await send(withEnv({ OTEL_RESOURCE_ATTRIBUTES: attrs, OTEL_SERVICE_NAME: "svc" }, () => new OtlpHttpExporter({ url })));
    await send(
      withEnv(
        { OTEL_RESOURCE_ATTRIBUTES: attrs, OTEL_SERVICE_NAME: "svc" },
        () => new OtlpHttpExporter({ url, resource: { "service.name": "mine", team: "t" } }),
      ),
    );
    const [first, second, third] = c.requests.map(resourceOf);
    expect(first).toEqual({ "service.name": "from-attrs", "deployment.environment": "prod", team: "a,b=c d", empty: "" });
    expect(second).toEqual({ "service.name": "svc", "deployment.environment": "prod", team: "a,b=c d", empty: "" });
    expect(third).toEqual({ "service.name": "mine", "deployment.environment": "prod", team: "t", empty: "" });
    expect(records()).toEqual([]);
  });

  it("a value with an entry that is not key=value, or a bad percent-encoding, is discarded whole with one warning", async () => {
    const c = await collector();
    const url = `${c.base}/v1/traces`;
    for (let i = 0; i < 2; i++) await send(withEnv({ OTEL_RESOURCE_ATTRIBUTES: "a=1,broken", OTEL_SERVICE_NAME: "svc" }, () => new OtlpHttpExporter({ url })));
    await send(withEnv({ OTEL_RESOURCE_ATTRIBUTES: "a=1,b=%E0%A4%A" }, () => new OtlpHttpExporter({ url })));
    expect(c.requests.map(resourceOf)).toEqual([{ "service.name": "svc" }, { "service.name": "svc" }, { "service.name": "unknown_service:node" }]);
    expect(records().map((r) => r.fields?.variable)).toEqual(["OTEL_RESOURCE_ATTRIBUTES", "OTEL_RESOURCE_ATTRIBUTES"]);
  });
});

describe("OTEL_SDK_DISABLED", () => {
  it("true (any case): no request at all, through the tracer or the exporter itself; spans still reach the recording host", async () => {
    const c = await collector();
    const url = `${c.base}/v1/traces`;
    const host = {
      events: [] as string[],
      spanEvent(phase: string, data: { name: string }) {
        this.events.push(`${phase} ${data.name}`);
      },
    };
    (globalThis as Record<string, unknown>).__codetracer__ = host;
    try {
      for (const value of ["true", "TRUE", "True"]) {
        const [exporter, tracer] = withEnv({ OTEL_SDK_DISABLED: value }, () => {
          const exporter = new OtlpHttpExporter({ url });
          return [exporter, new Tracer("off", { exporter, batchSize: 1 })] as const;
        });
        tracer.span(`work-${value}`, () => {});
        await exporter.export(makeSpans());
        expect(exporter.exportSync(makeSpans(), 1000)).toBe(true);
        await tracer.shutdown();
        expect([tracer.failedExports, tracer.droppedSpans]).toEqual([0, 0]);
      }
    } finally {
      delete (globalThis as Record<string, unknown>).__codetracer__;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(c.requests).toHaveLength(0);
    expect(host.events.filter((e) => e.includes("work-"))).toEqual([
      "start work-true",
      "end work-true",
      "start work-TRUE",
      "end work-TRUE",
      "start work-True",
      "end work-True",
    ]);
    expect(records()).toEqual([]);
  });

  it("false, empty: enabled, no warning; another value: enabled, with one warning", async () => {
    const c = await collector();
    const url = `${c.base}/v1/traces`;
    for (const value of ["false", "", "yes", "1", "yes"]) await send(withEnv({ OTEL_SDK_DISABLED: value }, () => new OtlpHttpExporter({ url })));
    expect(c.requests).toHaveLength(5);
    expect(records().map((r) => r.message)).toEqual([
      expect.stringContaining('OTEL_SDK_DISABLED="yes" is ignored'),
      expect.stringContaining('OTEL_SDK_DISABLED="1" is ignored'),
    ]);
  });

  it("a recorded program with OTEL_SDK_DISABLED=true sends nothing, and its trace has the span events", { timeout: 60_000 }, async () => {
    const register = path.join(REPO, "packages/register/dist/index.js");
    if (!fs.existsSync(register)) return expect.fail(`build packages/register first (${register})`);
    const c = await collector();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-otel-disabled-"));
    try {
      const program = path.join(dir, "program.mjs");
      fs.writeFileSync(
        program,
        `import { OtlpHttpExporter, Tracer } from ${JSON.stringify(DIST)};
const tracer = new Tracer("shop", { exporter: new OtlpHttpExporter(), batchSize: 1 });
function charge(amount) { return tracer.span("charge", () => amount * 2); }
console.log("charged", charge(21));
await tracer.shutdown();
`,
      );
      const traceDir = path.join(dir, "trace");
      const env: NodeJS.ProcessEnv = { ...process.env, CODETRACER_TRACE: traceDir, OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: c.base };
      delete env.NODE_OPTIONS;
      const run = await runProcess(["--import", pathToFileURL(register).href, program], env);
      expect(run.code, run.out).toBe(0);
      expect(run.out).toContain("charged 42");
      expect(c.requests).toHaveLength(0);
      const { readTraceFolder } = await import("@codetracer/trace-format");
      const folder = readTraceFolder(traceDir);
      const spanEvents = folder.events
        .flatMap((e) => ("Event" in e ? [(e as { Event: { content: string } }).Event.content] : []))
        .filter((s) => s.startsWith("span "));
      expect(spanEvents).toEqual(["span start: charge", "span end: charge"]);
      const rtcli = [process.env.CODETRACER_RTCLI, path.resolve(REPO, "../shared/tools/codetracer-reader/rtcli")].find(
        (f): f is string => !!f && fs.existsSync(f),
      );
      if (rtcli) expect(spawnSync(rtcli, ["read", traceDir], { encoding: "utf8" }).stdout).toMatch(/^events: [1-9]\d*$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("batch span processor variables", () => {
  it("OTEL_BSP_MAX_EXPORT_BATCH_SIZE sets the spans per request (default 10); an explicit batchSize wins", async () => {
    const c = await collector();
    const exporter = new OtlpHttpExporter({ url: `${c.base}/v1/traces` });
    const names = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const tracer = withEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "3" }, () => new Tracer("bsp", { exporter, scheduleDelayMs: 60_000 }));
    for (const name of names) tracer.startSpan(name).finish();
    await tracer.flush();
    expect(batchSizes(c)).toEqual([3, 3, 1]);
    c.requests.length = 0;
    const explicit = withEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "3" }, () => new Tracer("bsp", { exporter, batchSize: 5, scheduleDelayMs: 60_000 }));
    for (const name of names) explicit.startSpan(name).finish();
    await explicit.flush();
    expect(batchSizes(c)).toEqual([5, 2]);
    c.requests.length = 0;
    const unset = new Tracer("bsp", { exporter, scheduleDelayMs: 60_000 });
    for (let i = 0; i < 12; i++) unset.startSpan(`u${i}`).finish();
    await unset.flush();
    expect(batchSizes(c)).toEqual([10, 2]);
    expect(records()).toEqual([]);
  });

  it("invalid values (not a number, negative, zero for a size) are ignored with one warning each, never a throw", async () => {
    const c = await collector();
    const exporter = new OtlpHttpExporter({ url: `${c.base}/v1/traces` });
    const bad = { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "lots", OTEL_BSP_MAX_QUEUE_SIZE: "-1", OTEL_BSP_SCHEDULE_DELAY: "5s", OTEL_BSP_EXPORT_TIMEOUT: "-100" };
    const tracers = withEnv(bad, () => [new Tracer("a", { exporter }), new Tracer("b", { exporter }), new Tracer("c", { exporter })]);
    for (let i = 0; i < 12; i++) tracers[0]!.startSpan(`s${i}`).finish();
    await tracers[0]!.flush();
    expect(batchSizes(c)).toEqual([10, 2]);
    expect(
      records()
        .map((r) => r.fields?.variable)
        .sort(),
    ).toEqual(["OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_SCHEDULE_DELAY"]);
    expect(() => withEnv({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "0" }, () => new Tracer("z", { exporter }))).not.toThrow();
    expect(records().at(-1)).toMatchObject({ fields: { variable: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE" }, message: expect.stringContaining("positive integer") });
  });

  it("OTEL_BSP_MAX_QUEUE_SIZE bounds the waiting spans; a batch size above it becomes the queue size, with a warning", async () => {
    const c = await collector();
    const exporter = new OtlpHttpExporter({ url: `${c.base}/v1/traces` });
    const tracer = withEnv({ OTEL_BSP_MAX_QUEUE_SIZE: "4" }, () => new Tracer("q", { exporter, scheduleDelayMs: 60_000, batchSize: 100 }));
    for (let i = 0; i < 6; i++) tracer.startSpan(`s${i}`).finish();
    expect(tracer.droppedSpans).toBe(2);
    await tracer.flush();
    expect(batchSizes(c)).toEqual([4]);
    c.requests.length = 0;
    const clamped = withEnv(
      { OTEL_BSP_MAX_QUEUE_SIZE: "4", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "50" },
      () => new Tracer("q", { exporter, scheduleDelayMs: 60_000 }),
    );
    for (let i = 0; i < 4; i++) clamped.startSpan(`s${i}`).finish();
    await new Promise((resolve) => setTimeout(resolve, 300)); // a full batch of 4 goes without a flush
    expect(batchSizes(c)).toEqual([4]);
    expect(records().map((r) => r.fields?.variable)).toEqual(["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"]);
  });

  it("OTEL_BSP_SCHEDULE_DELAY: a partial batch goes after that many ms", async () => {
    const c = await collector();
    const tracer = withEnv({ OTEL_BSP_SCHEDULE_DELAY: "50" }, () => new Tracer("d", { exporter: new OtlpHttpExporter({ url: `${c.base}/v1/traces` }) }));
    tracer.startSpan("one").finish();
    await new Promise((resolve) => setTimeout(resolve, 600)); // the default would be 5000 ms
    expect(batchSizes(c)).toEqual([1]);
  });

  it("OTEL_BSP_EXPORT_TIMEOUT is the flush deadline: a stuck collector holds flush() that long, not 10 s", { timeout: 30_000 }, async () => {
    const c = await collector(() => {});
    const tracer = withEnv(
      { OTEL_BSP_EXPORT_TIMEOUT: "300" },
      () => new Tracer("t", { exporter: new OtlpHttpExporter({ url: `${c.base}/v1/traces`, timeoutMillis: 20_000 }), batchSize: 1 }),
    );
    for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`).finish();
    const started = Date.now();
    await tracer.flush();
    expect(Date.now() - started).toBeLessThan(2000);
    expect([tracer.failedExports, tracer.droppedSpans]).toEqual([1, 2]);
  });
});

/** Runs node with `args`; resolves with its exit code and its stdout and stderr together. */
function runProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out: out + err, err }));
  });
}

describe("an exporter that keeps failing", () => {
  it("three failing batches are reported once (a WARN record on stderr with the error code), and counted three times", { timeout: 60_000 }, async () => {
    const c = await collector((res) => res.writeHead(400, { "content-type": "text/plain" }).end("no thanks"));
    const program = `
      import { OtlpHttpExporter, Tracer } from ${JSON.stringify(DIST)};
      const exporter = new OtlpHttpExporter();
      const tracer = new Tracer("shop", { exporter, batchSize: 1 });
      const other = new Tracer("other", { exporter, batchSize: 1 });
      for (const name of ["a", "b", "c"]) { tracer.startSpan(name).finish(); await tracer.flush(); }
      other.startSpan("d").finish();
      await other.flush();
      console.log("failed", tracer.failedExports + other.failedExports);
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: c.base };
    delete env.NODE_OPTIONS;
    const run = await runProcess(["--input-type=module", "-e", program], env);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("failed 4");
    expect(c.requests).toHaveLength(4);
    const lines = run.err.split("\n").filter((l) => l.trim() !== "");
    expect(lines, run.err).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      level: "WARN",
      target: "codetracer.tracing",
      error_code: "ERR_EXPORT_HTTP",
      fields: { tracer: "shop", exporter: "OtlpHttpExporter", url: `${c.base}/v1/traces` },
    });
    expect(record.message).toContain("HTTP 400: no thanks");
    expect(typeof record.ts_micros).toBe("number");
    // CODETRACER_LOG filters it as it filters the recorder's records.
    const quiet = await runProcess(["--input-type=module", "-e", program], { ...env, CODETRACER_LOG: "warn,codetracer.tracing=error" });
    expect(quiet.out).toContain("failed 4");
    expect(quiet.err.trim()).toBe("");
  });

  it("in process: each exporter is reported once, whichever tracer fails with it", async () => {
    const c = await collector((res) => res.writeHead(500).end());
    const exporter = new OtlpHttpExporter({ url: `${c.base}/v1/traces` });
    const tracer = new Tracer("fails", { exporter, batchSize: 1 });
    for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`).finish();
    await tracer.flush();
    expect(tracer.failedExports).toBe(3);
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({ error_code: "ERR_EXPORT_HTTP", fields: { tracer: "fails" } });
  });
});
