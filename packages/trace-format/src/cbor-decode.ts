/**
 * The CBOR decoder of `trace.bin` events (spec §10), for the reader, the validator and the
 * repair; the encoder is `cbor.ts`. It does not run while a program is recorded, except to
 * finish the folder of a worker thread or child process that died (see
 * test/no-program-builtins.test.ts).
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { recordNumberSource } from "./number-source.js";
import type { TraceLowLevelEvent } from "./types.js";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function invalid(message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", message, context);
}

/** Position marker for the decoder. */
interface Cursor {
  pos: number;
}

const MAX_DECODE_DEPTH = 256; // cbor4ii's limit (spec §10)

function readArg(bytes: Uint8Array, view: DataView, c: Cursor, info: number): number {
  if (info < 24) return info;
  const p = c.pos;
  switch (info) {
    case 24:
      if (p + 1 > bytes.length) throw truncated(p);
      c.pos = p + 1;
      return bytes[p] as number;
    case 25:
      if (p + 2 > bytes.length) throw truncated(p);
      c.pos = p + 2;
      return view.getUint16(p);
    case 26:
      if (p + 4 > bytes.length) throw truncated(p);
      c.pos = p + 4;
      return view.getUint32(p);
    case 27: {
      if (p + 8 > bytes.length) throw truncated(p);
      c.pos = p + 8;
      return view.getUint32(p) * 0x100000000 + view.getUint32(p + 4);
    }
    default:
      throw invalid(`CBOR: unsupported additional information ${info} at byte ${p - 1}`, { offset: String(p - 1) });
  }
}

/**
 * The argument of an integer head (major 0 or 1) exactly: a number up to 2^53 - 1, a `bigint`
 * beyond (up to 2^64 - 1).
 */
function readIntegerArg(bytes: Uint8Array, view: DataView, c: Cursor, info: number): number | bigint {
  if (info !== 27) return readArg(bytes, view, c, info);
  const p = c.pos;
  if (p + 8 > bytes.length) throw truncated(p);
  c.pos = p + 8;
  const high = view.getUint32(p);
  if (high < 0x200000) return high * 0x100000000 + view.getUint32(p + 4);
  return view.getBigUint64(p);
}

function strayBreak(offset: number): TraceFormatError {
  return invalid(`CBOR: break (0xFF) at byte ${offset} outside an indefinite-length item`, { offset: String(offset) });
}

function truncated(offset: number): TraceFormatError {
  return invalid(`CBOR: data ends inside an item (at byte ${offset})`, { offset: String(offset) });
}

function halfToFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const BREAK = Symbol("break");

/**
 * Decodes one item. Integers are exact: numbers up to ±(2^53 - 1), `bigint`s beyond. Floats
 * that hold an integral value are recorded with `recordNumberSource(holder, key, "<n>.0")`, so
 * the validator rejects them in integer fields as serde would (spec §17).
 *
 * With `strict` (events of `trace.bin`), what CodeTracer's reader (cbor4ii + serde) rejects
 * wherever it appears is an error: a tag (major 6) and an indefinite-length text or byte string.
 * Without it, tags are dropped and indefinite strings joined (generic CBOR).
 */
function decodeItem(
  bytes: Uint8Array,
  view: DataView,
  c: Cursor,
  depth: number,
  holder: object | null,
  key: string,
  strict: boolean
): unknown {
  if (depth > MAX_DECODE_DEPTH) throw invalid(`CBOR: nesting deeper than ${MAX_DECODE_DEPTH} at byte ${c.pos}`);
  if (c.pos >= bytes.length) throw truncated(c.pos);
  const start = c.pos;
  const initial = bytes[c.pos++] as number;
  const major = initial >> 5;
  const info = initial & 0x1f;
  switch (major) {
    case 0:
      return readIntegerArg(bytes, view, c, info);
    case 1: {
      const n = readIntegerArg(bytes, view, c, info);
      return typeof n === "number" && n < Number.MAX_SAFE_INTEGER ? -1 - n : -1n - BigInt(n);
    }
    case 2:
    case 3: {
      let chunk: Uint8Array;
      if (info === 31) {
        if (strict) {
          throw invalid(
            `CBOR: indefinite-length ${major === 3 ? "text" : "byte"} string at byte ${start}; CodeTracer's reader only reads definite-length strings`,
            { offset: String(start), reason: "indefinite-string" }
          );
        }
        const parts: Uint8Array[] = [];
        for (;;) {
          if (c.pos >= bytes.length) throw truncated(c.pos);
          if (bytes[c.pos] === 0xff) {
            c.pos++;
            break;
          }
          const part = decodeItem(bytes, view, c, depth + 1, null, "", strict);
          parts.push(typeof part === "string" ? textEncoder.encode(part) : (part as Uint8Array));
        }
        const total = parts.reduce((n, p) => n + p.length, 0);
        chunk = new Uint8Array(total);
        let off = 0;
        for (const p of parts) {
          chunk.set(p, off);
          off += p.length;
        }
      } else {
        const n = readArg(bytes, view, c, info);
        if (c.pos + n > bytes.length) throw truncated(c.pos);
        chunk = bytes.subarray(c.pos, c.pos + n);
        c.pos += n;
      }
      if (major === 2) return chunk.slice();
      try {
        return textDecoder.decode(chunk);
      } catch {
        throw invalid(`CBOR: text string at byte ${start} is not valid UTF-8`, { offset: String(start) });
      }
    }
    case 4: {
      const out: unknown[] = [];
      if (info === 31) {
        for (;;) {
          const item = decodeItem(bytes, view, c, depth + 1, out, String(out.length), strict);
          if (item === BREAK) break;
          out.push(item);
        }
      } else {
        const n = readArg(bytes, view, c, info);
        for (let i = 0; i < n; i++) {
          const item = decodeItem(bytes, view, c, depth + 1, out, String(i), strict);
          if (item === BREAK) throw strayBreak(c.pos - 1);
          out.push(item);
        }
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
          throw invalid(`CBOR: map key at byte ${keyStart} is not a text string`, { offset: String(keyStart) });
        }
        const value = decodeItem(bytes, view, c, depth + 1, out, k, strict);
        if (value === BREAK) throw strayBreak(c.pos - 1);
        Object.defineProperty(out, k, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 6:
      if (strict) {
        throw invalid(`CBOR: tag at byte ${start}; CodeTracer's reader rejects tagged items`, {
          offset: String(start),
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
          if (c.pos + 2 > bytes.length) throw truncated(c.pos);
          x = halfToFloat(view.getUint16(c.pos));
          c.pos += 2;
          break;
        case 26:
          if (c.pos + 4 > bytes.length) throw truncated(c.pos);
          x = view.getFloat32(c.pos);
          c.pos += 4;
          break;
        case 27:
          if (c.pos + 8 > bytes.length) throw truncated(c.pos);
          x = view.getFloat64(c.pos);
          c.pos += 8;
          break;
        case 31:
          return BREAK;
        default:
          throw invalid(`CBOR: unsupported simple value ${info} at byte ${start}`, { offset: String(start) });
      }
      if (holder !== null && Number.isInteger(x)) recordNumberSource(holder, key, `${x}.0`);
      return x;
    }
  }
}

/**
 * Decodes a concatenation of CBOR items (the decompressed body of `trace.bin`) as events
 * (spec §10), with the rules of CodeTracer's reader (runtime_tracing 0.17: cbor4ii + serde;
 * each checked against it, see `test/reader-conformance.test.ts`):
 * - each item is a definite-length one-entry map (`{"<Variant>": payload}`) or a text string
 *   (`"DropLastStep"`); an indefinite-length map as the event, and the unit variant as a map
 *   (`{"DropLastStep": null}`) are rejected (serde_json accepts the latter in `trace.json`);
 * - no tag anywhere, no indefinite-length text (or byte) string anywhere; indefinite-length
 *   maps and arrays inside an event are read, as cbor4ii does;
 * - integers are exact: numbers up to ±(2^53 - 1), `bigint`s beyond (so an `Int.i` of i64::MAX
 *   or a u64 `address` of 2^64 - 1 keeps its value for the validator).
 *
 * Maps become plain objects, arrays arrays, text strings strings, byte strings `Uint8Array`s
 * (which no event field accepts). A float whose value is integral is remembered (see
 * `numberSource`) so that `validateEvents` rejects it in integer fields as serde would.
 *
 * @param bytes - the CBOR bytes
 * @param file - file name for messages (default `"trace.bin"`)
 * @returns the events in order
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for malformed CBOR (truncated item,
 *   invalid UTF-8, non-text map key, nesting over 256, a stray break), what the reader rejects
 *   as above (`context.reason`: `"tag"`, `"indefinite-string"`, `"indefinite-event"`,
 *   `"unit-variant-map"`), or an item that is not an event; `context` has `file`, `offset` (in
 *   the decompressed stream) and `eventIndex`
 */
export function decodeEvents(bytes: Uint8Array, file = "trace.bin"): TraceLowLevelEvent[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c: Cursor = { pos: 0 };
  const events: TraceLowLevelEvent[] = [];
  const fail = (start: number, message: string, context: Record<string, string> = {}): TraceFormatError =>
    new TraceFormatError("ERR_TRACE_INVALID", `${file}: event #${events.length} (byte ${start} of the decompressed data) ${message}`, {
      ...context,
      file,
      eventIndex: String(events.length),
      offset: String(start),
    });
  while (c.pos < bytes.length) {
    const start = c.pos;
    if (bytes[start] === 0xbf) {
      throw fail(start, "is an indefinite-length map; CodeTracer's reader reads an event only from a definite-length one", {
        reason: "indefinite-event",
      });
    }
    let item: unknown;
    try {
      item = decodeItem(bytes, view, c, 1, null, "", true);
    } catch (error) {
      if (error instanceof TraceFormatError) {
        throw new TraceFormatError(
          "ERR_TRACE_INVALID",
          `${file}: event #${events.length} (byte ${start} of the decompressed data): ${error.message}`,
          { ...error.context, file, eventIndex: String(events.length), offset: error.context.offset ?? String(start) },
          error
        );
      }
      throw error;
    }
    const ok =
      typeof item === "string" ||
      (item !== null && typeof item === "object" && !Array.isArray(item) && !(item instanceof Uint8Array) && Object.keys(item).length === 1);
    if (!ok) {
      throw fail(start, `is not a one-entry map or a text string (first byte 0x${(bytes[start] as number).toString(16).padStart(2, "0")})`);
    }
    if (typeof item === "object" && Object.keys(item as object)[0] === "DropLastStep") {
      throw fail(start, 'is the map {"DropLastStep": …}; CodeTracer\'s reader reads the unit variant only as the text string "DropLastStep"', {
        reason: "unit-variant-map",
      });
    }
    events.push(item as TraceLowLevelEvent);
  }
  return events;
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const c: Cursor = { pos: offset };
  const value = decodeItem(bytes, view, c, 1, null, "", false);
  if (value === BREAK) throw invalid(`CBOR: unexpected break at byte ${offset}`);
  return { value, end: c.pos };
}
