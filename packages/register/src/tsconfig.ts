/**
 * What the nearest `tsconfig.json` says about how a file compiles, read with `get-tsconfig`
 * (the reader tsx uses: comments, `extends`, package configs). Only the options that change
 * what a program does at run time are looked at.
 */
import * as path from "node:path";
import { getTsconfig } from "get-tsconfig";

const cache = new Map<string, "legacy" | "2023-11">();

/**
 * The decorators a file's `@decorator` syntax means: `"legacy"` when the nearest
 * `tsconfig.json` (searched from the file's folder upwards) sets
 * `compilerOptions.experimentalDecorators`, as TypeScript and tsx decide it; else the standard
 * `"2023-11"` decorators. A `tsconfig.json` that cannot be read counts as absent. Cached per folder.
 */
export function decoratorsFor(file: string): "legacy" | "2023-11" {
  const dir = path.dirname(file);
  let hit = cache.get(dir);
  if (hit === undefined) {
    let legacy = false;
    try {
      legacy = getTsconfig(dir)?.config.compilerOptions?.experimentalDecorators === true;
    } catch {
      legacy = false;
    }
    hit = legacy ? "legacy" : "2023-11";
    cache.set(dir, hit);
  }
  return hit;
}
