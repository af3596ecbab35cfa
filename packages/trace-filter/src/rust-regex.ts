/**
 * Translation of Rust `regex`-crate patterns into JavaScript regular expressions.
 *
 * Trace-filter files are shared with the Rust engine of the other CodeTracer recorders, so their
 * `regex` selectors are written in the Rust `regex` dialect (RE2-like: no look-around, no
 * backreferences, Unicode-aware classes, inline flag groups). {@link translateRustRegex} parses
 * such a pattern completely and writes an equivalent JavaScript pattern that always uses the `u`
 * flag. Because every token is re-emitted (nothing is copied through), the `u` flag is safe: Rust
 * escapes that JavaScript's `u` mode rejects (`\#`, `\&`, `\-`, `\~`, …) come out as plain
 * characters.
 *
 * What is covered:
 * - alternation, concatenation, groups `(…)`, `(?:…)`, named groups `(?P<name>…)` and
 *   `(?<name>…)` (written as `(?<name>…)` when the name is a JavaScript identifier);
 * - repetition `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each with a lazy `?` suffix; nested
 *   repetition such as `a**` (legal in Rust) is wrapped in a group;
 * - flags `i`, `m`, `s`, `U`, `u`, `x` in `(?flags)` (to the end of the enclosing group, across
 *   `|`) and `(?flags:…)`, with `-` to clear. JavaScript has no inline modifiers on Node 20, so:
 *   `s` and `m` are compiled into what `.`, `^` and `$` emit (`[^]`/`[^\n]`, look-behind and
 *   look-ahead on `\n`); `U` swaps the laziness of each quantifier; `x` is applied while parsing;
 *   `i` becomes the JavaScript `i` flag when every case-sensitive atom of the pattern is under
 *   `i` (the usual leading `(?i)`), and otherwise each case-insensitive literal or class is
 *   expanded into a class of its case variants (`(?i:ab)c` → `[aA][bB]c`, `k` also gets the
 *   Kelvin sign, as in Rust's simple case folding);
 * - `.`, `^`, `$`, `\A` (→ `^`), `\z` (→ `$`), `\b`, `\B`, `\<`, `\>`, `\b{start}`,
 *   `\b{end}`, `\b{start-half}`, `\b{end-half}` (word boundaries use Rust's Unicode word class);
 * - Perl classes `\d \D \s \S \w \W` with Rust's Unicode meaning (`\d` = `\p{Nd}`, `\s` =
 *   `\p{White_Space}`, `\w` = letters, marks, digits, connector punctuation, join controls), or
 *   ASCII under `(?-u)`;
 * - Unicode classes `\pL`, `\p{Greek}`, `\p{sc=Greek}`, `\p{Lu}`, `\P{…}`, `\p{^…}`;
 * - bracket classes with ranges, negation, nesting `[a[bc]]`, ASCII classes `[[:alpha:]]` and
 *   `[[:^digit:]]`, and the set operations `&&`, `--`, `~~` (compiled to look-ahead forms when
 *   they cannot be flattened);
 * - escapes `\n \t \r \f \v \a`, `\xHH`, `\x{H…}`, `\uHHHH`, `\u{H…}`, `\UHHHHHHHH`, `\U{H…}` and
 *   any escaped ASCII punctuation or space.
 *
 * Rejected with a {@link RustRegexError} (as the Rust crate rejects them): look-around,
 * backreferences, octal escapes, unknown escapes, unclosed or unopened groups and classes,
 * repetition with nothing to repeat, bad counted repetition (`{3,1}`), reversed ranges, unknown
 * flags, and the CRLF flag `R` (not supported here). A case-insensitive `\p{…}` class inside a
 * *partly* case-insensitive pattern is also rejected (a clear error rather than a wrong match).
 *
 * Matching is meant to be done with `RegExp#test`, an unanchored search like Rust's `is_match`.
 *
 * @packageDocumentation
 */

/** A pattern that the Rust `regex` dialect or this translator does not accept. */
export class RustRegexError extends Error {
  /** Index into the pattern (in UTF-16 units) where the problem was found. */
  readonly offset: number;

  /**
   * @param message - what is wrong
   * @param offset - where, as an index into the pattern
   */
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "RustRegexError";
    this.offset = offset;
  }
}

/** A JavaScript pattern equivalent to a Rust one: `new RegExp(source, flags)`. */
export interface TranslatedRegex {
  /** The JavaScript pattern text. */
  readonly source: string;
  /** The JavaScript flags: `"u"` or `"iu"`. */
  readonly flags: string;
}

/**
 * Translates a Rust `regex` pattern into a JavaScript pattern with the same `is_match`
 * behaviour (see the module documentation for what is covered).
 *
 * @example
 * ```ts
 * translateRustRegex("(?i)^api[_-]?key$");  // { source: "^api[_\\-]?key$", flags: "iu" }
 * translateRustRegex("(?i:ab)c");           // { source: "[aA][bB]c", flags: "u" }
 * ```
 * @param pattern - the Rust pattern
 * @returns the JavaScript source and flags (frozen: the same object for the same pattern)
 * @throws {@link RustRegexError} when the pattern is not valid Rust or cannot be translated
 */
export function translateRustRegex(pattern: string): TranslatedRegex {
  const known = translated.get(pattern);
  if (known) return known;
  const result = Object.freeze(translate(pattern));
  if (translated.size >= TRANSLATED_MAX) translated.clear();
  translated.set(pattern, result);
  return result;
}

/**
 * Translations already made, by Rust pattern (successes only). A filter chain repeats its
 * patterns (the builtin filter's secret-name regex, ~1.5 KB, is written once per value kind),
 * and each loader thread parses the chain at start-up, so this saves most of that parse.
 */
const translated = new Map<string, TranslatedRegex>();
const TRANSLATED_MAX = 256;

function translate(pattern: string): TranslatedRegex {
  const ast = new Parser(pattern).parse();
  const census = { ci: 0, cs: 0 };
  countCase(ast, census);
  const globalI = census.ci > 0 && census.cs === 0;
  const source = new Emitter(globalI).emit(ast);
  const flags = globalI ? "iu" : "u";
  try {
    new RegExp(source, flags);
  } catch (error) {
    throw new RustRegexError(
      `cannot translate to a JavaScript regular expression (${(error as Error).message})`,
      0
    );
  }
  return { source, flags };
}

/**
 * Translates and compiles a Rust `regex` pattern. Use `test` for an unanchored search.
 *
 * @param pattern - the Rust pattern
 * @returns the compiled JavaScript regular expression
 * @throws {@link RustRegexError} when the pattern is not valid Rust or cannot be translated
 */
export function compileRustRegex(pattern: string): RegExp {
  const { source, flags } = translateRustRegex(pattern);
  return new RegExp(source, flags);
}

// ---------------------------------------------------------------------------------------------
// AST

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
  u: boolean;
  x: boolean;
}

type AssertKind =
  | "start"
  | "end"
  | "lineStart"
  | "lineEnd"
  | "word"
  | "notWord"
  | "wordStart"
  | "wordEnd"
  | "wordStartHalf"
  | "wordEndHalf";

type Node =
  | { t: "empty" }
  | { t: "alt"; branches: Node[] }
  | { t: "cat"; items: Node[] }
  | { t: "group"; name: string | undefined; capture: boolean; body: Node }
  | { t: "repeat"; body: Node; min: number; max: number; lazy: boolean }
  | { t: "lit"; cp: number; ci: boolean }
  | { t: "class"; expr: ClassExpr; ci: boolean }
  | { t: "dot"; s: boolean }
  | { t: "assert"; kind: AssertKind; ascii: boolean };

/** A code point range, inclusive. */
type Range = [number, number];

/**
 * A character-class expression. `items` are opaque JavaScript class items (`\p{Nd}`) that the
 * translator cannot enumerate; `caseClosed` says they need no case expansion.
 */
type ClassExpr =
  | { t: "set"; ranges: Range[]; items: string[]; caseClosed: boolean }
  | { t: "not"; e: ClassExpr }
  | { t: "or"; list: ClassExpr[] }
  | { t: "and" | "sub" | "xor"; a: ClassExpr; b: ClassExpr };

const MAX_CP = 0x10ffff;

// ---------------------------------------------------------------------------------------------
// Parser

const ASCII_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const UNICODE_WORD_ITEMS = ["\\p{Alphabetic}", "\\p{M}", "\\p{Nd}", "\\p{Pc}", "\\p{Join_Control}"];

function set(ranges: Range[], items: string[] = [], caseClosed = true): ClassExpr {
  return { t: "set", ranges, items, caseClosed };
}

function perlClass(letter: string, unicode: boolean): ClassExpr {
  const lower = letter.toLowerCase();
  let e: ClassExpr;
  if (lower === "d") e = unicode ? set([], ["\\p{Nd}"]) : set(ASCII_CLASSES.digit!);
  else if (lower === "s")
    e = unicode
      ? set([], ["\\p{White_Space}"])
      : set([
          [0x09, 0x0d],
          [0x20, 0x20],
        ]);
  else e = unicode ? set([], UNICODE_WORD_ITEMS) : set(ASCII_CLASSES.word!);
  if (letter === lower) return e;
  if (e.t === "set" && e.ranges.length === 0 && e.items.length === 1) {
    return set([], [e.items[0]!.replace("\\p", "\\P")]);
  }
  return { t: "not", e };
}

const META_ESCAPABLE = /^[\x20-\x2f\x3a-\x3b\x3d\x3f-\x40\x5b-\x60\x7b-\x7e]$/;

class Parser {
  private pos = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false, u: true, x: false };
  private readonly p: string;
  private readonly groupNames = new Set<string>();

  constructor(pattern: string) {
    this.p = pattern;
  }

  parse(): Node {
    const node = this.parseAlternation();
    if (this.pos < this.p.length) {
      // Only an unbalanced ")" stops the top-level alternation early.
      throw new RustRegexError("unopened group", this.pos);
    }
    return node;
  }

  private fail(message: string, at = this.pos): never {
    throw new RustRegexError(message, at);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.p.codePointAt(this.pos + offset);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private eof(): boolean {
    return this.pos >= this.p.length;
  }

  /** Reads one code point. */
  private next(): string {
    const cp = this.p.codePointAt(this.pos);
    if (cp === undefined) this.fail("unexpected end of pattern");
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  /** In `x` mode, skips whitespace and `#` comments. */
  private skipTrivia(): void {
    if (!this.flags.x) return;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) return;
      if (/^\s$/u.test(ch)) {
        this.pos += ch.length;
      } else if (ch === "#") {
        while (!this.eof() && this.p[this.pos] !== "\n") this.pos++;
      } else {
        return;
      }
    }
  }

  private parseAlternation(): Node {
    const branches: Node[] = [this.parseConcat()];
    while (this.peek() === "|") {
      this.pos++;
      branches.push(this.parseConcat());
    }
    return branches.length === 1 ? branches[0]! : { t: "alt", branches };
  }

  private parseConcat(): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipTrivia();
      const ch = this.peek();
      if (ch === undefined || ch === "|" || ch === ")") break;
      if (ch === "*" || ch === "+" || ch === "?" || ch === "{") {
        const last = items[items.length - 1];
        if (last === undefined || this.lastWasFlagGroup) {
          this.fail("repetition operator missing expression");
        }
        items[items.length - 1] = this.parseRepetition(last);
        continue;
      }
      this.lastWasFlagGroup = false;
      const atom = this.parseAtom();
      if (atom !== undefined) items.push(atom);
    }
    this.lastWasFlagGroup = false;
    if (items.length === 0) return { t: "empty" };
    return items.length === 1 ? items[0]! : { t: "cat", items };
  }

  /** True right after a `(?flags)` group, which cannot be repeated. */
  private lastWasFlagGroup = false;

  private parseRepetition(body: Node): Node {
    const ch = this.next();
    let min: number;
    let max: number;
    if (ch === "*") [min, max] = [0, Infinity];
    else if (ch === "+") [min, max] = [1, Infinity];
    else if (ch === "?") [min, max] = [0, 1];
    else {
      const start = this.pos - 1;
      const close = this.p.indexOf("}", this.pos);
      if (close < 0) this.fail("unclosed counted repetition", start);
      const inner = this.p.slice(this.pos, close).replace(/\s+/g, "");
      const m = /^(\d+)(,(\d*))?$/.exec(inner);
      if (m === null) this.fail("invalid counted repetition", start);
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
      if (max < min) this.fail("invalid repetition range (min > max)", start);
      this.pos = close + 1;
    }
    let lazy = false;
    if (this.peek() === "?") {
      this.pos++;
      lazy = true;
    }
    if (this.flags.U) lazy = !lazy;
    return { t: "repeat", body, min, max, lazy };
  }

  private parseAtom(): Node | undefined {
    const start = this.pos;
    const ch = this.next();
    switch (ch) {
      case "(":
        return this.parseGroup(start);
      case "[":
        return { t: "class", expr: this.parseClass(start), ci: this.flags.i };
      case ".":
        return { t: "dot", s: this.flags.s };
      case "^":
        return { t: "assert", kind: this.flags.m ? "lineStart" : "start", ascii: false };
      case "$":
        return { t: "assert", kind: this.flags.m ? "lineEnd" : "end", ascii: false };
      case "\\":
        return this.parseEscape(start);
      default:
        return { t: "lit", cp: ch.codePointAt(0)!, ci: this.flags.i };
    }
  }

  private parseGroup(start: number): Node | undefined {
    let name: string | undefined;
    let capture = true;
    const saved = { ...this.flags };
    if (this.peek() === "?") {
      this.pos++;
      const c = this.peek();
      if (c === "=" || c === "!" || (c === "<" && (this.peek(1) === "=" || this.peek(1) === "!"))) {
        this.fail("look-around, including look-ahead and look-behind, is not supported", start);
      }
      if (c === "P" || c === "<") {
        if (c === "P") {
          this.pos++;
          if (this.peek() !== "<") this.fail("invalid capture group name", start);
        }
        this.pos++;
        const close = this.p.indexOf(">", this.pos);
        if (close < 0) this.fail("unclosed capture group name", start);
        name = this.p.slice(this.pos, close);
        if (!/^[_A-Za-z][_0-9A-Za-z.[\]]*$/.test(name)) {
          this.fail(`invalid capture group name '${name}'`, start);
        }
        if (this.groupNames.has(name)) this.fail(`duplicate capture group name '${name}'`, start);
        this.groupNames.add(name);
        this.pos = close + 1;
      } else {
        // Flags: (?flags) or (?flags:...)
        let negate = false;
        let afterNegate = 0;
        const seen = new Set<string>();
        const next: Flags = { ...this.flags };
        let any = false;
        for (;;) {
          const f = this.peek();
          if (f === undefined) this.fail("unclosed group", start);
          this.pos++;
          if (f === ")" || f === ":") {
            if (!any && f === ")") this.fail("empty flag group", start);
            if (negate && afterNegate === 0) this.fail("flag negation without a flag", start);
            this.flags = next;
            if (f === ")") {
              this.lastWasFlagGroup = true;
              return undefined;
            }
            capture = false;
            break;
          }
          any = true;
          if (f === "-") {
            if (negate) this.fail("repeated flag negation", this.pos - 1);
            negate = true;
            continue;
          }
          if (seen.has(f)) this.fail(`duplicate flag '${f}'`, this.pos - 1);
          seen.add(f);
          if (negate) afterNegate++;
          if (f === "R") this.fail("the CRLF flag 'R' is not supported", this.pos - 1);
          if (f !== "i" && f !== "m" && f !== "s" && f !== "U" && f !== "u" && f !== "x") {
            this.fail(`unrecognised flag '${f}'`, this.pos - 1);
          }
          next[f] = !negate;
        }
      }
    }
    const body = this.parseAlternation();
    if (this.peek() !== ")") this.fail("unclosed group", start);
    this.pos++;
    this.flags = saved;
    return { t: "group", name, capture, body };
  }

  private parseHex(start: number, letter: string): number {
    let digits: string;
    if (this.peek() === "{") {
      const close = this.p.indexOf("}", this.pos);
      if (close < 0) this.fail("unclosed hex escape", start);
      digits = this.p.slice(this.pos + 1, close);
      if (!/^[0-9A-Fa-f]{1,8}$/.test(digits)) this.fail("invalid hex escape", start);
      this.pos = close + 1;
    } else {
      const len = letter === "x" ? 2 : letter === "u" ? 4 : 8;
      digits = this.p.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(digits)) this.fail("invalid hex escape", start);
      this.pos += len;
    }
    const cp = parseInt(digits, 16);
    if (cp > MAX_CP || (cp >= 0xd800 && cp <= 0xdfff)) {
      this.fail("hex escape is not a Unicode scalar value", start);
    }
    return cp;
  }

  private parseUnicodeClass(start: number, negated: boolean): ClassExpr {
    let name: string;
    if (this.peek() === "{") {
      const close = this.p.indexOf("}", this.pos);
      if (close < 0) this.fail("unclosed Unicode class", start);
      name = this.p.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      if (this.eof()) this.fail("incomplete Unicode class", start);
      name = this.next();
    }
    name = name.replace(/\s+/g, "");
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    const item = jsUnicodeProperty(name);
    if (item === undefined) this.fail(`unsupported Unicode class '${name}'`, start);
    return set([], [`\\${negated ? "P" : "p"}{${item}}`], false);
  }

  /** Parses an escape after `\`, outside or inside a class. */
  private parseEscapeCommon(start: number, inClass: boolean): ClassExpr | number | AssertKind {
    if (this.eof()) this.fail("incomplete escape sequence", start);
    const c = this.next();
    switch (c) {
      case "d":
      case "D":
      case "s":
      case "S":
      case "w":
      case "W":
        return perlClass(c, this.flags.u);
      case "p":
      case "P":
        return this.parseUnicodeClass(start, c === "P");
      case "n":
        return 0x0a;
      case "t":
        return 0x09;
      case "r":
        return 0x0d;
      case "f":
        return 0x0c;
      case "v":
        return 0x0b;
      case "a":
        return 0x07;
      case "x":
      case "u":
      case "U":
        return this.parseHex(start, c);
    }
    if (!inClass) {
      switch (c) {
        case "A":
          return "start";
        case "z":
          return "end";
        case "<":
          return "wordStart";
        case ">":
          return "wordEnd";
        case "B":
          return "notWord";
        case "b": {
          const m = /^\{(start|end|start-half|end-half)\}/.exec(this.p.slice(this.pos));
          if (m === null) return "word";
          this.pos += m[0].length;
          return m[1] === "start"
            ? "wordStart"
            : m[1] === "end"
              ? "wordEnd"
              : m[1] === "start-half"
                ? "wordStartHalf"
                : "wordEndHalf";
        }
      }
    }
    if (/^[1-9]$/.test(c)) this.fail("backreferences are not supported", start);
    if (c === "0") this.fail("octal escapes are not supported", start);
    if (META_ESCAPABLE.test(c) && c !== "<" && c !== ">") return c.codePointAt(0)!;
    return this.fail(`unrecognised escape sequence '\\${c}'`, start);
  }

  private parseEscape(start: number): Node {
    const r = this.parseEscapeCommon(start, false);
    if (typeof r === "number") return { t: "lit", cp: r, ci: this.flags.i };
    if (typeof r === "string") return { t: "assert", kind: r, ascii: !this.flags.u };
    return { t: "class", expr: r, ci: this.flags.i };
  }

  /** Parses a bracket class; `[` is already consumed. */
  private parseClass(start: number): ClassExpr {
    let negated = false;
    if (this.peek() === "^") {
      this.pos++;
      negated = true;
    }
    let expr = this.parseClassUnion(start, true);
    for (;;) {
      this.skipClassTrivia();
      const two = this.p.slice(this.pos, this.pos + 2);
      if (two === "&&" || two === "--" || two === "~~") {
        this.pos += 2;
        const rhs = this.parseClassUnion(start, false);
        expr = { t: two === "&&" ? "and" : two === "--" ? "sub" : "xor", a: expr, b: rhs };
        continue;
      }
      break;
    }
    if (this.peek() !== "]") this.fail("unclosed character class", start);
    this.pos++;
    return negated ? { t: "not", e: expr } : expr;
  }

  private skipClassTrivia(): void {
    if (!this.flags.x) return;
    while (!this.eof() && /^\s$/u.test(this.peek()!)) this.pos += this.peek()!.length;
  }

  /** One operand of the class set operations: a union of items. */
  private parseClassUnion(start: number, first: boolean): ClassExpr {
    const ranges: Range[] = [];
    const items: string[] = [];
    let caseClosed = true;
    const nested: ClassExpr[] = [];
    let atStart = first;
    for (;;) {
      this.skipClassTrivia();
      if (this.eof()) this.fail("unclosed character class", start);
      const ch = this.peek()!;
      if (ch === "]" && !atStart) break;
      const two = this.p.slice(this.pos, this.pos + 2);
      if (!atStart && (two === "&&" || two === "--" || two === "~~")) break;
      atStart = false;
      if (ch === "[") {
        const m = /^\[:(\^)?([a-z]+):\]/.exec(this.p.slice(this.pos));
        if (m !== null) {
          const r = ASCII_CLASSES[m[2]!];
          if (r === undefined) this.fail(`unrecognised ASCII class '${m[2]}'`, this.pos);
          this.pos += m[0].length;
          nested.push(m[1] === undefined ? set(r) : { t: "not", e: set(r) });
          continue;
        }
        const innerStart = this.pos;
        this.pos++;
        nested.push(this.parseClass(innerStart));
        continue;
      }
      const lo = this.parseClassAtom();
      if (typeof lo !== "number") {
        if (lo.t === "set") {
          ranges.push(...lo.ranges);
          items.push(...lo.items);
          caseClosed &&= lo.caseClosed;
        } else {
          nested.push(lo);
        }
        continue;
      }
      // A range a-b? A "-" before "]" or before a set operator is a literal.
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== "-" && this.peek(1) !== undefined) {
        const dash = this.pos;
        this.pos++;
        const hi = this.parseClassAtom();
        if (typeof hi !== "number") this.fail("invalid range boundary (a class is not a character)", dash);
        if (hi < lo) this.fail("invalid character class range (start > end)", dash);
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    const base = set(normalize(ranges), items, caseClosed);
    if (nested.length === 0) return base;
    return { t: "or", list: [base, ...nested] };
  }

  private parseClassAtom(): number | ClassExpr {
    const at = this.pos;
    const ch = this.next();
    if (ch !== "\\") return ch.codePointAt(0)!;
    const r = this.parseEscapeCommon(at, true);
    if (typeof r === "string") this.fail("assertions are not allowed in a character class", at);
    return r;
  }
}

/** Maps a Rust Unicode class name to a JavaScript `\p{…}` body, or `undefined`. */
function jsUnicodeProperty(name: string): string | undefined {
  const valid = (body: string): boolean => {
    try {
      new RegExp(`\\p{${body}}`, "u");
      return true;
    } catch {
      return false;
    }
  };
  const titled = (s: string): string =>
    s
      .split(/[_-]/)
      .map((w) => (w.length === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
      .join("_");
  const sep = /[=:]/.exec(name);
  if (sep !== null) {
    const prop = name.slice(0, sep.index).toLowerCase().replace(/[_-]/g, "");
    const value = name.slice(sep.index + 1);
    const jsProp =
      prop === "sc" || prop === "script"
        ? "Script"
        : prop === "scx" || prop === "scriptextensions"
          ? "Script_Extensions"
          : prop === "gc" || prop === "generalcategory"
            ? "General_Category"
            : undefined;
    if (jsProp === undefined) return undefined;
    for (const v of [value, titled(value)]) if (valid(`${jsProp}=${v}`)) return `${jsProp}=${v}`;
    return undefined;
  }
  const candidates = [name, titled(name), `Script=${name}`, `Script=${titled(name)}`];
  for (const c of candidates) if (valid(c)) return c;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Range sets

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.map((r): Range => [r[0], r[1]]).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function intersect(a: Range[], b: Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Case folding

let foldGroups: Map<number, number[]> | undefined;

/** Groups code points by an approximation of Unicode simple case folding. */
function foldKey(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let u = ch.toUpperCase();
  if ([...u].length !== 1) u = ch;
  let l = u.toLowerCase();
  if ([...l].length !== 1) l = ch.toLowerCase();
  if ([...l].length !== 1) l = ch;
  return l.codePointAt(0)!;
}

function caseVariants(cp: number): number[] {
  if (cp < 0x80) {
    const isLetter = (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
    if (!isLetter) return [cp];
    const lower = cp | 0x20;
    const out = [lower & ~0x20, lower];
    if (lower === 0x6b) out.push(0x212a); // Kelvin sign
    if (lower === 0x73) out.push(0x017f); // long s
    return out;
  }
  if (foldGroups === undefined) {
    foldGroups = new Map();
    for (let c = 0; c < 0x20000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const k = foldKey(c);
      let g = foldGroups.get(k);
      if (g === undefined) foldGroups.set(k, (g = []));
      g.push(c);
    }
  }
  const group = foldGroups.get(foldKey(cp));
  return group === undefined || !group.includes(cp) ? [cp] : [...group];
}

function hasCaseVariants(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  const ch = String.fromCodePoint(cp);
  return ch.toLowerCase() !== ch || ch.toUpperCase() !== ch || cp === 0x212a || cp === 0x017f;
}

function caseExpandRanges(ranges: Range[]): Range[] {
  const extra: Range[] = [];
  for (const [lo, hi] of ranges) {
    const top = Math.min(hi, 0x1ffff);
    for (let c = lo; c <= top; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      if (!hasCaseVariants(c) && c >= 0x80) {
        // Non-letters of the BMP outside ASCII may still be fold targets (e.g. U+212A), but
        // those are reached from their letters; skip the expensive lookup.
        continue;
      }
      for (const v of caseVariants(c)) if (v !== c) extra.push([v, v]);
    }
  }
  return normalize([...ranges, ...extra]);
}

function classHasCaseRelevance(e: ClassExpr): boolean {
  switch (e.t) {
    case "set":
      return (
        (e.items.length > 0 && !e.caseClosed) ||
        e.ranges.some(([lo, hi]) => {
          for (let c = lo; c <= Math.min(hi, lo + 0x3000); c++) if (hasCaseVariants(c)) return true;
          return hi - lo > 0x3000;
        })
      );
    case "not":
      return classHasCaseRelevance(e.e);
    case "or":
      return e.list.some(classHasCaseRelevance);
    default:
      return classHasCaseRelevance(e.a) || classHasCaseRelevance(e.b);
  }
}

function countCase(node: Node, census: { ci: number; cs: number }): void {
  switch (node.t) {
    case "lit":
      if (hasCaseVariants(node.cp)) census[node.ci ? "ci" : "cs"]++;
      return;
    case "class":
      if (classHasCaseRelevance(node.expr)) census[node.ci ? "ci" : "cs"]++;
      return;
    case "alt":
      node.branches.forEach((b) => countCase(b, census));
      return;
    case "cat":
      node.items.forEach((b) => countCase(b, census));
      return;
    case "group":
    case "repeat":
      countCase(node.body, census);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Emitter

const SYNTAX_CHARS = new Set([..."^$\\.*+?()[]{}|/"]);
const CLASS_SPECIAL = new Set([..."\\]^-[/"]);
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

function emitCp(cp: number, inClass: boolean): string {
  const ch = String.fromCodePoint(cp);
  if ((inClass ? CLASS_SPECIAL : SYNTAX_CHARS).has(ch)) return `\\${ch}`;
  if ((cp > 0x20 && cp < 0x7f) || (cp >= 0x80 && VISIBLE.test(ch))) return ch;
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

function emitRanges(ranges: Range[]): string {
  let out = "";
  for (const [lo, hi] of ranges) {
    if (lo === hi) out += emitCp(lo, true);
    else if (hi === lo + 1) out += emitCp(lo, true) + emitCp(hi, true);
    else out += `${emitCp(lo, true)}-${emitCp(hi, true)}`;
  }
  return out;
}

function wordClass(ascii: boolean): string {
  return ascii ? "[0-9A-Za-z_]" : `[${UNICODE_WORD_ITEMS.join("")}]`;
}

const JS_IDENTIFIER = /^[$_\p{ID_Start}][$\u200c\u200d\p{ID_Continue}]*$/u;

class Emitter {
  private readonly globalI: boolean;
  private readonly names = new Set<string>();

  constructor(globalI: boolean) {
    this.globalI = globalI;
  }

  emit(node: Node): string {
    switch (node.t) {
      case "empty":
        return "";
      case "alt":
        return node.branches.map((b) => this.emit(b)).join("|");
      case "cat":
        return node.items.map((n) => (n.t === "alt" ? `(?:${this.emit(n)})` : this.emit(n))).join("");
      case "group": {
        const body = this.emit(node.body);
        if (!node.capture) return `(?:${body})`;
        if (node.name !== undefined && JS_IDENTIFIER.test(node.name) && !this.names.has(node.name)) {
          this.names.add(node.name);
          return `(?<${node.name}>${body})`;
        }
        return `(${body})`;
      }
      case "repeat": {
        let body = this.emit(node.body);
        const simple =
          node.body.t === "lit" ||
          node.body.t === "dot" ||
          node.body.t === "group" ||
          (node.body.t === "class" && body.startsWith("[") && isSingleBracket(body));
        if (!simple) body = `(?:${body})`;
        const q =
          node.min === 0 && node.max === Infinity
            ? "*"
            : node.min === 1 && node.max === Infinity
              ? "+"
              : node.min === 0 && node.max === 1
                ? "?"
                : node.max === Infinity
                  ? `{${node.min},}`
                  : node.min === node.max
                    ? `{${node.min}}`
                    : `{${node.min},${node.max}}`;
        return body + q + (node.lazy ? "?" : "");
      }
      case "lit": {
        if (node.ci && !this.globalI) {
          const vs = caseVariants(node.cp);
          if (vs.length > 1) return `[${emitRanges(normalize(vs.map((v): Range => [v, v])))}]`;
        }
        return emitCp(node.cp, false);
      }
      case "class": {
        // Rust folds case before negation and set operations, so a flattened class under `i`
        // is case-closed here, whatever JavaScript's `i` flag then does with it.
        const flat = this.flatten(node.expr, node.ci);
        if (flat !== undefined) return `[${emitRanges(flat)}]`;
        return this.emitClass(node.expr, node.ci && !this.globalI);
      }
      case "dot":
        return node.s ? "[^]" : "[^\\n]";
      case "assert": {
        const w = wordClass(node.ascii);
        switch (node.kind) {
          case "start":
            return "^";
          case "end":
            return "$";
          case "lineStart":
            return "(?<![^\\n])";
          case "lineEnd":
            return "(?![^\\n])";
          case "word":
            return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
          case "notWord":
            return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
          case "wordStart":
            return `(?<!${w})(?=${w})`;
          case "wordEnd":
            return `(?<=${w})(?!${w})`;
          case "wordStartHalf":
            return `(?<!${w})`;
          case "wordEndHalf":
            return `(?!${w})`;
        }
      }
    }
  }

  /** Emits a class expression as a JavaScript expression matching exactly one code point. */
  private emitClass(e: ClassExpr, expand: boolean): string {
    const flat = this.flatten(e, expand);
    if (flat !== undefined) return `[${emitRanges(flat)}]`;
    switch (e.t) {
      case "set": {
        if (expand && e.items.length > 0 && !e.caseClosed) {
          throw new RustRegexError(
            "a Unicode class inside a partly case-insensitive pattern is not supported; " +
              "make the whole pattern case-insensitive with a leading (?i)",
            0
          );
        }
        const ranges = expand ? caseExpandRanges(e.ranges) : e.ranges;
        return `[${emitRanges(ranges)}${e.items.join("")}]`;
      }
      case "not": {
        const inner = e.e;
        if (inner.t === "set") {
          const s = this.emitClass(inner, expand);
          return `[^${s.slice(1)}`;
        }
        return `(?:(?!${this.emitClass(inner, expand)})[^])`;
      }
      case "or":
        return `(?:${e.list.map((x) => this.emitClass(x, expand)).join("|")})`;
      case "and":
        return `(?:(?=${this.emitClass(e.a, expand)})${this.emitClass(e.b, expand)})`;
      case "sub":
        return `(?:(?!${this.emitClass(e.b, expand)})${this.emitClass(e.a, expand)})`;
      case "xor": {
        const a = this.emitClass(e.a, expand);
        const b = this.emitClass(e.b, expand);
        return `(?:(?!${b})${a}|(?!${a})${b})`;
      }
    }
  }

  /** The exact range set of a class with no opaque items, or `undefined`. */
  private flatten(e: ClassExpr, expand: boolean): Range[] | undefined {
    switch (e.t) {
      case "set":
        if (e.items.length > 0) return undefined;
        return expand ? caseExpandRanges(e.ranges) : e.ranges;
      case "not": {
        const r = this.flatten(e.e, expand);
        return r === undefined ? undefined : complement(r);
      }
      case "or": {
        const parts: Range[] = [];
        for (const x of e.list) {
          const r = this.flatten(x, expand);
          if (r === undefined) return undefined;
          parts.push(...r);
        }
        return normalize(parts);
      }
      default: {
        const a = this.flatten(e.a, expand);
        const b = this.flatten(e.b, expand);
        if (a === undefined || b === undefined) return undefined;
        if (e.t === "and") return intersect(a, b);
        if (e.t === "sub") return intersect(a, complement(b));
        return normalize([...intersect(a, complement(b)), ...intersect(b, complement(a))]);
      }
    }
  }
}

/** True when `s` is one bracket class `[…]` (not `[a]|[b]` or a look-around form). */
function isSingleBracket(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") depth++;
    else if (c === "]") {
      depth--;
      if (depth === 0 && i !== s.length - 1) return false;
    }
  }
  return true;
}
