/**
 * The one compile step of both loader paths (the ES module hooks and the CommonJS `require`
 * hook): `instrument()` with the file's decorator options and the trace filter's decisions,
 * counting the scopes of a file the filter skipped entirely.
 */
import { createRequire } from "node:module";
import type { LoaderFilter } from "./loader-filter.js";
import { cacheKey, readCached, writeCached } from "./transform-cache.js";
import { decoratorsFor } from "./tsconfig.js";

export { NO_FILTER, type LoaderFilter } from "./loader-filter.js";

type Instrumenter = typeof import("@codetracer/instrument");
let instrumenter: Instrumenter | undefined;

/**
 * `@codetracer/instrument`, with Babel (~0.3 s and ~40 MB to load), loaded when this thread
 * first compiles a file: a thread that compiles nothing never loads it (a program whose files
 * are all in the transform cache; where the module hooks run on Node's hooks thread, the main
 * thread of an ES module program, whose files that thread compiles, and the hooks thread of a
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

/** Compiles under way in this thread (a compile loads Babel, which loads parts of itself lazily). */
let compiling = 0;

/**
 * True while this thread compiles a file: a module loaded then is the instrumenter's own, which
 * the loader's hooks (`require` and module hooks) must pass on as it is.
 */
export function isCompiling(): boolean {
  return compiling > 0;
}

/** The transform cache folder of this thread (`null`: no cache; see `transform-cache.ts`). */
let cacheDir: string | null = null;

/** Sets this thread's transform cache folder (`null` turns the cache off). */
export function useTransformCache(dir: string | null): void {
  cacheDir = dir;
}

/**
 * Compiles `source` of `filename` as `format`, inserting the recording calls when `record`;
 * from the transform cache when an identical compile is stored there.
 * @throws InstrumentError as `instrument()` does (a failed compile is not cached)
 */
export function compileForLoader(
  source: string,
  filename: string,
  options: { format: "module" | "commonjs"; record: boolean; sourceFileName?: string },
  filter: LoaderFilter,
): string {
  const decorators = decoratorsFor(filename);
  const key =
    cacheDir === null
      ? undefined
      : cacheKey({
          filename,
          format: options.format,
          record: options.record,
          sourceFileName: options.sourceFileName,
          decorators,
          filter: filter.fingerprint,
          source,
        });
  let out = key === undefined ? undefined : readCached(cacheDir!, key);
  if (!out) {
    const scopes = options.record ? filter.scopesFor(filename) : undefined;
    compiling++;
    try {
      const result = loadInstrumenter().instrument(source, {
        filename,
        format: options.format,
        instrument: options.record,
        ...decorators,
        ...(options.sourceFileName !== undefined ? { sourceFileName: options.sourceFileName } : {}),
        ...(scopes ? { scopes } : {}),
      });
      out = { code: result.code, instrumented: result.instrumented, skipped: result.skipped };
    } finally {
      compiling--;
    }
    if (key !== undefined) writeCached(cacheDir!, key, out);
  }
  if (options.record && !out.instrumented) filter.countSkipped(out.skipped);
  return out.code;
}
