/**
 * Side table of number literals whose JS value hides what serde_json would see (docs/trace-format.md: "trace.json").
 *
 * `JSON.parse` turns `1.0`, `1e2` and `-0.0` into the integers `1`, `100` and `-0`, but serde_json
 * reads them as floats and rejects them in integer fields; and it rounds integers beyond 2^53, so
 * `9223372036854775807` (the largest i64) becomes 2^63, which is out of range. {@link parseTraceJson}
 * records the source text of such literals here, keyed by the object or array holding them and
 * the property name, so that {@link validateEvents} can judge them as Rust would. (A plain `-0`
 * survives `JSON.parse` as `-0` and needs no entry.)
 *
 * @packageDocumentation
 */

import { SafeMap, SafeWeakMap } from "./primordials.js";

const sources = new SafeWeakMap<object, SafeMap<string, string>>();

/**
 * Records that `holder[key]` was parsed from the literal `text`.
 *
 * @param holder - the parsed object or array holding the number
 * @param key - the property name (array index as a string)
 * @param text - the literal as written in the JSON text, e.g. `"1.0"`
 */
export function recordNumberSource(holder: object, key: string, text: string): void {
  let map = sources.get(holder);
  if (map === undefined) {
    map = new SafeMap();
    sources.set(holder, map);
  }
  map.set(key, text);
}

/**
 * The literal text `holder[key]` was parsed from, if {@link parseTraceJson} recorded one: only
 * integral-valued literals written with a fraction or exponent (`1.0`, `1e2`, `-0.0`) and integer
 * literals of 16 or more digits are recorded.
 *
 * @param holder - an object or array returned by {@link parseTraceJson}
 * @param key - the property name (array index as a string)
 * @returns the literal text, or `undefined`
 */
export function numberSource(holder: object, key: string): string | undefined {
  return sources.get(holder)?.get(key);
}
