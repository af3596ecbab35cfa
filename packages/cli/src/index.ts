/**
 * `codetracer-js-recorder`: the command-line recorder. The command is `codetracer-js-recorder`;
 * `codetracer-js-recorder/register` is the loader for `node --import`.
 * @packageDocumentation
 */
export { parseArgs, buildProgram, CliUsageError } from "./args.js";
export type { CliArgs } from "./args.js";
export { run, ExitCode } from "./run.js";
