/**
 * The figures `codetracer-trace inspect` gives about a trace's events, gathered one event at a
 * time (so they can be fed from a stream as well as from an array): events by kind, steps per
 * file, calls and steps per function (a step counts for the function of the current frame,
 * followed through Call and Return). docs/commands.md.
 * @packageDocumentation
 */
import { readTraceEvents, TraceFormatError, type TraceLowLevelEvent } from "@codetracer/trace-format";
import { TraceCommandError } from "./folder.js";
import type { TraceFolderInfo } from "./folder.js";
import { newerFormatNote } from "./inspect-tree.js";

/** The event kinds in the order `inspect` lists them (others follow in the order met). */
export const EVENT_KIND_ORDER = [
  "Step",
  "Call",
  "Return",
  "Value",
  "Path",
  "Function",
  "Type",
  "VariableName",
  "Variable",
  "Event",
  "Asm",
  "BindVariable",
  "DropVariables",
  "DropVariable",
  "ThreadStart",
  "ThreadExit",
  "ThreadSwitch",
  "DropLastStep",
];

/** A function of the trace with its figures. */
export interface FunctionTally {
  /** Its `FunctionId` (index among the Function events). */
  id: number;
  /** Its name as recorded (`<top-level>`, `<module>`, `Cart.add`, …). */
  name: string;
  /** Its file (from the Path events; `<path N>` when unknown). */
  path: string;
  /** The line of its declaration (1-based). */
  line: number;
  /** Call events of it. */
  calls: number;
  /** Step events while it was the function of the current frame. */
  steps: number;
}

/**
 * Gathers the figures of a trace's events, fed one at a time with {@link EventTally.add}.
 * Malformed events (a missing field) are counted by kind and otherwise ignored: `validate`
 * is the place that reports them.
 */
export class EventTally {
  /** Events added. */
  total = 0;
  /** Events by kind (the variant name: `Step`, `Call`, …; `DropLastStep`). */
  readonly byKind = new Map<string, number>();
  /** The Path events in order (index: `PathId`). */
  readonly paths: string[] = [];
  /** Step events by `PathId`. */
  readonly stepsByPath: number[] = [];
  /** The Function events in order (index: `FunctionId`). */
  readonly functions: Array<{ name: string; pathId: number; line: number }> = [];
  /** Calls by `FunctionId`. */
  readonly callsByFunction: number[] = [];
  /** Steps by `FunctionId` of the frame they ran in. */
  readonly stepsByFunction: number[] = [];
  /** Steps outside any call (before the first Call or after the last Return). */
  stepsOutsideCalls = 0;
  /** Returns without a matching Call. */
  unmatchedReturns = 0;
  /** The deepest the call stack got. */
  maxDepth = 0;
  private readonly stack: number[] = [];
  private lastStep: { pathId: number; fn: number } | null = null;

  /** Adds one event. */
  add(event: TraceLowLevelEvent): void {
    this.total++;
    if (typeof event === "string") {
      this.count(event);
      if (event === "DropLastStep" && this.lastStep) {
        bump(this.stepsByPath, this.lastStep.pathId, -1);
        if (this.lastStep.fn >= 0) bump(this.stepsByFunction, this.lastStep.fn, -1);
        else this.stepsOutsideCalls--;
        this.lastStep = null;
      }
      return;
    }
    if (event === null || typeof event !== "object") {
      this.count("<invalid>");
      return;
    }
    let kind: string | undefined;
    for (const key in event) {
      kind = key;
      break;
    }
    if (kind === undefined) {
      this.count("<invalid>");
      return;
    }
    this.count(kind);
    const body = (event as Record<string, unknown>)[kind] as Record<string, unknown> | string | number | null;
    switch (kind) {
      case "Step": {
        const pathId = typeof (body as { path_id?: unknown })?.path_id === "number" ? (body as { path_id: number }).path_id : -1;
        if (pathId >= 0) bump(this.stepsByPath, pathId, 1);
        const fn = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : -1;
        if (fn >= 0) bump(this.stepsByFunction, fn, 1);
        else this.stepsOutsideCalls++;
        this.lastStep = { pathId, fn };
        break;
      }
      case "Call": {
        const fn = typeof (body as { function_id?: unknown })?.function_id === "number" ? (body as { function_id: number }).function_id : -1;
        if (fn >= 0) bump(this.callsByFunction, fn, 1);
        this.stack.push(fn);
        if (this.stack.length > this.maxDepth) this.maxDepth = this.stack.length;
        break;
      }
      case "Return":
        if (this.stack.length > 0) this.stack.pop();
        else this.unmatchedReturns++;
        break;
      case "Path":
        this.paths.push(typeof body === "string" ? body : String(body));
        break;
      case "Function": {
        const f = body as { name?: unknown; path_id?: unknown; line?: unknown } | null;
        this.functions.push({
          name: typeof f?.name === "string" ? f.name : "<unnamed>",
          pathId: typeof f?.path_id === "number" ? f.path_id : -1,
          line: typeof f?.line === "number" ? f.line : 0,
        });
        break;
      }
      default:
        break;
    }
  }

  /** Calls still open at the end (a recording cut short, or a trace whose top level never returned). */
  get openCalls(): number {
    return this.stack.length;
  }

  /** Events by kind, in {@link EVENT_KIND_ORDER} then the order met. */
  kinds(): Array<{ kind: string; count: number }> {
    const known = EVENT_KIND_ORDER.filter((k) => this.byKind.has(k));
    const other = [...this.byKind.keys()].filter((k) => !EVENT_KIND_ORDER.includes(k));
    return [...known, ...other].map((kind) => ({ kind, count: this.byKind.get(kind)! }));
  }

  /** Every function with its calls and steps, in `FunctionId` order. */
  functionTallies(): FunctionTally[] {
    return this.functions.map((f, id) => ({
      id,
      name: f.name,
      path: this.paths[f.pathId] ?? `<path ${f.pathId}>`,
      line: f.line,
      calls: this.callsByFunction[id] ?? 0,
      steps: this.stepsByFunction[id] ?? 0,
    }));
  }

  /**
   * The `limit` functions with the most of `by` (ties: the one defined first), leaving out those
   * with none.
   */
  top(by: "calls" | "steps", limit: number): FunctionTally[] {
    return this.functionTallies()
      .filter((f) => f[by] > 0)
      .sort((a, b) => b[by] - a[by] || a.id - b.id)
      .slice(0, limit);
  }

  private count(kind: string): void {
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }
}

function bump(counts: number[], index: number, by: number): void {
  while (counts.length <= index) counts.push(0);
  counts[index]! += by;
}

/**
 * Reads the events of a trace folder as a stream (`readTraceEvents`: `trace.json` chunk by
 * chunk, `trace.bin` frame by frame, so memory does not grow with the trace) and tallies them.
 * An unfinished folder (no `trace_metadata.json`) gives the whole events written before the
 * torn end; a finished one whose event file ends early is an error.
 *
 * @param info - the folder, from `openTraceFolder`
 * @returns the tally
 * @throws {@link TraceCommandError} (exit 1) when the events cannot be read (a corrupt or
 *   truncated `trace.bin`, malformed `trace.json`); the message is the reader's
 */
export function tallyFolder(info: TraceFolderInfo): EventTally {
  const tally = new EventTally();
  const fail = (message: string): TraceCommandError => {
    const note = newerFormatNote(info);
    return new TraceCommandError(`cannot read the events: ${note ? `${note} (${message})` : message}`, 1);
  };
  try {
    const stream = readTraceEvents(info.eventsFile);
    for (const event of stream) tally.add(event);
    if (stream.finished === false && !info.unfinished) {
      throw fail(
        `${info.eventsFile} ends early: ${stream.events} whole events, then ${stream.droppedBytes} bytes that do not make a whole event ` +
          `(the folder's trace_metadata.json says the recording finished: the file was cut or damaged afterwards)`,
      );
    }
  } catch (error) {
    if (error instanceof TraceFormatError) throw fail(error.message);
    throw error;
  }
  return tally;
}
