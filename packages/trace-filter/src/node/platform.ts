/**
 * The Node implementation of the filter platform (see `../platform.ts`): `node:path`, the real
 * path of a root from the file system, and package names from `package.json` files.
 *
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { FilterPlatform } from "../platform.js";
import { packageNameOf } from "./package-name.js";
import { re2InFreshRealm } from "./realm.js";

// Captured at load: the chain calls these while the recorded program runs (Node's own modules
// use Node's primordials inside).
const pathResolve = path.resolve;
const pathDirname = path.dirname;
const pathBasename = path.basename;
const pathIsAbsolute = path.isAbsolute;
const realpathNative = fs.realpathSync.native;
const urlToPath = fileURLToPath;

/** The platform of the package's Node entry; re2js runs in a `vm` realm of its own when the program changed the built-ins (`./realm.ts`). */
export const nodePlatform: FilterPlatform = {
  sep: path.sep === "\\" ? "\\" : "/",
  resolve: (p) => pathResolve(p),
  dirname: (p) => pathDirname(p),
  basename: (p) => pathBasename(p),
  isAbsolute: (p) => pathIsAbsolute(p),
  realpath(p) {
    try {
      return realpathNative(p);
    } catch {
      return undefined;
    }
  },
  fileURLToPath: (url) => urlToPath(url),
  packageNameOf,
  re2InFreshRealm,
};
