/**
 * The parts of `trace.bin` reading that the repair runs (docs/trace-format.md: "trace.bin"): the header check, the walk
 * of zstd frames by their headers and of CBOR events by their heads, with the summary a repaired
 * folder needs (`Path` events, the last `Step`). The repair runs inside a recording process too
 * (`repairTrace` of packages/runtime, for the folder of a worker thread or child process that
 * died), so this file uses only built-ins captured at load (see src/primordials.ts).
 *
 * @packageDocumentation
 */

import { viewOf } from "./cbor-item.js";
import { TRACE_BIN_HEADER_V0, TRACE_BIN_HEADER_V1, ZSTD_FRAME_MAGIC } from "./bin-format.js";
import { decodeCborItem } from "./cbor-item.js";
import { TraceFormatError } from "./errors.js";
import {
  appendOwn,
  NumberCtor,
  NumberIsFinite,
  NumberPrototypeToString,
  SafeDataView,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypePadStart,
  TypedArrayPrototypeGetLength,
} from "./primordials.js";

function invalid(file: string, message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message}`, { file, ...context });
}

/**
 * Which `trace.bin` variant `bytes` starts with: `"v1"` (CBOR + zstd), `"v0"` (Cap'n Proto),
 * or `null` for anything else (the Rust reader panics on it, docs/trace-format.md: "trace.bin").
 */
export function traceBinVersion(bytes: Uint8Array): "v0" | "v1" | null {
  if (TypedArrayPrototypeGetLength(bytes) < 8) return null;
  if (startsWith(bytes, TRACE_BIN_HEADER_V1)) return "v1";
  if (startsWith(bytes, TRACE_BIN_HEADER_V0)) return "v0";
  return null;
}

/** True when `bytes` starts with the 8 bytes of `header` (`bytes` holds at least 8). */
function startsWith(bytes: Uint8Array, header: readonly number[]): boolean {
  for (let i = 0; i < 8; i++) if (bytes[i] !== header[i]) return false;
  return true;
}

/**
 * The error of a `trace.bin` whose header is not Binary v1 (`context.reason` `"binary-v0"` for a
 * BinaryV0 Cap'n Proto file, `"bad-header"` else), or `null` when it is.
 */
export function traceBinHeaderError(bytes: Uint8Array, file: string): TraceFormatError | null {
  const version = traceBinVersion(bytes);
  if (version === "v0") {
    return invalid(file, "is a BinaryV0 (Cap'n Proto) trace, which this reader does not support; only Binary v1 (CBOR + zstd)", { reason: "binary-v0" });
  }
  if (version === null) {
    const n = TypedArrayPrototypeGetLength(bytes);
    let head = "";
    for (let i = 0; i < n && i < 8; i++) head += `${i > 0 ? " " : ""}${StringPrototypePadStart(NumberPrototypeToString(bytes[i]!, 16), 2, "0")}`;
    return invalid(file, `invalid header ${head || "(empty file)"}: expected c0 de 72 ac e2 01 00 00 (docs/trace-format.md: "trace.bin")`, {
      reason: "bad-header",
    });
  }
  return null;
}

export interface ScannedFrame {
  /** Offset of the frame in the scanned bytes. */
  offset: number;
  /** Its size in bytes. */
  compressedSize: number;
  /** The Frame_Content_Size of its header, or `null` when the header has none. */
  contentSize: number | null;
  /** Upper bound of its decompressed size when `contentSize` is `null` (128 KiB per compressed block). */
  maxDecompressedSize: number;
}

/** What {@link scanZstdFrame} found at one offset. */
export type FrameScan =
  | { kind: "frame"; frame: ScannedFrame }
  /** The bytes end before the frame does: a torn write, or more must be read (streaming). */
  | { kind: "short" }
  /** A skippable frame starts here (the seek table). */
  | { kind: "skippable" }
  /** No zstd frame starts here: a bad magic, reserved bit or block type. */
  | { kind: "bad" };

/**
 * Reads the zstd frame that starts at `p` in `body` by its header and block headers, without
 * decompressing (RFC 8878 §3.1).
 *
 * @param body - bytes holding the frame (a window of a file is enough: see `kind: "short"`)
 * @param p - offset of the frame in `body`
 * @returns the frame (offset `p`), or why there is none
 */
export function scanZstdFrame(body: Uint8Array, p: number): FrameScan {
  const v = viewOf(body);
  const length = TypedArrayPrototypeGetLength(body);
  if (p + 4 > length) return { kind: "short" };
  const magic = v.getUint32(p, true);
  if ((magic & 0xfffffff0) === 0x184d2a50) return { kind: "skippable" };
  if (magic !== ZSTD_FRAME_MAGIC) return { kind: "bad" };
  let q = p + 4;
  if (q + 1 > length) return { kind: "short" };
  const fhd = body[q++] as number;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const didFlag = fhd & 3;
  if (fhd & 0x08) return { kind: "bad" }; // reserved bit
  q += single ? 0 : 1;
  q += didFlag === 3 ? 4 : didFlag; // 0, 1, 2 or 4 bytes
  const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : fcsFlag === 1 ? 2 : fcsFlag === 2 ? 4 : 8;
  if (q + fcsSize > length) return { kind: "short" };
  let contentSize: number | null = null;
  if (fcsSize === 1) contentSize = body[q] as number;
  else if (fcsSize === 2) contentSize = v.getUint16(q, true) + 256;
  else if (fcsSize === 4) contentSize = v.getUint32(q, true);
  else if (fcsSize === 8) contentSize = v.getUint32(q, true) + v.getUint32(q + 4, true) * 0x100000000;
  q += fcsSize;
  let bound = 0;
  let last = false;
  while (!last) {
    if (q + 3 > length) return { kind: "short" };
    const bh = (body[q] as number) | ((body[q + 1] as number) << 8) | ((body[q + 2] as number) << 16);
    q += 3;
    last = (bh & 1) === 1;
    const type = (bh >> 1) & 3;
    const size = bh >>> 3;
    if (type === 3) return { kind: "bad" };
    const stored = type === 1 ? 1 : size;
    if (q + stored > length) return { kind: "short" };
    q += stored;
    bound += type === 2 ? 128 * 1024 : size;
  }
  if (checksum) q += 4;
  if (q > length) return { kind: "short" };
  return { kind: "frame", frame: { offset: p, compressedSize: q - p, contentSize, maxDecompressedSize: bound } };
}

/**
 * What {@link scanCborEvents} gathers from the events it walks: enough to finish a trace folder
 * (its `trace_paths.json`, how far it got) without keeping the events.
 */
export interface CborEventSummary {
  /** Number of events walked so far. */
  events: number;
  /** The `Path` events' paths, in order (what `trace_paths.json` must list). */
  paths: string[];
  /** The last `Step` event walked, if any. */
  lastStep: { pathId: number; line: number } | undefined;
}

/** A new, empty {@link CborEventSummary}. */
export function emptyEventSummary(): CborEventSummary {
  return { events: 0, paths: [], lastStep: undefined }; // (`paths` grows by own-element stores: see scanCborEvents)
}

const MAX_CBOR_DEPTH = 256;

function cborInvalid(file: string, message: string, offset: number): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message} (byte ${offset} of the frame's decompressed data)`, {
    file,
    offset: StringCtor(offset),
  });
}

/**
 * Skips the CBOR item at `p` (RFC 8949 §3) and returns the offset after it, checking its
 * structure only: lengths inside `b`, no reserved additional information, indefinite strings
 * made of definite chunks of their type, nesting at most 256. Text is not checked for UTF-8.
 */
function skipCborItem(b: Uint8Array, v: SafeDataView, p: number, depth: number, file: string): number {
  const length = TypedArrayPrototypeGetLength(b);
  if (depth > MAX_CBOR_DEPTH) throw cborInvalid(file, "CBOR nested deeper than 256", p);
  if (p >= length) throw cborInvalid(file, "CBOR ends inside an item", p);
  const start = p;
  const ib = b[p++] as number;
  const major = ib >> 5;
  const ai = ib & 31;
  let arg = 0;
  const indefinite = ai === 31;
  if (ai < 24) arg = ai;
  else if (ai === 24) {
    if (p + 1 > length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = b[p] as number;
    p += 1;
  } else if (ai === 25) {
    if (p + 2 > length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = v.getUint16(p);
    p += 2;
  } else if (ai === 26) {
    if (p + 4 > length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = v.getUint32(p);
    p += 4;
  } else if (ai === 27) {
    if (p + 8 > length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = v.getUint32(p) * 0x100000000 + v.getUint32(p + 4);
    p += 8;
  } else if (!indefinite) {
    throw cborInvalid(file, `CBOR reserved additional information ${ai}`, start);
  }
  switch (major) {
    case 0:
    case 1:
      if (indefinite) throw cborInvalid(file, "CBOR integer with indefinite length", start);
      return p;
    case 2:
    case 3:
      if (!indefinite) {
        if (p + arg > length) throw cborInvalid(file, "CBOR ends inside a string", start);
        return p + arg;
      }
      for (;;) {
        if (p >= length) throw cborInvalid(file, "CBOR ends inside an item", start);
        if (b[p] === 0xff) return p + 1;
        if ((b[p] as number) >> 5 !== major || ((b[p] as number) & 31) === 31) {
          throw cborInvalid(file, "CBOR indefinite string chunk of another type", p);
        }
        p = skipCborItem(b, v, p, depth + 1, file);
      }
    case 4:
    case 5: {
      const per = major === 5 ? 2 : 1;
      if (!indefinite) {
        for (let i = 0; i < arg * per; i++) p = skipCborItem(b, v, p, depth + 1, file);
        return p;
      }
      for (let i = 0; ; i++) {
        if (p >= length) throw cborInvalid(file, "CBOR ends inside an item", start);
        if (b[p] === 0xff) {
          if (i % per !== 0) throw cborInvalid(file, "CBOR indefinite map with a key and no value", p);
          return p + 1;
        }
        p = skipCborItem(b, v, p, depth + 1, file);
      }
    }
    case 6:
      if (indefinite) throw cborInvalid(file, "CBOR tag with indefinite length", start);
      return skipCborItem(b, v, p, depth + 1, file);
    default:
      if (indefinite) throw cborInvalid(file, "CBOR break outside an indefinite item", start);
      return p;
  }
}

/** True when the 5 bytes at `p` are the CBOR text `key` of 4 ASCII letters (`0x64` + letters). */
function isKey4(b: Uint8Array, p: number, key: string): boolean {
  return (
    b[p] === 0x64 &&
    b[p + 1] === StringPrototypeCharCodeAt(key, 0) &&
    b[p + 2] === StringPrototypeCharCodeAt(key, 1) &&
    b[p + 3] === StringPrototypeCharCodeAt(key, 2) &&
    b[p + 4] === StringPrototypeCharCodeAt(key, 3)
  );
}

/**
 * Walks the CBOR events in `bytes` (the decompressed content of whole zstd frames, docs/trace-format.md: "trace.bin")
 * without building them: checks that each is one whole item and a one-entry map or a text
 * string (what CodeTracer's reader takes as an event), counts them, and decodes only the
 * `Path` events and the last `Step` into `summary`. Time is linear in the bytes; memory does
 * not depend on them. The items are not validated further (see `validateEvents` for that).
 *
 * @param bytes - whole CBOR items
 * @param summary - updated in place (see {@link emptyEventSummary})
 * @param file - file name for messages
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for malformed CBOR, an item cut by the
 *   end of `bytes`, an item that is not an event, or a `Path`/`Step` of the wrong shape
 */
export function scanCborEvents(bytes: Uint8Array, summary: CborEventSummary, file = "trace.bin"): void {
  const v = viewOf(bytes);
  const length = TypedArrayPrototypeGetLength(bytes);
  let p = 0;
  let lastStep = -1;
  while (p < length) {
    const ib = bytes[p] as number;
    if (ib === 0xa1) {
      if (isKey4(bytes, p + 1, "Path")) {
        const { value, end } = decodeCborItem(bytes, p);
        const path = (value as { Path?: unknown }).Path;
        if (typeof path !== "string") throw cborInvalid(file, `event #${summary.events}: a Path event whose value is not a text string`, p);
        appendOwn(summary.paths, path);
        p = end;
      } else {
        if (isKey4(bytes, p + 1, "Step")) lastStep = p;
        p = skipCborItem(bytes, v, p, 1, file);
      }
    } else if (ib >> 5 === 3 && (ib & 31) !== 31) {
      p = skipCborItem(bytes, v, p, 1, file);
    } else {
      throw cborInvalid(
        file,
        `event #${summary.events} is not a one-entry map or a text string (first byte 0x${StringPrototypePadStart(NumberPrototypeToString(ib, 16), 2, "0")})`,
        p,
      );
    }
    summary.events++;
  }
  if (lastStep >= 0) {
    const step = (decodeCborItem(bytes, lastStep).value as { Step?: { path_id?: unknown; line?: unknown } }).Step;
    const pathId = NumberCtor(step?.path_id);
    const line = NumberCtor(step?.line);
    if (!NumberIsFinite(pathId) || !NumberIsFinite(line)) throw cborInvalid(file, "a Step event without a numeric path_id and line", lastStep);
    summary.lastStep = { pathId, line };
  }
}

/** What {@link repairTraceBinBytes} found and did. */
