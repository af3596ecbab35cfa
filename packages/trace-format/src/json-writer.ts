/**
 * Streaming `trace.json` writer (spec §4, §17).
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { floatToString, parseRustFloat } from "./floats.js";
import { toWellFormed } from "./strings.js";
import type { TraceLowLevelEvent } from "./types.js";

/**
 * Where a {@link TraceJsonWriter} sends its text. `write` receives UTF-16 JS strings (the sink
 * encodes them, e.g. as UTF-8); `close` is called once by {@link TraceJsonWriter.finish}.
 * Implementations: {@link MemorySink} (tests) and `openFileSink` (Node, synchronous).
 * A sink may throw {@link TraceFormatError} `ERR_IO`; the writer lets it propagate.
 */
export interface EventSink {
  /** Appends `chunk` to the output. */
  write(chunk: string): void;
  /** Flushes and releases the output; no `write` follows. */
  close(): void;
}

/** Options of {@link TraceJsonWriter}. */
export interface TraceJsonWriterOptions {
  /**
   * How `Float.f` is written (spec §4, §11):
   * - `"string"` (default): the 2026 encoding (runtime_tracing ≥ 0.16.2), `"f":"2.5"`. A number
   *   is converted with {@link floatToString} (`"NaN"`, `"inf"`, `"-inf"`, `"-0"`, `String(n)`);
   *   a string is kept as given (made well-formed).
   * - `"number"`: the legacy encoding of CodeTracer ≤ 2025 (runtime_tracing 0.14.x),
   *   `"f":2.5`. A string is parsed with Rust's float grammar. Values a JSON number cannot carry
   *   — NaN, ±Infinity and `-0` (which `JSON.stringify` would turn into `0`) — and strings that
   *   do not parse are written as `{"kind":"Raw","r":<text>,"type_id":<same type_id>}` instead,
   *   with `r` = `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` or the original string (spec §11
   *   "portable subset": a Raw with a Float-kind type displays as text in every version).
   */
  floatEncoding?: "string" | "number";
  /**
   * Number of events buffered before they are written to the sink as one chunk; default 1024.
   * Must be a positive integer. Memory use is bounded by this many serialised events.
   */
  chunkEvents?: number;
}

/** Default of {@link TraceJsonWriterOptions.chunkEvents}. */
export const DEFAULT_CHUNK_EVENTS = 1024;

type FloatMode = "string" | "number";

/**
 * Copy-on-write normalisation of one event before `JSON.stringify` (spec §4, §17): every string
 * is made well-formed and every Float value record's `f` is encoded per `mode`. Objects that need
 * no change are returned as-is. Integer `-0` needs no handling: `JSON.stringify(-0)` is `"0"`.
 */
function normalize(value: unknown, mode: FloatMode): unknown {
  if (typeof value === "string") return toWellFormed(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const n = normalize(item, mode);
      if (n !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(n);
    }
    return out ?? value;
  }
  const record = value as Record<string, unknown>;
  if (record.kind === "Float" && "f" in record) return normalizeFloat(record, mode);
  let out: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const n = normalize(item, mode);
    if (n !== item) {
      out ??= { ...record };
      out[key] = n;
    }
  }
  return out ?? record;
}

function normalizeFloat(record: Record<string, unknown>, mode: FloatMode): Record<string, unknown> {
  const f = record.f;
  const rest = (): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const key in record) if (key !== "f") copy[key] = normalize(record[key], mode);
    return copy;
  };
  if (mode === "string") {
    if (typeof f === "number") return { ...rest(), kind: "Float", f: floatToString(f) };
    if (typeof f === "string") {
      const w = toWellFormed(f);
      return w === f ? record : { ...rest(), kind: "Float", f: w };
    }
    return record;
  }
  // "number" mode
  let n: number | undefined;
  let rawText: string;
  if (typeof f === "number") {
    n = f;
    rawText = Object.is(f, -0) ? "-0" : String(f);
  } else if (typeof f === "string") {
    n = parseRustFloat(f);
    rawText = toWellFormed(f);
  } else {
    return record;
  }
  if (n !== undefined && Number.isFinite(n) && !Object.is(n, -0)) {
    return f === n ? record : { ...rest(), kind: "Float", f: n };
  }
  if (n !== undefined && typeof f === "string") rawText = Object.is(n, -0) ? "-0" : String(n);
  const raw: Record<string, unknown> = { kind: "Raw", r: rawText };
  const others = rest();
  for (const key in others) if (key !== "kind") raw[key] = others[key];
  return raw;
}

/**
 * Streaming writer of `trace.json`: a JSON array with one event per line,
 * `[\n{…},\n{…}\n]\n` (spec §4), so memory does not grow with the trace.
 *
 * - The constructor writes `[` to the sink at once.
 * - {@link write} serialises the event (after normalisation, see {@link TraceJsonWriterOptions})
 *   and buffers it; every `chunkEvents` events the buffer goes to the sink as one chunk.
 * - {@link finish} flushes, writes `\n]\n` and closes the sink. An empty trace is `[\n]\n`.
 *
 * Encoding rules (spec §4, §17): every string is made well-formed with
 * `String.prototype.toWellFormed` (lone surrogates become U+FFFD); integer fields are written by
 * `JSON.stringify`, which writes `-0` as `0`; `"DropLastStep"` is written as the bare string;
 * Float values follow {@link TraceJsonWriterOptions.floatEncoding}. The writer does not validate
 * ids or ordering: use {@link validateEvents} for that.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` from `write` if an event cannot be
 *   serialised (e.g. holds a `bigint` or is `undefined`); `ERR_IO` from `write`/`flush` after
 *   `finish`; sink errors propagate unchanged.
 */
export class TraceJsonWriter {
  private readonly sink: EventSink;
  private readonly floatMode: FloatMode;
  private readonly chunkEvents: number;
  private buffer: string[] = [];
  private count = 0;
  private finished = false;

  /**
   * @param sink - receives the text; the writer calls `sink.write("[")` immediately
   * @param options - float encoding (default `"string"`) and chunk size (default 1024 events)
   * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if `chunkEvents` is not a positive
   *   integer or `floatEncoding` is unknown
   */
  constructor(sink: EventSink, options: TraceJsonWriterOptions = {}) {
    const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS;
    if (!Number.isSafeInteger(chunkEvents) || chunkEvents < 1) {
      throw new TraceFormatError(
        "ERR_TRACE_INVALID",
        `chunkEvents must be a positive integer, got ${String(chunkEvents)}`,
        { option: "chunkEvents" }
      );
    }
    const floatMode = options.floatEncoding ?? "string";
    if (floatMode !== "string" && floatMode !== "number") {
      throw new TraceFormatError(
        "ERR_TRACE_INVALID",
        `floatEncoding must be "string" or "number", got ${String(floatMode)}`,
        { option: "floatEncoding" }
      );
    }
    this.sink = sink;
    this.floatMode = floatMode;
    this.chunkEvents = chunkEvents;
    this.sink.write("[");
  }

  /** Number of events accepted by {@link write} so far (buffered or written). */
  get eventCount(): number {
    return this.count;
  }

  /** True once {@link finish} has run. */
  get isFinished(): boolean {
    return this.finished;
  }

  /**
   * Serialises and buffers one event; writes a chunk to the sink when `chunkEvents` events are
   * buffered.
   *
   * @param event - the event; not modified (a normalised copy is made when needed)
   * @throws {@link TraceFormatError} `ERR_IO` after {@link finish}; `ERR_TRACE_INVALID` if the
   *   event cannot be serialised to JSON
   */
  write(event: TraceLowLevelEvent): void {
    if (this.finished) {
      throw new TraceFormatError("ERR_IO", "TraceJsonWriter.write called after finish()");
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(normalize(event, this.floatMode)) as string | undefined;
    } catch (error) {
      throw new TraceFormatError(
        "ERR_TRACE_INVALID",
        `cannot serialise trace event #${this.count}: ${String(error)}`,
        { eventIndex: String(this.count) },
        error
      );
    }
    if (json === undefined) {
      throw new TraceFormatError(
        "ERR_TRACE_INVALID",
        `cannot serialise trace event #${this.count}: it is not a JSON value`,
        { eventIndex: String(this.count) }
      );
    }
    this.buffer.push(this.count === 0 ? "\n" + json : ",\n" + json);
    this.count++;
    if (this.buffer.length >= this.chunkEvents) this.flush();
  }

  /**
   * Writes the buffered events to the sink now (as one chunk). Does nothing if none are
   * buffered.
   */
  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.sink.write(chunk);
  }

  /**
   * Flushes, writes the closing `\n]\n` and closes the sink. Idempotent: later calls do
   * nothing.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    try {
      this.flush();
      this.sink.write("\n]\n");
    } finally {
      this.sink.close();
    }
  }
}
