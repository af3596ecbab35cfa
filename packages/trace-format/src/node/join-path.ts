/**
 * `path.join` for code that runs while a program is recorded. Node's own `path.join` collects
 * its arguments with `Array.prototype.push` into a new array, so a program's accessor on
 * `Array.prototype[0]` or `Object.prototype[1]` runs (or throws) inside it (test262 defines such
 * accessors). This one joins with string operations only and normalises with `path.normalize`,
 * which uses none either (checked for Node 20 to 26). See packages/trace-format/src/primordials.ts.
 */
import * as path from "node:path";

const { normalize, sep } = path;

/**
 * Joins `first` and `rest` with the platform's separator and normalises the result, as
 * `path.join` does: empty parts are skipped, and nothing at all gives `"."`.
 *
 * @param first - the first part (a folder, usually absolute)
 * @param rest - the following parts
 * @returns the joined, normalised path
 */
export function joinPath(first: string, ...rest: string[]): string {
  let joined = first;
  for (let i = 0; i < rest.length; i++) {
    const part = rest[i]!;
    if (part.length === 0) continue;
    joined = joined.length === 0 ? part : joined + sep + part;
  }
  return joined.length === 0 ? "." : normalize(joined);
}
