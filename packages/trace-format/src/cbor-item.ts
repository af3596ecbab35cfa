/**
 * The CBOR item decoder (RFC 8949) of `trace.bin`: {@link decodeItem}, {@link decodeCborItem}.
 * The repair runs it inside a recording process too (the `Path` events and the last `Step` of a
 * dead worker's or child process's `trace.bin`; see `bin-scan.ts`), so it uses only built-ins
 * captured at load (see src/primordials.ts). `decodeEvents` (reader, validator) is in
 * `cbor-decode.ts`.
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { recordNumberSource } from "./number-source.js";
import {
  appendOwn,
  BigIntCtor,
  NumberIsInteger,
  NumberMAX_SAFE_INTEGER,
  ownSlots,
  ReflectDefineProperty,
  SafeDataView,
  safeArray,
  StringCtor,
  TextDecoderCtor,
  TextDecoderPrototypeDecode,
  TextEncoderCtor,
  TextEncoderPrototypeEncode,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  Uint8ArrayCtor,
  uint8Copy,
  uint8View,
} from "./primordials.js";

const textEncoder = new TextEncoderCtor();
const textDecoder = new TextDecoderCtor("utf-8", { fatal: true });

function invalid(message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", message, context);
}

/** A DataView of `bytes` (of the load-time methods: see `SafeDataView`). */
export function viewOf(bytes: Uint8Array): SafeDataView {
  return new SafeDataView(TypedArrayPrototypeGetBuffer(bytes), TypedArrayPrototypeGetByteOffset(bytes), TypedArrayPrototypeGetLength(bytes));
}

/** Position marker for the decoder. */
export interface Cursor {
  pos: number;
}

const MAX_DECODE_DEPTH = 256; // cbor4ii's limit (docs/trace-format.md: "trace.bin")

function readArg(bytes: Uint8Array, view: SafeDataView, c: Cursor, info: number): number {
  if (info < 24) return info;
  const p = c.pos;
  const end = TypedArrayPrototypeGetLength(bytes);
  switch (info) {
    case 24:
      if (p + 1 > end) throw truncated(p);
      c.pos = p + 1;
      return bytes[p] as number;
    case 25:
      if (p + 2 > end) throw truncated(p);
      c.pos = p + 2;
      return view.getUint16(p);
    case 26:
      if (p + 4 > end) throw truncated(p);
      c.pos = p + 4;
      return view.getUint32(p);
    case 27: {
      if (p + 8 > end) throw truncated(p);
      c.pos = p + 8;
      return view.getUint32(p) * 0x100000000 + view.getUint32(p + 4);
    }
    default:
      throw invalid(`CBOR: unsupported additional information ${info} at byte ${p - 1}`, { offset: StringCtor(p - 1) });
  }
}

/**
 * The argument of an integer head (major 0 or 1) exactly: a number up to 2^53 - 1, a `bigint`
 * beyond (up to 2^64 - 1).
 */
function readIntegerArg(bytes: Uint8Array, view: SafeDataView, c: Cursor, info: number): number | bigint {
  if (info !== 27) return readArg(bytes, view, c, info);
  const p = c.pos;
  if (p + 8 > TypedArrayPrototypeGetLength(bytes)) throw truncated(p);
  c.pos = p + 8;
  const high = view.getUint32(p);
  if (high < 0x200000) return high * 0x100000000 + view.getUint32(p + 4);
  return view.getBigUint64(p);
}

function strayBreak(offset: number): TraceFormatError {
  return invalid(`CBOR: break (0xFF) at byte ${offset} outside an indefinite-length item`, { offset: StringCtor(offset) });
}

function truncated(offset: number): TraceFormatError {
  return invalid(`CBOR: data ends inside an item (at byte ${offset})`, { offset: StringCtor(offset) });
}

function halfToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export const BREAK: unique symbol = Symbol("break");

/**
 * Decodes one item. Integers are exact: numbers up to ±(2^53 - 1), `bigint`s beyond. Floats
 * that hold an integral value are recorded with `recordNumberSource(holder, key, "<n>.0")`, so
 * the validator rejects them in integer fields as serde would (docs/trace-format.md: "trace.json").
 *
 * With `strict` (events of `trace.bin`), what CodeTracer's reader (cbor4ii + serde) rejects
 * wherever it appears is an error: a tag (major 6) and an indefinite-length text or byte string.
 * Without it, tags are dropped and indefinite strings joined (generic CBOR).
 */
export function decodeItem(bytes: Uint8Array, view: SafeDataView, c: Cursor, depth: number, holder: object | null, key: string, strict: boolean): unknown {
  if (depth > MAX_DECODE_DEPTH) throw invalid(`CBOR: nesting deeper than ${MAX_DECODE_DEPTH} at byte ${c.pos}`);
  const end = TypedArrayPrototypeGetLength(bytes);
  if (c.pos >= end) throw truncated(c.pos);
  const start = c.pos;
  const initial = bytes[c.pos++] as number;
  const major = initial >> 5;
  const info = initial & 0x1f;
  switch (major) {
    case 0:
      return readIntegerArg(bytes, view, c, info);
    case 1: {
      const n = readIntegerArg(bytes, view, c, info);
      return typeof n === "number" && n < NumberMAX_SAFE_INTEGER ? -1 - n : -1n - BigIntCtor(n);
    }
    case 2:
    case 3: {
      let chunk: Uint8Array;
      if (info === 31) {
        if (strict) {
          throw invalid(
            `CBOR: indefinite-length ${major === 3 ? "text" : "byte"} string at byte ${start}; CodeTracer's reader only reads definite-length strings`,
            { offset: StringCtor(start), reason: "indefinite-string" },
          );
        }
        const parts = safeArray<Uint8Array>();
        for (;;) {
          if (c.pos >= end) throw truncated(c.pos);
          if (bytes[c.pos] === 0xff) {
            c.pos++;
            break;
          }
          const part = decodeItem(bytes, view, c, depth + 1, null, "", strict);
          parts.push(typeof part === "string" ? TextEncoderPrototypeEncode(textEncoder, part) : (part as Uint8Array));
        }
        let total = 0;
        for (let i = 0; i < parts.length; i++) total += TypedArrayPrototypeGetLength(parts[i]!);
        chunk = new Uint8ArrayCtor(total);
        let off = 0;
        for (let i = 0; i < parts.length; i++) {
          const p = parts[i]!;
          TypedArrayPrototypeSet(chunk, p, off);
          off += TypedArrayPrototypeGetLength(p);
        }
      } else {
        const n = readArg(bytes, view, c, info);
        if (c.pos + n > end) throw truncated(c.pos);
        chunk = uint8View(bytes, c.pos, c.pos + n);
        c.pos += n;
      }
      if (major === 2) return uint8Copy(chunk, 0, TypedArrayPrototypeGetLength(chunk));
      try {
        return TextDecoderPrototypeDecode(textDecoder, chunk);
      } catch {
        throw invalid(`CBOR: text string at byte ${start} is not valid UTF-8`, { offset: StringCtor(start) });
      }
    }
    case 4: {
      // (an ordinary array, of own elements: no store reaches a setter of the program's)
      if (info === 31) {
        const out: unknown[] = [];
        for (;;) {
          const item = decodeItem(bytes, view, c, depth + 1, out, StringCtor(out.length), strict);
          if (item === BREAK) break;
          appendOwn(out, item);
        }
        return out;
      }
      const n = readArg(bytes, view, c, info);
      if (n > end - c.pos) {
        // more items than bytes left: decoded until the data ends (the error says where)
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) {
          const item = decodeItem(bytes, view, c, depth + 1, out, StringCtor(i), strict);
          if (item === BREAK) throw strayBreak(c.pos - 1);
          appendOwn(out, item);
        }
        return out;
      }
      const out = ownSlots<unknown>(n);
      for (let i = 0; i < n; i++) {
        const item = decodeItem(bytes, view, c, depth + 1, out, StringCtor(i), strict);
        if (item === BREAK) throw strayBreak(c.pos - 1);
        out[i] = item; // own index: ownSlots(n) made n own elements
      }
      return out;
    }
    case 5: {
      const out: Record<string, unknown> = {};
      const n = info === 31 ? Infinity : readArg(bytes, view, c, info);
      for (let i = 0; i < n; i++) {
        const keyStart = c.pos;
        const k = decodeItem(bytes, view, c, depth + 1, null, "", strict);
        if (k === BREAK && info === 31) break;
        if (typeof k !== "string") {
          throw invalid(`CBOR: map key at byte ${keyStart} is not a text string`, { offset: StringCtor(keyStart) });
        }
        const value = decodeItem(bytes, view, c, depth + 1, out, k, strict);
        if (value === BREAK) throw strayBreak(c.pos - 1);
        ReflectDefineProperty(out, k, { __proto__: null, value, enumerable: true, writable: true, configurable: true } as PropertyDescriptor);
      }
      return out;
    }
    case 6:
      if (strict) {
        throw invalid(`CBOR: tag at byte ${start}; CodeTracer's reader rejects tagged items`, {
          offset: StringCtor(start),
          reason: "tag",
        });
      }
      readIntegerArg(bytes, view, c, info); // a tag: ignore it, keep the tagged item
      return decodeItem(bytes, view, c, depth + 1, holder, key, strict);
    default: {
      // major 7
      let x: number;
      switch (info) {
        case 20:
          return false;
        case 21:
          return true;
        case 22:
          return null;
        case 23:
          return undefined;
        case 25:
          if (c.pos + 2 > end) throw truncated(c.pos);
          x = halfToFloat(view.getUint16(c.pos));
          c.pos += 2;
          break;
        case 26:
          if (c.pos + 4 > end) throw truncated(c.pos);
          x = view.getFloat32(c.pos);
          c.pos += 4;
          break;
        case 27:
          if (c.pos + 8 > end) throw truncated(c.pos);
          x = view.getFloat64(c.pos);
          c.pos += 8;
          break;
        case 31:
          return BREAK;
        default:
          throw invalid(`CBOR: unsupported simple value ${info} at byte ${start}`, { offset: StringCtor(start) });
      }
      if (holder !== null && NumberIsInteger(x)) recordNumberSource(holder, key, `${x}.0`);
      return x;
    }
  }
}

/**
 * Decodes exactly one CBOR item from `bytes` starting at `offset` (for tests and tools), as
 * generic CBOR: unlike {@link decodeEvents}, tags are dropped and indefinite-length strings
 * joined. Integers are exact (numbers up to ±(2^53 - 1), `bigint`s beyond).
 *
 * @returns the value and the offset just after it
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for malformed CBOR
 */
export function decodeCborItem(bytes: Uint8Array, offset = 0): { value: unknown; end: number } {
  const view = viewOf(bytes);
  const c: Cursor = { pos: offset };
  const value = decodeItem(bytes, view, c, 1, null, "", false);
  if (value === BREAK) throw invalid(`CBOR: unexpected break at byte ${offset}`);
  return { value, end: c.pos };
}
