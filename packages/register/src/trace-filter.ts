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
 *    wins (see `includeExcludeFilter`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  FilterChain,
  builtinDefaultFilter,
  fileRulesFilter,
  loadTraceFilter,
  resolveFilterPaths,
  type FileGlobRule,
  type TraceFilter,
} from "@codetracer/trace-filter";
import { UsageError, fromTraceFilterError, log } from "@codetracer/runtime";
import type { ScopeFilter } from "@codetracer/instrument";

/** The inline filter's pseudo-path (in `trace_metadata.json`). */
export const INCLUDE_EXCLUDE_FILTER = "<inline:include-exclude>";

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

/** A path with `/` separators. */
function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** `p` and, when it differs, its real path (symlinks resolved). */
function withRealPath(p: string): string[] {
  try {
    const real = fs.realpathSync.native(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}

/**
 * The `--include`/`--exclude` globs as one filter, includes first, then excludes, so every
 * exclude wins. Its root is empty, like the builtin's, so it adds no root to the chain: a
 * `file:` rule is matched against the file's path relative to the nearest root of the chain
 * (the project root, a filter file's folder, or `/` through the builtin's empty root), and a
 * root of its own (the working directory) would change that path for every other filter's
 * rules. So each glob is written once per root it lies under: a glob relative to the working
 * directory (`src/**`, `../shared/**`) or absolute is made absolute, then relative to each root
 * of `filters`; a glob starting with `**` matches at any depth and is used as written.
 */
function includeExcludeFilter(config: FilterConfig, filters: readonly TraceFilter[]): TraceFilter | undefined {
  if (config.include.length === 0 && config.exclude.length === 0) return undefined;
  const bases = withRealPath(path.resolve(config.cwd));
  const roots = [...new Set(filters.flatMap((f) => (f.root === "" ? [] : withRealPath(f.root))).map(toPosix))];
  const patterns = (glob: string): string[] => {
    if (/^\*\*(?:\/|$)/.test(glob)) return [glob];
    const out: string[] = [];
    for (const base of bases) {
      const abs = toPosix(path.resolve(base, glob));
      out.push(abs.replace(/^\/+/, ""));
      for (const root of roots) if (abs.startsWith(`${root}/`)) out.push(abs.slice(root.length + 1));
    }
    return [...new Set(out)].filter((p) => p.length > 0);
  };
  const rules = (globs: string[], exec: "trace" | "skip"): FileGlobRule[] => globs.flatMap(patterns).map((glob) => ({ glob, exec }));
  return fileRulesFilter({ name: "include-exclude", path: INCLUDE_EXCLUDE_FILTER, description: "--include and --exclude" }, [
    ...rules(config.include, "trace"),
    ...rules(config.exclude, "skip"),
  ]);
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
 * Loads the chain for `config`.
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an invalid filter (the message names the
 *   file and the `scope.rules[i]` entry) or glob.
 * @throws EnvironmentError `ERR_IO` for a missing or unreadable filter file.
 */
export function loadFilterChain(config: FilterConfig): FilterChain {
  try {
    const filters = [builtinDefaultFilter(), ...config.traceFilters.map((p) => loadTraceFilter(p))];
    const includeExclude = includeExcludeFilter(config, filters);
    if (includeExclude) filters.push(includeExclude);
    return new FilterChain(filters);
  } catch (error) {
    throw fromTraceFilterError(error);
  }
}

/**
 * What the scope decisions of `chain` for the loader depend on (see `LoaderFilter.fingerprint`):
 * its filters (name, path, version, SHA-256 of the text) and the include/exclude globs.
 */
export function filterFingerprint(chain: FilterChain, config: { include: readonly string[]; exclude: readonly string[] }): string {
  return JSON.stringify({ filters: chain.metadata().filters, include: config.include, exclude: config.exclude });
}

/** The instrumenter's per-file scope filter for `file` under `chain`. */
export function scopeFilterFor(chain: FilterChain, file: string): ScopeFilter {
  return (obj) => chain.classify({ file, obj });
}
