/**
 * Selector grammar: `kind:[match_type:]pattern`, and the three matchers.
 *
 * @packageDocumentation
 */

import { RE2JS } from "re2js";
import { everythingMatcher, literalMatcher, re2Matcher } from "./match.js";
import { compileRustRegex, RustRegexError, type RustRegex } from "./regex.js";
import type { MatchType, ScopeKind, Selector, SelectorKind, ValueKind } from "./types.js";

/** The selector kinds allowed in `[[scope.rules]]`. */
export const SCOPE_KINDS: readonly ScopeKind[] = ["pkg", "file", "obj"];
/** The selector kinds allowed in `[[scope.rules.value_patterns]]`. */
export const VALUE_KINDS: readonly ValueKind[] = ["local", "global", "arg", "ret", "attr"];

/** A selector string that cannot be parsed or compiled; the caller adds file and entry. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectorError";
  }
}

/**
 * Checks a glob for the errors the Rust `globset` crate reports (so a filter valid here is
 * valid for the Rust engine too): an unclosed `[`, a reversed range, an unclosed, unopened or
 * nested `{}` group, and a dangling `\`.
 *
 * @param pattern - the glob
 * @returns a description of the problem, or `undefined` when the glob is well-formed
 */
export function globProblem(pattern: string): string | undefined {
  let depth = 0;
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i + 1 >= n) return "dangling '\\'";
      i++;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "!" || pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < n && pattern[j] !== "]") {
        if (pattern[j + 1] === "-" && j + 2 < n && pattern[j + 2] !== "]") {
          if (pattern.codePointAt(j)! > pattern.codePointAt(j + 2)!) {
            return `invalid range '${pattern.slice(j, j + 3)}'`;
          }
          j += 3;
          continue;
        }
        j++;
      }
      if (j >= n) return "unclosed character class; missing ']'";
      i = j;
      continue;
    }
    if (c === "{") {
      if (depth > 0) return "nested alternate groups are not allowed";
      depth++;
    } else if (c === "}") {
      if (depth === 0) return "unopened alternate group; missing '{'";
      depth--;
    }
  }
  return depth > 0 ? "unclosed alternate group; missing '}'" : undefined;
}

/**
 * Compiles a glob to a whole-string matcher that runs in time linear in the candidate's length
 * (times the glob's size): the glob is translated to RE2 syntax ({@link globToRe2}) and run by
 * re2js, the engine of `regex` selectors. No glob can make a filter decision hang: the
 * backtracking JavaScript `RegExp` that picomatch built took seconds for
 * `*a*a*a*a*a*a*a*a*b` against 40 `a`s.
 *
 * @example
 * ```ts
 * compileGlob("src/**\/*.ts")("src/a/b.ts"); // true
 * compileGlob("src/*.ts")("src/a/b.ts"); // false: `*` stays within one part
 * ```
 * @param pattern - the glob (syntax: {@link globToRe2})
 * @returns the test function: whether the whole candidate matches
 * @throws {@link SelectorError} when the glob is malformed ({@link globProblem}, or a range
 *   such as `[c-d-b]` that `globset` also rejects)
 */
export function compileGlob(pattern: string): (candidate: string) => boolean {
  const problem = globProblem(pattern);
  if (problem !== undefined) throw new SelectorError(`invalid glob pattern '${pattern}': ${problem}`);
  let re: RE2JS;
  let source: string;
  try {
    const tokens = parseGlob(pattern);
    // Two shapes need no regex: a literal, and a glob that matches everything (`**`, `**/**`).
    if (tokens.every((t) => t.kind === "literal")) {
      return literalMatcher(tokens.map((t) => t.char).join(""));
    }
    if (tokens.length === 1 && tokens[0]!.kind === "recursivePrefix") return everythingMatcher();
    source = tokensToRe2Pattern(tokens);
    re = RE2JS.compile(source);
  } catch (error) {
    throw new SelectorError(`invalid glob pattern '${pattern}': ${(error as Error).message}`);
  }
  // The matcher runs while the program runs: see ./match.ts.
  return re2Matcher(re, source);
}

/** A parsed glob element (the tokens of the Rust `globset` crate). */
type GlobToken =
  | { readonly kind: "literal"; readonly char: string }
  /** `?`: one character other than `/`. */
  | { readonly kind: "any" }
  /** `*`: any run of characters other than `/`. */
  | { readonly kind: "star" }
  /** `**` (or `**\/`) at the start: nothing, or anything ending in `/`. */
  | { readonly kind: "recursivePrefix" }
  /** `/**` at the end: `/` and anything after it. */
  | { readonly kind: "recursiveSuffix" }
  /** `/**\/` inside: `/`, or `/` anything `/`. */
  | { readonly kind: "recursiveMiddle" }
  | { readonly kind: "class"; readonly negated: boolean; readonly ranges: [string, string][] }
  | { readonly kind: "alternates"; readonly branches: GlobToken[][] };

/**
 * Translates a glob into an RE2 pattern (for re2js) anchored at both ends, as the Rust
 * `globset` crate translates it into a `regex` crate pattern with `literal_separator(true)`:
 * - `?` is `[^/]` and `*` is `[^/]*`: they stay within one `/`-separated part;
 * - `**` crosses parts: `**` alone (or `**\/`) matches everything, including the empty string;
 *   `**\/x` matches `x`, `/x` and `a/b/x`; `a/**` matches `a/` and everything below it (not
 *   `a`); `a/**\/b` matches `a/b` and `a/x/y/b`; elsewhere (`a**b`, `**a`, `a/**b`) `**` is two `*`;
 * - `[abc]`, `[a-z]`, `[!a]`, `[^a]` are classes; a `]` or `-` first is literal, a `-` last is
 *   literal, `\` inside a class is literal, and a negated class also matches `/`;
 * - `{a,b}` is an alternation (not nested; an empty branch is dropped, so `a{,b}` matches only
 *   `ab`); a `,` outside braces is literal;
 * - `\x` is the character `x` for any `x`;
 * - everything else, a leading `!` and dots included, is literal: there is no negation, no
 *   extglob, and no special case for names starting with `.`.
 * `?` and classes match one Unicode code point (globset matches one byte of UTF-8, which only
 * differs for non-ASCII characters).
 *
 * @example
 * ```ts
 * globToRe2("src/**\/*.ts"); // "(?s)^src(?:/|/.*\/)[^/]*\\.ts$"
 * ```
 * @param pattern - the glob
 * @returns the RE2 pattern
 * @throws {@link SelectorError} when the glob is malformed: the errors {@link globProblem}
 *   reports (with a shorter message: {@link compileGlob} adds the pattern), and a range whose
 *   end goes below its start after a second `-`, as in `[c-d-b]` (globset reads `c-b`)
 */
export function globToRe2(pattern: string): string {
  return tokensToRe2Pattern(parseGlob(pattern));
}

/** The anchored RE2 pattern of a parsed glob (globset's `to_regex_with`). */
function tokensToRe2Pattern(tokens: readonly GlobToken[]): string {
  // As globset: a glob that is only `**` matches everything.
  if (tokens.length === 1 && tokens[0]!.kind === "recursivePrefix") return "(?s)^.*$";
  return `(?s)^${tokensToRe2(tokens)}$`;
}

/** Parses a glob into globset's tokens (see {@link globToRe2}); `/` is the only separator. */
function parseGlob(pattern: string): GlobToken[] {
  const chars = Array.from(pattern);
  let at = 0;
  let prev: string | undefined;
  let cur: string | undefined;
  const bump = (): string | undefined => {
    prev = cur;
    cur = chars[at];
    if (cur !== undefined) at++;
    return cur;
  };
  const peek = (): string | undefined => chars[at];
  /** The branches being parsed: the glob's own, then those of the open `{}` group. */
  const branches: GlobToken[][] = [[]];
  /** Where in `branches` the open `{}` group starts; -1 outside braces. */
  let groupStart = -1;
  const push = (token: GlobToken): void => {
    branches[branches.length - 1]!.push(token);
  };
  const last = (): GlobToken[] => branches[branches.length - 1]!;

  for (let c = bump(); c !== undefined; c = bump()) {
    switch (c) {
      case "?":
        push({ kind: "any" });
        break;
      case "*":
        parseStar();
        break;
      case "[":
        parseClass();
        break;
      case "{":
        if (groupStart >= 0) throw new SelectorError("nested alternate groups are not allowed");
        groupStart = branches.length;
        branches.push([]);
        break;
      case "}": {
        if (groupStart < 0) throw new SelectorError("unopened alternate group; missing '{'");
        const group = branches.splice(groupStart);
        groupStart = -1;
        push({ kind: "alternates", branches: group });
        break;
      }
      case ",":
        if (groupStart >= 0) branches.push([]);
        else push({ kind: "literal", char: "," });
        break;
      case "\\": {
        const escaped = bump();
        if (escaped === undefined) throw new SelectorError("dangling '\\'");
        push({ kind: "literal", char: escaped });
        break;
      }
      default:
        push({ kind: "literal", char: c });
    }
  }
  if (groupStart >= 0) throw new SelectorError("unclosed alternate group; missing '}'");
  return branches[0]!;

  /** After a `*`: globset's `parse_star`, which decides what a `**` means from its neighbours. */
  function parseStar(): void {
    const before = prev;
    if (peek() !== "*") {
      push({ kind: "star" });
      return;
    }
    bump();
    if (last().length === 0) {
      // `**` at the start of the glob or of a branch.
      const next = peek();
      if (next !== undefined && next !== "/") {
        push({ kind: "star" });
        push({ kind: "star" });
      } else {
        push({ kind: "recursivePrefix" });
        bump();
      }
      return;
    }
    if (before !== "/") {
      // globset also accepts a `{` or `,` before, which cannot happen here: both start an empty branch.
      push({ kind: "star" });
      push({ kind: "star" });
      return;
    }
    const next = peek();
    let suffix: boolean;
    if (next === undefined) {
      suffix = true;
    } else if ((next === "," || next === "}") && groupStart >= 0) {
      suffix = true;
    } else if (next === "/") {
      bump();
      suffix = false;
    } else {
      push({ kind: "star" });
      push({ kind: "star" });
      return;
    }
    // Replace the `/` before (or a recursive token that already stands for it).
    const replaced = last().pop()!;
    if (replaced.kind === "recursivePrefix" || replaced.kind === "recursiveSuffix") push(replaced);
    else push({ kind: suffix ? "recursiveSuffix" : "recursiveMiddle" });
  }

  /** After a `[`: globset's `parse_class`. */
  function parseClass(): void {
    const ranges: [string, string][] = [];
    let negated = false;
    if (peek() === "!" || peek() === "^") {
      bump();
      negated = true;
    }
    let first = true;
    let inRange = false;
    const extend = (end: string): void => {
      const range = ranges[ranges.length - 1]!;
      range[1] = end;
      if (range[1].codePointAt(0)! < range[0].codePointAt(0)!) {
        throw new SelectorError(`invalid range '${range[0]}-${range[1]}'`);
      }
    };
    for (;;) {
      const c = bump();
      if (c === undefined) throw new SelectorError("unclosed character class; missing ']'");
      if (c === "]") {
        if (!first) break;
        ranges.push(["]", "]"]);
      } else if (c === "-") {
        if (first) {
          ranges.push(["-", "-"]);
        } else if (inRange) {
          extend("-");
          inRange = false;
        } else {
          inRange = true;
        }
      } else {
        if (inRange) extend(c);
        else ranges.push([c, c]);
        inRange = false;
      }
      first = false;
    }
    if (inRange) ranges.push(["-", "-"]);
    push({ kind: "class", negated, ranges });
  }
}

/** The RE2 text of a token sequence (globset's `tokens_to_regex` with `literal_separator`). */
function tokensToRe2(tokens: readonly GlobToken[]): string {
  let out = "";
  for (const token of tokens) {
    switch (token.kind) {
      case "literal":
        out += re2Char(token.char);
        break;
      case "any":
        out += "[^/]";
        break;
      case "star":
        out += "[^/]*";
        break;
      case "recursivePrefix":
        out += "(?:/?|.*/)";
        break;
      case "recursiveSuffix":
        out += "/.*";
        break;
      case "recursiveMiddle":
        out += "(?:/|/.*/)";
        break;
      case "class":
        out += token.negated ? "[^" : "[";
        for (const [from, to] of token.ranges) out += from === to ? re2Char(from) : `${re2Char(from)}-${re2Char(to)}`;
        out += "]";
        break;
      case "alternates": {
        const parts = token.branches.map(tokensToRe2).filter((part) => part.length > 0);
        if (parts.length > 0) out += `(?:${parts.join("|")})`;
        break;
      }
    }
  }
  return out;
}

/** One character as an RE2 literal, valid inside and outside a class. */
function re2Char(c: string): string {
  if (/^[A-Za-z0-9]$/.test(c)) return c;
  if (/^[!-/:-@[-`{-~]$/.test(c)) return `\\${c}`;
  return `\\x{${c.codePointAt(0)!.toString(16)}}`;
}

/**
 * Normalises a `file:` glob or literal pattern as a path (docs/trace-filters.md, "Selectors"): an
 * absolute pattern is made relative to `root` (an error when it lies outside; with an empty
 * root the leading `/` is dropped), empty and `.` parts are removed, `..` removes the part
 * before it (an error when there is none: the pattern would escape the root), and the parts are
 * joined with `/`. Regex patterns are not passed through here (see `parseSelector`).
 *
 * @param pattern - the pattern as written
 * @param roots - the filter's project root, and any alias of it (e.g. its path before
 *   symlinks were resolved); `[""]` for inline filters
 * @returns the normalised pattern
 * @throws {@link SelectorError} when the pattern escapes the root or normalises to nothing
 */
export function normaliseFilePattern(pattern: string, roots: readonly string[]): string {
  let rest = pattern;
  if (pattern.startsWith("/")) {
    const parts = pattern.split("/").filter((p) => p.length > 0);
    let stripped: string[] | undefined;
    for (const root of roots) {
      const rootParts = root.split("/").filter((p) => p.length > 0);
      if (rootParts.every((p, i) => parts[i] === p)) {
        stripped = parts.slice(rootParts.length);
        break;
      }
    }
    if (stripped === undefined) {
      throw new SelectorError(`file pattern '${pattern}' lies outside the project root '${roots[0] ?? ""}'`);
    }
    rest = stripped.join("/");
  }
  const out: string[] = [];
  for (const part of rest.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw new SelectorError(`file pattern '${pattern}' escapes the project root`);
      out.pop();
      continue;
    }
    out.push(part);
  }
  if (out.length === 0) throw new SelectorError(`file pattern '${pattern}' names the project root itself, not a file`);
  return out.join("/");
}

const MATCH_TYPES: readonly MatchType[] = ["glob", "regex", "literal"];
const ALL_KINDS: readonly SelectorKind[] = [...SCOPE_KINDS, ...VALUE_KINDS];

/**
 * Parses and compiles a selector `kind:[match_type:]pattern`. The string is split on `:` at
 * most three ways, so a colon in the pattern survives only when the match type is written
 * (`obj:regex:^a::b$`); with two parts the match type is `glob` (`pkg:foo:bar` is match type
 * `foo`, an error). `file:` globs and literals are path-normalised against `roots`
 * ({@link normaliseFilePattern}); `file:` regexes are used as written (a regex is not a path).
 *
 * @param raw - the selector string
 * @param allowed - which kinds are legal where it was written
 * @param roots - the filter's project root(s) for `file:` normalisation
 * @returns the compiled selector
 * @throws {@link SelectorError} with a message ending in `in selector '<raw>'`
 */
export function parseSelector(raw: string, allowed: "scope" | "value", roots: readonly string[]): Selector {
  const fail = (detail: string): never => {
    throw new SelectorError(`${detail} in selector '${raw}'`);
  };
  if (raw.length === 0) throw new SelectorError("selector is empty");
  const first = raw.indexOf(":");
  if (first < 0) fail("missing ':' (expected kind:[match_type:]pattern)");
  const kindToken = raw.slice(0, first);
  const remainder = raw.slice(first + 1);
  if (kindToken.length === 0) fail("empty selector kind");
  if (!(ALL_KINDS as readonly string[]).includes(kindToken)) fail(`unsupported selector kind '${kindToken}'`);
  const kind = kindToken as SelectorKind;
  let matchType: MatchType = "glob";
  let pattern = remainder;
  const second = remainder.indexOf(":");
  if (second >= 0) {
    const token = remainder.slice(0, second);
    pattern = remainder.slice(second + 1);
    if (token.length === 0) fail("empty match type");
    if (!(MATCH_TYPES as readonly string[]).includes(token)) fail(`unsupported match type '${token}'`);
    matchType = token as MatchType;
  }
  if (pattern.length === 0) fail("empty pattern");
  const kinds: readonly string[] = allowed === "scope" ? SCOPE_KINDS : VALUE_KINDS;
  if (!kinds.includes(kind)) {
    fail(
      allowed === "scope"
        ? `selector kind '${kind}' is not allowed in scope.rules (use pkg, file or obj)`
        : `selector kind '${kind}' is not allowed in value_patterns (use local, global, arg, ret or attr)`,
    );
  }
  if (kind === "file" && matchType !== "regex") {
    try {
      pattern = normaliseFilePattern(pattern, roots);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  let test: (candidate: string) => boolean;
  if (matchType === "literal") {
    test = literalMatcher(pattern);
  } else if (matchType === "glob") {
    try {
      test = compileGlob(pattern);
    } catch (error) {
      return fail((error as Error).message);
    }
  } else {
    let re: RustRegex;
    try {
      re = compileRustRegex(pattern);
    } catch (error) {
      const detail = error instanceof RustRegexError ? error.message : String(error);
      return fail(`invalid regex pattern '${pattern}': ${detail}`);
    }
    test = re.test;
  }
  return Object.freeze({ raw, kind, matchType, pattern, matches: test });
}

/**
 * True when `selector` is a `pkg:` glob or literal that looks like a Python dotted module path
 * (`pkg:my_app.services.*`, the Python recorder's form), which here matches nothing: in this
 * recorder `pkg:` is matched against npm package names (`lodash`, `@scope/name`;
 * docs/trace-filters.md), never against module paths, so such a rule silently does nothing.
 *
 * The rule, chosen so that real npm names never trigger it: the pattern has no `/` (a scoped
 * npm name has one) and
 * - has two or more `.` (`my_app.services.*`, `app.models.user`): npm names with two dots are
 *   rare; or
 * - has a `.` and an `_` or an upper-case letter (`my_app.*`, `MyApp.models`): npm names are
 *   lower-case and hardly ever mix `_` with `.`.
 *
 * So `lodash.merge`, `lodash.*`, `highlight.js`, `socket.io-client` and `@scope/a.b.c` do not
 * match the rule. `pkg:regex:` selectors are not judged (a regex's dots are not names).
 */
export function isPythonModuleLikePkg(selector: Selector): boolean {
  if (selector.kind !== "pkg" || selector.matchType === "regex") return false;
  const p = selector.pattern;
  if (p.includes("/")) return false;
  const dots = p.split(".").length - 1;
  if (dots >= 2) return true;
  return dots === 1 && /[_A-Z]/.test(p);
}
