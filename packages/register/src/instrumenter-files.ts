/**
 * Where `@codetracer/instrument` and what it imports are on disk, for the loader's own roots
 * (never recorded) and the transform cache's key (a rebuilt or updated one misses).
 */
import { createRequire } from "node:module";
import * as path from "node:path";

/** The instrumenter's `dist` folder and the entry file of each package it imports. */
export interface InstrumenterFiles {
  dist: string;
  /** `@codetracer/runtime/abi`, then the CommonJS packages of `@codetracer/instrument/preload.json`, in that order. */
  imports: Array<{ name: string; entry: string }>;
}

/**
 * Resolves the instrumenter from this package.
 * @throws when it or one of its imports cannot be resolved (callers fall back)
 */
export function instrumenterFiles(): InstrumenterFiles {
  const entry = createRequire(import.meta.url).resolve("@codetracer/instrument");
  const fromInstrument = createRequire(entry);
  const names = ["@codetracer/runtime/abi", ...(fromInstrument("@codetracer/instrument/preload.json") as string[])];
  return { dist: path.dirname(entry), imports: names.map((name) => ({ name, entry: fromInstrument.resolve(name) })) };
}

/** The package folder of `name` holding `entry` (`…/node_modules/<name>`), or `undefined`. */
export function packageRootOf(name: string, entry: string): string | undefined {
  const posix = entry.replace(/\\/g, "/");
  const marker = `/node_modules/${name}/`;
  const at = posix.lastIndexOf(marker);
  return at >= 0 ? posix.slice(0, at + marker.length - 1) : undefined;
}
