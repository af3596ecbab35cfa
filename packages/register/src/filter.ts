/**
 * Which files are recorded. A file is instrumented when it has a supported extension, is not
 * one of the recorder's own files, and the trace-filter chain does not skip it as a whole (see
 * `./trace-filter.ts`: the builtin filter skips `node_modules`; `--include`/`--exclude` globs
 * are the chain's last rules). Node built-ins are never files, so they are never recorded.
 * Results are cached per path.
 */
import { isSupportedFile } from "@codetracer/instrument/files";
import type { FilterChain } from "@codetracer/trace-filter";
import type { LoaderConfig } from "./config.js";

/**
 * Decides, for an absolute file path, whether it is recorded.
 * @param onSkip - told once per file the filter chain skips as a whole (for the
 *   `scopes_skipped` counter)
 */
export function createFileFilter(
  config: Pick<LoaderConfig, "ownRoots">,
  chain: FilterChain,
  onSkip: (file: string) => void = () => {},
): (file: string) => boolean {
  const ownRoots = config.ownRoots.map((r) => r.replace(/\\/g, "/").replace(/\/?$/, "/"));
  const cache = new Map<string, boolean>();
  return (file: string): boolean => {
    let hit = cache.get(file);
    if (hit !== undefined) return hit;
    const abs = file.replace(/\\/g, "/");
    if (!isSupportedFile(file) || ownRoots.some((r) => abs.startsWith(r))) hit = false;
    else {
      hit = !chain.skipsWholeFile(file);
      if (!hit) onSkip(file);
    }
    cache.set(file, hit);
    return hit;
  };
}
