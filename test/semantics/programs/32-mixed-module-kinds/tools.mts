export const kind: string = "ESM from TypeScript (" + (typeof require === "undefined" ? "no require" : "has require") + ")";

export function shout<T extends string>(text: T): Uppercase<T> {
  return (text.toUpperCase() + "!") as Uppercase<T>;
}
