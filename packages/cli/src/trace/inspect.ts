/**
 * `codetracer-trace inspect` (docs/commands.md). Not built yet.
 * @packageDocumentation
 */
import { TraceCommandError } from "./folder.js";

/** One line for the list of commands. */
export const summary = "inspect a trace folder";
/** Usage text. */
export const usage = "Usage: codetracer-trace inspect DIR\n";

/** Runs the command. @throws TraceCommandError always, until it is built */
export async function run(_argv: string[]): Promise<number> {
  throw new TraceCommandError("inspect is not built yet", 1);
}
