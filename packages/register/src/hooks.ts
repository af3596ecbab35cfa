/**
 * The module hooks as `module.register` loads them on Node's module hooks thread (Node 20 and
 * the Node 22 releases without `module.registerHooks`; elsewhere the loader registers the same
 * hooks in its own thread, see `./loader.ts`). They are those of `./module-hooks.ts`, created
 * from the configuration the loader hands over as `data`.
 */
import { installIdleRuntime } from "@codetracer/runtime/internal";
import type { LoaderConfig } from "./config.js";
import { NO_FILTER, type LoaderFilter } from "./loader-filter.js";
import { createFileFilter } from "./filter.js";
import { recordingScopeOf } from "./trace-filter.js";
import {
  createModuleHooks,
  type LoadContext,
  type LoadResult,
  type ModuleHooks,
  type NextLoad,
  type NextResolve,
  type ResolveContext,
  type ResolveResult,
} from "./module-hooks.js";

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

let hooks: ModuleHooks | undefined;

/**
 * Receives the {@link HooksData}. The recording scope is set up again here from the same
 * files (the main thread validated them before the program started).
 */
export async function initialize(data: HooksData): Promise<void> {
  let shouldRecord: (file: string) => boolean = () => false;
  let filter: LoaderFilter = NO_FILTER;
  if (!data.compileOnly) {
    const scope = recordingScopeOf(data);
    const skipped = data.skippedFiles ? new Int32Array(data.skippedFiles) : null;
    const countSkipped = (scopes: number) => {
      if (skipped) Atomics.add(skipped, 0, scopes);
    };
    filter = { scopesFor: scope.scopesFor, fingerprint: scope.fingerprint, countSkipped };
    shouldRecord = createFileFilter(data, scope.chain, () => countSkipped(1));
  }
  hooks = createModuleHooks({
    shouldRecord,
    filter,
    ownModules,
    compiler: () =>
      (compileModule ??= import("./compile.js").then((compile) => {
        compile.useTransformCache(data.transformCache);
        return compile;
      })),
  });
  // This thread records nothing, but it runs the program's own hooks modules, which these
  // hooks instrument when they are registered after them: give them a runtime that records nothing.
  installIdleRuntime();
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  return hooks ? hooks.resolve(specifier, context, nextResolve) : nextResolve(specifier, context);
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  return hooks ? hooks.load(url, context, nextLoad) : nextLoad(url, context);
}
