/**
 * The loader's trace-filter chain (`@codetracer/trace-filter`): which files and functions are
 * instrumented, and which values are captured.
 *
 * Chain, in order (later rules override earlier ones):
 * 1. `builtin-default`: skips files under `node_modules`, redacts secret-looking names;
 * 2. the first `.codetracer/trace-filter.toml` found walking up from the entry script's folder
 *    to the project root (the nearest folder with a `package.json` or `.git`), passing over,
 *    with a warning, one that another user owns or that group or others can write
 *    (docs/trace-filters.md, "Discovery");
 * 3. `CODETRACER_TRACE_FILTER` entries (`::`-separated; the CLI appends its `--trace-filter`s);
 * 4. `<inline:include-exclude>`, built from `--include` / `--exclude` (`CODETRACER_JS_INCLUDE`,
 *    `CODETRACER_JS_EXCLUDE`): `file:glob:` rules for globs relative to the working directory
 *    (or absolute), `exec = "trace"` for includes and then `"skip"` for excludes, so an exclude
 *    wins.
 *
 * The chain, its fingerprint, the per-file scope decisions and the `trace_filter` metadata are
 * set up once by `@codetracer/trace-filter`'s recording scope (`loadRecordingScope`, through
 * {@link recordingScopeOf}), the same factory every front door uses.
 */
import { loadRecordingScope, resolveFilterPaths, type RecordingScope } from "@codetracer/trace-filter";
import { UsageError } from "@codetracer/runtime";
import { fromTraceFilterError, log } from "@codetracer/runtime/internal";

/** What the chain is built from (a part of the loader configuration). */
export interface FilterConfig {
  /** Filter files after the builtin, in chain order (absolute paths). */
  traceFilters: string[];
  include: string[];
  exclude: string[];
  cwd: string;
}

/** A project filter discovery passed over, and why (see `discoverProjectFilter`). */
export interface IgnoredFilter {
  /** The filter file's absolute path. */
  file: string;
  /** Why it is not used (another user's, or writable by group or others). */
  reason: string;
}

/** The default report of an ignored project filter: a `warn` log record (target `codetracer.filter`) naming the file. */
export function warnIgnoredFilter({ file, reason }: IgnoredFilter): void {
  log("warn", "codetracer.filter", `ignoring the trace filter ${file}: ${reason}`, { fields: { file, reason } });
}

/**
 * The filter files of the chain (without the builtin), found from the entry script, the
 * environment and `explicit` entries. A project filter that discovery passes over (another
 * user's, or writable by group or others) is reported to `onIgnored` (default: a warning in
 * the recorder's log).
 */
export function traceFilterPaths(
  entryScript: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
  explicit: string[] = [],
  onIgnored: (ignored: IgnoredFilter) => void = warnIgnoredFilter,
): string[] {
  return resolveFilterPaths({ ...(entryScript ? { entryScript } : {}), cwd, env, explicit, onIgnored });
}

/**
 * Refuses to record under Yarn Plug'n'Play (docs/trace-filters.md, "Package managers"). PnP
 * installs no `node_modules` folders: packages stay in zip archives that only Yarn's own
 * resolver and patched `fs` can read. The recorder's loader resolves and reads modules with
 * Node's own functions (its module hooks, and the `require(esm)` of its CommonJS preload, do not
 * go through Yarn's), so under PnP it failed with Node's `ERR_MODULE_NOT_FOUND` for one of its
 * own files, and `file:` globs such as `node_modules/marked/**` would match nothing. Yarn's
 * `nodeLinker: node-modules` (and pnpm, npm) work.
 *
 * @param versions - `process.versions`; Yarn's `.pnp.cjs` sets `versions.pnp` in every process
 *   it is loaded into (`yarn node`, `yarn run`, `yarn exec` load it through `NODE_OPTIONS`)
 * @throws UsageError `ERR_UNSUPPORTED_PNP` when the process runs under Yarn Plug'n'Play
 */
export function assertNotYarnPnp(versions: Readonly<Record<string, string | undefined>> = process.versions): void {
  const pnp = versions.pnp;
  if (pnp === undefined) return;
  throw new UsageError(
    "ERR_UNSUPPORTED_PNP",
    "Yarn Plug'n'Play is not supported: the recorder loads and matches packages from node_modules folders, which PnP does not install. " +
      "Set 'nodeLinker: node-modules' in .yarnrc.yml and run 'yarn install' again (docs/trace-filters.md, \"Package managers\")",
    { pnp },
  );
}

/**
 * The recording scope for `config` (`loadRecordingScope` of `@codetracer/trace-filter`): the
 * chain (builtin, `config.traceFilters`, then the include/exclude filter), its fingerprint for
 * the transform cache, the per-file scope decisions and the `trace_filter` metadata builder.
 * What the loader (both threads), the CLI's preflight and the bundler plugin call once each.
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an invalid filter (the message names the
 *   file and the `scope.rules[i]` entry) or glob.
 * @throws EnvironmentError `ERR_IO` for a missing or unreadable filter file.
 */
export function recordingScopeOf(config: FilterConfig): RecordingScope {
  try {
    return loadRecordingScope({ files: config.traceFilters, include: config.include, exclude: config.exclude, cwd: config.cwd });
  } catch (error) {
    throw fromTraceFilterError(error);
  }
}
