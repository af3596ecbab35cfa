/**
 * The transform cache runs what it stores as the program's code, so nobody but the user may be
 * able to change it: the folder is made with mode 0700, a folder or entry another user owns or
 * that group or others can write is refused (`ERR_INSECURE_CACHE`, logged once), entries are
 * written 0600 through a temporary file and a rename, and an entry whose content does not match
 * its key's digest is ignored and rewritten. Real folders under a temporary folder; the "another
 * user" cases `chown` to uid 65534 and so need root (skipped otherwise). test/e2e/transform-cache.test.ts
 * shows the same through recorded runs (the planted code never runs).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { configurePolicy, resetPolicy } from "@codetracer/runtime";
import { entryDigest, readCached, resetTransformCacheChecks, usableCacheDir, writeCached, type CachedCompile } from "../src/transform-cache.js";

const HAS_UIDS = typeof process.getuid === "function";
const IS_ROOT = HAS_UIDS && process.getuid!() === 0;
const NOT_ROOT = "needs root: only root can chown a file to another user (uid 65534)";
const OTHER_UID = 65534;
const KEY = "a".repeat(64);
const GOOD: CachedCompile = { code: "module.exports = 42;\n", instrumented: true, skipped: 0 };
const EVIL: CachedCompile = { code: 'require("fs").writeFileSync("/tmp/pwned", "");\n', instrumented: true, skipped: 0 };

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-cache-sec-")));
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

/** The log records written so far. */
function logged(): Array<{ level: string; target: string; error_code?: string; message: string; fields?: { path: string; reason: string } }> {
  return fs.existsSync(logFile)
    ? fs
        .readFileSync(logFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    : [];
}

/** Writes an entry file as the cache does (with a valid digest unless `digest` is given). */
function plant(dir: string, key: string, entry: CachedCompile, digest = entryDigest(key, entry)): string {
  const file = path.join(dir, `${key}.json`);
  fs.writeFileSync(file, JSON.stringify({ key, digest, ...entry }), { mode: 0o600 });
  return file;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("the cache folder", () => {
  it("is created with mode 0700 and entries are written 0600, with no temporary file left", () => {
    const dir = path.join(tempDir(), "nested", "cache");
    writeCached(dir, KEY, GOOD);
    expect(mode(dir)).toBe(0o700);
    expect(fs.readdirSync(dir).sort()).toEqual([".last-prune", `${KEY}.json`]); // and the prune stamp (transform-cache-prune.test.ts)
    expect(mode(path.join(dir, `${KEY}.json`))).toBe(0o600);
    expect(mode(path.join(dir, ".last-prune"))).toBe(0o600);
    expect(readCached(dir, KEY)).toEqual(GOOD);
    expect(logged()).toEqual([]);
  });

  it("of the user's own but readable by others (an older version's) is made private and used", () => {
    const dir = path.join(tempDir(), "cache");
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    expect(usableCacheDir(dir)).toBe(true);
    expect(mode(dir)).toBe(0o700);
  });

  it.skipIf(!HAS_UIDS)("writable by others is refused: nothing read or written, one ERR_INSECURE_CACHE warning", () => {
    const dir = path.join(tempDir(), "cache");
    fs.mkdirSync(dir);
    plant(dir, KEY, EVIL);
    fs.chmodSync(dir, 0o777);
    expect(readCached(dir, KEY)).toBeUndefined();
    writeCached(dir, "b".repeat(64), GOOD);
    expect(readCached(dir, KEY)).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([`${KEY}.json`]);
    expect(logged()).toEqual([
      expect.objectContaining({
        level: "WARN",
        target: "codetracer.cache",
        error_code: "ERR_INSECURE_CACHE",
        message: `the transform cache ${dir} is writable by its group and others (mode 777): recording continues without the cache`,
        fields: { path: dir, reason: "writable by its group and others (mode 777)" },
      }),
    ]);
  });

  it.skipIf(!HAS_UIDS)("writable by its group is refused", () => {
    const dir = path.join(tempDir(), "cache");
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o770);
    expect(usableCacheDir(dir)).toBe(false);
    expect(logged()[0]?.fields?.reason).toBe("writable by its group (mode 770)");
  });

  it.skipIf(!IS_ROOT)("owned by another user is refused, even with mode 0700 (the planted /tmp/codetracer-js-cache-<uid>)", () => {
    void NOT_ROOT;
    const dir = path.join(tempDir(), "cache");
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = plant(dir, KEY, EVIL);
    fs.chownSync(file, OTHER_UID, OTHER_UID);
    fs.chownSync(dir, OTHER_UID, OTHER_UID);
    expect(readCached(dir, KEY)).toBeUndefined();
    writeCached(dir, KEY, GOOD);
    expect(fs.statSync(file).uid).toBe(OTHER_UID); // not written into
    expect(logged()).toHaveLength(1);
    expect(logged()[0]).toMatchObject({
      error_code: "ERR_INSECURE_CACHE",
      fields: { path: dir, reason: `owned by uid ${OTHER_UID}, not by this user (uid 0)` },
    });
  });

  it.skipIf(!IS_ROOT)("a symbolic link another user owns is refused, though it points to the user's folder", () => {
    const base = tempDir();
    const real = path.join(base, "real");
    fs.mkdirSync(real, { mode: 0o700 });
    const link = path.join(base, "cache");
    fs.symlinkSync(real, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(usableCacheDir(link)).toBe(false);
    expect(logged()[0]?.fields?.reason).toBe(`a symbolic link owned by uid ${OTHER_UID}, not by this user (uid 0)`);
  });

  it.skipIf(!HAS_UIDS)("a file at the folder's path is refused", () => {
    const file = path.join(tempDir(), "cache");
    fs.writeFileSync(file, "");
    expect(usableCacheDir(file)).toBe(false);
    expect(logged()[0]?.fields?.reason).toBe("not a directory");
  });

  it("warns once per thread, however many refusals", () => {
    const base = tempDir();
    for (const name of ["a", "b"]) {
      fs.mkdirSync(path.join(base, name));
      fs.chmodSync(path.join(base, name), 0o777);
      readCached(path.join(base, name), KEY);
      readCached(path.join(base, name), KEY);
    }
    expect(logged().length).toBe(HAS_UIDS ? 1 : 0);
  });
});

describe("an entry", () => {
  it.skipIf(!HAS_UIDS)("writable by others is ignored, then replaced by the user's own 0600 entry", () => {
    const dir = tempDir();
    const file = plant(dir, KEY, EVIL);
    fs.chmodSync(file, 0o666);
    expect(readCached(dir, KEY)).toBeUndefined();
    writeCached(dir, KEY, GOOD);
    expect(mode(file)).toBe(0o600);
    expect(readCached(dir, KEY)).toEqual(GOOD);
    expect(logged()).toEqual([
      expect.objectContaining({
        error_code: "ERR_INSECURE_CACHE",
        message: `the transform cache ${file} is writable by its group and others (mode 666): the file is compiled and the entry replaced`,
      }),
    ]);
  });

  it.skipIf(!IS_ROOT)("owned by another user is ignored, then replaced", () => {
    const dir = tempDir();
    const file = plant(dir, KEY, EVIL);
    fs.chownSync(file, OTHER_UID, OTHER_UID);
    expect(readCached(dir, KEY)).toBeUndefined();
    writeCached(dir, KEY, GOOD);
    expect(fs.statSync(file).uid).toBe(0);
    expect(readCached(dir, KEY)).toEqual(GOOD);
    expect(logged()[0]).toMatchObject({
      error_code: "ERR_INSECURE_CACHE",
      fields: { path: file, reason: `owned by uid ${OTHER_UID}, not by this user (uid 0)` },
    });
  });

  it("whose code was changed (digest not matching) is ignored, logged and rewritten", () => {
    const dir = tempDir();
    const file = plant(dir, KEY, EVIL, entryDigest(KEY, GOOD)); // GOOD's digest, EVIL's code
    expect(readCached(dir, KEY)).toBeUndefined();
    expect(logged()).toEqual([
      expect.objectContaining({
        error_code: "ERR_INSECURE_CACHE",
        fields: { path: file, reason: "not the entry stored for its key (its content or key was changed)" },
      }),
    ]);
    writeCached(dir, KEY, GOOD);
    expect(readCached(dir, KEY)).toEqual(GOOD);
  });

  it("copied under another key, or without digest (an older layout), is ignored", () => {
    const dir = tempDir();
    const other = "c".repeat(64);
    const file = plant(dir, KEY, GOOD);
    fs.copyFileSync(file, path.join(dir, `${other}.json`));
    expect(readCached(dir, other)).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify(GOOD));
    expect(readCached(dir, KEY)).toBeUndefined();
    plant(dir, KEY, GOOD);
    expect(readCached(dir, KEY)).toEqual(GOOD);
  });

  it("that is a symbolic link is not followed", () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    const target = plant(elsewhere, KEY, GOOD);
    fs.symlinkSync(target, path.join(dir, `${KEY}.json`));
    expect(readCached(dir, KEY)).toBeUndefined();
    writeCached(dir, KEY, GOOD); // replaces the link, leaves its target alone
    expect(fs.lstatSync(path.join(dir, `${KEY}.json`)).isFile()).toBe(true);
    expect(readCached(dir, KEY)).toEqual(GOOD);
  });
});
