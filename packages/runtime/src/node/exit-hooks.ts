/**
 * Finalises a session when the process ends, without changing how it ends:
 * - an `exit` listener: normal end, `process.exit()` anywhere, an uncaught exception or
 *   unhandled rejection (after Node printed it). A recorder error at that point is reported and
 *   makes the exit code 1, unless the program already exits with a failure code;
 * - an `uncaughtExceptionMonitor` listener: observes, never handles, so Node still prints the
 *   error and exits with the same code; the trace ends with an Error event;
 * - on the main thread, listeners for the signals of {@link FINALISED_SIGNALS} that act only
 *   when the program has no listener of its own for the signal (then Node's default would end
 *   the process): they finish the trace (`process_exit_status: {code: null, label: "SIGINT"}`),
 *   remove themselves and send the signal again, so the process dies of it as it would have,
 *   and the parent sees the same signal.
 *
 * The program cannot take these listeners away: `process.removeListener` / `process.off` /
 * `process.removeAllListeners` are guarded (see {@link guardProcess}) so that they remove
 * every listener but the recorder's; and `process.kill` of the process itself finishes the
 * trace before the signal ends the process, at once as without the recorder. What the program
 * can observe of this is listed in docs/recording.md ("What a program can observe"); the
 * signals, and what the CLI does after an end no listener sees (a fault signal, V8 out of
 * memory), in docs/recording.md ("Signals and abnormal ends").
 */
import { EventEmitter } from "node:events";
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import { asRecorderError, type RecorderError } from "../errors.js";
import { traceSummaryLine } from "@codetracer/trace-format/internal";
import { uncaptured } from "./io-capture.js";
import { isEnvTrue } from "./policy.js";
import { log, reportRecorderError } from "./log.js";
import type { NodeSession } from "./session.js";
import { ObjectHasOwn } from "../primordials.js";

// Intrinsics captured when the runtime loads, before the program runs: the program can replace
// any of them later without changing what the exit path does.
const apply = Reflect.apply;
const defineProperty = Object.defineProperty;
const getPrototypeOf = Object.getPrototypeOf;
const emitterProto = EventEmitter.prototype;
const eeOn = emitterProto.on;
const eeRemoveListener = emitterProto.removeListener;
const eeRemoveAllListeners = emitterProto.removeAllListeners;
const eeRawListeners = emitterProto.rawListeners;
const eeListenerCount = emitterProto.listenerCount;
const eeEventNames = emitterProto.eventNames;
const processKill = process.kill;
/** Node's binding behind `process.kill` (taking a signal number), looked up by it at each call. */
const rawKill = (process as unknown as { _kill?: (pid: number, signal: number) => number })._kill;
const signalNumbers = os.constants.signals as Readonly<Record<string, number | undefined>>;
/** This process's id (never changes; `process.pid` itself is a writable property). */
const ownPid = process.pid;
const weakSetHas = WeakSet.prototype.has;
const weakSetAdd = WeakSet.prototype.add;
const weakSetDelete = WeakSet.prototype.delete;
const processCwd = process.cwd;
const processUptime = process.uptime;

/**
 * The signals whose default action (ending the process) would skip the `exit` listeners, and
 * which the recorder finishes the trace on when the program does not listen for them itself:
 * `SIGINT`, `SIGTERM`, `SIGHUP`, `SIGQUIT` and `SIGUSR2` (on Windows `SIGINT`, `SIGTERM`,
 * `SIGHUP` and `SIGBREAK`). Not `SIGUSR1` (Node starts its inspector on it), not `SIGPIPE`
 * (Node ignores it); `SIGKILL`, `SIGSTOP` and the fault signals (`SIGSEGV`, `SIGBUS`, `SIGFPE`,
 * `SIGILL`, `SIGABRT` of a V8 out-of-memory) cannot be listened for: the CLI repairs the folder
 * after them (docs/recording.md "Signals and abnormal ends").
 */
export const FINALISED_SIGNALS: readonly NodeJS.Signals[] = Object.freeze(
  process.platform === "win32" ? ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"],
) as readonly NodeJS.Signals[];

/** The recorder's own listeners on `process`: the guarded removal methods leave them in place. */
const protectedListeners = new WeakSet<(...args: never[]) => void>();

/** `Function.prototype.apply` as loaded. */
const functionApply = Function.prototype.apply;

/**
 * Adds `listener` for `type` on `process`, protected from the program's removal calls. It gets
 * an own `apply` (the load-time `Function.prototype.apply`): Node's `EventEmitter.emit` calls
 * `handler.apply(this, args)`, which a program that deleted `Function.prototype.apply` (test262
 * does) would otherwise break at exit.
 */
function addProtected(type: string, listener: (...args: never[]) => void): void {
  defineProperty(listener, "apply", { value: functionApply, writable: false, enumerable: false, configurable: false });
  apply(weakSetAdd, protectedListeners, [listener]);
  apply(eeOn, process, [type, listener]);
}

/** Removes a listener added by {@link addProtected} (the recorder's own removal, unguarded). */
function removeProtected(type: string, listener: (...args: never[]) => void): void {
  apply(weakSetDelete, protectedListeners, [listener]);
  apply(eeRemoveListener, process, [type, listener]);
}

const isProtected = (listener: unknown): boolean => apply(weakSetHas, protectedListeners, [listener]) as boolean;

/**
 * Node's own `newListener` / `removeListener` listeners on `process` that start and stop
 * listening for a signal (`startListeningIfSignal`, `stopListeningIfSignal`), protected as ours
 * are (and every listener Node has on those two events gets its own `apply`, as ours do: see
 * {@link addProtected}): without the second, removing the recorder's signal listener would not give the signal
 * its default action back, and the signal the recorder sends again would end nothing. Taken
 * when the runtime loads, before the program runs.
 */
function protectNodeSignalWiring(): void {
  const types = ["newListener", "removeListener"];
  for (let t = 0; t < types.length; t++) {
    const listeners = apply(eeRawListeners, process, [types[t]]) as Array<{ name?: unknown }>;
    for (let i = 0; i < listeners.length; i++) {
      const name = listeners[i]!.name;
      if (name === "startListeningIfSignal" || name === "stopListeningIfSignal") apply(weakSetAdd, protectedListeners, [listeners[i]]);
      // Node emits these events through `listeners[i].apply(...)` (each of Node's own listeners
      // here, e.g. its `multipleResolves` bookkeeping): see addProtected.
      if (!ObjectHasOwn(listeners[i]!, "apply"))
        defineProperty(listeners[i]!, "apply", { value: functionApply, writable: false, enumerable: false, configurable: false });
    }
  }
}
protectNodeSignalWiring();

/**
 * Removes every listener of `type` from `process` but the recorder's, last added first, as
 * `removeAllListeners(type)` does (each removal emits `removeListener` when the program listens
 * for it). With no listener of the recorder's for `type`, Node's own method does the work.
 */
function removeAllButProtected(type: string | symbol): void {
  const listeners = apply(eeRawListeners, process, [type]) as unknown[];
  let ours = false;
  for (let i = 0; i < listeners.length; i++) if (isProtected(listeners[i])) ours = true;
  if (!ours) {
    apply(eeRemoveAllListeners, process, [type]);
    return;
  }
  for (let i = listeners.length - 1; i >= 0; i--) {
    if (!isProtected(listeners[i])) apply(eeRemoveListener, process, [type, listeners[i]]);
  }
}

/**
 * The signal handlers of the active session of this thread, by signal name and number (a
 * null-prototype object only this module reaches): the guarded `process.kill` runs one at once
 * when the program signals itself.
 */
const selfSignalHandlers: Record<string | number, (() => void) | undefined> = { __proto__: null } as unknown as Record<string | number, undefined>;

/** Sends `signal` to this process with what was captured at load. */
function raise(signal: NodeJS.Signals): void {
  const number = signalNumbers[signal];
  if (typeof rawKill === "function" && number !== undefined) apply(rawKill, process, [ownPid, number]);
  else apply(processKill, process, [ownPid, signal]);
}

let guarded = false;

/**
 * Guards what the exit path depends on against the program (once per thread; later calls do
 * nothing):
 * - `process.removeListener`, `process.off` and `process.removeAllListeners` leave the
 *   recorder's listeners (and Node's own signal wiring) in place. The guards sit on `process`'s
 *   own prototype object (between `process` and `EventEmitter.prototype`), so other emitters are
 *   untouched and `process` gets no own property; for any other receiver they call Node's
 *   methods unchanged. `process.off === process.removeListener` stays true.
 * - `process.kill` of this process (or its group) with a signal the recorder listens for, when
 *   the program has no listener of its own, finishes the trace and sends the signal before it
 *   returns, so the process dies at once, as without the recorder.
 *
 * `EventEmitter.prototype.removeAllListeners.call(process, type)` is covered too: with a
 * `removeListener` listener present (Node's signal wiring, protected) it removes through
 * `this.removeListener`. Not covered: a program editing `process._events`, replacing
 * `process.emit`, or calling `process.reallyExit` (which skips `exit`); under the CLI the folder
 * is then repaired after the exit.
 */
export function guardProcess(): void {
  if (guarded) return;
  guarded = true;
  const target = getPrototypeOf(process) === emitterProto ? process : (getPrototypeOf(process) as object);
  const removeListener = function removeListener(this: unknown, type: string | symbol, listener: (...args: unknown[]) => void): unknown {
    if (this === process && isProtected(listener)) return this;
    return apply(eeRemoveListener, this, [type, listener]);
  };
  const removeAllListeners = function removeAllListeners(this: unknown, type?: string | symbol): unknown {
    if (this !== process) return apply(eeRemoveAllListeners, this, arguments.length === 0 ? [] : [type]);
    if (arguments.length > 0) {
      removeAllButProtected(type as string | symbol);
      return this;
    }
    // Every type, `removeListener` last, as Node's method does.
    const names = apply(eeEventNames, process, []) as Array<string | symbol>;
    for (let i = 0; i < names.length; i++) if (names[i] !== "removeListener") removeAllButProtected(names[i]!);
    removeAllButProtected("removeListener");
    return this;
  };
  defineProperty(removeListener, "length", { value: eeRemoveListener.length });
  defineProperty(removeAllListeners, "length", { value: eeRemoveAllListeners.length });
  const method = (value: unknown) => ({ value, writable: true, enumerable: false, configurable: true });
  defineProperty(target, "removeListener", method(removeListener));
  defineProperty(target, "off", method(removeListener));
  defineProperty(target, "removeAllListeners", method(removeAllListeners));
  // A signal a process sends itself is delivered at once, and without a listener its default
  // action ends the process inside `process.kill`. With the recorder's listener Node would
  // deliver it at a later turn of the event loop, or never when nothing else keeps the loop
  // alive (its signal handles are unref'd): the program would go on, or exit 0. So when the
  // program signals itself with no listener of its own, the trace is finished and the signal
  // sent before `process.kill` returns, as without the recorder.
  const kill = function kill(this: unknown, pid: unknown, signal?: unknown): unknown {
    // This process, or its process group (0), which holds it.
    if ((typeof pid === "number" || typeof pid === "string") && (+pid === ownPid || (pid !== "" && +pid === 0))) {
      const key = typeof signal === "number" ? signal : typeof signal === "string" && signal !== "" ? signal : signal ? undefined : "SIGTERM";
      const handler = key === undefined ? undefined : selfSignalHandlers[key];
      if (handler !== undefined) handler();
    }
    return apply(processKill, this, arguments.length < 2 ? [pid] : [pid, signal]);
  };
  defineProperty(kill, "length", { value: processKill.length });
  defineProperty(process, "kill", { value: kill, writable: true, enumerable: true, configurable: true });
}

/** Installs the hooks for `session`; returns a function that removes them. */
export function installExitHooks(session: NodeSession): () => void {
  guardProcess();
  /** Stops the session; a recorder error is reported (stderr, log, trailer) and returned, never thrown. */
  // `CODETRACER_SUMMARY=1`: one summary line on stderr once the folder is finished (the CLI
  // prints its own and clears the variable for the program). Read now: the program may change
  // its environment and working directory before it ends.
  const summaryCwd = isMainThread && isEnvTrue(process.env.CODETRACER_SUMMARY) ? (apply(processCwd, process, []) as string) : null;
  const stop = (exitCode?: number, label?: string): RecorderError | undefined => {
    try {
      session.stop(exitCode, label);
      if (summaryCwd !== null) {
        const line = traceSummaryLine(session.traceDir, {
          cwd: summaryCwd,
          seconds: apply(processUptime, process, []) as number,
          end: exitCode !== undefined ? `exit ${exitCode}` : `killed by ${label ?? "<exit>"}`,
        });
        if (line) uncaptured(() => process.stderr.write(`${line}\n`)); // builtins-ok: the stream's own write, as for any write to stderr
      }
      return undefined;
    } catch (error) {
      const e = asRecorderError(error);
      // ERR_TRACE_MISSING comes after the folder was finished; anything else left it unfinished.
      const what = e.code === "ERR_TRACE_MISSING" ? "" : `could not finish the trace in ${session.traceDir}: `;
      uncaptured(() => process.stderr.write(`codetracer: ${what}${e.message}\n`)); // builtins-ok: the stream's own write, as for any write to stderr
      reportRecorderError(e);
      return e;
    }
  };
  const onExit = (code: number) => {
    if (stop(code) && !code) process.exitCode = 1;
  };
  const onUncaught = (error: unknown) => session.recorder.recordUncaught(error);
  addProtected("exit", onExit);
  addProtected("uncaughtExceptionMonitor", onUncaught);
  // One handler per signal, kept in a closure each (no collection the program could reach).
  let removeSignals = () => {};
  if (isMainThread) {
    for (let i = 0; i < FINALISED_SIGNALS.length; i++) {
      const signal = FINALISED_SIGNALS[i]!;
      const handler = () => {
        // The program listens too: it decides what the signal does; the trace ends at exit.
        if ((apply(eeListenerCount, process, [signal]) as number) > 1) return;
        log("info", "codetracer.signal", `${signal} received: finishing the trace, then ending the process by ${signal}`);
        removeProtected("exit", onExit);
        stop(undefined, signal);
        removeSignals();
        removeSignals = () => {};
        raise(signal);
      };
      addProtected(signal, handler);
      selfSignalHandlers[signal] = handler;
      const number = signalNumbers[signal];
      if (number !== undefined) selfSignalHandlers[number] = handler;
      const removeOthers = removeSignals;
      removeSignals = () => {
        removeProtected(signal, handler);
        if (selfSignalHandlers[signal] === handler) selfSignalHandlers[signal] = undefined;
        if (number !== undefined && selfSignalHandlers[number] === handler) selfSignalHandlers[number] = undefined;
        removeOthers();
      };
    }
  }
  return () => {
    removeProtected("exit", onExit);
    removeProtected("uncaughtExceptionMonitor", onUncaught);
    removeSignals();
    removeSignals = () => {};
  };
}
