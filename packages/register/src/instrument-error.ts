/**
 * The instrumenter's syntax errors, recognised by their shape rather than with `instanceof`:
 * `@codetracer/instrument` is loaded lazily with `require` (see `./compile.ts`) and throws its
 * own `InstrumentError`, while the loader's bundled files (`./core.ts`, `./hooks.ts`) carry
 * their own copy of `@codetracer/instrument/files`, whose class is another one.
 */
import type { InstrumentError } from "@codetracer/instrument/files";

/** True for an `InstrumentError` with code `ERR_INSTRUMENT_SYNTAX` (the source does not parse), of any copy of the package. */
export function isInstrumentSyntaxError(error: unknown): error is InstrumentError {
  if (!(error instanceof Error) || error.name !== "InstrumentError") return false;
  const e = error as Partial<InstrumentError>;
  return e.code === "ERR_INSTRUMENT_SYNTAX" && typeof e.toSyntaxError === "function";
}
