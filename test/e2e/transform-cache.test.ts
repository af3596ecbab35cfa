/**
 * The transform cache: a second run of unchanged files uses what the first run compiled (ES
 * modules on the hooks thread, CommonJS on the main thread), records the same trace, and misses
 * when the source, the trace filter or `CODETRACER_CACHE=0` says so. Fixtures:
 * `test/fixtures/transform-cache/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, REGISTER_URL, cleanupTempDirs, describeRun, makeTempDir, recordWithImport, type RunResult } from "../utils/run.js";

afterAll(cleanupTempDirs);

/** A copy of the fixture project (the tests edit its files). */
function project(): string {
  const dir = makeTempDir("ct-cache-project-");
  for (const f of ["app.mjs", "lib.cjs"]) fs.copyFileSync(path.join(FIXTURES, "transform-cache", f), path.join(dir, f));
  return dir;
}

function entries(cacheDir: string): string[] {
  return fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json")).sort() : [];
}

async function record(dir: string, cacheDir: string, env: Record<string, string> = {}): Promise<RunResult> {
  const run = await recordWithImport(path.join(dir, "app.mjs"), [], { cwd: dir, loader: REGISTER_URL, env: { CODETRACER_FORMAT: "json", CODETRACER_CACHE_DIR: cacheDir, ...env } });
  expect(run.code, describeRun(run)).toBe(0);
  return run;
}

/** Marks every cached entry: the cached code prints a line first, so a run shows whether it used them. */
function markEntries(cacheDir: string): void {
  for (const f of entries(cacheDir)) {
    const file = path.join(cacheDir, f);
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as { code: string };
    entry.code = `console.log("from cache ${f.slice(0, 8)}");\n${entry.code}`;
    fs.writeFileSync(file, JSON.stringify(entry));
  }
}

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
    fs.writeFileSync(filter, '[meta]\nname = "skip-main"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n\n[[scope.rules]]\nselector = "obj:main"\nexec = "skip"\n');
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
