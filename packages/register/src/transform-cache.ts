/**
 * The transform cache: what `instrument()` made of a file, kept on disk by a hash of everything
 * the output depends on, so a later run of unchanged files skips Babel (and does not even load
 * it). As tsx, babel-register and jest do. Best effort: a cache that cannot be read or written
 * is ignored (the file is compiled), never an error of the program.
 *
 * Where: `CODETRACER_CACHE_DIR`, else the project's `node_modules/.cache/codetracer`, else the
 * user's cache folder (`~/.cache/codetracer-js` and the like), else
 * `<os tmpdir>/codetracer-js-cache-<uid>`: the first of these that is safe to use
 * (`cache-location.ts`, {@link transformCacheDir}).
 *
 * The cached code is run as the program's, so nobody but the user may be able to change it
 * (docs/errors.md, `ERR_INSECURE_CACHE`). The folder is created with mode 0700; a folder that
 * is not a directory, is owned by another user, or is writable by its group or by others is
 * not used at all (one warning, then the next default folder is tried, or, for
 * `CODETRACER_CACHE_DIR` or the last one, the run compiles every file as if there were no
 * cache); a folder of the user's with read bits for others (made by an older version) is set
 * to 0700. Each entry is written with mode 0600 to a new temporary file, then renamed into
 * place; it is read through a descriptor (no symbolic link followed) whose owner and mode are
 * checked the same way, and it holds its key and a SHA-256 of its key and content: an entry
 * that was changed, or copied under another key, is ignored and rewritten. Where Node has no
 * user ids (Windows) only the integrity check applies.
 *
 * Bounded: a run that writes an entry prunes the folder, at most once a day per folder (a
 * stamp file, `.last-prune`): entries not used for `CODETRACER_CACHE_MAX_AGE_DAYS` (30) days
 * are deleted, then the least recently used until the entries take at most
 * `CODETRACER_CACHE_MAX_MB` (256) MiB. "Used" is the entry's modification time, set when it is
 * written and when it is read more than an hour after (atime is not kept by `noatime` and
 * `relatime` mounts). Entries used in the last hour are never deleted ({@link pruneTransformCache}).
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
import * as path from "node:path";
import { UsageError, type RecorderErrorCode } from "@codetracer/runtime";
import { log } from "@codetracer/runtime/internal";
import { cacheDirCandidates } from "./cache-location.js";
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
export function cacheKey(parts: {
  filename: string;
  format: string;
  record: boolean;
  sourceFileName: string | undefined;
  decorators: unknown;
  filter: string;
  source: string;
}): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify([
      LAYOUT,
      stamp(),
      process.version,
      parts.filename,
      parts.format,
      parts.record,
      parts.sourceFileName ?? null,
      parts.decorators,
      parts.filter,
    ]),
  );
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

/** What the warning says happens when the only (or last) cache folder is refused. */
const NO_CACHE = "recording continues without the cache";

/**
 * Whether `dir` may hold this thread's transform cache: it is created if missing (mode 0700),
 * then it must be a directory (a symbolic link to one is followed if the link is the user's),
 * owned by this user and not writable by group or others. An unsafe folder is logged once as
 * `ERR_INSECURE_CACHE` (ending with `consequence`, by default that recording continues
 * without the cache) and never used; a folder that cannot be created or read is not used,
 * silently. Checked once per folder and thread. Never throws.
 */
export function usableCacheDir(dir: string, consequence: string = NO_CACHE): boolean {
  let ok = verdicts.get(dir);
  if (ok === undefined) verdicts.set(dir, (ok = checkCacheDir(dir, consequence)));
  return ok;
}

function checkCacheDir(dir: string, consequence: string): boolean {
  const refuse = (reason: string) => {
    warnInsecure(dir, reason, consequence);
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

/**
 * The transform cache folder of a run in `cwd` with `env`: the first folder of
 * `cacheDirCandidates` (`cache-location.ts`: `CODETRACER_CACHE_DIR`, else the project's
 * `node_modules/.cache/codetracer`, the user's cache folder, the tmpdir one) that
 * {@link usableCacheDir} accepts (creating it), or `null` when none is. A default folder that
 * is refused as unsafe is logged (`ERR_INSECURE_CACHE`) and the next one is tried. Also checks
 * the bounds' variables, so that a bad value stops the run before it starts.
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` when `CODETRACER_CACHE_MAX_MB` or
 *   `CODETRACER_CACHE_MAX_AGE_DAYS` is not a positive number ({@link cacheBoundsFromEnv})
 */
export function transformCacheDir(env: NodeJS.ProcessEnv, cwd: string): string | null {
  cacheBoundsFromEnv(env);
  const candidates = cacheDirCandidates({ cwd, env });
  for (let i = 0; i < candidates.length; i++) {
    const last = i === candidates.length - 1;
    const { dir } = candidates[i]!;
    if (usableCacheDir(dir, last ? NO_CACHE : `it is not used, the next cache folder is tried (${candidates[i + 1]!.dir})`)) return dir;
  }
  return null;
}

/** Forgets the folder verdicts, that the warning was logged and which folders were pruned, so all happen again (for tests). */
export function resetTransformCacheChecks(): void {
  verdicts.clear();
  warned = false;
  pruneChecked.clear();
}

/** How much the cache may keep ({@link pruneTransformCache}). */
export interface CacheBounds {
  /** The most bytes the entries may take together (`CODETRACER_CACHE_MAX_MB` MiB). */
  maxBytes: number;
  /** Entries not used for longer than this many milliseconds are deleted (`CODETRACER_CACHE_MAX_AGE_DAYS` days). */
  maxAgeMs: number;
}

/** Default `CODETRACER_CACHE_MAX_MB`: 256 MiB. */
export const DEFAULT_CACHE_MAX_MB = 256;

/** Default `CODETRACER_CACHE_MAX_AGE_DAYS`: 30 days. */
export const DEFAULT_CACHE_MAX_AGE_DAYS = 30;

const MIB = 1024 * 1024;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A positive number from `variable` (unset or empty: `fallback`). */
function positiveNumber(env: NodeJS.ProcessEnv, variable: string, fallback: number, unit: string): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = /^\s*(?:\d+\.?\d*|\.\d+)\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new UsageError("ERR_INVALID_POLICY_VALUE", `${variable} must be a positive number of ${unit}, got ${JSON.stringify(raw)}`, { variable, value: raw });
  }
  return value;
}

/**
 * The cache bounds from `CODETRACER_CACHE_MAX_MB` (MiB, default {@link DEFAULT_CACHE_MAX_MB})
 * and `CODETRACER_CACHE_MAX_AGE_DAYS` (days, default {@link DEFAULT_CACHE_MAX_AGE_DAYS});
 * fractions are allowed (`0.5`).
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` when a value set is not a positive decimal number
 */
export function cacheBoundsFromEnv(env: NodeJS.ProcessEnv): CacheBounds {
  return {
    maxBytes: positiveNumber(env, "CODETRACER_CACHE_MAX_MB", DEFAULT_CACHE_MAX_MB, "MiB") * MIB,
    maxAgeMs: positiveNumber(env, "CODETRACER_CACHE_MAX_AGE_DAYS", DEFAULT_CACHE_MAX_AGE_DAYS, "days") * DAY_MS,
  };
}

/** An entry file's name: the key (hex SHA-256) and `.json`. */
const ENTRY_NAME = /^[0-9a-f]{64}\.json$/;

/** A temporary file of {@link writeCached}: `<key>.json.<pid>.<random>.tmp`. */
const TEMP_NAME = /^[0-9a-f]{64}\.json\.\d+\.[0-9a-z]*\.tmp$/;

/** Entries used this recently are never pruned (a run may be using them): one hour. */
export const PRUNE_GRACE_MS = HOUR_MS;

/** A read entry whose last use is older than this is touched (its mtime set to now): one hour. */
const TOUCH_AFTER_MS = HOUR_MS;

/** A temporary file older than this was left by a writer that died: one day (a write takes milliseconds). */
const STALE_TEMP_MS = DAY_MS;

/** How often a folder is pruned at most: once a day. */
export const PRUNE_INTERVAL_MS = DAY_MS;

/** The stamp file whose mtime is the last prune of its folder. */
export const PRUNE_STAMP = ".last-prune";

/** What a prune did. */
export interface PruneResult {
  /** Entries deleted, and their bytes. */
  removed: number;
  removedBytes: number;
  /** Entries left, and their bytes. */
  kept: number;
  keptBytes: number;
}

/**
 * Deletes `file` if it is still the regular file `seen` was (same inode and mtime): an entry
 * that a writer renamed into place since the folder was read is left alone. Never throws.
 */
function unlinkIfUnchanged(file: string, seen: fs.Stats): boolean {
  try {
    const now = fs.lstatSync(file);
    if (!now.isFile() || now.ino !== seen.ino || now.dev !== seen.dev || now.mtimeMs !== seen.mtimeMs) return false;
    fs.unlinkSync(file);
    return true;
  } catch {
    return false; // gone already (another prune), or not ours to delete
  }
}

/**
 * Prunes the cache folder `dir` to `bounds`: deletes the entries (regular files named
 * `<key>.json`; a symbolic link or a folder is never followed nor deleted) not used for longer
 * than `bounds.maxAgeMs`, then the least recently used ones until the rest take at most
 * `bounds.maxBytes`. "Used" is the modification time (set by {@link writeCached}, and by
 * {@link readCached} for an entry used more than an hour before). An entry used in the last
 * {@link PRUNE_GRACE_MS} is never deleted, even above the size bound, nor one rewritten while
 * the prune runs; only complete entries are candidates (a writer's temporary file is deleted
 * only when it is a day old: its writer died). `now` is the time to measure ages from (ms
 * since the epoch). Never throws: what cannot be read or deleted is left as it is.
 */
export function pruneTransformCache(dir: string, bounds: CacheBounds, now: number = Date.now()): PruneResult {
  const result: PruneResult = { removed: 0, removedBytes: 0, kept: 0, keptBytes: 0 };
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return result;
  }
  const entries: Array<{ file: string; st: fs.Stats }> = [];
  for (const name of names) {
    const isEntry = ENTRY_NAME.test(name);
    if (!isEntry && !TEMP_NAME.test(name)) continue;
    const file = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      continue;
    }
    if (!st.isFile()) continue;
    if (isEntry) entries.push({ file, st });
    else if (now - st.mtimeMs > STALE_TEMP_MS) unlinkIfUnchanged(file, st);
  }
  entries.sort((a, b) => a.st.mtimeMs - b.st.mtimeMs); // least recently used first
  let total = 0;
  for (const e of entries) total += e.st.size;
  for (const e of entries) {
    const age = now - e.st.mtimeMs;
    if (age < PRUNE_GRACE_MS) break; // this one and all after it are in use
    if (age <= bounds.maxAgeMs && total <= bounds.maxBytes) break;
    if (unlinkIfUnchanged(e.file, e.st)) {
      total -= e.st.size;
      result.removed++;
      result.removedBytes += e.st.size;
    }
  }
  result.kept = entries.length - result.removed;
  result.keptBytes = total;
  return result;
}

/** The folders this thread has looked at for pruning. */
const pruneChecked = new Set<string>();

/** `O_NOFOLLOW` where the platform has it: an entry that is a symbolic link is not opened. */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Prunes `dir` ({@link pruneTransformCache}, bounds from this process's environment, defaults
 * where a value is bad) unless it was pruned less than {@link PRUNE_INTERVAL_MS} ago: the
 * stamp file {@link PRUNE_STAMP} in it says when, and is set to now first, so that processes
 * starting together do not all prune. Looked at once per folder and thread. Returns whether it
 * pruned. Never throws.
 */
export function pruneIfDue(dir: string, now: number = Date.now()): boolean {
  if (pruneChecked.has(dir)) return false;
  pruneChecked.add(dir);
  const stamp = path.join(dir, PRUNE_STAMP);
  try {
    try {
      const st = fs.lstatSync(stamp);
      if (st.isFile() && now - st.mtimeMs < PRUNE_INTERVAL_MS && st.mtimeMs <= now + HOUR_MS) return false;
    } catch {
      // no stamp: never pruned
    }
    const fd = fs.openSync(stamp, fs.constants.O_WRONLY | fs.constants.O_CREAT | NOFOLLOW, 0o600);
    try {
      fs.futimesSync(fd, now / 1000, now / 1000);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false; // the stamp cannot be set: leave the folder alone
  }
  let bounds: CacheBounds;
  try {
    bounds = cacheBoundsFromEnv(process.env);
  } catch {
    bounds = { maxBytes: DEFAULT_CACHE_MAX_MB * MIB, maxAgeMs: DEFAULT_CACHE_MAX_AGE_DAYS * DAY_MS };
  }
  pruneTransformCache(dir, bounds, now);
  return true;
}

/** What an entry file holds: the compile, its key and the SHA-256 of both ({@link entryDigest}). */
interface StoredEntry extends CachedCompile {
  key: string;
  digest: string;
}

/** The integrity hash of an entry: hex SHA-256 of `JSON.stringify([key, code, instrumented, skipped])`. */
export function entryDigest(key: string, entry: CachedCompile): string {
  return createHash("sha256")
    .update(JSON.stringify([key, entry.code, entry.instrumented, entry.skipped]))
    .digest("hex");
}

/**
 * The entry stored under `key` in `dir`, if `dir` is safe ({@link usableCacheDir}) and there is
 * an entry that is a regular file of this user's, not writable by group or others, well formed,
 * stored for `key`, and whose digest matches its content. An unsafe or altered entry is logged
 * (`ERR_INSECURE_CACHE`, once) and ignored: the file is compiled and the entry rewritten. An
 * entry used is touched (its mtime set to now, for {@link pruneTransformCache}) when its last
 * use is more than an hour old. Never throws.
 */
export function readCached(dir: string, key: string): CachedCompile | undefined {
  if (!usableCacheDir(dir)) return undefined;
  const file = path.join(dir, `${key}.json`);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
  } catch {
    return undefined; // missing, unreadable, or a symbolic link: compile
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    const reason = insecurity(st);
    if (reason !== undefined) {
      warnInsecure(file, reason, "the file is compiled and the entry replaced");
      return undefined;
    }
    const compile = parseEntry(fs.readFileSync(fd, "utf8"), key, file);
    if (compile !== undefined) touch(fd, file, st);
    return compile;
  } catch {
    return undefined; // unreadable: compile
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // closed
    }
  }
}

/** The compile an entry file's `text` holds if it is well formed and stored for `key` (else `undefined`; an altered one is logged). */
function parseEntry(text: string, key: string, file: string): CachedCompile | undefined {
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

/** Marks the entry open as `fd` (status `st`) as used now, when its last use is over an hour old. */
function touch(fd: number, file: string, st: fs.Stats): void {
  const now = Date.now();
  if (now - st.mtimeMs <= TOUCH_AFTER_MS) return;
  try {
    fs.futimesSync(fd, now / 1000, now / 1000);
  } catch {
    // Windows opens a file read-only without the right to set its times: by name there
    if (process.platform !== "win32") return;
    try {
      fs.utimesSync(file, now / 1000, now / 1000);
    } catch {
      // not touched: it may be pruned a little early
    }
  }
}

/**
 * Stores `entry` under `key` in `dir` when `dir` is safe ({@link usableCacheDir}): written with
 * mode 0600 to a new temporary file (created exclusively), then renamed over the entry, so
 * readers never see half an entry and an entry that was refused is replaced. The first write of
 * a thread into a folder prunes it when it is due ({@link pruneIfDue}). Never throws.
 */
export function writeCached(dir: string, key: string, entry: CachedCompile): void {
  if (!usableCacheDir(dir)) return;
  const file = path.join(dir, `${key}.json`);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const stored: StoredEntry = { key, digest: entryDigest(key, entry), code: entry.code, instrumented: entry.instrumented, skipped: entry.skipped };
  try {
    fs.writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600, flag: "wx" });
    fs.renameSync(tmp, file);
    pruneIfDue(dir); // the cache grows only here
  } catch {
    // a cache we cannot write is no cache
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing left to do
    }
  }
}
