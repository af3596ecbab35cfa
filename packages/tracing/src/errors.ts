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
