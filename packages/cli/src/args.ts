/**
 * Command-line parsing (commander). Options must come before SCRIPT; everything after SCRIPT is
 * passed to the script unchanged, so it sees the same `process.argv` tail as under plain node.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { DEFAULT_VALUE_LIMITS, RECORDER_NAME, RECORDER_VERSION, TargetError } from "@codetracer/runtime";
import { EXCLUDE_ENV, globsFromEnv, INCLUDE_ENV, LIMIT_VARIABLES, limitsFromEnv, TRACE_DIR_ENV, traceDirFromEnv } from "@codetracer/runtime/internal";

/** This package's version (`codetracer-js-recorder` on npm), read from its package.json. */
const CLI_VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;

/**
 * What `--version` prints: the command's name and version, `codetracer-js-recorder 0.1.0`, and the
 * runtime's version (the one written into `trace_metadata.json`) when it differs.
 */
export const VERSION_TEXT: string = `${RECORDER_NAME} ${CLI_VERSION}${RECORDER_VERSION === CLI_VERSION ? "" : ` (runtime ${RECORDER_VERSION})`}`;

/** Parsed command line. */
export interface CliArgs {
  /** `--trace-dir`, else `CODETRACER_TRACE` (or its deprecated name), else `./trace-out` (see {@link recordingTarget}). */
  traceDir: string;
  format: "json" | "binary";
  activationPath: string | undefined;
  traceFilter: string[];
  /** `CODETRACER_JS_INCLUDE`'s globs, then each `--include`. */
  include: string[];
  /** `CODETRACER_JS_EXCLUDE`'s globs, then each `--exclude`. */
  exclude: string[];
  /** `--json-errors`: one JSON line on stderr per recorder error. */
  jsonErrors: boolean;
  /** `--with-diff`: save `git diff HEAD` as `workspace.diff` in the trace folder. */
  withDiff: boolean;
  /** `--quiet` (or env `CODETRACER_QUIET=1`): no summary line after the run. */
  quiet: boolean;
  /** Policy flags, as `CODETRACER_*` values for the recorded process (unset: not given). */
  policyEnv: Record<string, string>;
  /** `--repair DIR`: finish a folder left by a killed recording instead of recording. */
  repair: string | undefined;
  /** Empty only with `repair`. */
  script: string;
  scriptArgs: string[];
}

/** Thrown for wrong usage; `exitCode` is 2, or 0 for `--help` / `--version`. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The trace folder when neither `--trace-dir` nor `CODETRACER_TRACE` names one. */
export const DEFAULT_TRACE_DIR = "./trace-out";

/**
 * What the command line and the environment say about where to record and what (the variables
 * every front door reads the same way: `@codetracer/runtime`'s `env-names.ts`):
 * - the trace folder: `--trace-dir`, else `CODETRACER_TRACE`, else the deprecated
 *   `CODETRACER_JS_RECORDER_OUT_DIR` (its use is reported once to `warn`), else `./trace-out`;
 * - include / exclude globs: `CODETRACER_JS_INCLUDE` / `CODETRACER_JS_EXCLUDE` (a JSON array or
 *   a `::`-separated list), then each `--include` / `--exclude`.
 *
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an include/exclude variable that is not valid
 */
export function recordingTarget(
  flags: { traceDir?: string; include: string[]; exclude: string[] },
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): { traceDir: string; include: string[]; exclude: string[] } {
  return {
    traceDir: flags.traceDir ?? traceDirFromEnv(env, warn) ?? DEFAULT_TRACE_DIR,
    include: [...globsFromEnv(env, INCLUDE_ENV), ...flags.include],
    exclude: [...globsFromEnv(env, EXCLUDE_ENV), ...flags.exclude],
  };
}

/** Builds the commander program (exposed for `--help` text in docs and tests). */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command()
    .name("codetracer-js-recorder")
    .description("Record a JavaScript or TypeScript program into a CodeTracer trace folder.")
    .version(VERSION_TEXT, "-V, --version", "print the recorder name and version")
    .usage("[options] SCRIPT [ARGS...]")
    .option(
      "--trace-dir <dir>",
      `directory receiving trace.bin (or trace.json), trace_metadata.json and trace_paths.json (default: env ${TRACE_DIR_ENV}, else ${DEFAULT_TRACE_DIR})`,
    )
    .addOption(
      new Option("--format <format>", "trace event format: binary writes trace.bin (CBOR + zstd), json writes trace.json (env CODETRACER_FORMAT)")
        .choices(["json", "binary"])
        .default(env.CODETRACER_FORMAT === "json" ? "json" : "binary"),
    )
    .option("--activation-path <file>", "record nothing until execution first enters this file")
    .option(
      "--trace-filter <file>",
      "trace-filter TOML file, or several separated by '::'; repeatable; applied after the builtin filter, the project's .codetracer/trace-filter.toml and CODETRACER_TRACE_FILTER (docs/trace-filters.md)",
      collect,
      [] as string[],
    )
    .option(
      "--include <glob>",
      `also record files matching this glob (relative to the working directory), e.g. node_modules; repeatable; added to env ${INCLUDE_ENV} (a JSON array or globs separated by '::')`,
      collect,
      [] as string[],
    )
    .option("--exclude <glob>", `never record files matching this glob; repeatable (wins over --include); added to env ${EXCLUDE_ENV}`, collect, [] as string[])
    .option("--json-errors, --codetracer-json-errors", "write one JSON line on stderr per recorder error (env CODETRACER_JSON_ERRORS)")
    .option("--with-diff", "save `git diff HEAD` of the working tree as workspace.diff beside the trace")
    .option("-q, --quiet", "print no summary line after the run (env CODETRACER_QUIET=1)")
    .addOption(
      new Option("--on-recorder-error <mode>", "what an internal recorder failure does (env CODETRACER_ON_RECORDER_ERROR)").choices(["abort", "disable"]),
    )
    .option("--require-trace", "fail (exit 1, ERR_TRACE_MISSING) when no instrumented code was recorded")
    .option("--keep-partial-trace", "after the recorder detached (--on-recorder-error disable), keep the partial trace")
    .option("--log-level <filter>", "log filter: a level (error, warn, info, debug, trace, off) or target=level entries (env CODETRACER_LOG)")
    .option("--log-file <file>", "write the recorder's JSON log lines to this file instead of stderr")
    .addOption(
      new Option("--io-capture <mode>", "record the program's stdout/stderr writes as trace events (env CODETRACER_CAPTURE_IO)").choices(["on", "off"]),
    );
  for (const [key, { flag, help }] of Object.entries(LIMIT_FLAGS) as Array<[keyof typeof LIMIT_FLAGS, (typeof LIMIT_FLAGS)[keyof typeof LIMIT_FLAGS]]>) {
    program.option(`${flag} <n>`, `${help} (default ${DEFAULT_VALUE_LIMITS[key]}; env ${LIMIT_VARIABLES[key].variable})`);
  }
  return program
    .option("--repair <trace-dir>", "finish a trace folder whose recording was killed (kill -9), then exit; no SCRIPT")
    .argument(
      "[SCRIPT]",
      "the program to record (.js .mjs .cjs .jsx .ts .mts .cts .tsx), resolved as node resolves it: a directory, or a name without its extension, works too",
    )
    .argument("[ARGS...]", "arguments passed to the script unchanged")
    .passThroughOptions()
    .allowExcessArguments(true)
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nExit status: the script's own exit status; 1 when the recorder fails to start or finish; 2 for wrong usage.\n" +
        "Open the trace with: ct replay --trace-folder <trace-dir>",
    );
}

/** The CLI flag of each value capture bound (`LIMIT_VARIABLES` names its variable). */
const LIMIT_FLAGS = {
  maxDepth: { flag: "--max-depth", help: "nesting levels of a value captured below it" },
  maxItems: { flag: "--max-items", help: "elements or fields captured per array, object, Map or Set" },
  maxStringLength: { flag: "--max-string-length", help: "UTF-16 code units kept per string" },
  maxBytes: { flag: "--max-value-bytes", help: "bytes of trace text one captured value may take" },
} as const;

/**
 * Parses `argv` (without the node executable and script: `process.argv.slice(2)`).
 * @throws CliUsageError with exit code 2 for unknown options, missing SCRIPT or bad values;
 *   with exit code 0 after printing help or the version.
 */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, write: (s: string) => void = (s) => process.stderr.write(s)): CliArgs {
  const program = buildProgram(env);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: write,
  });
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help";
      throw new CliUsageError(error.message, ok ? 0 : 2);
    }
    throw error;
  }
  const opts = program.opts<{
    traceDir?: string;
    format: "json" | "binary";
    activationPath?: string;
    traceFilter: string[];
    include: string[];
    exclude: string[];
    jsonErrors?: boolean;
    /** Commander names the option after its last long flag. */
    codetracerJsonErrors?: boolean;
    withDiff?: boolean;
    quiet?: boolean;
    onRecorderError?: string;
    requireTrace?: boolean;
    keepPartialTrace?: boolean;
    logLevel?: string;
    logFile?: string;
    ioCapture?: string;
    repair?: string;
  }>();
  const [script = "", ...scriptArgs] = program.args as string[];
  if (!script && !opts.repair) {
    write("error: missing required argument 'SCRIPT'\n");
    throw new CliUsageError("missing required argument 'SCRIPT'", 2);
  }
  if (script && opts.repair) {
    write("error: --repair takes no SCRIPT\n");
    throw new CliUsageError("--repair takes no SCRIPT", 2);
  }
  const policyEnv: Record<string, string> = {};
  if (opts.onRecorderError) policyEnv.CODETRACER_ON_RECORDER_ERROR = opts.onRecorderError;
  if (opts.requireTrace) policyEnv.CODETRACER_REQUIRE_TRACE = "1";
  if (opts.keepPartialTrace) policyEnv.CODETRACER_KEEP_PARTIAL_TRACE = "1";
  if (opts.logLevel) policyEnv.CODETRACER_LOG = opts.logLevel;
  if (opts.logFile) policyEnv.CODETRACER_LOG_FILE = opts.logFile;
  if (opts.ioCapture) policyEnv.CODETRACER_CAPTURE_IO = opts.ioCapture;
  const flagOf: Record<string, string> = {};
  for (const [key, { flag }] of Object.entries(LIMIT_FLAGS) as Array<[keyof typeof LIMIT_FLAGS, { flag: string }]>) {
    const { variable } = LIMIT_VARIABLES[key];
    flagOf[variable] = flag;
    const value = program.getOptionValue(program.options.find((o) => o.long === flag)!.attributeName()) as string | undefined;
    if (value !== undefined) policyEnv[variable] = value;
  }
  try {
    limitsFromEnv(policyEnv); // a bad value is wrong usage (exit 2), as a bad choice is
  } catch (error) {
    const message = `${(error as Error).message.replace(/^\[[A-Z_]+\] /, "").replace(/CODETRACER_MAX_[A-Z_]+/, (v) => `${flagOf[v]} (${v})`)}`;
    write(`error: ${message}\n`);
    throw new CliUsageError(message, 2);
  }
  let target: ReturnType<typeof recordingTarget>;
  try {
    target = recordingTarget(opts, env, (message) => write(`codetracer-js-recorder: warning: ${message}\n`));
  } catch (error) {
    const message = (error as Error).message.replace(/^\[[A-Z_]+\] /, "");
    write(`error: ${message}\n`);
    throw new CliUsageError(message, 2);
  }
  const jsonErrors = opts.jsonErrors === true || opts.codetracerJsonErrors === true;
  if (jsonErrors) policyEnv.CODETRACER_JSON_ERRORS = "1";
  return {
    traceDir: target.traceDir,
    format: opts.format,
    activationPath: opts.activationPath,
    traceFilter: opts.traceFilter,
    include: target.include,
    exclude: target.exclude,
    jsonErrors,
    withDiff: opts.withDiff === true,
    quiet: opts.quiet === true,
    policyEnv,
    repair: opts.repair,
    script,
    scriptArgs,
  };
}

/**
 * Extensions the recorder runs that Node's resolution of a script path does not try (it tries
 * `.js`, `.json` and `.node`): tried in this order after it, for a name without extension and
 * for a directory's `index`.
 */
export const RECORDER_SCRIPT_EXTENSIONS: readonly string[] = [".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx"];

const isFile = (file: string): boolean => fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
const isDirectory = (dir: string): boolean => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;

/** `base` itself, else `base` + one of {@link RECORDER_SCRIPT_EXTENSIONS}, when a file. */
function withRecorderExtension(base: string): string | undefined {
  if (isFile(base)) return base;
  for (const ext of RECORDER_SCRIPT_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  return undefined;
}

/**
 * The file `node SCRIPT` would run for the SCRIPT argument `script` (relative to `cwd`), or
 * `undefined` when there is none. As Node resolves its main entry (`require.resolve` of the
 * absolute path): the file itself; else with `.js`, `.json`, `.node`; else a directory's
 * `package.json` `"main"` or its `index.js`. Then, for what the recorder runs beyond plain Node:
 * the name with one of {@link RECORDER_SCRIPT_EXTENSIONS} (`app` finds `app.ts`), and a
 * directory's `"main"` or `index` with one of them. An existing file is returned as given (made
 * absolute, symbolic links kept), as before; a file found by resolution is its real path, as
 * Node's resolution gives it. See docs/recording.md "The script argument".
 */
export function resolveScript(script: string, cwd: string): string | undefined {
  if (script === "") return undefined;
  const absolute = path.resolve(cwd, script);
  if (isFile(absolute)) return absolute;
  try {
    return createRequire(path.join(cwd, "[codetracer-js-recorder]")).resolve(absolute);
  } catch {
    // not found by Node's rules: try the recorder's extensions
  }
  const found = withRecorderExtension(absolute);
  if (found || !isDirectory(absolute)) return found;
  let main: unknown;
  try {
    main = (JSON.parse(fs.readFileSync(path.join(absolute, "package.json"), "utf8")) as { main?: unknown }).main;
  } catch {
    main = undefined; // no package.json, or not JSON: as Node, go on with index
  }
  if (typeof main === "string" && main !== "") {
    const target = path.resolve(absolute, main);
    const viaMain = withRecorderExtension(target) ?? (isDirectory(target) ? withRecorderExtension(path.join(target, "index")) : undefined);
    if (viaMain) return viaMain;
  }
  return withRecorderExtension(path.join(absolute, "index"));
}

/**
 * The error for a SCRIPT that {@link resolveScript} cannot find: a `TargetError`
 * `ERR_TARGET_NOT_FOUND` (the program to record is missing, docs/errors.md), whose message says
 * where it looked. The CLI prints it (and its JSON trailer under `--json-errors`) and exits 2.
 */
export function scriptNotFoundError(script: string, cwd: string): TargetError {
  const looked = path.resolve(cwd, script);
  return new TargetError(
    "ERR_TARGET_NOT_FOUND",
    `script not found: ${script} (looked for ${looked}, with the extensions node tries and ${RECORDER_SCRIPT_EXTENSIONS.join(" ")}, and as a directory)`,
    { script, looked },
  );
}

/**
 * Checks `--activation-path` (relative to `cwd`) names a file: recording waits until execution
 * enters it, so a missing file would record nothing at all.
 * @throws TargetError `ERR_TARGET_NOT_FOUND` when it names no file (or a directory).
 */
export function checkActivationFile(activationPath: string | undefined, cwd: string): void {
  if (activationPath === undefined) return;
  const file = path.resolve(cwd, activationPath);
  if (isFile(file)) return;
  throw new TargetError(
    "ERR_TARGET_NOT_FOUND",
    `--activation-path ${activationPath}: ${file} ${isDirectory(file) ? "is a directory" : "does not exist"}; recording would wait for a file the program never runs`,
    { activationPath: file },
  );
}
