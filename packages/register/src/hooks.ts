/**
 * Node module customization hooks (`module.register`), run on Node's loader thread. They
 * resolve TypeScript files behind `.js` specifiers, compile TS/JSX, and instrument the ES
 * modules that are recorded. CommonJS files are handed back to Node's CommonJS loader (source
 * `null`), where the `require` hook of `./cjs.ts` compiles and instruments them on the main
 * thread, so `require.main`, `require.cache` and `module` behave as under plain Node.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isSupportedFile, needsCompile } from "@codetracer/instrument/files";
import { installIdleRuntime } from "@codetracer/runtime";
import type { LoaderConfig } from "./config.js";
import { NO_FILTER, type LoaderFilter } from "./loader-filter.js";
import { createFileFilter } from "./filter.js";
import { filterFingerprint, loadFilterChain, scopeFilterFor } from "./trace-filter.js";
import { moduleFormat } from "./format.js";
import { typeScriptAlternatives } from "./ts-specifiers.js";
import { isInstrumentSyntaxError } from "./instrument-error.js";
import { runtimeAlias } from "./runtime-alias.js";

type Resolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;
interface ResolveContext { parentURL?: string | undefined; conditions: string[]; importAttributes?: Record<string, string> }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
type Load = (url: string, context: LoadContext) => Promise<LoadResult>;
interface LoadContext { format?: string | null; conditions: string[]; importAttributes?: Record<string, string> }
interface LoadResult { format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }

let shouldRecord: (file: string) => boolean = () => false;
let filter: LoaderFilter = NO_FILTER;
/** The transform cache folder (`null`: none), from the loader's config. */
let cacheDir: string | null = null;
/** `@codetracer/runtime` imported by the program is the loader's copy (see `./runtime-alias.ts`). */
const alias = runtimeAlias();

/**
 * The compile step, which loads Babel (~0.3 s) when it first compiles a file: imported when
 * this thread first compiles a file, so a program that has no ES module to compile never loads
 * it here (its CommonJS files are compiled on the main thread). In the bundled `dist/hooks.js`
 * (see `build-bundle.mjs`) its code is part of this file, run at that first `import()`. This
 * thread's own imports pass through these hooks too: the modules they reach
 * ({@link ownModules}) are loaded as they are, never compiled, or the first compile would wait
 * for itself.
 */
const COMPILE_MODULE = new URL("./compile.js", import.meta.url).href;
let compileModule: Promise<typeof import("./compile.js")> | undefined;
/**
 * URLs resolved from the compile module's own import graph; from this module too, which holds
 * the compile module's code when bundled (its `require` of the instrumenter names this file).
 */
const ownModules = new Set<string>([COMPILE_MODULE, import.meta.url]);

/** What `module.register(..., { data })` hands the hooks. */
export interface HooksData extends LoaderConfig {
  /** Nothing is recorded: TypeScript and JSX are only compiled (`@codetracer/register/compile-only`). */
  compileOnly?: boolean;
  /** One Int32 counting the scopes the trace filter skips in files left unrecorded (shared with the main thread). */
  skippedFiles?: SharedArrayBuffer;
}

/**
 * Receives the {@link HooksData}. The trace-filter chain is loaded again here from the same
 * files (the main thread validated them before the program started).
 */
export async function initialize(data: HooksData): Promise<void> {
  cacheDir = data.transformCache;
  if (!data.compileOnly) {
    const chain = loadFilterChain(data);
    const skipped = data.skippedFiles ? new Int32Array(data.skippedFiles) : null;
    filter = {
      scopesFor: (file) => scopeFilterFor(chain, file),
      fingerprint: filterFingerprint(chain, data),
      countSkipped: (scopes) => {
        if (skipped) Atomics.add(skipped, 0, scopes);
      },
    };
    shouldRecord = createFileFilter(data, chain, () => filter.countSkipped(1));
  }
  // This thread records nothing, but it runs the program's own hooks modules, which these
  // hooks instrument when they are registered after them: give them a runtime that records nothing.
  installIdleRuntime();
}

/** Like Node's resolver, plus TypeScript's conventions: `./x.js` may name `./x.ts`, `./x` may name `./x.ts`. */
export async function resolve(specifier: string, context: ResolveContext, nextResolve: Resolve): Promise<ResolveResult> {
  const result = await resolveWithTypeScript(specifier, context, nextResolve);
  if (context.parentURL !== undefined && ownModules.has(context.parentURL)) ownModules.add(result.url);
  const url = alias.url(result.url, context.parentURL);
  return url === result.url ? result : { ...result, url };
}

async function resolveWithTypeScript(specifier: string, context: ResolveContext, nextResolve: Resolve): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const relative = /^\.{1,2}\/|^\/|^file:/.test(specifier);
    if (!relative || (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT")) throw error;
    for (const candidate of typeScriptAlternatives(specifier, true)) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next candidate
      }
    }
    throw error;
  }
}

/** Compiles and instruments supported files; everything else goes to Node unchanged. */
export async function load(url: string, context: LoadContext, nextLoad: Load): Promise<LoadResult> {
  if (!url.startsWith("file:") || ownModules.has(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (!isSupportedFile(file) || context.importAttributes?.type) return nextLoad(url, context);
  const record = shouldRecord(file);
  if (!record && !needsCompile(file)) return nextLoad(url, context);
  const source = await readFile(file, "utf8");
  const format = moduleFormat(file, () => source);
  if (format === "commonjs") return { format: "commonjs", source: null, shortCircuit: true };
  try {
    compileModule ??= import("./compile.js").then((compile) => {
      compile.useTransformCache(cacheDir);
      return compile;
    });
    const { compileForLoader } = await compileModule;
    const code = compileForLoader(source, file, { format: "module", record, sourceFileName: url }, filter);
    return { format: "module", source: code, shortCircuit: true };
  } catch (error) {
    if (!isInstrumentSyntaxError(error)) throw error;
    // Plain JS that does not parse: hand Node the original so it reports its own SyntaxError.
    if (!needsCompile(file)) return { format: "module", source, shortCircuit: true };
    throw error.toSyntaxError();
  }
}
