/**
 * The transform cache is bounded (src/transform-cache.ts, `pruneTransformCache`): entries not
 * used for `CODETRACER_CACHE_MAX_AGE_DAYS` (30) days go, then the least recently used until the
 * rest take at most `CODETRACER_CACHE_MAX_MB` (256) MiB; "used" is the entry's mtime (set when
 * written, and when read more than an hour later). Entries used in the last hour, a writer's
 * temporary file younger than a day, symbolic links, folders and other files are left alone. A
 * run that writes an entry prunes its folder at most once a day (the `.last-prune` stamp).
 * Real folders and files, ages made with `fs.utimesSync`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  cacheBoundsFromEnv,
  entryDigest,
  pruneIfDue,
  pruneTransformCache,
  PRUNE_STAMP,
  readCached,
  resetTransformCacheChecks,
  writeCached,
  type CachedCompile,
} from "../src/transform-cache.js";

const MIB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const DEFAULTS = { maxBytes: 256 * MIB, maxAgeMs: 30 * DAY };

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-cache-prune-")));
  fs.chmodSync(dir, 0o700);
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => resetTransformCacheChecks());

/** A key: 64 hex digits from `n`. */
const key = (n: number) => n.toString(16).padStart(64, "0");

/** Sets the times of `file` to `ageMs` before NOW. */
function age(file: string, ageMs: number): void {
  const t = (NOW - ageMs) / 1000;
  fs.utimesSync(file, t, t);
}

/** A fake entry of `bytes` bytes, last used `ageMs` ago; returns its name. */
function fakeEntry(dir: string, n: number, ageMs: number, bytes = 1000): string {
  const name = `${key(n)}.json`;
  fs.writeFileSync(path.join(dir, name), "x".repeat(bytes), { mode: 0o600 });
  age(path.join(dir, name), ageMs);
  return name;
}

const names = (dir: string) => fs.readdirSync(dir).sort();

describe("pruneTransformCache", () => {
  it("deletes the entries not used for longer than the age bound, and only those", () => {
    const dir = tempDir();
    const old = fakeEntry(dir, 1, 40 * DAY);
    const older = fakeEntry(dir, 2, 400 * DAY);
    const recent = fakeEntry(dir, 3, 10 * DAY);
    const fresh = fakeEntry(dir, 4, 2 * HOUR);
    expect(pruneTransformCache(dir, DEFAULTS, NOW)).toEqual({ removed: 2, removedBytes: 2000, kept: 2, keptBytes: 2000 });
    expect(names(dir)).toEqual([recent, fresh].sort());
    expect(names(dir)).not.toContain(old);
    expect(names(dir)).not.toContain(older);
    // A shorter bound (CODETRACER_CACHE_MAX_AGE_DAYS=7) takes the 10-day-old one too.
    pruneTransformCache(dir, { ...DEFAULTS, maxAgeMs: 7 * DAY }, NOW);
    expect(names(dir)).toEqual([fresh]);
  });

  it("deletes the least recently used entries until the rest fit the size bound", () => {
    const dir = tempDir();
    const byAge = [5, 4, 3, 2, 1].map((d) => fakeEntry(dir, d, d * DAY)); // oldest first
    const r = pruneTransformCache(dir, { ...DEFAULTS, maxBytes: 2500 }, NOW);
    expect(r).toEqual({ removed: 3, removedBytes: 3000, kept: 2, keptBytes: 2000 });
    expect(names(dir)).toEqual(byAge.slice(3).sort());
  });

  it("never deletes an entry used in the last hour, even above the size bound", () => {
    const dir = tempDir();
    const old = fakeEntry(dir, 1, 3 * DAY);
    const fresh = [fakeEntry(dir, 2, 10 * 60 * 1000), fakeEntry(dir, 3, 0)];
    const r = pruneTransformCache(dir, { maxBytes: 1, maxAgeMs: 1 }, NOW);
    expect(r.removed).toBe(1);
    expect(names(dir)).toEqual(fresh.sort());
    expect(names(dir)).not.toContain(old);
  });

  it("leaves symbolic links (not followed), folders, other files and a writer's recent temporary file alone; deletes a day-old temporary file", () => {
    const dir = tempDir();
    const outside = tempDir();
    const target = path.join(outside, "precious.json");
    fs.writeFileSync(target, "keep me");
    age(target, 100 * DAY);
    const link = `${key(1)}.json`;
    fs.symlinkSync(target, path.join(dir, link));
    const folder = `${key(2)}.json`;
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, `${key(3)}.json`), "");
    age(path.join(dir, folder, `${key(3)}.json`), 100 * DAY);
    age(path.join(dir, folder), 100 * DAY);
    fs.writeFileSync(path.join(dir, "notes.txt"), "");
    age(path.join(dir, "notes.txt"), 100 * DAY);
    const writing = `${key(4)}.json.123.abc.tmp`;
    fs.writeFileSync(path.join(dir, writing), "half");
    age(path.join(dir, writing), 10 * 60 * 1000);
    const dead = `${key(5)}.json.456.def.tmp`;
    fs.writeFileSync(path.join(dir, dead), "half");
    age(path.join(dir, dead), 2 * DAY);

    pruneTransformCache(dir, { maxBytes: 1, maxAgeMs: 1 }, NOW);
    expect(names(dir)).toEqual([link, folder, "notes.txt", writing].sort());
    expect(fs.readFileSync(target, "utf8")).toBe("keep me");
    expect(fs.readdirSync(path.join(dir, folder))).toEqual([`${key(3)}.json`]);
  });

  it("a folder that cannot be read is left alone", () => {
    expect(pruneTransformCache(path.join(tempDir(), "missing"), DEFAULTS, NOW)).toEqual({ removed: 0, removedBytes: 0, kept: 0, keptBytes: 0 });
  });
});

describe("when the cache is pruned", () => {
  const GOOD: CachedCompile = { code: "module.exports = 1;\n", instrumented: true, skipped: 0 };

  it("a write prunes its folder when the last prune is over a day old, at most once per thread, and sets the stamp", () => {
    const dir = tempDir();
    const old = fakeEntry(dir, 1, 40 * DAY);
    writeCached(dir, key(9), GOOD);
    expect(names(dir)).toEqual([PRUNE_STAMP, `${key(9)}.json`]);
    expect(Math.abs(fs.statSync(path.join(dir, PRUNE_STAMP)).mtimeMs - Date.now())).toBeLessThan(60_000);
    expect(names(dir)).not.toContain(old);

    // Again in this thread: not looked at.
    fakeEntry(dir, 2, 40 * DAY);
    writeCached(dir, key(10), GOOD);
    expect(names(dir)).toContain(`${key(2)}.json`);

    // Another process (here: reset) within the day: the stamp says not yet.
    resetTransformCacheChecks();
    expect(pruneIfDue(dir)).toBe(false);
    expect(names(dir)).toContain(`${key(2)}.json`);

    // A day later it is due.
    resetTransformCacheChecks();
    age(path.join(dir, PRUNE_STAMP), 25 * HOUR);
    expect(pruneIfDue(dir)).toBe(true);
    expect(names(dir)).not.toContain(`${key(2)}.json`);
    expect(names(dir)).toContain(`${key(9)}.json`);
  });

  it("the bounds come from CODETRACER_CACHE_MAX_MB and CODETRACER_CACHE_MAX_AGE_DAYS", () => {
    const dir = tempDir();
    [3, 2, 1].forEach((d) => fakeEntry(dir, d, d * DAY));
    const saved = { ...process.env };
    process.env.CODETRACER_CACHE_MAX_MB = String(1500 / MIB);
    process.env.CODETRACER_CACHE_MAX_AGE_DAYS = "2.5";
    try {
      expect(pruneIfDue(dir)).toBe(true);
    } finally {
      delete process.env.CODETRACER_CACHE_MAX_MB;
      delete process.env.CODETRACER_CACHE_MAX_AGE_DAYS;
      Object.assign(process.env, saved);
    }
    expect(names(dir)).toEqual([PRUNE_STAMP, `${key(1)}.json`]); // 3 days: too old; 2 days: over 1500 bytes
  });

  it("reading an entry marks it used when its last use is over an hour old (and not otherwise)", () => {
    const dir = tempDir();
    const store = (k: string, ageMs: number) => {
      const file = path.join(dir, `${k}.json`);
      fs.writeFileSync(file, JSON.stringify({ key: k, digest: entryDigest(k, GOOD), ...GOOD }), { mode: 0o600 });
      age(file, ageMs);
      return file;
    };
    const stale = store(key(1), 20 * DAY);
    const recent = store(key(2), 30 * 60 * 1000);
    const before = fs.statSync(recent).mtimeMs;
    expect(readCached(dir, key(1))).toEqual(GOOD);
    expect(readCached(dir, key(2))).toEqual(GOOD);
    expect(Math.abs(fs.statSync(stale).mtimeMs - Date.now())).toBeLessThan(60_000);
    expect(fs.statSync(recent).mtimeMs).toBe(before);
    // So a prune with a 10-day bound keeps the entry just read.
    pruneTransformCache(dir, { ...DEFAULTS, maxAgeMs: 10 * DAY });
    expect(names(dir)).toEqual([`${key(1)}.json`, `${key(2)}.json`]);
  });
});

describe("cacheBoundsFromEnv", () => {
  it("defaults to 256 MiB and 30 days; takes positive decimal numbers", () => {
    expect(cacheBoundsFromEnv({})).toEqual(DEFAULTS);
    expect(cacheBoundsFromEnv({ CODETRACER_CACHE_MAX_MB: "", CODETRACER_CACHE_MAX_AGE_DAYS: " " })).toEqual(DEFAULTS);
    expect(cacheBoundsFromEnv({ CODETRACER_CACHE_MAX_MB: "0.5", CODETRACER_CACHE_MAX_AGE_DAYS: "7" })).toEqual({ maxBytes: 0.5 * MIB, maxAgeMs: 7 * DAY });
  });

  it.each(["0", "-1", "abc", "1e3", "Infinity", "10MB"])("%j is ERR_INVALID_POLICY_VALUE", (value) => {
    expect(() => cacheBoundsFromEnv({ CODETRACER_CACHE_MAX_MB: value })).toThrow(expect.objectContaining({ code: "ERR_INVALID_POLICY_VALUE" }));
    expect(() => cacheBoundsFromEnv({ CODETRACER_CACHE_MAX_AGE_DAYS: value })).toThrow(/CODETRACER_CACHE_MAX_AGE_DAYS must be a positive number of days/);
  });
});
