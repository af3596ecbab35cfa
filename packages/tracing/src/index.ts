/**
 * `@codetracer/tracing`: span tracing beside the CodeTracer recorder, with no dependency on
 * OpenTelemetry (its data model follows OTLP and W3C): spans and tracers, context that follows
 * `await`, timers and event listeners, strict W3C propagation (`traceparent`, `tracestate`,
 * `baggage`) and exporters. See the package README for what is still to come.
 * @packageDocumentation
 */
export { recordSpanEvent, recordingAttached, setParentContextProvider } from "./bridge.js";
export type { ParentContextProvider, SpanRecord } from "./bridge.js";
export { BAGGAGE_MAX_BYTES, formatBaggage, parseBaggage } from "./baggage.js";
export type { BaggageEntry } from "./baggage.js";
export { ConsoleExporter, InMemoryExporter, SpanExporter } from "./exporters.js";
export type { ConsoleExporterOptions, ExportOptions } from "./exporters.js";
export { ExportError, TracingError } from "./errors.js";
export type { ExportErrorCode, TracingErrorCode } from "./errors.js";
export { MAX_RESPONSE_BYTES, OtlpHttpExporter, RETRYABLE_STATUS, toOtlpJson } from "./otlp.js";
export type { OtlpHttpExporterOptions } from "./otlp.js";
export { Span, nowNanos } from "./span.js";
export type { AttributeValue, Attributes, SpanDict, SpanEvent } from "./span.js";
export { SpanContext, SpanKind, SpanStatus, newSpanId, newTraceId } from "./span-context.js";
export type { HeaderCarrier, SpanContextDict } from "./span-context.js";
export { trace } from "./trace.js";
export type { TraceDecorator, TraceOptions } from "./trace.js";
export { TRACESTATE_MAX_MEMBERS, TRACESTATE_PROPAGATE_CHARS, formatTraceparent, formatTracestate, parseTraceparent, parseTracestate } from "./trace-context.js";
export type { HeaderValue, TraceParent } from "./trace-context.js";
export { Tracer, configureTracers, getCurrentSpan, getTracer, withSpan } from "./tracer.js";
export type { StartSpanOptions, TracerOptions } from "./tracer.js";
