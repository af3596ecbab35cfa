/**
 * `CodeTracerSpanProcessor`: an OpenTelemetry `SpanProcessor` that writes every span's start and
 * end into the CodeTracer recording of the thread, exactly as `@codetracer/tracing` writes its
 * own spans (docs/spans.md, "Linked to the recording").
 */
import type { Context, HrTime, SpanContext as OtelSpanContext } from "@opentelemetry/api";
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SpanKind, SpanStatus, recordSpanEvent, recordingAttached, type SpanRecord } from "@codetracer/tracing";
import { installParentProvider } from "./context.js";
import { markStarted } from "./order.js";

/** Options of {@link CodeTracerSpanProcessor}. */
export interface CodeTracerSpanProcessorOptions {
  /**
   * Install the parent provider in `@codetracer/tracing` (see {@link installParentProvider}), so
   * a CodeTracer span started inside an OpenTelemetry span is its child. Default true.
   */
  bridgeContext?: boolean;
}

/** Nanoseconds in an OpenTelemetry `HrTime` (`[seconds, nanoseconds]`). */
function hrTimeToNanos(time: HrTime | undefined): bigint | null {
  if (!Array.isArray(time) || time.length !== 2) return null;
  return BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1]));
}

/** The attribute values that have a JSON form (OpenTelemetry's: strings, numbers, booleans, arrays of them). */
function plainAttributes(attributes: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attributes === undefined || attributes === null) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map((v: unknown) => (typeof v === "string" || typeof v === "boolean" || typeof v === "number" ? v : null));
  }
  return out;
}

/**
 * An OpenTelemetry SDK span (2.x `ReadableSpan`; the 1.x field names `parentSpanId` and
 * `instrumentationLibrary` are read too) as the recording describes it: OpenTelemetry's
 * `SpanKind` (0–4) becomes `@codetracer/tracing`'s (OTLP's 1–5), its status codes are already
 * OTLP's (0–2).
 */
export function spanRecordOf(span: ReadableSpan, phase: "start" | "end"): SpanRecord {
  const sc: OtelSpanContext = span.spanContext();
  const legacy = span as unknown as { parentSpanId?: string; instrumentationLibrary?: { name?: string } };
  const parentSpanId = span.parentSpanContext?.spanId ?? legacy.parentSpanId ?? null;
  const kind = typeof span.kind === "number" && span.kind >= 0 && span.kind <= 4 ? ((span.kind + 1) as SpanKind) : SpanKind.INTERNAL;
  const record: SpanRecord = {
    name: span.name,
    traceId: sc.traceId,
    spanId: sc.spanId,
    parentSpanId: parentSpanId === "" ? null : parentSpanId,
    kind,
    tracer: span.instrumentationScope?.name ?? legacy.instrumentationLibrary?.name ?? "unknown",
    attributes: plainAttributes(span.attributes),
  };
  if (phase === "end") {
    const code = span.status?.code;
    record.status = code === 1 ? SpanStatus.OK : code === 2 ? SpanStatus.ERROR : SpanStatus.UNSET;
    if (typeof span.status?.message === "string" && span.status.message !== "") record.statusMessage = span.status.message;
    record.durationNs = hrTimeToNanos(span.duration);
  }
  return record;
}

/**
 * A `SpanProcessor` for the OpenTelemetry JS SDK (`@opentelemetry/sdk-trace-base` /
 * `sdk-trace-node` 2.x, and `NodeSDK`'s `spanProcessors`): while the thread is being recorded by
 * CodeTracer, each span's start (`onStart`) and end (`onEnd`) is written into the trace as an
 * `Event` of kind `TraceLogEvent` on the step where it happened, with its ids, kind, tracer
 * (instrumentation scope), attributes, and at the end its status and duration, and
 * `trace_metadata.json` lists its trace id. Without a recording it does nothing. It exports
 * nothing: add your exporter's processor beside it. Only spans the sampler records reach a
 * processor (a dropped span is not written).
 *
 * Constructing it also installs the parent provider in `@codetracer/tracing` (unless
 * `bridgeContext: false`), so a CodeTracer span started in an OpenTelemetry span is its child;
 * for the other direction, install {@link CodeTracerContextManager} as the SDK's context manager.
 */
export class CodeTracerSpanProcessor implements SpanProcessor {
  private stopped = false;

  constructor(options: CodeTracerSpanProcessorOptions = {}) {
    if (options.bridgeContext !== false) installParentProvider();
  }

  /** Writes the span's start (and notes its start order for the context bridge). */
  onStart(span: SdkSpan, _parentContext: Context): void {
    markStarted(span);
    if (this.stopped || !recordingAttached()) return;
    recordSpanEvent("start", spanRecordOf(span, "start"));
  }

  /** Writes the span's end. */
  onEnd(span: ReadableSpan): void {
    if (this.stopped || !recordingAttached()) return;
    recordSpanEvent("end", spanRecordOf(span, "end"));
  }

  /** Nothing is buffered: resolves at once. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Spans started or ended afterwards are not written. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
