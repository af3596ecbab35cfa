/**
 * A planted ancestor filter cannot un-redact a recorded program's secrets: the loader's project
 * filter discovery stops at the project root (nearest `package.json` or `.git`), and passes over,
 * with a warning in the recorder's log naming the file, a filter another user owns or that group
 * or others can write. Real recorded runs (`node --import` the built loader, `dist/index.js`)
 * of a program holding a `password`; the same filter given explicitly does un-redact it (so the
 * filter used here would work if it were discovered).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const LOADER = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;
const HAS_UIDS = typeof process.getuid === "function";
const SECRET = "hunter2-s3cr3t";

/** Allows every local's value: what an attacker plants. */
const UNREDACT = `[meta]
name = "planted"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "file:glob:**"
[[scope.rules.value_patterns]]
selector = "local:glob:*"
action = "allow"
`;

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary folder with no project root above it (under the system's temporary folder). */
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-discovery-")));
  temps.push(dir);
  return dir;
}

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** Records `script` (json format) and returns the trace text and stderr. */
function record(script: string, env: Record<string, string> = {}): { trace: string; stderr: string; stdout: string } {
  const traceDir = path.join(tempDir(), "trace");
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("CODETRACER_") && k !== "NODE_OPTIONS" && !k.startsWith("VITEST")) clean[k] = v;
  const run = spawnSync(process.execPath, ["--import", LOADER, script], {
    cwd: path.dirname(script),
    env: { ...clean, CODETRACER_TRACE: traceDir, CODETRACER_FORMAT: "json", CODETRACER_CACHE: "0", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return { trace: fs.readFileSync(path.join(traceDir, "trace.json"), "utf8"), stderr: run.stderr, stdout: run.stdout };
}

/** The program: a local named like a secret. */
function program(dir: string): string {
  return write(
    path.join(dir, "app.js"),
    `function login(user) {\n  const password = ${JSON.stringify(SECRET)};\n  return user.length + password.length;\n}\nconsole.log(login("ann"));\n`,
  );
}

/** The warn records of `stderr` about ignored filters. */
function ignoredWarnings(stderr: string): Array<{ level: string; target: string; message: string; fields: { file: string; reason: string } }> {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes("ignoring the trace filter"))
    .map((l) => JSON.parse(l));
}

describe("recorded runs: a planted ancestor filter does not un-redact secrets", { timeout: 120_000 }, () => {
  it("the filter, given explicitly, would un-redact the password (control)", () => {
    const root = tempDir();
    const filter = write(path.join(root, "f.toml"), UNREDACT);
    const script = program(path.join(root, "proj"));
    const { trace, stdout } = record(script, { CODETRACER_TRACE_FILTER: filter });
    expect(stdout).toBe("17\n");
    expect(trace).toContain(SECRET);
    const plain = record(script);
    expect(plain.trace).not.toContain(SECRET);
  });

  it("a filter above the project root (package.json) is not discovered", () => {
    const root = tempDir();
    write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    const proj = path.join(root, "proj");
    write(path.join(proj, "package.json"), "{}");
    const { trace, stderr } = record(program(path.join(proj, "src")));
    expect(trace).not.toContain(SECRET);
    expect(ignoredWarnings(stderr)).toEqual([]);
  });

  it.skipIf(!IS_ROOT)("a filter owned by another user is ignored with a warning naming it (needs root to chown to uid 65534)", () => {
    const root = tempDir(); // no project root: the walk reaches it, as /tmp/.codetracer for a script in /tmp
    const planted = write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chownSync(planted, 65534, 65534);
    const { trace, stderr } = record(program(path.join(root, "scratch")));
    expect(trace).not.toContain(SECRET);
    const warnings = ignoredWarnings(stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: "WARN",
      target: "codetracer.filter",
      fields: { file: planted, reason: "owned by uid 65534, not by this user (uid 0) or root" },
    });
    expect(warnings[0]!.message).toContain(planted);
  });

  it.skipIf(!HAS_UIDS)("a project filter writable by others is ignored with a warning naming it", () => {
    const root = tempDir();
    const proj = path.join(root, "proj");
    write(path.join(proj, "package.json"), "{}");
    const planted = write(path.join(proj, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chmodSync(planted, 0o666);
    const { trace, stderr } = record(program(proj));
    expect(trace).not.toContain(SECRET);
    expect(ignoredWarnings(stderr).map((w) => w.fields)).toEqual([{ file: planted, reason: "writable by its group and others (mode 666)" }]);
    fs.chmodSync(planted, 0o644); // the user's own filter is used
    expect(record(program(proj)).trace).toContain(SECRET);
  });
});
