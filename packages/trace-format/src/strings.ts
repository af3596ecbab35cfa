/**
 * Unicode well-formedness helpers. serde_json rejects lone-surrogate escapes such as `"\ud800"`
 * (docs/trace-format.md: "trace.json"), so every string this package emits goes through {@link toWellFormed}.
 *
 * @packageDocumentation
 */

import { mapCopyOnWrite } from "./copy-on-write.js";
import {
  ArrayIsArray,
  ObjectHasOwn,
  ReflectDefineProperty,
  StringPrototypeCharCodeAt,
  StringPrototypeIsWellFormed,
  StringPrototypeSlice,
  StringPrototypeToWellFormed,
} from "./primordials.js";

/** The ES2024 methods of load time (Node ≥ 20 has them), else `undefined`. */
const nativeIsWellFormed = StringPrototypeIsWellFormed;
const nativeToWellFormed = StringPrototypeToWellFormed;

/** Index of the first lone surrogate of `s` at or after `from`, or -1 (without a RegExp a program can reach). */
function loneSurrogateAt(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = i + 1 < s.length ? StringPrototypeCharCodeAt(s, i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * Returns `s` with every lone surrogate replaced by U+FFFD, like ES2024
 * `String.prototype.toWellFormed` (used when available, as on Node ≥ 20). Returns `s` itself
 * when it is already well-formed. Spec docs/trace-format.md: "trace.json".
 *
 * @param s - any JS string
 * @returns a string that encodes to valid UTF-8
 */
export function toWellFormed(s: string): string {
  if (nativeIsWellFormed !== undefined && nativeToWellFormed !== undefined) return nativeIsWellFormed(s) ? s : nativeToWellFormed(s);
  let i = loneSurrogateAt(s, 0);
  if (i === -1) return s;
  let out = "";
  let from = 0;
  while (i !== -1) {
    out += `${StringPrototypeSlice(s, from, i)}\ufffd`;
    from = i + 1;
    i = loneSurrogateAt(s, from);
  }
  return out + StringPrototypeSlice(s, from);
}

/**
 * True when `s` contains no lone surrogate (ES2024 `String.prototype.isWellFormed`). Spec docs/trace-format.md: "trace.json".
 *
 * @param s - any JS string
 */
export function isWellFormed(s: string): boolean {
  if (nativeIsWellFormed !== undefined) return nativeIsWellFormed(s);
  return loneSurrogateAt(s, 0) === -1;
}

/**
 * Returns a copy of a JSON-like value in which every string (object keys included) is
 * well-formed (see {@link toWellFormed}); parts that need no change are shared, and a value that
 * needs none is returned as-is. Spec docs/trace-format.md: "trace.json".
 *
 * @param value - a JSON-like value (objects, arrays, strings, numbers, booleans, null)
 */
export function wellFormedDeep(value: unknown): unknown {
  if (typeof value === "string") return toWellFormed(value);
  if (value === null || typeof value !== "object") return value;
  if (ArrayIsArray(value)) return mapCopyOnWrite(value, wellFormedDeep);
  const record = value as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const key in record) {
    if (!ObjectHasOwn(record, key)) continue; // (for…in also walks the prototypes' enumerable keys)
    const k = toWellFormed(key);
    const item = record[key];
    const n = wellFormedDeep(item);
    if (k !== key || n !== item) changed = true;
    // defined, not stored: a setter the program put on Object.prototype for that name never runs
    ReflectDefineProperty(out, k, { __proto__: null, value: n, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
  }
  return changed ? out : record;
}
