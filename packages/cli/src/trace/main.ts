#!/usr/bin/env node
/**
 * The `codetracer-trace` command (see `./command.ts` and docs/commands.md).
 */
import { main } from "./command.js";

// Ended quietly when the reader of the output goes away (`codetracer-trace print DIR | head`).
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`codetracer-trace: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
