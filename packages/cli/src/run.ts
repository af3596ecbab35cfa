/**
 * The CLI's work, separate from process wiring so tests can call it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import {
  EnvironmentError,
  UsageError,
  checkTraceFormat,
  checkTraceDirLock,
  ensureTraceDir,
  errorTrailer,
  isEnvTrue,
  policyFromEnv,
  repairTrace,
  type RecorderError,
  type RepairResult,
} from "@codetracer/runtime";
import { loadFilterChain, traceFilterPaths } from "@codetracer/register/trace-filter";
import { expandHome, splitFilterList } from "@codetracer/trace-filter";
import { CliUsageError, parseArgs, type CliArgs } from "./args.js";

const PREFIX = "codetracer-js-recorder";

/** Exit codes of the CLI. */
export const ExitCode = { Ok: 0, RecorderError: 1, Usage: 2 } as const;

function fail(error: RecorderError, jsonErrors: boolean): number {
  process.stderr.write(`${PREFIX}: error: ${error.message}\n`);
  if (jsonErrors) process.stderr.write(`${errorTrailer(error)}\n`);
  return ExitCode.RecorderError;
}

function describeRepair(result: RepairResult, indent = ""): string {
  const head = result.repaired
    ? `${indent}${result.dir}: repaired, ${result.events} events recovered${result.lastStep ? `; last step ${result.lastStep.path}:${result.lastStep.line}` : ""}`
    : `${indent}${result.dir}: left as it is (${result.reason})`;
  return [head, ...[...result.workers, ...(result.children ?? [])].map((w) => describeRepair(w, `${indent}  `))].join("\n");
}

/** `--repair DIR`: finishes the folder; 0 when it is finished (now or before), 1 otherwise. */
function repair(dir: string, jsonErrors: boolean): number {
  try {
    const result = repairTrace(dir);
    process.stdout.write(`${describeRepair(result)}\n`);
    return result.repaired || result.reason === "the trace is finished already" ? ExitCode.Ok : ExitCode.RecorderError;
  } catch (error) {
    const e = new EnvironmentError("ERR_IO", `cannot repair ${dir}: ${(error as Error).message}`, { traceDir: dir }, { cause: error });
    return fail(e, jsonErrors);
  }
}

/**
 * `CODETRACER_TRACE_FILTER` for the script: the inherited value's entries, then each
 * `--trace-filter` (made absolute), so the chain keeps its documented order.
 */
function traceFilterEnv(args: CliArgs, cwd: string, inherited: string | undefined): string | undefined {
  const explicit = args.traceFilter.flatMap((list) => splitFilterList(list).map((p) => path.resolve(cwd, expandHome(p))));
  const all = [...(inherited ? [inherited] : []), ...explicit];
  return all.length > 0 ? all.join("::") : undefined;
}

/**
 * Checks what can be checked before the script starts; throws a coded error. The trace-filter
 * chain is loaded exactly as the loader will load it, so a bad filter stops here.
 */
function preflight(args: CliArgs, cwd: string, script: string, filterEnv: string | undefined): void {
  checkTraceFormat(args.format);
  policyFromEnv({ ...process.env, ...args.policyEnv });
  const env = { CODETRACER_TRACE_FILTER: filterEnv };
  loadFilterChain({ traceFilters: traceFilterPaths(script, cwd, env), include: args.include, exclude: args.exclude, cwd });
  ensureTraceDir(path.resolve(cwd, args.traceDir));
  checkTraceDirLock(path.resolve(cwd, args.traceDir)); // another recording there: fail before the program runs
}

/**
 * Runs the CLI with `argv` (arguments after the executable and script path) and resolves to the
 * exit code. The recorded script inherits stdin, stdout and stderr.
 */
export async function run(argv: string[], cwd: string = process.cwd()): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      if (error.exitCode !== 0) process.stderr.write(`(run '${PREFIX} --help' for usage)\n`);
      return error.exitCode;
    }
    throw error;
  }
  const jsonErrors = args.jsonErrors || isEnvTrue(process.env.CODETRACER_JSON_ERRORS);
  if (args.repair !== undefined) return repair(path.resolve(cwd, args.repair), jsonErrors);
  const script = path.resolve(cwd, args.script);
  if (!fs.statSync(script, { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write(`${PREFIX}: error: script not found: ${args.script} (looked for ${script})\n`);
    return ExitCode.Usage;
  }
  const filterEnv = traceFilterEnv(args, cwd, process.env.CODETRACER_TRACE_FILTER);
  try {
    preflight(args, cwd, script, filterEnv);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) return fail(error, jsonErrors);
    throw error;
  }

  // `--require`, not `--import`: a preload keeps a CommonJS entry on Node's CommonJS path, so
  // its nextTick/promise ordering is that of plain node (see @codetracer/register/preload.cjs).
  // Node 22 fails to load a CommonJS entry after hooks were registered from a `--require`
  // preload (ERR_METHOD_NOT_IMPLEMENTED resolveSync), so there the loader is `--import`ed.
  const viaImport = process.versions.node.split(".")[0] === "22";
  const preload = viaImport
    ? import.meta.resolve("@codetracer/register")
    : createRequire(import.meta.url).resolve("@codetracer/register");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CODETRACER_TRACE: path.resolve(cwd, args.traceDir),
    CODETRACER_FORMAT: args.format,
    CODETRACER_JS_INCLUDE: JSON.stringify(args.include),
    CODETRACER_JS_EXCLUDE: JSON.stringify(args.exclude),
    CODETRACER_JS_CWD: cwd,
  };
  if (filterEnv) env.CODETRACER_TRACE_FILTER = filterEnv;
  Object.assign(env, args.policyEnv);
  if (args.withDiff) env.CODETRACER_WITH_DIFF = "1";
  if (args.activationPath) env.CODETRACER_ACTIVATION_PATH = path.resolve(cwd, args.activationPath);
  else delete env.CODETRACER_ACTIVATION_PATH;

  const child = spawn(process.execPath, [...process.execArgv, viaImport ? "--import" : "--require", preload, script, ...args.scriptArgs], {
    cwd,
    env,
    stdio: "inherit",
  });
  // The terminal sends SIGINT/SIGTERM to the whole group: the child finishes its trace and dies
  // of the signal (or handles it), and this process mirrors how it ended. A second signal while
  // the child still runs (a program stuck in a synchronous loop never runs its signal handler)
  // kills it with SIGKILL; the folder is then repaired from what reached the disk.
  const traceDir = path.resolve(cwd, args.traceDir);
  let signals = 0;
  let received: NodeJS.Signals = "SIGINT";
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    received = signal;
    if (signals === 1) {
      if (!process.stdin.isTTY) child.kill(signal); // not sent to the group by a terminal
      return;
    }
    process.stderr.write(`${PREFIX}: ${signal} again: killing the recorded program; the trace is repaired from what was written\n`);
    child.kill("SIGKILL");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (c, s) => resolve([c, s]));
  });
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (signal === "SIGKILL") {
    try {
      const result = repairTrace(traceDir, { code: null, label: "SIGKILL" });
      if (result.repaired) process.stderr.write(`${PREFIX}: the recorded program was killed; ${describeRepair(result)}\n`);
    } catch (error) {
      process.stderr.write(`${PREFIX}: the recorded program was killed and its trace cannot be repaired: ${(error as Error).message}\n`);
    }
  }
  if (signal) {
    process.kill(process.pid, signal === "SIGKILL" && signals > 1 ? received : signal);
    return 128 + 1;
  }
  return code ?? ExitCode.RecorderError;
}
