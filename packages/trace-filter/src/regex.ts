/**
 * `regex` selectors: Rust `regex`-dialect patterns run by a linear-time engine.
 *
 * Trace-filter files are shared with the Rust engine of the other CodeTracer recorders, so their
 * `regex` selectors are written in the Rust `regex` dialect. They are matched with
 * [re2js](https://github.com/le0pard/re2js), a pure JavaScript port of RE2: like Rust's crate it
 * has no look-around and no backreferences, and it matches in time linear in the input, so no
 * pattern can make a filter decision hang (the backtracking JavaScript `RegExp` took 21 s for
 * `^(a+)+$` against 32 `a`s and a `!`). re2js has no Node imports and runs in a browser as is.
 *
 * RE2's syntax is close to Rust's. {@link rustToRe2} rewrites what differs and can be written
 * in RE2, and rejects what cannot, so that a pattern never silently means something else:
 * - `\d`, `\s`, `\w` (and `\D`, `\S`, `\W`) keep Rust's Unicode meaning (`\p{Nd}`,
 *   White_Space, letters, marks, digits, connector punctuation and join controls); RE2's are
 *   ASCII. `\W` inside a bracket class is rejected (RE2 has no way to write it there).
 * - `\u{…}`, `\uHHHH`, `\U{…}`, `\UHHHHHHHH` become `\x{…}`; `\p{sc=Greek}`, `\p{gc=Lu}`,
 *   `\p{Uppercase_Letter}`, `\p{greek}`, `\p{wspace}` become the names RE2 knows.
 * - the flag `u` (on by default in Rust) is dropped; `(?-u)` (ASCII mode), `x` (verbose mode)
 *   and `R` (CRLF mode) are rejected.
 * - errors Rust reports and RE2 would not: a `{` that does not start a valid counted
 *   repetition, a repeated flag group (`a(?i)*`), duplicate or empty flags, octal escapes,
 *   `\Q…\E`, a class as a range boundary, capture names Rust does not allow.
 * - Rust-only syntax with another meaning in RE2 is rejected: nested classes `[a[bc]]`, the
 *   class set operations `&&`, `--`, `~~`, the word assertions `\<`, `\>`, `\b{start}`,
 *   `\b{end}`, `\b{start-half}`, `\b{end-half}`.
 *
 * What remains different is listed in `docs/trace-filters.md` ("The regex dialect"): `\b` and
 * `\B` use ASCII word characters, repetition counts stop at 1000, nested repetition (`a**`) is
 * an error, and of the binary Unicode properties only those re2js has (`Alphabetic`,
 * `White_Space`, `Uppercase`, `Lowercase`, `Emoji`, …) are known.
 *
 * Compiled patterns are memoised by source ({@link compileRustRegex}): the builtin filter writes
 * its ~1.5 KB secret-name regex once per value kind, and each loader thread parses the chain at
 * start-up.
 *
 * @packageDocumentation
 */

import { RE2JS, RE2JSException } from "re2js";
import { re2Matcher } from "./match.js";

/** A pattern that the Rust `regex` dialect, or the engine that runs it here, does not accept. */
export class RustRegexError extends Error {
  /** Index into the pattern (in UTF-16 units) where the problem was found; `undefined` when the engine did not say. */
  readonly offset: number | undefined;

  /**
   * @param message - what is wrong
   * @param offset - where, as an index into the pattern, if known
   */
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at offset ${offset}`);
    this.name = "RustRegexError";
    this.offset = offset;
  }
}

/** A compiled `regex` selector pattern. */
export interface RustRegex {
  /** The pattern as written (Rust dialect). */
  readonly source: string;
  /** The pattern as handed to RE2 ({@link rustToRe2}). */
  readonly re2Source: string;
  /**
   * Unanchored search, like Rust's `is_match`: whether the pattern matches anywhere in `input`.
   * Time linear in `input.length` (times the pattern's size).
   */
  test(input: string): boolean;
}

/**
 * Compiles a Rust `regex` pattern with re2js. The result is memoised by pattern (at most 256
 * patterns; the same object is returned for the same pattern), so a chain that repeats a
 * pattern compiles it once per thread.
 *
 * @example
 * ```ts
 * compileRustRegex("(?i)^api[_-]?key$").test("API-Key"); // true
 * compileRustRegex("^(a+)+$").test("a".repeat(100_000) + "!"); // false, in milliseconds
 * ```
 * @param pattern - the Rust pattern
 * @returns the compiled pattern (frozen)
 * @throws {@link RustRegexError} when the pattern is not valid Rust, or uses what RE2 cannot express
 */
export function compileRustRegex(pattern: string): RustRegex {
  const known = compiled.get(pattern);
  if (known !== undefined) return known;
  const re2Source = rustToRe2(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(re2Source);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    const e = error as RE2JSException & { getDescription?: () => string; getPattern?: () => string | null };
    let what = typeof e.getDescription === "function" ? e.getDescription() : e.message;
    const near = typeof e.getPattern === "function" ? e.getPattern() : null;
    what = RE2_MESSAGES.get(what) ?? what;
    // RE2 reports a Unicode class it does not know as a bad range.
    if (near !== null && /^\\[pP]/.test(near)) what = "unsupported Unicode class (RE2 knows general categories and scripts)";
    throw new RustRegexError(near ? `${what} near '${near}'` : what);
  }
  // The test function runs while the program runs: see ./match.ts.
  const result: RustRegex = Object.freeze({ source: pattern, re2Source, test: re2Matcher(re, re2Source) });
  if (compiled.size >= COMPILED_MAX) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

/** RE2's wording of its parse errors → the Rust crate's (or a clearer one). */
const RE2_MESSAGES = new Map([
  ["missing closing )", "unclosed group"],
  ["missing closing ]", "unclosed character class"],
  ["unexpected )", "unopened group"],
  ["missing argument to repetition operator", "repetition operator missing expression"],
  ["invalid nested repetition operator", "nested repetition (such as a** or a{2}{3}) is not supported; use a group"],
  ["invalid repeat count", "invalid repetition count (at most 1000)"],
  ["invalid named capture", "invalid capture group name"],
  ["invalid escape sequence", "unrecognised escape sequence"],
]);

/** Compiled patterns by Rust source (successes only); cleared whole when full. */
const compiled = new Map<string, RustRegex>();
const COMPILED_MAX = 256;

// ---------------------------------------------------------------------------------------------
// Rust syntax → RE2 syntax

/** Rust's Unicode `\w` (Alphabetic, M, Nd, Pc, Join_Control) as an RE2 class body. */
const WORD = "\\p{Alphabetic}\\pM\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}";

/** Loose name (lowercase, no `_`, `-` or space) → RE2 name of the general categories, long and short. */
const CATEGORIES = looseNames([
  "C other",
  "Cc control cntrl",
  "Cf format",
  "Cn unassigned",
  "Co privateuse",
  "Cs surrogate",
  "L letter",
  "Lc casedletter",
  "Ll lowercaseletter",
  "Lm modifierletter",
  "Lo otherletter",
  "Lt titlecaseletter",
  "Lu uppercaseletter",
  "M mark combiningmark",
  "Mc spacingmark",
  "Me enclosingmark",
  "Mn nonspacingmark",
  "N number",
  "Nd decimalnumber digit",
  "Nl letternumber",
  "No othernumber",
  "P punctuation punct",
  "Pc connectorpunctuation",
  "Pd dashpunctuation",
  "Pe closepunctuation",
  "Pf finalpunctuation",
  "Pi initialpunctuation",
  "Po otherpunctuation",
  "Ps openpunctuation",
  "S symbol",
  "Sc currencysymbol",
  "Sk modifiersymbol",
  "Sm mathsymbol",
  "So othersymbol",
  "Z separator",
  "Zl lineseparator",
  "Zp paragraphseparator",
  "Zs spaceseparator",
]);

/** The same for the other classes RE2 (re2js) knows: Any, ASCII, Assigned and some binary properties. */
const PROPERTIES = looseNames([
  "Any any",
  "Ascii ascii",
  "Assigned assigned",
  "ASCII_Hex_Digit ahex",
  "Alphabetic alpha",
  "Dash",
  "Emoji",
  "Emoji_Component ecomp",
  "Emoji_Modifier emod",
  "Emoji_Modifier_Base ebase",
  "Emoji_Presentation epres",
  "Extended_Pictographic extpict",
  "Hex_Digit hex",
  "Lowercase lower",
  "Math",
  "Quotation_Mark qmark",
  "Terminal_Punctuation term",
  "Uppercase upper",
  "White_Space wspace space whitespace",
]);

function looseNames(entries: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const [name, ...aliases] = entry.split(" ");
    map.set(loose(name!), name!);
    for (const a of aliases) map.set(a, name!);
  }
  return map;
}

function loose(s: string): string {
  return s.toLowerCase().replace(/[\s_-]/g, "");
}

/**
 * The RE2 form of a Rust Unicode class `\p{body}` (or `\P{body}` when `negated`): a general
 * category, script or supported binary property, `^` negation, and the `sc=`/`script=`/`gc=`/
 * `general_category=` (`:`, `!=`) forms. Names are matched loosely as Rust does (categories and
 * properties fully; scripts by Title_Casing a name written in lowercase or with spaces).
 */
function unicodeClass(body: string, negated: boolean, at: number): string {
  let neg = negated;
  let name = body;
  if (name.startsWith("^")) {
    neg = !neg;
    name = name.slice(1);
  }
  let kind: "any" | "gc" | "sc" = "any";
  const sep = /!=|[=:]/.exec(name);
  if (sep !== null) {
    const prop = loose(name.slice(0, sep.index));
    if (prop === "gc" || prop === "generalcategory") kind = "gc";
    else if (prop === "sc" || prop === "script") kind = "sc";
    else fail(`unsupported Unicode property '${name.slice(0, sep.index)}' (only general_category and script)`, at);
    if (sep[0] === "!=") neg = !neg;
    name = name.slice(sep.index + sep[0].length);
  }
  const script = (): string =>
    /^[a-z]/.test(name) || /[\s-]/.test(name)
      ? name
          .split(/[\s_-]+/)
          .map((w) => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
          .join("_")
      : name;
  const re2Name =
    kind === "gc" ? CATEGORIES.get(loose(name)) : kind === "sc" ? script() : (CATEGORIES.get(loose(name)) ?? PROPERTIES.get(loose(name)) ?? script());
  if (re2Name === undefined || !/^[A-Za-z_]+$/.test(re2Name)) fail(`unsupported Unicode class '${body}'`, at);
  return `\\${neg ? "P" : "p"}{${re2Name}}`;
}

/** Throws a {@link RustRegexError} for `message` at offset `at`. */
function fail(message: string, at: number): never {
  throw new RustRegexError(message, at);
}

/** Rust's flags; `u` is always on here, `x` and `R` are rejected. */
const FLAGS = "imsUuxR";

/** A capture group name Rust accepts. */
const GROUP_NAME = /^[_A-Za-z][_0-9A-Za-z.[\]]*$/;

/** An escaped character that stands for itself in both dialects (ASCII punctuation and space; not `<`, `>`). */
const ESCAPABLE = /^[\x20-\x2f\x3a-\x3b\x3d\x3f-\x40\x5b-\x60\x7b-\x7e]$/;

/**
 * Rewrites a Rust `regex` pattern into RE2 syntax with the same matches (see the module
 * documentation for what is rewritten and what is rejected). Syntax errors both dialects share
 * (an unclosed group, a reversed range, look-around, …) are reported by the RE2 parser when the
 * result is compiled; this finds only look-around and backreferences itself, for a clearer message.
 *
 * @example
 * ```ts
 * rustToRe2("^\\d+\\u00e9$"); // "^\\p{Nd}+\\x{00e9}$"
 * rustToRe2("(?iu)\\p{sc=Greek}"); // "(?i)\\p{Greek}"
 * ```
 * @param pattern - the Rust pattern
 * @returns the RE2 pattern
 * @throws {@link RustRegexError} when the pattern is invalid Rust or uses Rust syntax RE2 cannot express
 */
export function rustToRe2(pattern: string): string {
  const p = pattern;
  let out = "";
  let i = 0;
  /** Inside a bracket class: the index of its `[`, else -1. */
  let classStart = -1;
  /** Whether the class's first item is still to come (a `]` there is literal). */
  let classFirst = false;
  /** Whether the last thing written can take a repetition operator (false after a flag group). */
  let repeatable = true;

  /** Reads a hex escape body at `j` (after `\x`, `\u` or `\U`): `{H…}` or `digits` fixed digits. */
  const hexEscape = (j: number, digits: number, at: number): [string, number] => {
    let hex: string;
    let end: number;
    if (p[j] === "{") {
      const close = p.indexOf("}", j);
      if (close < 0) fail("unclosed hexadecimal escape", at);
      hex = p.slice(j + 1, close);
      end = close + 1;
      if (!/^[0-9A-Fa-f]{1,8}$/.test(hex)) fail("invalid hexadecimal escape", at);
    } else {
      hex = p.slice(j, j + digits);
      end = j + digits;
      if (hex.length !== digits || !/^[0-9A-Fa-f]+$/.test(hex)) fail("invalid hexadecimal escape", at);
    }
    const cp = Number.parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`hexadecimal escape '${p.slice(at, end)}' is not a Unicode scalar value`, at);
    return [`\\x{${hex}}`, end];
  };

  /** Translates the escape at `i` (a `\`); returns the RE2 text and whether it is a class (a range may not end there). */
  const escape = (inClass: boolean): { text: string; isClass: boolean } => {
    const at = i;
    const c = p[i + 1];
    if (c === undefined) fail("incomplete escape sequence", at);
    i += 2;
    switch (c) {
      case "d":
        return { text: "\\p{Nd}", isClass: true };
      case "D":
        return { text: "\\P{Nd}", isClass: true };
      case "w":
        return { text: inClass ? WORD : `[${WORD}]`, isClass: true };
      case "W":
        if (inClass) fail("\\W inside a bracket class is not supported (RE2 cannot express it; negate the class instead)", at);
        return { text: `[^${WORD}]`, isClass: true };
      case "s":
        return { text: "\\p{White_Space}", isClass: true };
      case "S":
        return { text: "\\P{White_Space}", isClass: true };
      case "p":
      case "P": {
        let body: string;
        if (p[i] === "{") {
          const close = p.indexOf("}", i);
          if (close < 0) fail("unclosed Unicode class", at);
          body = p.slice(i + 1, close);
          i = close + 1;
        } else {
          const cp = p.codePointAt(i);
          if (cp === undefined) fail("incomplete Unicode class", at);
          body = String.fromCodePoint(cp);
          i += body.length;
        }
        return { text: unicodeClass(body, c === "P", at), isClass: true };
      }
      case "x": {
        const [text, end] = hexEscape(i, 2, at);
        i = end;
        return { text, isClass: false };
      }
      case "u":
      case "U": {
        const [text, end] = hexEscape(i, c === "u" ? 4 : 8, at);
        i = end;
        return { text, isClass: false };
      }
      case "a":
      case "f":
      case "t":
      case "n":
      case "r":
      case "v":
        return { text: `\\${c}`, isClass: false };
      case "A":
      case "z":
      case "b":
      case "B":
      case "<":
      case ">":
        if (inClass) fail("assertions are not allowed in a character class", at);
        if (c === "<" || c === ">" || (c === "b" && p[i] === "{")) {
          fail("the word-start and word-end assertions \\<, \\>, \\b{start}, \\b{end}, \\b{start-half} and \\b{end-half} are not supported", at);
        }
        return { text: `\\${c}`, isClass: false };
      default:
        if (c >= "0" && c <= "9") {
          fail(c === "0" ? "octal escapes are not supported" : "backreferences are not supported", at);
        }
        if (!ESCAPABLE.test(c)) fail(`unrecognised escape sequence '\\${c}'`, at);
        return { text: `\\${c}`, isClass: false };
    }
  };

  while (i < p.length) {
    const c = p[i]!;
    if (classStart >= 0) {
      // Inside [...]: a leading "]" or "^]" is literal, ASCII classes pass, nesting and set
      // operations are rejected, and escapes are translated.
      if (c === "]" && !classFirst) {
        classStart = -1;
        out += c;
        i++;
        continue;
      }
      classFirst = false;
      if (c === "[") {
        const ascii = /^\[:\^?[a-z]+:\]/.exec(p.slice(i, i + 16));
        if (ascii === null) fail("nested character classes are not supported", i);
        out += ascii[0];
        i += ascii[0].length;
        continue;
      }
      const two = p.slice(i, i + 2);
      if (two === "&&" || two === "--" || two === "~~") {
        fail(`character class set operations (&&, --, ~~) are not supported`, i);
      }
      if (c === "\\") {
        const { text, isClass } = escape(true);
        if (isClass && p[i] === "-" && p[i + 1] !== "]" && p[i + 1] !== "-" && p[i + 1] !== undefined) {
          fail("invalid range boundary (a class is not a character)", i);
        }
        out += text;
        continue;
      }
      const cp = p.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += ch.length;
      continue;
    }
    switch (c) {
      case "[":
        classStart = i;
        out += c;
        i++;
        if (p[i] === "^") {
          out += "^";
          i++;
        }
        classFirst = true;
        repeatable = true;
        continue;
      case "\\":
        out += escape(false).text;
        repeatable = true;
        continue;
      case "{": {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (m === null) fail(p.indexOf("}", i) < 0 ? "unclosed counted repetition" : "invalid counted repetition", i);
        if (m[3] !== undefined && m[3] !== "" && Number(m[3]) < Number(m[1])) fail("invalid repetition range (min > max)", i);
        if (!repeatable) fail("repetition operator missing expression", i);
        out += m[0];
        i += m[0].length;
        continue;
      }
      case "*":
      case "+":
      case "?":
        if (!repeatable) fail("repetition operator missing expression", i);
        out += c;
        i++;
        continue;
      case "(": {
        repeatable = true;
        if (p[i + 1] !== "?") {
          out += c;
          i++;
          continue;
        }
        const at = i;
        const rest = p.slice(i + 2, i + 4);
        if (rest[0] === "=" || rest[0] === "!" || rest === "<=" || rest === "<!") {
          fail("look-around, including look-ahead and look-behind, is not supported", at);
        }
        if (rest[0] === "<" || rest === "P<") {
          const open = p.indexOf("<", i);
          const close = p.indexOf(">", open);
          if (close < 0) fail("unclosed capture group name", at);
          const name = p.slice(open + 1, close);
          if (!GROUP_NAME.test(name)) fail(`invalid capture group name '${name}'`, at);
          out += p.slice(i, close + 1);
          i = close + 1;
          continue;
        }
        // (?flags) or (?flags:
        let j = i + 2;
        let negate = false;
        let sawFlagAfterNegate = false;
        const seen = new Set<string>();
        let kept = "";
        while (j < p.length && p[j] !== ")" && p[j] !== ":") {
          const f = p[j]!;
          if (f === "-") {
            if (negate) fail("repeated negation in flags", j);
            negate = true;
            kept += "-";
          } else {
            if (!FLAGS.includes(f)) fail(`unrecognised flag '${f}'`, j);
            if (seen.has(f)) fail(`duplicate flag '${f}'`, j);
            seen.add(f);
            if (negate) sawFlagAfterNegate = true;
            if (f === "R") fail("the CRLF flag 'R' is not supported", j);
            if (f === "u") {
              if (negate) fail("ASCII mode (?-u) is not supported", j);
            } else if (f === "x") {
              if (!negate) fail("verbose mode (?x) is not supported", j);
            } else {
              kept += f;
            }
          }
          j++;
        }
        if (j >= p.length) fail("unclosed group", at);
        if (negate && !sawFlagAfterNegate) fail("flag negation without a flag", at);
        const groupOpens = p[j] === ":";
        if (!groupOpens && seen.size === 0) fail("empty flag group", at);
        if (kept.endsWith("-")) kept = kept.slice(0, -1);
        if (groupOpens) out += kept === "" ? "(?:" : `(?${kept}:`;
        else if (kept !== "") out += `(?${kept})`;
        i = j + 1;
        repeatable = groupOpens;
        continue;
      }
      default: {
        const cp = p.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        out += ch;
        i += ch.length;
        repeatable = true;
      }
    }
  }
  return out;
}
