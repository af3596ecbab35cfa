/**
 * Process helpers for the end-to-end tests: run a script under plain node, under the CLI, or
 * under `node --import <loader>`, each with its own temporary trace directory.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "vitest";

/** The repository root (`/work/main`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The CLI entry point, as the `codetracer-js-recorder` bin runs it. */
export const CLI_MAIN = path.join(REPO_ROOT, "packages/cli/dist/main.js");
/** `test/fixtures`. */
export const FIXTURES = path.join(REPO_ROOT, "test/fixtures");
/** `examples`. */
export const EXAMPLES = path.join(REPO_ROOT, "examples");

/** What a finished process produced. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; `null` only when the process died of a signal (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The trace directory given to the recorder (`""` for a plain run). */
  traceDir: string;
}

/** Options shared by the helpers. */
export interface RunOptions {
  /** Working directory of the process. Default: the repository root. */
  cwd?: string;
  /** Extra environment variables (merged over a cleaned copy of `process.env`). */
  env?: Record<string, string>;
  /** Trace directory; default: a fresh `fs.mkdtempSync` directory. */
  traceDir?: string;
  /** Kill the process after this many ms (default 50 s, below the test timeout). */
  timeoutMs?: number;
}

const tempDirs: string[] = [];

/** A fresh temporary directory, removed by {@link cleanupTempDirs}. */
export function makeTempDir(prefix = "ct-e2e-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory made by {@link makeTempDir} in this test file. */
export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh, not yet existing trace directory inside a temporary directory. */
export function freshTraceDir(): string {
  return path.join(makeTempDir("ct-trace-"), "trace");
}

/**
 * The environment of a child: the test runner's own, without anything that would change how
 * the child records or prints (inherited `CODETRACER_*`, `NODE_OPTIONS`, colors).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // RUST_LOG too: the recorder reads it when CODETRACER_LOG is unset (docs/errors.md, "Logs").
    if (key.startsWith("CODETRACER_") || key === "RUST_LOG" || key === "NODE_OPTIONS" || key === "FORCE_COLOR") continue;
    if (key.startsWith("VITEST") || key === "NODE_ENV") continue;
    env[key] = value;
  }
  env.NO_COLOR = "1";
  // The suites read and byte-search trace.json; the default format (trace.bin) is tested by
  // e2e/trace-bin.test.ts, which overrides this (an empty value means the default).
  env.CODETRACER_FORMAT = "json";
  // The CLI's summary line after a run: off, so suites can compare stderr with a plain run's;
  // e2e/summary.test.ts and the semantics suite turn it on (an empty value).
  env.CODETRACER_QUIET = "1";
  return { ...env, ...extra };
}

/** Spawns `node ...argv` and collects its output. Never rejects for a non-zero exit. */
export function runNode(argv: string[], opts: RunOptions = {}, traceDir = ""): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: childEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 50_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, traceDir });
    });
  });
}

/** Runs `node script ...args` without the recorder. */
export function runPlain(script: string, args: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  return runNode([script, ...args], opts);
}

/** Extra CLI options placed before the script (`--include`, `--format`, ...). */
export interface CliOptions extends RunOptions {
  cliArgs?: string[];
}

/**
 * Runs `codetracer-js-recorder [--trace-dir DIR] [cliArgs...] script ...args` (the built CLI
 * under the current node).
 */
export function recordWithCli(script: string, args: string[] = [], opts: CliOptions = {}): Promise<RunResult> {
  const traceDir = opts.traceDir ?? freshTraceDir();
  return runNode([CLI_MAIN, "--trace-dir", traceDir, ...(opts.cliArgs ?? []), script, ...args], opts, traceDir);
}

/** Options of {@link recordWithImport}. */
export interface ImportOptions extends RunOptions {
  /** Loader specifier given to `--import`. Default `@codetracer/register`. */
  loader?: string;
  include?: string[];
  exclude?: string[];
}

/**
 * Runs `node --import <loader> script ...args` with `CODETRACER_TRACE` (and the include/exclude
 * variables) set. A bare loader specifier resolves from `cwd`, as it does for a user; pass
 * {@link REGISTER_URL} when `cwd` is outside the repository.
 */
export function recordWithImport(script: string, args: string[] = [], opts: ImportOptions = {}): Promise<RunResult> {
  const traceDir = opts.traceDir ?? freshTraceDir();
  const env: Record<string, string> = { CODETRACER_TRACE: traceDir, ...(opts.env ?? {}) };
  if (opts.include) env.CODETRACER_JS_INCLUDE = JSON.stringify(opts.include);
  if (opts.exclude) env.CODETRACER_JS_EXCLUDE = JSON.stringify(opts.exclude);
  return runNode(["--import", opts.loader ?? "@codetracer/register", script, ...args], { ...opts, env }, traceDir);
}

/** `file:` URL of the built loader, for `--import` from directories outside the repository. */
export const REGISTER_URL = pathToFileURL(path.join(REPO_ROOT, "packages/register/dist/index.js")).href;

/**
 * The 1-based line of the only line of `file` containing `marker` (e.g. a `ct-marker:` comment),
 * so tests never hard-code line numbers.
 */
export function lineOf(file: string, marker: string): number {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const hits = lines.flatMap((text, i) => (text.includes(marker) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${file}: expected exactly one line with ${JSON.stringify(marker)}, found ${hits.length}`);
  return hits[0]!;
}

/** Describes a result for assertion messages. */
export function describeRun(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ""}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Every line of `text` that is a JSON object (log records, error trailers, fixture results); other lines are skipped. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The JSON error trailer of a run: the last stderr line starting with `{`, as tools read it (fails the test when there is none). */
export function jsonTrailer(r: RunResult): Record<string, unknown> {
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("{"));
  expect(lines.length, `a JSON line on stderr\n${describeRun(r)}`).toBeGreaterThan(0);
  return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
}
