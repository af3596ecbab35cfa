/**
 * The check the writers' typed methods make before taking their fast path.
 *
 * @packageDocumentation
 */

const isSafeInteger = Number.isSafeInteger;

/**
 * True for an id, a line or a type id as the fast paths write them: a safe non-negative
 * integer. Anything else goes the generic way (which writes it as `write` would).
 */
export function isIndex(n: unknown): n is number {
  return typeof n === "number" && isSafeInteger(n) && n >= 0;
}
