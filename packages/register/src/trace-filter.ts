/**
 * The loader's trace-filter chain (`@codetracer/trace-filter`): which files and functions are
 * instrumented, and which values are captured.
 *
 * Chain, in order (later rules override earlier ones):
 * 1. `builtin-default`: skips files under `node_modules`, redacts secret-looking names;
 * 2. the first `.codetracer/trace-filter.toml` found walking up from the entry script's folder;
 * 3. `CODETRACER_TRACE_FILTER` entries (`::`-separated; the CLI appends its `--trace-filter`s);
 * 4. `<inline:include-exclude>`, built from `--include` / `--exclude` (`CODETRACER_JS_INCLUDE`,
 *    `CODETRACER_JS_EXCLUDE`): a `file:glob:` rule per glob, relative to the working directory
 *    (absolute globs outside it are matched against the absolute path), `exec = "trace"` for
 *    includes and then `"skip"` for excludes, so an exclude wins.
 */
import * as path from "node:path";
import {
  FilterChain,
  TraceFilterError,
  builtinDefaultFilter,
  loadTraceFilter,
  parseTraceFilter,
  resolveFilterPaths,
  type TraceFilter,
} from "@codetracer/trace-filter";
import { EnvironmentError, UsageError, type AttrPolicy } from "@codetracer/runtime";
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

/**
 * The filter files of the chain (without the builtin), found from the entry script, the
 * environment and `explicit` entries.
 */
export function traceFilterPaths(entryScript: string | undefined, cwd: string, env: NodeJS.ProcessEnv, explicit: string[] = []): string[] {
  return resolveFilterPaths({ ...(entryScript ? { entryScript } : {}), cwd, env, explicit });
}

/**
 * The `--include`/`--exclude` globs as filters, in this order: includes relative to the working
 * directory; absolute globs outside it (root `/`, includes then excludes); excludes relative to
 * the working directory. So every exclude comes after every include and wins.
 */
function includeExcludeFilters(config: FilterConfig): TraceFilter[] {
  const cwd = path.resolve(config.cwd);
  // An absolute glob under the working directory is written relative to it.
  const place = (glob: string) => {
    if (!path.isAbsolute(glob)) return { glob, outside: false };
    const rel = path.relative(cwd, glob);
    return rel.startsWith("..") || path.isAbsolute(rel) ? { glob, outside: true } : { glob: rel.split(path.sep).join("/"), outside: false };
  };
  const includes = config.include.map(place);
  const excludes = config.exclude.map(place);
  const rule = (glob: string, exec: string) => `[[scope.rules]]\nselector = ${JSON.stringify(`file:glob:${glob}`)}\nexec = "${exec}"\n`;
  const filter = (rules: string[], root: string) =>
    parseTraceFilter(
      [`[meta]\nname = "include-exclude"\nversion = 1\ndescription = "--include and --exclude"\n`, `[scope]\ndefault_exec = "inherit"\ndefault_value_action = "inherit"\n`, ...rules].join("\n"),
      { path: INCLUDE_EXCLUDE_FILTER, root },
    );
  const out: TraceFilter[] = [];
  const inside = includes.filter((g) => !g.outside).map((g) => rule(g.glob, "trace"));
  if (inside.length) out.push(filter(inside, cwd));
  const outside = [
    ...includes.filter((g) => g.outside).map((g) => rule(g.glob, "trace")),
    ...excludes.filter((g) => g.outside).map((g) => rule(g.glob, "skip")),
  ];
  if (outside.length) out.push(filter(outside, "/"));
  const insideExcludes = excludes.filter((g) => !g.outside).map((g) => rule(g.glob, "skip"));
  if (insideExcludes.length) out.push(filter(insideExcludes, cwd));
  return out;
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
    filters.push(...includeExcludeFilters(config));
    return new FilterChain(filters);
  } catch (error) {
    throw asRecorderError(error);
  }
}

/** A {@link TraceFilterError} as the recorder's coded error; other errors unchanged. */
export function asRecorderError(error: unknown): unknown {
  if (!(error instanceof TraceFilterError)) return error;
  const context = { ...error.context };
  if (error.code === "ERR_IO") return new EnvironmentError("ERR_IO", error.message, context, { cause: error });
  return new UsageError("ERR_INVALID_POLICY_VALUE", error.message, context, { cause: error });
}

/** The instrumenter's per-file scope filter for `file` under `chain`. */
export function scopeFilterFor(chain: FilterChain, file: string): ScopeFilter {
  return (obj) => chain.classify({ file, obj });
}

/** The runtime's `attr` policy under `chain` (`null` where every field is captured). */
export function attrPolicyOf(chain: FilterChain): (file: string, scope: string) => AttrPolicy | null {
  return (file, scope) => {
    const decision = chain.classify({ file: path.normalize(file), obj: scope });
    if (decision.uniformValueAction("attr") === "allow") return null;
    return (field) => decision.valueAction("attr", field);
  };
}
