/**
 * `codetracer-trace` as a function (`main(argv)`, for tests and tools); the command itself is
 * `./main.ts`. It looks at a recording without the CodeTracer app (docs/commands.md).
 *
 *     codetracer-trace validate DIR [--json]
 *     codetracer-trace inspect DIR [--json]
 *     codetracer-trace print DIR [options]
 *     codetracer-trace view DIR [-o trace.html] [--open]
 *
 * A second command beside `codetracer-js-recorder`, so a command name can never be taken for a
 * script the recorder should run. Each command is a module of its own, loaded when asked for.
 * Exit codes: 0 done (for `validate`, the trace is valid); 1 the trace is invalid or cannot be
 * read; 2 usage error or `DIR` is not a trace folder.
 * @packageDocumentation
 */
import { createRequire } from "node:module";
import { EXIT_USAGE, TraceCommandError } from "./folder.js";

/** What a command module exports. */
export interface TraceCommand {
  /** Runs the command with the arguments after its name; resolves to the exit code. @throws TraceCommandError */
  run(argv: string[]): Promise<number>;
  /** One line for the list of commands. */
  summary: string;
  /** Its full usage text (printed for `codetracer-trace <command> --help`). */
  usage: string;
}

const COMMANDS: Record<string, () => Promise<TraceCommand>> = {
  validate: () => import("./validate.js"),
  inspect: () => import("./inspect.js"),
  print: () => import("./print.js"),
  view: () => import("./view.js"),
};

const VERSION = createRequire(import.meta.url)("../../package.json") as { name: string; version: string };

function help(): string {
  return [
    "Usage: codetracer-trace <command> DIR [options]",
    "",
    "Look at a CodeTracer trace folder recorded by codetracer-js-recorder (or any CodeTracer recorder).",
    "",
    "Commands:",
    "  validate DIR [--json]             check that CodeTracer can load it (exit 0 valid, 1 not)",
    "  inspect DIR [--json]              what was recorded: program, exit, events, files, top functions",
    "  print DIR [options]               the run as text: calls, arguments, returns (and steps)",
    "  view DIR [-o FILE] [--open]       one self-contained HTML file to look at it in a browser",
    "",
    "`codetracer-trace <command> --help` gives a command's options.",
    "",
  ].join("\n");
}

/**
 * Runs `codetracer-trace` with `argv` (without node and the script).
 * @returns the exit code
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`codetracer-trace (${VERSION.name}) ${VERSION.version}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`codetracer-trace: unknown command '${name}' (expected ${Object.keys(COMMANDS).join(", ")})\n`);
    return EXIT_USAGE;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof TraceCommandError) {
      process.stderr.write(`codetracer-trace: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
