/**
 * Wrong usage and failures: the CLI's exit codes and messages, an unwritable trace directory,
 * and a TypeScript syntax error in a recorded file (the trace left behind must not pass for a
 * successful recording).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { readMetadata } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REGISTER_URL,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  makeTempDir,
  recordWithCli,
  recordWithImport,
  runNode,
  type RunResult,
} from "../utils/run.js";
import { TraceQuery, formatIssues } from "../utils/trace.js";

const PRINT_ARGS = path.join(FIXTURES, "print-args.js");

afterAll(cleanupTempDirs);

describe("CLI usage errors", () => {
  it("a missing script: exit 2, the message names the file, nothing is recorded", async () => {
    const cwd = makeTempDir();
    const traceDir = freshTraceDir();
    const r = await recordWithCli("no-such-script.js", [], { cwd, traceDir });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain("no-such-script.js");
    expect(r.stdout).toBe("");
    expect(fs.existsSync(traceDir)).toBe(false);
  });

  it("no script at all: exit 2 and a usage message", async () => {
    const r = await runNode([CLI_MAIN, "--trace-dir", freshTraceDir()]);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/SCRIPT/);
  });

  it("an unknown option: exit 2, the option is named, the script does not run", async () => {
    const r = await recordWithCli(PRINT_ARGS, [], { cliArgs: ["--no-such-option"] });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain("--no-such-option");
    expect(r.stdout).toBe("");
  });

  it("--format binary: the script runs and trace.bin (not trace.json) is written", async () => {
    const traceDir = freshTraceDir();
    const r = await recordWithCli(PRINT_ARGS, ["hello"], { cliArgs: ["--format", "binary"], traceDir });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toContain("hello");
    expect(fs.existsSync(path.join(traceDir, "trace.bin"))).toBe(true);
    expect(fs.existsSync(path.join(traceDir, "trace.json"))).toBe(false);
  });

  it("an unknown --format value: exit 2", async () => {
    const r = await recordWithCli(PRINT_ARGS, [], { cliArgs: ["--format", "xml"] });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain("xml");
    expect(r.stdout).toBe("");
  });
});

describe("an unwritable trace directory (its parent is a regular file)", () => {
  const blockedDir = (): string => {
    const file = path.join(makeTempDir(), "regular-file");
    fs.writeFileSync(file, "not a directory\n");
    return path.join(file, "trace");
  };

  it("CLI: non-zero exit, the message names the directory, the script does not run", async () => {
    const traceDir = blockedDir();
    const r = await recordWithCli(PRINT_ARGS, ["x"], { traceDir });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.stderr).toContain(traceDir);
    expect(r.stderr).toContain("ERR_TRACE_DIR_CREATE_FAILED");
    expect(r.stdout).toBe("");
  });

  it("--trace-dir naming an existing regular file: non-zero exit naming it", async () => {
    const file = path.join(makeTempDir(), "a-file");
    fs.writeFileSync(file, "");
    const r = await recordWithCli(PRINT_ARGS, [], { traceDir: file });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(r.stdout).toBe("");
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });

  it("node --import: non-zero exit, the message names the directory, the script does not run", async () => {
    const traceDir = blockedDir();
    const r = await recordWithImport(PRINT_ARGS, ["x"], { traceDir, cwd: makeTempDir(), loader: REGISTER_URL });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.stderr).toContain(traceDir);
    expect(r.stdout).toBe("");
  });
});

describe("a syntax error in a recorded .ts file", () => {
  /** A project whose entry imports a module with a syntax error on line 3, column 12. */
  function brokenProject(): { dir: string; main: string; helper: string; bad: string } {
    const dir = makeTempDir("ct-syntax-");
    const main = path.join(dir, "main.ts");
    const helper = path.join(dir, "helper.ts");
    const bad = path.join(dir, "bad.ts");
    fs.writeFileSync(main, 'import { twice } from "./helper.js";\nconsole.log("start");\nconsole.log(twice(2));\n');
    fs.writeFileSync(helper, "export function twice(x: number): number {\n  const y: number = x * 2;\n  return y +* 1;\n}\n");
    fs.writeFileSync(bad, 'const a: number = 1;\nconsole.log("never printed", a);\nlet b: string = ;\n');
    return { dir, main, helper, bad };
  }

  /**
   * The folder must not pass for a successful recording: either no metadata (unfinished), or a
   * trace whose last event is the uncaught error and whose root call returns the exit code.
   */
  function expectHonestFailure(r: RunResult, file: string): void {
    const meta = readMetadata(r.traceDir);
    if (meta === null) return; // an unfinished recording, as documented in the session code
    const report = TraceQuery.validate(r.traceDir);
    expect(report.errors, formatIssues(report)).toEqual([]);
    const q = new TraceQuery(r.traceDir);
    const last = q.lastEvent() as { Event?: { kind: number; content: string } };
    expect(last.Event?.kind).toBe(EventLogKind.Error);
    expect(last.Event?.content).toContain("SyntaxError");
    expect(last.Event?.content).toContain(file);
    expect(q.decode(q.topLevel().returnRecord!)).toBe(r.code);
    const status = (meta as { process_exit_status?: { code: number | null } }).process_exit_status;
    if (status) expect(status.code).toBe(r.code);
  }

  for (const mode of ["cli", "import"] as const) {
    const record = (p: ReturnType<typeof brokenProject>, script: string): Promise<RunResult> =>
      mode === "cli" ? recordWithCli(script, [], { cwd: p.dir }) : recordWithImport(script, [], { cwd: p.dir, loader: REGISTER_URL });

    it(`${mode}: in an imported module: non-zero exit, stderr names the file and line, the trace says it failed`, async () => {
      const p = brokenProject();
      const r = await record(p, "main.ts");
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(p.helper);
      expect(r.stderr).toMatch(/\(3:\d+\)|helper\.ts:3:\d+/);
      expectHonestFailure(r, p.helper);
    });

    it(`${mode}: in the entry file: non-zero exit, stderr names the file and line, the trace says it failed`, async () => {
      const p = brokenProject();
      const r = await record(p, "bad.ts");
      expect(r.code, describeRun(r)).not.toBe(0);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(p.bad);
      expect(r.stderr).toMatch(/\(3:\d+\)|bad\.ts:3:\d+/);
      expectHonestFailure(r, p.bad);
    });
  }
});
