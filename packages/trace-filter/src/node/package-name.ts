/**
 * The npm package a source file belongs to: what `pkg:` selectors match.
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { JSONParse, ObjectHasOwn, StringPrototypeStartsWith } from "@codetracer/trace-format/internal/primordials";
import { TraceFilterError } from "../errors.js";
import { SafeMap } from "@codetracer/trace-format/internal/primordials";

// Captured at load: packageNameOf runs while the recorded program runs (a `pkg:` rule asks it
// when a scope is classified). Node's own functions use Node's primordials inside.
const readFileSync = fs.readFileSync as (file: string, encoding: "utf8") => string;
const pathIsAbsolute = path.isAbsolute;
const pathDirname = path.dirname;
const pathBasename = path.basename;
// Not path.join: Node 20's calls `push` on an array of its own, which a program can delete.
const pathResolve = path.resolve;
const urlToPath = fileURLToPath;

/** A folder's answer: its package name, or the error reading it gave. */
interface Cached {
  readonly name: string | undefined;
  readonly error: TraceFilterError | undefined;
}

const byDir = new SafeMap<string, Cached>();

/**
 * The npm package name of a file: the `name` of the nearest `package.json` above it that has
 * one (`lodash`, `@babel/core`; for the project's own files, the project's name).
 *
 * - `package.json` files without a string `name` (such as `{"type": "module"}` in a `dist/`
 *   folder) are passed over and the walk goes on upwards.
 * - Inside `node_modules`, the walk stops at the installed package's folder
 *   (`node_modules/x` or `node_modules/@scope/x`); if no `package.json` there names it, the
 *   folder name is used (`x`, `@scope/x`). A file directly in a `node_modules` folder has no
 *   package.
 * - Non-absolute paths (`node:fs`, `<eval>`) have no package. `file:` URLs are accepted.
 *
 * Results are cached per folder for the life of the process ({@link clearPackageNameCache}).
 *
 * @example
 * ```ts
 * packageNameOf("/p/node_modules/@babel/core/lib/index.js"); // "@babel/core"
 * packageNameOf("/p/src/main.ts");                           // the name in /p/package.json
 * ```
 * @param file - an absolute path (or `file:` URL) of a source file
 * @returns the package name, or `undefined` when there is none
 * @throws {@link TraceFilterError} `ERR_IO` when a `package.json` on the way cannot be read or
 *   is not valid JSON (the failure is cached too)
 */
export function packageNameOf(file: string): string | undefined {
  let p = file;
  if (StringPrototypeStartsWith(p, "file:")) {
    try {
      p = urlToPath(p);
    } catch {
      return undefined;
    }
  }
  if (!pathIsAbsolute(p)) return undefined;
  return nameFromDir(pathDirname(p));
}

/** Forgets every cached {@link packageNameOf} answer (for tests, or after files changed). */
export function clearPackageNameCache(): void {
  byDir.clear();
}

function nameFromDir(dir: string): string | undefined {
  const cached = byDir.get(dir);
  if (cached !== undefined) {
    if (cached.error !== undefined) throw cached.error;
    return cached.name;
  }
  let result: Cached;
  try {
    result = { name: lookUp(dir), error: undefined };
  } catch (error) {
    if (!(error instanceof TraceFilterError)) throw error;
    result = { name: undefined, error };
  }
  byDir.set(dir, result);
  if (result.error !== undefined) throw result.error;
  return result.name;
}

function lookUp(dir: string): string | undefined {
  const base = pathBasename(dir);
  if (base === "node_modules") return undefined;
  const name = readName(pathResolve(dir, "package.json"));
  if (name !== undefined) return name;
  const parent = pathDirname(dir);
  // The installed package's own folder: node_modules/x or node_modules/@scope/x.
  const parentBase = pathBasename(parent);
  if (parentBase === "node_modules" && !StringPrototypeStartsWith(base, "@")) return base;
  if (StringPrototypeStartsWith(parentBase, "@") && pathBasename(pathDirname(parent)) === "node_modules") {
    return `${parentBase}/${base}`;
  }
  if (parent === dir) return undefined;
  return nameFromDir(parent);
}

function readName(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new TraceFilterError(
      "ERR_IO",
      `${file}: cannot read package.json: ${(error as Error).message}`,
      { file, ...(typeof code === "string" ? { errno: code } : {}) },
      error,
    );
  }
  let json: unknown;
  try {
    json = JSONParse(text);
  } catch (error) {
    throw new TraceFilterError("ERR_IO", `${file}: cannot read package.json: ${(error as Error).message}`, { file }, error);
  }
  // Only an own `name`: reading a missing one would look it up on Object.prototype.
  if (typeof json === "object" && json !== null && ObjectHasOwn(json, "name")) {
    const name = (json as { name?: unknown }).name;
    if (typeof name === "string" && name.length > 0) return name;
  }
  return undefined;
}
