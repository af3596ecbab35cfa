/**
 * Unicode well-formedness helpers. serde_json rejects lone-surrogate escapes such as `"\ud800"`
 * (spec §4), so every string this package emits goes through {@link toWellFormed}.
 *
 * @packageDocumentation
 */

import { mapCopyOnWrite } from "./copy-on-write.js";
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const nativeWellFormed =
  typeof (String.prototype as Partial<WellFormedString>).toWellFormed === "function";

/**
 * Returns `s` with every lone surrogate replaced by U+FFFD, like ES2024
 * `String.prototype.toWellFormed` (used when available, as on Node ≥ 20). Returns `s` itself
 * when it is already well-formed. Spec §4.
 *
 * @param s - any JS string
 * @returns a string that encodes to valid UTF-8
 */
export function toWellFormed(s: string): string {
  if (nativeWellFormed) {
    const w = s as unknown as WellFormedString;
    return w.isWellFormed() ? s : w.toWellFormed();
  }
  return s.replace(LONE_SURROGATE, "\ufffd");
}

/**
 * True when `s` contains no lone surrogate (ES2024 `String.prototype.isWellFormed`). Spec §4.
 *
 * @param s - any JS string
 */
export function isWellFormed(s: string): boolean {
  if (nativeWellFormed) return (s as unknown as WellFormedString).isWellFormed();
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(s);
}

/**
 * Returns a copy of a JSON-like value in which every string (object keys included) is
 * well-formed (see {@link toWellFormed}); parts that need no change are shared, and a value that
 * needs none is returned as-is. Spec §4.
 *
 * @param value - a JSON-like value (objects, arrays, strings, numbers, booleans, null)
 */
export function wellFormedDeep(value: unknown): unknown {
  if (typeof value === "string") return toWellFormed(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return mapCopyOnWrite(value, wellFormedDeep);
  const record = value as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const k = toWellFormed(key);
    const item = record[key];
    const n = wellFormedDeep(item);
    if (k !== key || n !== item) changed = true;
    out[k] = n;
  }
  return changed ? out : record;
}
