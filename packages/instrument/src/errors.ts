/** Errors of the instrumenter, each with a stable `ERR_*` code. */

/** Stable codes of {@link InstrumentError}. */
export type InstrumentErrorCode = "ERR_INSTRUMENT_SYNTAX" | "ERR_INSTRUMENT_FAILED";

/**
 * A file could not be instrumented. `message` names the file (and for syntax errors the line
 * and column, followed by a code frame); `context` holds `filename` and, when known, `line` and
 * `column` (1-based line, 0-based column, as Babel reports them).
 */
export class InstrumentError extends Error {
  override name = "InstrumentError";
  readonly code: InstrumentErrorCode;
  readonly context: Record<string, string>;

  constructor(code: InstrumentErrorCode, message: string, context: Record<string, string>, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.context = context;
  }

  /** Wraps an error thrown by Babel for `filename`. */
  static fromBabel(error: unknown, filename: string): InstrumentError {
    const e = error as { code?: string; message?: string; loc?: { line: number; column: number } };
    const message = String(e?.message ?? error);
    if (e?.code === "BABEL_PARSE_ERROR" || e?.loc) {
      const context: Record<string, string> = { filename };
      if (e.loc) {
        context.line = String(e.loc.line);
        context.column = String(e.loc.column);
      }
      const text = message.startsWith(filename) ? message : `${filename}: ${message}`;
      return new InstrumentError("ERR_INSTRUMENT_SYNTAX", `SyntaxError: ${text}`, context, error);
    }
    return new InstrumentError("ERR_INSTRUMENT_FAILED", `${filename}: ${message}`, { filename }, error);
  }
}
