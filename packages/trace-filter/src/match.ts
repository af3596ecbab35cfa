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
 * Whether the intrinsics are known intact inside the current decision window (see
 * {@link openMatchWindow}): -1 no window is open (check at each match), 0 open and not yet
 * checked, 1 checked and intact, 2 checked and changed.
 */
let windowState = -1;

/**
 * Opens a decision window: until {@link closeMatchWindow}, the matchers check
 * {@link intrinsicsIntact} at most once, at the first match that needs it. For the chain's
 * entry points (`classify`, `valueAction`, `skipsWholeFile`), during which no code of the
 * program's runs, so the intrinsics cannot change: a first classification that runs 60 glob
 * `file` rules checks once, not 60 times.
 *
 * @returns the state to give back to {@link closeMatchWindow} (windows nest)
 */
export function openMatchWindow(): number {
  const outer = windowState;
  windowState = 0;
  return outer;
}

/**
 * Closes the window {@link openMatchWindow} opened.
 *
 * @param outer - what {@link openMatchWindow} returned
 */
export function closeMatchWindow(outer: number): void {
  windowState = outer;
}

/** Set once a match ran in the fresh realm: from then on every match runs there (no more checks). */
let freshRealmInUse = false;

/**
 * A matcher that runs a compiled RE2 pattern (a `regex` selector, or a glob translated to RE2):
 * `re.test(input)`, an unanchored search.
 *
 * re2js is a third-party library that uses the built-ins freely (`push`, array holes,
 * `charCodeAt`, `Map`...). So it runs in the main realm only while {@link intrinsicsIntact}
 * says the intrinsics it can reach are as they were at load (checked at each match, or once per
 * decision window: {@link openMatchWindow}). Otherwise the platform's `re2InFreshRealm` runs the
 * same pattern in a realm of its own (Node: a `vm` context made on first need,
 * `./node/realm.ts`), and every later match runs there too (it answers the same, for ~6 µs a
 * match, less than a check). A platform without one (the browser's) runs re2js in the main
 * realm regardless. When the fresh realm cannot be had the matcher throws `TraceFilterError`
 * `ERR_IO`, and the chain takes the stricter answer (a value is redacted, a scope fails closed:
 * see `FilterChain`).
 *
 * @param re - the pattern compiled by re2js in the main realm
 * @param re2Source - its RE2 source, compiled again in the fresh realm when needed
 * @returns the test function
 */
export function re2Matcher(re: RE2JS, re2Source: string): (input: string) => boolean {
  return (input) => {
    const inFreshRealm = filterPlatform().re2InFreshRealm;
    if (inFreshRealm === undefined) return re.test(input);
    if (!freshRealmInUse) {
      let intact: boolean;
      if (windowState < 0) intact = intrinsicsIntact();
      else if (windowState === 0) {
        intact = intrinsicsIntact();
        windowState = intact ? 1 : 2;
      } else intact = windowState === 1;
      if (intact) return re.test(input);
    }
    const matched = inFreshRealm(re2Source, input);
    freshRealmInUse = true;
    return matched;
  };
}
