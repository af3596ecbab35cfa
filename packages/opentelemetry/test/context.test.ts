/**
 * Context both ways between @codetracer/tracing and OpenTelemetry (docs/spans.md, "OpenTelemetry
 * or @codetracer/tracing?"), with the real SDK (NodeTracerProvider 2.x, registered with
 * CodeTracerContextManager): a span started with one API is the child of the nearer (most
 * recently started) current span of either API, across `await` and timers, and OpenTelemetry's
 * W3C propagator sends a CodeTracer span's ids.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { context, propagation, trace, type Span as OtelSpan } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryExporter, SpanContext, Tracer, getCurrentSpan, setParentContextProvider } from "@codetracer/tracing";
import { CodeTracerContextManager, CodeTracerSpanProcessor } from "../src/index.js";

const otelSpans = new InMemorySpanExporter();
const ctSpans = new InMemoryExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new CodeTracerSpanProcessor(), new SimpleSpanProcessor(otelSpans)] });
const otel = provider.getTracer("otel-test");
const ct = new Tracer("ct-test", { exporter: ctSpans, scheduleDelayMs: 1 });

beforeAll(() => {
  provider.register({
    contextManager: new CodeTracerContextManager(),
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
});
afterAll(async () => {
  await provider.shutdown();
});
beforeEach(() => otelSpans.reset());

/** Runs `fn` in a new active OpenTelemetry span, ended afterwards. */
async function inOtel<T>(name: string, fn: (span: OtelSpan) => Promise<T> | T): Promise<T> {
  return otel.startActiveSpan(name, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

const ids = (span: OtelSpan) => span.spanContext();
const parentOf = (span: OtelSpan) => (span as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;

describe("OpenTelemetry → CodeTracer", () => {
  it("a CodeTracer span started in an active OpenTelemetry span is its child", async () => {
    await inOtel("otel outer", async (outer) => {
      await sleep(1);
      ct.span("ct inner", (inner) => {
        expect(inner.context.traceId).toBe(ids(outer).traceId);
        expect(inner.context.parentSpanId).toBe(ids(outer).spanId);
        expect(inner.context.sampled).toBe(true);
      });
    });
  });

  it("carries OpenTelemetry's trace state and baggage to the CodeTracer span", async () => {
    const remote = propagation.extract(context.active(), {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "congo=t61rcWkgMzE",
      baggage: "user=alice",
    });
    await context.with(remote, () =>
      ct.span("continued", (span) => {
        expect(span.context.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
        expect(span.context.parentSpanId).toBe("b7ad6b7169203331");
        expect(span.context.traceState).toEqual([["congo", "t61rcWkgMzE"]]);
        expect(span.context.baggage).toEqual({ user: "alice" });
      }),
    );
  });

  it("an explicit parent option is kept", async () => {
    const parent = SpanContext.root();
    await inOtel("ignored", () => ct.span("explicit", (span) => expect(span.context.parentSpanId).toBe(parent.spanId), { parent }));
    await inOtel("ignored", () => ct.span("root", (span) => expect(span.context.parentSpanId).toBeNull(), { parent: null }));
  });
});

describe("CodeTracer → OpenTelemetry", () => {
  it("an OpenTelemetry span started in a CodeTracer span is its child", async () => {
    await ct.span("ct outer", async (outer) => {
      await sleep(1);
      await inOtel("otel inner", (inner) => {
        expect(ids(inner).traceId).toBe(outer.context.traceId);
        expect(parentOf(inner)).toBe(outer.context.spanId);
      });
    });
    expect(otelSpans.getFinishedSpans().map((s) => s.name)).toEqual(["otel inner"]);
  });

  it("OpenTelemetry's propagator sends the CodeTracer span's ids", () => {
    ct.span("ct client", (span) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      expect(headers.traceparent).toBe(`00-${span.context.traceId}-${span.context.spanId}-01`);
    });
  });

  it("outside every span, OpenTelemetry's context has no span", () => {
    expect(getCurrentSpan()).toBeUndefined();
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

describe("mixed nesting: the nearer span wins", () => {
  it("OTel → CT → OTel → CT, each the parent of the next, across await and timers", async () => {
    const chain: Array<{ traceId: string; spanId: string; parent: string | null | undefined }> = [];
    await inOtel("a (otel)", async (a) => {
      chain.push({ ...ids(a), parent: parentOf(a) ?? null });
      await ct.span("b (ct)", async (b) => {
        chain.push({ traceId: b.context.traceId, spanId: b.context.spanId, parent: b.context.parentSpanId });
        await new Promise((resolve) => setTimeout(resolve, 1));
        await inOtel("c (otel)", async (c) => {
          chain.push({ ...ids(c), parent: parentOf(c) });
          await sleep(1);
          ct.span("d (ct)", (d) => chain.push({ traceId: d.context.traceId, spanId: d.context.spanId, parent: d.context.parentSpanId }));
        });
        // c has ended and is no longer active: a new OpenTelemetry span is b's child again.
        await inOtel("e (otel)", (e) => chain.push({ ...ids(e), parent: parentOf(e) }));
      });
    });
    const [a, b, c, d, e] = chain;
    expect(new Set(chain.map((x) => x.traceId)).size).toBe(1);
    expect([a!.parent, b!.parent, c!.parent, d!.parent, e!.parent]).toEqual([null, a!.spanId, b!.spanId, c!.spanId, b!.spanId]);
  });

  it("a CodeTracer span made current again by withSpan inside an OpenTelemetry span that started later loses to it", async () => {
    // The most recently started span wins: an older CodeTracer span re-entered later is not nearer.
    const old = ct.startSpan("old ct");
    await inOtel("newer otel", async (newer) => {
      const { withSpan } = await import("@codetracer/tracing");
      await withSpan(old, () => inOtel("child", (child) => expect(parentOf(child)).toBe(ids(newer).spanId)));
    });
    old.finish();
  });
});

describe("without CodeTracerContextManager", () => {
  it("the OpenTelemetry → CodeTracer direction still works with OpenTelemetry's own manager", async () => {
    context.disable();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      await inOtel("plain otel", (outer) => ct.span("ct", (inner) => expect(inner.context.parentSpanId).toBe(ids(outer).spanId)));
      // CodeTracer → OpenTelemetry needs the wrapping manager: the OpenTelemetry span is a root.
      await ct.span("ct outer", () => inOtel("otel root", (inner) => expect(parentOf(inner)).toBeUndefined()));
    } finally {
      context.disable();
      context.setGlobalContextManager(new CodeTracerContextManager().enable());
    }
  });

  it("removing the provider leaves CodeTracer spans to their own context", async () => {
    const previous = setParentContextProvider(undefined);
    try {
      await inOtel("otel", () => ct.span("ct", (span) => expect(span.context.parentSpanId).toBeNull()));
    } finally {
      setParentContextProvider(previous);
    }
  });
});
