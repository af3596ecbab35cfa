/**
 * The one compile step of both loader paths (the ES module hooks and the CommonJS `require`
 * hook): `instrument()` with the file's decorator options and the trace filter's decisions,
 * counting the scopes of a file the filter skipped entirely.
 */
import { instrument, type ScopeFilter } from "@codetracer/instrument";
import { decoratorsFor } from "./tsconfig.js";

/** The trace filter as the loader uses it. */
export interface LoaderFilter {
  /** The instrumenter's scope decisions for a recorded file. */
  scopesFor(file: string): ScopeFilter | undefined;
  /** Told the number of scopes of a recorded file the filter skipped entirely. */
  countSkipped(scopes: number): void;
}

/** A filter that records everything and counts nothing (`compile-only`, tests). */
export const NO_FILTER: LoaderFilter = { scopesFor: () => undefined, countSkipped: () => {} };

/**
 * Compiles `source` of `filename` as `format`, inserting the recording calls when `record`.
 * @throws InstrumentError as `instrument()` does
 */
export function compileForLoader(
  source: string,
  filename: string,
  options: { format: "module" | "commonjs"; record: boolean; sourceFileName?: string },
  filter: LoaderFilter,
): string {
  const scopes = options.record ? filter.scopesFor(filename) : undefined;
  const out = instrument(source, {
    filename,
    format: options.format,
    instrument: options.record,
    ...decoratorsFor(filename),
    ...(options.sourceFileName !== undefined ? { sourceFileName: options.sourceFileName } : {}),
    ...(scopes ? { scopes } : {}),
  });
  if (options.record && !out.instrumented) filter.countSkipped(out.skipped);
  return out.code;
}
