#!/usr/bin/env node
/**
 * `codetracer-js-recorder [options] SCRIPT [ARGS...]`: runs SCRIPT under Node with the
 * recorder's loader (`--import @codetracer/register`) and records it into `--trace-dir`.
 *
 * Exit status: the script's own (including `process.exitCode` and `process.exit(n)`); a script
 * killed by a signal makes this process die of the same signal (after repairing the trace folder
 * when the recorder could not finish it); 1 when the recorder fails to start (`ERR_*` message on
 * stderr); 2 for wrong usage. Terminating signals this process gets are passed on to the script
 * (docs/recording.md "Signals and abnormal ends").
 */
import { run } from "./run.js";

// When the reader of this process's own output goes away (`codetracer-js-recorder --help | head -1`),
// the rest of that output is dropped instead of crashing on EPIPE; the exit status stays the one
// `run` returns (the recorded script writes to the same pipe through its own inherited stdio).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`codetracer-js-recorder: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
