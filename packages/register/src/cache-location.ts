/**
 * Where the transform cache lives by default: where tool caches live (docs/recording.md, "The
 * transform cache"). In order, the first that `transform-cache.ts` finds safe to use:
 *
 * 1. `CODETRACER_CACHE_DIR` (relative to the working directory), when set: then the only one.
 * 2. `<project>/node_modules/.cache/codetracer`, `<project>` the nearest folder at or above the
 *    working directory with a `package.json` file, when its `node_modules` is a folder this
 *    process can write (as babel-loader, AVA, nyc and Storybook do through `find-cache-dir`;
 *    unlike it, `CACHE_DIR` is not read and no `node_modules` is created).
 * 3. The user's cache folder: `$XDG_CACHE_HOME/codetracer-js` (an absolute `XDG_CACHE_HOME`),
 *    else `~/.cache/codetracer-js`; `~/Library/Caches/codetracer-js` on macOS;
 *    `%LOCALAPPDATA%\codetracer-js\Cache` on Windows (the folders `env-paths` gives).
 * 4. `<os tmpdir>/codetracer-js-cache-<uid>`, the last resort (what tsx uses).
 *
 * Only looks: nothing is created here (`usableCacheDir` creates the folder it accepts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The folder name under `node_modules/.cache`. */
export const PROJECT_CACHE_NAME = "codetracer";

/** The folder name in the user's cache folder. */
export const USER_CACHE_NAME = "codetracer-js";

/** Which rule gave a candidate folder (see the module comment). */
export type CacheDirSource = "env" | "project" | "user" | "tmp";

/** A folder the transform cache may use, and the rule that gave it. */
export interface CacheDirCandidate {
  /** Absolute path of the cache folder (which may not exist yet). */
  dir: string;
  source: CacheDirSource;
}

/** What the candidates depend on; every field but `cwd` and `env` defaults to this process's. */
export interface CacheDirContext {
  /** The working directory: where the project is looked for, and what a relative `CODETRACER_CACHE_DIR` is relative to. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The user's home folder (default `os.homedir()`; `""` when there is none). */
  homedir?: string;
  tmpdir?: string;
  /** The user id in the last-resort folder's name (default `process.getuid()`, `"user"` where there is none). */
  uid?: number | string;
}

/** Whether `p` is a folder (a symbolic link to one counts) this process may write into. */
function writableDir(p: string): boolean {
  try {
    if (!fs.statSync(p).isDirectory()) return false;
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `from` holding a `package.json` file, or `undefined`. */
export function projectRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    try {
      if (fs.statSync(path.join(dir, "package.json")).isFile()) return dir;
    } catch {
      // none here: look higher
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * `<project>/node_modules/.cache/codetracer` for the project of `cwd` ({@link projectRoot}),
 * when its `node_modules` is a folder this process can write; else `undefined`.
 */
export function projectCacheDir(cwd: string): string | undefined {
  const root = projectRoot(cwd);
  if (root === undefined) return undefined;
  const nodeModules = path.join(root, "node_modules");
  return writableDir(nodeModules) ? path.join(nodeModules, ".cache", PROJECT_CACHE_NAME) : undefined;
}

/**
 * The user's cache folder for this tool on `platform` (see the module comment), or `undefined`
 * when there is no home folder to put it in.
 */
export function userCacheDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string | undefined {
  if (platform === "win32") {
    const local = env.LOCALAPPDATA || (homedir ? path.win32.join(homedir, "AppData", "Local") : "");
    return local ? path.win32.join(local, USER_CACHE_NAME, "Cache") : undefined;
  }
  if (platform === "darwin") return homedir ? path.posix.join(homedir, "Library", "Caches", USER_CACHE_NAME) : undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, USER_CACHE_NAME); // a relative one is ignored (XDG spec)
  return homedir ? path.posix.join(homedir, ".cache", USER_CACHE_NAME) : undefined;
}

/** The last-resort folder: `<tmpdir>/codetracer-js-cache-<uid>` (per user). */
export function tmpCacheDir(tmpdir: string, uid: number | string): string {
  return path.join(tmpdir, `codetracer-js-cache-${uid}`);
}

/** This user's home folder, `""` when the system has none for it. */
function homeOf(): string {
  try {
    return os.homedir();
  } catch {
    return "";
  }
}

/**
 * The folders the transform cache may use, best first (see the module comment): only
 * `CODETRACER_CACHE_DIR`'s when it is set. Never throws.
 */
export function cacheDirCandidates(ctx: CacheDirContext): CacheDirCandidate[] {
  const explicit = ctx.env.CODETRACER_CACHE_DIR;
  if (explicit) return [{ dir: path.resolve(ctx.cwd, explicit), source: "env" }];
  const out: CacheDirCandidate[] = [];
  const project = projectCacheDir(ctx.cwd);
  if (project !== undefined) out.push({ dir: project, source: "project" });
  const user = userCacheDir(ctx.platform ?? process.platform, ctx.env, ctx.homedir ?? homeOf());
  if (user !== undefined) out.push({ dir: user, source: "user" });
  const uid = ctx.uid ?? (typeof process.getuid === "function" ? process.getuid() : "user");
  out.push({ dir: tmpCacheDir(ctx.tmpdir ?? os.tmpdir(), uid), source: "tmp" });
  return out;
}
