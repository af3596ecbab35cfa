/**
 * Start order of the spans of both APIs: the nearer (most recently started) of the current
 * `@codetracer/tracing` span and the active OpenTelemetry span is the parent of a new span
 * (docs/spans.md, "OpenTelemetry or @codetracer/tracing?").
 */

/** Spans (of either API, or OpenTelemetry's wrappers of contexts) → when they started or were first entered. */
const order = new WeakMap<object, number>();
let counter = 0;

/** Records that `span` starts now (a later call for the same span changes nothing). */
export function markStarted(span: object): void {
  if (!order.has(span)) order.set(span, ++counter);
}

/** When `span` started, as an increasing number (later is larger), or -1 if it was never seen. */
export function orderOf(span: object | undefined): number {
  return span === undefined ? -1 : (order.get(span) ?? -1);
}
