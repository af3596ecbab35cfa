/**
 * The recording scope: which files and functions are recorded and which values are captured,
 * set up once per front door from resolved options (docs/architecture.md, "The life of one
 * filter rule"). Every front door (the Node loader, the bundler plugin's runtimes, the CLI's
 * preflight, the session API's `start()`) builds its filter chain, its transform-cache
 * fingerprint, its per-file scope decisions and its `trace_filter` metadata section here, so
 * they cannot drift apart.
 *
 * This module is the pure part: it takes filter texts already read (or parsed) and uses only the
 * installed {@link FilterPlatform} for paths, so it runs in a browser page too. The Node wrapper
 * that reads filter files is `./node/scope-setup.ts` ({@link loadRecordingScope}).
 *
 * @packageDocumentation
 */

import {
  appendOwn,
  ArrayPrototypeIndexOf,
  JSONStringify,
  RegExpPrototypeTest,
  StringPrototypeReplace,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
} from "@codetracer/trace-format/internal/primordials";
import { FilterChain } from "./chain.js";
import type { FilterChainOptions, ScopeDecision } from "./chain.js";
import { fileRulesFilter, parseTraceFilter } from "./parse.js";
import type { FileGlobRule } from "./parse.js";
import { filterPlatform, pathForms, toPosix } from "./platform.js";
import type { FilterMetadata, FilterProvenance, FilterStatsJSON } from "./stats.js";
import type { TraceFilter } from "./types.js";

/** The pseudo-path of the filter built from the include/exclude globs (in `trace_metadata.json` and messages). */
export const INCLUDE_EXCLUDE_PATH = "<inline:include-exclude>";

/**
 * One filter of a recording scope as read: where it came from and its exact TOML text. The
 * text is kept so a bundle can carry it (the bundler plugin bakes the texts into the built
 * program, which rebuilds the same chain at run time without the files).
 */
export interface FilterSource {
  /** The file's absolute path, or an `<inline:…>` pseudo-path (the builtin's `<inline:builtin-default>`). */
  readonly path: string;
  /** The exact text (its SHA-256 is the filter's `sha256` in the metadata). */
  readonly text: string;
  /**
   * The folder `file:` selectors are relative to. Default: the project root of `path`
   * (`filterRootOf`), `""` for an `<inline:…>` path.
   */
  readonly root?: string;
  /**
   * `text` already parsed with this `path` and `root` (the Node wrapper parses each file as it
   * reads it, so the first bad file is the one reported). Default: parsed here.
   */
  readonly parsed?: TraceFilter;
}

/** A {@link FilterSource} with its root known: what a bundle carries for each filter. */
export interface ScopeFilterText {
  /** As {@link FilterSource.path}. */
  path: string;
  /** The filter's root (`""` for the builtin). */
  root: string;
  /** As {@link FilterSource.text}. */
  text: string;
}

/** The resolved options of a recording scope (what {@link createRecordingScope} takes). */
export interface RecordingScopeOptions {
  /**
   * The builtin filter, first in the chain, or `undefined` for none. The Node wrapper passes
   * `builtinDefaultSource()`; a bundle passes the builtin text it carries.
   */
  builtin?: FilterSource | undefined;
  /**
   * The filters after the builtin, in chain order (the project filter, `CODETRACER_TRACE_FILTER`
   * entries, then explicit ones: see `resolveFilterPaths`); later filters override earlier ones.
   */
  filters: readonly FilterSource[];
  /** `--include` globs (files to record even where a filter skips them), relative to `cwd`, absolute, or starting with `**`. Default none. */
  include?: readonly string[];
  /** `--exclude` globs (files never recorded), as `include`; an exclude wins over an include. Default none. */
  exclude?: readonly string[];
  /** The absolute working directory relative `include`/`exclude` globs are resolved against. Needed only with globs. */
  cwd?: string;
  /** Passed to {@link FilterChain}. */
  chain?: FilterChainOptions;
}

/** The `trace_filter` section of a session that applies its own scope on top of a loader's ({@link RecordingScope.stackedMetadata}). */
export interface StackedFilterMetadata {
  /** The loader's filters (its builtin first), then this scope's own files without its builtin; without a loader, this scope's whole list. */
  filters: FilterProvenance[];
  /** The loader's counters (they already hold the session's), else the session's; `undefined` before the session has counters. */
  stats: FilterStatsJSON | undefined;
}

/**
 * Everything a front door needs to decide what it records and to report it: built once by
 * {@link createRecordingScope} (or the Node wrapper {@link loadRecordingScope}) from the
 * resolved options.
 */
export interface RecordingScope {
  /**
   * The filter chain, in order: the builtin (when asked for), each filter source, then the
   * include/exclude filter {@link INCLUDE_EXCLUDE_PATH} (when there are globs).
   */
  readonly chain: FilterChain;
  /**
   * What the chain's scope decisions depend on, as a string (the loader's transform cache keys
   * on it): JSON of the chain's provenance (name, path, version, SHA-256 of each filter) and the
   * include/exclude globs as given.
   */
  readonly fingerprint: string;
  /** The scope's filter sources with their roots, builtin first when there is one (not the include/exclude filter, which has no text). */
  readonly sources: readonly ScopeFilterText[];
  /**
   * The instrumenter's per-file scope decisions (`ScopeFilter` of `@codetracer/instrument`):
   * for a qualified function name of `file` (`Class.method`, `<module>`), the chain's decision.
   *
   * @param file - the source file's absolute path
   * @returns a function of the qualified name; it never throws (see `FilterChain#classify`)
   */
  scopesFor(file: string): (qualifiedName: string) => ScopeDecision;
  /**
   * The `trace_filter` section of `trace_metadata.json` (docs/trace-filters.md, "Metadata"):
   * the chain's provenance and a session's counters, plus the scopes skipped without the
   * session seeing them (whole files the loader never instrumented).
   *
   * @param counters - the session's counters (its recorder's)
   * @param scopesSkippedAtLoad - scopes skipped outside the session; default 0
   * @returns `{ filters, stats }`, new objects (the counters are copied)
   */
  metadata(counters: FilterStatsJSON, scopesSkippedAtLoad?: number): FilterMetadata;
  /**
   * The `trace_filter` section of a session that applies this scope at run time on top of a
   * loader's (the session API's `traceFilter` option): see {@link StackedFilterMetadata}.
   *
   * @param loader - the loader's section, or `undefined` when no loader instruments the thread
   * @param counters - the session's counters, or `undefined` when it has none yet
   * @returns the combined section
   */
  stackedMetadata(loader: FilterMetadata | undefined, counters: FilterStatsJSON | undefined): StackedFilterMetadata;
}

/** A glob matching at any depth (`**`, `**\/x`): used as written. */
const ANY_DEPTH = /^\*\*(?:\/|$)/;
const LEADING_SLASHES = /^\/+/;

/** Appends `value` to `list` unless it is there already. */
function addOnce(list: string[], value: string): void {
  if (ArrayPrototypeIndexOf(list, value) < 0) appendOwn(list, value);
}

/**
 * The include/exclude globs as one filter, includes first, then excludes, so every exclude
 * wins. Its root is empty, like the builtin's, so it adds no root to the chain: a `file:` rule
 * is matched against the file's path relative to the nearest root of the chain (the project
 * root, a filter file's folder, or `/` through the builtin's empty root), and a root of its own
 * (the working directory) would change that path for every other filter's rules. So each glob
 * is written once per root it lies under: a glob relative to the working directory (`src/**`,
 * `../shared/**`) or absolute is made absolute, then relative to each root of `filters`; a glob
 * starting with `**` matches at any depth and is used as written.
 */
function includeExcludeFilter(
  include: readonly string[],
  exclude: readonly string[],
  cwd: string | undefined,
  filters: readonly TraceFilter[],
): TraceFilter | undefined {
  if (include.length === 0 && exclude.length === 0) return undefined;
  const platform = filterPlatform();
  const bases = pathForms(cwd ?? platform.resolve("."));
  const roots: string[] = [];
  for (let i = 0; i < filters.length; i++) {
    const root = filters[i]!.root;
    if (root === "") continue;
    const forms = pathForms(root);
    for (let j = 0; j < forms.length; j++) addOnce(roots, forms[j]!);
  }
  const rules: FileGlobRule[] = [];
  const add = (globs: readonly string[], exec: "trace" | "skip") => {
    for (let g = 0; g < globs.length; g++) {
      const glob = globs[g]!;
      if (RegExpPrototypeTest(ANY_DEPTH, glob)) {
        appendOwn(rules, { glob, exec });
        continue;
      }
      const out: string[] = [];
      for (let b = 0; b < bases.length; b++) {
        const abs = toPosix(platform.resolve(platform.isAbsolute(glob) ? glob : `${bases[b]!}/${glob}`));
        addOnce(out, StringPrototypeReplace(abs, LEADING_SLASHES, ""));
        for (let r = 0; r < roots.length; r++) {
          const root = roots[r]!;
          if (StringPrototypeStartsWith(abs, `${root}/`)) addOnce(out, StringPrototypeSlice(abs, root.length + 1));
        }
      }
      for (let k = 0; k < out.length; k++) if (out[k]!.length > 0) appendOwn(rules, { glob: out[k]!, exec });
    }
  };
  add(include, "trace");
  add(exclude, "skip");
  return fileRulesFilter({ name: "include-exclude", path: INCLUDE_EXCLUDE_PATH, description: "--include and --exclude" }, rules);
}

/** A copy of a list of strings, read by index. */
function copyList(list: readonly string[] | undefined): string[] {
  const out: string[] = [];
  if (list) for (let i = 0; i < list.length; i++) appendOwn(out, list[i]!);
  return out;
}

/**
 * Sets up a recording scope from resolved options: parses the filter sources (unless already
 * parsed), builds the include/exclude filter, composes the chain, and returns the chain with
 * its fingerprint, per-file scope decisions and metadata builders ({@link RecordingScope}).
 * Called once by each front door; nothing is read from disk here (see
 * {@link loadRecordingScope} for files).
 *
 * @example
 * ```ts
 * const scope = createRecordingScope({ builtin, filters: [{ path: "/p/.codetracer/trace-filter.toml", text }],
 *                                      include: ["src/**"], cwd: "/p" });
 * scope.scopesFor("/p/src/user.ts")("UserService.login").exec; // "trace" or "skip"
 * scope.metadata(recorder.filterCounters);                    // { filters: [...], stats: {...} }
 * ```
 * @param options - see {@link RecordingScopeOptions}
 * @returns the scope
 * @throws {@link TraceFilterError} `ERR_INVALID_POLICY_VALUE` for an invalid filter text (naming
 *   the file and the `scope.rules[i]` entry) or include/exclude glob, or a bad `inherit`
 */
export function createRecordingScope(options: RecordingScopeOptions): RecordingScope {
  const filters: TraceFilter[] = [];
  const sources: ScopeFilterText[] = [];
  const addSource = (source: FilterSource) => {
    const parsed = source.parsed ?? parseTraceFilter(source.text, source.root === undefined ? { path: source.path } : { path: source.path, root: source.root });
    appendOwn(filters, parsed);
    appendOwn(sources, { path: parsed.path, root: parsed.root, text: source.text });
  };
  if (options.builtin) addSource(options.builtin);
  for (let i = 0; i < options.filters.length; i++) addSource(options.filters[i]!);
  const include = copyList(options.include);
  const exclude = copyList(options.exclude);
  const rules = includeExcludeFilter(include, exclude, options.cwd, filters);
  if (rules) appendOwn(filters, rules);
  const chain = new FilterChain(filters, options.chain);
  const fingerprint = JSONStringify({ filters: chain.metadata().filters, include, exclude });
  return {
    chain,
    fingerprint,
    sources,
    scopesFor: (file) => (qualifiedName) => chain.classify({ file, obj: qualifiedName }),
    metadata(counters, scopesSkippedAtLoad = 0) {
      return {
        filters: chain.metadata().filters,
        stats: {
          scopes_skipped: counters.scopes_skipped + scopesSkippedAtLoad,
          value_redactions: { ...counters.value_redactions },
          value_drops: { ...counters.value_drops },
        },
      };
    },
    stackedMetadata(loader, counters) {
      const own = chain.metadata().filters;
      const list: FilterProvenance[] = [];
      const loaderFilters = loader?.filters;
      if (loaderFilters) for (let i = 0; i < loaderFilters.length; i++) appendOwn(list, loaderFilters[i]!);
      else if (own.length > 0) appendOwn(list, own[0]!);
      for (let i = 1; i < own.length; i++) appendOwn(list, own[i]!);
      return { filters: list, stats: loader?.stats ?? counters };
    },
  };
}
