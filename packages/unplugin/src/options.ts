/**
 * The plugin's options: what a user writes in their bundler config, checked once when the
 * plugin is created, so a typo fails the build with a message naming the option.
 */
import * as path from "node:path";
import { EnvironmentError, RecorderError, UsageError, type TraceFormat } from "@codetracer/runtime";
import { EXCLUDE_ENV, INCLUDE_ENV, checkTraceFormat, globsFromEnv, parseEnvBoolean, traceDirFromEnv } from "@codetracer/runtime/internal";
import type { FilterChain, RecordingScope } from "@codetracer/trace-filter";
import { recordingScopeOf, traceFilterPaths } from "@codetracer/register/trace-filter";

/** Options of the bundler plugin (`codetracer()` from `unplugin-codetracer/vite`, `/webpack`, …). */
export interface CodetracerOptions {
  /**
   * Record files matching these globs too (the trace filters' globs: `*` within one folder, `**` across), as the CLI's
   * `--include`: relative globs are relative to the working directory of the build, a glob
   * starting with `**` matches at any depth. Files under `node_modules` are recorded only when
   * a glob names them (`"node_modules/marked/**"`). Added to the globs of `CODETRACER_JS_INCLUDE`
   * in the build's environment (a JSON array or globs separated by `::`, as for the CLI).
   */
  include?: string | readonly string[];
  /**
   * Never record files matching these globs (as `--exclude`; an exclude wins over an include).
   * Added to `CODETRACER_JS_EXCLUDE`'s.
   */
  exclude?: string | readonly string[];
  /**
   * Trace-filter TOML files (`docs/trace-filters.md`), applied at build time after the builtin
   * filter, the project's `.codetracer/trace-filter.toml` and `CODETRACER_TRACE_FILTER`, in
   * order; one string may hold several paths separated by `::`, as `--trace-filter` does.
   * Relative paths are relative to the working directory of the build.
   */
  traceFilter?: string | readonly string[];
  /**
   * Where a run of the built program writes its trace folder. Relative: to the working
   * directory of the run. Default: `CODETRACER_TRACE` of the build's environment (or its
   * deprecated name `CODETRACER_JS_RECORDER_OUT_DIR`), else `trace-out`. At run time
   * `CODETRACER_TRACE` overrides it.
   */
  traceDir?: string;
  /** `binary` (`trace.bin`, the default) or `json` (`trace.json`). Default: `CODETRACER_FORMAT`, else `binary`. */
  format?: TraceFormat;
  /**
   * Instrument at all. Default: only when asked, i.e. when `CODETRACER_TRACE` is set in the
   * build's environment (to the trace folder) or `CODETRACER_ENABLED` is true, so that a
   * production build is never instrumented by accident. When off, the plugin does nothing.
   */
  enabled?: boolean;
  /**
   * Where the built program runs: `node` (the runtime is loaded from `unplugin-codetracer/runtime`
   * at run time and writes the trace folder) or `browser` (the runtime is bundled and sends its
   * events to the dev server). Default: from the bundler's own setting (Vite's environment, webpack's
   * and Rspack's `target`, esbuild's `platform`); `node` for Rollup.
   */
  target?: "node" | "browser";
  /**
   * Instrument a production build for the browser all the same (the name is
   * vite-plugin-istanbul's). Without it such a build is left alone, with a warning, even with
   * `CODETRACER_TRACE` set or `enabled: true`: only a dev server receives a page's events, so a
   * production page would carry the runtime (tens of kB) and send its events nowhere. With it
   * the build is instrumented and a warning says so. "Production" per bundler: Vite `vite build`
   * with mode `production` (or `NODE_ENV=production`); webpack and Rspack `mode: "production"`
   * (also when `mode` is unset: their default); Rollup and esbuild `NODE_ENV=production` in the
   * build's environment (esbuild also `define: { "process.env.NODE_ENV": '"production"' }`).
   * Builds for Node (Vite SSR, webpack `target: "node"`, esbuild `platform: "node"`, Rollup) are
   * instrumented in any mode: their runs write their own trace folders. Default `false`.
   */
  forceBuildInstrument?: boolean;
}

/** The option names, for the unknown-option check. */
const OPTION_NAMES: ReadonlySet<string> = new Set(["include", "exclude", "traceFilter", "traceDir", "format", "enabled", "target", "forceBuildInstrument"]);

/** One filter file of the chain as the run-time runtime rebuilds it (the text is baked into the bundle). */
export interface BakedFilter {
  /** The file's absolute path at build time (reported in `trace_metadata.json`). */
  path: string;
  /** Its project root (the folder `file:` selectors are relative to). */
  root: string;
  /** The TOML text. */
  text: string;
}

/** {@link CodetracerOptions} checked and completed. */
export interface ResolvedOptions {
  enabled: boolean;
  include: string[];
  exclude: string[];
  /** Absolute paths of the filter files after the builtin, in chain order. */
  traceFilters: string[];
  /** As given (relative paths resolve at run time). */
  traceDir: string;
  format: TraceFormat;
  target: "node" | "browser" | undefined;
  /** See {@link CodetracerOptions.forceBuildInstrument}. */
  forceBuildInstrument: boolean;
  /** The working directory of the build. */
  cwd: string;
  /**
   * The recording scope (`@codetracer/trace-filter`'s `loadRecordingScope`, set up once here):
   * the chain, its fingerprint, per-file scope decisions and metadata; `null` when disabled.
   */
  scope: RecordingScope | null;
  /** The trace-filter chain (builtin, project, environment, option, include/exclude): `scope.chain`; `null` when disabled. */
  chain: FilterChain | null;
  /** The chain's files for the run-time runtime (without the builtin): the scope's sources with an absolute path, their texts as read. */
  bakedFilters: BakedFilter[];
}

function fail(option: string, message: string, context: Record<string, string> = {}): never {
  throw new UsageError("ERR_INVALID_POLICY_VALUE", `unplugin-codetracer: option "${option}": ${message}`, { option, ...context });
}

/** Runs `fn`; a recorder error it throws is thrown again with the option's name in front of its message (same code and kind). */
function about<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof RecorderError)) throw error;
    const message = `unplugin-codetracer: option "${option}": ${error.message.replace(/^\[ERR_[A-Z_]+\] /, "")}`;
    const context = { option, ...error.context };
    throw error.kind === "Environment"
      ? new EnvironmentError(error.code, message, context, { cause: error })
      : new UsageError(error.code, message, context, { cause: error });
  }
}

function stringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === "string" && v !== "")) {
    fail(option, `expected a non-empty string or an array of them, got ${JSON.stringify(value)}`);
  }
  return [...(list as string[])];
}

/**
 * Checks the user's options and sets up the recording scope (the trace-filter chain; only when enabled).
 *
 * @param raw - the object passed to the plugin (or `undefined`)
 * @param env - the build's environment (`CODETRACER_TRACE`, `CODETRACER_ENABLED`, `CODETRACER_FORMAT`,
 *   `CODETRACER_TRACE_FILTER`, `CODETRACER_JS_INCLUDE`, `CODETRACER_JS_EXCLUDE`: the names and forms
 *   every front door reads, `@codetracer/runtime`'s `env-names.ts`)
 * @param cwd - the build's working directory
 * @param warn - where the use of a deprecated variable name is reported (once per process);
 *   default `console.warn` with the `codetracer:` prefix
 * @returns the resolved options
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an unknown option or a bad value; the
 *   message starts `unplugin-codetracer: option "<name>":` and the context has `option`
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` (an invalid filter) or EnvironmentError `ERR_IO`
 *   (a missing or unreadable filter file), with the same prefix naming `traceFilter`
 */
export function resolveOptions(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  warn: (message: string) => void = consoleWarn,
): ResolvedOptions {
  if (raw !== undefined && (raw === null || typeof raw !== "object" || Array.isArray(raw))) {
    throw new UsageError("ERR_INVALID_POLICY_VALUE", `unplugin-codetracer: options must be an object, got ${JSON.stringify(raw)}`, {});
  }
  const options = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) fail(key, `unknown option (known: ${[...OPTION_NAMES].join(", ")})`);
  }
  if (options.enabled !== undefined && typeof options.enabled !== "boolean") fail("enabled", `expected true or false, got ${JSON.stringify(options.enabled)}`);
  if (options.forceBuildInstrument !== undefined && typeof options.forceBuildInstrument !== "boolean") {
    fail("forceBuildInstrument", `expected true or false, got ${JSON.stringify(options.forceBuildInstrument)}`);
  }
  const envTraceDir = traceDirFromEnv(env, warn);
  const enabled = (options.enabled as boolean | undefined) ?? enabledByEnv(env, envTraceDir);
  const include = [...globsFromEnv(env, INCLUDE_ENV), ...stringList("include", options.include)];
  const exclude = [...globsFromEnv(env, EXCLUDE_ENV), ...stringList("exclude", options.exclude)];
  const explicitFilters = stringList("traceFilter", options.traceFilter);
  if (options.traceDir !== undefined && (typeof options.traceDir !== "string" || options.traceDir === "")) {
    fail("traceDir", `expected a non-empty path, got ${JSON.stringify(options.traceDir)}`);
  }
  const traceDir = (options.traceDir as string | undefined) ?? envTraceDir ?? "trace-out";
  const format = about("format", () => checkTraceFormat((options.format as string | undefined) ?? (env.CODETRACER_FORMAT || "binary")));
  if (options.target !== undefined && options.target !== "node" && options.target !== "browser") {
    fail("target", `expected "node" or "browser", got ${JSON.stringify(options.target)}`);
  }
  const resolved: ResolvedOptions = {
    enabled,
    include,
    exclude,
    traceFilters: [],
    traceDir,
    format,
    target: options.target as "node" | "browser" | undefined,
    forceBuildInstrument: options.forceBuildInstrument === true,
    cwd,
    scope: null,
    chain: null,
    bakedFilters: [],
  };
  if (!enabled) return resolved;
  const scope = about("traceFilter", () => {
    resolved.traceFilters = traceFilterPaths(undefined, cwd, env, explicitFilters);
    return recordingScopeOf({ traceFilters: resolved.traceFilters, include, exclude, cwd });
  });
  resolved.scope = scope;
  resolved.chain = scope.chain;
  resolved.bakedFilters = scope.sources.filter((f) => path.isAbsolute(f.path)).map((f) => ({ path: f.path, root: f.root, text: f.text }));
  return resolved;
}

/** `console.warn` with the `codetracer:` prefix. */
function consoleWarn(message: string): void {
  console.warn(`codetracer: ${message}`);
}

/**
 * Whether the build's environment asks for recording: `CODETRACER_TRACE` (or its deprecated
 * name) set to the trace folder, or `CODETRACER_ENABLED` true.
 * @param env - the build's environment
 * @param traceDir - the trace folder the environment names, when already read (`traceDirFromEnv`)
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` when `CODETRACER_ENABLED` is not a boolean word
 */
export function enabledByEnv(env: NodeJS.ProcessEnv, traceDir: string | undefined = traceDirFromEnv(env, consoleWarn)): boolean {
  if ((traceDir ?? "") !== "") return true;
  return env.CODETRACER_ENABLED !== undefined && env.CODETRACER_ENABLED !== "" && parseEnvBoolean("CODETRACER_ENABLED", env.CODETRACER_ENABLED);
}
