/**
 * `codetracer-trace validate` and `codetracer-trace inspect` (docs/commands.md, issue 18) on
 * real recordings made through the built CLI: examples/ts-app in both formats, a program with
 * worker threads, one with a child process, a recording killed with SIGKILL (unfinished), and
 * broken folders (not a trace, a corrupt or truncated trace.bin, a listed worker folder gone,
 * a trace.json with many errors). Figures are checked against the events as readTraceFolder
 * reads them, and against what the program does. Build trace-format, runtime, register and
 * cli first (`npm run build` in packages/cli builds its references).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readTraceFolder, type TraceLowLevelEvent } from "@codetracer/trace-format";
import type { ValidateResult } from "../src/trace/validate.js";
import type { InspectResult } from "../src/trace/inspect.js";
import { cleanEnv } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../../..");
const CLI_MAIN = path.resolve(HERE, "../dist/main.js");
const TRACE_MAIN = path.resolve(HERE, "../dist/trace/main.js");
const REGISTER = pathToFileURL(path.resolve(HERE, "../dist/register.js")).href;
const TS_APP = path.join(REPO_ROOT, "examples/ts-app/src/main.ts");
const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
const RTCLI = [process.env.CODETRACER_RTCLI, path.resolve(REPO_ROOT, "../shared/tools/codetracer-reader/rtcli")].find(
  (file): file is string => typeof file === "string" && fs.existsSync(file),
);

// Each case records or runs node processes: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-trace-cmd-")));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Records `script` with the built CLI into `root/name`; returns the folder. */
function record(name: string, script: string, args: string[] = []): string {
  const dir = path.join(root, name);
  const r = spawnSync(process.execPath, [CLI_MAIN, "--trace-dir", dir, ...args, script], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return dir;
}

/** Runs `codetracer-trace ...argv` (the built bin). */
function trace(argv: string[], cwd = root): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [TRACE_MAIN, ...argv], { cwd, env: cleanEnv(), encoding: "utf8", timeout: 60_000 });
}

function validateJson(dir: string): { r: SpawnSyncReturns<string>; result: ValidateResult } {
  const r = trace(["validate", dir, "--json"]);
  return { r, result: JSON.parse(r.stdout) as ValidateResult };
}

function inspectJson(dir: string): InspectResult {
  const r = trace(["inspect", dir, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as InspectResult;
}

function kindOf(event: TraceLowLevelEvent): string {
  return typeof event === "string" ? event : Object.keys(event)[0]!;
}

/** What inspect must say, computed here from the events independently of the command's code. */
function expected(dir: string) {
  const { events, paths } = readTraceFolder(dir);
  const byKind: Record<string, number> = {};
  const stepsByPath = new Map<number, number>();
  const functions: Array<{ name: string; path_id: number; line: number }> = [];
  const calls = new Map<number, number>();
  const steps = new Map<number, number>();
  const stack: number[] = [];
  for (const e of events) {
    byKind[kindOf(e)] = (byKind[kindOf(e)] ?? 0) + 1;
    if (typeof e === "string") continue;
    if ("Function" in e) functions.push(e.Function);
    if ("Call" in e) {
      calls.set(e.Call.function_id, (calls.get(e.Call.function_id) ?? 0) + 1);
      stack.push(e.Call.function_id);
    }
    if ("Return" in e) stack.pop();
    if ("Step" in e) {
      stepsByPath.set(e.Step.path_id, (stepsByPath.get(e.Step.path_id) ?? 0) + 1);
      const top = stack[stack.length - 1];
      if (top !== undefined) steps.set(top, (steps.get(top) ?? 0) + 1);
    }
  }
  const ranked = (m: Map<number, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 10)
      .map(([id, n]) => ({ id, name: functions[id]!.name, n }));
  return { events, paths: paths ?? [], byKind, stepsByPath, byCalls: ranked(calls), bySteps: ranked(steps), calls, steps, functions };
}

describe.each(["binary", "json"] as const)("examples/ts-app recorded as %s", (format) => {
  let dir: string;
  beforeAll(() => {
    dir = record(`ts-app-${format}`, TS_APP, format === "json" ? ["--format", "json"] : []);
  });

  it("validate: exit 0, `ok  DIR — valid trace, N events` with N the events read", () => {
    const n = readTraceFolder(dir).events.length;
    const r = trace(["validate", dir]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(r.stdout.split("\n")[0] + "\n"); // one folder, one line
    expect(r.stdout).toMatch(new RegExp(`^ok  ${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} — valid trace, ${n.toLocaleString("en-US")} events \\(`));
    if (RTCLI) {
      const rt = spawnSync(RTCLI, ["read", dir], { encoding: "utf8" });
      expect(rt.stdout).toContain(`events: ${n}`);
    }
  });

  it("validate --json: the documented shape, figures of the trace", () => {
    const { r, result } = validateJson(dir);
    expect(r.status).toBe(0);
    const { events, byKind } = expected(dir);
    expect(result.version).toBe(1);
    expect(result.valid).toBe(true);
    expect(result.folders).toHaveLength(1);
    const f = result.folders[0]!;
    expect(f).toMatchObject({ dir, kind: "main", id: null, format, finished: true, valid: true, events: events.length, errors: [], suppressed: {} });
    expect(f.stats).toMatchObject({
      events: events.length,
      steps: byKind.Step,
      calls: byKind.Call,
      returns: byKind.Return,
      paths: 2,
      functions: byKind.Function,
    });
  });

  it("inspect --json: events by kind, files and top functions equal the trace's; the program's figures", () => {
    const got = inspectJson(dir);
    const want = expected(dir);
    expect(got.version).toBe(1);
    const recordedMs = (JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as { duration_ms: number }).duration_ms;
    expect(recordedMs).toBeGreaterThan(0);
    expect(got).toMatchObject({
      dir,
      finished: true,
      partial: false,
      program: TS_APP,
      args: [],
      workdir: REPO_ROOT,
      exitStatus: { code: 0, label: null },
      durationMs: recordedMs,
    });
    expect(got.recorder).toEqual({ name: "codetracer-js-recorder", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(got.format).toBe(format);
    expect(got.eventsFile).toBe(format === "json" ? "trace.json" : "trace.bin");
    expect(got.eventsBytes).toBe(fs.statSync(path.join(dir, got.eventsFile)).size);
    const files = fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).size);
    expect(got.traceBytes).toBe(files.reduce((a, b) => a + b, 0));
    expect(got.events.total).toBe(want.events.length);
    expect(got.events.byKind).toEqual(want.byKind);
    expect(Object.keys(got.events.byKind).slice(0, 4)).toEqual(["Step", "Call", "Return", "Value"]);
    expect(got.files).toEqual(want.paths.map((p, i) => ({ path: p, steps: want.stepsByPath.get(i) ?? 0 })));
    expect(got.files.map((f) => path.basename(f.path))).toEqual(["main.ts", "store.ts"]);
    expect(got.threads).toEqual([{ dir, kind: "main", id: null, events: want.events.length, finished: true }]);
    expect(got.topFunctions.byCalls.map((f) => [f.id, f.name, f.calls])).toEqual(want.byCalls.map((f) => [f.id, f.name, f.n]));
    expect(got.topFunctions.bySteps.map((f) => [f.id, f.name, f.steps])).toEqual(want.bySteps.map((f) => [f.id, f.name, f.n]));
    // What the program does: 3 products + 3 reviews + 1 rejected duplicate added; 3 priorities; 4 prices formatted.
    const calls = (name: string) => got.topFunctions.byCalls.find((f) => f.name === name)?.calls;
    expect(calls("Repository.add")).toBe(7);
    expect(calls("formatCents")).toBe(4);
    expect(calls("priorityFor")).toBe(3);
    expect(got.topFunctions.bySteps[0]!.name).toBe("main");
    const add = got.topFunctions.byCalls.find((f) => f.name === "Repository.add")!;
    expect(path.basename(add.path)).toBe("store.ts");
    expect(got.traceFilter).toEqual({
      filters: [{ name: "builtin-default", path: "<inline:builtin-default>" }],
      scopesSkipped: 0,
      redacted: 0,
      redactions: { argument: 0, local: 0, global: 0, return: 0, attribute: 0 },
      dropped: 0,
      drops: { argument: 0, local: 0, global: 0, return: 0, attribute: 0 },
    });
  });

  it("inspect: the text output", () => {
    const r = trace(["inspect", dir]);
    expect(r.status, r.stderr).toBe(0);
    const n = readTraceFolder(dir).events.length;
    expect(r.stdout).toMatch(/^ {2}program {5}examples\/ts-app\/src\/main\.ts$/m);
    expect(r.stdout).toMatch(/^ {2}exit {8}0$/m);
    expect(r.stdout).toMatch(/^ {2}duration {4}\d+(?:\.\d+)? (?:ms|s)\b/m); // the session's duration_ms
    expect(r.stdout).toMatch(/^ {2}recorder {4}codetracer-js-recorder \d/m);
    expect(r.stdout).toContain(`events: ${n.toLocaleString("en-US")}`);
    expect(r.stdout).toMatch(/^ {2}examples\/ts-app\/src\/store\.ts +\d+ {2}steps$/m);
    expect(r.stdout).toMatch(/^ +7 +\d+ {2}Repository\.add +examples\/ts-app\/src\/store\.ts:\d+$/m);
    expect(r.stdout).toContain("trace filter: builtin-default");
    expect(r.stdout).toContain("values redacted: 0");
  });
});

describe("trace filter counts", () => {
  it("inspect gives the redactions of a program with secrets, by kind, as the metadata has them", () => {
    const dir = record("secrets", path.join(FIXTURES, "trace-filter/secrets/cjs.js"));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as {
      trace_filter: { stats: { scopes_skipped: number; value_redactions: Record<string, number>; value_drops: Record<string, number> } };
    };
    const byKind = meta.trace_filter.stats.value_redactions;
    const total = Object.values(byKind).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    const got = inspectJson(dir);
    expect(got.traceFilter).toMatchObject({
      redacted: total,
      redactions: byKind,
      drops: meta.trace_filter.stats.value_drops,
      scopesSkipped: meta.trace_filter.stats.scopes_skipped,
    });
    const detail = Object.entries(byKind)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    expect(trace(["inspect", dir]).stdout).toContain(`values redacted: ${total} (${detail})`);
    // The functions of the program are the ones listed.
    expect(got.topFunctions.byCalls.map((f) => f.name)).toEqual(expect.arrayContaining(["getSecret", "Client.charge"]));
  });
});

describe("worker threads and child processes", () => {
  it("validate and inspect list the workers/<id> folders with their events", () => {
    const dir = record("workers", path.join(FIXTURES, "workers/nested-main.mjs"));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as { workers: string[] };
    expect(meta.workers.length).toBeGreaterThanOrEqual(2);
    const { r, result } = validateJson(dir);
    expect(r.status).toBe(0);
    expect(result.folders.map((f) => [f.dir, f.kind, f.valid])).toEqual([[dir, "main", true], ...meta.workers.map((w) => [path.join(dir, w), "worker", true])]);
    for (const f of result.folders) {
      expect(f.events).toBe(readTraceFolder(path.resolve(root, f.dir)).events.length);
      if (RTCLI) expect(spawnSync(RTCLI, ["read", f.dir], { encoding: "utf8" }).stdout).toContain(`events: ${f.events}`);
    }
    expect(result.folders.slice(1).map((f) => f.id)).toEqual(meta.workers.map((w) => Number(path.basename(w))));
    const text = trace(["validate", dir]);
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + meta.workers.length);
    expect(lines[1]).toMatch(new RegExp(`^ok  .*/workers/(\\d+) \\(worker thread \\1\\) — valid trace, \\d+ events`));

    const got = inspectJson(dir);
    expect(got.threads.map((t) => [t.kind, t.dir, t.events])).toEqual([
      ["main", dir, readTraceFolder(dir).events.length],
      ...meta.workers.map((w) => ["worker", path.join(dir, w), readTraceFolder(path.join(dir, w)).events.length]),
    ]);
    expect(trace(["inspect", dir]).stdout).toMatch(/^ {2}worker \d+ +\S+\/workers\/\d+ +\d+ events$/m);
  });

  it("children/<pid> folders are validated and counted too", () => {
    const dir = record("children", path.join(FIXTURES, "child-processes/fork-main.cjs"));
    const { r, result } = validateJson(dir);
    expect(r.status).toBe(0);
    expect(result.folders.map((f) => f.kind)).toEqual(["main", "child"]);
    const child = result.folders[1]!;
    expect(child.dir).toMatch(/\/children\/\d+$/);
    expect(child.id).toBe(Number(path.basename(child.dir)));
    expect(trace(["validate", dir]).stdout).toMatch(/\/children\/(\d+) \(child process \1\) — valid trace/);
    expect(inspectJson(dir).threads[1]).toMatchObject({ kind: "child", id: child.id, events: readTraceFolder(child.dir).events.length });
  });

  it("a worker folder the metadata lists but that is gone: exit 1, missing-sub-folder", () => {
    const src = path.join(root, "workers");
    const dir = path.join(root, "workers-gone");
    fs.cpSync(src, dir, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as { workers: string[] };
    fs.rmSync(path.join(dir, meta.workers[0]!), { recursive: true });
    const { r, result } = validateJson(dir);
    expect(r.status).toBe(1);
    expect(result.valid).toBe(false);
    expect(result.folders[1]).toMatchObject({ kind: "worker", valid: false, errors: [{ code: "missing-sub-folder" }] });
    expect(trace(["validate", dir]).stdout).toMatch(/^INVALID  .*workers\/\d+ \(worker thread \d+\) — .*listed in the metadata .* but no such folder$/m);
  });
});

describe("an unfinished recording (killed with SIGKILL)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(root, "killed");
    const script = path.join(FIXTURES, "crash/wait-forever.js");
    const child = spawn(process.execPath, ["--import", REGISTER, script], {
      cwd: REPO_ROOT,
      env: cleanEnv({ CODETRACER_TRACE: dir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" in time: ${out}`)), 30_000);
      child.stdout!.setEncoding("utf8").on("data", (s: string) => {
        out += s;
        if (/^ready$/m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The events of the turn that printed "ready" reach trace.bin once a whole frame is flushed: wait for it.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const bin = path.join(dir, "trace.bin");
      if (fs.existsSync(bin) && fs.statSync(bin).size > 8) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "trace_metadata.pending.json"))).toBe(true);
  }, 60_000);

  it("validate: exit 1, `unfinished recording (…): run codetracer-js-recorder --repair DIR`", () => {
    const r = trace(["validate", dir]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^INVALID  \\S+ — unfinished recording \\((\\d+) complete events written(, the last step at \\S+wait-forever\\.js:\\d+)?\\): run codetracer-js-recorder --repair ${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\n$`,
      ),
    );
    const { result } = validateJson(dir);
    expect(result.folders[0]).toMatchObject({ finished: false, valid: false, stats: null, errors: [{ code: "unfinished-recording" }] });
  });

  it("inspect: says so, and gives the figures of the whole events written", () => {
    const got = inspectJson(dir);
    expect(got).toMatchObject({ finished: false, exitStatus: null, program: path.join(FIXTURES, "crash/wait-forever.js") });
    const r = trace(["inspect", dir]);
    expect(r.stdout.split("\n")[0]).toBe(`${dir}  (unfinished recording: run codetracer-js-recorder --repair ${dir})`);
    expect(r.stdout).toMatch(/^ {2}exit {8}unknown \(the recording did not finish\)$/m);
  });

  it("after the --repair the message gives, validate passes and inspect counts what validate counts", () => {
    const copy = path.join(root, "killed-repaired");
    fs.cpSync(dir, copy, { recursive: true });
    const repair = spawnSync(process.execPath, [CLI_MAIN, "--repair", copy], { env: cleanEnv(), encoding: "utf8" });
    expect(repair.status, repair.stderr).toBe(0);
    const { r, result } = validateJson(copy);
    expect(r.status, r.stdout).toBe(0);
    const got = inspectJson(copy);
    expect(got.partial).toBe(true);
    expect(got.events.total).toBe(result.folders[0]!.events);
    expect(got.topFunctions.byCalls.find((f) => f.name === "square")?.calls).toBe(5);
    expect(got.topFunctions.byCalls.find((f) => f.name === "work")?.calls).toBe(1);
  });
});

describe("folders that are not traces, broken traces", () => {
  it("a folder without trace.bin or trace.json: exit 2, names what is missing", () => {
    const empty = path.join(root, "empty");
    fs.mkdirSync(empty);
    for (const command of ["validate", "inspect"]) {
      const r = trace([command, empty]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`codetracer-trace: ${empty}: not a trace folder: it has neither trace.bin nor trace.json\n`);
    }
  });

  it("a folder of trace folders: exit 2, lists them; a missing folder, a file: exit 2", () => {
    const r = trace(["validate", "."], root);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a trace folder: it has neither trace\.bin nor trace\.json; it holds trace folders: .*ts-app-binary/);
    expect(trace(["validate", path.join(root, "nowhere")]).stderr).toMatch(/nowhere: no such folder/);
    expect(trace(["inspect", path.join(root, "ts-app-json/trace.json")]).status).toBe(2);
    expect(trace(["validate"]).status).toBe(2);
    expect(trace(["validate", "--bogus", path.join(root, "ts-app-json")]).status).toBe(2);
  });

  it("a corrupt trace.bin: validate exit 1 (invalid-trace-bin), inspect exit 1 with the reader's message", () => {
    const dir = path.join(root, "corrupt");
    fs.cpSync(path.join(root, "ts-app-binary"), dir, { recursive: true });
    const file = path.join(dir, "trace.bin");
    const bytes = fs.readFileSync(file);
    for (let i = 100; i < 160; i++) bytes[i] = bytes[i]! ^ 0x5a;
    fs.writeFileSync(file, bytes);
    const { r, result } = validateJson(dir);
    expect(r.status).toBe(1);
    expect(result.folders[0]!.errors.map((e) => e.code)).toEqual(["invalid-trace-bin"]);
    expect(result.folders[0]!.events).toBeNull();
    const text = trace(["validate", dir]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/^INVALID  \S+ — 1 problem\n {2}error: invalid-trace-bin: \S+trace\.bin: /);
    const ins = trace(["inspect", dir]);
    expect(ins.status).toBe(1);
    expect(ins.stderr).toMatch(/^codetracer-trace: cannot read the events: \S+trace\.bin: /);
  });

  it("a truncated trace.bin (its metadata says finished): exit 1", () => {
    const dir = path.join(root, "truncated");
    fs.cpSync(path.join(root, "ts-app-binary"), dir, { recursive: true });
    const file = path.join(dir, "trace.bin");
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    expect(trace(["validate", dir]).status).toBe(1);
    expect(trace(["validate", dir]).stdout).toMatch(/invalid-trace-bin/);
    const ins = trace(["inspect", dir]);
    expect(ins.status).toBe(1);
    expect(ins.stderr).toMatch(
      /^codetracer-trace: cannot read the events: \S+trace\.bin ends early: \d+ whole events, then \d+ bytes that do not make a whole event \(the folder's trace_metadata\.json says the recording finished/,
    );
  });

  it("a trace.bin of a newer format version: says so (exit 1)", () => {
    const dir = path.join(root, "newer");
    fs.cpSync(path.join(root, "ts-app-binary"), dir, { recursive: true });
    const file = path.join(dir, "trace.bin");
    const bytes = fs.readFileSync(file);
    bytes[5] = 2;
    fs.writeFileSync(file, bytes);
    const note = "trace.bin is of a newer format (Binary v2) than this codetracer-trace reads (v1): update codetracer-js-recorder";
    const v = trace(["validate", dir]);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain(`error: invalid-trace-bin: ${note}`);
    const i = trace(["inspect", dir]);
    expect(i.status).toBe(1);
    expect(i.stderr).toContain(`cannot read the events: ${note}`);
  });

  it("a trace.json over what the validator can read whole (540 MB): says so, no crash (exit 1)", () => {
    const dir = path.join(root, "too-big");
    fs.cpSync(path.join(root, "ts-app-json"), dir, { recursive: true });
    const file = path.join(dir, "trace.json");
    fs.truncateSync(file, 0);
    fs.truncateSync(file, 540_000_000); // sparse: no disk used; V8 strings end at 536,870,888 characters
    try {
      const r = trace(["validate", dir]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^ {2}error: io-error: trace\.json \(540000000 bytes\) is too large for the validator, which reads it whole/m);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("a path with spaces and non-ASCII names; the --repair hint quotes it", () => {
    const dir = path.join(root, "a dir é", "трасса 1");
    fs.cpSync(path.join(root, "ts-app-binary"), dir, { recursive: true });
    const v = trace(["validate", dir]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^ok {2}.*a dir é\/трасса 1 — valid trace/);
    expect(inspectJson(dir).events.total).toBe(readTraceFolder(dir).events.length);
    const killed = path.join(root, "a dir é", "killed ü");
    fs.cpSync(path.join(root, "killed"), killed, { recursive: true });
    const u = trace(["validate", "killed ü"], path.join(root, "a dir é"));
    expect(u.status).toBe(1);
    expect(u.stdout).toMatch(/: run codetracer-js-recorder --repair 'killed ü'\n$/);
  });

  it("more than 20 problems: 20 shown, then the count of the rest", () => {
    const dir = path.join(root, "many-errors");
    fs.cpSync(path.join(root, "ts-app-json"), dir, { recursive: true });
    const file = path.join(dir, "trace.json");
    const text = fs.readFileSync(file, "utf8").trimEnd();
    expect(text.endsWith("]")).toBe(true);
    const extra = Array.from({ length: 30 }, () => ',\n{"Return":{"return_value":{"kind":"None","type_id":0}}}').join("");
    fs.writeFileSync(file, `${text.slice(0, -1).trimEnd()}${extra}\n]\n`);
    const r = trace(["validate", dir]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    const { result } = validateJson(dir);
    const issues = result.folders[0]!.errors.length + result.folders[0]!.warnings.length;
    expect(issues).toBeGreaterThanOrEqual(30);
    expect(lines[0]).toMatch(/^INVALID  \S+ — \d+ problems in \d+ events$/);
    expect(lines.slice(1, 21).every((l) => /^ {2}(error|warning): [a-z-]+: /.test(l))).toBe(true);
    expect(lines[21]).toBe(`  … and ${issues - 20} more (--json lists up to 100 of each kind)`);
    expect(lines).toHaveLength(22);
  });
});

describe("scripts/validate-trace.mjs", () => {
  it("runs the same validator: same output and exit code as `codetracer-trace validate`", () => {
    for (const dir of [path.join(root, "ts-app-binary"), path.join(root, "corrupt"), path.join(root, "empty")]) {
      const script = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/validate-trace.mjs"), dir], { env: cleanEnv(), encoding: "utf8" });
      const command = trace(["validate", dir]);
      expect([script.status, script.stdout, script.stderr]).toEqual([command.status, command.stdout, command.stderr]);
    }
  });
});
