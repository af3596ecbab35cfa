/**
 * What the nearest `tsconfig.json` says about how a file compiles, read with `get-tsconfig`
 * (the reader tsx uses: comments, `extends`, package configs). Only the options that change
 * what a program does at run time are looked at.
 */
import * as path from "node:path";
import { getTsconfig } from "get-tsconfig";

/** The decorator options of `instrument()` that a file's nearest `tsconfig.json` implies. */
export interface DecoratorOptions {
  /** `"legacy"` when `compilerOptions.experimentalDecorators` is set, else `"2023-11"`. */
  decorators: "legacy" | "2023-11";
  /** `compilerOptions.emitDecoratorMetadata` (used with legacy decorators only, as by TypeScript). */
  decoratorMetadata: boolean;
}

const cache = new Map<string, DecoratorOptions>();

/**
 * The decorators a file's `@decorator` syntax means: `"legacy"` when the nearest
 * `tsconfig.json` (searched from the file's folder upwards) sets
 * `compilerOptions.experimentalDecorators`, as TypeScript and tsx decide it; else the standard
 * `"2023-11"` decorators; and whether design-type metadata is emitted
 * (`emitDecoratorMetadata`). A `tsconfig.json` that cannot be read counts as absent. Cached per
 * folder.
 */
export function decoratorsFor(file: string): DecoratorOptions {
  const dir = path.dirname(file);
  let hit = cache.get(dir);
  if (hit === undefined) {
    let options: { experimentalDecorators?: unknown; emitDecoratorMetadata?: unknown } | undefined;
    try {
      options = getTsconfig(dir)?.config.compilerOptions;
    } catch {
      options = undefined;
    }
    hit = {
      decorators: options?.experimentalDecorators === true ? "legacy" : "2023-11",
      decoratorMetadata: options?.emitDecoratorMetadata === true,
    };
    cache.set(dir, hit);
  }
  return hit;
}
