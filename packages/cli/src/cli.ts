/**
 * `codetracer-js-recorder/cli`: the command as functions, for tools and tests: `run(argv)`
 * resolves to the exit code; `parseArgs` / `buildProgram` parse the command line; `resolveScript`
 * finds the file SCRIPT names, as node does.
 * @packageDocumentation
 */
export { parseArgs, buildProgram, CliUsageError, resolveScript, RECORDER_SCRIPT_EXTENSIONS } from "./args.js";
export type { CliArgs } from "./args.js";
export { run, ExitCode, FORWARDED_SIGNALS } from "./run.js";
