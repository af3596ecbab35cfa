/**
 * `codetracer-trace print` (docs/commands.md). Not built yet.
 * @packageDocumentation
 */
import { TraceCommandError } from "./folder.js";

/** One line for the list of commands. */
export const summary = "print a trace folder";
/** Usage text. */
export const usage = "Usage: codetracer-trace print DIR\n";

/** Runs the command. @throws TraceCommandError always, until it is built */
export async function run(_argv: string[]): Promise<number> {
  throw new TraceCommandError("print is not built yet", 1);
}
