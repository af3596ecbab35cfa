/**
 * Which files are recorded. A file is recorded when it has a supported extension and:
 * 1. it matches no `exclude` glob, and
 * 2. it matches an `include` glob, or it is outside every `node_modules` folder.
 *
 * So `include` widens the default (bring a package back: `node_modules/marked/**`) and
 * `exclude` narrows it. Globs are picomatch globs (`*` stays within a folder, `**` crosses
 * folders; dotfiles match) tested against the path relative to the working directory with `/`
 * separators, and, for files outside it, against the absolute path too. Node built-ins are never
 * files, so they are never recorded; neither are the recorder's own packages.
 */
import * as path from "node:path";
import picomatch from "picomatch";
import { isSupportedFile } from "@codetracer/instrument";
import type { LoaderConfig } from "./config.js";

/** Decides, for an absolute file path, whether it is recorded. Results are cached per path. */
export function createFileFilter(config: Pick<LoaderConfig, "include" | "exclude" | "cwd" | "ownRoots">): (file: string) => boolean {
  const opts = { dot: true };
  const include = config.include.length ? picomatch(config.include, opts) : () => false;
  const exclude = config.exclude.length ? picomatch(config.exclude, opts) : () => false;
  const ownRoots = config.ownRoots.map((r) => r.replace(/\\/g, "/").replace(/\/?$/, "/"));
  const cache = new Map<string, boolean>();
  return (file: string): boolean => {
    let hit = cache.get(file);
    if (hit !== undefined) return hit;
    const abs = file.replace(/\\/g, "/");
    const rel = path.relative(config.cwd, file).split(path.sep).join("/");
    const test = (m: (p: string) => boolean) => m(rel) || (rel.startsWith("../") && m(abs));
    if (!isSupportedFile(file) || ownRoots.some((r) => abs.startsWith(r)) || test(exclude)) hit = false;
    else hit = test(include) || !abs.includes("/node_modules/");
    cache.set(file, hit);
    return hit;
  };
}
