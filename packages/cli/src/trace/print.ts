/**
 * `codetracer-trace print DIR [options]` (docs/commands.md "print"): the run as text, calls as
 * an indented tree with their arguments and return values, optionally every step with its
 * `file:line` and the locals recorded at it. It streams: the events are read as they are
 * printed (`readTraceEvents`), so the first lines of a 10 M-event trace come at once, memory
 * does not grow with the trace, and `print DIR | head` ends as soon as `head` does.
 * @packageDocumentation
 */
import * as path from "node:path";
import {
  EventLogKind,
  readTraceEvents,
  TraceFormatError,
  type FullValueRecord,
  type TraceLowLevelEvent,
  type TypeRecord,
  type ValueRecord,
} from "@codetracer/trace-format";
import { EXIT_USAGE, openTraceFolder, TraceCommandError, type TraceFolderInfo } from "./folder.js";
import { newerFormatNote, shellWord } from "./inspect-tree.js";
import { renderValue } from "./render-values.js";

/** One line for the list of commands. */
export const summary = "the run as text: calls, arguments, returns (and steps)";

/** Usage text. */
export const usage = `Usage: codetracer-trace print DIR [options]

Prints the recorded run as text: each call with its arguments, indented under its caller,
and what it returned. Streams: the first lines of a big trace come at once.

  make(n=2)
    make(n=1) → 1
  → 2

Options:
  --steps              also every step (executed line) as '#STEP file:line  locals', and the
                       program's output ([stdout] / [stderr] lines)
  --function NAME      only the calls of function NAME (or Class.NAME) and what runs under them
  --file SUFFIX        only calls of functions defined in, and steps in, files whose path ends
                       with SUFFIX (e.g. src/store.ts)
  --from-step N        start at step N (steps are counted from 0, as CodeTracer does); the
                       calls open at that step are printed first
  --to-step N          stop after step N
  --max-depth N        only calls nested less than N deep (1: the top-level calls)
  --help               this text

A trace folder's worker and child process folders are listed at the end (print each one with
its own command). An unfinished recording is printed as far as it got.
`;

/** What {@link parsePrintArgs} reads from the command line. */
export interface PrintOptions {
  /** The trace folder. */
  dir: string;
  /** Print every step and IO event too. */
  steps: boolean;
  /** Only calls of this function and what is under them. */
  function?: string;
  /** Only calls of functions defined in (and steps in) files whose path ends with this. */
  file?: string;
  /** First step shown (0-based). */
  fromStep?: number;
  /** Last step shown (0-based). */
  toStep?: number;
  /** Calls nested this deep or deeper are not shown (1: only the top-level calls). */
  maxDepth?: number;
}

/**
 * Reads the arguments of `print`.
 * @throws {@link TraceCommandError} (exit 2) for a missing `DIR`, an unknown option, a missing
 *   or malformed option value
 */
export function parsePrintArgs(argv: string[]): PrintOptions {
  let dir: string | undefined;
  const options: Omit<PrintOptions, "dir"> = { steps: false };
  const number = (name: string, text: string | undefined, min: number): number => {
    if (text === undefined || !/^\d+$/.test(text) || Number(text) < min) {
      throw new TraceCommandError(
        `print: ${name} needs a whole number${min > 0 ? ` of at least ${min}` : ""}, got ${text === undefined ? "nothing" : `'${text}'`}\n${usage}`,
        EXIT_USAGE,
      );
    }
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case "--steps":
        options.steps = true;
        break;
      case "--function": {
        const v = value();
        if (!v) throw new TraceCommandError(`print: --function needs a function name\n${usage}`, EXIT_USAGE);
        options.function = v;
        break;
      }
      case "--file": {
        const v = value();
        if (!v) throw new TraceCommandError(`print: --file needs a path suffix\n${usage}`, EXIT_USAGE);
        options.file = v;
        break;
      }
      case "--from-step":
        options.fromStep = number(name, value(), 0);
        break;
      case "--to-step":
        options.toStep = number(name, value(), 0);
        break;
      case "--max-depth":
        options.maxDepth = number(name, value(), 1);
        break;
      default:
        if (arg.startsWith("-") && arg !== "-") throw new TraceCommandError(`print: unknown option '${arg}'\n${usage}`, EXIT_USAGE);
        if (dir !== undefined) throw new TraceCommandError(`print: one trace folder at a time (got '${dir}' and '${arg}')\n${usage}`, EXIT_USAGE);
        dir = arg;
    }
  }
  if (dir === undefined) throw new TraceCommandError(`print: which trace folder?\n${usage}`, EXIT_USAGE);
  if (options.fromStep !== undefined && options.toStep !== undefined && options.toStep < options.fromStep) {
    throw new TraceCommandError(`print: --to-step ${options.toStep} is before --from-step ${options.fromStep}`, EXIT_USAGE);
  }
  return { dir, ...options };
}

/** Where {@link printTrace} writes: resolves to `false` when the reader went away (stop). */
export type PrintSink = (text: string) => Promise<boolean>;

/** What {@link printTrace} did. */
export interface PrintResult {
  /** Lines written. */
  lines: number;
  /** Events read. */
  events: number;
  /** Bytes of the event file read. */
  bytesRead: number;
  /** Size of the event file. */
  eventsBytes: number;
  /** True when the sink stopped taking output (a closed pipe): the rest was not read. */
  stopped: boolean;
  /** True when the recording finished (its metadata is there) but its event file is cut short: its whole events were printed. */
  truncated: boolean;
}

interface Frame {
  fn: number;
  args: FullValueRecord[];
  /** Its call line is shown (filters). */
  visible: boolean;
  /** It is nested too deep (--max-depth): neither it nor anything under it is shown. */
  deep: boolean;
  /** Indentation of its call line. */
  indent: number;
  /** Indentation of what runs under it. */
  childIndent: number;
  /** It is a call of --function. */
  focus: boolean;
  /** Its call line was written. */
  printed: boolean;
}

/** Output batched into writes of ~16 KB (or every 100 ms), each awaited: backpressure, and a closed pipe stops the reading. */
class Output {
  private parts: string[] = [];
  private size = 0;
  private last = Date.now();
  lines = 0;
  closed = false;
  constructor(private readonly sink: PrintSink) {}
  /** Adds a line; true when it is time to {@link flush}. */
  line(text: string): boolean {
    this.parts.push(text, "\n");
    this.size += text.length + 1;
    this.lines++;
    return this.size >= 16384 || Date.now() - this.last > 100;
  }
  async flush(): Promise<void> {
    this.last = Date.now();
    if (this.parts.length === 0 || this.closed) return;
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (!(await this.sink(text))) this.closed = true;
  }
}

/** Writes to the process's stdout, resolving after each write (false on an error such as EPIPE). */
export const stdoutSink: PrintSink = (text) =>
  new Promise((resolve) => {
    process.stdout.write(text, (error) => resolve(!error));
  });

function displayPath(file: string | undefined, workdir: string | undefined): string {
  if (file === undefined) return "<unknown file>";
  if (workdir && path.isAbsolute(file)) {
    const rel = path.relative(workdir, file);
    if (rel && !rel.startsWith("..") && !path.isAbsolute(rel)) return rel.split(path.sep).join("/");
  }
  return file;
}

function matchesFunction(name: string, wanted: string): boolean {
  return name === wanted || name.endsWith(`.${wanted}`);
}

/**
 * Prints the trace folder described by `info` to `sink`, as `codetracer-trace print` does
 * (see {@link usage} for the options' meaning).
 *
 * @returns what was printed and read
 * @throws {@link TraceCommandError} (exit 1) when the event file cannot be read or is not a
 *   trace (what was printed before stays printed)
 */
export async function printTrace(info: TraceFolderInfo, options: Omit<PrintOptions, "dir">, sink: PrintSink): Promise<PrintResult> {
  const out = new Output(sink);
  const stream = readTraceEvents(info.eventsFile);
  const workdir = typeof info.metadata?.workdir === "string" ? info.metadata.workdir : undefined;
  const paths: string[] = [];
  const functions: Array<{ name: string; pathId: number; line: number }> = [];
  const types: TypeRecord[] = [];
  const variables: string[] = [];
  const stack: Frame[] = [];
  const from = options.fromStep ?? 0;
  const to = options.toStep ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const fileSuffix = options.file;
  let step = -1; // the index of the last Step event
  let focus = 0; // open calls of --function
  let pendingCall: { frame: Frame; text: string } | null = null; // a call line held back: it may end on one line with its return
  let pendingStep: { text: string; locals: string[] } | null = null; // a step line waiting for its locals
  let reachedRange = from === 0; // the events before the first step belong to step 0
  let stoppedAtStep = false;
  let functionSeen = false;

  const value = (v: ValueRecord) => renderValue(v, types);
  const varName = (id: number) => variables[id] ?? `<var ${id}>`;
  const fnName = (id: number) => functions[id]?.name ?? `<function ${id}>`;
  const pad = (n: number) => "  ".repeat(n);
  const callText = (f: Frame) => `${pad(f.indent)}${fnName(f.fn)}(${f.args.map((a) => `${varName(a.variable_id)}=${value(a.value)}`).join(", ")})`;
  const fileMatches = (pathId: number) => fileSuffix === undefined || (paths[pathId] ?? "").endsWith(fileSuffix);
  /** Writes a line, first the held-back call and step lines; true when it is time to flush. */
  const emit = (text: string): boolean => {
    let flush = false;
    if (pendingCall) {
      pendingCall.frame.printed = true;
      flush = out.line(pendingCall.text) || flush;
      pendingCall = null;
    }
    if (pendingStep) {
      const s = pendingStep;
      pendingStep = null;
      flush = out.line(s.locals.length > 0 ? `${s.text}  ${s.locals.join(", ")}` : s.text) || flush;
    }
    return (text === "" ? false : out.line(text)) || flush;
  };
  /** The body of the innermost call is shown (steps, IO, calls under it). */
  const bodyShown = (): boolean => {
    if (!reachedRange) return false;
    if (options.function !== undefined && focus === 0) return false;
    const top = stack[stack.length - 1];
    return top === undefined || !top.deep;
  };
  /** Entering the --from-step range: the calls still open are printed first, so the tree reads on. */
  const enterRange = (): boolean => {
    reachedRange = true;
    let flush = false;
    for (const f of stack) {
      if (!f.visible || f.printed) continue;
      f.printed = true;
      flush = out.line(`${callText(f)} …`) || flush;
    }
    return flush;
  };

  const handle = (event: TraceLowLevelEvent): boolean => {
    if (typeof event === "string") return false; // DropLastStep
    if ("Step" in event) {
      step++;
      if (step > to) {
        stoppedAtStep = true;
        return false;
      }
      let flush = false;
      if (!reachedRange && step >= from) flush = enterRange();
      if (pendingStep) flush = emit("") || flush;
      if (options.steps && bodyShown() && fileMatches(event.Step.path_id)) {
        const top = stack[stack.length - 1];
        const where = `${displayPath(paths[event.Step.path_id], workdir)}:${event.Step.line}`;
        flush = emit("") || flush;
        pendingStep = { text: `${pad(top?.childIndent ?? 0)}#${step} ${where}`, locals: [] };
      }
      return flush;
    }
    if ("Value" in event) {
      if (pendingStep) pendingStep.locals.push(`${varName(event.Value.variable_id)}=${value(event.Value.value)}`);
      return false;
    }
    if ("Call" in event) {
      const parent = stack[stack.length - 1];
      const fn = functions[event.Call.function_id];
      const isFocus = options.function !== undefined && fn !== undefined && matchesFunction(fn.name, options.function);
      if (isFocus) {
        focus++;
        functionSeen = true;
      }
      const indent = parent?.childIndent ?? 0;
      const deep = (parent?.deep ?? false) || indent >= maxDepth;
      const inFocus = options.function === undefined || focus > 0;
      const visible = inFocus && !deep && (fn === undefined || fileMatches(fn.pathId));
      const frame: Frame = {
        fn: event.Call.function_id,
        args: event.Call.args ?? [],
        visible,
        deep,
        indent,
        // with --function, what is outside the focused calls takes no indentation
        childIndent: visible ? indent + 1 : inFocus ? indent : 0,
        focus: isFocus,
        printed: false,
      };
      stack.push(frame);
      if (!visible || !reachedRange) return false;
      const flush = emit("");
      pendingCall = { frame, text: callText(frame) };
      return flush;
    }
    if ("Return" in event) {
      const frame = stack.pop();
      if (frame === undefined) return false;
      if (frame.focus) focus--;
      if (!frame.visible || !reachedRange) return false;
      const rendered = value(event.Return.return_value);
      if (pendingCall && pendingCall.frame === frame) {
        const text = `${pendingCall.text} → ${rendered}`;
        pendingCall = null;
        frame.printed = true;
        return emit(text);
      }
      if (!frame.printed) return false;
      return emit(`${pad(frame.indent)}→ ${rendered}`);
    }
    if ("Event" in event) {
      const kind = event.Event.kind;
      if (!options.steps || !bodyShown()) return false;
      const label = kind === EventLogKind.Write ? "stdout" : kind === EventLogKind.WriteOther ? "stderr" : kind === EventLogKind.Error ? "error" : null;
      if (label === null) return false;
      const top = stack[stack.length - 1];
      let text = String(event.Event.content);
      if (text.endsWith("\n")) text = text.slice(0, -1);
      const shown = text.length > 200 ? `${text.slice(0, 199)}…` : text;
      return emit(`${pad(top?.childIndent ?? 0)}[${label}] ${JSON.stringify(shown).slice(1, -1)}`);
    }
    if ("Path" in event) paths.push(event.Path);
    else if ("Function" in event) functions.push({ name: String(event.Function.name), pathId: event.Function.path_id, line: event.Function.line });
    else if ("Type" in event) types.push(event.Type);
    else if ("VariableName" in event) variables.push(event.VariableName);
    else if ("Variable" in event) variables.push(event.Variable);
    return false;
  };

  let failure: unknown;
  let truncated = false;
  try {
    for (const event of stream) {
      if (handle(event)) {
        await out.flush();
        if (out.closed) break;
      }
      if (stoppedAtStep) break;
    }
  } catch (error) {
    failure = error;
  }
  if (!out.closed) {
    emit("");
    const notes: string[] = [];
    if (failure === undefined && !stoppedAtStep) {
      if (options.fromStep !== undefined && !reachedRange) notes.push(`-- the trace has ${step + 1} steps: none from step ${options.fromStep} on`);
      if (options.function !== undefined && !functionSeen) notes.push(`-- no call of ${options.function} was recorded`);
      const dropped =
        stream.droppedBytes > 0 ? ` (${stream.droppedBytes} bytes after the last whole ${info.format === "json" ? "event" : "frame"} left out)` : "";
      if (info.unfinished) {
        notes.push(
          `-- unfinished recording: no trace_metadata.json; printed what was written, ${stream.events} events${dropped}, ${stack.length} calls still open`,
          `-- (the program was killed or is still running; to finish the folder: codetracer-js-recorder --repair ${shellWord(info.dir)})`,
        );
      } else if (stream.finished === false) {
        truncated = true;
        notes.push(
          `-- ${path.basename(info.eventsFile)} is cut short: it does not end as a finished recording's does; printed the ${stream.events} whole events before the cut${dropped}`,
          `-- (codetracer-trace validate ${shellWord(info.dir)} says more)`,
        );
      }
    }
    if (stoppedAtStep) notes.push(`-- stopped after step ${to} (--to-step)`);
    if (info.subFolders.length > 0) {
      const list = info.subFolders.map((s) => `${s.kind} ${path.relative(info.dir, s.dir).split(path.sep).join("/")}`);
      notes.push(`-- not printed here, each has its own trace folder: ${list.join(", ")}`);
    }
    for (const n of notes) out.line(n);
    await out.flush();
  }
  if (failure !== undefined) {
    if (failure instanceof TraceFormatError) throw new TraceCommandError(`${info.dir}: cannot read the trace: ${newerFormatNote(info) ?? failure.message}`, 1);
    throw failure;
  }
  return { lines: out.lines, events: stream.events, bytesRead: stream.bytesRead, eventsBytes: info.eventsBytes, stopped: out.closed, truncated };
}

/**
 * Runs `codetracer-trace print` with the arguments after `print`.
 * @returns 0 when printed (also an unfinished recording, as far as it was written); 1 when a
 *   finished recording's event file is cut short (its whole events are printed)
 * @throws {@link TraceCommandError} exit 2 for a usage error or a folder that is not a trace;
 *   exit 1 when its event file cannot be read
 */
export async function run(argv: string[]): Promise<number> {
  const options = parsePrintArgs(argv);
  const info = openTraceFolder(options.dir);
  const result = await printTrace(info, options, stdoutSink);
  return result.truncated ? 1 : 0;
}
