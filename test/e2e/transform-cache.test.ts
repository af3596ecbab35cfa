/**
 * The transform cache: a second run of unchanged files uses what the first run compiled (ES
 * modules on the hooks thread, CommonJS on the main thread), records the same trace, and misses
 * when the source, the trace filter or `CODETRACER_CACHE=0` says so. A cache another user could
 * have written (the folder or an entry owned by another user, or writable by others) or an
 * entry whose content does not match its key is not used: the code planted there never runs,
 * the run warns `ERR_INSECURE_CACHE` and records as without a cache. By default the cache is
 * the project's `node_modules/.cache/codetracer`, else `$XDG_CACHE_HOME/codetracer-js` (an
 * unsafe project folder is skipped for it); `CODETRACER_CACHE_DIR` wins. A run that writes an
 * entry prunes the folder (once a day): entries not used for `CODETRACER_CACHE_MAX_AGE_DAYS`,
 * then the least recently used over `CODETRACER_CACHE_MAX_MB`. Fixtures:
 * `test/fixtures/transform-cache/`.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, REGISTER_URL, childEnv, cleanupTempDirs, describeRun, freshTraceDir, makeTempDir, recordWithImport, type RunResult } from "../utils/run.js";

afterAll(cleanupTempDirs);

/** A copy of the fixture project (the tests edit its files). */
function project(): string {
  const dir = makeTempDir("ct-cache-project-");
  for (const f of ["app.mjs", "lib.cjs"]) fs.copyFileSync(path.join(FIXTURES, "transform-cache", f), path.join(dir, f));
  return dir;
}

function entries(cacheDir: string): string[] {
  return fs.existsSync(cacheDir)
    ? fs
        .readdirSync(cacheDir)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
}

async function record(dir: string, cacheDir: string, env: Record<string, string> = {}): Promise<RunResult> {
  const run = await recordWithImport(path.join(dir, "app.mjs"), [], {
    cwd: dir,
    loader: REGISTER_URL,
    env: { CODETRACER_FORMAT: "json", CODETRACER_CACHE_DIR: cacheDir, ...env },
  });
  expect(run.code, describeRun(run)).toBe(0);
  return run;
}

/** An entry file's content (packages/register/src/transform-cache.ts). */
interface Entry {
  key: string;
  digest: string;
  code: string;
  instrumented: boolean;
  skipped: number;
}

/** The digest an entry holds: SHA-256 of its key and content (as `entryDigest` computes it). */
function digestOf(e: Entry): string {
  return createHash("sha256")
    .update(JSON.stringify([e.key, e.code, e.instrumented, e.skipped]))
    .digest("hex");
}

/**
 * Prepends `line(entry file name)` to the code of every cached entry; the digest is updated
 * unless `keepDigest` (then the entry no longer matches its key).
 */
function editEntries(cacheDir: string, line: (f: string) => string, keepDigest = false): void {
  for (const f of entries(cacheDir)) {
    const file = path.join(cacheDir, f);
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as Entry;
    entry.code = `${line(f)}\n${entry.code}`;
    if (!keepDigest) entry.digest = digestOf(entry);
    fs.writeFileSync(file, JSON.stringify(entry));
  }
}

/** Marks every cached entry: the cached code prints a line first, so a run shows whether it used them. */
function markEntries(cacheDir: string): void {
  editEntries(cacheDir, (f) => `console.log("from cache ${f.slice(0, 8)}");`);
}

/**
 * Plants code in every entry, as another user who can write the cache would (with a valid
 * digest, unless `keepDigest`): when run, it writes `marker` and prints `PWNED`.
 */
function plantEntries(cacheDir: string, marker: string, keepDigest = false): void {
  editEntries(cacheDir, () => `require("node:fs").appendFileSync(${JSON.stringify(marker)}, "x"); console.log("PWNED");`, keepDigest);
}

/** The ERR_INSECURE_CACHE warnings of a run's stderr (its log records). */
function insecureWarnings(run: RunResult): Array<{ level: string; message: string; fields: { path: string; reason: string } }> {
  return run.stderr
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes('"ERR_INSECURE_CACHE"'))
    .map((l) => JSON.parse(l));
}

const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;
const HAS_UIDS = typeof process.getuid === "function";
/** Why a test that gives files to another user (uid 65534) is skipped. */
const NEEDS_ROOT = "needs root: only root can chown the cache to another user";

describe("transform cache", () => {
  it("a second run uses the compiled files of the first (both loader threads) and records the same trace", async () => {
    const dir = project();
    const cacheDir = makeTempDir("ct-cache-");
    const first = await record(dir, cacheDir);
    expect(first.stdout).toBe("result 42\n");
    expect(entries(cacheDir)).toHaveLength(2); // app.mjs (hooks thread) and lib.cjs (main thread)
    const second = await record(dir, cacheDir);
    expect(second.stdout).toBe("result 42\n");
    expect(expectValidTrace(second.traceDir).events).toEqual(expectValidTrace(first.traceDir).events);
    expect(entries(cacheDir)).toHaveLength(2);

    markEntries(cacheDir);
    const third = await record(dir, cacheDir);
    expect(third.stdout.match(/^from cache/gm), third.stdout).toHaveLength(2);
    expect(third.stdout).toContain("result 42\n");
  });

  it("misses when the source changes, and only for that file", async () => {
    const dir = project();
    const cacheDir = makeTempDir("ct-cache-");
    await record(dir, cacheDir);
    markEntries(cacheDir);
    fs.writeFileSync(path.join(dir, "lib.cjs"), fs.readFileSync(path.join(dir, "lib.cjs"), "utf8").replace("x * 2", "x + x"));
    const run = await record(dir, cacheDir);
    expect(run.stdout.match(/^from cache/gm), run.stdout).toHaveLength(1); // app.mjs only
    expect(entries(cacheDir)).toHaveLength(3);
  });

  it("misses when the trace filter changes", async () => {
    const dir = project();
    const cacheDir = makeTempDir("ct-cache-");
    await record(dir, cacheDir);
    markEntries(cacheDir);
    const filter = path.join(dir, "filter.toml");
    fs.writeFileSync(
      filter,
      '[meta]\nname = "skip-main"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n[[scope.rules]]\nselector = "obj:main"\nexec = "skip"\n',
    );
    const run = await record(dir, cacheDir, { CODETRACER_TRACE_FILTER: filter });
    expect(run.stdout).toBe("result 42\n");
    expect(expectValidTrace(run.traceDir).functionNames()).not.toContain("main");
  });

  it("CODETRACER_CACHE=0 neither reads nor writes it", async () => {
    const dir = project();
    const cacheDir = makeTempDir("ct-cache-");
    await record(dir, cacheDir);
    markEntries(cacheDir);
    const before = entries(cacheDir);
    const run = await record(dir, cacheDir, { CODETRACER_CACHE: "0" });
    expect(run.stdout).toBe("result 42\n");
    expect(entries(cacheDir)).toEqual(before);
    const fresh = makeTempDir("ct-cache-");
    await record(dir, fresh, { CODETRACER_CACHE: "off" });
    expect(entries(fresh)).toEqual([]);
  });

  it("a damaged entry is ignored and rewritten; a bad CODETRACER_CACHE is ERR_INVALID_POLICY_VALUE", async () => {
    const dir = project();
    const cacheDir = makeTempDir("ct-cache-");
    await record(dir, cacheDir);
    for (const f of entries(cacheDir)) fs.writeFileSync(path.join(cacheDir, f), "{ not json");
    const run = await record(dir, cacheDir);
    expect(run.stdout).toBe("result 42\n");
    for (const f of entries(cacheDir)) expect(() => JSON.parse(fs.readFileSync(path.join(cacheDir, f), "utf8"))).not.toThrow();

    const bad = await recordWithImport(path.join(dir, "app.mjs"), [], { cwd: dir, loader: REGISTER_URL, env: { CODETRACER_CACHE: "maybe" } });
    expect(bad.code, describeRun(bad)).not.toBe(0);
    expect(bad.stderr).toContain("ERR_INVALID_POLICY_VALUE");
    expect(bad.stderr).toContain("CODETRACER_CACHE");
  });
});

describe("transform cache security (ERR_INSECURE_CACHE)", () => {
  /** A first run fills a private cache; `harm` then makes it unsafe; the second run must not run the planted code. */
  async function poisoned(
    harm: (cacheDir: string, marker: string) => void,
  ): Promise<{ run: RunResult; dir: string; cacheDir: string; marker: string; before: RunResult }> {
    const dir = project();
    const cacheDir = path.join(makeTempDir("ct-cache-"), "cache");
    const before = await record(dir, cacheDir);
    expect(entries(cacheDir)).toHaveLength(2);
    const marker = path.join(makeTempDir("ct-cache-marker-"), "pwned");
    harm(cacheDir, marker);
    const run = await record(dir, cacheDir);
    return { run, dir, cacheDir, marker, before };
  }

  /** The planted code did not run and the run recorded as the first did. */
  function expectNotRun({ run, marker, before }: { run: RunResult; marker: string; before: RunResult }): void {
    expect(run.stdout).toBe("result 42\n");
    expect(fs.existsSync(marker), "the planted code ran").toBe(false);
    expect(expectValidTrace(run.traceDir).events).toEqual(expectValidTrace(before.traceDir).events);
  }

  it("a new cache folder is made with mode 0700, its entries 0600", async () => {
    const dir = project();
    const cacheDir = path.join(makeTempDir("ct-cache-"), "a", "cache");
    const run = await record(dir, cacheDir);
    expect(insecureWarnings(run)).toEqual([]);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
    for (const f of entries(cacheDir)) expect(fs.statSync(path.join(cacheDir, f)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it.skipIf(!IS_ROOT)(`a cache folder owned by another user is not used: its code never runs, one warning (${NEEDS_ROOT})`, async () => {
    const result = await poisoned((cacheDir, marker) => {
      plantEntries(cacheDir, marker);
      for (const f of entries(cacheDir)) fs.chownSync(path.join(cacheDir, f), 65534, 65534);
      fs.chownSync(cacheDir, 65534, 65534);
    });
    expectNotRun(result);
    const warnings = insecureWarnings(result.run);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "WARN", fields: { path: result.cacheDir, reason: "owned by uid 65534, not by this user (uid 0)" } });
    expect(warnings[0]!.message).toContain("recording continues without the cache");
    expect(entries(result.cacheDir).map((f) => fs.statSync(path.join(result.cacheDir, f)).uid)).toEqual([65534, 65534]); // nothing written there
  });

  it.skipIf(!HAS_UIDS)("a cache folder writable by others is not used: its code never runs, one warning", async () => {
    const result = await poisoned((cacheDir, marker) => {
      plantEntries(cacheDir, marker);
      fs.chmodSync(cacheDir, 0o777);
    });
    expectNotRun(result);
    const warnings = insecureWarnings(result.run);
    expect(warnings.map((w) => w.fields)).toEqual([{ path: result.cacheDir, reason: "writable by its group and others (mode 777)" }]);
  });

  it.skipIf(!HAS_UIDS)("entries writable by others, or another user's, are not used and are replaced by the user's own", async () => {
    const result = await poisoned((cacheDir, marker) => {
      plantEntries(cacheDir, marker);
      const [first, second] = entries(cacheDir).map((f) => path.join(cacheDir, f));
      fs.chmodSync(first!, 0o666);
      if (IS_ROOT) fs.chownSync(second!, 65534, 65534);
      else fs.chmodSync(second!, 0o646);
    });
    expectNotRun(result);
    // The main thread's warning (the hooks thread, which compiles app.mjs on Node 20, logs its own).
    expect(insecureWarnings(result.run).length).toBeGreaterThanOrEqual(1);
    for (const f of entries(result.cacheDir)) {
      const st = fs.statSync(path.join(result.cacheDir, f));
      expect([st.uid, st.mode & 0o777]).toEqual([process.getuid!(), 0o600]);
    }
    // …which the next run uses.
    markEntries(result.cacheDir);
    const third = await record(result.dir, result.cacheDir);
    expect(third.stdout.match(/^from cache/gm), third.stdout).toHaveLength(2);
  });

  it("an entry whose code does not match its digest is not used, and is rewritten", async () => {
    const result = await poisoned((cacheDir, marker) => plantEntries(cacheDir, marker, true));
    expectNotRun(result);
    expect(insecureWarnings(result.run).length).toBeGreaterThanOrEqual(1);
    for (const f of entries(result.cacheDir)) {
      const entry = JSON.parse(fs.readFileSync(path.join(result.cacheDir, f), "utf8")) as Entry;
      expect(entry.code).not.toContain("PWNED");
      expect(entry.digest).toBe(digestOf(entry));
      expect(`${entry.key}.json`).toBe(f);
    }
  });
});

/** A copy of the fixture project with a package.json, and a node_modules folder unless `nodeModules` is false. */
function npmProject(nodeModules = true): string {
  const dir = project();
  fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "cache-project", "private": true }\n');
  if (nodeModules) fs.mkdirSync(path.join(dir, "node_modules"));
  return dir;
}

/** Records app.mjs of `dir` with the default cache folder; the user's cache folder is `xdg` (XDG_CACHE_HOME and HOME). */
async function recordDefault(dir: string, xdg: string, env: Record<string, string> = {}): Promise<RunResult> {
  const run = await recordWithImport(path.join(dir, "app.mjs"), [], {
    cwd: dir,
    loader: REGISTER_URL,
    env: { CODETRACER_FORMAT: "json", XDG_CACHE_HOME: xdg, HOME: xdg, ...env },
  });
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stdout).toContain("result 42\n");
  return run;
}

/** Runs `node --import <loader> app.mjs` in `dir` as the user `uid` (only root can), with `env`. */
function recordAs(uid: number, dir: string, traceDir: string, env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REGISTER_URL, path.join(dir, "app.mjs")], {
      cwd: dir,
      env: childEnv({ CODETRACER_TRACE: traceDir, ...env }),
      uid,
      gid: uid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ stdout, stderr, code, signal, traceDir }));
  });
}

describe("where the transform cache lives", () => {
  it("by default in the project's node_modules/.cache/codetracer (mode 0700), from the project or a folder inside it; CODETRACER_CACHE_DIR wins", async () => {
    const dir = npmProject();
    const xdg = makeTempDir("ct-cache-xdg-");
    const cacheDir = path.join(dir, "node_modules", ".cache", "codetracer");
    const first = await recordDefault(dir, xdg);
    expect(insecureWarnings(first)).toEqual([]);
    expect(entries(cacheDir)).toHaveLength(2);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(xdg)).toEqual([]);
    markEntries(cacheDir);
    fs.mkdirSync(path.join(dir, "sub"));
    const second = await recordWithImport(path.join(dir, "app.mjs"), [], {
      cwd: path.join(dir, "sub"),
      loader: REGISTER_URL,
      env: { XDG_CACHE_HOME: xdg, HOME: xdg },
    });
    expect(second.stdout.match(/^from cache/gm), describeRun(second)).toHaveLength(2);

    const explicit = makeTempDir("ct-cache-");
    await recordDefault(dir, xdg, { CODETRACER_CACHE_DIR: explicit });
    expect(entries(explicit)).toHaveLength(2);
    expect(entries(cacheDir)).toHaveLength(2); // untouched
  });

  it("in $XDG_CACHE_HOME/codetracer-js when the project has no node_modules (none is made)", async () => {
    const dir = npmProject(false);
    const xdg = makeTempDir("ct-cache-xdg-");
    await recordDefault(dir, xdg);
    expect(entries(path.join(xdg, "codetracer-js"))).toHaveLength(2);
    expect(fs.existsSync(path.join(dir, "node_modules"))).toBe(false);
  });

  it.skipIf(!IS_ROOT)(
    `in $XDG_CACHE_HOME/codetracer-js when the user cannot write the project's node_modules (${NEEDS_ROOT}: runs as uid 65534)`,
    async (ctx) => {
      // The checkout must be readable by uid 65534 (a clone under a private folder is not).
      const canRead = spawnSync(process.execPath, ["-e", `require("fs").readFileSync(${JSON.stringify(fileURLToPath(REGISTER_URL))})`], {
        uid: 65534,
        gid: 65534,
        cwd: "/",
      });
      if (canRead.status !== 0) ctx.skip();
      const dir = npmProject();
      fs.chmodSync(dir, 0o755); // readable by uid 65534; node_modules (root's, 0755) is not writable by it
      const xdg = makeTempDir("ct-cache-xdg-");
      fs.chownSync(xdg, 65534, 65534);
      const traceParent = makeTempDir("ct-cache-trace-");
      fs.chownSync(traceParent, 65534, 65534);
      const run = await recordAs(65534, dir, path.join(traceParent, "trace"), { CODETRACER_FORMAT: "json", XDG_CACHE_HOME: xdg, HOME: xdg });
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toBe("result 42\n");
      expect(fs.readdirSync(path.join(dir, "node_modules"))).toEqual([]);
      const userCache = path.join(xdg, "codetracer-js");
      expect(entries(userCache)).toHaveLength(2);
      expect(fs.statSync(userCache).uid).toBe(65534);
      expectValidTrace(run.traceDir);
    },
  );

  it.skipIf(!HAS_UIDS)(
    "a project cache folder writable by others is not used (its code never runs): one warning, the user's cache folder is used",
    async () => {
      const dir = npmProject();
      const xdg = makeTempDir("ct-cache-xdg-");
      const cacheDir = path.join(dir, "node_modules", ".cache", "codetracer");
      const before = await recordDefault(dir, xdg);
      const marker = path.join(makeTempDir("ct-cache-marker-"), "pwned");
      plantEntries(cacheDir, marker);
      fs.chmodSync(cacheDir, 0o777);
      const run = await recordDefault(dir, xdg);
      expect(run.stdout).toBe("result 42\n");
      expect(fs.existsSync(marker), "the planted code ran").toBe(false);
      expect(expectValidTrace(run.traceDir).events).toEqual(expectValidTrace(before.traceDir).events);
      const userCache = path.join(xdg, "codetracer-js");
      expect(insecureWarnings(run).map((w) => w.fields)).toEqual([{ path: cacheDir, reason: "writable by its group and others (mode 777)" }]);
      expect(insecureWarnings(run)[0]!.message).toContain(`the next cache folder is tried (${userCache})`);
      expect(entries(userCache)).toHaveLength(2);
    },
  );

  it.skipIf(!IS_ROOT)(`a project cache folder owned by another user is not used (its code never runs) (${NEEDS_ROOT})`, async () => {
    const dir = npmProject();
    const xdg = makeTempDir("ct-cache-xdg-");
    const cacheDir = path.join(dir, "node_modules", ".cache", "codetracer");
    await recordDefault(dir, xdg);
    const marker = path.join(makeTempDir("ct-cache-marker-"), "pwned");
    plantEntries(cacheDir, marker);
    for (const f of entries(cacheDir)) fs.chownSync(path.join(cacheDir, f), 65534, 65534);
    fs.chownSync(cacheDir, 65534, 65534);
    const run = await recordDefault(dir, xdg);
    expect(run.stdout).toBe("result 42\n");
    expect(fs.existsSync(marker), "the planted code ran").toBe(false);
    expect(insecureWarnings(run).map((w) => w.fields)).toEqual([{ path: cacheDir, reason: "owned by uid 65534, not by this user (uid 0)" }]);
    expect(entries(path.join(xdg, "codetracer-js"))).toHaveLength(2);
  });
});

describe("transform cache bounds", () => {
  const DAY = 24 * 60 * 60 * 1000;
  /** A fake entry (a valid name, `bytes` of content) last used `days` ago. */
  function fakeEntry(cacheDir: string, n: number, days: number, bytes = 4000): string {
    const name = `${n.toString(16).padStart(64, "f")}.json`;
    fs.writeFileSync(path.join(cacheDir, name), "x".repeat(bytes), { mode: 0o600 });
    const t = (Date.now() - days * DAY) / 1000;
    fs.utimesSync(path.join(cacheDir, name), t, t);
    return name;
  }

  it("a run that compiles prunes entries unused for 30 days (CODETRACER_CACHE_MAX_AGE_DAYS) and keeps the rest", async () => {
    const dir = project();
    const cacheDir = path.join(makeTempDir("ct-cache-"), "cache");
    fs.mkdirSync(cacheDir, { mode: 0o700 });
    const old = fakeEntry(cacheDir, 1, 40);
    const recent = fakeEntry(cacheDir, 2, 20);
    await record(dir, cacheDir);
    const left = entries(cacheDir);
    expect(left).not.toContain(old);
    expect(left).toContain(recent);
    expect(left).toHaveLength(3); // and the run's two
    expect(fs.existsSync(path.join(cacheDir, ".last-prune"))).toBe(true);

    // The next prune is a day later: a new old entry stays for now…
    const old2 = fakeEntry(cacheDir, 3, 40);
    fs.writeFileSync(path.join(dir, "lib.cjs"), fs.readFileSync(path.join(dir, "lib.cjs"), "utf8").replace("x * 2", "x + x"));
    await record(dir, cacheDir, { CODETRACER_CACHE_MAX_AGE_DAYS: "10" });
    expect(entries(cacheDir)).toContain(old2);
    expect(entries(cacheDir)).toContain(recent);
    // …and goes when it is due, with the 20-day-old one under a 10-day bound.
    const t = (Date.now() - 2 * DAY) / 1000;
    fs.utimesSync(path.join(cacheDir, ".last-prune"), t, t);
    fs.writeFileSync(path.join(dir, "lib.cjs"), fs.readFileSync(path.join(dir, "lib.cjs"), "utf8").replace("x + x", "2 * x"));
    await record(dir, cacheDir, { CODETRACER_CACHE_MAX_AGE_DAYS: "10" });
    expect(entries(cacheDir)).not.toContain(old2);
    expect(entries(cacheDir)).not.toContain(recent);
    expect(entries(cacheDir)).toHaveLength(4); // app.mjs and three versions of lib.cjs, all fresh
  });

  it("prunes the least recently used entries over CODETRACER_CACHE_MAX_MB, never the ones just used", async () => {
    const dir = project();
    const cacheDir = path.join(makeTempDir("ct-cache-"), "cache");
    await record(dir, cacheDir);
    const own = entries(cacheDir);
    fs.rmSync(path.join(cacheDir, ".last-prune"));
    const fakes = [3, 2, 1].map((days) => fakeEntry(cacheDir, days, days)); // oldest first
    // lib.cjs changes: the run writes an entry (~ the size of the old one), then prunes.
    const libEntry = own.map((f) => fs.statSync(path.join(cacheDir, f)).size);
    const bound = libEntry[0]! + libEntry[1]! + Math.max(...libEntry) + 2 * 4000 + 512;
    fs.writeFileSync(path.join(dir, "lib.cjs"), fs.readFileSync(path.join(dir, "lib.cjs"), "utf8").replace("x * 2", "x + x"));
    const run = await record(dir, cacheDir, { CODETRACER_CACHE_MAX_MB: String(bound / (1024 * 1024)) });
    expect(run.stdout).toBe("result 42\n");
    const left = entries(cacheDir);
    expect(left).not.toContain(fakes[0]); // the least recently used
    expect(left).toEqual(expect.arrayContaining([...own, fakes[1], fakes[2]]));
    expect(left).toHaveLength(5); // the first run's two, the new lib.cjs one, two fakes

    // A bound below what the run itself uses: every old entry goes, the run's stay.
    fs.rmSync(path.join(cacheDir, ".last-prune"));
    fs.writeFileSync(path.join(dir, "lib.cjs"), fs.readFileSync(path.join(dir, "lib.cjs"), "utf8").replace("x + x", "2 * x"));
    await record(dir, cacheDir, { CODETRACER_CACHE_MAX_MB: "0.001" });
    expect(entries(cacheDir)).toEqual(expect.arrayContaining(own));
    expect(entries(cacheDir)).toHaveLength(4);
  });

  it("a bad CODETRACER_CACHE_MAX_MB or CODETRACER_CACHE_MAX_AGE_DAYS is ERR_INVALID_POLICY_VALUE", async () => {
    const dir = project();
    for (const env of [{ CODETRACER_CACHE_MAX_MB: "lots" }, { CODETRACER_CACHE_MAX_AGE_DAYS: "0" }] as Array<Record<string, string>>) {
      const bad = await recordWithImport(path.join(dir, "app.mjs"), [], {
        cwd: dir,
        loader: REGISTER_URL,
        traceDir: freshTraceDir(),
        env: { CODETRACER_CACHE_DIR: makeTempDir("ct-cache-"), ...env },
      });
      expect(bad.code, describeRun(bad)).not.toBe(0);
      expect(bad.stderr).toContain("ERR_INVALID_POLICY_VALUE");
      expect(bad.stderr).toContain(Object.keys(env)[0]);
      expect(bad.stdout).toBe("");
    }
  });
});
