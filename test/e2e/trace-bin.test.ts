/**
 * `--format binary`: examples/plain-js/inventory.js (deterministic: same events on every run)
 * recorded through the CLI into trace.bin and into trace.json gives the same events, and the trace.bin folder validates (docs/trace-format.md, "trace.bin").
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTraceFolder, validateTraceFolder, type TraceLowLevelEvent } from "@codetracer/trace-format";
import { decodeEvents, parseSeekTable } from "@codetracer/trace-format/internal";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, describeRun, makeTempDir, recordWithCli, recordWithImport, runNode, type RunResult } from "../utils/run.js";

const SCRIPT = path.join(EXAMPLES, "plain-js/inventory.js");
let json: RunResult;
let bin: RunResult;

beforeAll(async () => {
  [json, bin] = await Promise.all([
    recordWithCli(SCRIPT, [], { cwd: REPO_ROOT, cliArgs: ["--format", "json"] }),
    recordWithCli(SCRIPT, [], { cwd: REPO_ROOT, cliArgs: ["--format", "binary"] }),
  ]);
});

afterAll(cleanupTempDirs);

/** The events of a trace folder (trace.json or trace.bin). */
function events(dir: string): TraceLowLevelEvent[] {
  return readTraceFolder(dir).events;
}

describe("--format binary (trace.bin)", () => {
  it("both runs succeed with the same output; each folder has only its own event file", () => {
    expect(json.code, describeRun(json)).toBe(0);
    expect(bin.code, describeRun(bin)).toBe(0);
    expect(bin.stdout).toBe(json.stdout);
    expect(fs.existsSync(path.join(bin.traceDir, "trace.bin"))).toBe(true);
    expect(fs.existsSync(path.join(bin.traceDir, "trace.json"))).toBe(false);
    expect(fs.existsSync(path.join(json.traceDir, "trace.json"))).toBe(true);
    expect(fs.existsSync(path.join(json.traceDir, "trace.bin"))).toBe(false);
  });

  it("trace.bin holds the same events as trace.json, and the same paths", () => {
    const fromBin = readTraceFolder(bin.traceDir);
    const fromJson = readTraceFolder(json.traceDir);
    expect(fromBin.format).toBe("bin");
    expect(fromJson.format).toBe("json");
    expect(events(bin.traceDir).length).toBeGreaterThan(100);
    expect(fromBin.events).toEqual(fromJson.events);
    expect(fromBin.paths).toEqual(fromJson.paths);
    expect(fromBin.metadata?.format).toBe("binary");
    const jsonBytes = fs.statSync(path.join(json.traceDir, "trace.json")).size;
    const binBytes = fs.statSync(path.join(bin.traceDir, "trace.bin")).size;
    expect(binBytes).toBeLessThan(jsonBytes / 4);
  });

  it("the trace.bin folder validates (entry steps as errors)", () => {
    const report = validateTraceFolder(bin.traceDir, { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("scripts/validate-trace.mjs accepts the trace.bin folder", () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/validate-trace.mjs"), bin.traceDir], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid trace/);
  });

  const hasZstdCli = spawnSync("sh", ["-c", "command -v zstd"]).status === 0;
  it.skipIf(!hasZstdCli)("`tail -c +9 trace.bin | zstd -d` decodes to the same CBOR events", () => {
    const file = path.join(bin.traceDir, "trace.bin");
    const cbor = execFileSync("sh", ["-c", `tail -c +9 '${file}' | zstd -d -c`]);
    expect(decodeEvents(cbor)).toEqual(readTraceFolder(json.traceDir).events);
  });
});

describe("trace.bin is the default format", () => {
  it("the CLI, the loader and the session API write trace.bin when no format is given", async () => {
    const noFormat = { CODETRACER_FORMAT: "" }; // what a user's environment has: nothing
    const [cli, loader] = await Promise.all([
      recordWithCli(SCRIPT, [], { cwd: REPO_ROOT, env: noFormat }),
      recordWithImport(SCRIPT, [], { cwd: REPO_ROOT, env: noFormat }),
    ]);
    for (const r of [cli, loader]) {
      expect(r.code, describeRun(r)).toBe(0);
      expect(fs.readdirSync(r.traceDir).sort()).toEqual(["trace.bin", "trace_metadata.json", "trace_paths.json"]);
      expect(validateTraceFolder(r.traceDir).errors).toEqual([]);
      expect(JSON.parse(fs.readFileSync(path.join(r.traceDir, "trace_metadata.json"), "utf8"))).toMatchObject({ format: "binary" });
    }
    // The session API: DEFAULT_FORMAT, unless CODETRACER_FORMAT says otherwise.
    const apiRun = (env: Record<string, string>) =>
      runNode(
        [
          "--import",
          "codetracer-js-recorder/register/instrument",
          "--input-type=module",
          "-e",
          `import { start, DEFAULT_FORMAT } from "codetracer-js-recorder"; const s = start(process.argv[1]); console.log(DEFAULT_FORMAT, s.format); s.stop();`,
          path.join(makeTempDir("ct-api-"), "t"),
        ],
        { cwd: REPO_ROOT, env },
      );
    const [api, apiJson] = await Promise.all([apiRun(noFormat), apiRun({ CODETRACER_FORMAT: "json" })]);
    expect(api.stdout, describeRun(api)).toBe("binary binary\n");
    expect(apiJson.stdout, describeRun(apiJson)).toBe("binary json\n");
  });
});

describe("frames are flushed by size and time, not per event-loop turn", () => {
  it("a program driven by setImmediate for 1 s writes at most one frame per 10 ms, and every event", async () => {
    const script = path.join(REPO_ROOT, "test/fixtures/flush/immediate-loop.js");
    const r = await recordWithCli(script, ["1000"], { cwd: REPO_ROOT, cliArgs: ["--format", "binary"] });
    expect(r.code, describeRun(r)).toBe(0);
    const turns = Number(/^turns (\d+) true$/m.exec(r.stdout)?.[1]);
    expect(turns).toBeGreaterThan(1000);
    const file = fs.readFileSync(path.join(r.traceDir, "trace.bin"));
    const { entries } = parseSeekTable(new Uint8Array(file.buffer, file.byteOffset + 8, file.length - 8));
    // One frame per turn would be `turns` frames; by time it is about 100 per second, plus the
    // frames of start-up and the last one.
    expect(entries.length).toBeLessThan(160);
    expect(entries.length).toBeLessThan(turns / 10);
    // Nothing is lost: each turn recorded its steps.
    const steps = events(r.traceDir).filter((e) => typeof e === "object" && "Step" in e).length;
    expect(steps).toBeGreaterThan(turns * 3);
  });
});

describe("CODETRACER_COMPRESS_THREAD=1: frames compressed on a thread of their own", () => {
  it("gives the same trace.bin, byte for byte, as compressing on the program's thread", async () => {
    // A synchronous program of ~30 MB of CBOR: frames end by size only, so both files have the
    // same frames; the compression thread starts after the first 4 MiB. Its one turn ends with a
    // flush by time (an unref'd immediate), which runs only if the event loop turns once more
    // before the exit: the compression thread keeps the loop alive, and so did Node's module
    // hooks thread while the loader used `module.register`; with `module.registerHooks`
    // (Node >= 22.15) nothing does, and the inline run would write the turn's last events and
    // the exit's as one frame. A pending timer gives both runs that turn.
    // (A static import: the ray tracer, an ES module, runs in the same turn as before.)
    const script = path.join(makeTempDir("ct-compress-"), "raytrace-then-wait.mjs");
    const raytrace = pathToFileURL(path.join(REPO_ROOT, "bench/programs/raytrace.js")).href;
    fs.writeFileSync(script, `import ${JSON.stringify(raytrace)};\nsetTimeout(() => {}, 20);\n`);
    const [inline, threaded] = await Promise.all([
      recordWithCli(script, ["14"], { cwd: REPO_ROOT, cliArgs: ["--format", "binary"], env: { CODETRACER_COMPRESS_THREAD: "0" } }),
      recordWithCli(script, ["14"], { cwd: REPO_ROOT, cliArgs: ["--format", "binary"], env: { CODETRACER_COMPRESS_THREAD: "1" } }),
    ]);
    expect(inline.code, describeRun(inline)).toBe(0);
    expect(threaded.code, describeRun(threaded)).toBe(0);
    expect(threaded.stdout).toBe(inline.stdout);
    const a = fs.readFileSync(path.join(inline.traceDir, "trace.bin"));
    const b = fs.readFileSync(path.join(threaded.traceDir, "trace.bin"));
    const frames = parseSeekTable(new Uint8Array(b.buffer, b.byteOffset + 8, b.length - 8)).entries.length;
    expect(frames).toBeGreaterThan(4);
    expect(b.equals(a)).toBe(true);
    expect(validateTraceFolder(threaded.traceDir, { entryStepRule: "error" }).errors).toEqual([]);
  });
});
