/**
 * The CLI's summary line after a recorded run (docs/commands.md "After every run"): one line on
 * stderr, after everything the program wrote, whose figures are those of the folder on disk;
 * `--quiet` and `CODETRACER_QUIET=1` turn it off. The program's own output is unchanged.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readMetadata } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  EXAMPLES,
  FIXTURES,
  REPO_ROOT,
  childEnv,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  recordWithCli,
  recordWithImport,
  runNode,
  runPlain,
} from "../utils/run.js";

const APP = path.join(EXAMPLES, "ts-app/src/main.ts");
const SECRET = path.join(FIXTURES, "summary/secret-exit.js");
/** Compiles TypeScript without recording: the plain run of a .ts program. */
const COMPILE_ONLY = path.join(REPO_ROOT, "packages/register/dist/compile-only.js");
const LINE = /^codetracer: (.+) — ([\d,]+) events, ([\d.]+) (B|kB|MB|GB) (trace\.bin|trace\.json), ([\d.]+) s, (exit \d+|killed by SIG\w+)(?:, (.*))?$/;
/** The summary on (the suites' default environment turns it off). */
const ON = { CODETRACER_QUIET: "", CODETRACER_FORMAT: "" };

afterAll(cleanupTempDirs);

function summaryOf(stderr: string): RegExpExecArray {
  const lines = stderr.trimEnd().split("\n");
  const match = LINE.exec(lines.at(-1)!);
  expect(match, stderr).not.toBeNull();
  return match!;
}

describe("the summary line of codetracer-js-recorder", () => {
  it("says where the trace went, its events, size, time and exit, as the folder on disk has them; stdout is the plain run's", async () => {
    const traceDir = freshTraceDir();
    const r = await recordWithCli(APP, [], { env: ON, traceDir });
    expect(r.code, describeRun(r)).toBe(0);
    const plain = await runNode(["--require", COMPILE_ONLY, APP]);
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    const m = summaryOf(r.stderr);
    expect(m[1]).toBe(`${traceDir}${path.sep}`);
    const meta = readMetadata(traceDir)!;
    expect(Number(m[2]!.replace(/,/g, ""))).toBe((meta.stats as { events: number }).events);
    expect(m[5]).toBe("trace.bin");
    const bytes = fs.statSync(path.join(traceDir, "trace.bin")).size;
    const shown = Number(m[3]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[4] as "B"];
    expect(Math.abs(shown - bytes)).toBeLessThanOrEqual(m[4] === "B" ? 0 : 0.05 * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[4] as "B"]);
    expect(Number(m[6])).toBeGreaterThan(0);
    expect(m[7]).toBe("exit 0");
    expect(m[8]).toBeUndefined();
    // Only that line on stderr: the program writes nothing there.
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("counts the values the trace filter redacted, and gives the program's exit code", async () => {
    const traceDir = freshTraceDir();
    const r = await recordWithCli(SECRET, [], { env: { ...ON, CODETRACER_FORMAT: "json" }, traceDir });
    const plain = await runPlain(SECRET);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(plain.stdout);
    const m = summaryOf(r.stderr);
    expect(m[5]).toBe("trace.json");
    expect(m[7]).toBe("exit 3");
    const redactions = (readMetadata(traceDir) as unknown as { trace_filter: { stats: { value_redactions: Record<string, number> } } }).trace_filter.stats
      .value_redactions;
    const redacted = Object.values(redactions).reduce((a, b) => a + b, 0);
    expect(redacted).toBeGreaterThan(0);
    expect(m[8]).toBe(`${redacted} values redacted`);
  });

  it("is not printed with --quiet or CODETRACER_QUIET=1", async () => {
    for (const run of [
      () => recordWithCli(SECRET, [], { env: ON, cliArgs: ["--quiet"] }),
      () => recordWithCli(SECRET, [], { env: { ...ON, CODETRACER_QUIET: "1" } }),
    ]) {
      const r = await run();
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("");
    }
  });
});

describe("the summary line under the loader (node --import)", () => {
  it("is printed only with CODETRACER_SUMMARY=1; by default stderr is the plain run's", async () => {
    const plain = await runPlain(SECRET);
    const quiet = await recordWithImport(SECRET, [], { env: ON });
    expect(quiet.code).toBe(3);
    expect(quiet.stdout).toBe(plain.stdout);
    expect(quiet.stderr).toBe(plain.stderr);
    const traceDir = freshTraceDir();
    const loud = await recordWithImport(SECRET, [], { env: { ...ON, CODETRACER_SUMMARY: "1" }, traceDir });
    expect(loud.code).toBe(3);
    const m = summaryOf(loud.stderr);
    expect(m[1]).toBe(`${traceDir}${path.sep}`);
    expect(Number(m[2]!.replace(/,/g, ""))).toBe((readMetadata(traceDir)!.stats as { events: number }).events);
    expect(m[7]).toBe("exit 3");
  });

  it("is printed once under the CLI with CODETRACER_SUMMARY=1 (by the CLI)", async () => {
    const r = await recordWithCli(SECRET, [], { env: { ...ON, CODETRACER_SUMMARY: "1" } });
    expect(r.stderr.split("\n").filter((line) => line.startsWith("codetracer: "))).toHaveLength(1);
  });
});

/** util-linux's `script`, which runs a command on a pseudo-terminal (a terminal for stderr). */
const SCRIPT = ["/usr/bin/script", "/bin/script"].find((file) => fs.existsSync(file));

describe("the progress line on a terminal", () => {
  it.skipIf(!SCRIPT)("shows events and MB during a long run, erased before every line the program prints, then the summary", () => {
    const ticks = path.join(FIXTURES, "summary/ticks.js");
    const traceDir = freshTraceDir();
    const command = [process.execPath, CLI_MAIN, "--trace-dir", traceDir, ticks].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const r = spawnSync(SCRIPT!, ["-qec", command, "/dev/null"], {
      env: childEnv({ CODETRACER_QUIET: "", CODETRACER_FORMAT: "" }),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    const erase = "\r\x1b[2K";
    expect(out).toMatch(/codetracer: recording — [\d,]+ events, [\d.]+ MB/);
    // Each line of the program starts a line of the terminal: after a newline, or after the erase of the progress line.
    for (let k = 1; k <= 4; k++) {
      const at = out.indexOf(`tick ${k}`);
      expect(at, `tick ${k} in ${JSON.stringify(out)}`).toBeGreaterThanOrEqual(0);
      const before = out.slice(Math.max(0, at - erase.length), at);
      expect(at === 0 || before.endsWith("\n") || before === erase, JSON.stringify(out.slice(Math.max(0, at - 80), at + 8))).toBe(true);
    }
    // Last, the summary, over an erased line.
    const last = out.trimEnd().split("\n").at(-1)!;
    expect(last.startsWith(`${erase}codetracer: `), JSON.stringify(last)).toBe(true);
    expect(last).toMatch(/ — [\d,]+ events, .* exit 0\r?$/);
  });

  it("is not drawn when stderr is not a terminal", async () => {
    const r = await recordWithCli(path.join(FIXTURES, "summary/ticks.js"), [], { env: ON });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("recording —");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
