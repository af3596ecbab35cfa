/**
 * The transform cache: what `instrument()` made of a file, kept on disk by a hash of everything
 * the output depends on, so a later run of unchanged files skips Babel (and does not even load
 * it). As tsx, babel-register and jest do. Best effort: a cache that cannot be read or written
 * is ignored (the file is compiled), never an error of the program.
 *
 * The key covers: the cache layout version, the instrumenter's version and its built files
 * (size and time of each, so a rebuilt instrumenter misses) and those of what it imports (the
 * runtime's ABI constants, Babel and its plugins), the Node version (the output
 * depends on what the engine supports), the file's path, module format, whether it is
 * recorded, its source name and decorator options, the trace filter's fingerprint (the
 * filters' SHA-256 and the include/exclude globs), and the source text.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { instrumenterFiles } from "./instrumenter-files.js";

/** Bump when the entry layout or the key changes. */
const LAYOUT = 1;

/** One cached compile. */
export interface CachedCompile {
  code: string;
  instrumented: boolean;
  skipped: number;
}

/** The default folder: `<os tmpdir>/codetracer-js-cache-<uid>` (per user, as tsx's). */
export function defaultCacheDir(): string {
  const uid = typeof process.getuid === "function" ? String(process.getuid()) : "user";
  return path.join(os.tmpdir(), `codetracer-js-cache-${uid}`);
}

let instrumenterStamp: string | undefined;

/** Version and built files of `@codetracer/instrument` (read once per thread). */
function stamp(): string {
  if (instrumenterStamp !== undefined) return instrumenterStamp;
  const parts: string[] = [];
  try {
    const { dist, imports } = instrumenterFiles();
    const pkg = JSON.parse(fs.readFileSync(path.join(dist, "..", "package.json"), "utf8")) as { version?: string };
    parts.push(String(pkg.version));
    for (const name of fs.readdirSync(dist).sort()) {
      if (!name.endsWith(".js")) continue;
      const st = fs.statSync(path.join(dist, name));
      parts.push(`${name}:${st.size}:${st.mtimeMs}`);
    }
    // What it imports and whose change changes its output: the runtime's ABI constants, and
    // Babel and its plugins (their entry files).
    for (const { name, entry } of imports) {
      const st = fs.statSync(entry);
      parts.push(`${name}:${st.size}:${st.mtimeMs}`);
    }
  } catch {
    parts.push(`unknown:${Date.now()}`); // never matches a stored entry
  }
  return (instrumenterStamp = parts.join("|"));
}

/** The key of a compile (hex SHA-256). */
export function cacheKey(parts: { filename: string; format: string; record: boolean; sourceFileName: string | undefined; decorators: unknown; filter: string; source: string }): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([LAYOUT, stamp(), process.version, parts.filename, parts.format, parts.record, parts.sourceFileName ?? null, parts.decorators, parts.filter]));
  hash.update("\0");
  hash.update(parts.source);
  return hash.digest("hex");
}

/** The entry stored under `key` in `dir`, if there is a well-formed one. */
export function readCached(dir: string, key: string): CachedCompile | undefined {
  try {
    const entry = JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), "utf8")) as Partial<CachedCompile>;
    if (typeof entry.code === "string" && typeof entry.instrumented === "boolean" && typeof entry.skipped === "number") {
      return { code: entry.code, instrumented: entry.instrumented, skipped: entry.skipped };
    }
  } catch {
    // missing or unreadable: compile
  }
  return undefined;
}

/** Stores `entry` under `key` (written to a temporary file, then renamed: readers never see half an entry). */
export function writeCached(dir: string, key: string, entry: CachedCompile): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entry));
    fs.renameSync(tmp, file);
  } catch {
    // a cache we cannot write is no cache
  }
}
