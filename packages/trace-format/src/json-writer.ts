/**
 * Streaming `trace.json` writer (docs/trace-format.md: "trace.json").
 *
 * @packageDocumentation
 */

import { checkIntegerRange, TraceFormatError } from "./errors.js";
import { floatToString, parseRustFloat } from "./floats.js";
import { isIndex } from "./ids.js";
import type { FullValueRecord, TraceEventWriter, TraceLowLevelEvent, ValueRecord } from "./types.js";
import { mapCopyOnWrite } from "./copy-on-write.js";
import {
  appendOwn,
  ArrayIsArray,
  BigIntCtor,
  JSONStringify,
  NumberIsFinite,
  NumberIsInteger,
  NumberIsSafeInteger,
  ObjectHasOwn,
  ObjectIs,
  ObjectKeys,
  ReflectDefineProperty,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  TypeErrorCtor,
} from "./primordials.js";

/** Captured when this module loads: a program that replaces them later cannot run code here. */
const ownKeys: (o: object) => string[] = ObjectKeys;
const hasOwn: (o: object, key: PropertyKey) => boolean = ObjectHasOwn;
const isArray: (v: unknown) => v is unknown[] = ArrayIsArray;
const nativeStringify: (value: unknown) => string | undefined = JSONStringify;
const jsonString = nativeStringify as (s: string) => string;
const OBJECT_PROTO = Object.prototype;
const isSafeInteger = NumberIsSafeInteger;

const ARRAY_PROTO = Array.prototype;

/**
 * Gives `record` the own property `key` (defined, not stored: a setter the program put on
 * `Object.prototype` for that name never runs).
 */
function defineField(record: Record<string, unknown>, key: string, value: unknown): void {
  ReflectDefineProperty(record, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}

/**
 * True when `JSON.stringify` of our records runs no program code: it looks up `toJSON` on every
 * object and array, so a program that defines `Object.prototype.toJSON` (or `Array.prototype`'s)
 * would see it called, getter and all. Checked per event (two own-property lookups).
 */
function prototypesAreClean(): boolean {
  return !hasOwn(OBJECT_PROTO, "toJSON") && !hasOwn(ARRAY_PROTO, "toJSON");
}

/**
 * `JSON.stringify(value)` (compact) that runs no program code: the native one while no program
 * has put `toJSON` on `Object.prototype` or `Array.prototype`, else {@link stringifyOwn}.
 * For the recorder's own JSON (events, metadata, log lines).
 */
export function stringifyJson(value: unknown): string | undefined {
  return prototypesAreClean() ? nativeStringify(value) : stringifyOwn(value);
}

/**
 * `JSON.stringify` for event trees (plain objects, arrays, strings, numbers, booleans, null)
 * that reads own properties only and never looks up `toJSON`: used when a program has put one
 * on a prototype. `undefined` fields are left out, as `JSON.stringify` does.
 */
export function stringifyOwn(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return jsonString(value); // a primitive string: no toJSON lookup
    case "number":
      return NumberIsFinite(value) ? (ObjectIs(value, -0) ? "0" : `${value}`) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item = stringifyOwn(value[i]);
          out += (i > 0 ? "," : "") + (item === undefined ? "null" : item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = ownKeys(record);
      let out = "{";
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const item = stringifyOwn(record[key]);
        if (item === undefined) continue;
        out += `${first ? "" : ","}${jsonString(key)}:${item}`;
        first = false;
      }
      return `${out}}`;
    }
    case "bigint":
      throw new TypeErrorCtor("Do not know how to serialize a BigInt");
    default:
      return undefined;
  }
}

/**
 * Set while an event is normalised (`normalizeEvent`, `normalizeValue`) when it holds an integer
 * `JSON.stringify` would not write exactly (see {@link isUnsafeInteger}); the writer then
 * serialises it with {@link stringifyExactIntegers}. Found from the event's shape, field by
 * field, at the cost of one type test per integer field.
 */
let sawUnsafeInteger = false;

/**
 * True for an integer `JSON.stringify` does not write exactly: a `bigint` (it throws) or a
 * double beyond ±(2^53 - 1) (it writes 2^63 as `9223372036854776000`, 1e21 as `1e+21`).
 */
function isUnsafeInteger(n: unknown): boolean {
  return typeof n === "number" ? !isSafeInteger(n) && NumberIsInteger(n) : typeof n === "bigint";
}

/** Sets {@link sawUnsafeInteger} when some number anywhere in `value` is an unsafe integer (for the rare event variants). */
function scanIntegers(value: unknown, depth: number): void {
  if (isUnsafeInteger(value)) {
    sawUnsafeInteger = true;
    return;
  }
  if (value === null || typeof value !== "object" || depth > 512) return;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) scanIntegers(value[i], depth + 1);
    return;
  }
  const keys = ownKeys(value);
  for (let i = 0; i < keys.length; i++) scanIntegers((value as Obj)[keys[i]!], depth + 1);
}

/**
 * {@link stringifyOwn} that writes integers exactly: an integer that is not a safe integer (a
 * `bigint`, or a double beyond ±2^53, which `JSON.stringify` writes rounded, `2^63` as
 * `9223372036854776000`, or throws on) is checked against its field's Rust range and written as
 * its exact decimal digits. `Float.f` (field `f`, a JSON number in the legacy encoding) is left as
 * a float. Used for the events in which {@link sawUnsafeInteger} was set.
 *
 * @param value - an event tree (or part of one)
 * @param field - the name of the field `value` is the value of (an array item's is its array's)
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` (`context.reason:
 *   "integer-out-of-range"`) for an integer outside its field's range
 */
function stringifyExactIntegers(value: unknown, field: string): string | undefined {
  switch (typeof value) {
    case "bigint":
      checkIntegerRange(value, field);
      return `${value}`;
    case "number":
      if (field !== "f" && NumberIsInteger(value) && !isSafeInteger(value)) {
        const exact = BigIntCtor(value);
        checkIntegerRange(exact, field);
        return `${exact}`;
      }
      return stringifyOwn(value);
    case "object": {
      if (value === null) return "null";
      if (isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item = stringifyExactIntegers(value[i], field);
          out += (i > 0 ? "," : "") + (item === undefined ? "null" : item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = ownKeys(record);
      let out = "{";
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const item = stringifyExactIntegers(record[key], key);
        if (item === undefined) continue;
        out += `${first ? "" : ","}${jsonString(key)}:${item}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return stringifyOwn(value);
  }
}

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
   * How `Float.f` is written (docs/trace-format.md: "trace.json", "The version trap"):
   * - `"string"` (default): the 2026 encoding (runtime_tracing ≥ 0.16.2), `"f":"2.5"`. A number
   *   is converted with {@link floatToString} (`"NaN"`, `"inf"`, `"-inf"`, `"-0"`, `String(n)`);
   *   a string is kept as given (made well-formed).
   * - `"number"`: the legacy encoding of CodeTracer ≤ 2025 (runtime_tracing 0.14.x),
   *   `"f":2.5`. A string is parsed with Rust's float grammar. Values a JSON number cannot carry
   *   — NaN, ±Infinity and `-0` (which `JSON.stringify` would turn into `0`) — and strings that
   *   do not parse are written as `{"kind":"Raw","r":<text>,"type_id":<same type_id>}` instead,
   *   with `r` = `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` or the original string (docs/trace-format.md: "The version trap"
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

type Obj = Record<string, unknown>;

/**
 * Encodes the `f` of a Float value record per `mode` (see {@link TraceJsonWriterOptions}).
 * Returns the record itself when nothing changes, else a new record (input is never mutated).
 */
function normalizeFloat(record: Obj, mode: FloatMode): Obj {
  const f = record.f;
  if (mode === "string") {
    return typeof f === "number" ? { ...record, f: floatToString(f) } : record;
  }
  let n: number | undefined;
  let rawText: string;
  if (typeof f === "number") {
    n = f;
    rawText = ObjectIs(f, -0) ? "-0" : StringCtor(f);
  } else if (typeof f === "string") {
    n = parseRustFloat(f);
    rawText = n === undefined ? f : ObjectIs(n, -0) ? "-0" : StringCtor(n);
  } else {
    return record;
  }
  if (n !== undefined && NumberIsFinite(n) && !ObjectIs(n, -0)) {
    return f === n ? record : { ...record, f: n };
  }
  const raw: Obj = { kind: "Raw", r: rawText };
  const keys = ownKeys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key !== "kind" && key !== "f") defineField(raw, key, record[key]);
  }
  return raw;
}

/** Copy-on-write map over an array of value records. */
function normalizeValues(values: unknown, mode: FloatMode): unknown {
  return isArray(values) ? mapCopyOnWrite(values, (v) => normalizeValue(v, mode)) : values;
}

/** Copy-on-write: `record` with `record[key]` replaced by `value` when it differs. */
function withField(record: Obj, key: string, value: unknown): Obj {
  return record[key] === value ? record : { ...record, [key]: value };
}

/**
 * Normalises a ValueRecord tree (docs/trace-format.md: "Values and types"): only Float records change; containers are copied
 * only along the path to a changed Float. Notes unsafe integers in `Int.i`, `address`, `place`
 * and `type_id` (see {@link sawUnsafeInteger}).
 */
function normalizeValue(value: unknown, mode: FloatMode): unknown {
  if (value === null || typeof value !== "object") return value;
  const v = value as Obj;
  if (isUnsafeInteger(v.type_id)) sawUnsafeInteger = true;
  switch (v.kind) {
    case "Int":
      if (isUnsafeInteger(v.i)) sawUnsafeInteger = true;
      return v;
    case "Cell":
      if (isUnsafeInteger(v.place)) sawUnsafeInteger = true;
      return v;
    case "Float":
      return normalizeFloat(v, mode);
    case "Sequence":
    case "Tuple":
      return withField(v, "elements", normalizeValues(v.elements, mode));
    case "Struct":
      return withField(v, "field_values", normalizeValues(v.field_values, mode));
    case "Variant":
      return withField(v, "contents", normalizeValue(v.contents, mode));
    case "Reference":
      if (isUnsafeInteger(v.address)) sawUnsafeInteger = true;
      return withField(v, "dereferenced", normalizeValue(v.dereferenced, mode));
    default:
      return v;
  }
}

/** Generic copy-on-write walk for rare events: normalises every value-record-like object. */
function normalizeAny(value: unknown, mode: FloatMode): unknown {
  if (value === null || typeof value !== "object") {
    if (isUnsafeInteger(value)) sawUnsafeInteger = true;
    return value;
  }
  if (isArray(value)) return mapCopyOnWrite(value, (v) => normalizeAny(v, mode));
  const record = value as Obj;
  if (record.kind === "Float" && "f" in record) {
    if (isUnsafeInteger(record.type_id)) sawUnsafeInteger = true;
    return normalizeFloat(record, mode);
  }
  let out: Obj | undefined;
  const keys = ownKeys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    const n = normalizeAny(item, mode);
    if (n !== item) {
      out ??= { ...record };
      defineField(out, key, n);
    }
  }
  return out ?? record;
}

/**
 * Copy-on-write normalisation of one event's Float values before `JSON.stringify`
 * (docs/trace-format.md: "trace.json", "The version trap"). Hot variants are handled by shape; variants that carry no value records are
 * returned untouched; anything else goes through a generic walk. Integers `JSON.stringify`
 * would not write exactly set {@link sawUnsafeInteger}; `{DropLastStep: null}` becomes the bare
 * string `"DropLastStep"`.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for a `DropLastStep` with a payload
 */
function normalizeEvent(event: unknown, mode: FloatMode): unknown {
  if (event === null || typeof event !== "object") return event;
  const e = event as Obj;
  const keys = ownKeys(e);
  const variant: string | undefined = keys.length > 0 ? keys[0] : undefined;
  switch (variant) {
    case "Path":
    case "VariableName":
    case "Variable":
      return e;
    case "Step":
    case "Function": {
      const p = e[variant] as Obj | null;
      if (p !== null && typeof p === "object" && (isUnsafeInteger(p.path_id) || isUnsafeInteger(p.line))) sawUnsafeInteger = true;
      return e;
    }
    case "Event": {
      const p = e.Event as Obj | null;
      if (p !== null && typeof p === "object" && isUnsafeInteger(p.kind)) sawUnsafeInteger = true;
      return e;
    }
    case "Type": {
      const p = e.Type as Obj | null;
      if (p === null || typeof p !== "object") return e;
      if (isUnsafeInteger(p.kind)) sawUnsafeInteger = true;
      const info = p.specific_info as Obj | null;
      if (info !== null && typeof info === "object" && info.kind !== "None") scanIntegers(info, 1);
      return e;
    }
    case "Asm":
    case "DropVariables":
    case "DropVariable":
    case "BindVariable":
    case "ThreadStart":
    case "ThreadExit":
    case "ThreadSwitch":
      scanIntegers(e[variant], 1);
      return e;
    case "DropLastStep":
      if (e.DropLastStep === null || e.DropLastStep === undefined) return "DropLastStep";
      throw new TraceFormatError("ERR_TRACE_INVALID", "DropLastStep is a unit variant: its payload must be null", {
        reason: "unit-variant-payload",
      });
    case "Value": {
      const p = e.Value as Obj | null;
      if (p === null || typeof p !== "object") return e;
      if (isUnsafeInteger(p.variable_id)) sawUnsafeInteger = true;
      const np = withField(p, "value", normalizeValue(p.value, mode));
      return np === p ? e : { Value: np };
    }
    case "Return": {
      const p = e.Return as Obj | null;
      if (p === null || typeof p !== "object") return e;
      const np = withField(p, "return_value", normalizeValue(p.return_value, mode));
      return np === p ? e : { Return: np };
    }
    case "Call": {
      const p = e.Call as Obj | null;
      if (p === null || typeof p !== "object") return e;
      if (isUnsafeInteger(p.function_id)) sawUnsafeInteger = true;
      if (!isArray(p.args)) return e;
      const args = p.args as unknown[];
      let out: unknown[] | undefined;
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        let n = a;
        if (a !== null && typeof a === "object") {
          if (isUnsafeInteger((a as Obj).variable_id)) sawUnsafeInteger = true;
          n = withField(a as Obj, "value", normalizeValue((a as Obj).value, mode));
        }
        if (n !== a && out === undefined) {
          // a new array of own elements (Array.prototype.slice would consult the program's species)
          out = [];
          for (let j = 0; j < i; j++) appendOwn(out, args[j]);
        }
        if (out !== undefined) appendOwn(out, n);
      }
      return out === undefined ? e : { Call: { ...p, args: out } };
    }
    default:
      return normalizeAny(e, mode);
  }
}

/**
 * `JSON.stringify` writes each lone surrogate as a `\udXXX` escape (valid pairs are written
 * raw), which serde_json rejects (docs/trace-format.md: "trace.json"). Replacing those escapes with `\ufffd` gives exactly
 * what `String.prototype.toWellFormed` on every string (keys included) would give, at the cost
 * of one `indexOf` per event in the common case.
 */
function fixLoneSurrogateEscapes(json: string): string {
  let i = StringPrototypeIndexOf(json, "\\ud");
  if (i === -1) return json;
  // By hand rather than with a RegExp (`String.prototype.replace` runs the RegExp methods a
  // program can replace): each `\udXXX` escape of a high or low surrogate (`\ud800`–`\udfff`,
  // lower-case hex as JSON.stringify writes it) that is an escape (an even number of
  // backslashes before it) becomes `\ufffd`.
  let out = "";
  let from = 0;
  while (i !== -1) {
    let k = i - 1;
    while (k >= 0 && StringPrototypeCharCodeAt(json, k) === 0x5c) k--;
    if ((i - 1 - k) % 2 === 0 && isSurrogateEscapeTail(json, i + 3)) {
      out += `${StringPrototypeSlice(json, from, i)}\\ufffd`;
      from = i + 6;
      i = StringPrototypeIndexOf(json, "\\ud", from);
    } else {
      i = StringPrototypeIndexOf(json, "\\ud", i + 1);
    }
  }
  return out + StringPrototypeSlice(json, from);
}

/** True when `json[p]` is one of `89abcdef` and `json[p + 1]`, `json[p + 2]` are lower-case hex digits. */
function isSurrogateEscapeTail(json: string, p: number): boolean {
  if (p + 3 > json.length) return false;
  const c = StringPrototypeCharCodeAt(json, p);
  if (!(c === 0x38 || c === 0x39 || (c >= 0x61 && c <= 0x66))) return false;
  for (let q = p + 1; q < p + 3; q++) {
    const d = StringPrototypeCharCodeAt(json, q);
    if (!((d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x66))) return false;
  }
  return true;
}

/**
 * Streaming writer of `trace.json`: a JSON array with one event per line,
 * `[\n{…},\n{…}\n]\n` (docs/trace-format.md: "trace.json"), so memory does not grow with the trace.
 *
 * - The constructor writes `[` to the sink at once.
 * - {@link write} serialises the event (after normalisation, see {@link TraceJsonWriterOptions})
 *   and buffers it; every `chunkEvents` events the buffer goes to the sink as one chunk.
 * - {@link finish} flushes, writes `\n]\n` and closes the sink. An empty trace is `[\n]\n`.
 *
 * Encoding rules (docs/trace-format.md: "trace.json"): every string (keys included) is made well-formed exactly as
 * `String.prototype.toWellFormed` would (each lone surrogate becomes U+FFFD; done by rewriting
 * the `\udXXX` escapes `JSON.stringify` produces for lone surrogates); integer fields are written by
 * `JSON.stringify`, which writes `-0` as `0`; an integer that is not a safe integer (a `bigint`,
 * or a double beyond ±2^53) is written as its exact digits when it fits its field's Rust type
 * (i64 for `Int.i`, `line`, `place`; u64 for ids, `address` and the rest) and rejected otherwise;
 * the unit variant is written as the bare string `"DropLastStep"`, also when given as
 * `{DropLastStep: null}` (as runtime_tracing's serde writes it); Float values follow
 * {@link TraceJsonWriterOptions.floatEncoding}. The writer does not validate ids or ordering:
 * use {@link validateEvents} for that.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` from `write` if an event cannot be
 *   serialised (e.g. is `undefined`, or `DropLastStep` has a payload), or holds an integer
 *   outside its field's range (`context.reason: "integer-out-of-range"`, e.g. an `Int.i` of
 *   2^63 or 2^64, as a number or a `bigint`); `ERR_IO` from `write`/`flush` after `finish`; sink
 *   errors propagate unchanged.
 */
export class TraceJsonWriter implements TraceEventWriter {
  private readonly sink: EventSink;
  private readonly floatMode: FloatMode;
  private readonly chunkEvents: number;
  /** The serialised events not yet written to the sink, joined (a string: no array the program can reach). */
  private buffer = "";
  /** How many events {@link buffer} holds. */
  private buffered = 0;
  private count = 0;
  private finished = false;
  /** The last {@link recordJson} holds no string but its kind (no lone surrogate to fix). */
  private plainRecord = false;

  /**
   * @param sink - receives the text; the writer calls `sink.write("[")` immediately
   * @param options - float encoding (default `"string"`) and chunk size (default 1024 events)
   * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if `chunkEvents` is not a positive
   *   integer or `floatEncoding` is unknown
   */
  constructor(sink: EventSink, options: TraceJsonWriterOptions = {}) {
    const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS;
    if (!NumberIsSafeInteger(chunkEvents) || chunkEvents < 1) {
      throw new TraceFormatError("ERR_TRACE_INVALID", `chunkEvents must be a positive integer, got ${StringCtor(chunkEvents)}`, { option: "chunkEvents" });
    }
    const floatMode = options.floatEncoding ?? "string";
    if (floatMode !== "string" && floatMode !== "number") {
      throw new TraceFormatError("ERR_TRACE_INVALID", `floatEncoding must be "string" or "number", got ${StringCtor(floatMode)}`, { option: "floatEncoding" });
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
      sawUnsafeInteger = false;
      const normalized = normalizeEvent(event, this.floatMode);
      // an integer JSON.stringify would round (or a bigint, on which it throws): written exactly, or rejected
      json = sawUnsafeInteger ? stringifyExactIntegers(normalized, "") : stringifyJson(normalized);
    } catch (error) {
      if (error instanceof TraceFormatError) {
        throw new TraceFormatError(
          error.code,
          `cannot serialise trace event #${this.count}: ${error.message}`,
          { ...error.context, eventIndex: StringCtor(this.count) },
          error,
        );
      }
      throw new TraceFormatError(
        "ERR_TRACE_INVALID",
        `cannot serialise trace event #${this.count}: ${StringCtor(error)}`,
        { eventIndex: StringCtor(this.count) },
        error,
      );
    }
    if (json === undefined) {
      throw new TraceFormatError("ERR_TRACE_INVALID", `cannot serialise trace event #${this.count}: it is not a JSON value`, {
        eventIndex: StringCtor(this.count),
      });
    }
    this.push(fixLoneSurrogateEscapes(json));
  }

  /**
   * Writes `{"Step":{"path_id":…,"line":…}}`: the same text as {@link write} of that event,
   * without building it.
   * @throws as {@link write}
   */
  writeStep(pathId: number, line: number): void {
    if (!isIndex(pathId) || !isIndex(line) || this.finished) {
      this.write({ Step: { path_id: pathId, line } });
      return;
    }
    this.push(`{"Step":{"path_id":${pathId},"line":${line}}}`);
  }

  /**
   * Writes `{"Value":{"variable_id":…,"value":…}}` (as {@link write} would).
   * @throws as {@link write}
   */
  writeValue(variableId: number, value: ValueRecord): void {
    const record = isIndex(variableId) && !this.finished ? this.recordJson(value) : undefined;
    if (record === undefined) {
      this.write({ Value: { variable_id: variableId, value } });
      return;
    }
    const json = `{"Value":{"variable_id":${variableId},"value":${record}}}`;
    this.push(this.plainRecord ? json : fixLoneSurrogateEscapes(json));
  }

  /**
   * Writes `{"Call":{"function_id":…,"args":[…]}}` (as {@link write} would).
   * @throws as {@link write}
   */
  writeCall(functionId: number, args: readonly FullValueRecord[]): void {
    let json: string | undefined = isIndex(functionId) && !this.finished ? `{"Call":{"function_id":${functionId},"args":[` : undefined;
    for (let i = 0; i < args.length && json !== undefined; i++) {
      const arg = args[i]!;
      const record = isIndex(arg.variable_id) ? this.recordJson(arg.value) : undefined;
      json = record === undefined ? undefined : `${json}${i > 0 ? "," : ""}{"variable_id":${arg.variable_id},"value":${record}}`;
    }
    if (json === undefined) {
      this.write({ Call: { function_id: functionId, args: args as FullValueRecord[] } });
      return;
    }
    this.push(fixLoneSurrogateEscapes(`${json}]}}`));
  }

  /**
   * Writes `{"Return":{"return_value":…}}` (as {@link write} would).
   * @throws as {@link write}
   */
  writeReturn(value: ValueRecord): void {
    const record = this.finished ? undefined : this.recordJson(value);
    if (record === undefined) {
      this.write({ Return: { return_value: value } });
      return;
    }
    const json = `{"Return":{"return_value":${record}}}`;
    this.push(this.plainRecord ? json : fixLoneSurrogateEscapes(json));
  }

  /**
   * JSON of a value record, as {@link write} writes it inside an event, or `undefined` when it
   * cannot be serialised (the caller then goes the generic way, which reports the error).
   * The common kinds are written by their fields (the field order of the `ValueRecord` type).
   */
  private recordJson(r: ValueRecord): string | undefined {
    this.plainRecord = false;
    if (r === null || typeof r !== "object") return undefined;
    const t = (r as { type_id?: unknown }).type_id;
    if (isIndex(t)) {
      switch (r.kind) {
        case "Int":
          if (isSafeInteger(r.i)) {
            this.plainRecord = true;
            return `{"kind":"Int","i":${r.i},"type_id":${t}}`; // (`${-0}` is "0")
          }
          break;
        case "Bool":
          if (typeof r.b === "boolean") {
            this.plainRecord = true;
            return `{"kind":"Bool","b":${r.b},"type_id":${t}}`;
          }
          break;
        case "String":
          if (typeof r.text === "string") return `{"kind":"String","text":${jsonString(r.text)},"type_id":${t}}`;
          break;
        case "Raw":
          if (typeof r.r === "string") return `{"kind":"Raw","r":${jsonString(r.r)},"type_id":${t}}`;
          break;
        case "Error":
          if (typeof r.msg === "string") return `{"kind":"Error","msg":${jsonString(r.msg)},"type_id":${t}}`;
          break;
        case "None":
          this.plainRecord = true;
          return `{"kind":"None","type_id":${t}}`;
        case "Float":
          if (this.floatMode === "string" && (typeof r.f === "string" || typeof r.f === "number")) {
            return `{"kind":"Float","f":${jsonString(typeof r.f === "string" ? r.f : floatToString(r.f))},"type_id":${t}}`;
          }
          break;
        case "Struct": {
          const fields = isArray(r.field_values) ? this.recordsJson(r.field_values) : undefined;
          if (fields !== undefined) return `{"kind":"Struct","field_values":${fields},"type_id":${t}}`;
          break;
        }
        case "Sequence": {
          const elements = isArray(r.elements) && typeof r.is_slice === "boolean" ? this.recordsJson(r.elements) : undefined;
          if (elements !== undefined) return `{"kind":"Sequence","elements":${elements},"is_slice":${r.is_slice},"type_id":${t}}`;
          break;
        }
        default:
          break;
      }
    }
    try {
      sawUnsafeInteger = false;
      const normalized = normalizeValue(r, this.floatMode);
      // an integer JSON.stringify would round: `write` writes it exactly or rejects it
      return sawUnsafeInteger ? undefined : stringifyJson(normalized);
    } catch {
      return undefined;
    }
  }

  /** JSON of an array of value records (`undefined` if one cannot be serialised). */
  private recordsJson(records: readonly ValueRecord[]): string | undefined {
    let out = "[";
    for (let i = 0; i < records.length; i++) {
      const item = records[i];
      const json = item === undefined ? "null" : this.recordJson(item);
      if (json === undefined) return undefined;
      out += i > 0 ? `,${json}` : json;
    }
    this.plainRecord = false;
    return `${out}]`;
  }

  /** Buffers one serialised event. */
  private push(json: string): void {
    this.buffer += this.count === 0 ? "\n" + json : ",\n" + json;
    this.count++;
    if (++this.buffered >= this.chunkEvents) this.flush();
  }

  /**
   * Writes the buffered events to the sink now (as one chunk). Does nothing if none are
   * buffered.
   */
  flush(): void {
    if (this.buffered === 0) return;
    const chunk = this.buffer;
    this.buffer = "";
    this.buffered = 0;
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
