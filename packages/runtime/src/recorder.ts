/**
 * The recorder: implements the {@link RuntimeApi} that instrumented code calls, turning its
 * small-integer events into runtime_tracing events in the order CodeTracer's loader requires
 * (docs/trace-format.md: "Ordering"):
 * - define before use: `Path`, `Function`, `Type` and `VariableName` events are emitted on
 *   first use, before the event that refers to them;
 * - every non-top-level `Call` is immediately preceded by an entry `Step` at the callee's
 *   definition line (docs/trace-format.md: "Ordering rule 4");
 * - the locals of a step are the `Value` events that follow its `Step` (docs/trace-format.md: "Ordering rule 2");
 * - calls and returns balance: a throw, an `await`/`yield` suspension and a frame left behind
 *   (a module that threw, a frame abandoned by a `for await`) each get a `Return`, and a
 *   resumption gets a `Call` with no arguments (docs/trace-format.md: "Ordering rule 5").
 */
import type { FilterStatsJSON, ScopePolicy, ValueAction } from "@codetracer/trace-filter";
import { stricter } from "@codetracer/trace-filter/decision";
import { EventLogKind, type FullValueRecord, type TraceEventWriter, type TraceLowLevelEvent, type ValueRecord } from "@codetracer/trace-format/types";
import { ABI_VERSION, type FileRuntime, type FileTable, type FrameHandle, type RuntimeApi } from "./abi.js";
import { TypeTable, ValueEncoder, filledArray, type ValueCaptureLimits } from "./values.js";
import { noteFunctionSources } from "./function-source.js";
import { delegation } from "./delegation.js";
import {
  FunctionPrototypeBind,
  JSONStringify,
  ErrorCtor,
  MathMax,
  ObjectGetOwnPropertyDescriptor,
  ReflectApply,
  ObjectGetPrototypeOf,
  RangeErrorCtor,
  TypeErrorCtor,
  SafeMap,
  SafeSet,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  appendOwn,
  ownSlots,
  safeArray,
  type SafeArray,
} from "./primordials.js";

/**
 * Receives the events in order. The typed methods, when present, must write what `write`
 * would for the same event (as the trace-format writers' do, see `TraceEventWriter`): the
 * recorder uses them for its hot events so no event object is built.
 */
export interface TraceEventSink {
  write(event: TraceLowLevelEvent): void;
  writeStep?(pathId: number, line: number): void;
  writeValue?(variableId: number, value: ValueRecord): void;
  writeCall?(functionId: number, args: readonly FullValueRecord[]): void;
  writeReturn?(value: ValueRecord): void;
}

/** `sink` with every typed method (the missing ones build the event and call `write`). */
function completeSink(sink: TraceEventSink): TraceEventWriter {
  return {
    write: (event) => sink.write(event),
    writeStep: sink.writeStep ? FunctionPrototypeBind(sink.writeStep, sink) : (path_id, line) => sink.write({ Step: { path_id, line } }),
    writeValue: sink.writeValue ? FunctionPrototypeBind(sink.writeValue, sink) : (variable_id, value) => sink.write({ Value: { variable_id, value } }),
    writeCall: sink.writeCall
      ? FunctionPrototypeBind(sink.writeCall, sink)
      : (function_id, args) => sink.write({ Call: { function_id, args: args as FullValueRecord[] } }),
    writeReturn: sink.writeReturn ? FunctionPrototypeBind(sink.writeReturn, sink) : (return_value) => sink.write({ Return: { return_value } }),
  };
}

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** Where events go. */
  sink: TraceEventSink;
  /** Value capture bounds. */
  limits?: Partial<ValueCaptureLimits>;
  /** Tells Proxies apart so value capture never runs their traps (Node: `util.types.isProxy`). */
  isProxy?: (value: unknown) => boolean;
  /**
   * Absolute path (POSIX separators) of a file: nothing is recorded until execution first
   * enters it (`--activation-path`). Unset: record from the start.
   */
  activationPath?: string;
  /**
   * Called once, when the recorder detaches after an internal failure. An error it returns is
   * thrown into the program from the recorder call that failed (the `abort` policy).
   */
  onInternalError?: (error: unknown) => Error | undefined | void;
  /**
   * Test hook (`CODETRACER_TEST_INJECT_FAILURE=step:N`): the recorder fails, as if it had a bug,
   * while recording its N-th step (1-based). 0 or unset: never.
   */
  injectFailureAtStep?: number;
  /**
   * The trace filter's run-time part: for a scope (file path, qualified function name), what
   * to do with each object field captured in its values (`attr` value patterns), or `null`
   * to capture every field. Asked once per function; the returned function is asked once per
   * field name and should cache.
   */
  attrPolicy?: (file: string, scope: string) => AttrPolicy | null;
  /**
   * A trace filter applied at run time (the session API's `traceFilter`), on top of what the
   * compile-time filter decided: for a scope (file path, qualified function name), `skip`
   * records no frame for it (its callees are decided on their own), and `valueAction` hides
   * arguments (`arg`), locals (`local`, `global` in a module body) and the return value
   * (`ret`, name `return`). Asked once per function, then once per name. It can only hide
   * more: what the compiled code does not capture cannot be brought back. `null`: no say.
   */
  scopePolicy?: (file: string, scope: string) => RuntimeScopeDecision | null;
  /**
   * Receives every change of the `detaches` and `internal_errors` counters, with its reason
   * (the session API's `metrics` option; docs/errors.md, "Metrics"). Called synchronously,
   * inside the recorder call that changed the counter, never while it runs already. What it
   * throws is caught: it counts as an internal error (without a further update, and without
   * detaching) and is passed to {@link onMetricsError}.
   */
  onMetric?: (update: MetricUpdate) => void;
  /** Told what {@link onMetric} threw (the session logs it). Must not throw. */
  onMetricsError?: (error: unknown) => void;
}

/** Why the recorder detached or counted an internal error: one entry of `stats.detach_reasons`. */
export interface DetachReason {
  /** The coded error's `ERR_*` code: `ERR_UNKNOWN` (a recorder failure), `ERR_IO` (the trace cannot be written). */
  code: string;
  /** `internal_error` (the recorder failed), `io_failure` (writing the trace failed), `metrics_sink` (the metrics sink threw). */
  reason: "internal_error" | "io_failure" | "metrics_sink";
  /** The error's message. */
  message: string;
  /** Events recorded before it (`stats.events` then). */
  at_event: number;
}

/** One update of a recorder counter, given to the metrics sink ({@link RecorderOptions.onMetric}). */
export interface MetricUpdate {
  /** The counter, named as in `trace_metadata.json`'s `stats`. */
  name: "detaches" | "internal_errors";
  /** Its value after the update. */
  value: number;
  /** By how much it changed (1). */
  delta: number;
  /** Why it changed, when known. */
  reason?: DetachReason;
}

/** What {@link RecorderOptions.scopePolicy} returns for a scope: a trace-filter decision. */
export type RuntimeScopeDecision = ScopePolicy;

/** A run-time value decision. */
export type RuntimeValueAction = ValueAction;

export { stricter };

/** What to do with one object field, by its name (see {@link RecorderOptions.attrPolicy}). */
export type AttrPolicy = (field: string) => "allow" | "redact" | "drop";

/** Counters of the trace filter's work, in the shape of `trace_metadata.json`'s `trace_filter.stats` (one home: trace-filter's `FilterStatsJSON`). */
export type FilterCounters = FilterStatsJSON;

/**
 * What happens to a named value: `Allow` (a value is passed and written); `Redact`, `Drop` (the
 * compile-time filter hid it: no value is passed); `RedactPassed`, `DropPassed` (the run-time
 * filter hides it: a value is passed and ignored).
 */
const enum Action {
  Allow,
  Redact,
  Drop,
  RedactPassed,
  DropPassed,
}

/** A site's or function's names, resolved: variable ids and the filter's action for each. */
interface Slots {
  vars: SafeArray<number>;
  /** `null` when every name is allowed (the common case). */
  actions: SafeArray<Action> | null;
}

/**
 * Most events a frame opened by a field initialiser may hold back waiting for its constructor's
 * arguments; past this its `Call` is written without arguments.
 */
const MAX_DEFERRED_EVENTS = 4096;

/** Declarations may be written early (before their first use is all the format asks, docs/trace-format.md: "Ordering rule 1"). */
function isDeclaration(event: TraceLowLevelEvent): boolean {
  return typeof event === "object" && ("Type" in event || "VariableName" in event || "Function" in event || "Path" in event);
}

const enum State {
  Active,
  Suspended,
  Done,
}

interface FileState {
  table: FileTable;
  asyncFns: SafeSet<number>;
  pathId: number;
  fnIds: SafeArray<number>;
  siteVars: SafeArray<Slots | undefined>;
  paramSlots: SafeArray<Slots | undefined>;
  /** Per function id: the return value's action (only for filtered tables). */
  retActions: SafeMap<number, Action> | null;
  /** Per function id: its attribute policy (`null`: none), once asked. */
  attr: SafeArray<AttrPolicy | null | undefined>;
  /** Per function id: the run-time filter's decision (`null`: none), once asked. */
  scope: SafeArray<RuntimeScopeDecision | null | undefined>;
}

class Frame {
  state = State.Active;
  /** The last suspension was an `await` (resumes from the event loop). */
  awaiting = false;
  returnValue: unknown = undefined;
  /** `ret` was called (the return value may be `undefined`). */
  returned = false;
  /**
   * Opened by the first instance field initialiser of a class whose constructor has not
   * started yet (JS initialises a base class's fields before its constructor body runs); the
   * constructor's `enter` adopts it instead of opening a second frame.
   */
  pendingConstructor = false;
  /** Its entry `Step` and `Call` are held back until the arguments are known (see `deferred`). */
  callDeferred = false;
  /**
   * The frame was last suspended at a `yield` and has not been explicitly resumed since: if it
   * ends from there without a `return` statement, the generator was closed by `return()`.
   */
  atYield = false;
  /**
   * Left by an exception (or a generator closed at a `yield`): still on the stack until the
   * thrown value is known (a `catch` reports it, or the process reports it uncaught) or the
   * next event shows execution went on without telling (see `Recorder.settleUnwinding`).
   */
  unwinding = false;
  /**
   * The locals of the frame's last step: variable ids, values and records, by position, so an
   * object unchanged since is handed on as the same record (see `ValueEncoder.encodeAgain`).
   */
  lastVars: readonly number[] | null = null;
  lastValues: unknown[] | null = null;
  lastRecords: Array<ValueRecord | null> | null = null;
  constructor(
    readonly file: FileState,
    readonly fn: number,
    readonly functionId: number,
  ) {}
}

function newFileState(table: FileTable, pathId: number): FileState {
  let retActions: SafeMap<number, Action> | null = null;
  if (table.redactReturn || table.dropReturn) {
    retActions = new SafeMap();
    const redact = table.redactReturn ?? [];
    for (let i = 0; i < redact.length; i++) retActions.set(redact[i]!, Action.Redact);
    const drop = table.dropReturn ?? [];
    for (let i = 0; i < drop.length; i++) retActions.set(drop[i]!, Action.Drop);
  }
  const asyncFns = new SafeSet<number>();
  const async = table.async ?? [];
  for (let i = 0; i < async.length; i++) asyncFns.add(async[i]!);
  // The runtime's own arrays: a function or site not seen yet is a hole, which must not be
  // looked up on Array.prototype (see primordials.ts).
  return { table, asyncFns, pathId, fnIds: safeArray(), siteVars: safeArray(), paramSlots: safeArray(), retActions, attr: safeArray(), scope: safeArray() };
}

/**
 * The frame handed out while nothing is recorded: every operation on it is a no-op. A file
 * runtime acts only on frames it opened itself (`frame.file` is its own file state), so this
 * frame, and a frame opened by an earlier session's recorder, are ignored alike.
 */
export const UNTRACKED: FrameHandle = Object.freeze({ untracked: true });

/**
 * The file runtime of a file while no session records: records nothing, passes values through.
 * Generated code calls these exactly as it calls a recording one.
 */
export const IDLE_FILE_RUNTIME: Readonly<FileRuntime> = Object.freeze({
  enter: () => UNTRACKED,
  step: () => {},
  ret: <T>(_frame: FrameHandle, value?: T) => value,
  caught: () => {},
  exit: () => {},
  suspend: <T>(_frame: FrameHandle, value: T) => value,
  resume: <T>(_frame: FrameHandle, value: T) => value,
  field: () => {},
  delegate: <T>(_frame: FrameHandle, iterable: T) => iterable,
  fieldsEnd: <T>(_fn: number, value: T) => value,
});

const STDOUT_META = JSONStringify({ stream: "stdout" });
const STDERR_META = JSONStringify({ stream: "stderr" });

const StackOverflowPrototype = RangeErrorCtor.prototype;

/**
 * True for the RangeError V8 throws when the call stack is full ("Maximum call stack size
 * exceeded"): thrown inside the recorder, it means the program recursed to the limit (its own
 * code would have hit it a few frames later), not that the recorder has a bug. Checked with
 * built-ins captured at load and no call that needs much stack.
 */
export function isStackOverflow(error: unknown): boolean {
  if (typeof error !== "object" || error === null || ObjectGetPrototypeOf(error) !== StackOverflowPrototype) return false;
  const message = ObjectGetOwnPropertyDescriptor(error, "message");
  return message !== undefined && message.value === "Maximum call stack size exceeded";
}

/** Records one run. Create it through a session (`startSession`), not directly, in programs. */
export class Recorder implements RuntimeApi {
  readonly abi = ABI_VERSION;
  /** Registered paths; index = `PathId` (what `trace_paths.json` must list). */
  readonly paths: string[] = []; // (appended with appendOwn: it leaves the runtime)
  /** Counters for the metadata. */
  readonly stats = { events: 0, internalErrors: 0, detaches: 0, stackOverflows: 0 };
  /** Why the recorder detached, in order (at most one: it detaches once); `stats.detach_reasons` in the metadata. */
  readonly detachReasons: DetachReason[] = []; // (appended with appendOwn: it leaves the runtime)
  private readonly onMetric: RecorderOptions["onMetric"];
  private readonly onMetricsError: RecorderOptions["onMetricsError"];
  /** True while the metrics sink runs: an update it causes is not sent to it again. */
  private inMetricSink = false;
  /** What the trace filter skipped, redacted and dropped (compile-time skips as reported by the tables). */
  readonly filterCounters: FilterCounters = {
    scopes_skipped: 0,
    value_redactions: { argument: 0, local: 0, global: 0, return: 0, attribute: 0 },
    value_drops: { argument: 0, local: 0, global: 0, return: 0, attribute: 0 },
  };
  private readonly attrPolicy: ((file: string, scope: string) => AttrPolicy | null) | undefined;
  private readonly scopePolicy: RecorderOptions["scopePolicy"];

  private readonly sink: TraceEventWriter;
  private readonly types: TypeTable;
  private readonly values: ValueEncoder;
  private readonly pathIds = new SafeMap<string, number>();
  private readonly varIds = new SafeMap<string, number>();
  private functionCount = 0;
  private readonly stack: SafeArray<Frame> = safeArray();
  /**
   * Number of frames at the top of the stack left by the exception now propagating. Their
   * `Return`s wait for the thrown value: instrumented code never catches and rethrows (that
   * would move the location Node prints for an uncaught exception), so the value arrives with
   * the `catch` clause that stops it ({@link FileRuntime.caught}) or as the uncaught error.
   */
  private unwindingCount = 0;
  /** `Call`s emitted minus `Return`s emitted (the trace's open calls; see {@link reconcile}). */
  private openCalls = 0;
  /** A stack overflow cut a recorder call short: {@link reconcile} before the next one. */
  private afterOverflow = false;
  /**
   * Frames opened by a base class's first field initialiser, innermost last, with the events
   * recorded inside them so far. JS runs those initialisers before the constructor's body and
   * parameters; the frame's `Call` is written, with the arguments, when the constructor's
   * `enter` supplies them, followed by the held-back events. Declarations are never held back.
   */
  private readonly deferred: SafeArray<{ frame: Frame; events: SafeArray<TraceLowLevelEvent> }> = safeArray();
  private recording: boolean;
  private detached = false;
  private finished = false;
  /** Test hook: the step at which to fail (see {@link RecorderOptions.injectFailureAtStep}). */
  private readonly failAtStep: number;
  private stepCount = 0;
  private uncaught: unknown = undefined;
  private hasUncaught = false;
  private readonly activationPath: string | undefined;
  private readonly onInternalError: RecorderOptions["onInternalError"];

  constructor(options: RecorderOptions) {
    this.sink = completeSink(options.sink);
    this.types = new TypeTable((e) => this.emit(e));
    this.values = new ValueEncoder(this.types, options.limits, options.isProxy);
    this.activationPath = options.activationPath;
    this.recording = options.activationPath === undefined;
    this.onInternalError = options.onInternalError;
    this.onMetric = options.onMetric;
    this.onMetricsError = options.onMetricsError;
    this.failAtStep = options.injectFailureAtStep ?? 0;
    this.attrPolicy = options.attrPolicy;
    this.scopePolicy = options.scopePolicy;
    if (this.attrPolicy) this.values.onAttribute = (action) => this.countValue(action, "attribute");
  }

  /** Counts one redacted or dropped value of `kind`. */
  private countValue(action: Action | "redact" | "drop", kind: keyof FilterCounters["value_drops"]): void {
    if (action === Action.Redact || action === Action.RedactPassed || action === "redact") this.filterCounters.value_redactions[kind]++;
    else if (action === Action.Drop || action === Action.DropPassed || action === "drop") this.filterCounters.value_drops[kind]++;
  }

  /**
   * Resolves table names (`name`, `!name` redacted, `-name` dropped) to variable ids and
   * actions; `decide` is the run-time filter's say on the names the table allows.
   */
  private slots(names: readonly (string | number)[], from: number, decide: ((name: string) => RuntimeValueAction) | null): Slots {
    const vars: SafeArray<number> = safeArray();
    let actions: SafeArray<Action> | null = null;
    for (let i = from; i < names.length; i++) {
      const name = names[i] as string;
      const mark = StringPrototypeCharCodeAt(name, 0);
      let action = mark === 33 /* ! */ ? Action.Redact : mark === 45 /* - */ ? Action.Drop : Action.Allow;
      if (action === Action.Allow && decide) {
        const runtime = decide(name);
        if (runtime === "redact") action = Action.RedactPassed;
        else if (runtime === "drop") action = Action.DropPassed;
      }
      if (action !== Action.Allow && !actions) {
        actions = safeArray();
        for (let j = 0; j < vars.length; j++) actions.push(Action.Allow);
      }
      actions?.push(action);
      // A dropped name never appears in the trace.
      const plain = action === Action.Allow || action >= Action.RedactPassed;
      vars.push(action === Action.Drop || action === Action.DropPassed ? -1 : this.variableId(plain ? name : StringPrototypeSlice(name, 1)));
    }
    return { vars, actions };
  }

  /**
   * Sets the value encoder's field policy to the one of `frame`'s scope (asked once per
   * function through {@link RecorderOptions.attrPolicy}).
   */
  private useAttrPolicyOf(file: FileState, fn: number): void {
    if (!this.attrPolicy) return;
    let policy = file.attr[fn];
    if (policy === undefined) {
      const name = file.table.fns[fn]?.[0];
      policy = typeof name === "string" ? this.attrPolicy(file.table.path, name) : null;
      file.attr[fn] = policy;
    }
    this.values.attr = policy;
  }

  /** The run-time filter's decision for a function (asked once; counted once when it skips). */
  private scopeDecision(file: FileState, fn: number): RuntimeScopeDecision | null {
    if (!this.scopePolicy) return null;
    let decision = file.scope[fn];
    if (decision === undefined) {
      const name = file.table.fns[fn]?.[0];
      decision = typeof name === "string" ? this.scopePolicy(file.table.path, name) : null;
      file.scope[fn] = decision;
      if (decision?.exec === "skip") this.filterCounters.scopes_skipped++;
    }
    return decision;
  }

  /** The record of a frame's return (or suspension) value, as the trace filter allows it. */
  private returnRecord(frame: Frame, value: unknown): ValueRecord {
    let action = frame.file.retActions?.get(frame.fn);
    if (action === undefined && this.scopePolicy) {
      const runtime = this.scopeDecision(frame.file, frame.fn)?.valueAction("ret", "return") ?? "allow";
      if (runtime !== "allow") action = runtime === "redact" ? Action.RedactPassed : Action.DropPassed;
    }
    if (action === undefined) {
      this.useAttrPolicyOf(frame.file, frame.fn);
      return this.values.encode(value);
    }
    this.countValue(action, "return");
    return action === Action.Redact || action === Action.RedactPassed ? this.values.redacted() : this.values.dropped();
  }

  /** True while events are being recorded (after activation, before finish or detach). */
  get isRecording(): boolean {
    return this.recording && !this.finished;
  }

  private emit(event: TraceLowLevelEvent): void {
    this.stats.events++;
    this.route(event);
  }

  // The hot events: written through the sink's typed methods unless a frame holds events back.

  private emitStep(pathId: number, line: number): void {
    this.stats.events++;
    if (this.deferred.length === 0) this.sink.writeStep(pathId, line);
    else this.route({ Step: { path_id: pathId, line } });
  }

  private emitValue(variableId: number, value: ValueRecord): void {
    this.stats.events++;
    if (this.deferred.length === 0) this.sink.writeValue(variableId, value);
    else this.route({ Value: { variable_id: variableId, value } });
  }

  private emitCall(functionId: number, args: FullValueRecord[]): void {
    this.stats.events++;
    if (this.deferred.length === 0) this.sink.writeCall(functionId, args);
    else this.route({ Call: { function_id: functionId, args } });
    this.openCalls++;
  }

  private emitReturn(value: ValueRecord): void {
    this.stats.events++;
    if (this.deferred.length === 0) this.sink.writeReturn(value);
    else this.route({ Return: { return_value: value } });
    this.openCalls--;
  }

  /**
   * After a stack overflow cut a recorder call short (see `fail`): makes the trace's open calls
   * and the frame stack agree again before anything else is recorded. A `Call` written for a
   * frame that was never pushed, or a frame popped before its `Return` was written, leaves one
   * call too many open in the trace: it gets its `Return` (`<unwound>`) now, innermost first,
   * as any frame left behind. A frame pushed without its `Call` is dropped from the stack.
   */
  private reconcile(): void {
    this.afterOverflow = false;
    let expected = 0;
    for (let i = 0; i < this.stack.length; i++) if (!this.stack[i]!.callDeferred) expected++;
    while (this.openCalls > expected) this.emitReturn(this.values.error("<unwound>"));
    while (this.openCalls < expected && this.stack.length > 1) {
      const frame = this.stack.pop()!;
      frame.state = State.Done;
      if (!frame.callDeferred) expected--;
    }
  }

  private route(event: TraceLowLevelEvent): void {
    const held = this.deferred[this.deferred.length - 1];
    if (!held || isDeclaration(event)) {
      this.sink.write(event);
      return;
    }
    held.events.push(event);
    if (held.events.length > MAX_DEFERRED_EVENTS) this.resolveDeferred(held.frame, undefined);
  }

  /** Writes a held-back frame's entry `Step` and `Call` (with `args`, if known), then its events. */
  private resolveDeferred(frame: Frame, args: unknown[] | undefined): void {
    let index = this.deferred.length - 1;
    while (index >= 0 && this.deferred[index]!.frame !== frame) index--;
    if (index < 0) return;
    while (this.deferred.length - 1 > index) this.resolveDeferred(this.deferred[this.deferred.length - 1]!.frame, undefined);
    const held = this.deferred.pop()!;
    frame.callDeferred = false;
    const callArgs = args ? this.callArgs(frame.file, frame.fn, args) : [];
    this.emitStep(this.filePathId(frame.file), frame.file.table.fns[frame.fn]![1]);
    this.emitCall(frame.functionId, callArgs);
    const events = held.events;
    for (let i = 0; i < events.length; i++) this.route(events[i]!);
  }

  /**
   * Opens the synthetic top-level call: `Path(program)`, `Function <top-level>` at line 1 and
   * its `Call` (no entry step: the top-level call is exempt, docs/trace-format.md: "Ordering rule 3"). Call once, first.
   */
  begin(programPath: string): void {
    const pathId = this.pathId(programPath);
    this.emit({ Function: { path_id: pathId, line: 1, name: "<top-level>" } });
    this.functionCount++;
    this.emitCall(0, []);
    const top = new Frame(newFileState({ v: ABI_VERSION, path: programPath, fns: [], sites: [] }, pathId), 0, 0);
    this.stack.push(top);
  }

  /**
   * A module body of `path` threw (reported by a loader that saw it, e.g. the CommonJS
   * `require` hook): if that module's frame is still open, it and every frame above it are left
   * by the exception. With `error`, they return it now; without (the loader saw the throw only
   * through a `finally`), they wait for it like any unwinding frame. No-op when nothing of
   * `path` is open.
   */
  moduleThrew(path: string, ...error: [unknown?]): void {
    if (!this.isRecording) return;
    try {
      if (error.length === 0) {
        this.markModuleUnwinding(path);
        return;
      }
      const thrown = this.values.encode(error[0]);
      this.settleUnwinding(thrown);
      const index = this.moduleFrameIndex(path);
      if (index < 0) return;
      while (this.stack.length - 1 > index) this.popWithReturn(this.values.error("<unwound>"));
      const frame = this.stack[index]!;
      this.popWithReturn(thrown);
      frame.state = State.Done;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Stack index of the innermost open module frame of `path`, or -1. */
  private moduleFrameIndex(path: string): number {
    for (let i = this.stack.length - 1; i > 0; i--) {
      const f = this.stack[i]!;
      if (f.fn === 0 && f.file.table.path === path) return i;
    }
    return -1;
  }

  private markModuleUnwinding(path: string): void {
    const index = this.moduleFrameIndex(path);
    if (index < 0) return;
    // Everything from the module frame up is part of the unwinding segment.
    while (this.stack.length - 1 - this.unwindingCount >= index) {
      const f = this.stack[this.stack.length - 1 - this.unwindingCount]!;
      f.unwinding = true;
      this.unwindingCount++;
    }
  }

  /**
   * Writes the `Return`s of the frames left by the propagating exception, innermost first,
   * with `value` (the thrown value) or, when it was never reported, `<exception>` (or
   * `<closed by return()>` for a generator closed at a `yield`).
   */
  private settleUnwinding(value: ValueRecord | undefined): void {
    while (this.unwindingCount > 0) {
      this.unwindingCount--;
      const frame = this.stack[this.stack.length - 1];
      if (!frame || this.stack.length <= 1) break;
      frame.unwinding = false;
      frame.state = State.Done; // (so popWithReturn does not mark it Suspended)
      const own = value ?? (frame.atYield ? this.values.raw("<closed by return()>", "<closed>") : this.values.error("<exception>"));
      this.popWithReturn(own);
    }
    this.unwindingCount = 0;
  }

  /** Remembers an uncaught exception: `finish` ends the trace with an Error event for it. */
  recordUncaught(error: unknown): void {
    this.hasUncaught = true;
    this.uncaught = error;
  }

  /**
   * Ends the recording: returns from every open frame, returns from the top-level call with
   * `exitCode` (an Int; without one, a Raw value `label`: `<exit>`, `<disabled>` after a detach, a signal name), then, after an uncaught exception, emits an `Event` of kind Error
   * carrying its message as the last event (docs/trace-format.md: "Ordering rule 6"). Idempotent.
   */
  finish(exitCode: number | undefined, label = "<exit>"): void {
    if (this.finished) return;
    try {
      const left = this.hasUncaught ? this.values.encode(this.uncaught) : this.values.error("<unwound>");
      if (this.unwindingCount > 0) this.settleUnwinding(this.hasUncaught ? left : undefined);
      while (this.stack.length > 1) this.popWithReturn(left);
      if (this.stack.length === 1) {
        this.stack.pop();
        this.emit({
          Return: { return_value: exitCode === undefined ? this.values.raw(label, label) : this.values.encode(exitCode) },
        });
      }
      if (this.hasUncaught) {
        this.emit({
          Event: { kind: EventLogKind.Error, metadata: "", content: `Uncaught ${this.values.describe(this.uncaught)}` },
        });
      }
    } finally {
      this.finished = true;
    }
  }

  file(table: FileTable): FileRuntime {
    if (table.v !== ABI_VERSION) {
      throw new TypeErrorCtor(`codetracer: ${table.path} was instrumented for runtime ABI ${table.v}, this runtime implements ${ABI_VERSION}`);
    }
    noteFunctionSources(table);
    const state = newFileState(table, -1);
    this.filterCounters.scopes_skipped += table.skipped ?? 0;
    // Methods are closures over `state`; each is guarded so no recorder failure reaches the program.
    const runtime: FileRuntime = {
      enter: (fn, ...args) => {
        try {
          return this.enter(state, fn, args);
        } catch (error) {
          this.fail(error);
          return UNTRACKED;
        }
      },
      step: (frame, site, ...values) => {
        if ((frame as Frame).file !== state || !this.isRecording) return;
        try {
          this.step(state, frame as Frame, site, values);
        } catch (error) {
          // A step cut short: its remembered values may be half this step's (see `step`).
          (frame as Frame).lastVars = null;
          this.fail(error);
        }
      },
      ret: (frame, value, awaits) => {
        if ((frame as Frame).file === state) {
          // A return value the trace filter hides is never kept.
          (frame as Frame).returnValue = state.retActions?.has((frame as Frame).fn) ? undefined : value;
          (frame as Frame).returned = true;
          // `return x` in an async generator awaits `x` before the frame is left.
          if (awaits === 1) runtime.suspend(frame, value, 1);
        }
        return value;
      },
      caught: (frame, ...error) => {
        if ((frame as Frame).file !== state || !this.isRecording || this.unwindingCount === 0) return;
        try {
          if (this.afterOverflow) this.reconcile();
          this.settleUnwinding(error.length > 0 ? this.values.encode(error[0]) : undefined);
        } catch (e) {
          this.fail(e);
        }
      },
      exit: (frame) => {
        if ((frame as Frame).file !== state || !this.isRecording) return;
        try {
          this.exit(frame as Frame);
        } catch (error) {
          this.fail(error);
        }
      },
      suspend: (frame, value, awaiting) => {
        if ((frame as Frame).file !== state || !this.isRecording) return value;
        try {
          if (this.afterOverflow) this.reconcile();
          const f = frame as Frame;
          if (this.unwindingCount > 0) this.settleUnwinding(undefined);
          if (f.state === State.Active) {
            this.ensureTop(f);
            this.popWithReturn(this.returnRecord(f, value));
            f.awaiting = awaiting === 1;
            f.atYield = awaiting !== 1;
          }
        } catch (error) {
          this.fail(error);
        }
        return value;
      },
      resume: (frame, value) => {
        if ((frame as Frame).file !== state || !this.isRecording) return value;
        try {
          if (this.afterOverflow) this.reconcile();
          const f = frame as Frame;
          f.atYield = false;
          if (this.unwindingCount > 0) this.settleUnwinding(undefined);
          if (f.state === State.Suspended) this.reenter(f);
        } catch (error) {
          this.fail(error);
        }
        return value;
      },
      field: (fn, site, open) => {
        if (!this.isRecording) return;
        try {
          this.field(state, fn, site, open === 1);
        } catch (error) {
          this.fail(error);
        }
      },
      delegate: (frame, iterable, isAsync) => {
        // Not guarded: what throws here is the program's own (a getter, a Proxy trap), and
        // `resume`/`suspend` guard themselves.
        if ((frame as Frame).file !== state || !this.isRecording) return iterable;
        return delegation(runtime, frame, iterable, isAsync === 1);
      },
      fieldsEnd: (fn, value) => {
        if (!this.isRecording) return value;
        try {
          if (this.afterOverflow) this.reconcile();
          if (this.unwindingCount > 0) this.settleUnwinding(undefined);
          const top = this.stack[this.stack.length - 1];
          if (top && top.file === state && top.fn === fn && top.pendingConstructor) {
            top.pendingConstructor = false;
            top.returned = true;
            this.exit(top);
          }
        } catch (error) {
          this.fail(error);
        }
        return value;
      },
    };
    return runtime;
  }

  /**
   * An internal failure: counts it and, the first time, detaches (nothing more is recorded)
   * and tells {@link RecorderOptions.onInternalError}. When that returns an error, it is thrown
   * into the program from the recorder call that failed (the `abort` policy).
   */
  private fail(error: unknown): void {
    if (isStackOverflow(error)) {
      // The program's stack is (nearly) full: the event being recorded is dropped, and the
      // recording goes on. Frames it leaves half-opened or half-closed are closed later as any
      // frame left behind (`ensureTop`, `settleUnwinding`). Not an internal error.
      this.stats.stackOverflows++;
      this.afterOverflow = true;
      return;
    }
    this.stats.internalErrors++;
    const reason = this.reasonOf("ERR_UNKNOWN", "internal_error", error);
    const detaching = this.recording && !this.detached;
    if (detaching) {
      this.recording = false; // detach: the program runs on unrecorded
      this.detached = true;
      this.stats.detaches++;
      appendOwn(this.detachReasons, reason);
    }
    this.metric("internal_errors", this.stats.internalErrors, reason);
    if (!detaching) return;
    this.metric("detaches", this.stats.detaches, reason);
    const rethrow = this.onInternalError?.(error);
    if (rethrow instanceof Error) throw rethrow;
  }

  /** A {@link DetachReason} for `error` (its message read without running program code where it can be helped). */
  private reasonOf(code: string, reason: DetachReason["reason"], error: unknown): DetachReason {
    let message = "";
    try {
      const d = typeof error === "object" && error !== null ? ObjectGetOwnPropertyDescriptor(error, "message") : undefined;
      message = d && typeof d.value === "string" ? d.value : typeof error === "string" ? error : "";
    } catch {
      // a Proxy's trap threw: no message
    }
    return { code, reason, message, at_event: this.stats.events };
  }

  /**
   * Sends a counter update to the metrics sink ({@link RecorderOptions.onMetric}), unless none
   * is set or the sink is running (an update it causes is not sent back to it). What the sink
   * throws counts as an internal error, without an update and without detaching. Never throws.
   */
  private metric(name: MetricUpdate["name"], value: number, reason: DetachReason | undefined): void {
    const sink = this.onMetric;
    if (sink === undefined || this.inMetricSink) return;
    this.inMetricSink = true;
    try {
      const update: MetricUpdate = reason === undefined ? { name, value, delta: 1 } : { name, value, delta: 1, reason };
      ReflectApply(sink, undefined, [update]);
    } catch (error) {
      this.stats.internalErrors++;
      try {
        this.onMetricsError?.(error);
      } catch {
        // the session's report must not throw; nothing more to do
      }
    } finally {
      this.inMetricSink = false;
    }
  }

  /** Functions (and module bodies) recorded so far, the top-level call not counted. */
  get recordedFunctions(): number {
    return MathMax(0, this.functionCount - 1);
  }

  /**
   * Stops recording for good (the program runs on unrecorded), without it being an internal
   * failure: e.g. the trace can no longer be written. Counted in `stats.detaches`, `reason`
   * (its code, kind and error) in {@link detachReasons} and sent to the metrics sink. `finish`
   * still closes the open frames.
   */
  detach(reason?: { code: string; reason: DetachReason["reason"]; error: unknown }): void {
    if (this.detached) return;
    this.recording = false;
    this.detached = true;
    this.stats.detaches++;
    const r = reason ? this.reasonOf(reason.code, reason.reason, reason.error) : undefined;
    if (r) appendOwn(this.detachReasons, r);
    this.metric("detaches", this.stats.detaches, r);
  }

  /** True after an internal failure (or {@link detach}) detached the recorder. */
  get isDetached(): boolean {
    return this.detached;
  }

  /**
   * The program wrote `text` to stdout or stderr: an `Event` of kind `Write` (stdout) or
   * `WriteOther` (stderr) on the current step (docs/trace-format.md: "Ordering rule 6"), with
   * `metadata` `{"stream": …}`. Nothing while not recording, or while no recorded frame is
   * open. Never throws.
   */
  recordWrite(stream: "stdout" | "stderr", text: string): void {
    // Only while recorded code runs: what is written between its frames comes from elsewhere
    // (a worker thread's output relayed by the main thread, a library's own timer).
    if (!this.isRecording || this.stack.length <= 1) return;
    try {
      this.emit({
        Event: {
          kind: stream === "stdout" ? EventLogKind.Write : EventLogKind.WriteOther,
          metadata: stream === "stdout" ? STDOUT_META : STDERR_META,
          content: text,
        },
      });
    } catch (error) {
      try {
        this.fail(error);
      } catch {
        // an abort is thrown at the next recorder call of the program, not from a write
      }
    }
  }

  /** The W3C trace ids of the spans recorded by {@link recordSpan}, in the order first seen. */
  readonly spanTraceIds: SafeSet<string> = new SafeSet<string>();

  /**
   * A span of `@codetracer/tracing` started or ended: an `Event` of kind `TraceLogEvent` on the
   * current step, `content` `span start: <name>` / `span end: <name>` and `metadata` the JSON of
   * `span` (ids, kind, attributes, status, …) with `phase`. Its trace id joins
   * {@link spanTraceIds} (`trace_metadata.json` lists them). Also between recorded frames (a
   * span of an async function ends when its promise settles, after its frame was left): the
   * event then follows the last step. Nothing while not recording. Never throws.
   */
  recordSpan(phase: "start" | "end", span: { name: string; trace_id: string; [key: string]: unknown }): void {
    if (!this.isRecording) return;
    try {
      this.spanTraceIds.add(span.trace_id);
      this.emit({
        Event: { kind: EventLogKind.TraceLogEvent, metadata: JSONStringify({ __proto__: null, phase, ...span }), content: `span ${phase}: ${span.name}` },
      });
    } catch (error) {
      try {
        this.fail(error);
      } catch {
        // as for writes: an abort reaches the program at its next recorder call
      }
    }
  }

  private pathId(path: string): number {
    let id = this.pathIds.get(path);
    if (id === undefined) {
      id = this.paths.length;
      appendOwn(this.paths, path);
      this.pathIds.set(path, id);
      this.emit({ Path: path });
    }
    return id;
  }

  private filePathId(file: FileState): number {
    if (file.pathId < 0) file.pathId = this.pathId(file.table.path);
    return file.pathId;
  }

  private functionId(file: FileState, fn: number): number {
    let id = file.fnIds[fn];
    if (id === undefined) {
      const entry = file.table.fns[fn];
      if (!entry) throw new RangeErrorCtor(`no function ${fn} in the table of ${file.table.path}`);
      id = this.functionCount++;
      file.fnIds[fn] = id;
      this.emit({ Function: { path_id: this.filePathId(file), line: entry[1], name: entry[0] } });
    }
    return id;
  }

  private variableId(name: string): number {
    let id = this.varIds.get(name);
    if (id === undefined) {
      id = this.varIds.size;
      this.varIds.set(name, id);
      this.emit({ VariableName: name });
    }
    return id;
  }

  private callArgs(file: FileState, fn: number, args: unknown[]): FullValueRecord[] {
    let slots = file.paramSlots[fn];
    if (!slots) {
      const scope = this.scopeDecision(file, fn);
      slots = file.paramSlots[fn] = this.slots(file.table.fns[fn]!, 2, scope ? (name) => scope.valueAction("arg", name) : null);
    }
    this.useAttrPolicyOf(file, fn);
    const { vars, actions } = slots;
    // An ordinary array (it goes to the writer) whose elements are all its own (primordials.ts).
    const callArgs = ownSlots<FullValueRecord>(vars.length) as FullValueRecord[];
    let count = 0;
    let next = 0;
    this.values.beginStep();
    for (let i = 0; i < vars.length; i++) {
      const action = actions ? actions[i]! : Action.Allow;
      if (action === Action.Allow)
        callArgs[count++] = { variable_id: vars[i]!, value: this.values.encodeInStep(args[next++]) }; // own index: ownSlots(vars.length)
      else {
        this.countValue(action, "argument");
        if (action >= Action.RedactPassed) next++;
        if (action === Action.Redact || action === Action.RedactPassed) callArgs[count++] = { variable_id: vars[i]!, value: this.values.redacted() }; // own index: ownSlots(vars.length)
      }
    }
    if (count < callArgs.length) callArgs.length = count;
    return callArgs;
  }

  private enter(file: FileState, fn: number, args: unknown[], deferCall = false): FrameHandle {
    if (this.finished) return UNTRACKED;
    if (this.afterOverflow) this.reconcile();
    if (this.unwindingCount > 0) this.settleUnwinding(undefined);
    const top = this.stack[this.stack.length - 1];
    if (top && top.pendingConstructor && top.file === file && top.fn === fn && this.isRecording) {
      // The constructor body starts after its class's field initialisers opened its frame.
      top.pendingConstructor = false;
      if (top.callDeferred) this.resolveDeferred(top, args);
      return top;
    }
    if (!this.recording) {
      if (this.activationPath === undefined || file.table.path !== this.activationPath || this.stats.internalErrors > 0) {
        return UNTRACKED;
      }
      this.recording = true;
    }
    if (this.scopePolicy && this.scopeDecision(file, fn)?.exec === "skip") return UNTRACKED;
    const functionId = this.functionId(file, fn);
    const entry = file.table.fns[fn]!;
    const frame = new Frame(file, fn, functionId);
    if (deferCall) {
      // Opened by a field initialiser: the Call waits for the constructor's arguments.
      this.filePathId(file);
      frame.callDeferred = true;
      this.stack.push(frame);
      this.deferred.push({ frame, events: safeArray() });
      return frame;
    }
    const callArgs = this.callArgs(file, fn, args);
    this.emitStep(this.filePathId(file), entry[1]);
    this.emitCall(functionId, callArgs);
    this.stack.push(frame);
    return frame;
  }

  private step(file: FileState, frame: Frame, site: number, values: unknown[]): void {
    if (this.afterOverflow) this.reconcile();
    if (this.failAtStep > 0 && ++this.stepCount === this.failAtStep) throw new ErrorCtor(`injected failure at step ${this.failAtStep}`);
    if (this.unwindingCount > 0) this.settleUnwinding(undefined);
    if (frame.state === State.Done) return;
    this.ensureTop(frame);
    let slots = file.siteVars[site];
    const entry = file.table.sites[site];
    if (!entry) throw new RangeErrorCtor(`no site ${site} in the table of ${file.table.path}`);
    if (!slots) {
      const scope = this.scopeDecision(file, frame.fn);
      let decide: ((name: string) => RuntimeValueAction) | null = null;
      if (scope) {
        const params = new SafeSet<string>();
        const fnEntry = file.table.fns[frame.fn]!;
        for (let i = 2; i < fnEntry.length; i++) params.add(fnEntry[i] as string);
        const kind = frame.fn === 0 ? "global" : "local";
        decide = (name) => stricter(scope.valueAction(kind, name), params.has(name) ? scope.valueAction("arg", name) : "allow");
      }
      slots = file.siteVars[site] = this.slots(entry, 1, decide);
    }
    this.emitStep(this.filePathId(file), entry[0]);
    this.useAttrPolicyOf(file, frame.fn);
    const { vars, actions } = slots;
    let next = 0;
    this.values.beginStep();
    const lastVars = frame.lastVars;
    const lastValues = frame.lastValues;
    const lastRecords = frame.lastRecords;
    // Written in place: position i is read (the last step's) before it is written (this step's).
    let nowValues = lastValues;
    let nowRecords = lastRecords;
    if (vars.length > 0 && (nowValues === null || nowValues.length < vars.length)) {
      const size = vars.length < 8 ? 8 : vars.length;
      nowValues = filledArray<unknown>(size);
      nowRecords = filledArray<ValueRecord>(size);
      for (let i = 0; lastValues !== null && i < lastValues.length; i++) {
        nowValues[i] = lastValues[i]; // own index: a filledArray at least as long
        nowRecords[i] = lastRecords![i] ?? null; // own index: a filledArray at least as long
      }
    }
    for (let i = 0; i < vars.length; i++) {
      const action = actions ? actions[i]! : Action.Allow;
      if (action === Action.Allow) {
        const value = values[next++];
        // The same variable at the same position at the frame's last step: an object unchanged since keeps its record.
        const again = lastVars !== null && i < lastVars.length && lastVars[i] === vars[i];
        const record = again ? this.values.encodeAgain(value, nowValues![i], nowRecords![i] ?? null) : this.values.encodeInStep(value);
        nowValues![i] = value; // own index: a filledArray of at least vars.length
        nowRecords![i] = record; // own index: a filledArray of at least vars.length
        this.emitValue(vars[i]!, record);
      } else {
        this.countValue(action, frame.fn === 0 ? "global" : "local");
        if (action >= Action.RedactPassed) next++;
        if (action === Action.Redact || action === Action.RedactPassed) this.emitValue(vars[i]!, this.values.redacted());
      }
    }
    frame.lastVars = vars.length > 0 ? vars : null;
    if (nowValues !== lastValues) {
      frame.lastValues = nowValues;
      frame.lastRecords = nowRecords;
    }
  }

  /**
   * An instance field initialiser of the class whose constructor is `fn` is about to run: with
   * `open`, the first one of a construction opens the constructor's frame (no arguments: the
   * parameters are not bound yet in JS either); then the field's line gets a step in that frame.
   */
  private field(file: FileState, fn: number, site: number, open: boolean): void {
    if (this.afterOverflow) this.reconcile();
    if (this.unwindingCount > 0) this.settleUnwinding(undefined);
    if (open) {
      const frame = this.enter(file, fn, [], true);
      if (frame === UNTRACKED) return;
      (frame as Frame).pendingConstructor = true;
    }
    const top = this.stack[this.stack.length - 1];
    if (top && top.file === file && top.fn === fn && top.state === State.Active) this.step(file, top, site, []);
  }

  /**
   * The frame's generated `finally` runs. After `ret` (a `return`, or the end of the body) it
   * returns now; otherwise it is being left by an exception, or it is a generator closed at a
   * `yield`: it joins the frames waiting for the thrown value (see `unwindingCount`).
   */
  private exit(frame: Frame): void {
    if (this.afterOverflow) this.reconcile();
    if (frame.state === State.Done || frame.unwinding) return;
    // A frame the propagating exception reaches next joins it where it is; anything else first
    // closes what is pending and becomes the innermost open frame (resumed if suspended).
    const joinsUnwinding = !frame.returned && this.stack[this.stack.length - 1 - this.unwindingCount] === frame;
    if (!joinsUnwinding) {
      if (this.unwindingCount > 0) this.settleUnwinding(undefined);
      this.ensureTop(frame);
    }
    if (!frame.returned) {
      frame.unwinding = true;
      this.unwindingCount++;
      return;
    }
    this.popWithReturn(this.returnRecord(frame, frame.returnValue));
    frame.state = State.Done;
  }

  /** Makes `frame` the innermost open frame: resumes it, or returns from frames left above it. */
  private ensureTop(frame: Frame): void {
    if (this.stack[this.stack.length - 1] === frame) return;
    if (frame.state === State.Suspended) {
      this.reenter(frame);
      return;
    }
    if (this.stack.includes(frame)) {
      while (this.stack[this.stack.length - 1] !== frame) this.popWithReturn(this.values.error("<unwound>"));
    } else {
      // Active but not open (left by an unwind): treat it as resumed.
      frame.state = State.Suspended;
      this.reenter(frame);
    }
  }

  private reenter(frame: Frame): void {
    if (frame.awaiting || frame.file.asyncFns.has(frame.fn)) {
      // Resumed from the event loop: nothing else can be running, so whatever is still open
      // was left by a throw the recorder did not see (e.g. a module that failed to evaluate).
      while (this.stack.length > 1) this.popWithReturn(this.values.error("<unwound>"));
    }
    frame.awaiting = false;
    const entry = frame.file.table.fns[frame.fn]!;
    this.emitStep(this.filePathId(frame.file), entry[1]);
    this.emitCall(frame.functionId, []);
    frame.state = State.Active;
    this.stack.push(frame);
  }

  private popWithReturn(value: ValueRecord): void {
    if (this.stack.length <= 1) return; // never return from the top-level call here
    const top = this.stack[this.stack.length - 1]!;
    if (top.callDeferred) this.resolveDeferred(top, undefined);
    const frame = this.stack.pop()!;
    if (frame.state === State.Active) frame.state = State.Suspended;
    this.emitReturn(value);
  }
}
