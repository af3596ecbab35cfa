/**
 * What the CommonJS `require` hook does beside TypeScript runners that patch Node's CommonJS
 * loader too. The recorder compiles the files it records itself (so their lines are the
 * original ones); ts-node (`ts-node -r …`, `node -r ts-node/register`) must then neither compile
 * that output again nor hide its source map:
 *
 * - ts-node's `require.extensions` handler wraps each module's `_compile` with its own
 *   TypeScript compile before handing the module on. When it runs before the recorder's handler
 *   (`node -r @codetracer/register -r ts-node/register`), the recorder's instrumented output
 *   would be compiled, and type-checked, a second time: that fails under type checking and maps
 *   stack traces to the instrumented code.
 * - ts-node installs `@cspotcode/source-map-support`, whose `Error.prepareStackTrace` replaces
 *   Node's source-mapped stack traces and finds the source maps only of the files ts-node
 *   compiled: the files the recorder compiled would show lines of its output.
 *
 * tsx uses Node's own source maps and leaves `_compile` alone: nothing here concerns it.
 */
import Module from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** A CommonJS module as the `require.extensions` handlers receive it. */
export interface CompilableModule {
  _compile(code: string, filename: string): unknown;
}

/** The part of ts-node's registered service (`process[Symbol.for("ts-node.register.instance")]`) used here. */
interface TsNodeService {
  ignored(fileName: string): boolean;
}

/** Where ts-node publishes its registered service (`REGISTER_INSTANCE` in ts-node's API). */
const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");

/** Whether a registered, enabled ts-node compiles `filename` when it is required. */
function tsNodeCompiles(filename: string): boolean {
  const service = (process as unknown as Record<symbol, Partial<TsNodeService> | undefined>)[TS_NODE_INSTANCE];
  if (typeof service?.ignored !== "function") return false;
  try {
    return !service.ignored(filename);
  } catch {
    return false;
  }
}

/**
 * Runs `code`, the recorder's compiled output of `filename`, as the body of `module`. When
 * ts-node's `require` handler ran before the recorder's, it has replaced this module's
 * `_compile` with one that compiles its input as TypeScript first; the output is already
 * JavaScript, so it goes to Node's own `Module.prototype._compile` instead. Any other module
 * runs through its `_compile` as it is.
 */
export function runCompiled(module: CompilableModule, code: string, filename: string): void {
  const wrappedByTsNode = Object.prototype.hasOwnProperty.call(module, "_compile") && tsNodeCompiles(filename);
  if (wrappedByTsNode) (Module.prototype as unknown as CompilableModule)._compile.call(module, code, filename);
  else module._compile(code, filename);
}

/**
 * The state `@cspotcode/source-map-support` shares between its copies
 * (`globalThis[Symbol.for("source-map-support/sharedData")]`, format version 1): the handlers
 * it asks, in order, for the contents of a file named in a stack frame, whose inline
 * `sourceMappingURL` it then follows.
 */
interface SourceMapSupportData {
  version: number;
  retrieveFileHandlers: Array<(pathOrUrl: string) => string | null | undefined>;
}

const SOURCE_MAP_SUPPORT = Symbol.for("source-map-support/sharedData");

/** The recorder's output for each CommonJS file it compiled while source-map-support was loaded, by absolute path. */
const compiledSources = new Map<string, string>();

/** source-map-support's file handler for the files the recorder compiled (nothing for any other file). */
function retrieveCompiled(pathOrUrl: string): string | undefined {
  let file = pathOrUrl.trim();
  if (file.startsWith("file:")) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return compiledSources.get(path.resolve(file));
}

/**
 * Hands `code`, the recorder's compiled output of `filename` (with its inline source map), to a
 * loaded `@cspotcode/source-map-support`, ahead of the handlers it has (ts-node's only knows the
 * files ts-node compiled, and the default one reads the .ts file, which has no source map), so
 * stack traces through `filename` show its original lines as they do under plain Node. Nothing
 * is kept when no such source-map-support is loaded (Node's own source maps need nothing).
 */
export function shareCompiledSource(filename: string, code: string): void {
  const shared = (globalThis as unknown as Record<symbol, Partial<SourceMapSupportData> | undefined>)[SOURCE_MAP_SUPPORT];
  if (shared?.version !== 1 || !Array.isArray(shared.retrieveFileHandlers)) return;
  compiledSources.set(path.resolve(filename), code);
  if (!shared.retrieveFileHandlers.includes(retrieveCompiled)) shared.retrieveFileHandlers.unshift(retrieveCompiled);
}
