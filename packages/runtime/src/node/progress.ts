/**
 * The live progress line of a long recorded run on a terminal (docs/commands.md "After every
 * run"): after 2 s, every 500 ms, `codetracer: recording — 1,234,567 events, 3.2 MB` on stderr,
 * drawn over itself and erased before anything the program writes to stdout or stderr, so the
 * two never share a line. Only when the CLI asks for it (`CODETRACER_PROGRESS=1`, set when its
 * own stderr is a terminal and the summary is on) and the program's stderr is a terminal. It is
 * redrawn when the event loop turns: a long synchronous run shows the figures of its start.
 * @packageDocumentation
 */
import * as fs from "node:fs";
import { ReflectApply } from "../primordials.js";
import { onProgramWrite } from "./io-capture.js";
import { isEnvTrue } from "./policy.js";

// As loaded: a program that replaces them does not stop the line or get its writes.
const writeSync = fs.writeSync;
const statSync = fs.statSync;
const setIntervalAtLoad = setInterval;
const setTimeoutAtLoad = setTimeout;
const clearIntervalAtLoad = clearInterval;
const clearTimeoutAtLoad = clearTimeout;

/** Erases the current terminal line (carriage return, then erase the whole line). */
const ERASE = "\r\x1b[2K";
const formatCount = new Intl.NumberFormat("en-US").format; // a bound function
const numberToFixed = Number.prototype.toFixed;
const probe = setTimeout(() => {}, 0);
const timerUnref = probe.unref;
clearTimeout(probe);
/** `timer.unref()` with the method as loaded. */
const unref = (timer: object): void => void ReflectApply(timerUnref, timer, []);

/** Wait before the first draw (ms): a short run never shows a line. */
export const PROGRESS_DELAY_MS = 2000;
/** Between two draws (ms). */
export const PROGRESS_INTERVAL_MS = 500;

/** Whether this process should draw the line: asked for by the CLI, stderr a terminal. */
export function progressWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return isEnvTrue(env.CODETRACER_PROGRESS) && process.stderr.isTTY === true;
}

function mb(bytes: number): string {
  return `${ReflectApply(numberToFixed, bytes / 1e6, [1]) as string} MB`;
}

/**
 * Starts drawing the line (see the module's comment).
 * @param events - the events recorded so far
 * @param eventsFile - the event file, whose size is shown
 * @returns the function that erases the line and stops (idempotent)
 */
export function startProgress(events: () => number, eventsFile: string): () => void {
  let shown = false;
  let interval: ReturnType<typeof setInterval> | undefined;
  const write = (text: string): void => {
    try {
      writeSync(2, text);
    } catch {
      // stderr closed or gone: no line
    }
  };
  const erase = (): void => {
    if (!shown) return;
    shown = false;
    write(ERASE);
  };
  const draw = (): void => {
    let size = 0;
    try {
      size = statSync(eventsFile).size;
    } catch {
      size = 0;
    }
    write(`${ERASE}codetracer: recording — ${formatCount(events())} events, ${mb(size)}`);
    shown = true;
  };
  const unhook = onProgramWrite(erase);
  const delay = setTimeoutAtLoad(() => {
    draw();
    interval = setIntervalAtLoad(draw, PROGRESS_INTERVAL_MS);
    unref(interval);
  }, PROGRESS_DELAY_MS);
  unref(delay);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearTimeoutAtLoad(delay);
    if (interval !== undefined) clearIntervalAtLoad(interval);
    unhook();
    erase();
  };
}
