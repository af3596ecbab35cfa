/**
 * `SpanKind`, `SpanStatus` and `SpanContext`: a span's identity, what it passes to the spans it
 * causes (in this process or, through headers, in another one), and its baggage.
 */
import { randomBytes } from "node:crypto";
import { formatBaggage, parseBaggage } from "./baggage.js";
import { formatTraceparent, formatTracestate, parseTraceparent, parseTracestate, type HeaderValue } from "./trace-context.js";

/** What a span is to its trace, with OTLP's numbering of `Span.SpanKind` (1–5). */
export enum SpanKind {
  INTERNAL = 1,
  SERVER = 2,
  CLIENT = 3,
  PRODUCER = 4,
  CONSUMER = 5,
}

/** A span's outcome, with OTLP's numbering of `Status.StatusCode` (0–2). */
export enum SpanStatus {
  UNSET = 0,
  OK = 1,
  ERROR = 2,
}

/** A new random trace id: 32 lowercase hex digits, never all zero. */
export function newTraceId(): string {
  return randomId(16);
}

/** A new random span id: 16 lowercase hex digits, never all zero. */
export function newSpanId(): string {
  return randomId(8);
}

function randomId(bytes: number): string {
  for (;;) {
    const id = randomBytes(bytes).toString("hex");
    if (!/^0+$/.test(id)) return id;
  }
}

/** {@link SpanContext.toDict}'s shape (snake_case, as the Python recorder's API writes it). */
export interface SpanContextDict {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  sampled: boolean;
  baggage: Record<string, string>;
  trace_state?: string;
  random?: boolean;
}

/** Headers as Node's `IncomingHttpHeaders`, a plain record (any case), or a fetch `Headers`. */
export type HeaderCarrier = Record<string, HeaderValue | unknown> | { get(name: string): string | null };

/** Reads header `name` from `carrier`, matching its name in any case. */
function header(carrier: HeaderCarrier, name: string): HeaderValue {
  if (typeof (carrier as { get?: unknown }).get === "function" && !(name in carrier)) {
    const got = (carrier as { get(name: string): string | null }).get(name);
    return got === null ? undefined : got;
  }
  const values: string[] = [];
  for (const [key, value] of Object.entries(carrier)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === "string"));
  }
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

/**
 * A span's identity: `traceId` (32 hex digits), `spanId` (16), `parentSpanId` (16, or null for a
 * root span), whether it is `sampled`, its `baggage` (key → value, carried to the spans it causes)
 * and, from an incoming request, the caller's `traceState` and Level 2 `random` flag, which a
 * continued trace carries unchanged.
 */
export class SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly sampled: boolean;
  readonly baggage: Readonly<Record<string, string>>;
  readonly traceState: ReadonlyArray<readonly [string, string]>;
  readonly random: boolean;

  /**
   * @throws TypeError when an id is not lowercase hex of its length (32, 16) or is all zero
   */
  constructor(init: {
    traceId: string;
    spanId: string;
    parentSpanId?: string | null;
    sampled?: boolean;
    baggage?: Record<string, string>;
    traceState?: ReadonlyArray<readonly [string, string]>;
    random?: boolean;
  }) {
    checkId("trace id", init.traceId, 32);
    checkId("span id", init.spanId, 16);
    if (init.parentSpanId != null) checkId("parent span id", init.parentSpanId, 16);
    this.traceId = init.traceId;
    this.spanId = init.spanId;
    this.parentSpanId = init.parentSpanId ?? null;
    this.sampled = init.sampled ?? true;
    this.baggage = Object.freeze({ ...(init.baggage ?? {}) });
    this.traceState = Object.freeze([...(init.traceState ?? [])]);
    this.random = init.random ?? false;
  }

  /** A new root context: fresh trace and span ids, sampled, random (its ids are random). */
  static root(init: { sampled?: boolean; baggage?: Record<string, string> } = {}): SpanContext {
    return new SpanContext({ traceId: newTraceId(), spanId: newSpanId(), random: true, ...init });
  }

  /** The context of a new span caused by this one: same trace, baggage and trace state, a new span id. */
  child(): SpanContext {
    return new SpanContext({
      traceId: this.traceId,
      spanId: newSpanId(),
      parentSpanId: this.spanId,
      sampled: this.sampled,
      baggage: { ...this.baggage },
      traceState: this.traceState,
      random: this.random,
    });
  }

  /** The context as a plain object (see {@link SpanContextDict}). */
  toDict(): SpanContextDict {
    const dict: SpanContextDict = {
      trace_id: this.traceId,
      span_id: this.spanId,
      parent_span_id: this.parentSpanId,
      sampled: this.sampled,
      baggage: { ...this.baggage },
    };
    const state = formatTracestate(this.traceState);
    if (state !== undefined) dict.trace_state = state;
    if (this.random) dict.random = true;
    return dict;
  }

  /**
   * The context from {@link toDict}'s shape.
   * @throws TypeError for a missing or invalid id
   */
  static fromDict(dict: SpanContextDict): SpanContext {
    return new SpanContext({
      traceId: dict.trace_id,
      spanId: dict.span_id,
      parentSpanId: dict.parent_span_id,
      sampled: dict.sampled,
      baggage: dict.baggage,
      traceState: (dict.trace_state !== undefined ? parseTracestate(dict.trace_state) : null) ?? [],
      random: dict.random ?? false,
    });
  }

  /**
   * The headers that carry this context to another process: `traceparent` (version 00, this
   * span as the parent), `tracestate` and `baggage` when there are any.
   */
  toHeaders(): Record<string, string> {
    const headers: Record<string, string> = {
      traceparent: formatTraceparent({ traceId: this.traceId, parentId: this.spanId, sampled: this.sampled, random: this.random }),
    };
    const state = formatTracestate(this.traceState);
    if (state !== undefined) headers.tracestate = state;
    const baggage = formatBaggage(this.baggage);
    if (baggage !== undefined) headers.baggage = baggage;
    return headers;
  }

  /**
   * The remote caller's context from incoming headers (names in any case): its trace id, its
   * span as `spanId`, sampled and random flags, trace state and baggage; a span started from it
   * is its {@link child}. Without a valid `traceparent` the result is null (start a new trace;
   * `tracestate` is then ignored) unless there is `baggage`, which is kept in a new root context.
   */
  static fromHeaders(headers: HeaderCarrier): SpanContext | null {
    const baggage = Object.fromEntries([...parseBaggage(header(headers, "baggage"))].map(([k, e]) => [k, e.value]));
    const parent = parseTraceparent(header(headers, "traceparent"));
    if (!parent) return Object.keys(baggage).length > 0 ? SpanContext.root({ baggage }) : null;
    const traceState = parseTracestate(header(headers, "tracestate")) ?? [];
    return new SpanContext({ traceId: parent.traceId, spanId: parent.parentId, sampled: parent.sampled, random: parent.random, traceState, baggage });
  }
}

function checkId(what: string, id: unknown, length: number): void {
  if (typeof id !== "string" || id.length !== length || !/^[0-9a-f]+$/.test(id) || /^0+$/.test(id)) {
    throw new TypeError(`invalid ${what} ${JSON.stringify(id)}: expected ${length} lowercase hex digits, not all zero`);
  }
}
