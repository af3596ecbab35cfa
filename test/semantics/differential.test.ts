/**
 * The differential suite: every program under `semantics/programs/` runs twice, once plain and
 * once recorded by the CLI, and the two runs must be indistinguishable from the outside (exit
 * code, stdout, stderr) while the recording is a valid trace with balanced calls.
 *
 * "Plain" means `node main.js` for JavaScript, and `node --require @codetracer/register/compile-only`
 * for programs plain Node cannot run (TypeScript, JSX): the same compilation as the recorder,
 * without a single recording call. See `semantics/README.md` for the layout of a program.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, cleanupTempDirs, describeRun, recordWithCli, runNode, type RunResult } from "../utils/run.js";
import { expectBalancedCalls, expectValidTrace } from "../utils/expect-trace.js";

const PROGRAMS = path.join(path.dirname(fileURLToPath(import.meta.url)), "programs");
const COMPILE_ONLY = path.join(REPO_ROOT, "packages/register/dist/compile-only.js");

/** `case.json` of a program (every field optional). */
interface CaseSpec {
  /** Arguments after the script. */
  args?: string[];
  /** `--include` globs for the recorded run (e.g. a package under node_modules). */
  include?: string[];
  /** Qualified function names that must be called at least once in the trace. */
  calls?: string[];
  /** The program ends with an uncaught exception: the trace must end with an Error event containing this text. */
  uncaught?: string;
  /** Expected exit code of both runs (default 0). */
  exitCode?: number;
  /** Why the program exists (documentation only). */
  about?: string;
}

interface Program {
  name: string;
  dir: string;
  entry: string;
  spec: CaseSpec;
  needsCompile: boolean;
}

function loadPrograms(): Program[] {
  return fs
    .readdirSync(PROGRAMS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = path.join(PROGRAMS, d.name);
      const files = fs.readdirSync(dir, { recursive: true }).map(String);
      const entries = files.filter((f) => /^main\.(?:[cm]?[jt]s|[jt]sx)$/.test(f));
      if (entries.length !== 1) throw new Error(`${dir}: expected exactly one main.* entry, found ${entries.join(", ") || "none"}`);
      const specFile = path.join(dir, "case.json");
      const spec = fs.existsSync(specFile) ? (JSON.parse(fs.readFileSync(specFile, "utf8")) as CaseSpec) : {};
      return {
        name: d.name,
        dir,
        entry: entries[0]!,
        spec,
        needsCompile: files.some((f) => /\.(?:[cm]?ts|[jt]sx)$/.test(f) && !f.includes("node_modules")),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Node's report of an uncaught exception prints stack frames: frames of the loader differ
 * between the runs (the recorded program is loaded through a `require` hook), so `    at …`
 * lines are dropped before comparing. Node 20's source-map support (which the recorder turns on
 * so stack traces show original lines) prints one more blank line after the code frame than
 * Node does without it (fixed in later Node versions), so runs of blank lines count as one.
 * The file:line, the source line, the caret and the message are compared as they are.
 */
/** The CLI's summary line, the last of its stderr (see docs/commands.md). */
const SUMMARY_LINE =
  /codetracer: \S.* — (?:[\d,]+ events, )?[\d.]+ (?:B|kB|MB|GB) trace\.(?:bin|json), [\d.]+ s, (?:exit \d+|killed by SIG[A-Z0-9]+)(?:, [^\n]*)?\n$/;

function normalizeStderr(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !/^\s+at /.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}

function plainRun(p: Program): Promise<RunResult> {
  const argv = p.needsCompile ? ["--require", COMPILE_ONLY, p.entry] : [p.entry];
  return runNode([...argv, ...(p.spec.args ?? [])], { cwd: p.dir });
}

const programs = loadPrograms();
afterAll(cleanupTempDirs);

describe("differential: recorded runs behave like plain runs", () => {
  it("has at least 40 programs", () => {
    expect(programs.length).toBeGreaterThanOrEqual(40);
  });

  for (const p of programs) {
    it(p.name, async () => {
      const plain = await plainRun(p);
      const cliArgs = (p.spec.include ?? []).flatMap((g) => ["--include", g]);
      const withSummary = await recordWithCli(p.entry, p.spec.args ?? [], { cwd: p.dir, cliArgs, env: { CODETRACER_QUIET: "" } });
      // The CLI adds one line, its summary, at the end of stderr; nothing else differs.
      const summary = SUMMARY_LINE.exec(withSummary.stderr);
      expect(summary, describeRun(withSummary)).not.toBeNull();
      const recorded = { ...withSummary, stderr: withSummary.stderr.slice(0, summary!.index) };
      const context = `plain:\n${describeRun(plain)}\nrecorded:\n${describeRun(recorded)}`;
      expect(plain.code, `plain run exit code\n${context}`).toBe(p.spec.exitCode ?? 0);
      expect(recorded.code, context).toBe(plain.code);
      expect(recorded.signal).toBeNull();
      expect(recorded.stdout, context).toBe(plain.stdout);
      expect(normalizeStderr(recorded.stderr), context).toBe(normalizeStderr(plain.stderr));

      const trace = expectValidTrace(recorded.traceDir);
      expectBalancedCalls(trace);
      const entry = path.join(p.dir, p.entry);
      expect(
        trace.steps.some((s) => s.path === entry),
        `steps recorded in ${p.entry}`,
      ).toBe(true);
      const names = trace.functionNames();
      for (const name of p.spec.calls ?? []) {
        expect(trace.callsOf(name).length, `calls of ${name}; functions: ${[...names].join(", ")}`).toBeGreaterThan(0);
      }
      // A module body that ran to its end returns None; `<exception>` would mean a frame
      // mistaken for one left by an exception.
      for (const call of trace.callsOf("<module>")) {
        if (call.returnRecord) expect(trace.decode(call.returnRecord), `return of <module> of ${call.path}`).not.toEqual({ $error: "<exception>" });
      }
      const last = trace.lastEvent() as { Event?: { kind: number; content: string } } | undefined;
      if (p.spec.uncaught !== undefined) {
        expect(last?.Event?.content ?? "", "the trace ends with the uncaught error").toContain(p.spec.uncaught);
      } else {
        expect(last?.Event, "no Error event at the end").toBeUndefined();
      }
    });
  }
});
