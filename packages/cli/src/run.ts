/**
 * The CLI's work, separate from process wiring so tests can call it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { EnvironmentError, UsageError, checkTraceFormat, ensureTraceDir, type RecorderError } from "@codetracer/runtime";
import { loadFilterChain, traceFilterPaths } from "@codetracer/register/trace-filter";
import { expandHome, splitFilterList } from "@codetracer/trace-filter";
import { CliUsageError, parseArgs, type CliArgs } from "./args.js";

const PREFIX = "codetracer-js-recorder";

/** Exit codes of the CLI. */
export const ExitCode = { Ok: 0, RecorderError: 1, Usage: 2 } as const;

function fail(error: RecorderError): number {
  process.stderr.write(`${PREFIX}: error: ${error.message}\n`);
  return ExitCode.RecorderError;
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
  const env = { CODETRACER_TRACE_FILTER: filterEnv };
  loadFilterChain({ traceFilters: traceFilterPaths(script, cwd, env), include: args.include, exclude: args.exclude, cwd });
  ensureTraceDir(path.resolve(cwd, args.traceDir));
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
  const script = path.resolve(cwd, args.script);
  if (!fs.statSync(script, { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write(`${PREFIX}: error: script not found: ${args.script} (looked for ${script})\n`);
    return ExitCode.Usage;
  }
  const filterEnv = traceFilterEnv(args, cwd, process.env.CODETRACER_TRACE_FILTER);
  try {
    preflight(args, cwd, script, filterEnv);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) return fail(error);
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
  if (args.activationPath) env.CODETRACER_ACTIVATION_PATH = path.resolve(cwd, args.activationPath);
  else delete env.CODETRACER_ACTIVATION_PATH;

  const child = spawn(process.execPath, [...process.execArgv, viaImport ? "--import" : "--require", preload, script, ...args.scriptArgs], {
    cwd,
    env,
    stdio: "inherit",
  });
  // The terminal sends SIGINT/SIGTERM to the whole group: let the child decide, then mirror it.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (c, s) => resolve([c, s]));
  });
  process.off("SIGINT", ignore);
  process.off("SIGTERM", ignore);
  if (signal) {
    process.kill(process.pid, signal);
    return 128 + 1;
  }
  return code ?? ExitCode.RecorderError;
}
