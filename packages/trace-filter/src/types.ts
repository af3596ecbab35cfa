/**
 * The shapes of a parsed trace filter.
 *
 * @packageDocumentation
 */

/** What happens to a scope (a function, or a module's top-level code): recorded or not. */
export type ExecAction = "trace" | "skip";

/**
 * What happens to one value:
 * - `allow`: recorded as is;
 * - `redact`: the name is kept and the value is replaced by `<redacted>`;
 * - `drop`: the variable or argument is left out entirely (a return value is written as
 *   `<dropped>`, so calls and returns stay balanced).
 *
 * The legacy token `deny` is accepted in filter files as an alias of `redact`.
 */
export type ValueAction = "allow" | "redact" | "drop";

/**
 * The kind of a value, as written in value selectors:
 * - `local`: a local variable (module-level variables count as `local` in the module scope);
 * - `global`: a global variable seen from a function;
 * - `arg`: a parameter, matched by its name;
 * - `ret`: a return value. **Not a variable name**: it is matched against the function's `obj`
 *   name (e.g. `UserService.login`), as in the Python recorder, so
 *   `ret:literal:UserService.login` targets that function's returns. The special names
 *   `<return>` and `<yield>` may also be passed by a recorder for returns and yields it cannot
 *   attribute to a named function.
 * - `attr`: an object attribute (property) name.
 */
export type ValueKind = "local" | "global" | "arg" | "ret" | "attr";

/**
 * The kinds of scope selectors (only in `[[scope.rules]]`). What each is matched against in
 * JavaScript and TypeScript:
 * - `file`: the source file's path relative to the project root, with `/` separators
 *   (`src/services/user.ts`). The project root of a filter is the folder holding its
 *   `.codetracer/` folder (else the filter file's own folder); the builtin filter has an empty
 *   root, for which the path is the absolute path with its leading `/` removed. As in the Python
 *   recorder, the file is made relative to every root of the chain and the **shortest** result
 *   is used for **all** rules, whichever filter they came from; with no root that is a prefix
 *   the absolute path is used.
 * - `pkg`: the npm package name from the nearest `package.json` holding a `name` (`lodash`,
 *   `@babel/core`); for the project's own files, the project's name. Unknown → `pkg` rules do not
 *   match. See `packageNameOf`.
 * - `obj`: the function's qualified name within its module (`UserService.login`,
 *   `outer.inner`); the module's top-level code is `<module>`.
 */
export type ScopeKind = "pkg" | "file" | "obj";

/** Any selector kind. */
export type SelectorKind = ScopeKind | ValueKind;

/** How a selector's pattern is matched. */
export type MatchType = "glob" | "regex" | "literal";

/** A parsed, compiled selector `kind:[match_type:]pattern`. */
export interface Selector {
  /** The selector string as written in the filter. */
  readonly raw: string;
  /** What it is matched against. */
  readonly kind: SelectorKind;
  /** How it is matched (`glob` when the selector does not say). */
  readonly matchType: MatchType;
  /** The pattern as used for matching (for `file:` globs and literals, after path normalisation). */
  readonly pattern: string;
  /**
   * Whether `candidate` matches: a glob or literal must match the whole string; a regex is an
   * unanchored search (Rust `is_match`).
   */
  matches(candidate: string): boolean;
}

/** One `[[scope.rules.value_patterns]]` entry. */
export interface ValuePattern {
  /** Position within its rule's `value_patterns`. */
  readonly index: number;
  /** Where it is in the file, e.g. `scope.rules[2].value_patterns[0]`. */
  readonly entry: string;
  /** A value selector (`local`, `global`, `arg`, `ret`, `attr`). */
  readonly selector: Selector;
  /** What happens to a matching value. */
  readonly action: ValueAction;
  /** Why, as written. */
  readonly reason?: string;
}

/** One `[[scope.rules]]` entry. */
export interface ScopeRule {
  /** Position within its filter's `scope.rules`. */
  readonly index: number;
  /** Where it is in the file, e.g. `scope.rules[2]`. */
  readonly entry: string;
  /** A scope selector (`pkg`, `file`, `obj`). */
  readonly selector: Selector;
  /** `trace` or `skip`; `undefined` when the rule leaves exec alone (missing or `inherit`). */
  readonly exec?: ExecAction;
  /** The value default a match sets; `undefined` when missing or `inherit`. */
  readonly valueDefault?: ValueAction;
  /** Why, as written. */
  readonly reason?: string;
  /** The rule's value patterns, in file order. */
  readonly valuePatterns: readonly ValuePattern[];
}

/** A stream of the optional `[io]` table. */
export type IoStream = "stdout" | "stderr" | "stdin" | "files";

/**
 * The optional `[io]` table (an extension of the Python recorder). Parsed, validated and
 * exposed; nothing in this package acts on it.
 */
export interface IoConfig {
  /** `io.capture` (default `false`). */
  readonly capture: boolean;
  /** `io.streams`, duplicates dropped; non-empty when `capture` is `true`. */
  readonly streams: readonly IoStream[];
}

/** One parsed trace-filter file. */
export interface TraceFilter {
  /** `meta.name`. */
  readonly name: string;
  /** `meta.version` (always 1 today). */
  readonly version: number;
  /** `meta.description`. */
  readonly description?: string;
  /** `meta.labels`, duplicates dropped. */
  readonly labels: readonly string[];
  /** The file's absolute path, or a pseudo-path such as `<inline:builtin-default>`. */
  readonly path: string;
  /**
   * The project root `file:` selectors are relative to: the folder holding the `.codetracer/`
   * folder the file is in, else the file's own folder; `""` for inline filters.
   */
  readonly root: string;
  /** SHA-256 of the exact file text (UTF-8), lowercase hex. */
  readonly sha256: string;
  /** The `[scope]` defaults; `inherit` takes the value of an earlier filter in the chain. */
  readonly scope: {
    readonly defaultExec: ExecAction | "inherit";
    readonly defaultValueAction: ValueAction | "inherit";
  };
  /** `[[scope.rules]]`, in file order. */
  readonly rules: readonly ScopeRule[];
  /** `[io]`, when the file has the table. */
  readonly io?: IoConfig;
}
