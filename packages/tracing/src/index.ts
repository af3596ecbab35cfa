/**
 * `@codetracer/tracing`: span tracing beside the CodeTracer recorder, with no dependency on
 * OpenTelemetry. This version has the span identity (`SpanKind`, `SpanStatus`, `SpanContext`)
 * and strict W3C propagation (`traceparent`, `tracestate`, `baggage`); spans, the tracer and the
 * exporters come next (see the package README).
 * @packageDocumentation
 */
export { BAGGAGE_MAX_BYTES, formatBaggage, parseBaggage } from "./baggage.js";
export type { BaggageEntry } from "./baggage.js";
export { SpanContext, SpanKind, SpanStatus, newSpanId, newTraceId } from "./span-context.js";
export type { HeaderCarrier, SpanContextDict } from "./span-context.js";
export {
  TRACESTATE_MAX_MEMBERS,
  TRACESTATE_PROPAGATE_CHARS,
  formatTraceparent,
  formatTracestate,
  parseTraceparent,
  parseTracestate,
} from "./trace-context.js";
export type { HeaderValue, TraceParent } from "./trace-context.js";
