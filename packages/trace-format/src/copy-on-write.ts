/**
 * `items` itself when `fn` changes no element (by identity), else a new array holding the
 * mapped elements. Used by the normalisers that must not copy unchanged event trees.
 */
export function mapCopyOnWrite(items: readonly unknown[], fn: (item: unknown) => unknown): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const n = fn(item);
    if (n !== item && out === undefined) out = items.slice(0, i);
    if (out !== undefined) out.push(n);
  }
  return out ?? items;
}
