export interface Named {
  name: string;
}
export type Tagged<T> = { tag: string; value: T };
export type { Named as AlsoNamed };

export function makeTag<T>(value: T): Tagged<T> {
  return { tag: `tag:${String(value)}`, value };
}
