/**
 * Span exporters: where a tracer's finished spans go. `SpanExporter` is their base class,
 * `ConsoleExporter` prints them as JSON, `InMemoryExporter` keeps them for tests.
 */
import { TracingError } from "./errors.js";
import type { Span } from "./span.js";

/** What a tracer passes to {@link SpanExporter.export}. */
export interface ExportOptions {
  /**
   * Aborted when the tracer's flush deadline passes (`TracerOptions.flushTimeoutMs`): the export
   * should stop at once (close its connection) and reject. An exporter that ignores it is not
   * waited for past the deadline anyway; its batch counts as failed.
   */
  signal?: AbortSignal;
  /**
   * The export should not keep the process alive by itself (unreferenced sockets and timers):
   * the tracer's background exports. When the program is otherwise done, the tracer's exit
   * flush keeps the process alive for at most its deadline.
   */
  unref?: boolean;
}

/**
 * Receives finished spans in batches: the base class of every exporter, and its type.
 *
 * Extend it (also from plain JavaScript, `class MyExporter extends SpanExporter`) and define
 * `export`; `shutdown` and `forceFlush` have defaults that do nothing (as OpenTelemetry's),
 * override them when the exporter holds spans or resources. An object that merely has the same
 * methods (`{ export, shutdown }`, or a class that `implements SpanExporter`) is accepted too:
 * the tracer checks for an `export` method, not for this class.
 *
 * A subclass without an `export` method (a method, or a field set in its constructor) is
 * refused by the tracer it is given to (`ERR_INVALID_EXPORTER`), not silently kept.
 *
 * @throws TracingError `ERR_INVALID_EXPORTER` when constructed directly (`new SpanExporter()`)
 */
export abstract class SpanExporter {
  constructor() {
    if (new.target === SpanExporter) throw new TracingError("ERR_INVALID_EXPORTER", "SpanExporter is a base class: extend it and define export(spans)");
  }

  /**
   * Takes one batch; a rejected promise (or a throw) counts the batch as failed (the tracer
   * logs an exporter's first failure once, counts the rest in `Tracer.failedExports`, and goes on).
   */
  abstract export(spans: readonly Span[], options?: ExportOptions): void | Promise<void>;

  /**
   * Optional: sends one batch synchronously within `timeoutMillis`, and says whether it was
   * accepted. The tracer calls it at process exit (`process.exit()`, where nothing asynchronous
   * runs any more) for the spans still queued; without it those spans are dropped and counted.
   */
  exportSync?(spans: readonly Span[], timeoutMillis: number): boolean;

  /**
   * Sends what it still holds and releases its resources; later exports are ignored. Called by
   * `Tracer.shutdown`. The default does nothing.
   */
  shutdown(): void | Promise<void> {
    return Promise.resolve();
  }

  /**
   * Sends what it still holds, without shutting down. Called by `Tracer.flush` (and the flush at
   * exit) after the tracer's own batches were handed over, within the same deadline
   * (`TracerOptions.flushTimeoutMs`); a rejection counts as a failed export. Optional in the
   * type (objects that only have `export` and `shutdown` are exporters too); the default does
   * nothing.
   */
  forceFlush?(): void | Promise<void> {
    return Promise.resolve();
  }
}

/** Options of {@link ConsoleExporter}. */
export interface ConsoleExporterOptions {
  /** Indented JSON over several lines instead of one compact line per span. @default false */
  pretty?: boolean;
  /** Where to write. @default process.stdout */
  stream?: { write(text: string): unknown };
}

/** Writes each span's `toDict()` as JSON, one line per span (or indented with `pretty`). */
export class ConsoleExporter extends SpanExporter {
  private readonly pretty: boolean;
  private readonly stream: { write(text: string): unknown };
  private closed = false;

  constructor(options: ConsoleExporterOptions = {}) {
    super();
    this.pretty = options.pretty ?? false;
    this.stream = options.stream ?? process.stdout;
  }

  override export(spans: readonly Span[]): void {
    if (this.closed) return;
    for (const span of spans) this.stream.write(`${JSON.stringify(span.toDict(), null, this.pretty ? 2 : undefined)}\n`);
  }

  /** Writes the spans at once (the tracer's exit path); true unless the exporter is shut down. */
  override exportSync(spans: readonly Span[]): boolean {
    if (this.closed) return false;
    this.export(spans);
    return true;
  }

  override shutdown(): void {
    this.closed = true;
  }
}

/** Keeps finished spans in memory, at most `capacity` (the oldest are dropped first and counted). */
export class InMemoryExporter extends SpanExporter {
  private spans: Span[] = [];
  private closed = false;
  /** Spans dropped because the exporter was full. */
  dropped = 0;

  /** @param options - `capacity`: the most spans kept (default 10 000) */
  constructor(private readonly options: { capacity?: number } = {}) {
    super();
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }

  override export(spans: readonly Span[]): void {
    if (this.closed) return;
    const capacity = this.options.capacity ?? 10_000;
    this.spans.push(...spans);
    if (this.spans.length > capacity) {
      this.dropped += this.spans.length - capacity;
      this.spans = this.spans.slice(this.spans.length - capacity);
    }
  }

  /** Keeps the spans at once (the tracer's exit path); true unless the exporter is shut down. */
  override exportSync(spans: readonly Span[]): boolean {
    if (this.closed) return false;
    this.export(spans);
    return true;
  }

  /** The finished spans in the order they were exported, or only those of trace `traceId`. */
  getFinishedSpans(traceId?: string): Span[] {
    return traceId === undefined ? [...this.spans] : this.spans.filter((s) => s.context.traceId === traceId);
  }

  /** Forgets every span. */
  clear(): void {
    this.spans = [];
  }

  override shutdown(): void {
    this.closed = true;
  }
}
