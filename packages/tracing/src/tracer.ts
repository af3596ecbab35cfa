/**
 * `Tracer`: starts spans, makes them current across `await`, timers and event listeners
 * (`AsyncLocalStorage`), and hands finished spans to its exporter in batches.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { defaultParent, recordSpanEvent, recordingAttached, spanStarted } from "./bridge.js";
import { envBoolean, envInteger, envTimeout, logRecord, warnEnv } from "./env.js";
import { ExportError, TracingError } from "./errors.js";
import { SpanExporter } from "./exporters.js";
import { Span, type Attributes } from "./span.js";
import { SpanContext, SpanKind, SpanStatus } from "./span-context.js";

/** The span that is current in this asynchronous context. */
const current = new AsyncLocalStorage<Span>();

/** The span current where this is called (inside `Tracer.span`, `withSpan` or a function `trace` wrapped), or undefined. */
export function getCurrentSpan(): Span | undefined {
  return current.getStore();
}

/** Runs `fn` with `span` as the current span (restored afterwards, also for what `fn` schedules). */
export function withSpan<T>(span: Span, fn: () => T): T {
  return current.run(span, fn);
}

/**
 * Tells a CodeTracer recording in progress in this thread about a span of this library starting
 * or ending, through {@link recordSpanEvent} (shared with `@codetracer/opentelemetry`, so both
 * APIs' spans are written alike).
 */
function toRecording(phase: "start" | "end", span: Span): void {
  if (!recordingAttached()) return;
  const c = span.context;
  recordSpanEvent(phase, {
    name: span.name,
    traceId: c.traceId,
    spanId: c.spanId,
    parentSpanId: c.parentSpanId,
    kind: span.kind,
    tracer: span.scope,
    attributes: span.attributes,
    ...(phase === "end" ? { status: span.status, statusMessage: span.statusMessage, durationNs: span.duration } : {}),
  });
}

/**
 * Options of {@link Tracer}. The batching options given here win over their OpenTelemetry
 * environment variables (`OTEL_BSP_*`, docs/spans.md, "OpenTelemetry environment variables"),
 * which win over the defaults; an environment value that cannot be used is ignored with one
 * warning.
 */
export interface TracerOptions {
  /**
   * Where finished spans go: a {@link SpanExporter} subclass, or any object with an `export`
   * method (`shutdown`, `forceFlush` and `exportSync` are used when present). Without one they
   * are dropped (and counted in `droppedSpans`).
   * @throws TracingError `ERR_INVALID_EXPORTER` (from the constructor) for a value that is neither undefined nor an object with an `export` method
   */
  exporter?: SpanExporter;
  /**
   * Spans per export, OpenTelemetry's name (`BatchSpanProcessor`'s `maxExportBatchSize`).
   * Default: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, else 10 (the span-tracing specification's batch
   * of 10, not OpenTelemetry's 512: small batches reach the collector while the program runs).
   * A value taken from the environment that is larger than the queue size becomes the queue
   * size, with a warning.
   */
  maxExportBatchSize?: number;
  /**
   * The same as {@link maxExportBatchSize} (this package's first name for it, kept). Giving both
   * with different values throws `TracingError` `ERR_INVALID_TRACER_ARGUMENT`.
   */
  batchSize?: number;
  /** Finished spans waiting for export at most (queued or in batches not yet exported); more are dropped and counted. Default: `OTEL_BSP_MAX_QUEUE_SIZE`, else 2048. */
  maxQueueSize?: number;
  /** A partial batch is exported after this many milliseconds. Default: `OTEL_BSP_SCHEDULE_DELAY` (0 there: at the next turn of the event loop), else 5000. */
  scheduleDelayMs?: number;
  /**
   * The one deadline of {@link Tracer.flush}, {@link Tracer.shutdown} and the flush at process
   * exit, in milliseconds, however many batches wait: when it passes, the export in progress is
   * aborted (counted in `failedExports`) and the spans not yet handed to the exporter are dropped
   * (counted in `droppedSpans`). Default: `OTEL_BSP_EXPORT_TIMEOUT` (0 there means no limit:
   * 2³¹ − 1 ms), else 10000, `OtlpHttpExporter`'s default `timeoutMillis`, so one export that
   * takes all its time still fits (the specification's 30000 is not this project's default).
   */
  flushTimeoutMs?: number;
}

/** Options of {@link Tracer.startSpan}. */
export interface StartSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent: a span, a (remote) context, or null for a new trace. Default: the current span. */
  parent?: Span | SpanContext | null;
  /** Start time, nanoseconds since the epoch. Default: now. */
  startTime?: bigint;
}

/** How `value` reads in an error message. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return `an object without an export method (keys: ${Object.keys(value).join(", ") || "none"})`;
  return `${typeof value} ${String(value)}`;
}

/** Whether `value` can be used as an exporter: an object (or function) with an `export` method. */
function isExporter(value: unknown): value is SpanExporter {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { export?: unknown }).export === "function";
}

/** The option names of {@link TracerOptions} (a new option must be added here: other keys are refused). */
const OPTION_NAMES = new Set(["exporter", "maxExportBatchSize", "batchSize", "maxQueueSize", "scheduleDelayMs", "flushTimeoutMs"]);

/**
 * The options of a tracer from the second argument of `new Tracer` (an exporter, options, or
 * undefined), checked: never an argument silently ignored.
 * @throws TracingError `ERR_INVALID_TRACER_ARGUMENT` or `ERR_INVALID_EXPORTER` (see the constructor)
 */
function tracerOptions(value: unknown, where: string): TracerOptions {
  if (value === undefined) return {};
  if (isExporter(value)) return { exporter: value };
  if (value instanceof SpanExporter)
    throw new TracingError("ERR_INVALID_EXPORTER", `${where}: ${value.constructor.name || "this SpanExporter subclass"} has no export(spans) method`);
  if (value === null || typeof value !== "object" || Array.isArray(value) || ![Object.prototype, null].includes(Object.getPrototypeOf(value)))
    throw new TracingError(
      "ERR_INVALID_TRACER_ARGUMENT",
      `${where}: the second argument is an exporter (an object with an export method) or options, got ${describe(value)}`,
    );
  const options = value as TracerOptions;
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.has(key));
  if (unknown.length > 0)
    throw new TracingError(
      "ERR_INVALID_TRACER_ARGUMENT",
      `${where}: the second argument is an exporter (an object with an export method) or options (${[...OPTION_NAMES].join(", ")}); unknown: ${unknown.join(", ")}`,
    );
  if (options.exporter !== undefined && !isExporter(options.exporter))
    throw new TracingError(
      "ERR_INVALID_EXPORTER",
      `${where}: the exporter option must be an object with an export(spans) method, got ${describe(options.exporter)}`,
    );
  if (options.batchSize !== undefined && options.maxExportBatchSize !== undefined && options.batchSize !== options.maxExportBatchSize)
    throw new TracingError(
      "ERR_INVALID_TRACER_ARGUMENT",
      `${where}: batchSize (${String(options.batchSize)}) and maxExportBatchSize (${String(options.maxExportBatchSize)}) are the same option; give one`,
    );
  return { ...options };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Whether `value` is a promise-like (its `then` is read once, as `await` does). */
function thenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

/**
 * A named tracer. Finished spans are queued and exported in batches of `batchSize` as soon as a
 * batch is full, or after `scheduleDelayMs` for a partial one (the timer does not keep the
 * process alive). One export runs at a time; at most `maxQueueSize` spans wait, queued or in
 * batches not yet exported, and further ones are dropped and counted in {@link droppedSpans}, so
 * a slow exporter never makes memory grow.
 *
 * Exit (docs/spans.md, "Exporter bounds"): background exports do not keep the process alive
 * (`ExportOptions.unref`). When the program is done (`beforeExit`), tracers with spans queued
 * or being exported flush, within `flushTimeoutMs`; on `process.exit()` (the `exit` event,
 * where nothing asynchronous runs) the queued spans go through the exporter's `exportSync` if
 * it has one (else they are dropped and counted), and spans of an export then in progress are
 * counted as dropped.
 */
export class Tracer {
  private readonly queue: Span[] = [];
  private batchSize: number;
  private readonly maxQueueSize: number;
  private readonly delay: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private exporting: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly flushTimeout: number;
  /** Aborted when a flush deadline passes: the export in progress stops, the batches after it are dropped. */
  private controller = new AbortController();
  /** Spans in batches handed to the export chain and not yet exported (they count toward `maxQueueSize`). */
  private inFlight = 0;
  /** Batches handed to the export chain and not started yet, in order. */
  private readonly waiting: Span[][] = [];
  /** The batch being exported. */
  private current: Span[] | undefined;
  /** A flush started at `beforeExit` runs. */
  private flushing = false;
  /** Finished spans dropped because the queue was full, the tracer shut down, or there is no exporter. */
  droppedSpans = 0;
  /**
   * Batches whose export failed (the exporter threw or rejected, or a flush deadline aborted it).
   * The first failure of an exporter is logged once (see {@link reportFailure}); the later ones
   * are only counted here.
   */
  failedExports = 0;
  /** `OTEL_SDK_DISABLED=true`: finished spans are neither exported nor counted (they still reach the recording). */
  readonly disabled: boolean;

  /** The options in use (`exporter` set by the constructor or, once, by {@link getTracer}). */
  private options: TracerOptions;
  /** The tracer's name (the instrumentation scope of its spans). */
  readonly name: string;

  /**
   * `new Tracer(name, exporter)` (the specification's `Tracer(service_name="default",
   * exporter=None)`) or `new Tracer(name, options)`. Reads the `OTEL_BSP_*` variables for the
   * options not given, and `OTEL_SDK_DISABLED` (`true`: no span is handed to the exporter; the
   * recording still gets every span's start and end). Never throws for an environment value.
   * @param name - the tracer's name; default `"default"`
   * @param exporterOrOptions - an exporter (an object with an `export` method, e.g. a {@link SpanExporter} subclass), or {@link TracerOptions}
   * @throws TracingError `ERR_INVALID_TRACER_ARGUMENT` for a name that is not a string, a second argument that is neither an exporter nor an options object, or `batchSize` and `maxExportBatchSize` that differ
   * @throws TracingError `ERR_INVALID_EXPORTER` for an `exporter` option without an `export` method
   * @throws RangeError for a `maxExportBatchSize`, `batchSize`, `maxQueueSize`, `scheduleDelayMs` or `flushTimeoutMs` option that is not a positive integer
   */
  constructor(name: string = "default", exporterOrOptions: SpanExporter | TracerOptions = {}) {
    if (typeof name !== "string") throw new TracingError("ERR_INVALID_TRACER_ARGUMENT", `a tracer's name is a string, got ${describe(name)}`);
    this.name = name;
    const options = (this.options = tracerOptions(exporterOrOptions, `new Tracer(${JSON.stringify(name)}, …)`));
    const batchOption = options.maxExportBatchSize ?? options.batchSize;
    const envBatch =
      batchOption === undefined ? envInteger("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", { min: 1, what: "a positive integer (spans per export)" }) : undefined;
    const envQueue = options.maxQueueSize === undefined ? envInteger("OTEL_BSP_MAX_QUEUE_SIZE", { min: 1, what: "a positive integer (spans)" }) : undefined;
    this.batchSize = positiveInteger(options.maxExportBatchSize !== undefined ? "maxExportBatchSize" : "batchSize", batchOption, envBatch ?? 10);
    this.maxQueueSize = positiveInteger("maxQueueSize", options.maxQueueSize, envQueue ?? 2048);
    if (envBatch !== undefined && this.batchSize > this.maxQueueSize) {
      warnEnv(
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE!,
        `the batch size (${this.batchSize}) must be at most the queue size (${this.maxQueueSize}); batches of ${this.maxQueueSize} are exported`,
      );
      this.batchSize = this.maxQueueSize;
    }
    this.delay =
      options.scheduleDelayMs === undefined
        ? (envInteger("OTEL_BSP_SCHEDULE_DELAY", { min: 0, what: "a delay in milliseconds (a non-negative integer)" }) ?? 5000)
        : positiveInteger("scheduleDelayMs", options.scheduleDelayMs, 5000);
    this.flushTimeout = positiveInteger(
      "flushTimeoutMs",
      options.flushTimeoutMs,
      (options.flushTimeoutMs === undefined ? envTimeout("OTEL_BSP_EXPORT_TIMEOUT") : undefined) ?? 10_000,
    );
    this.disabled = envBoolean("OTEL_SDK_DISABLED");
  }

  /**
   * @internal {@link getTracer}`(name, exporter)` on an existing tracer: takes `exporter` if the
   * tracer has none (its spans from now on are exported), accepts the one it has.
   * @throws TracingError `ERR_TRACER_EXPORTER_CONFLICT` when it exports to another exporter
   */
  adoptExporter(exporter: SpanExporter): void {
    const own = this.options.exporter;
    if (own === exporter) return;
    if (own !== undefined)
      throw new TracingError(
        "ERR_TRACER_EXPORTER_CONFLICT",
        `getTracer(${JSON.stringify(this.name)}, exporter): this tracer already exports to another exporter (${own.constructor?.name ?? "unknown"}); give the exporter when the tracer is first created, or use new Tracer(name, exporter) for a separate tracer`,
      );
    this.options = { ...this.options, exporter };
  }

  /** Starts a span (not current: see {@link span} or {@link withSpan} for that). */
  startSpan(name: string, options: StartSpanOptions = {}): Span {
    // Without a parent option: the current span, or a nearer one of another API (bridge.ts).
    const parent = options.parent === undefined ? defaultParent(getCurrentSpan()) : options.parent;
    const parentContext = parent instanceof Span ? parent.context : parent;
    const context = parentContext ? parentContext.child() : SpanContext.root();
    const span = new Span(name, context, options.kind ?? SpanKind.INTERNAL, options.attributes ?? {}, (s) => this.onEnd(s), options.startTime, this.name);
    toRecording("start", span);
    spanStarted(span);
    return span;
  }

  /**
   * Runs `fn(span)` with a new span current, and ends the span when `fn` returns, throws or, for
   * a promise, settles. A throw or rejection is recorded on the span (`recordException`, status
   * ERROR with the message) and rethrown. The previous current span is current again afterwards.
   */
  span<T>(name: string, fn: (span: Span) => T, options: StartSpanOptions = {}): T {
    const span = this.startSpan(name, options);
    const fail = (error: unknown) => {
      span.recordException(error);
      const message = error instanceof Error ? error.message : String(error);
      span.setStatus(SpanStatus.ERROR, message);
      span.finish();
    };
    let result: T;
    try {
      result = withSpan(span, () => fn(span));
    } catch (error) {
      fail(error);
      throw error;
    }
    if (thenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          span.finish();
          return value;
        },
        (error: unknown) => {
          fail(error);
          throw error;
        },
      ) as T;
    }
    span.finish();
    return result;
  }

  /**
   * Exports every queued span now; resolves when the exports are done, or when `flushTimeoutMs`
   * have passed (the export in progress is then aborted and counted in `failedExports`, the
   * batches after it dropped and counted in `droppedSpans`). Never rejects.
   */
  flush(): Promise<void> {
    return this.flushUntil(Date.now() + this.flushTimeout);
  }

  /**
   * Flushes, then shuts the exporter down, all within one `flushTimeoutMs` (an exporter's
   * `shutdown` still running then is not waited for); spans finished later are dropped.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + this.flushTimeout;
    await this.flushUntil(deadline);
    this.closed = true;
    pending.delete(this);
    const exporter = this.options.exporter;
    if (!exporter) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.resolve()
        .then(() => exporter.shutdown())
        .catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
  }

  /** {@link flush} with the deadline `deadline` (ms since the epoch). */
  private async flushUntil(deadline: number): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) this.exportBatch(this.queue.splice(0, this.batchSize));
    const controller = this.controller;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => {
          controller.abort(new ExportError("ERR_EXPORT_TIMEOUT", `the tracer's flush deadline (${this.flushTimeout} ms) passed`));
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    await Promise.race([this.exporting, expired]);
    clearTimeout(timer);
    if (controller.signal.aborted) {
      // Every step of the chain now sees the aborted signal and settles at once.
      await this.exporting;
      if (this.controller === controller) this.controller = new AbortController();
    } else await this.exporterFlush(deadline);
    this.track();
  }

  /**
   * The exporter's `forceFlush` (when it has one), after the tracer's batches were exported,
   * until `deadline` at most; a throw or rejection counts as a failed export.
   */
  private async exporterFlush(deadline: number): Promise<void> {
    const exporter = this.options.exporter;
    if (this.closed || this.disabled || typeof exporter?.forceFlush !== "function") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => exporter.forceFlush!()),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
    } catch (error) {
      this.failed(exporter, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether this tracer has spans queued or being exported: it is then flushed at exit. */
  private track(): void {
    if (!this.closed && this.queue.length + this.inFlight > 0) {
      pending.add(this);
      hookExit();
    } else pending.delete(this);
  }

  /** @internal the `beforeExit` hook */
  exitFlush(): void {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    void this.flush().finally(() => (this.flushing = false));
  }

  /**
   * @internal the `exit` hook (`process.exit()`; nothing asynchronous runs any more): the
   * spans queued or in batches not started yet go through the exporter's `exportSync` in one
   * batch within `flushTimeoutMs` (a failure counted in `failedExports`), or are dropped and
   * counted; the spans of the export in progress are counted as dropped (it cannot finish).
   */
  exitNow(): void {
    if (this.closed) return;
    this.closed = true;
    pending.delete(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    const queued: Span[] = [];
    for (const batch of this.waiting.splice(0)) queued.push(...batch);
    queued.push(...this.queue.splice(0));
    this.droppedSpans += this.current?.length ?? 0;
    this.inFlight = 0;
    this.controller.abort(new ExportError("ERR_EXPORT_ABORTED", "the process exits"));
    if (queued.length === 0) return;
    const exporter = this.options.exporter;
    if (typeof exporter?.exportSync !== "function") {
      this.droppedSpans += queued.length;
      return;
    }
    let ok = false;
    let error: unknown;
    try {
      ok = exporter.exportSync(queued, this.flushTimeout);
    } catch (e) {
      error = e;
      ok = false;
    }
    if (!ok) this.failed(exporter, error ?? new Error("the exit-time export (exportSync) was not accepted"));
  }

  private onEnd(span: Span): void {
    toRecording("end", span);
    if (this.disabled) return;
    if (this.closed || !this.options.exporter || !span.context.sampled) {
      if (span.context.sampled) this.droppedSpans++;
      return;
    }
    if (this.queue.length + this.inFlight >= this.maxQueueSize) {
      this.droppedSpans++;
      return;
    }
    this.queue.push(span);
    this.track();
    if (this.queue.length >= this.batchSize) {
      this.exportBatch(this.queue.splice(0, this.batchSize));
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.queue.length > 0) this.exportBatch(this.queue.splice(0, this.batchSize));
      }, this.delay);
      this.timer.unref?.();
    }
  }

  /** Counts a failed export and reports the exporter's first failure (see {@link reportFailure}). */
  private failed(exporter: SpanExporter, error: unknown): void {
    this.failedExports++;
    reportFailure(exporter, this.name, error);
  }

  private exportBatch(batch: Span[]): void {
    const exporter = this.options.exporter!;
    this.inFlight += batch.length;
    this.waiting.push(batch);
    this.exporting = this.exporting.then(async () => {
      const next = this.waiting.shift();
      if (next === undefined) return; // taken by the exit path (and counted there)
      const signal = this.controller.signal;
      this.current = next;
      try {
        if (signal.aborted) {
          this.droppedSpans += next.length;
          return;
        }
        await untilAborted(exporter.export(next, { signal, unref: true }), signal);
      } catch (error) {
        this.failed(exporter, error);
      } finally {
        this.current = undefined;
        this.inFlight = Math.max(0, this.inFlight - next.length);
        this.track();
      }
    });
  }
}

/** Exporters whose failure was logged: each is reported once per process, whichever tracers use it. */
const reported = new WeakSet<SpanExporter>();

/**
 * Logs the first failed export of `exporter` (a `WARN` record of target `codetracer.tracing`,
 * with the error's `ERR_EXPORT_*` code, see docs/spans.md): an exporter that keeps failing is
 * reported once, not once per batch; the failures are counted in `Tracer.failedExports`.
 */
function reportFailure(exporter: SpanExporter, tracer: string, error: unknown): void {
  if (reported.has(exporter)) return;
  reported.add(exporter);
  const code = error instanceof ExportError ? error.code : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  const url = (exporter as { url?: unknown }).url;
  logRecord("warn", `spans could not be exported: ${reason}; later failures of this exporter are not logged, only counted (Tracer.failedExports)`, {
    ...(code ? { errorCode: code } : {}),
    fields: { tracer, exporter: exporter.constructor?.name ?? "unknown", ...(typeof url === "string" ? { url } : {}) },
  });
}

/** `work`, or a rejection as soon as `signal` aborts (for an exporter that ignores the signal). */
function untilAborted(work: void | Promise<void>, signal: AbortSignal): Promise<void> {
  if (!thenable(work)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve(work).then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Tracers with spans queued or being exported (flushed at exit); a tracer leaves it when it has none. */
const pending = new Set<Tracer>();
let hooked = false;

/** Installs the exit hooks once, when the first tracer has something to export. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("beforeExit", () => {
    for (const tracer of [...pending]) tracer.exitFlush();
  });
  process.on("exit", () => {
    for (const tracer of [...pending]) tracer.exitNow();
  });
}

const tracers = new Map<string, Tracer>();
let defaultOptions: TracerOptions = {};

/**
 * Sets the options of the tracers {@link getTracer} creates from now on (e.g. their exporter).
 * @param options - {@link TracerOptions}, or an exporter (the same as `{ exporter }`)
 * @throws TracingError `ERR_INVALID_TRACER_ARGUMENT` or `ERR_INVALID_EXPORTER`, as `new Tracer` does
 */
export function configureTracers(options: TracerOptions | SpanExporter): void {
  defaultOptions = tracerOptions(options, "configureTracers(…)");
}

/**
 * The tracer named `name`: the same one for the same name (the specification's
 * `get_tracer(name="default", exporter=None)`). A new tracer gets `exporter` if one is given,
 * else {@link configureTracers}' options (with `exporter`, the other options still come from
 * there). For an existing tracer, `exporter` is checked against its own: the same exporter, or
 * one given to a tracer that had none (its spans were being dropped), is fine; another one
 * throws rather than being ignored.
 * @param name - default `"default"`
 * @param exporter - an object with an `export` method (e.g. a {@link SpanExporter} subclass)
 * @throws TracingError `ERR_INVALID_TRACER_ARGUMENT` for a name that is not a string; `ERR_INVALID_EXPORTER` for an `exporter` without an `export` method; `ERR_TRACER_EXPORTER_CONFLICT` when the tracer already exports to another exporter
 */
export function getTracer(name: string = "default", exporter?: SpanExporter): Tracer {
  if (typeof name !== "string") throw new TracingError("ERR_INVALID_TRACER_ARGUMENT", `a tracer's name is a string, got ${describe(name)}`);
  if (exporter !== undefined && !isExporter(exporter))
    throw new TracingError(
      "ERR_INVALID_EXPORTER",
      `getTracer(${JSON.stringify(name)}, exporter): the exporter must be an object with an export(spans) method, got ${describe(exporter)}`,
    );
  let tracer = tracers.get(name);
  if (!tracer) {
    tracer = new Tracer(name, exporter === undefined ? defaultOptions : { ...defaultOptions, exporter });
    tracers.set(name, tracer);
  } else if (exporter !== undefined) tracer.adoptExporter(exporter);
  return tracer;
}
