/**
 * The Node wrapper of the recording scope (`../scope-setup.ts`): reads the filter files and the
 * builtin filter, then sets the scope up with {@link createRecordingScope}. What the Node front
 * doors call once each: the loader (`@codetracer/register`, also on Node's module hooks thread),
 * the CLI's preflight, the bundler plugin at build time and the session API's `start()`.
 *
 * @packageDocumentation
 */

import * as path from "node:path";
import { appendOwn } from "@codetracer/trace-format/internal/primordials";
import type { FilterChain, FilterChainOptions } from "../chain.js";
import { parseTraceFilter } from "../parse.js";
import { createRecordingScope, type FilterSource, type RecordingScope } from "../scope-setup.js";
import {
  BUILTIN_DEFAULT_PATH,
  builtinDefaultFilter,
  builtinDefaultText,
  readTraceFilterText,
  resolveFilterPaths,
  type ResolveFilterChainOptions,
} from "./load.js";

const pathResolve = path.resolve;

/** The resolved options of {@link loadRecordingScope}: filter files instead of texts. */
export interface RecordingScopeFiles {
  /**
   * The filter files after the builtin, in chain order (absolute, or relative to the process's
   * working directory): what `resolveFilterPaths` returns for the front door's options.
   */
  files: readonly string[];
  /** `--include` globs, relative to `cwd`, absolute, or starting with `**`. Default none. */
  include?: readonly string[];
  /** `--exclude` globs, as `include`; an exclude wins. Default none. */
  exclude?: readonly string[];
  /** The working directory the globs are relative to. Default: the process's. */
  cwd?: string;
  /** Whether to put the builtin filter first ({@link builtinDefaultSource}). Default true. */
  builtin?: boolean;
  /** Passed to `FilterChain`. */
  chain?: FilterChainOptions;
}

/**
 * The JavaScript builtin filter (`builtin/builtin_default.toml` of this package) as a filter
 * source: `<inline:builtin-default>`, empty root, its exact text, already parsed (shared).
 *
 * @returns the source
 */
export function builtinDefaultSource(): FilterSource {
  return { path: BUILTIN_DEFAULT_PATH, root: "", text: builtinDefaultText(), parsed: builtinDefaultFilter() };
}

/**
 * Reads the filter files in order (each is parsed as it is read, so the first bad file in chain
 * order is the one reported) and sets up the recording scope (see {@link createRecordingScope}).
 *
 * @example
 * ```ts
 * const scope = loadRecordingScope({ files: resolveFilterPaths({ cwd }), include: ["src/**"], cwd });
 * instrument(code, { filename: file, scopes: scope.scopesFor(file) });
 * ```
 * @param options - see {@link RecordingScopeFiles}
 * @returns the scope
 * @throws {@link TraceFilterError} `ERR_IO` for a missing or unreadable filter file,
 *   `ERR_INVALID_POLICY_VALUE` for an invalid one (naming the file and the `scope.rules[i]`
 *   entry), an invalid include/exclude glob or a bad `inherit`
 */
export function loadRecordingScope(options: RecordingScopeFiles): RecordingScope {
  const builtin = options.builtin === false ? undefined : builtinDefaultSource();
  const filters: FilterSource[] = [];
  for (let i = 0; i < options.files.length; i++) {
    const { path: file, text } = readTraceFilterText(options.files[i]!);
    appendOwn(filters, { path: file, text, parsed: parseTraceFilter(text, { path: file }) });
  }
  return createRecordingScope({
    builtin,
    filters,
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    cwd: pathResolve(options.cwd ?? "."),
    ...(options.chain ? { chain: options.chain } : {}),
  });
}

/**
 * Resolves and loads the whole filter chain (docs/trace-filters.md, "The chain"), through
 * {@link loadRecordingScope}: `builtin-default`
 * first, then the first `.codetracer/trace-filter.toml` found walking up from the entry
 * script's folder (or `cwd`) to the project root ({@link discoverProjectFilter}), then the `CODETRACER_TRACE_FILTER` entries, then each explicit
 * entry. Later filters override earlier ones (see {@link FilterChain}).
 *
 * @example
 * ```ts
 * const chain = resolveFilterChain({ entryScript: process.argv[1], cwd: process.cwd(),
 *                                    explicit: ["extra.toml::more.toml"] });
 * chain.classify({ file: "/p/src/user.ts", obj: "UserService.login" }).exec;
 * ```
 * @param options - see {@link ResolveFilterChainOptions}
 * @returns the composed chain
 * @throws {@link TraceFilterError} `ERR_IO` for a missing or unreadable file,
 *   `ERR_INVALID_POLICY_VALUE` for an invalid one or a bad `inherit`
 */
export function resolveFilterChain(options: ResolveFilterChainOptions): FilterChain {
  return loadRecordingScope({
    files: resolveFilterPaths(options),
    builtin: options.includeBuiltin !== false,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.chain ? { chain: options.chain } : {}),
  }).chain;
}
