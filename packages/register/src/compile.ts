/**
 * The one compile step of both loader paths (the ES module hooks and the CommonJS `require`
 * hook): `instrument()` with the file's decorator options and the trace filter's decisions,
 * counting the scopes of a file the filter skipped entirely.
 */
import { instrument } from "@codetracer/instrument";
import type { LoaderFilter } from "./loader-filter.js";
import { decoratorsFor } from "./tsconfig.js";

export { NO_FILTER, type LoaderFilter } from "./loader-filter.js";

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
