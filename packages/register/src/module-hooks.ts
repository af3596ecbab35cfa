/**
 * The loader's module customization hooks (`resolve`, `load`), one implementation for both
 * ways Node runs them:
 *
 * - `module.registerHooks` (Node ≥ 22.15 and ≥ 23.5): synchronous hooks in the thread that
 *   registers them, with a synchronous `nextResolve`/`nextLoad`. The loader uses it where it
 *   exists (see {@link registerModuleHooks}): no module hooks thread is started, and the hooks
 *   share the thread's filter chain, transform cache and configuration with the `require` hook.
 * - `module.register` (Node 20, older 22): asynchronous hooks on Node's module hooks thread,
 *   where `./hooks.ts` creates them from the configuration handed over as `data`.
 *
 * Each hook returns what its `next` returns when it passes a module on (a value when `next` is
 * synchronous, a promise when it is not), and its own answers are computed synchronously; only
 * the first compile may wait, for the compile module the hooks thread imports lazily.
 *
 * They resolve TypeScript files behind `.js` specifiers, compile TS/JSX, and instrument the ES
 * modules that are recorded. CommonJS files are handed back to Node's CommonJS loader (source
 * `null`), where the `require` hook of `./cjs.ts` compiles and instruments them, so
 * `require.main`, `require.cache` and `module` behave as under plain Node. Under
 * `module.registerHooks` the load hook is also asked by that loader, for the files the `require`
 * hook passes on to Node's own handlers: it compiles the ES modules among them (require(esm),
 * with the format Node decided) and leaves the rest as Node reads them.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import { fileURLToPath } from "node:url";
import { isSupportedFile, needsCompile } from "@codetracer/instrument/files";
import type { LoaderFilter } from "./loader-filter.js";
import { moduleFormat } from "./format.js";
import { typeScriptAlternatives } from "./ts-specifiers.js";
import { isInstrumentSyntaxError } from "./instrument-error.js";
import { runtimeAlias } from "./runtime-alias.js";

type MaybePromise<T> = T | Promise<T>;

export interface ResolveContext {
  parentURL?: string | undefined;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
export interface ResolveResult {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean;
}
export interface LoadContext {
  format?: string | null | undefined;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
export interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
export type NextResolve = (specifier: string, context: ResolveContext) => MaybePromise<ResolveResult>;
export type NextLoad = (url: string, context: LoadContext) => MaybePromise<LoadResult>;

/** The module hooks, with Node's signature (synchronous `next` under `module.registerHooks`). */
export interface ModuleHooks {
  resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): MaybePromise<ResolveResult>;
  load(url: string, context: LoadContext, nextLoad: NextLoad): MaybePromise<LoadResult>;
}

/** The part of `./compile.ts` the load hook uses. */
export interface Compiler {
  compileForLoader(
    source: string,
    filename: string,
    options: { format: "module" | "commonjs"; record: boolean; sourceFileName?: string },
    filter: LoaderFilter,
  ): string;
}

export interface ModuleHooksOptions {
  /** Whether a file is recorded (instrumented); other supported files are only compiled when they must be (TS, JSX). */
  shouldRecord(file: string): boolean;
  /** The trace filter's part in compiling. */
  filter: LoaderFilter;
  /** The compile step: at hand (the program's thread), or imported when first needed (the hooks thread). */
  compiler(): MaybePromise<Compiler>;
  /**
   * True while this thread compiles a file: what is loaded then is the instrumenter's own
   * (Babel loads parts of itself lazily), passed on as it is.
   */
  compiling?(): boolean;
  /**
   * URLs of the loader's own modules, passed on as they are; modules they import are added
   * (the hooks thread, whose own imports pass through these hooks).
   */
  ownModules?: Set<string>;
}

const isPromise = <T>(value: MaybePromise<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === "function";

/** `onValue(run())`, or `onError` of what `run` throws or rejects with: synchronous when `run` is. */
function settle<T, R>(run: () => MaybePromise<T>, onValue: (value: T) => MaybePromise<R>, onError: (error: unknown) => MaybePromise<R>): MaybePromise<R> {
  let value: MaybePromise<T>;
  try {
    value = run();
  } catch (error) {
    return onError(error);
  }
  return isPromise(value) ? value.then(onValue, onError) : onValue(value);
}

/** `then(value)` now, or when the promise settles. */
function then<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(value) ? value.then(next) : next(value);
}

/** Creates the hooks (see the module comment). */
export function createModuleHooks(options: ModuleHooksOptions): ModuleHooks {
  const { shouldRecord, filter, ownModules } = options;
  const compiling = options.compiling ?? (() => false);
  /** `@codetracer/runtime` imported by the program is the loader's copy (see `./runtime-alias.ts`). */
  const alias = runtimeAlias();

  /** Like Node's resolver, plus TypeScript's conventions: `./x.js` may name `./x.ts`, `./x` may name `./x.ts`. */
  function resolveWithTypeScript(specifier: string, context: ResolveContext, nextResolve: NextResolve): MaybePromise<ResolveResult> {
    return settle(
      () => nextResolve(specifier, context),
      (result) => result,
      (error) => {
        const code = (error as { code?: string } | null)?.code;
        const relative = /^\.{1,2}\/|^\/|^file:/.test(specifier);
        if (!relative || (code !== "ERR_MODULE_NOT_FOUND" && code !== "ERR_UNSUPPORTED_DIR_IMPORT")) throw error;
        const candidates = typeScriptAlternatives(specifier, true);
        const attempt = (i: number): MaybePromise<ResolveResult> => {
          if (i >= candidates.length) throw error;
          return settle(
            () => nextResolve(candidates[i]!, context),
            (result) => result,
            () => attempt(i + 1),
          );
        };
        return attempt(0);
      },
    );
  }

  return {
    resolve(specifier, context, nextResolve) {
      return then(resolveWithTypeScript(specifier, context, nextResolve), (result) => {
        if (ownModules && context.parentURL !== undefined && ownModules.has(context.parentURL)) ownModules.add(result.url);
        const url = alias.url(result.url, context.parentURL);
        return url === result.url ? result : { ...result, url };
      });
    },

    /** Compiles and instruments supported files; everything else goes to Node unchanged. */
    load(url, context, nextLoad) {
      if (!url.startsWith("file:") || compiling() || ownModules?.has(url)) return nextLoad(url, context);
      // Asked by Node's CommonJS loader (only `module.registerHooks` hooks are; its conditions
      // always hold "require"): one of its own `require.extensions` handlers reads a file the
      // `require` hook passed on. Node has decided the format: an ES module (require(esm)) is
      // compiled here, anything else is left as Node reads it.
      const fromRequire = context.conditions?.includes("require") === true;
      if (fromRequire && context.format !== "module" && context.format !== "module-typescript") return nextLoad(url, context);
      const file = fileURLToPath(url);
      if (!isSupportedFile(file) || context.importAttributes?.type) return nextLoad(url, context);
      const record = shouldRecord(file);
      if (!record && !needsCompile(file)) return nextLoad(url, context);
      const source = readFileSync(file, "utf8");
      // Asked by the ES module loader for a CommonJS file: Node loads the module with
      // `Module._load` then, where the `require` hook compiles it (and the modules it requires).
      if (!fromRequire && moduleFormat(file, () => source) === "commonjs") return { format: "commonjs", source: null, shortCircuit: true };
      return then(options.compiler(), ({ compileForLoader }) => {
        try {
          const code = compileForLoader(source, file, { format: "module", record, sourceFileName: url }, filter);
          return { format: "module", source: code, shortCircuit: true };
        } catch (error) {
          if (!isInstrumentSyntaxError(error)) throw error;
          // Plain JS that does not parse: hand Node the original so it reports its own SyntaxError.
          if (!needsCompile(file)) return { format: "module", source, shortCircuit: true };
          throw error.toSyntaxError();
        }
      });
    },
  };
}

type RegisterHooks = (hooks: {
  resolve?: (specifier: string, context: ResolveContext, nextResolve: (specifier: string, context?: Partial<ResolveContext>) => ResolveResult) => ResolveResult;
  load?: (url: string, context: LoadContext, nextLoad: (url: string, context?: Partial<LoadContext>) => LoadResult) => LoadResult;
}) => { deregister(): void };

/** `module.registerHooks` where Node has it (≥ 22.15, ≥ 23.5). */
export function syncHooksApi(): RegisterHooks | undefined {
  const registerHooks = (Module as unknown as { registerHooks?: unknown }).registerHooks;
  return typeof registerHooks === "function" ? (registerHooks as RegisterHooks) : undefined;
}

/**
 * Registers `hooks` with `module.registerHooks` in this thread when Node has it; returns false
 * (registering nothing) when it does not, and the caller uses `module.register` instead.
 * The compile step must then be at hand (not a promise).
 */
export function registerModuleHooks(hooks: ModuleHooks): boolean {
  const registerHooks = syncHooksApi();
  if (!registerHooks) return false;
  registerHooks.call(Module, {
    resolve: (specifier, context, nextResolve) => synchronous(hooks.resolve(specifier, context, nextResolve)),
    load: (url, context, nextLoad) => synchronous(hooks.load(url, context, nextLoad)),
  });
  return true;
}

/** `value`, which a hook under `module.registerHooks` must return as it is (its `next` is synchronous, its compile step at hand). */
function synchronous<T>(value: MaybePromise<T>): T {
  if (isPromise(value)) throw new Error("codetracer: a module hook registered with module.registerHooks returned a promise");
  return value;
}
