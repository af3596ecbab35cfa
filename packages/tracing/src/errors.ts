/**
 * The coded errors of `@codetracer/tracing`'s exporters: `message` is `[CODE] text`, `code` is
 * stable (see docs/spans.md, "Exporter bounds").
 */

/** Stable error codes of a failed export. */
export type ExportErrorCode =
  /** The export did not finish within its time (`timeoutMillis`, or the tracer's flush deadline): no answer, or an answer whose body was still arriving. */
  | "ERR_EXPORT_TIMEOUT"
  /** The collector answered with a status that is not 2xx (after the retries for 429/502/503/504). */
  | "ERR_EXPORT_HTTP"
  /** The connection failed (refused, reset, DNS). */
  | "ERR_EXPORT_NETWORK"
  /** The export was aborted by its caller (the tracer's flush deadline) or the exporter was shut down. */
  | "ERR_EXPORT_ABORTED";

/** Why an export failed; the promise of `SpanExporter.export` rejects with it. */
export class ExportError extends Error {
  override name = "ExportError";
  /**
   * @param code - see {@link ExportErrorCode}
   * @param message - the reason, without the code (it is prefixed as `[CODE] `)
   */
  constructor(
    readonly code: ExportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[${code}] ${message}`, options);
  }
}

/**
 * Stable codes of a {@link TracingError} (docs/spans.md, "Errors"):
 * - `ERR_INVALID_TRACER_ARGUMENT`: an argument of `new Tracer`, `getTracer` or
 *   `configureTracers` that cannot be used: a name that is not a string, a second argument that
 *   is neither an exporter (an object with an `export` method) nor an options object, or
 *   `batchSize` and `maxExportBatchSize` given with different values.
 * - `ERR_INVALID_EXPORTER`: an exporter without an `export` method (given as `exporter`, or a
 *   class extending `SpanExporter` that does not define `export`), or `new SpanExporter()` itself.
 * - `ERR_TRACER_EXPORTER_CONFLICT`: `getTracer(name, exporter)` for a tracer that already
 *   exports to another exporter.
 * - `ERR_TRACE_UNSUPPORTED_TARGET`: `trace()` used on something that is not a function or a
 *   method: a class, a field, an accessor, a getter or a setter.
 */
export type TracingErrorCode = "ERR_INVALID_TRACER_ARGUMENT" | "ERR_INVALID_EXPORTER" | "ERR_TRACER_EXPORTER_CONFLICT" | "ERR_TRACE_UNSUPPORTED_TARGET";

/**
 * A call of the tracing API that cannot do what it was asked (thrown at once, never a silent
 * no-op): `message` is `[CODE] text`, `code` is stable (see {@link TracingErrorCode}).
 */
export class TracingError extends TypeError {
  override name = "TracingError";
  /**
   * @param code - see {@link TracingErrorCode}
   * @param message - the reason, without the code (it is prefixed as `[CODE] `)
   */
  constructor(
    readonly code: TracingErrorCode,
    message: string,
  ) {
    super(`[${code}] ${message}`);
  }
}
