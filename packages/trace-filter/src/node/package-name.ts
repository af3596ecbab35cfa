/**
 * The npm package a source file belongs to: what `pkg:` selectors match.
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { TraceFilterError } from "../errors.js";

type Cached = { name: string | undefined } | { error: TraceFilterError };

const byDir = new Map<string, Cached>();

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
  if (p.startsWith("file:")) {
    try {
      p = fileURLToPath(p);
    } catch {
      return undefined;
    }
  }
  if (!path.isAbsolute(p)) return undefined;
  return nameFromDir(path.dirname(p));
}

/** Forgets every cached {@link packageNameOf} answer (for tests, or after files changed). */
export function clearPackageNameCache(): void {
  byDir.clear();
}

function nameFromDir(dir: string): string | undefined {
  const cached = byDir.get(dir);
  if (cached !== undefined) {
    if ("error" in cached) throw cached.error;
    return cached.name;
  }
  let result: Cached;
  try {
    result = { name: lookUp(dir) };
  } catch (error) {
    if (!(error instanceof TraceFilterError)) throw error;
    result = { error };
  }
  byDir.set(dir, result);
  if ("error" in result) throw result.error;
  return result.name;
}

function lookUp(dir: string): string | undefined {
  const base = path.basename(dir);
  if (base === "node_modules") return undefined;
  const name = readName(path.join(dir, "package.json"));
  if (name !== undefined) return name;
  const parent = path.dirname(dir);
  // The installed package's own folder: node_modules/x or node_modules/@scope/x.
  if (path.basename(parent) === "node_modules" && !base.startsWith("@")) return base;
  if (path.basename(parent).startsWith("@") && path.basename(path.dirname(parent)) === "node_modules") {
    return `${path.basename(parent)}/${base}`;
  }
  if (parent === dir) return undefined;
  return nameFromDir(parent);
}

function readName(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new TraceFilterError(
      "ERR_IO",
      `${file}: cannot read package.json: ${(error as Error).message}`,
      { file, ...(typeof code === "string" ? { errno: code } : {}) },
      error
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TraceFilterError(
      "ERR_IO",
      `${file}: cannot read package.json: ${(error as Error).message}`,
      { file },
      error
    );
  }
  if (typeof json === "object" && json !== null) {
    const name = (json as { name?: unknown }).name;
    if (typeof name === "string" && name.length > 0) return name;
  }
  return undefined;
}
