/**
 * Finalises a session when the process ends, without changing how it ends:
 * - an `exit` listener: normal end, `process.exit()` anywhere, an uncaught exception or
 *   unhandled rejection (after Node printed it). A recorder error at that point is reported and
 *   makes the exit code 1, unless the program already exits with a failure code;
 * - an `uncaughtExceptionMonitor` listener: observes, never handles, so Node still prints the
 *   error and exits with the same code; the trace ends with an Error event;
 * - on the main thread, `SIGINT`, `SIGTERM` and `SIGHUP` listeners that act only when the program
 *   has no listener of its own for the signal (then Node's default would end the process): they
 *   finish the trace (`process_exit_status: {code: null, label: "SIGINT"}`), remove themselves and
 *   send the signal again, so the process dies of it as it would have, and the parent sees the
 *   same signal.
 */
import { isMainThread } from "node:worker_threads";
import { asRecorderError, type RecorderError } from "../errors.js";
import { uncaptured } from "./io-capture.js";
import { log, reportRecorderError } from "./log.js";
import type { NodeSession } from "./session.js";

/** The signals whose default action (ending the process) would skip the `exit` listeners. */
export const FINALISED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Installs the hooks for `session`; returns a function that removes them. */
export function installExitHooks(session: NodeSession): () => void {
  /** Stops the session; a recorder error is reported (stderr, log, trailer) and returned, never thrown. */
  const stop = (exitCode?: number, label?: string): RecorderError | undefined => {
    try {
      session.stop(exitCode, label);
      return undefined;
    } catch (error) {
      const e = asRecorderError(error);
      // ERR_TRACE_MISSING comes after the folder was finished; anything else left it unfinished.
      const what = e.code === "ERR_TRACE_MISSING" ? "" : `could not finish the trace in ${session.traceDir}: `;
      uncaptured(() => process.stderr.write(`codetracer: ${what}${e.message}\n`));
      reportRecorderError(e);
      return e;
    }
  };
  const onExit = (code: number) => {
    if (stop(code) && !code) process.exitCode = 1;
  };
  const onUncaught = (error: unknown) => session.recorder.recordUncaught(error);
  process.on("exit", onExit);
  process.on("uncaughtExceptionMonitor", onUncaught);
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  const removeSignals = () => {
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    signalHandlers.clear();
  };
  if (isMainThread) {
    for (const signal of FINALISED_SIGNALS) {
      const handler = () => {
        // The program listens too: it decides what the signal does; the trace ends at exit.
        if (process.listenerCount(signal) > 1) return;
        log("info", "codetracer.signal", `${signal} received: finishing the trace, then ending the process by ${signal}`);
        process.off("exit", onExit);
        stop(undefined, signal);
        removeSignals();
        process.kill(process.pid, signal);
      };
      signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }
  return () => {
    process.off("exit", onExit);
    process.off("uncaughtExceptionMonitor", onUncaught);
    removeSignals();
  };
}
