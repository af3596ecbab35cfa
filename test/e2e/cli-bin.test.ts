/**
 * The `codetracer-js-recorder` command as the README runs it in a clone of the repository:
 * `npx codetracer-js-recorder` after `npm install` (npm links the command from the committed
 * `packages/cli/bin/` shim, which exists before the build).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, cleanupTempDirs, makeTempDir } from "../utils/run.js";

afterAll(cleanupTempDirs);

describe("npx codetracer-js-recorder in the repository", () => {
  it("is linked by npm install and records a program", () => {
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "packages/cli/package.json"), "utf8")) as { version: string }).version;
    const v = spawnSync("npx", ["--no-install", "codetracer-js-recorder", "--version"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(version);
    const dir = path.join(makeTempDir(), "trace");
    const r = spawnSync("npx", ["--no-install", "codetracer-js-recorder", "--trace-dir", dir, "examples/plain-js/inventory.js"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(true);
  });
});
