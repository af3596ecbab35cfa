/**
 * The matchers of compiled selectors: what `Selector.matches` runs while the recorded program
 * runs. `./selector.ts` and `./regex.ts` compile selectors when filters are parsed (before the
 * program runs) and take their test functions from here, so that the record-time side is in a
 * module the lint of `test/no-program-builtins.test.ts` checks.
 *
 * @packageDocumentation
 */

import type { RE2JS } from "re2js";
import { intrinsicsIntact } from "./intrinsics.js";
import { filterPlatform } from "./platform.js";

/**
 * A matcher for a literal pattern: whether the candidate is exactly `expected`.
 *
 * @param expected - the pattern
 * @returns the test function
 */
export function literalMatcher(expected: string): (candidate: string) => boolean {
  return (candidate) => candidate === expected;
}

/** A matcher that matches every candidate (the glob `**`). */
export function everythingMatcher(): (candidate: string) => boolean {
  return () => true;
}

/**
 * A matcher that runs a compiled RE2 pattern (a `regex` selector, or a glob translated to RE2):
 * `re.test(input)`, an unanchored search.
 *
 * re2js is a third-party library that uses the built-ins freely (`push`, array holes,
 * `charCodeAt`, `Map`...). So it runs in the main realm only while {@link intrinsicsIntact}
 * says the intrinsics it can reach are as they were at load. Otherwise the platform's
 * `re2InFreshRealm` runs the same pattern in a realm of its own (Node: a `vm` context made on
 * first need, `./node/realm.ts`); a platform without one (the browser's) runs re2js in the
 * main realm regardless. When the fresh realm cannot be had the matcher throws
 * `TraceFilterError` `ERR_IO`, and the chain takes the stricter answer (a value is redacted, a
 * scope fails closed: see `FilterChain`).
 *
 * @param re - the pattern compiled by re2js in the main realm
 * @param re2Source - its RE2 source, compiled again in the fresh realm when needed
 * @returns the test function
 */
export function re2Matcher(re: RE2JS, re2Source: string): (input: string) => boolean {
  return (input) => {
    const inFreshRealm = filterPlatform().re2InFreshRealm;
    if (inFreshRealm === undefined || intrinsicsIntact()) return re.test(input);
    return inFreshRealm(re2Source, input);
  };
}
