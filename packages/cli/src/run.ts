/**
 * The CLI's work, separate from process wiring so tests can call it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { EnvironmentError, TargetError, UsageError, repairTrace, type RecorderError, type RepairResult } from "@codetracer/runtime";
import {
  checkTraceFormat,
  checkTraceDirLock,
  ensureTraceDir,
  errorTrailer,
  isEnvTrue,
  PENDING_METADATA_FILE,
  policyFromEnv,
} from "@codetracer/runtime/internal";
import { assertNotYarnPnp, recordingScopeOf, traceFilterPaths } from "@codetracer/register/trace-filter";
import { traceSummaryLine } from "@codetracer/trace-format/internal";
import { expandHome, setTraceFilterWarningHandler, splitFilterList } from "@codetracer/trace-filter";
import { CliUsageError, checkActivationFile, parseArgs, resolveScript, scriptNotFoundError, type CliArgs } from "./args.js";

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
 * Checks what can be checked before the script starts; throws a coded error. The recording
 * scope (the trace-filter chain) is set up exactly as the loader will set it up, so a bad filter stops here.
 * @throws UsageError `ERR_TRACE_DIR_CONFLICT` for an empty `--trace-dir` (it would be the
 *   working directory) or one that is a file; `ERR_UNSUPPORTED_PNP` under Yarn Plug'n'Play;
 *   what the checks it calls throw.
 * @throws TargetError `ERR_TARGET_NOT_FOUND` when `--activation-path` names no file.
 */
function preflight(args: CliArgs, cwd: string, script: string, filterEnv: string | undefined): void {
  if (args.traceDir === "") throw new UsageError("ERR_TRACE_DIR_CONFLICT", "--trace-dir must name a folder, got an empty string", {});
  checkTraceFormat(args.format);
  checkActivationFile(args.activationPath, cwd); // TargetError ERR_TARGET_NOT_FOUND: nothing would be recorded
  policyFromEnv({ ...process.env, ...args.policyEnv });
  assertNotYarnPnp(); // the recorded program's loader would fail on a file of its own
  const env = { CODETRACER_TRACE_FILTER: filterEnv };
  // An ignored filter file (another user's) is reported once, by the recorded program's loader.
  const quiet = () => {};
  // A filter file's warnings too (a pkg: selector in Python's module form): the program's loader reports them.
  const restoreWarnings = setTraceFilterWarningHandler(quiet);
  try {
    recordingScopeOf({ traceFilters: traceFilterPaths(script, cwd, env, [], quiet), include: args.include, exclude: args.exclude, cwd });
  } finally {
    setTraceFilterWarningHandler(restoreWarnings);
  }
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
  const script = resolveScript(args.script, cwd);
  if (script === undefined) {
    fail(scriptNotFoundError(args.script, cwd), jsonErrors); // TargetError ERR_TARGET_NOT_FOUND, exit 2 as wrong usage
    return ExitCode.Usage;
  }
  const filterEnv = traceFilterEnv(args, cwd, process.env.CODETRACER_TRACE_FILTER);
  try {
    preflight(args, cwd, script, filterEnv);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError || error instanceof TargetError) return fail(error, jsonErrors);
    throw error;
  }

  // `--require`, not `--import`: a preload keeps a CommonJS entry on Node's CommonJS path, so
  // its nextTick/promise ordering is that of plain node (see @codetracer/register/preload.cjs),
  // and Node runs it in eval workers too. Node 22.12 warns (ExperimentalWarning) when the
  // CommonJS preload loads the loader's ES module (require(esm)): there the loader is `--import`ed.
  // (Node 22.15+, 24 before 24.12 and 25 before 25.2 fail with ERR_METHOD_NOT_IMPLEMENTED
  // resolveSync when a program registers module.register hooks of its own after a `--require`
  // preload registered module.registerHooks ones: docs/recording.md.)
  const [nodeMajor, nodeMinor] = process.versions.node.split(".").map(Number) as [number, number];
  const viaImport = nodeMajor === 22 && nodeMinor < 13;
  const preload = viaImport ? import.meta.resolve("@codetracer/register") : createRequire(import.meta.url).resolve("@codetracer/register");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CODETRACER_TRACE: path.resolve(cwd, args.traceDir),
    CODETRACER_FORMAT: args.format,
    CODETRACER_JS_INCLUDE: JSON.stringify(args.include),
    CODETRACER_JS_EXCLUDE: JSON.stringify(args.exclude),
    CODETRACER_JS_CWD: cwd,
  };
  if (filterEnv) env.CODETRACER_TRACE_FILTER = filterEnv;
  delete env.CODETRACER_SUMMARY; // the CLI prints the summary itself
  const summaryOn = !args.quiet && !isEnvTrue(process.env.CODETRACER_QUIET);
  // A long run on a terminal shows a progress line, drawn by the program's recorder (it erases
  // it before the program writes): see @codetracer/runtime's node/progress.ts.
  if (summaryOn && process.stderr.isTTY) env.CODETRACER_PROGRESS = "1";
  else delete env.CODETRACER_PROGRESS;
  Object.assign(env, args.policyEnv);
  if (args.withDiff) env.CODETRACER_WITH_DIFF = "1";
  if (args.activationPath) env.CODETRACER_ACTIVATION_PATH = path.resolve(cwd, args.activationPath);
  else delete env.CODETRACER_ACTIVATION_PATH;

  const traceDir = path.resolve(cwd, args.traceDir);
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...process.execArgv, viaImport ? "--import" : "--require", preload, script, ...args.scriptArgs], {
    cwd,
    env,
    stdio: "inherit",
  });
  const end = await superviseChild(child);
  repairAfterAbnormalEnd(traceDir, end, spawnedAt);
  if (summaryOn) {
    // A program killed while its progress line was shown leaves it: erased first.
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
    const line = traceSummaryLine(traceDir, {
      cwd,
      seconds: (Date.now() - spawnedAt) / 1000,
      end: end.signal ? `killed by ${end.signal}` : `exit ${end.code}`,
    });
    if (line) process.stderr.write(`${line}\n`);
  }
  return mirrorEnd(end);
}

/**
 * The signals the CLI passes on to the recorded program: those whose default action ends a
 * process and that Node lets a program listen for. Not `SIGUSR1` (Node starts its inspector on
 * it: the CLI's own), not `SIGPIPE` (ignored by Node). `SIGKILL` and `SIGSTOP` cannot be caught:
 * `kill -9` of the CLI leaves the program running. See docs/recording.md "Signals and abnormal ends".
 */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === "win32" ? ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];

/**
 * Signals a terminal sends to its whole foreground process group (`Ctrl-C`, `Ctrl-\`, `Ctrl-Break`):
 * with stdin a terminal the program got one already, so the CLI does not send a second.
 */
const KEYBOARD_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGQUIT", "SIGBREAK"];

/** How the recorded program ended. */
interface ChildEnd {
  /** Its exit code, or `null` when a signal ended it. */
  code: number | null;
  /** The signal that ended it, or `null`. */
  signal: NodeJS.Signals | null;
  /** The signal this process got that made it kill the program with `SIGKILL` (a second one), or `null`. */
  killedFor: NodeJS.Signals | null;
}

/**
 * Waits for the program to end, passing on each of {@link FORWARDED_SIGNALS} this process gets:
 * the program finishes its trace and dies of the signal (or handles it). A second signal while
 * it still runs (a program stuck in a synchronous loop never runs its signal listener) kills it
 * with `SIGKILL`; its folder is then repaired from what reached the disk.
 */
async function superviseChild(child: ChildProcess): Promise<ChildEnd> {
  let signals = 0;
  let killedFor: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      if (!(KEYBOARD_SIGNALS.includes(signal) && process.stdin.isTTY)) child.kill(signal);
      return;
    }
    process.stderr.write(`${PREFIX}: ${signal} again: killing the recorded program; the trace is repaired from what was written\n`);
    killedFor = signal;
    child.kill("SIGKILL");
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (c, s) => resolve([c, s]));
    });
    return { code, signal, killedFor: signal === "SIGKILL" ? killedFor : null };
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * After an abnormal end of the program (killed by any signal, or an exit that left the folder
 * unfinished: a V8 out-of-memory, a crash, listeners taken away), finishes the folder from what
 * reached the disk (`repairTrace`: `partial: true`, `process_exit_status` the signal or the
 * exit code) and says so on stderr. Only a folder the program began: a pending metadata file
 * older than the program's start belongs to another recording and is left alone. Never throws.
 */
function repairAfterAbnormalEnd(traceDir: string, end: ChildEnd, spawnedAt: number): void {
  const pending = fs.statSync(path.join(traceDir, PENDING_METADATA_FILE), { throwIfNoEntry: false });
  // A file's time can lag the clock by a tick of the kernel's coarse clock: some slack.
  if (pending ? pending.mtimeMs < spawnedAt - 50 : end.signal === null) return;
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code} without finishing its trace`;
  try {
    const result = repairTrace(traceDir, end.signal ? { code: null, label: end.signal } : { code: end.code, label: null });
    if (anyRepaired(result)) process.stderr.write(`${PREFIX}: the recorded program ${how}; ${describeRepair(result)}\n`);
  } catch (error) {
    process.stderr.write(`${PREFIX}: the recorded program ${how} and its trace cannot be repaired: ${(error as Error).message}\n`);
  }
}

/** True when `result` or a folder below it (a worker's, a child process's) was repaired. */
function anyRepaired(result: RepairResult): boolean {
  if (result.repaired) return true;
  const below = [...result.workers, ...((result as { children?: RepairResult[] }).children ?? [])];
  return below.some(anyRepaired);
}

/**
 * Ends this process as the program ended: its exit code, or the same signal sent to itself (the
 * signal that made this process kill the program, when it did), so the shell sees `128+n`.
 * Returns the exit code to use should the signal not end this process.
 */
function mirrorEnd(end: ChildEnd): number {
  if (end.signal === null) return end.code ?? ExitCode.RecorderError;
  const signal = end.killedFor ?? end.signal;
  try {
    process.kill(process.pid, signal);
  } catch {
    // a signal this platform cannot send: the exit status says it
  }
  return 128 + (os.constants.signals[signal] ?? 1);
}
