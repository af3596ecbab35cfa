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

/** The platform of the package's Node entry. */
export const nodePlatform: FilterPlatform = {
  sep: path.sep === "\\" ? "\\" : "/",
  resolve: (p) => path.resolve(p),
  dirname: (p) => path.dirname(p),
  basename: (p) => path.basename(p),
  isAbsolute: (p) => path.isAbsolute(p),
  realpath(p) {
    try {
      return fs.realpathSync.native(p);
    } catch {
      return undefined;
    }
  },
  fileURLToPath: (url) => fileURLToPath(url),
  packageNameOf,
};
