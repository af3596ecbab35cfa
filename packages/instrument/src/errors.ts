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
      return new InstrumentError("ERR_INSTRUMENT_SYNTAX", text, context, error);
    }
    return new InstrumentError("ERR_INSTRUMENT_FAILED", `${filename}: ${message}`, { filename }, error);
  }

  /**
   * The error to show a user for a file that does not parse: a `SyntaxError` whose message
   * names the file, line and column and holds Babel's code frame, with no recorder-internal
   * stack frames. `code` is `ERR_INSTRUMENT_SYNTAX`.
   */
  toSyntaxError(): SyntaxError {
    const error = new SyntaxError(this.message);
    const where = this.context.line ? `\n    at ${this.context.filename}:${this.context.line}:${Number(this.context.column ?? 0) + 1}` : "";
    Object.defineProperty(error, "stack", { value: `SyntaxError: ${this.message}${where}`, writable: true, configurable: true });
    Object.defineProperty(error, "code", { value: this.code, enumerable: false, writable: true, configurable: true });
    return error;
  }
}
