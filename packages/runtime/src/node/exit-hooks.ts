/**
 * Finalises a session when the process ends, without changing how it ends: an `exit` listener
 * (normal end, `process.exit()` anywhere, uncaught exception) and an
 * `uncaughtExceptionMonitor` listener (observes, never handles, so Node still prints the error
 * and exits with the same code).
 */
import type { NodeSession } from "./session.js";

/** Installs the hooks for `session`; returns a function that removes them. */
export function installExitHooks(session: NodeSession): () => void {
  const onExit = (code: number) => {
    try {
      session.stop(code);
    } catch (error) {
      process.stderr.write(`codetracer: could not finish the trace in ${session.traceDir}: ${(error as Error).message}\n`);
    }
  };
  const onUncaught = (error: unknown) => session.recorder.recordUncaught(error);
  process.on("exit", onExit);
  process.on("uncaughtExceptionMonitor", onUncaught);
  return () => {
    process.off("exit", onExit);
    process.off("uncaughtExceptionMonitor", onUncaught);
  };
}
