/**
 * CodeTracerSpanProcessor: every OpenTelemetry span's start and end reach the recorder's runtime
 * host (`globalThis.__codetracer__.spanEvent`) in the shape `@codetracer/tracing` uses for its own
 * spans, through the real OpenTelemetry SDK (BasicTracerProvider 2.x). The recording itself (the
 * events on the right steps, trace_metadata.json) is tested end to end in test/e2e/otel.test.ts.
 */
import { SpanKind as OtelSpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, AlwaysOffSampler } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { SpanKind, SpanStatus, Tracer } from "@codetracer/tracing";
import { CodeTracerSpanProcessor } from "../src/index.js";

type Call = { phase: string; data: Record<string, unknown> };
let calls: Call[] = [];

/** A stand-in for the recorder's runtime host: what it is told, in order. */
function installHost(): void {
  Object.defineProperty(globalThis, "__codetracer__", {
    value: { spanEvent: (phase: string, data: Record<string, unknown>) => calls.push({ phase, data: structuredClone(data) }) },
    configurable: true,
    writable: true,
  });
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(() => {
  calls = [];
  delete (globalThis as { __codetracer__?: unknown }).__codetracer__;
});

describe("CodeTracerSpanProcessor", () => {
  it("writes each span's start and end, in @codetracer/tracing's shape", () => {
    installHost();
    const provider = new BasicTracerProvider({ spanProcessors: [new CodeTracerSpanProcessor({ bridgeContext: false })] });
    const tracer = provider.getTracer("shop", "1.0.0");
    const parent = tracer.startSpan("GET /price", { kind: OtelSpanKind.SERVER, attributes: { "http.method": "GET" } });
    const child = tracer.startSpan("priceOf", { attributes: { list: ["a", "b"] } }, trace.setSpan(context.active(), parent));
    child.setAttribute("price", 700);
    child.setStatus({ code: SpanStatusCode.ERROR, message: "out of tea" });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();

    expect(calls.map((c) => `${c.phase} ${c.data.name}`)).toEqual(["start GET /price", "start priceOf", "end priceOf", "end GET /price"]);
    const p = parent.spanContext();
    expect(calls[0]!.data).toEqual({
      name: "GET /price",
      trace_id: p.traceId,
      span_id: p.spanId,
      parent_span_id: null,
      kind: "SERVER",
      tracer: "shop",
      attributes: { "http.method": "GET" },
    });
    expect(calls[1]!.data).toMatchObject({ parent_span_id: p.spanId, trace_id: p.traceId, kind: "INTERNAL", attributes: { list: ["a", "b"] } });
    const end = calls[2]!.data;
    expect(end).toMatchObject({ status: "ERROR", status_message: "out of tea", attributes: { list: ["a", "b"], price: 700 } });
    expect(typeof end.duration_ns).toBe("string");
    expect(BigInt(end.duration_ns as string) >= 0n).toBe(true);
    expect(calls[3]!.data).toMatchObject({ status: "OK", kind: "SERVER" });
    expect(calls[3]!.data).not.toHaveProperty("status_message");
  });

  it("writes the same keys as a @codetracer/tracing span", () => {
    installHost();
    new Tracer("ct").startSpan("ct span", { kind: SpanKind.CLIENT }).setStatus(SpanStatus.OK).finish();
    const provider = new BasicTracerProvider({ spanProcessors: [new CodeTracerSpanProcessor({ bridgeContext: false })] });
    const span = provider.getTracer("otel").startSpan("otel span", { kind: OtelSpanKind.CLIENT });
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
    const [ctStart, ctEnd, otStart, otEnd] = calls;
    expect(Object.keys(otStart!.data).sort()).toEqual(Object.keys(ctStart!.data).sort());
    expect(Object.keys(otEnd!.data).sort()).toEqual(Object.keys(ctEnd!.data).sort());
    expect([otStart!.data.kind, otEnd!.data.status]).toEqual([ctStart!.data.kind, ctEnd!.data.status]);
  });

  it("maps every OpenTelemetry kind to OTLP's names", () => {
    installHost();
    const tracer = new BasicTracerProvider({ spanProcessors: [new CodeTracerSpanProcessor({ bridgeContext: false })] }).getTracer("k");
    for (const kind of [OtelSpanKind.INTERNAL, OtelSpanKind.SERVER, OtelSpanKind.CLIENT, OtelSpanKind.PRODUCER, OtelSpanKind.CONSUMER])
      tracer.startSpan("s", { kind }).end();
    expect(calls.filter((c) => c.phase === "start").map((c) => c.data.kind)).toEqual(["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]);
  });

  it("does nothing without a recording, after shutdown, and for spans the sampler drops", async () => {
    const processor = new CodeTracerSpanProcessor({ bridgeContext: false });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer("t");
    expect(() => tracer.startSpan("no host").end()).not.toThrow();
    installHost();
    new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [processor] }).getTracer("t").startSpan("dropped").end();
    expect(calls).toEqual([]);
    await processor.shutdown();
    tracer.startSpan("after shutdown").end();
    expect(calls).toEqual([]);
    await expect(processor.forceFlush()).resolves.toBeUndefined();
  });

  it("never throws when the host's spanEvent does", () => {
    Object.defineProperty(globalThis, "__codetracer__", {
      value: {
        spanEvent: () => {
          throw new Error("boom");
        },
      },
      configurable: true,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [new CodeTracerSpanProcessor({ bridgeContext: false })] }).getTracer("t");
    expect(() => tracer.startSpan("s").end()).not.toThrow();
  });
});
