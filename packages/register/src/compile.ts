/**
 * The one compile step of both loader paths (the ES module hooks and the CommonJS `require`
 * hook): `instrument()` with the file's decorator options and the trace filter's decisions,
 * counting the scopes of a file the filter skipped entirely.
 */
import { createRequire } from "node:module";
import type { LoaderFilter } from "./loader-filter.js";
import { decoratorsFor } from "./tsconfig.js";

export { NO_FILTER, type LoaderFilter } from "./loader-filter.js";

type Instrumenter = typeof import("@codetracer/instrument");
let instrumenter: Instrumenter | undefined;

/**
 * `@codetracer/instrument`, with Babel (~0.3 s and ~40 MB to load), loaded when this thread
 * first compiles a file: a thread that compiles nothing never loads it (the main thread of an
 * ES module program, whose files the module hooks thread compiles; the hooks thread of a
 * CommonJS program). `require`, not `import`, because the CommonJS hook is synchronous; the
 * package is an ES module without top-level await, which `require` loads (Node ≥ 20.19).
 */
function loadInstrumenter(): Instrumenter {
  if (instrumenter) return instrumenter;
  // The loader enables source maps for the program's stack traces; Babel's hundreds of modules
  // each name a .map file, which Node would read and parse as they load (~0.3 s): not for ours.
  const sourceMaps = process.sourceMapsEnabled;
  if (sourceMaps) process.setSourceMapsEnabled(false);
  try {
    const require = createRequire(import.meta.url);
    require("@codetracer/instrument/preload"); // Babel through the CommonJS loader first (see there)
    return (instrumenter = require("@codetracer/instrument") as Instrumenter);
  } finally {
    if (sourceMaps) process.setSourceMapsEnabled(true);
  }
}

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
  const out = loadInstrumenter().instrument(source, {
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
