/**
 * Where the transform cache lives by default (src/cache-location.ts, `transformCacheDir`):
 * `CODETRACER_CACHE_DIR` when set, else the project's `node_modules/.cache/codetracer` (the
 * nearest folder with a package.json, when its node_modules is a folder we can write), else the
 * user's cache folder (XDG on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows),
 * else `<tmpdir>/codetracer-js-cache-<uid>`. Every candidate passes the same safety checks as
 * before (ERR_INSECURE_CACHE): an unsafe project folder is skipped for the next one. Real
 * folders under a temporary folder; test/e2e/transform-cache.test.ts shows the same through
 * recorded runs (and the not-writable node_modules case, run as another user).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { configurePolicy, resetPolicy } from "@codetracer/runtime";
import { cacheDirCandidates, projectCacheDir, projectRoot, userCacheDir } from "../src/cache-location.js";
import { resetTransformCacheChecks, transformCacheDir } from "../src/transform-cache.js";

const HAS_UIDS = typeof process.getuid === "function";
const IS_ROOT = HAS_UIDS && process.getuid!() === 0;

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-cache-loc-")));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

let logFile: string;
beforeEach(() => {
  resetTransformCacheChecks();
  logFile = path.join(tempDir(), "log.jsonl");
  configurePolicy({ logFile });
});
afterEach(() => resetPolicy());

function logged(): Array<{ error_code?: string; message: string; fields?: { path: string; reason: string } }> {
  return fs.existsSync(logFile)
    ? fs
        .readFileSync(logFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    : [];
}

/** A project folder: package.json, a `src` subfolder, and a node_modules folder unless `nodeModules` is false. */
function project(nodeModules = true): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "p" }\n');
  fs.mkdirSync(path.join(dir, "src"));
  if (nodeModules) fs.mkdirSync(path.join(dir, "node_modules"));
  return dir;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("the default cache folder", () => {
  it("is the project's node_modules/.cache/codetracer, from the project root or a folder inside it", () => {
    const dir = project();
    const xdg = tempDir();
    const env = { XDG_CACHE_HOME: xdg };
    expect(projectRoot(path.join(dir, "src"))).toBe(dir);
    expect(cacheDirCandidates({ cwd: path.join(dir, "src"), env }).map((c) => c.source)).toEqual(["project", "user", "tmp"]);
    const cache = transformCacheDir(env, path.join(dir, "src"));
    expect(cache).toBe(path.join(dir, "node_modules", ".cache", "codetracer"));
    expect(mode(cache!)).toBe(0o700);
    expect(fs.readdirSync(xdg)).toEqual([]);
  });

  it("is the user's cache folder ($XDG_CACHE_HOME/codetracer-js) when the project has no node_modules, or none we could use", () => {
    const xdg = tempDir();
    const env = { XDG_CACHE_HOME: xdg };
    const bare = project(false);
    expect(projectCacheDir(bare)).toBeUndefined();
    expect(transformCacheDir(env, bare)).toBe(path.join(xdg, "codetracer-js"));
    expect(fs.existsSync(path.join(bare, "node_modules"))).toBe(false); // none made

    const withFile = project(false);
    fs.writeFileSync(path.join(withFile, "node_modules"), "");
    expect(projectCacheDir(withFile)).toBeUndefined();

    const noProject = tempDir(); // no package.json at or above it
    expect(projectRoot(noProject)).toBeUndefined();
    expect(cacheDirCandidates({ cwd: noProject, env }).map((c) => c.dir)).toEqual([
      path.join(xdg, "codetracer-js"),
      expect.stringMatching(/codetracer-js-cache-/),
    ]);
  });

  it("~/.cache/codetracer-js without (or with a relative) XDG_CACHE_HOME; macOS and Windows folders", () => {
    expect(userCacheDir("linux", {}, "/home/u")).toBe("/home/u/.cache/codetracer-js");
    expect(userCacheDir("linux", { XDG_CACHE_HOME: "rel/cache" }, "/home/u")).toBe("/home/u/.cache/codetracer-js");
    expect(userCacheDir("freebsd", { XDG_CACHE_HOME: "/x/cache" }, "/home/u")).toBe("/x/cache/codetracer-js");
    expect(userCacheDir("darwin", { XDG_CACHE_HOME: "/x" }, "/Users/u")).toBe("/Users/u/Library/Caches/codetracer-js");
    expect(userCacheDir("win32", { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "C:\\Users\\u")).toBe("C:\\Users\\u\\AppData\\Local\\codetracer-js\\Cache");
    expect(userCacheDir("win32", {}, "C:\\Users\\u")).toBe("C:\\Users\\u\\AppData\\Local\\codetracer-js\\Cache");
    expect(userCacheDir("linux", {}, "")).toBeUndefined();
    // No home and no XDG: the tmpdir folder is the only default.
    expect(cacheDirCandidates({ cwd: tempDir(), env: {}, homedir: "", tmpdir: "/t", uid: 7, platform: "linux" })).toEqual([
      { dir: "/t/codetracer-js-cache-7", source: "tmp" },
    ]);
  });

  it("CODETRACER_CACHE_DIR wins (relative to the working directory) and is the only candidate", () => {
    const dir = project();
    const env = { CODETRACER_CACHE_DIR: "my-cache", XDG_CACHE_HOME: tempDir() };
    expect(cacheDirCandidates({ cwd: dir, env })).toEqual([{ dir: path.join(dir, "my-cache"), source: "env" }]);
    expect(transformCacheDir(env, dir)).toBe(path.join(dir, "my-cache"));
    expect(fs.existsSync(path.join(dir, "node_modules", ".cache"))).toBe(false);
  });

  it("falls back to the tmpdir folder when the user's cache folder cannot be made", () => {
    const dir = project(false);
    const blocked = path.join(tempDir(), "file");
    fs.writeFileSync(blocked, ""); // XDG_CACHE_HOME is a file: nothing can be made below it
    const got = transformCacheDir({ XDG_CACHE_HOME: blocked }, dir);
    expect(got).toBe(cacheDirCandidates({ cwd: dir, env: {} }).at(-1)!.dir);
  });
});

describe("an unsafe project cache folder (ERR_INSECURE_CACHE)", () => {
  it.skipIf(!HAS_UIDS)("writable by others is not used: one warning, and the user's cache folder is used", () => {
    const dir = project();
    const cache = path.join(dir, "node_modules", ".cache", "codetracer");
    fs.mkdirSync(cache, { recursive: true });
    fs.chmodSync(cache, 0o777);
    const xdg = tempDir();
    expect(transformCacheDir({ XDG_CACHE_HOME: xdg }, dir)).toBe(path.join(xdg, "codetracer-js"));
    expect(logged()).toEqual([
      expect.objectContaining({
        error_code: "ERR_INSECURE_CACHE",
        message: `the transform cache ${cache} is writable by its group and others (mode 777): it is not used, the next cache folder is tried (${path.join(xdg, "codetracer-js")})`,
        fields: { path: cache, reason: "writable by its group and others (mode 777)" },
      }),
    ]);
  });

  it.skipIf(!IS_ROOT)("owned by another user is not used, even with mode 0700", () => {
    const dir = project();
    const cache = path.join(dir, "node_modules", ".cache", "codetracer");
    fs.mkdirSync(cache, { recursive: true, mode: 0o700 });
    fs.chownSync(cache, 65534, 65534);
    const xdg = tempDir();
    expect(transformCacheDir({ XDG_CACHE_HOME: xdg }, dir)).toBe(path.join(xdg, "codetracer-js"));
    expect(logged()[0]).toMatchObject({ error_code: "ERR_INSECURE_CACHE", fields: { path: cache, reason: "owned by uid 65534, not by this user (uid 0)" } });
  });

  it.skipIf(!HAS_UIDS)("CODETRACER_CACHE_DIR unsafe: no cache at all (no other folder is tried)", () => {
    const cache = path.join(tempDir(), "c");
    fs.mkdirSync(cache);
    fs.chmodSync(cache, 0o757);
    expect(transformCacheDir({ CODETRACER_CACHE_DIR: cache, XDG_CACHE_HOME: tempDir() }, project())).toBeNull();
    expect(logged()[0]!.message).toContain("recording continues without the cache");
  });
});
