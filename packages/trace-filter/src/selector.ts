/**
 * Selector grammar: `kind:[match_type:]pattern`, and the three matchers.
 *
 * @packageDocumentation
 */

import picomatch from "picomatch";
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
 * picomatch options giving globset's `literal_separator(true)` behaviour: `*` and `?` stay
 * within one `/`-separated part, `**` crosses parts, dots are ordinary characters, a leading
 * `!` is not negation, extglobs are off, and `[!a]` negates a class.
 */
export const GLOB_OPTIONS: picomatch.PicomatchOptions = Object.freeze({
  dot: true,
  nonegate: true,
  noextglob: true,
  posix: true,
  strictSlashes: true,
});

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
 * Compiles a glob to a whole-string matcher with picomatch ({@link GLOB_OPTIONS}).
 *
 * @param pattern - the glob
 * @returns the test function
 * @throws {@link SelectorError} when the glob is malformed
 */
export function compileGlob(pattern: string): (candidate: string) => boolean {
  const problem = globProblem(pattern);
  if (problem !== undefined) throw new SelectorError(`invalid glob pattern '${pattern}': ${problem}`);
  let re: RegExp;
  try {
    re = picomatch.makeRe(pattern, GLOB_OPTIONS);
  } catch (error) {
    throw new SelectorError(`invalid glob pattern '${pattern}': ${(error as Error).message}`);
  }
  return (candidate) => re.test(candidate);
}

/**
 * Normalises a `file:` glob or literal pattern as a path (`recorder-behaviour.md` §1.2): an
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
        : `selector kind '${kind}' is not allowed in value_patterns (use local, global, arg, ret or attr)`
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
    const expected = pattern;
    test = (candidate) => candidate === expected;
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
    test = (candidate) => re.test(candidate);
  }
  return Object.freeze({ raw, kind, matchType, pattern, matches: test });
}
