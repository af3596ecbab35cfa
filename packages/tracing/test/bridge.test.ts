/**
 * The hooks for another span API in the same process (src/bridge.ts, docs/spans.md,
 * "OpenTelemetry or @codetracer/tracing?"): recordSpanEvent writes any span in the recording's
 * span shape (the one this library's own spans use), and setParentContextProvider lets another
 * API's current span be the parent of a span started without a `parent` option.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  SpanContext,
  SpanKind,
  SpanStatus,
  Tracer,
  recordSpanEvent,
  setParentContextProvider,
  withSpan,
  type ParentContextProvider,
  type Span,
} from "../src/index.js";

let calls: Array<{ phase: string; data: Record<string, unknown> }> = [];
function installHost(spanEvent = (phase: string, data: Record<string, unknown>) => void calls.push({ phase, data })): void {
  Object.defineProperty(globalThis, "__codetracer__", { value: { spanEvent }, configurable: true, writable: true });
}
afterEach(() => {
  calls = [];
  setParentContextProvider(undefined);
  delete (globalThis as { __codetracer__?: unknown }).__codetracer__;
});

describe("recordSpanEvent", () => {
  it("writes a foreign span exactly as a span of this library", () => {
    installHost();
    const span = new Tracer("t").startSpan("s", { kind: SpanKind.SERVER, attributes: { a: 1 } });
    span.setStatus(SpanStatus.ERROR, "bad");
    span.finish();
    const c = span.context;
    const base = { name: "s", traceId: c.traceId, spanId: c.spanId, parentSpanId: null, kind: SpanKind.SERVER, tracer: "t", attributes: { a: 1 } };
    recordSpanEvent("start", base);
    recordSpanEvent("end", { ...base, status: SpanStatus.ERROR, statusMessage: "bad", durationNs: span.duration });
    expect(calls[2]).toEqual(calls[0]);
    expect(calls[3]).toEqual(calls[1]);
    expect(calls[1]!.data).toMatchObject({ kind: "SERVER", status: "ERROR", status_message: "bad", duration_ns: String(span.duration) });
  });

  it("writes no status_message without one, UNSET without a status, and never throws", () => {
    installHost();
    recordSpanEvent("end", {
      name: "x",
      traceId: "1".repeat(32),
      spanId: "2".repeat(16),
      parentSpanId: null,
      kind: SpanKind.CLIENT,
      tracer: "o",
      attributes: {},
      durationNs: 5n,
    });
    expect(calls[0]!.data).toEqual({
      name: "x",
      trace_id: "1".repeat(32),
      span_id: "2".repeat(16),
      parent_span_id: null,
      kind: "CLIENT",
      tracer: "o",
      attributes: {},
      status: "UNSET",
      duration_ns: "5",
    });
    installHost(() => {
      throw new Error("boom");
    });
    expect(() =>
      recordSpanEvent("start", { name: "x", traceId: "1".repeat(32), spanId: "2".repeat(16), parentSpanId: null, kind: 1, tracer: "o", attributes: {} }),
    ).not.toThrow();
  });
});

describe("setParentContextProvider", () => {
  it("gives a span without a parent option the provider's parent, and tells it about every span", () => {
    const remote = SpanContext.root();
    const seen: Array<Span | undefined> = [];
    const started: string[] = [];
    const provider: ParentContextProvider = {
      parentFor: (current) => (seen.push(current), current ?? remote),
      spanStarted: (span) => void started.push(span.name),
    };
    expect(setParentContextProvider(provider)).toBeUndefined();
    const tracer = new Tracer("t");
    const outer = tracer.startSpan("outer");
    expect(outer.context.parentSpanId).toBe(remote.spanId);
    expect(outer.context.traceId).toBe(remote.traceId);
    const inner = withSpan(outer, () => tracer.startSpan("inner"));
    expect(inner.context.parentSpanId).toBe(outer.context.spanId);
    expect(seen).toEqual([undefined, outer]);
    // An explicit parent (also null) is kept and the provider is not asked.
    expect(tracer.startSpan("root", { parent: null }).context.parentSpanId).toBeNull();
    expect(seen).toHaveLength(2);
    expect(started).toEqual(["outer", "inner", "root"]);
    expect(setParentContextProvider(undefined)).toBe(provider);
    expect(tracer.startSpan("alone").context.parentSpanId).toBeNull();
  });

  it("falls back to the current span when the provider throws, and ignores spanStarted's errors", () => {
    setParentContextProvider({
      parentFor: () => {
        throw new Error("provider bug");
      },
      spanStarted: () => {
        throw new Error("bookkeeping bug");
      },
    });
    const tracer = new Tracer("t");
    const outer = tracer.startSpan("outer", { parent: null });
    const inner = withSpan(outer, () => tracer.startSpan("inner"));
    expect(inner.context.parentSpanId).toBe(outer.context.spanId);
  });
});
