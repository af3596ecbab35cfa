/**
 * A composed chain of trace filters and its classification of scopes and values.
 *
 * @packageDocumentation
 */

import {
  appendOwn,
  ObjectFreeze,
  safeArray,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  Uint8ArrayCtor,
} from "@codetracer/trace-format/internal/primordials";
import type { SafeArray } from "@codetracer/trace-format/internal/primordials";
import { invalidFilter, TraceFilterError } from "./errors.js";
import { SafeMap } from "@codetracer/trace-format/internal/primordials";
import { closeMatchWindow, openMatchWindow } from "./match.js";
import { pnpmStoreAlias } from "./package-path.js";
import { filterPlatform, pathForms, toPosix } from "./platform.js";
import type { ScopePolicy } from "./decision.js";
import { FilterStats } from "./stats.js";
import type { FilterMetadata } from "./stats.js";
import type { ExecAction, IoConfig, ScopeKind, ScopeRule, Selector, TraceFilter, ValueAction, ValueKind } from "./types.js";

/** The `obj` name of a module's top-level code. */
export const MODULE_OBJ = "<module>";

/** What {@link FilterChain.classify} is asked about. */
export interface ScopeQuery {
  /** The source file: an absolute path as Node reports it (or a `file:` URL). */
  file: string;
  /** The function's qualified name within its module; default {@link MODULE_OBJ}. */
  obj?: string;
  /** The npm package name; default `packageNameOf(file)`, computed only if a `pkg:` rule needs it. */
  pkg?: string;
}

/** The last rule that matched a scope. */
export interface MatchedRule {
  /** The filter's path (or `<inline:…>` pseudo-path). */
  readonly source: string;
  /** The rule's position in that filter's `scope.rules`. */
  readonly index: number;
  /** The rule's `reason`, if any. */
  readonly reason?: string;
}

/** The filter decision for one scope (a function or a module's top-level code). */
export interface ScopeDecision extends ScopePolicy {
  /** `trace` to record the scope, `skip` to leave it out entirely. */
  readonly exec: ExecAction;
  /** The action for values no value pattern matches. */
  readonly valueDefault: ValueAction;
  /**
   * True when classifying the scope threw (an unreadable `package.json`, a failing matcher):
   * the decision is then `exec: "trace"` with **every** value redacted, never recorded raw (the
   * Python recorder fails open here). The error is in {@link ScopeDecision.error}.
   */
  readonly failedClosed: boolean;
  /** The error that made the decision fail closed. */
  readonly error?: unknown;
  /**
   * The action for one value: the first value pattern of `kind` (in the merged, ordered list,
   * see {@link FilterChain}) whose selector matches `name`, else {@link valueDefault}. Cached
   * per (kind, name). For `ret`, pass the function's `obj` name (or `<return>`/`<yield>`).
   * An unknown kind, or a matcher that throws, gives `redact`.
   */
  valueAction(kind: ValueKind, name: string): ValueAction;
  /**
   * The action every value of `kind` gets when no pattern of that kind is active (so a
   * recorder can skip asking per name), else `undefined`.
   */
  uniformValueAction(kind: ValueKind): ValueAction | undefined;
  /** The last matching rule; `undefined` when none matched (the defaults apply). */
  readonly matchedRule?: MatchedRule;
  /** Every matching rule, in chain order. */
  readonly matchedRules: readonly MatchedRule[];
}

/** Options of {@link FilterChain}. */
export interface FilterChainOptions {
  /**
   * How to find a file's package name for `pkg:` rules. Default: `packageNameOf`. May throw;
   * the scope then fails closed.
   */
  packageNameOf?: (file: string) => string | undefined;
}

interface FlatRule {
  readonly rule: ScopeRule;
  readonly source: number;
  readonly kind: ScopeKind;
  readonly matched: MatchedRule;
}

interface ActivePattern {
  readonly selector: Selector;
  readonly action: ValueAction;
  readonly source: number;
}

interface FileInfo {
  readonly candidate: string;
  /**
   * The file's other `file:` candidates: its `node_modules` path when its real path is in
   * pnpm's virtual store (`./package-path.ts`);
   * `undefined` when it has none.
   */
  readonly aliases: readonly string[] | undefined;
  pkgState: "unknown" | "known";
  pkg: string | undefined;
  /** Decisions by obj (package derived). */
  readonly byObj: SafeMap<string, Decision>;
  /** Decisions by `obj\0pkg` (package given by the caller). */
  byObjPkg: SafeMap<string, Decision> | undefined;
  /** Per flat rule: 1 when it is a `file` rule that matches {@link candidate}, else 0 (see `FilterChain#ruleHits`). */
  fileHits: Uint8Array | undefined;
  wholeFile: boolean | undefined;
}

/** Most names whose value decision one scope's cache keeps per kind (then it starts afresh). */
const MAX_CACHED_NAMES = 4096;

const VALUE_KIND_LIST: readonly ValueKind[] = ["local", "global", "arg", "ret", "attr"];

/** Per value kind (a null-prototype object: an unknown kind finds nothing, not `Object.prototype`'s). */
type ByKind<T> = Record<ValueKind, T>;

function byKind<T>(make: () => T): ByKind<T> {
  return { __proto__: null, local: make(), global: make(), arg: make(), ret: make(), attr: make() } as unknown as ByKind<T>;
}

/** An ordinary array holding `list`'s elements as its own (it leaves the package: `matchedRules`). */
function ownCopy<T>(list: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) appendOwn(out, list[i]!);
  return out;
}

class Decision implements ScopeDecision {
  readonly exec: ExecAction;
  readonly valueDefault: ValueAction;
  readonly failedClosed: boolean;
  readonly error?: unknown;
  readonly matchedRule?: MatchedRule;
  readonly matchedRules: readonly MatchedRule[];
  private readonly patterns: Readonly<ByKind<readonly ActivePattern[]>>;
  private readonly caches: ByKind<SafeMap<string, ValueAction>>;

  constructor(
    exec: ExecAction,
    valueDefault: ValueAction,
    patterns: ByKind<SafeArray<ActivePattern>>,
    matchedRules: readonly MatchedRule[],
    failure?: { error: unknown },
  ) {
    this.exec = exec;
    this.valueDefault = valueDefault;
    this.patterns = patterns;
    this.caches = byKind(() => new SafeMap<string, ValueAction>());
    this.matchedRules = ObjectFreeze(ownCopy(matchedRules));
    // Index -1 of an empty array would be looked up on its prototype.
    if (matchedRules.length > 0) this.matchedRule = matchedRules[matchedRules.length - 1]!;
    this.failedClosed = failure !== undefined;
    if (failure !== undefined) this.error = failure.error;
  }

  valueAction(kind: ValueKind, name: string): ValueAction {
    const cache = this.caches[kind];
    if (cache === undefined) return "redact";
    let action = cache.get(name);
    if (action !== undefined) return action;
    action = this.valueDefault;
    const outer = openMatchWindow();
    try {
      const list = this.patterns[kind];
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!;
        if (p.selector.matches(name)) {
          action = p.action;
          break;
        }
      }
    } catch {
      action = "redact";
    } finally {
      closeMatchWindow(outer);
    }
    // Bounded: a program that makes names without end (`obj["k" + i]` fields) must not grow this
    // cache without end; the decisions are recomputed after a clear.
    if (cache.size >= MAX_CACHED_NAMES) cache.clear();
    cache.set(name, action);
    return action;
  }

  uniformValueAction(kind: ValueKind): ValueAction | undefined {
    const list = this.patterns[kind];
    if (list === undefined) return undefined;
    return list.length === 0 ? this.valueDefault : undefined;
  }
}

function emptyPatterns(): ByKind<SafeArray<ActivePattern>> {
  return byKind(() => safeArray<ActivePattern>());
}

/**
 * A composed chain of trace filters, first (builtin) to last, and the classifier over it.
 *
 * **Composition.** `[scope]` defaults come from the last filter that sets them (`inherit` keeps
 * the earlier value and is an error in a filter with no earlier setter; an empty chain is an
 * error too). Rules of all filters are flattened in chain order.
 *
 * **Scope decision** (docs/trace-filters.md, "How rules combine"): start from the composed defaults and an
 * empty pattern list, and walk **all** rules top to bottom. For each rule whose selector
 * matches the scope: its `exec`, if set, overwrites the current exec; its `value_default`, if
 * set, overwrites the current value default (and records which filter set it); its
 * `value_patterns` are **merged**: placed before the patterns collected so far, so the later
 * rule's patterns are consulted first. The last matching rule wins; there is no specificity
 * order (`obj` does not beat `pkg`; position does).
 *
 * This merge is a deliberate difference from the Python recorder, which *replaces* the list with
 * the rule's own (even an empty one), so a later rule that only sets `exec` silently removes the
 * builtin secret redaction. Here a rule that only changes `exec` or `value_default` keeps every
 * earlier pattern. To let a name through that an earlier pattern redacts, add a pattern with
 * `action = "allow"` for it: being earlier in the merged list, it wins.
 *
 * **Drop pruning** (as in Python): when the final value default is `drop`, patterns from filters
 * earlier in the chain than the one that set `drop` are discarded, so "drop everything" is not
 * undone by builtin redact patterns.
 *
 * **Value decision**: the first pattern of the value's kind whose selector matches the name;
 * else the scope's value default.
 *
 * **Fail closed**: when classifying a scope throws, the decision is `exec: "trace"` with every
 * value redacted and `failedClosed: true`.
 *
 * **Caching**: decisions are cached per file, then per obj (and pkg when given); file facts
 * (the `file:` candidate, the package name) per file; and decisions with the same set of matching rules are shared, so
 * their per-(kind, name) value caches are too. After the first call neither `classify` nor
 * `valueAction` depends on the number of rules.
 */
export class FilterChain {
  /** The filters, in chain order. */
  readonly filters: readonly TraceFilter[];
  /** The composed `default_exec`. */
  readonly defaultExec: ExecAction;
  /** The composed `default_value_action`. */
  readonly defaultValueAction: ValueAction;
  /** The `[io]` table of the last filter that has one. Not acted on by this package. */
  readonly io?: IoConfig;

  private readonly defaultValueSource: number;
  private readonly flat: readonly FlatRule[];
  private readonly roots: readonly string[];
  private readonly pkgOf: (file: string) => string | undefined;
  private readonly decisionsBySignature = new SafeMap<string, Decision>();
  private readonly fileCache = new SafeMap<string, FileInfo>();
  /** `pkg` rule hits per package name (see {@link ruleHits}). */
  private readonly pkgHits = new SafeMap<string, Uint8Array>();
  private failClosedDecision?: Decision;

  /**
   * @param filters - the parsed filters, first to last (usually from `resolveFilterChain`)
   * @param options - see {@link FilterChainOptions}
   * @throws {@link TraceFilterError} `ERR_INVALID_POLICY_VALUE` when a filter inherits a default
   *   no earlier filter set, or the chain is empty
   */
  constructor(filters: readonly TraceFilter[], options: FilterChainOptions = {}) {
    this.filters = ObjectFreeze(ownCopy(filters));
    const platform = filterPlatform();
    this.pkgOf = options.packageNameOf ?? ((file) => platform.packageNameOf(file));
    let exec: ExecAction | undefined;
    let value: ValueAction | undefined;
    let valueSource = -1;
    let io: IoConfig | undefined;
    const flat = safeArray<FlatRule>();
    for (let source = 0; source < filters.length; source++) {
      const filter = filters[source]!;
      const d = filter.scope.defaultExec;
      if (d === "inherit") {
        if (exec === undefined) {
          throw invalidFilter(filter.path, "scope", "'default_exec = \"inherit\"' needs an earlier filter in the chain that sets it", {
            key: "default_exec",
          });
        }
      } else {
        exec = d;
      }
      const v = filter.scope.defaultValueAction;
      if (v === "inherit") {
        if (value === undefined) {
          throw invalidFilter(filter.path, "scope", "'default_value_action = \"inherit\"' needs an earlier filter in the chain that sets it", {
            key: "default_value_action",
          });
        }
      } else {
        value = v;
        valueSource = source;
      }
      if (filter.io !== undefined) io = filter.io;
      for (let r = 0; r < filter.rules.length; r++) {
        const rule = filter.rules[r]!;
        flat.push({
          rule,
          source,
          kind: rule.selector.kind as ScopeKind,
          matched: ObjectFreeze({
            source: filter.path,
            index: rule.index,
            ...(rule.reason === undefined ? {} : { reason: rule.reason }),
          }),
        });
      }
    }
    if (exec === undefined || value === undefined) {
      throw new TraceFilterError(
        "ERR_INVALID_POLICY_VALUE",
        "the trace-filter chain is empty: composed filters never set 'scope.default_exec' and 'scope.default_value_action'",
      );
    }
    this.defaultExec = exec;
    this.defaultValueAction = value;
    this.defaultValueSource = valueSource;
    if (io !== undefined) this.io = io;
    this.flat = flat;

    const roots = safeArray<string>();
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      // A root that does not exist only matches files by its written form.
      const forms = pathForms(f.root);
      for (let j = 0; j < forms.length; j++) if (!roots.includes(forms[j]!)) roots.push(forms[j]!);
    }
    this.roots = roots;
  }

  /**
   * The `file:` candidate for a file: its path relative to the chain root that gives the
   * shortest result (an empty root gives the absolute path without its leading `/`), with `/`
   * separators; the absolute path when no root is a prefix.
   *
   * @param file - an absolute path or `file:` URL
   * @returns the string `file:` selectors are matched against
   */
  fileCandidate(file: string): string {
    return this.fileInfo(file).candidate;
  }

  /**
   * The other strings `file:` selectors are matched against for a file, beside
   * {@link fileCandidate}: its path through `node_modules` when its real path is in pnpm's
   * virtual store (`node_modules/.pnpm/<id>/node_modules/<name>/…` is also
   * `node_modules/<name>/…`), made relative to the chain's roots as the candidate is
   * (docs/trace-filters.md, "Package managers"). A package linked into `node_modules` from
   * outside any `node_modules` folder (a workspace package, `npm link`) has none: it is matched
   * by its real path, as the project's own code. A `file` rule matches when it matches the
   * candidate or one of these.
   *
   * @param file - an absolute path or `file:` URL
   * @returns the other candidates (often none)
   */
  fileAliases(file: string): readonly string[] {
    const aliases = this.fileInfo(file).aliases;
    return aliases === undefined ? [] : ownCopy(aliases);
  }

  /**
   * Classifies one scope. Cached per (file, obj, pkg when given).
   *
   * @param scope - the file, and optionally the `obj` name (default `<module>`) and package
   * @returns the decision; never throws (see {@link ScopeDecision.failedClosed})
   */
  classify(scope: ScopeQuery): ScopeDecision {
    const obj = scope.obj ?? MODULE_OBJ;
    let info: FileInfo;
    try {
      info = this.fileInfo(scope.file);
    } catch (error) {
      return this.failClosed(error);
    }
    const pkg = scope.pkg;
    let cache = info.byObj;
    let key = obj;
    if (pkg !== undefined) {
      cache = info.byObjPkg ??= new SafeMap();
      key = `${obj}\0${pkg}`;
    }
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let decision: Decision;
    const outer = openMatchWindow();
    try {
      decision = this.compute(scope.file, info, obj, pkg);
    } catch (error) {
      decision = this.failClosed(error);
    } finally {
      closeMatchWindow(outer);
    }
    cache.set(key, decision);
    return decision;
  }

  /**
   * Whether no scope of a file can be traced, so an instrumenter may leave the file alone. True
   * only when, ignoring `obj` rules, the decision is `skip` and no `obj` rule with
   * `exec = "trace"` comes after the last `file`/`pkg` rule that decided it (such a rule could
   * re-enable a function). `obj` rules that skip are not used to prove a file wholly skipped,
   * so this may answer `false` for a file whose every function is skipped; never the reverse.
   * Cached per file; `false` when classification throws (fail closed: such a file is traced
   * with every value redacted).
   *
   * @param file - an absolute path or `file:` URL
   * @returns true when the whole file is skipped
   */
  skipsWholeFile(file: string): boolean {
    let info: FileInfo;
    try {
      info = this.fileInfo(file);
    } catch {
      return false;
    }
    if (info.wholeFile !== undefined) return info.wholeFile;
    let result: boolean;
    const outer = openMatchWindow();
    try {
      let exec = this.defaultExec;
      let decidedAt = -1;
      const flat = this.flat;
      for (let i = 0; i < flat.length; i++) {
        const fr = flat[i]!;
        if (fr.kind === "obj" || fr.rule.exec === undefined) continue;
        if (this.ruleHits(file, info, fr.kind, undefined)[i] === 1) {
          exec = fr.rule.exec;
          decidedAt = i;
        }
      }
      result = exec === "skip";
      for (let i = decidedAt + 1; result && i < flat.length; i++) {
        if (flat[i]!.kind === "obj" && flat[i]!.rule.exec === "trace") result = false;
      }
    } catch {
      result = false;
    } finally {
      closeMatchWindow(outer);
    }
    info.wholeFile = result;
    return result;
  }

  /**
   * Provenance of the chain's filters (chain order; builtins as `<inline:builtin-default>`)
   * and the counters, in the shape of the Python recorder's `trace_filter` metadata.
   *
   * @param stats - the counters to report; default all zero
   * @returns `{ filters: [{ name, path, sha256, version }], stats: {...} }`
   */
  metadata(stats?: FilterStats): FilterMetadata {
    const filters: FilterMetadata["filters"] = [];
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i]!;
      appendOwn(filters, { name: f.name, path: f.path, sha256: f.sha256, version: f.version });
    }
    return { filters, stats: (stats ?? new FilterStats()).toJSON() };
  }

  private fileInfo(file: string): FileInfo {
    let info = this.fileCache.get(file);
    if (info === undefined) {
      const posix = this.posixPath(file);
      info = {
        candidate: this.relativeToRoots(posix),
        aliases: this.computeAliases(posix),
        pkgState: "unknown",
        pkg: undefined,
        byObj: new SafeMap(),
        byObjPkg: undefined,
        fileHits: undefined,
        wholeFile: undefined,
      };
      this.fileCache.set(file, info);
    }
    return info;
  }

  /** A file as a path with `/` separators (a `file:` URL as its path). */
  private posixPath(file: string): string {
    let p = file;
    if (StringPrototypeStartsWith(p, "file:")) {
      try {
        p = filterPlatform().fileURLToPath(p);
      } catch {
        // Not a usable URL: match the string as it is.
      }
    }
    return toPosix(p);
  }

  /** The `node_modules` paths of a file (see {@link fileAliases}), relative to the roots; `undefined` for none. */
  private computeAliases(p: string): readonly string[] | undefined {
    let out: SafeArray<string> | undefined;
    const add = (alias: string | undefined): void => {
      if (alias === undefined) return;
      const candidate = this.relativeToRoots(alias);
      if (out === undefined) out = safeArray<string>();
      else if (out.includes(candidate)) return;
      out.push(candidate);
    };
    add(pnpmStoreAlias(p));
    return out;
  }

  private relativeToRoots(p: string): string {
    let best: string | undefined;
    const roots = this.roots;
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i]!;
      let rel: string | undefined;
      if (root === "") {
        let start = 0;
        while (start < p.length && StringPrototypeStartsWith(p, "/", start)) start++;
        rel = StringPrototypeSlice(p, start);
      } else if (root === "/") rel = StringPrototypeStartsWith(p, "/") ? StringPrototypeSlice(p, 1) : undefined;
      else if (StringPrototypeStartsWith(p, `${root}/`)) rel = StringPrototypeSlice(p, root.length + 1);
      if (rel !== undefined && (best === undefined || rel.length < best.length)) best = rel;
    }
    return best ?? p;
  }

  private pkgFor(file: string, info: FileInfo): string | undefined {
    if (info.pkgState === "unknown") {
      info.pkg = StringPrototypeStartsWith(file, "file:") || filterPlatform().isAbsolute(file) ? this.pkgOf(file) : undefined;
      info.pkgState = "known";
    }
    return info.pkg;
  }

  /**
   * Which `file` rules (kind `file`) or `pkg` rules (kind `pkg`) match a scope of `file`: per
   * flat rule, 1 for a rule of that kind that matches, else 0. Cached per file (`file` rules)
   * and per package name (`pkg` rules), so a scope's decision runs the matchers of its `obj`
   * rules only, and a glob or regex of a `file` or `pkg` rule runs once per file or package.
   */
  private ruleHits(file: string, info: FileInfo, kind: "file" | "pkg", pkg: string | undefined): Uint8Array {
    if (kind === "file" && info.fileHits !== undefined) return info.fileHits;
    const candidate = kind === "file" ? info.candidate : (pkg ?? this.pkgFor(file, info));
    let hits = kind === "pkg" && candidate !== undefined ? this.pkgHits.get(candidate) : undefined;
    if (hits !== undefined) return hits;
    const flat = this.flat;
    hits = new Uint8ArrayCtor(flat.length);
    if (candidate !== undefined) {
      // A file's `node_modules` path (in pnpm's store) counts as the file's too.
      const aliases = kind === "file" ? info.aliases : undefined;
      // Typed array elements are the array's own: storing one reaches no setter of the program's.
      for (let i = 0; i < flat.length; i++) {
        if (flat[i]!.kind !== kind) continue;
        const selector = flat[i]!.rule.selector;
        if (selector.matches(candidate)) hits[i] = 1;
        else if (aliases !== undefined) {
          for (let a = 0; a < aliases.length; a++) {
            if (selector.matches(aliases[a]!)) {
              hits[i] = 1;
              break;
            }
          }
        }
      }
    }
    if (kind === "file") info.fileHits = hits;
    else if (candidate !== undefined) this.pkgHits.set(candidate, hits);
    return hits;
  }

  private compute(file: string, info: FileInfo, obj: string, pkg: string | undefined): Decision {
    const matched = safeArray<number>();
    let fileHits: Uint8Array | undefined;
    let pkgHits: Uint8Array | undefined;
    for (let i = 0; i < this.flat.length; i++) {
      const fr = this.flat[i]!;
      let hit: boolean;
      if (fr.kind === "obj") hit = fr.rule.selector.matches(obj);
      else if (fr.kind === "file") hit = (fileHits ??= this.ruleHits(file, info, "file", pkg))[i] === 1;
      else hit = (pkgHits ??= this.ruleHits(file, info, "pkg", pkg))[i] === 1;
      if (hit) matched.push(i);
    }
    const signature = matched.join(",");
    let decision = this.decisionsBySignature.get(signature);
    if (decision === undefined) {
      decision = this.build(matched);
      this.decisionsBySignature.set(signature, decision);
    }
    return decision;
  }

  private build(matched: readonly number[]): Decision {
    let exec = this.defaultExec;
    let valueDefault = this.defaultValueAction;
    let valueSource = this.defaultValueSource;
    // The patterns of the matching rules, the later rule's first: rules are walked last to first.
    const active = safeArray<ActivePattern>();
    const rules = safeArray<MatchedRule>();
    for (let m = 0; m < matched.length; m++) {
      const fr = this.flat[matched[m]!]!;
      if (fr.rule.exec !== undefined) exec = fr.rule.exec;
      if (fr.rule.valueDefault !== undefined) {
        valueDefault = fr.rule.valueDefault;
        valueSource = fr.source;
      }
      rules.push(fr.matched);
    }
    for (let m = matched.length - 1; m >= 0; m--) {
      const fr = this.flat[matched[m]!]!;
      const patterns = fr.rule.valuePatterns;
      for (let j = 0; j < patterns.length; j++) {
        const p = patterns[j]!;
        // Drop pruning: with a final value default of `drop`, patterns of earlier filters go.
        if (valueDefault === "drop" && fr.source < valueSource) continue;
        active.push({ selector: p.selector, action: p.action, source: fr.source });
      }
    }
    const lists = emptyPatterns();
    for (let i = 0; i < active.length; i++) lists[active[i]!.selector.kind as ValueKind].push(active[i]!);
    for (let k = 0; k < VALUE_KIND_LIST.length; k++) ObjectFreeze(lists[VALUE_KIND_LIST[k]!]);
    return new Decision(exec, valueDefault, lists, rules);
  }

  private failClosed(error: unknown): Decision {
    // One shared decision would hide which error happened; keep the first error's decision
    // only when the error is the same object.
    if (this.failClosedDecision !== undefined && this.failClosedDecision.error === error) {
      return this.failClosedDecision;
    }
    this.failClosedDecision = new Decision("trace", "redact", emptyPatterns(), [], { error });
    return this.failClosedDecision;
  }
}
