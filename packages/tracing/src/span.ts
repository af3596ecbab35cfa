/**
 * `Span`: one timed operation of a trace, with its attributes, events and status. Times are
 * nanoseconds since the Unix epoch as `bigint` (OTLP's `fixed64` `*_time_unix_nano`).
 */
import { SpanContext, SpanKind, SpanStatus } from "./span-context.js";

/** An attribute value (OTLP `AnyValue` subset): a string, number, boolean, or a list of one of them. */
export type AttributeValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[];
/** Attributes by key. */
export type Attributes = Record<string, AttributeValue>;

/** Something that happened during a span. */
export interface SpanEvent {
  name: string;
  /** Nanoseconds since the epoch. */
  time: bigint;
  attributes: Attributes;
}

const hrStart = process.hrtime.bigint();
const epochStart = BigInt(Date.now()) * 1_000_000n;

/** Now, in nanoseconds since the Unix epoch (the wall clock at start-up plus the monotonic clock since). */
export function nowNanos(): bigint {
  return epochStart + (process.hrtime.bigint() - hrStart);
}

/** {@link Span.toDict}'s shape: ids as hex, times as decimal strings of nanoseconds, enums by name. */
export interface SpanDict {
  name: string;
  context: ReturnType<SpanContext["toDict"]>;
  kind: keyof typeof SpanKind;
  status: keyof typeof SpanStatus;
  status_message?: string;
  start_time: string;
  end_time: string | null;
  duration_ns: string | null;
  attributes: Attributes;
  events: Array<{ name: string; time: string; attributes: Attributes }>;
}

function isAttributeValue(value: unknown): value is AttributeValue {
  const scalar = (v: unknown) => typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && !Number.isNaN(v));
  if (scalar(value)) return true;
  return Array.isArray(value) && value.every(scalar) && new Set(value.map((v) => typeof v)).size <= 1;
}

/**
 * A span. Made by `Tracer.startSpan`; changes after {@link finish} are ignored (as OpenTelemetry's
 * SDK does). Invalid attribute values (objects, mixed lists, `NaN`) are ignored too.
 */
export class Span {
  readonly name: string;
  readonly context: SpanContext;
  readonly kind: SpanKind;
  readonly startTime: bigint;
  readonly attributes: Attributes = {};
  readonly events: SpanEvent[] = [];
  private statusValue = SpanStatus.UNSET;
  private message: string | undefined;
  private end: bigint | null = null;

  /** The name of the tracer that made the span (OTLP's instrumentation scope). */
  readonly scope: string;

  /** @internal use `Tracer.startSpan`. `onEnd` is told once, when the span finishes. */
  constructor(
    name: string,
    context: SpanContext,
    kind: SpanKind,
    attributes: Attributes,
    private readonly onEnd: (span: Span) => void,
    startTime: bigint = nowNanos(),
    scope = "default",
  ) {
    this.scope = scope;
    this.name = name;
    this.context = context;
    this.kind = kind;
    this.startTime = startTime;
    for (const [k, v] of Object.entries(attributes)) this.setAttribute(k, v);
  }

  /** The status: UNSET until set; OK is final (later calls change nothing), as in OTLP. */
  get status(): SpanStatus {
    return this.statusValue;
  }

  /** The status description (ERROR only). */
  get statusMessage(): string | undefined {
    return this.message;
  }

  /** Nanoseconds since the epoch when the span finished, or null while it runs. */
  get endTime(): bigint | null {
    return this.end;
  }

  /** `endTime - startTime` in nanoseconds, or null while the span runs. */
  get duration(): bigint | null {
    return this.end === null ? null : this.end - this.startTime;
  }

  /** Whether {@link finish} was called. */
  get ended(): boolean {
    return this.end !== null;
  }

  /** Sets an attribute (ignored after finish or for an invalid value). */
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.ended && typeof key === "string" && key !== "" && isAttributeValue(value)) this.attributes[key] = Array.isArray(value) ? [...value] : value;
    return this;
  }

  /** Adds an event at `time` (default now). */
  addEvent(name: string, attributes: Attributes = {}, time: bigint = nowNanos()): this {
    if (this.ended) return this;
    const clean: Attributes = {};
    for (const [k, v] of Object.entries(attributes)) if (isAttributeValue(v)) clean[k] = v;
    this.events.push({ name, time, attributes: clean });
    return this;
  }

  /** Sets the status; `message` is kept for ERROR only. Once OK, the status stays OK. */
  setStatus(status: SpanStatus, message?: string): this {
    if (this.ended || this.statusValue === SpanStatus.OK) return this;
    this.statusValue = status;
    this.message = status === SpanStatus.ERROR ? message : undefined;
    return this;
  }

  /**
   * Records an exception as an `exception` event with OpenTelemetry's semantic attributes
   * (`exception.type`, `exception.message`, `exception.stacktrace`). Reads the error's own
   * `name`, `message` and `stack` data properties only: no getter or `toString` runs.
   */
  recordException(error: unknown, time: bigint = nowNanos()): this {
    const own = (key: string): string | undefined => {
      if (error === null || typeof error !== "object") return undefined;
      let proto: object | null = error;
      while (proto) {
        const d = Object.getOwnPropertyDescriptor(proto, key);
        if (d) return "value" in d && typeof d.value === "string" ? d.value : undefined;
        proto = Object.getPrototypeOf(proto) as object | null;
      }
      return undefined;
    };
    const attributes: Attributes = { "exception.type": own("name") ?? typeof error };
    const message = own("message") ?? (typeof error === "string" ? error : undefined);
    if (message !== undefined) attributes["exception.message"] = message;
    const stack = own("stack");
    if (stack !== undefined) attributes["exception.stacktrace"] = stack;
    return this.addEvent("exception", attributes, time);
  }

  /** Ends the span at `endTime` (default now; never before its start). Idempotent. */
  finish(endTime: bigint = nowNanos()): void {
    if (this.ended) return;
    this.end = endTime < this.startTime ? this.startTime : endTime;
    this.onEnd(this);
  }

  /** The span as a plain object (see {@link SpanDict}). */
  toDict(): SpanDict {
    const dict: SpanDict = {
      name: this.name,
      context: this.context.toDict(),
      kind: SpanKind[this.kind] as keyof typeof SpanKind,
      status: SpanStatus[this.statusValue] as keyof typeof SpanStatus,
      start_time: String(this.startTime),
      end_time: this.end === null ? null : String(this.end),
      duration_ns: this.duration === null ? null : String(this.duration),
      attributes: { ...this.attributes },
      events: this.events.map((e) => ({ name: e.name, time: String(e.time), attributes: { ...e.attributes } })),
    };
    if (this.message !== undefined) dict.status_message = this.message;
    return dict;
  }
}
