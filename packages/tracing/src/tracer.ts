/**
 * `Tracer`: starts spans, makes them current across `await`, timers and event listeners
 * (`AsyncLocalStorage`), and hands finished spans to its exporter in batches.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { SpanExporter } from "./exporters.js";
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
 * Tells a CodeTracer recording in progress in this thread about a span starting or ending: the
 * recorder's runtime host (`globalThis.__codetracer__`, `spanEvent`) writes an `Event` on the
 * current step and lists the trace id in `trace_metadata.json`. Without a recording, nothing.
 * Found through the global object, so this package does not depend on the recorder.
 */
function toRecording(phase: "start" | "end", span: Span): void {
  const host = (globalThis as { __codetracer__?: { spanEvent?: (phase: string, data: object) => void } }).__codetracer__;
  if (typeof host?.spanEvent !== "function") return;
  const c = span.context;
  const data: Record<string, unknown> = { name: span.name, trace_id: c.traceId, span_id: c.spanId, parent_span_id: c.parentSpanId, kind: SpanKind[span.kind], tracer: span.scope };
  if (phase === "start") data.attributes = { ...span.attributes };
  else Object.assign(data, { attributes: { ...span.attributes }, status: SpanStatus[span.status], ...(span.statusMessage !== undefined ? { status_message: span.statusMessage } : {}), duration_ns: String(span.duration) });
  try {
    host.spanEvent(phase, data);
  } catch {
    // the recorder never throws here; a foreign object on the global might
  }
}

/** Options of {@link Tracer}. */
export interface TracerOptions {
  /** Where finished spans go. Without one they are dropped (and counted). */
  exporter?: SpanExporter;
  /** Spans per export. @default 10 */
  batchSize?: number;
  /** Finished spans waiting for export at most (queued or in batches not yet exported); more are dropped and counted. @default 2048 */
  maxQueueSize?: number;
  /** A partial batch is exported after this many milliseconds. @default 5000 */
  scheduleDelayMs?: number;
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
 */
export class Tracer {
  private readonly queue: Span[] = [];
  private readonly batchSize: number;
  private readonly maxQueueSize: number;
  private readonly delay: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private exporting: Promise<void> = Promise.resolve();
  private closed = false;
  /** Spans in batches handed to the export chain and not yet exported (they count toward `maxQueueSize`). */
  private inFlight = 0;
  /** Finished spans dropped because the queue was full, the tracer shut down, or there is no exporter. */
  droppedSpans = 0;
  /** Batches whose export failed (the exporter threw or rejected). */
  failedExports = 0;

  /**
   * @throws RangeError for a `batchSize`, `maxQueueSize` or `scheduleDelayMs` that is not a positive integer
   */
  constructor(
    readonly name: string,
    private readonly options: TracerOptions = {},
  ) {
    this.batchSize = positiveInteger("batchSize", options.batchSize, 10);
    this.maxQueueSize = positiveInteger("maxQueueSize", options.maxQueueSize, 2048);
    this.delay = positiveInteger("scheduleDelayMs", options.scheduleDelayMs, 5000);
  }

  /** Starts a span (not current: see {@link span} or {@link withSpan} for that). */
  startSpan(name: string, options: StartSpanOptions = {}): Span {
    const parent = options.parent === undefined ? getCurrentSpan() : options.parent;
    const parentContext = parent instanceof Span ? parent.context : parent;
    const context = parentContext ? parentContext.child() : SpanContext.root();
    const span = new Span(name, context, options.kind ?? SpanKind.INTERNAL, options.attributes ?? {}, (s) => this.onEnd(s), options.startTime, this.name);
    toRecording("start", span);
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

  /** Exports every queued span now; resolves when the exports are done. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) this.exportBatch(this.queue.splice(0, this.batchSize));
    await this.exporting;
  }

  /** Flushes, then shuts the exporter down; spans finished later are dropped. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.options.exporter?.shutdown();
  }

  private onEnd(span: Span): void {
    toRecording("end", span);
    if (this.closed || !this.options.exporter || !span.context.sampled) {
      if (span.context.sampled) this.droppedSpans++;
      return;
    }
    if (this.queue.length + this.inFlight >= this.maxQueueSize) {
      this.droppedSpans++;
      return;
    }
    this.queue.push(span);
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

  private exportBatch(batch: Span[]): void {
    const exporter = this.options.exporter!;
    this.inFlight += batch.length;
    this.exporting = this.exporting.then(async () => {
      try {
        await exporter.export(batch);
      } catch {
        this.failedExports++;
      } finally {
        this.inFlight -= batch.length;
      }
    });
  }
}

const tracers = new Map<string, Tracer>();
let defaultOptions: TracerOptions = {};

/** Sets the options of the tracers {@link getTracer} creates from now on (e.g. their exporter). */
export function configureTracers(options: TracerOptions): void {
  defaultOptions = { ...options };
}

/** The tracer named `name`: the same one for the same name, created with {@link configureTracers}' options. */
export function getTracer(name: string): Tracer {
  let tracer = tracers.get(name);
  if (!tracer) {
    tracer = new Tracer(name, defaultOptions);
    tracers.set(name, tracer);
  }
  return tracer;
}
