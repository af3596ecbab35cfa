/**
 * One copy of `@codetracer/runtime` per thread. The loader has the runtime bundled into its
 * `dist/core.js` (see `./core.ts`); a module of the program that imports `@codetracer/runtime`
 * itself (the runtime of a bundle built with `unplugin-codetracer`, say) would load the
 * package's own files: a second copy, with its own policy, log and sessions. So the loader's
 * resolvers (the ES module `resolve` hook and the CommonJS `require` hook) hand out `core.js`
 * for the package's main entry and its `./internal` entry instead; it exports everything the
 * two do. The subpaths
 * (`/abi`, `/host`, `/recorder`) hold no such state and are left alone, and so is every import
 * from this package's own folder (the `core.js` of a `tsc`-only build imports the real entry).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Maps a resolved module (path or `file:` URL) to the one to load. */
export interface RuntimeAlias {
  /** For the CommonJS resolver: `file`, or `core.js` for the runtime's main or `./internal` entry. */
  file(file: string, parentFile: string | undefined): string;
  /** For the ES module resolver: `url`, or the URL of `core.js` for the runtime's main or `./internal` entry. */
  url(url: string, parentURL: string | undefined): string;
}

const NO_ALIAS: RuntimeAlias = { file: (file) => file, url: (url) => url };

/** The alias of this thread (the runtime resolved from this folder), or none when there is no `core.js` beside this file. */
export function runtimeAlias(): RuntimeAlias {
  const ownDir = path.dirname(fileURLToPath(import.meta.url));
  const coreFile = path.join(ownDir, "core.js");
  let runtimeFile: string;
  let internalFile: string;
  try {
    if (!fs.existsSync(coreFile)) return NO_ALIAS; // (the sources, run by the unit tests)
    const require = createRequire(import.meta.url);
    runtimeFile = require.resolve("@codetracer/runtime");
    internalFile = require.resolve("@codetracer/runtime/internal");
  } catch {
    return NO_ALIAS;
  }
  const ownDirPrefix = ownDir + path.sep;
  const ownUrlPrefix = pathToFileURL(ownDir).href + "/";
  const runtimeUrl = pathToFileURL(runtimeFile).href;
  const internalUrl = pathToFileURL(internalFile).href;
  const coreUrl = pathToFileURL(coreFile).href;
  return {
    file: (file, parentFile) => ((file === runtimeFile || file === internalFile) && !parentFile?.startsWith(ownDirPrefix) ? coreFile : file),
    url: (url, parentURL) => ((url === runtimeUrl || url === internalUrl) && !parentURL?.startsWith(ownUrlPrefix) ? coreUrl : url),
  };
}
