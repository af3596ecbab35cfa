/**
 * `codetracer-js-recorder/cli`: the command as functions, for tools and tests: `run(argv)`
 * resolves to the exit code; `parseArgs` / `buildProgram` parse the command line.
 * @packageDocumentation
 */
export { parseArgs, buildProgram, CliUsageError } from "./args.js";
export type { CliArgs } from "./args.js";
export { run, ExitCode } from "./run.js";
