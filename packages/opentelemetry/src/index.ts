/**
 * `@codetracer/opentelemetry`: OpenTelemetry spans in the CodeTracer recording. A `SpanProcessor`
 * for the OpenTelemetry JS SDK writes every span's start and end into the trace as
 * `@codetracer/tracing` writes its own, and a context bridge makes a span of either API the parent
 * of a span started with the other (docs/spans.md, "OpenTelemetry or @codetracer/tracing?").
 * @packageDocumentation
 */
export { CodeTracerContextManager, installParentProvider, otelSpanOf, spanContextOf } from "./context.js";
export { CodeTracerSpanProcessor, spanRecordOf } from "./processor.js";
export type { CodeTracerSpanProcessorOptions } from "./processor.js";
