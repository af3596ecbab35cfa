import { appendOwn } from "./primordials.js";

/**
 * `items` itself when `fn` changes no element (by identity), else a new array holding the
 * mapped elements (own elements: built without `Array.prototype.slice`, whose species lookup
 * and stores a recorded program can reach). Used by the normalisers that must not copy
 * unchanged event trees.
 */
export function mapCopyOnWrite(items: readonly unknown[], fn: (item: unknown) => unknown): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const n = fn(item);
    if (n !== item && out === undefined) {
      out = [];
      for (let j = 0; j < i; j++) appendOwn(out, items[j]);
    }
    if (out !== undefined) appendOwn(out, n);
  }
  return out ?? items;
}
