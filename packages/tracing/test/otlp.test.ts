/**
 * The OTLP/HTTP JSON exporter against a strict receiver started here on 127.0.0.1, which checks
 * every field of each request (path, method, content type, the ExportTraceServiceRequest shape:
 * resource, scopes, hex ids, kinds 1-5, status codes, times as decimal strings, attributes,
 * events) and can answer with chosen status codes; and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set, against that real collector.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OtlpHttpExporter, SpanKind, SpanStatus, Tracer, toOtlpJson } from "../src/index.js";

interface Received {
  path: string;
  method: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: Record<string, unknown>;
  at: number;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
const DECIMAL = /^\d+$/;

/** Checks one AnyValue; returns problems. */
function anyValueProblems(value: unknown, where: string): string[] {
  if (value === null || typeof value !== "object") return [`${where}: not an object`];
  const keys = Object.keys(value);
  if (keys.length !== 1) return [`${where}: one value kind expected, got ${keys.join(",")}`];
  const v = (value as Record<string, unknown>)[keys[0]!];
  switch (keys[0]) {
    case "stringValue":
      return typeof v === "string" ? [] : [`${where}: stringValue`];
    case "boolValue":
      return typeof v === "boolean" ? [] : [`${where}: boolValue`];
    case "intValue":
      return typeof v === "string" && /^-?\d+$/.test(v) ? [] : [`${where}: intValue must be a decimal string`];
    case "doubleValue":
      return typeof v === "number" ? [] : [`${where}: doubleValue`];
    case "arrayValue":
      return Array.isArray((v as { values?: unknown }).values)
        ? (v as { values: unknown[] }).values.flatMap((x, i) => anyValueProblems(x, `${where}[${i}]`))
        : [`${where}: arrayValue.values`];
    default:
      return [`${where}: unknown value kind ${keys[0]}`];
  }
}

function attributeProblems(list: unknown, where: string): string[] {
  if (!Array.isArray(list)) return [`${where}: attributes must be an array`];
  return list.flatMap((kv, i) =>
    typeof kv?.key === "string" && kv.key !== "" ? anyValueProblems(kv.value, `${where}[${i}] ${kv.key}`) : [`${where}[${i}]: key`],
  );
}

/** Every problem of an ExportTraceServiceRequest in OTLP JSON (empty: valid). */
function requestProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const resourceSpans = body.resourceSpans;
  if (!Array.isArray(resourceSpans) || resourceSpans.length === 0) return ["resourceSpans"];
  for (const [r, rs] of resourceSpans.entries()) {
    problems.push(...attributeProblems(rs.resource?.attributes, `resourceSpans[${r}].resource`));
    if (!Array.isArray(rs.scopeSpans)) problems.push(`resourceSpans[${r}].scopeSpans`);
    for (const [s, ss] of (rs.scopeSpans ?? []).entries()) {
      if (typeof ss.scope?.name !== "string") problems.push(`scopeSpans[${s}].scope.name`);
      for (const [i, span] of (ss.spans ?? []).entries()) {
        const at = `spans[${i}]`;
        if (!HEX(32).test(span.traceId) || /^0+$/.test(span.traceId)) problems.push(`${at}.traceId`);
        if (!HEX(16).test(span.spanId) || /^0+$/.test(span.spanId)) problems.push(`${at}.spanId`);
        if (span.parentSpanId !== undefined && !HEX(16).test(span.parentSpanId)) problems.push(`${at}.parentSpanId`);
        if (typeof span.name !== "string" || span.name === "") problems.push(`${at}.name`);
        if (!Number.isInteger(span.kind) || span.kind < 1 || span.kind > 5) problems.push(`${at}.kind`);
        if (!DECIMAL.test(span.startTimeUnixNano) || !DECIMAL.test(span.endTimeUnixNano)) problems.push(`${at} times must be decimal strings`);
        else if (BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)) problems.push(`${at} ends before it starts`);
        if (!Number.isInteger(span.status?.code) || span.status.code < 0 || span.status.code > 2) problems.push(`${at}.status.code`);
        if (span.status?.message !== undefined && typeof span.status.message !== "string") problems.push(`${at}.status.message`);
        problems.push(...attributeProblems(span.attributes, `${at}.attributes`));
        for (const [e, event] of (span.events ?? []).entries()) {
          if (!DECIMAL.test(event.timeUnixNano) || typeof event.name !== "string") problems.push(`${at}.events[${e}]`);
          problems.push(...attributeProblems(event.attributes, `${at}.events[${e}].attributes`));
        }
      }
    }
  }
  return problems;
}

let server: http.Server;
let base: string;
const received: Received[] = [];
/** Statuses (and Retry-After) to answer, in order; then 200. */
let script: Array<{ status: number; retryAfter?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end("not json");
        return;
      }
      received.push({
        path: req.url ?? "",
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        body,
        at: Date.now(),
      });
      const problems = requestProblems(body);
      if (req.method !== "POST" || req.url !== "/v1/traces" || req.headers["content-type"] !== "application/json" || problems.length > 0) {
        res.writeHead(400, { "content-type": "text/plain" }).end(problems.join("\n"));
        return;
      }
      const next = script.shift();
      if (next) res.writeHead(next.status, next.retryAfter !== undefined ? { "retry-after": next.retryAfter } : {}).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function makeSpans(tracer: Tracer) {
  tracer.span("parent", (parent) => {
    parent.setAttribute("http.method", "GET").setAttribute("http.status_code", 200).setAttribute("ratio", 0.5).setAttribute("tags", ["a", "b"]);
    const child = tracer.startSpan("child", { kind: SpanKind.CLIENT });
    child.addEvent("retry", { attempt: 2 }).setStatus(SpanStatus.ERROR, "timeout");
    child.recordException(new Error("timeout"));
    child.finish();
  });
}

describe("OtlpHttpExporter", () => {
  it("posts a valid ExportTraceServiceRequest: resource, scope, hex ids, kinds, status, string times", async () => {
    received.length = 0;
    script = [];
    const exporter = new OtlpHttpExporter({
      url: `${base}/v1/traces`,
      headers: { authorization: "Bearer t" },
      resource: { "service.name": "shop", "service.version": "1.2" },
    });
    const tracer = new Tracer("checkout", { exporter, scheduleDelayMs: 60_000 });
    makeSpans(tracer);
    await tracer.shutdown();
    expect(tracer.failedExports).toBe(0);
    expect(received).toHaveLength(1);
    const req = received[0]!;
    expect([req.method, req.path, req.contentType, req.authorization]).toEqual(["POST", "/v1/traces", "application/json", "Bearer t"]);
    expect(requestProblems(req.body)).toEqual([]);
    const rs = (req.body.resourceSpans as Array<Record<string, any>>)[0]!;
    expect(rs.resource.attributes).toEqual([
      { key: "service.name", value: { stringValue: "shop" } },
      { key: "service.version", value: { stringValue: "1.2" } },
    ]);
    expect(rs.scopeSpans[0].scope).toEqual({ name: "checkout" });
    const [child, parent] = rs.scopeSpans[0].spans;
    expect(parent).toMatchObject({ name: "parent", kind: 1, status: { code: 0 } });
    expect(parent.parentSpanId).toBeUndefined();
    expect(parent.attributes).toEqual([
      { key: "http.method", value: { stringValue: "GET" } },
      { key: "http.status_code", value: { intValue: "200" } },
      { key: "ratio", value: { doubleValue: 0.5 } },
      { key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }, { stringValue: "b" }] } } },
    ]);
    expect(child).toMatchObject({ name: "child", kind: 3, traceId: parent.traceId, parentSpanId: parent.spanId, status: { code: 2, message: "timeout" } });
    expect(child.events.map((e: { name: string }) => e.name)).toEqual(["retry", "exception"]);
  });

  it("retries 429, 502, 503 and 504, honouring Retry-After, then succeeds", async () => {
    received.length = 0;
    script = [{ status: 429, retryAfter: "1" }, { status: 502 }, { status: 503 }, { status: 504 }];
    const exporter = new OtlpHttpExporter({ url: `${base}/v1/traces`, initialBackoffMillis: 10, maxBackoffMillis: 40 });
    const tracer = new Tracer("t", { exporter, batchSize: 1 });
    tracer.startSpan("once").finish();
    await tracer.flush();
    expect(tracer.failedExports).toBe(0);
    expect(received).toHaveLength(5);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1 second
    expect(new Set(received.map((r) => JSON.stringify(r.body))).size).toBe(1); // the same batch each time
  });

  it("does not retry other statuses, and gives up after maxRetries", async () => {
    received.length = 0;
    script = [{ status: 400 }];
    const exporter = new OtlpHttpExporter({ url: `${base}/v1/traces`, initialBackoffMillis: 5 });
    await expect(exporter.export(makeOne())).rejects.toThrow("HTTP 400");
    expect(received).toHaveLength(1);
    received.length = 0;
    script = [{ status: 503 }, { status: 503 }, { status: 503 }];
    const limited = new OtlpHttpExporter({ url: `${base}/v1/traces`, initialBackoffMillis: 5, maxRetries: 2 });
    await expect(limited.export(makeOne())).rejects.toThrow("HTTP 503");
    expect(received).toHaveLength(3);
  });

  it("builds the URL from OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318/v1/traces", () => {
    const saved = { ...process.env };
    try {
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      expect(new OtlpHttpExporter().url).toBe("http://localhost:4318/v1/traces");
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = "http://collector:4318/";
      expect(new OtlpHttpExporter().url).toBe("http://collector:4318/v1/traces");
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "http://traces:9/x";
      expect(new OtlpHttpExporter().url).toBe("http://traces:9/x");
    } finally {
      process.env = saved;
    }
  });

  it("writes OTLP JSON that the strict checker accepts for every kind and status", () => {
    const tracer = new Tracer("kinds");
    const spans = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER].map((kind, i) => {
      const span = tracer.startSpan(`k${kind}`, { kind });
      span.setStatus([SpanStatus.UNSET, SpanStatus.OK, SpanStatus.ERROR][i % 3]!, "why");
      span.finish();
      return span;
    });
    expect(requestProblems(toOtlpJson(spans, { "service.name": "x" }) as Record<string, unknown>)).toEqual([]);
  });
});

function makeOne() {
  const tracer = new Tracer("one");
  const span = tracer.startSpan("one");
  span.finish();
  return [span];
}

describe.runIf(process.env.OTEL_EXPORTER_OTLP_ENDPOINT)("a real collector (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("accepts our spans", async () => {
    const exporter = new OtlpHttpExporter();
    const tracer = new Tracer("codetracer-real-collector-test", { exporter });
    makeSpans(tracer);
    await tracer.shutdown();
    expect(tracer.failedExports).toBe(0);
  });
});
