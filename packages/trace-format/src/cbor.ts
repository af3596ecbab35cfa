/**
 * Hand-written CBOR (RFC 8949) encoder for `TraceLowLevelEvent`s and a small generic decoder,
 * following the rules the runtime_tracing reader (cbor4ii + serde) imposes on `trace.bin`
 * (docs/trace-format.md: "trace.bin"):
 *
 * - an event is a definite-length map with exactly one entry (`0xA1`, then the variant name as a
 *   text string, then the payload); the unit variant is the text string `"DropLastStep"`, also
 *   when it is given as `{DropLastStep: null}` (cbor4ii rejects that map form);
 * - structs and value records are definite-length maps with text-string keys, in the order the
 *   object's own enumerable keys have (serde accepts any order);
 * - integers are major type 0 (unsigned) or 1 (negative), always in the shortest form; `-0` is
 *   written as `0` (as `JSON.stringify` does); an integer that is not a safe integer (a `bigint`,
 *   or a double beyond ±2^53) is written exactly and must fit its field's Rust type (i64 for
 *   `Int.i`, `line`, `place`; u64 for the others), else it is rejected (`checkIntegerRange`);
 * - strings are major type 3, UTF-8, made well-formed (each lone surrogate becomes U+FFFD, as
 *   `String.prototype.toWellFormed` does);
 * - arrays are major type 4; booleans `0xF4`/`0xF5`; `null` is `0xF6`;
 * - `Float.f` is written as a text string (the 2026 encoding, docs/trace-format.md: "trace.json"): a number is converted
 *   with {@link floatToString};
 * - a non-integral number anywhere else is written as an f64 (`0xFB`), never as f16/f32; keys
 *   whose value is `undefined` are skipped and `undefined` array items are written as `null`
 *   (both as `JSON.stringify` does), so the CBOR and JSON writers give the same events.
 *
 * Hand-written rather than a library: it is small, and it avoids generic encoders' quirks
 * (cbor-x "records", shrinking floats to f16) that the Rust reader rejects (docs/trace-format.md: "trace.bin").
 *
 * @packageDocumentation
 */

import { checkIntegerRange, TraceFormatError } from "./errors.js";
import { floatToString } from "./floats.js";
import { isIndex } from "./ids.js";
import type { FullValueRecord, TraceLowLevelEvent, ValueRecord } from "./types.js";
import {
  ArrayIsArray,
  BigIntCtor,
  MathCeil,
  MathFloor,
  MathMax,
  NumberCtor,
  NumberIsFinite,
  NumberIsInteger,
  NumberIsSafeInteger,
  NumberMAX_SAFE_INTEGER,
  ObjectHasOwn,
  SafeDataView,
  StringPrototypeCharCodeAt,
  TextEncoderCtor,
  TextEncoderPrototypeEncode,
  TextEncoderPrototypeEncodeInto,
  TypedArrayPrototypeCopyWithin,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  uint8Copy,
  uint8View,
  Uint32ArrayCtor,
  Uint8ArrayCtor,
} from "./primordials.js";

/** Strings longer than this (UTF-16 units) are written by `TextEncoder.encodeInto` (see `CborOutput.text`). */
const LONG_TEXT = 48;

/** Bytes of the head of an item whose argument is `n` (shortest form). */
function headBytes(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

/** A growable byte buffer that CBOR items are appended to. */
export class CborOutput {
  /** The bytes; only `[0, length)` is meaningful. */
  bytes: Uint8Array;
  /** Number of bytes written. */
  length = 0;
  /** `bytes.length` (kept here: a typed array's `length` is an accessor a program may redefine). */
  private capacity: number;
  /** A DataView of {@link bytes} (replaced with it): a `SafeDataView` (see src/primordials.ts). */
  view: SafeDataView;

  /** @param initialCapacity - initial size of the buffer in bytes (default 64 KiB) */
  constructor(initialCapacity = 64 * 1024) {
    this.capacity = MathMax(16, initialCapacity);
    this.bytes = new Uint8ArrayCtor(this.capacity);
    this.view = new SafeDataView(TypedArrayPrototypeGetBuffer(this.bytes));
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return uint8Copy(this.bytes, 0, this.length);
  }

  /** The bytes written so far, without copying (valid until the next write or {@link reset}). */
  view0(): Uint8Array {
    return uint8View(this.bytes, 0, this.length);
  }

  /** Forgets the bytes written (keeps the buffer). */
  reset(): void {
    this.length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.capacity) return;
    let size = this.capacity * 2;
    while (size < need) size *= 2;
    const next = new Uint8ArrayCtor(size);
    TypedArrayPrototypeSet(next, uint8View(this.bytes, 0, this.length));
    this.bytes = next;
    this.capacity = size;
    this.view = new SafeDataView(TypedArrayPrototypeGetBuffer(next));
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.ensure(1);
    this.bytes[this.length++] = b;
  }

  /** Appends an item head: major type `major` (0–7) with argument `n` (0 ≤ n ≤ 2^53), shortest form. */
  head(major: number, n: number): void {
    const m = major << 5;
    this.ensure(9);
    const b = this.bytes;
    if (n < 24) {
      b[this.length++] = m | n;
    } else if (n < 0x100) {
      b[this.length++] = m | 24;
      b[this.length++] = n;
    } else if (n < 0x10000) {
      b[this.length++] = m | 25;
      this.view.setUint16(this.length, n);
      this.length += 2;
    } else if (n < 0x100000000) {
      b[this.length++] = m | 26;
      this.view.setUint32(this.length, n);
      this.length += 4;
    } else {
      b[this.length++] = m | 27;
      this.view.setUint32(this.length, MathFloor(n / 0x100000000));
      this.view.setUint32(this.length + 4, n >>> 0);
      this.length += 8;
    }
  }

  /** Appends a text string (major 3), well-formed UTF-8. */
  text(s: string): void {
    const n = s.length;
    if (n > LONG_TEXT) {
      this.longText(s);
      return;
    }
    // ASCII fast path, one pass: the head for n bytes, then one byte per UTF-16 unit; a unit
    // from 0x80 on sends the string back to the start and down the general path.
    const start = this.length;
    this.head(3, n);
    this.ensure(n);
    const b = this.bytes;
    let p = this.length;
    let i = 0;
    for (; i < n; i++) {
      const c = StringPrototypeCharCodeAt(s, i);
      if (c >= 0x80) break;
      b[p++] = c;
    }
    if (i === n) {
      this.length = p;
      return;
    }
    this.length = start;
    // TextEncoder writes U+FFFD for lone surrogates, exactly like toWellFormed().
    const utf8 = TextEncoderPrototypeEncode(textEncoder, s);
    const n8 = TypedArrayPrototypeGetLength(utf8);
    this.head(3, n8);
    this.ensure(n8);
    TypedArrayPrototypeSet(this.bytes, utf8, this.length);
    this.length += n8;
  }

  /**
   * A long text string: UTF-8 written by `TextEncoder.encodeInto` straight into the buffer, after
   * room for the longest head the string could need (3 bytes per UTF-16 unit), then moved back
   * if its real length needs a shorter head. `encodeInto` writes U+FFFD for a lone surrogate,
   * as `toWellFormed` does.
   */
  private longText(s: string): void {
    const max = s.length * 3;
    const room = headBytes(max);
    this.ensure(room + max);
    const start = this.length;
    const written = TextEncoderPrototypeEncodeInto(textEncoder, s, uint8View(this.bytes, start + room, start + room + max)).written;
    const head = headBytes(written);
    if (head < room) TypedArrayPrototypeCopyWithin(this.bytes, start + head, start + room, start + room + written);
    this.head(3, written);
    this.length = start + head + written;
  }

  /** Appends an f64 (`0xFB`, big-endian). */
  float64(x: number): void {
    this.ensure(9);
    this.bytes[this.length++] = 0xfb;
    this.view.setFloat64(this.length, x);
    this.length += 8;
  }

  /** Appends an integer (major 0 or 1); `-0` is written as `0`. */
  integer(x: number): void {
    if (x >= 0) this.head(0, x);
    else this.head(1, -1 - x);
  }

  /**
   * Appends an integer given exactly (major 0 or 1, shortest form).
   * @param x - from -2^64 to 2^64 - 1 (the caller checks the range)
   */
  bigInteger(x: bigint): void {
    const major = x < 0n ? 1 : 0;
    const arg = x < 0n ? -1n - x : x;
    if (arg <= MAX_SAFE_BIG) {
      this.head(major, NumberCtor(arg));
      return;
    }
    this.ensure(9);
    this.bytes[this.length++] = (major << 5) | 27;
    this.view.setBigUint64(this.length, arg);
    this.length += 8;
  }
}

const MAX_SAFE_BIG = BigIntCtor(NumberMAX_SAFE_INTEGER);

const textEncoder = new TextEncoderCtor();

function invalid(message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", message, context);
}

/**
 * Appends a JSON-like value. `field` is the name of the field it is the value of (an array
 * item's is its array's, a payload's the variant's): an integer that is not a safe integer is
 * checked against that field's Rust range (see `checkIntegerRange`) and written exactly.
 */
function encodeValue(out: CborOutput, value: unknown, depth: number, field: string): void {
  if (depth > 512) throw invalid("value nested too deeply to encode (over 512 levels)");
  switch (typeof value) {
    case "string":
      out.text(value);
      return;
    case "number":
      if (NumberIsSafeInteger(value)) out.integer(value);
      else if (NumberIsInteger(value)) {
        const exact = BigIntCtor(value);
        checkIntegerRange(exact, field);
        out.bigInteger(exact);
      } else if (NumberIsFinite(value)) out.float64(value);
      else out.byte(0xf6); // JSON.stringify writes NaN/±Infinity as null
      return;
    case "bigint":
      checkIntegerRange(value, field);
      out.bigInteger(value);
      return;
    case "boolean":
      out.byte(value ? 0xf5 : 0xf4);
      return;
    case "object": {
      if (value === null) {
        out.byte(0xf6);
        return;
      }
      if (ArrayIsArray(value)) {
        out.head(4, value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || typeof item === "function" || typeof item === "symbol") out.byte(0xf6);
          else encodeValue(out, item, depth + 1, field);
        }
        return;
      }
      const record = value as Record<string, unknown>;
      const isFloat = record.kind === "Float";
      let count = 0;
      for (const key in record) {
        if (!ObjectHasOwn(record, key)) continue;
        const v = record[key];
        if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
        count++;
      }
      out.head(5, count);
      for (const key in record) {
        if (!ObjectHasOwn(record, key)) continue;
        const v = record[key];
        if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
        out.text(key);
        if (isFloat && key === "f" && typeof v === "number") out.text(floatToString(v));
        else encodeValue(out, v, depth + 1, key);
      }
      return;
    }
    default:
      throw invalid(`cannot encode a ${typeof value} as CBOR`);
  }
}

/**
 * Appends one event as one CBOR item (docs/trace-format.md: "trace.bin"): `0xA1 <variant> <payload>`, or the text
 * string `"DropLastStep"` for the unit variant, given as that string or as
 * `{DropLastStep: null}` (CodeTracer's reader rejects the map form in `trace.bin`).
 *
 * @param out - the buffer to append to
 * @param event - the event; not modified
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if the event is not a string or a
 *   one-entry object, `DropLastStep` has a payload other than `null`, or the event holds a value
 *   CBOR cannot carry (a symbol or function where a value is needed, nesting over 512) or an
 *   integer outside its field's Rust range (`context.reason: "integer-out-of-range"`, e.g. an
 *   `Int.i` of 2^63 or 2^64, as a number or a `bigint`). On error, `out` is left as it was
 *   before the call.
 */
export function encodeEvent(out: CborOutput, event: TraceLowLevelEvent): void {
  const start = out.length;
  try {
    if (typeof event === "string") {
      out.text(event);
      return;
    }
    if (event === null || typeof event !== "object" || ArrayIsArray(event)) {
      throw invalid(`an event must be an object with one key or "DropLastStep", got ${event === null ? "null" : typeof event}`);
    }
    let variant: string | undefined;
    let count = 0;
    for (const key in event) {
      if (!ObjectHasOwn(event, key)) continue;
      variant ??= key;
      count++;
    }
    if (count !== 1 || variant === undefined) {
      throw invalid(`an event must be an object with exactly one key (the variant), found ${count}`);
    }
    const payload = (event as Record<string, unknown>)[variant];
    if (variant === "DropLastStep") {
      if (payload !== null && payload !== undefined) {
        throw invalid(`DropLastStep is a unit variant: its payload must be null, got ${ArrayIsArray(payload) ? "an array" : typeof payload}`, {
          reason: "unit-variant-payload",
        });
      }
      out.text(variant);
      return;
    }
    out.byte(0xa1);
    out.text(variant);
    if (payload === undefined) out.byte(0xf6);
    else encodeValue(out, payload, 1, variant);
  } catch (error) {
    out.length = start;
    throw error;
  }
}

// -------------------------------------------------------------------------------------------
// Fast paths for the hot events (Step, Value, Call, Return): constant key bytes, no walk
// -------------------------------------------------------------------------------------------

/**
 * A constant byte sequence, as big-endian 32-bit words (the last one zero-padded) so it is
 * written a word at a time: the padding is overwritten by what follows (callers reserve room).
 */
interface Constant {
  words: Uint32Array;
  /** `words.length` (see `CborOutput.capacity`). */
  wordCount: number;
  length: number;
}

/** The constant made of raw bytes (numbers) and CBOR text strings. */
function constant(...parts: Array<string | number>): Constant {
  // Runs when the module loads (the constants below), before any program code.
  const out = new CborOutput(64);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (typeof p === "number") out.byte(p);
    else out.text(p);
  }
  const bytes = out.toBytes();
  const byteCount = out.length;
  const wordCount = MathCeil(byteCount / 4);
  const words = new Uint32ArrayCtor(wordCount);
  for (let i = 0; i < wordCount; i++) {
    words[i] = (((bytes[4 * i] ?? 0) << 24) | ((bytes[4 * i + 1] ?? 0) << 16) | ((bytes[4 * i + 2] ?? 0) << 8) | (bytes[4 * i + 3] ?? 0)) >>> 0;
  }
  return { words, wordCount, length: byteCount };
}

const STEP_PREFIX = constant(0xa1, "Step", 0xa2, "path_id");
const LINE_KEY = constant("line");
const VALUE_PREFIX = constant(0xa1, "Value", 0xa2, "variable_id");
const VALUE_KEY = constant("value");
const VARIABLE_ID_KEY = constant(0xa2, "variable_id");
const CALL_PREFIX = constant(0xa1, "Call", 0xa2, "function_id");
const ARGS_KEY = constant("args");
const RETURN_PREFIX = constant(0xa1, "Return", 0xa1, "return_value");
const INT_PREFIX = constant(0xa3, "kind", "Int", "i");
const BOOL_PREFIX = constant(0xa3, "kind", "Bool", "b");
const STRING_PREFIX = constant(0xa3, "kind", "String", "text");
const RAW_PREFIX = constant(0xa3, "kind", "Raw", "r");
const ERROR_PREFIX = constant(0xa3, "kind", "Error", "msg");
const NONE_PREFIX = constant(0xa2, "kind", "None");
const FLOAT_PREFIX = constant(0xa3, "kind", "Float", "f");
const STRUCT_PREFIX = constant(0xa3, "kind", "Struct", "field_values");
const SEQUENCE_PREFIX = constant(0xa4, "kind", "Sequence", "elements");
const IS_SLICE_KEY = constant("is_slice");
const TYPE_ID_KEY = constant("type_id");

/** Room every hot-path write reserves first: the longest constant, padded, plus an integer. */
const ROOM = 48;

/** Appends a constant (room for it and its padding must be reserved). */
function put(out: CborOutput, c: Constant): void {
  const view = out.view;
  const words = c.words;
  const n = c.wordCount;
  const p = out.length;
  for (let i = 0; i < n; i++) view.setUint32(p + 4 * i, words[i]!);
  out.length = p + c.length;
}

/** Appends an unsigned integer below 2^32 (room for 5 bytes must be reserved), else any. */
function putUint(out: CborOutput, n: number): void {
  const b = out.bytes;
  const p = out.length;
  if (n < 24) {
    b[p] = n;
    out.length = p + 1;
  } else if (n < 0x100) {
    b[p] = 24;
    b[p + 1] = n;
    out.length = p + 2;
  } else if (n < 0x10000) {
    b[p] = 25;
    b[p + 1] = n >>> 8;
    b[p + 2] = n & 0xff;
    out.length = p + 3;
  } else {
    out.head(0, n);
  }
}

const isSafeInteger = NumberIsSafeInteger;

/**
 * Appends a value record: the common kinds (Int, Bool, String, Raw, Error, None) by their
 * fields, in the field order of the `ValueRecord` type; any other kind, or a record whose
 * fields are not of their types, by the generic walk (same bytes as {@link encodeEvent}).
 */
function encodeRecord(out: CborOutput, r: ValueRecord, depth = 2): void {
  const t = r !== null && typeof r === "object" ? (r as { type_id?: unknown }).type_id : undefined;
  if (isIndex(t) && depth <= 512) {
    switch (r.kind) {
      case "Int":
        if (isSafeInteger(r.i)) {
          out.ensure(2 * ROOM);
          put(out, INT_PREFIX);
          if (r.i >= 0) putUint(out, r.i);
          else out.integer(r.i);
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      case "Bool":
        if (typeof r.b === "boolean") {
          out.ensure(2 * ROOM);
          put(out, BOOL_PREFIX);
          out.bytes[out.length++] = r.b ? 0xf5 : 0xf4;
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      case "String":
      case "Raw":
      case "Error": {
        const text = r.kind === "String" ? r.text : r.kind === "Raw" ? r.r : r.msg;
        if (typeof text === "string") {
          out.ensure(ROOM);
          put(out, r.kind === "String" ? STRING_PREFIX : r.kind === "Raw" ? RAW_PREFIX : ERROR_PREFIX);
          out.text(text);
          out.ensure(ROOM);
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      }
      case "Float":
        if (typeof r.f === "string" || typeof r.f === "number") {
          out.ensure(ROOM);
          put(out, FLOAT_PREFIX);
          out.text(typeof r.f === "string" ? r.f : floatToString(r.f));
          out.ensure(ROOM);
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      case "Struct":
        if (isArray(r.field_values) && depth < 512) {
          out.ensure(ROOM);
          put(out, STRUCT_PREFIX);
          encodeRecords(out, r.field_values, depth);
          out.ensure(ROOM);
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      case "Sequence":
        if (isArray(r.elements) && typeof r.is_slice === "boolean" && depth < 512) {
          out.ensure(ROOM);
          put(out, SEQUENCE_PREFIX);
          encodeRecords(out, r.elements, depth);
          out.ensure(2 * ROOM);
          put(out, IS_SLICE_KEY);
          out.bytes[out.length++] = r.is_slice ? 0xf5 : 0xf4;
          put(out, TYPE_ID_KEY);
          putUint(out, t);
          return;
        }
        break;
      case "None":
        out.ensure(2 * ROOM);
        put(out, NONE_PREFIX);
        put(out, TYPE_ID_KEY);
        putUint(out, t);
        return;
      default:
        break;
    }
  }
  encodeValue(out, r, depth, "value");
}

/** Appends an array of value records (the elements of a Struct or Sequence at `depth`). */
function encodeRecords(out: CborOutput, records: readonly ValueRecord[], depth: number): void {
  out.head(4, records.length);
  for (let i = 0; i < records.length; i++) {
    const item = records[i];
    if (item === undefined) out.byte(0xf6);
    else encodeRecord(out, item, depth + 2);
  }
}

const isArray = ArrayIsArray;

/**
 * Appends `{"Step": {"path_id", "line"}}`: the bytes {@link encodeEvent} writes for that event
 * (an id that is not a safe non-negative integer goes through it).
 */
export function encodeStep(out: CborOutput, pathId: number, line: number): void {
  if (!isIndex(pathId) || !isIndex(line)) {
    encodeEvent(out, { Step: { path_id: pathId, line } });
    return;
  }
  out.ensure(2 * ROOM);
  put(out, STEP_PREFIX);
  putUint(out, pathId);
  put(out, LINE_KEY);
  putUint(out, line);
}

/**
 * Appends `{"Value": {"variable_id", "value"}}`: the event {@link encodeEvent} writes, with the
 * fields of the common record kinds in the `ValueRecord` type's order (see `encodeRecord`; the
 * same bytes for records built in that order, as the recorder's are).
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if the record cannot be encoded (nothing appended)
 */
export function encodeValueEvent(out: CborOutput, variableId: number, value: ValueRecord): void {
  if (!isIndex(variableId)) {
    encodeEvent(out, { Value: { variable_id: variableId, value } });
    return;
  }
  const start = out.length;
  try {
    out.ensure(2 * ROOM);
    put(out, VALUE_PREFIX);
    putUint(out, variableId);
    put(out, VALUE_KEY);
    encodeRecord(out, value);
  } catch (error) {
    out.length = start;
    throw error;
  }
}

/** True when every argument is an object whose `variable_id` is an index (the fast path of {@link encodeCall}). */
function argsHaveIndexIds(args: readonly FullValueRecord[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === null || typeof arg !== "object" || !isIndex(arg.variable_id)) return false;
  }
  return true;
}

/**
 * Appends `{"Call": {"function_id", "args": [{"variable_id", "value"}, …]}}` (as
 * {@link encodeValueEvent} does its record).
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if a record cannot be encoded (nothing appended)
 */
export function encodeCall(out: CborOutput, functionId: number, args: readonly FullValueRecord[]): void {
  if (!isIndex(functionId) || !argsHaveIndexIds(args)) {
    encodeEvent(out, { Call: { function_id: functionId, args: args as FullValueRecord[] } });
    return;
  }
  const start = out.length;
  try {
    out.ensure(2 * ROOM);
    put(out, CALL_PREFIX);
    putUint(out, functionId);
    put(out, ARGS_KEY);
    out.head(4, args.length);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      out.ensure(2 * ROOM);
      put(out, VARIABLE_ID_KEY);
      putUint(out, arg.variable_id);
      put(out, VALUE_KEY);
      encodeRecord(out, arg.value);
    }
  } catch (error) {
    out.length = start;
    throw error;
  }
}

/**
 * Appends `{"Return": {"return_value"}}` (as {@link encodeValueEvent} does its record).
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if the record cannot be encoded (nothing appended)
 */
export function encodeReturn(out: CborOutput, value: ValueRecord): void {
  const start = out.length;
  try {
    out.ensure(ROOM);
    put(out, RETURN_PREFIX);
    encodeRecord(out, value);
  } catch (error) {
    out.length = start;
    throw error;
  }
}

/** Encodes one event into a fresh byte array (see {@link encodeEvent}). */
export function encodeEventBytes(event: TraceLowLevelEvent): Uint8Array {
  const out = new CborOutput(64);
  encodeEvent(out, event);
  return out.toBytes();
}

export { decodeCborItem, decodeEvents } from "./cbor-decode.js";
