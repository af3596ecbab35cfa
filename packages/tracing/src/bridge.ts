/**
 * Hooks for another span API used in the same process, such as OpenTelemetry through
 * `@codetracer/opentelemetry` (docs/spans.md, "OpenTelemetry or @codetracer/tracing?"):
 *
 * - {@link recordSpanEvent} writes a span's start or end into a CodeTracer recording in
 *   progress, in the same shape as this library's own spans;
 * - {@link setParentContextProvider} lets that API's current span be the parent of a span started
 *   here without an explicit parent, and tells it about every span started here.
 *
 * This file does not depend on OpenTelemetry (nor does the package).
 */
import type { Span } from "./span.js";
import { SpanKind, SpanStatus, type SpanContext } from "./span-context.js";

/**
 * A span as the recording describes it (docs/spans.md, "Linked to the recording"): made from a
 * span of this library, or from another API's span.
 */
export interface SpanRecord {
  name: string;
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits, or null for a root span. */
  parentSpanId: string | null;
  kind: SpanKind;
  /** The name of the tracer that made the span (OTLP's instrumentation scope). */
  tracer: string;
  /** The attributes now (copied: later changes are not seen). */
  attributes: Readonly<Record<string, unknown>>;
  /** At the end: the outcome (UNSET if not given). */
  status?: SpanStatus;
  /** At the end: the status description, if any. */
  statusMessage?: string | undefined;
  /** At the end: nanoseconds from the span's start to its end. */
  durationNs?: bigint | null;
}

type Host = { spanEvent?: (phase: string, data: object) => void };

/** The recorder's runtime host of this thread, if a recording can take span events. */
function host(): Host | undefined {
  const found = (globalThis as { __codetracer__?: Host }).__codetracer__;
  return typeof found?.spanEvent === "function" ? found : undefined;
}

/** Whether a CodeTracer runtime that takes span events is loaded in this thread (it records them only while recording). */
export function recordingAttached(): boolean {
  return host() !== undefined;
}

/**
 * Tells a CodeTracer recording in progress in this thread about a span starting or ending: the
 * recorder's runtime host (`globalThis.__codetracer__`, `spanEvent`) writes an `Event` of kind
 * `TraceLogEvent` on the current step (`content` `span start: <name>` or `span end: <name>`,
 * `metadata` the JSON of `name`, `trace_id`, `span_id`, `parent_span_id`, `kind` (by name),
 * `tracer`, `attributes`, and at the end `status` (by name), `status_message` (when there is
 * one) and `duration_ns` (a decimal string)) and lists the trace id in `trace_metadata.json`.
 * Without a recording, nothing. Found through the global object, so this package does not depend
 * on the recorder. Never throws.
 */
export function recordSpanEvent(phase: "start" | "end", span: SpanRecord): void {
  const h = host();
  if (h === undefined) return;
  try {
    const data: Record<string, unknown> = {
      name: span.name,
      trace_id: span.traceId,
      span_id: span.spanId,
      parent_span_id: span.parentSpanId,
      kind: SpanKind[span.kind],
      tracer: span.tracer,
      attributes: { ...span.attributes },
    };
    if (phase === "end") {
      data.status = SpanStatus[span.status ?? SpanStatus.UNSET];
      if (span.statusMessage !== undefined) data.status_message = span.statusMessage;
      data.duration_ns = String(span.durationNs);
    }
    h.spanEvent!(phase, data);
  } catch {
    // the recorder never throws here; a foreign object on the global might
  }
}

/**
 * Another span API's view of "the current span", consulted by `Tracer.startSpan` (see
 * {@link setParentContextProvider}).
 */
export interface ParentContextProvider {
  /**
   * The parent of a span started without an explicit `parent` option, given this library's
   * current span (`getCurrentSpan()`, or undefined): `current` itself, another span's context
   * (e.g. the active OpenTelemetry span's), or undefined for a new trace. Return `current` when
   * the other API has no span nearer than it. If it throws, `current` is used.
   */
  parentFor(current: Span | undefined): Span | SpanContext | undefined;
  /** Told about every span this library starts (after its parent was chosen); errors are ignored. */
  spanStarted?(span: Span): void;
}

let provider: ParentContextProvider | undefined;

/**
 * Installs `next` as the provider of parent contexts (one at a time; undefined removes it), so a
 * span started with another API is the parent of a span started here: `@codetracer/opentelemetry`
 * installs one that returns the active OpenTelemetry span when it started after the current
 * span of this library (docs/spans.md, "OpenTelemetry or @codetracer/tracing?").
 * @returns the provider installed before
 */
export function setParentContextProvider(next: ParentContextProvider | undefined): ParentContextProvider | undefined {
  const previous = provider;
  provider = next;
  return previous;
}

/** @internal The parent of a span started without a `parent` option: the provider's choice, else `current`. */
export function defaultParent(current: Span | undefined): Span | SpanContext | undefined {
  if (provider === undefined) return current;
  try {
    return provider.parentFor(current);
  } catch {
    return current;
  }
}

/** @internal Tells the provider (if any) that `span` started. */
export function spanStarted(span: Span): void {
  try {
    provider?.spanStarted?.(span);
  } catch {
    // the provider's bookkeeping never breaks a span
  }
}
