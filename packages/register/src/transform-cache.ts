/**
 * The transform cache: what `instrument()` made of a file, kept on disk by a hash of everything
 * the output depends on, so a later run of unchanged files skips Babel (and does not even load
 * it). As tsx, babel-register and jest do. Best effort: a cache that cannot be read or written
 * is ignored (the file is compiled), never an error of the program.
 *
 * The cached code is run as the program's, so nobody but the user may be able to change it
 * (docs/errors.md, `ERR_INSECURE_CACHE`). The folder is created with mode 0700; a folder that
 * is not a directory, is owned by another user, or is writable by its group or by others is
 * not used at all (one warning, then the run compiles every file as if there were no cache); a
 * folder of the user's with read bits for others (made by an older version) is set to 0700.
 * Each entry is written with mode 0600 to a new temporary file, then renamed into place; it is
 * read through a descriptor (no symbolic link followed) whose owner and mode are checked the
 * same way, and it holds its key and a SHA-256 of its key and content: an entry that was
 * changed, or copied under another key, is ignored and rewritten. Where Node has no user ids
 * (Windows) only the integrity check applies.
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
import { log, type RecorderErrorCode } from "@codetracer/runtime";
import { instrumenterFiles } from "./instrumenter-files.js";

/** Bump when the entry layout or the key changes. */
const LAYOUT = 2;

/** The code of the warning about a cache folder or entry that is not safe to use. */
const INSECURE: RecorderErrorCode = "ERR_INSECURE_CACHE";

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

/** The user the checks compare owners with (`undefined` where Node has no user ids: Windows). */
const UID: number | undefined = typeof process.getuid === "function" ? process.getuid() : undefined;

/** The permission bits of `mode` in octal (`"777"`). */
function modeText(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, "0");
}

/**
 * Why a file or folder with status `st` must not be trusted, or `undefined`: owned by another
 * user than this process's, or writable by its group or by others.
 */
function insecurity(st: fs.Stats): string | undefined {
  if (UID === undefined) return undefined;
  if (st.uid !== UID) return `owned by uid ${st.uid}, not by this user (uid ${UID})`;
  if ((st.mode & 0o022) !== 0) {
    const who = [st.mode & 0o020 ? "its group" : "", st.mode & 0o002 ? "others" : ""].filter((w) => w !== "").join(" and ");
    return `writable by ${who} (mode ${modeText(st.mode)})`;
  }
  return undefined;
}

let warned = false;

/**
 * Logs the `ERR_INSECURE_CACHE` warning (target `codetracer.cache`), once per thread: `what`
 * (a folder or an entry) is not used, because of `reason`.
 */
function warnInsecure(what: string, reason: string, consequence: string): void {
  if (warned) return;
  warned = true;
  log("warn", "codetracer.cache", `the transform cache ${what} is ${reason}: ${consequence}`, { errorCode: INSECURE, fields: { path: what, reason } });
}

/** Verdicts of {@link usableCacheDir}, per folder (each thread checks a folder once). */
const verdicts = new Map<string, boolean>();

/**
 * Whether `dir` may hold this thread's transform cache: it is created if missing (mode 0700),
 * then it must be a directory (a symbolic link to one is followed if the link is the user's),
 * owned by this user and not writable by group or others. An unsafe folder is logged once as
 * `ERR_INSECURE_CACHE` and never used; a folder that cannot be created or read is not used,
 * silently. Checked once per folder and thread. Never throws.
 */
export function usableCacheDir(dir: string): boolean {
  let ok = verdicts.get(dir);
  if (ok === undefined) verdicts.set(dir, (ok = checkCacheDir(dir)));
  return ok;
}

function checkCacheDir(dir: string): boolean {
  const refuse = (reason: string) => {
    warnInsecure(dir, reason, "recording continues without the cache");
    return false;
  };
  let st: fs.Stats;
  try {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error; // a file in the way: judged below
    }
    const link = fs.lstatSync(dir);
    if (link.isSymbolicLink()) {
      if (UID !== undefined && link.uid !== UID) return refuse(`a symbolic link owned by uid ${link.uid}, not by this user (uid ${UID})`);
      st = fs.statSync(dir);
    } else {
      st = link;
    }
  } catch {
    return false; // cannot be made or read: no cache
  }
  if (!st.isDirectory()) return refuse(`not a directory${UID !== undefined && st.uid !== UID ? ` (owned by uid ${st.uid})` : ""}`);
  const reason = insecurity(st);
  if (reason !== undefined) return refuse(reason);
  if (UID !== undefined && (st.mode & 0o077) !== 0) {
    try {
      fs.chmodSync(dir, 0o700); // the user's own folder, readable by others: made private
    } catch {
      // still safe to use: nobody else can write it
    }
  }
  return true;
}

/** Forgets the folder verdicts and that the warning was logged, so both happen again (for tests). */
export function resetTransformCacheChecks(): void {
  verdicts.clear();
  warned = false;
}

/** What an entry file holds: the compile, its key and the SHA-256 of both ({@link entryDigest}). */
interface StoredEntry extends CachedCompile {
  key: string;
  digest: string;
}

/** The integrity hash of an entry: hex SHA-256 of `JSON.stringify([key, code, instrumented, skipped])`. */
export function entryDigest(key: string, entry: CachedCompile): string {
  return createHash("sha256").update(JSON.stringify([key, entry.code, entry.instrumented, entry.skipped])).digest("hex");
}

/** `O_NOFOLLOW` where the platform has it: an entry that is a symbolic link is not opened. */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * The entry stored under `key` in `dir`, if `dir` is safe ({@link usableCacheDir}) and there is
 * an entry that is a regular file of this user's, not writable by group or others, well formed,
 * stored for `key`, and whose digest matches its content. An unsafe or altered entry is logged
 * (`ERR_INSECURE_CACHE`, once) and ignored: the file is compiled and the entry rewritten.
 * Never throws.
 */
export function readCached(dir: string, key: string): CachedCompile | undefined {
  if (!usableCacheDir(dir)) return undefined;
  const file = path.join(dir, `${key}.json`);
  let text: string;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return undefined;
      const reason = insecurity(st);
      if (reason !== undefined) {
        warnInsecure(file, reason, "the file is compiled and the entry replaced");
        return undefined;
      }
      text = fs.readFileSync(fd, "utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined; // missing, unreadable, or a symbolic link: compile
  }
  let entry: Partial<StoredEntry>;
  try {
    entry = JSON.parse(text) as Partial<StoredEntry>;
  } catch {
    return undefined; // damaged: compile and rewrite
  }
  if (entry === null || typeof entry !== "object") return undefined;
  if (typeof entry.code !== "string" || typeof entry.instrumented !== "boolean" || typeof entry.skipped !== "number") return undefined;
  const compile: CachedCompile = { code: entry.code, instrumented: entry.instrumented, skipped: entry.skipped };
  if (entry.key !== key || entry.digest !== entryDigest(key, compile)) {
    warnInsecure(file, "not the entry stored for its key (its content or key was changed)", "the file is compiled and the entry replaced");
    return undefined;
  }
  return compile;
}

/**
 * Stores `entry` under `key` in `dir` when `dir` is safe ({@link usableCacheDir}): written with
 * mode 0600 to a new temporary file (created exclusively), then renamed over the entry, so
 * readers never see half an entry and an entry that was refused is replaced. Never throws.
 */
export function writeCached(dir: string, key: string, entry: CachedCompile): void {
  if (!usableCacheDir(dir)) return;
  const file = path.join(dir, `${key}.json`);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const stored: StoredEntry = { key, digest: entryDigest(key, entry), code: entry.code, instrumented: entry.instrumented, skipped: entry.skipped };
  try {
    fs.writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, file);
  } catch {
    // a cache we cannot write is no cache
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing left to do
    }
  }
}
