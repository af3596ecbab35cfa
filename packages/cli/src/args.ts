/**
 * Command-line parsing (commander). Options must come before SCRIPT; everything after SCRIPT is
 * passed to the script unchanged, so it sees the same `process.argv` tail as under plain node.
 */
import { Command, CommanderError, Option } from "commander";
import { RECORDER_VERSION } from "@codetracer/runtime";

/** Parsed command line. */
export interface CliArgs {
  traceDir: string;
  format: "json" | "binary";
  activationPath: string | undefined;
  traceFilter: string[];
  include: string[];
  exclude: string[];
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

/** Builds the commander program (exposed for `--help` text in docs and tests). */
export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  return new Command()
    .name("codetracer-js-recorder")
    .description("Record a JavaScript or TypeScript program into a CodeTracer trace folder.")
    .version(RECORDER_VERSION, "-V, --version", "print the recorder name and version")
    .usage("[options] SCRIPT [ARGS...]")
    .option(
      "--trace-dir <dir>",
      "directory receiving trace.json, trace_metadata.json and trace_paths.json (env CODETRACER_JS_RECORDER_OUT_DIR)",
      env.CODETRACER_JS_RECORDER_OUT_DIR || "./trace-out",
    )
    .addOption(
      new Option("--format <format>", "trace event format (binary = trace.bin, not supported yet)")
        .choices(["json", "binary"])
        .default("json"),
    )
    .option("--activation-path <file>", "record nothing until execution first enters this file")
    .option(
      "--trace-filter <file>",
      "trace-filter TOML file, or several separated by '::'; repeatable; applied after the builtin filter, the project's .codetracer/trace-filter.toml and CODETRACER_TRACE_FILTER (docs/trace-filters.md)",
      collect,
      [] as string[],
    )
    .option("--include <glob>", "also record files matching this picomatch glob (relative to the working directory), e.g. node_modules; repeatable", collect, [] as string[])
    .option("--exclude <glob>", "never record files matching this glob; repeatable (wins over --include)", collect, [] as string[])
    .argument("<SCRIPT>", "the program to record (.js .mjs .cjs .jsx .ts .mts .cts .tsx)")
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
    traceDir: string;
    format: "json" | "binary";
    activationPath?: string;
    traceFilter: string[];
    include: string[];
    exclude: string[];
  }>();
  const [script, ...scriptArgs] = program.args as [string, ...string[]];
  return {
    traceDir: opts.traceDir,
    format: opts.format,
    activationPath: opts.activationPath,
    traceFilter: opts.traceFilter,
    include: opts.include,
    exclude: opts.exclude,
    script,
    scriptArgs,
  };
}
