/**
 * Float encodings of `ValueRecord::Float.f` (docs/trace-format.md: "trace.json", "The version trap").
 *
 * @packageDocumentation
 */

import {
  NumberCtor,
  NumberIsNaN,
  ObjectIs,
  RegExpPrototypeExec,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
} from "./primordials.js";

/**
 * Rust `f64::from_str` grammar, matched case-insensitively (docs/trace-format.md: "trace.json"):
 * `[+-]? ( inf | infinity | nan | (digits [. digits?] | . digits) (e [+-]? digits)? )`.
 * No surrounding whitespace is allowed.
 */
export const RUST_FLOAT_PATTERN = /^[+-]?(?:inf|infinity|nan|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?)$/i;

/**
 * True when `s` is accepted by Rust's `f64::from_str`, which is what CodeTracer 2026 uses to read
 * `Float.f` (docs/trace-format.md: "trace.json"). Examples accepted: `"2.5"`, `"1e+21"`, `"-0"`, `"inf"`, `"+inf"`,
 * `"-inf"`, `"infinity"`, `"NaN"`, `"+.5"`, `"1e400"`. Rejected: `" 2.5"`, `""`, `"."`, `"0x10"`.
 *
 * @param s - the candidate text
 */
export function isRustFloatString(s: string): boolean {
  return matchesRustFloat(s);
}

/**
 * Encodes a JS number as `Float.f` text for the 2026 string encoding (docs/trace-format.md: "trace.json"): `NaN` → `"NaN"`,
 * `Infinity` → `"inf"`, `-Infinity` → `"-inf"`, `-0` → `"-0"`, anything else `String(n)`
 * (e.g. `"2.5"`, `"1e+21"`, `"5e-324"`), all of which Rust parses back to the same `f64`.
 *
 * @param n - any JS number
 * @returns text matching {@link RUST_FLOAT_PATTERN}
 */
export function floatToString(n: number): string {
  if (NumberIsNaN(n)) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (ObjectIs(n, -0)) return "-0";
  return StringCtor(n);
}

/**
 * `RUST_FLOAT_PATTERN.test(s)` with the `exec` of load time (`test` would look `exec` up on the
 * pattern, which a program can replace on `RegExp.prototype`; the pattern has no `g` flag, so
 * `exec` keeps no state).
 */
function matchesRustFloat(s: string): boolean {
  return RegExpPrototypeExec(RUST_FLOAT_PATTERN, s) !== null;
}

/**
 * Parses `Float.f` text with Rust's `f64::from_str` grammar (docs/trace-format.md: "trace.json"): returns the number, or
 * `undefined` when the text does not match {@link RUST_FLOAT_PATTERN}. `"inf"`/`"infinity"` (any
 * case, optional sign) give ±Infinity, `"nan"` gives NaN, `"1e400"` gives Infinity.
 *
 * @param s - the candidate text
 */
export function parseRustFloat(s: string): number | undefined {
  if (!matchesRustFloat(s)) return undefined;
  const lower = StringPrototypeToLowerCase(s);
  const sign = lower.length > 0 ? StringPrototypeCharCodeAt(lower, 0) : 0;
  const negative = sign === 0x2d; // "-"
  const body = sign === 0x2b || sign === 0x2d ? StringPrototypeSlice(lower, 1) : lower; // "+", "-"
  if (body === "nan") return NaN;
  if (body === "inf" || body === "infinity") return negative ? -Infinity : Infinity;
  return NumberCtor(lower);
}
