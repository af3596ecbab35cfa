/**
 * Reading a `trace.bin` (CodeTracer Binary v1, spec §10; the container is described in
 * `bin-format.ts`): the seek table, decompression, decoding of the events, the frame walk and
 * the repair of a torn file. For the reader, the validator and the repair; not used by the
 * writer.
 *
 * @packageDocumentation
 */

import {
  EMPTY_TRACE_BIN,
  SEEK_TABLE_FOOTER_SIZE,
  SEEK_TABLE_SKIPPABLE_MAGIC,
  SEEKABLE_MAGIC,
  TRACE_BIN_HEADER_V0,
  TRACE_BIN_HEADER_V1,
  traceBinTail,
  ZSTD_FRAME_MAGIC,
  type SeekTableEntry,
} from "./bin-format.js";
import { decodeCborItem, decodeEvents } from "./cbor-decode.js";
import { TraceFormatError } from "./errors.js";
import type { TraceLowLevelEvent } from "./types.js";
import { zstdCodec, type ZstdCodec } from "./zstd.js";

function invalid(file: string, message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message}`, { file, ...context });
}

/**
 * Which `trace.bin` variant `bytes` starts with: `"v1"` (CBOR + zstd), `"v0"` (Cap'n Proto),
 * or `null` for anything else (the Rust reader panics on it, spec §10).
 */
export function traceBinVersion(bytes: Uint8Array): "v0" | "v1" | null {
  if (bytes.length < 8) return null;
  const same = (h: readonly number[]) => h.every((b, i) => bytes[i] === b);
  if (same(TRACE_BIN_HEADER_V1)) return "v1";
  if (same(TRACE_BIN_HEADER_V0)) return "v0";
  return null;
}

/**
 * Parses the seek table at the end of `body` (the bytes after the 8-byte header), as zeekstd's
 * parser does: both magics, reserved descriptor bits 0, `Frame_Size` consistent with N; entries
 * are 12 bytes when the checksum flag (bit 7) is set. Checks that the compressed sizes add up
 * to the bytes before the table, and that there is at least one frame (CodeTracer's reader
 * fails on a table of none; an empty trace holds {@link EMPTY_ZSTD_FRAME}).
 *
 * @returns the entries and the offset of the table in `body`
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` with the reason (`context.reason`
 *   `"no-seek-table"` for an unfinished file, `"no-frame"` for a table of no frame)
 */
export function parseSeekTable(body: Uint8Array, file = "trace.bin"): { entries: SeekTableEntry[]; tableOffset: number } {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body.length < 8 + SEEK_TABLE_FOOTER_SIZE) {
    throw invalid(file, `too short (${body.length + 8} bytes) to hold the seek table: the recording did not finish (repair it)`, { reason: "no-seek-table" });
  }
  const end = body.length;
  if (v.getUint32(end - 4, true) !== SEEKABLE_MAGIC) {
    throw invalid(file, "does not end with the seekable magic B1 EA 92 8F: the recording did not finish (repair it) or the file is not Binary v1", { reason: "no-seek-table" });
  }
  const descriptor = v.getUint8(end - 5);
  if ((descriptor & 0x7c) !== 0) throw invalid(file, `seek table descriptor 0x${descriptor.toString(16)} has reserved bits set`);
  const entrySize = descriptor & 0x80 ? 12 : 8;
  const n = v.getUint32(end - 9, true);
  if (n === 0) {
    throw invalid(file, "the seek table lists no frame, which CodeTracer's reader rejects (frame index too large); an empty trace holds one empty zstd frame (repair it)", { reason: "no-frame" });
  }
  const frameSize = n * entrySize + SEEK_TABLE_FOOTER_SIZE;
  const tableOffset = end - frameSize - 8;
  if (tableOffset < 0) throw invalid(file, `seek table claims ${n} frames, more than the file can hold`);
  if (v.getUint32(tableOffset, true) !== SEEK_TABLE_SKIPPABLE_MAGIC) {
    throw invalid(file, `no seek-table skippable magic 5E 2A 4D 18 at byte ${tableOffset + 8}`);
  }
  if (v.getUint32(tableOffset + 4, true) !== frameSize) {
    throw invalid(file, `seek table Frame_Size ${v.getUint32(tableOffset + 4, true)} differs from ${frameSize} (N=${n})`);
  }
  const entries: SeekTableEntry[] = [];
  let total = 0;
  for (let i = 0, p = tableOffset + 8; i < n; i++, p += entrySize) {
    const e = { compressedSize: v.getUint32(p, true), decompressedSize: v.getUint32(p + 4, true) };
    total += e.compressedSize;
    entries.push(e);
  }
  if (total !== tableOffset) {
    throw invalid(file, `the seek table's compressed sizes add up to ${total} bytes, but ${tableOffset} bytes of frames precede it`);
  }
  return { entries, tableOffset };
}

/** Options of {@link parseTraceBin} and {@link decompressTraceBin}. */
export interface TraceBinReadOptions {
  /** File name for messages and `context.file`; default `"trace.bin"`. */
  file?: string;
  /** The zstd codec; default {@link zstdCodec}(). */
  zstd?: ZstdCodec;
}

/**
 * Decompresses a Binary v1 `trace.bin` (spec §10) into the CBOR bytes of its events, frame by
 * frame as the seek table lists them, checking each frame's magic and decompressed size.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID`: wrong header (a BinaryV0 Cap'n Proto
 *   file is named as such, `context.reason: "binary-v0"`), missing or inconsistent seek table
 *   (`reason: "no-seek-table"` for an unfinished file, which {@link repairTraceBinBytes}
 *   fixes), a corrupt frame or a size mismatch; `ERR_IO` if the zstd codec cannot be loaded
 */
export function decompressTraceBin(bytes: Uint8Array, options: TraceBinReadOptions = {}): Uint8Array {
  const file = options.file ?? "trace.bin";
  const version = traceBinVersion(bytes);
  if (version === "v0") {
    throw invalid(file, "is a BinaryV0 (Cap'n Proto) trace, which this reader does not support; only Binary v1 (CBOR + zstd)", { reason: "binary-v0" });
  }
  if (version === null) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw invalid(file, `invalid header ${head || "(empty file)"}: expected c0 de 72 ac e2 01 00 00 (spec §10)`, { reason: "bad-header" });
  }
  const body = bytes.subarray(8);
  const { entries } = parseSeekTable(body, file);
  const total = entries.reduce((n, e) => n + e.decompressedSize, 0);
  const out = new Uint8Array(total);
  if (entries.length === 0) return out;
  const zstd = options.zstd ?? zstdCodec();
  let p = 0;
  let q = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as SeekTableEntry;
    const frame = body.subarray(p, p + e.compressedSize);
    const magic = frame.length >= 4 ? new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, true) : 0;
    if (magic !== ZSTD_FRAME_MAGIC) {
      throw invalid(file, `frame ${i} at byte ${p + 8} is not a zstd frame (magic 0x${magic.toString(16)})`, { frame: String(i) });
    }
    try {
      out.set(zstd.decompress(frame, e.decompressedSize), q);
    } catch (error) {
      if (error instanceof TraceFormatError && error.code === "ERR_TRACE_INVALID") {
        throw new TraceFormatError("ERR_TRACE_INVALID", `${file}: frame ${i} at byte ${p + 8}: ${error.message}`, { file, frame: String(i) }, error);
      }
      throw error;
    }
    p += e.compressedSize;
    q += e.decompressedSize;
  }
  return out;
}

/**
 * Parses a whole Binary v1 `trace.bin` (spec §10) into its events: header, seek table, every
 * zstd frame, then the CBOR items one event each. Events are returned as decoded, not
 * validated (use {@link validateEvents}); they have the same shapes `parseTraceJson` gives for
 * the matching `trace.json` (`Float.f` is a string, `"DropLastStep"` a string).
 *
 * @param bytes - the file's bytes
 * @param options - file name for messages, zstd codec
 * @returns the events, in file order
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` as {@link decompressTraceBin}, or for
 *   malformed CBOR or an item that is not an event (see {@link decodeEvents}); `ERR_IO` if the
 *   zstd codec cannot be loaded
 */
export function parseTraceBin(bytes: Uint8Array, options: TraceBinReadOptions = {}): TraceLowLevelEvent[] {
  return decodeEvents(decompressTraceBin(bytes, options), options.file ?? "trace.bin");
}

/** A zstd frame found by {@link scanZstdFrames}. */
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
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (p + 4 > body.length) return { kind: "short" };
  const magic = v.getUint32(p, true);
  if ((magic & 0xfffffff0) === 0x184d2a50) return { kind: "skippable" };
  if (magic !== ZSTD_FRAME_MAGIC) return { kind: "bad" };
  let q = p + 4;
  if (q + 1 > body.length) return { kind: "short" };
  const fhd = body[q++] as number;
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const checksum = (fhd >> 2) & 1;
  const didFlag = fhd & 3;
  if (fhd & 0x08) return { kind: "bad" }; // reserved bit
  q += single ? 0 : 1;
  q += [0, 1, 2, 4][didFlag] as number;
  const fcsSize = fcsFlag === 0 ? (single ? 1 : 0) : ([0, 2, 4, 8][fcsFlag] as number);
  if (q + fcsSize > body.length) return { kind: "short" };
  let contentSize: number | null = null;
  if (fcsSize === 1) contentSize = body[q] as number;
  else if (fcsSize === 2) contentSize = v.getUint16(q, true) + 256;
  else if (fcsSize === 4) contentSize = v.getUint32(q, true);
  else if (fcsSize === 8) contentSize = v.getUint32(q, true) + v.getUint32(q + 4, true) * 0x100000000;
  q += fcsSize;
  let bound = 0;
  let last = false;
  while (!last) {
    if (q + 3 > body.length) return { kind: "short" };
    const bh = (body[q] as number) | ((body[q + 1] as number) << 8) | ((body[q + 2] as number) << 16);
    q += 3;
    last = (bh & 1) === 1;
    const type = (bh >> 1) & 3;
    const size = bh >>> 3;
    if (type === 3) return { kind: "bad" };
    const stored = type === 1 ? 1 : size;
    if (q + stored > body.length) return { kind: "short" };
    q += stored;
    bound += type === 2 ? 128 * 1024 : size;
  }
  if (checksum) q += 4;
  if (q > body.length) return { kind: "short" };
  return { kind: "frame", frame: { offset: p, compressedSize: q - p, contentSize, maxDecompressedSize: bound } };
}

/**
 * Walks the zstd frames of `body` (the bytes after the `trace.bin` header) by their headers and
 * block headers, without decompressing (RFC 8878 §3.1). Stops at the first skippable frame
 * (the seek table), at the end, or at a frame that is cut short or malformed (a torn write).
 *
 * @returns the whole frames, where they end (`end`), and what stopped the walk
 */
export function scanZstdFrames(body: Uint8Array): { frames: ScannedFrame[]; end: number; stop: "end" | "skippable" | "torn" } {
  const frames: ScannedFrame[] = [];
  let p = 0;
  for (;;) {
    if (p === body.length) return { frames, end: p, stop: "end" };
    const r = scanZstdFrame(body, p);
    if (r.kind === "skippable") return { frames, end: p, stop: "skippable" };
    if (r.kind !== "frame") return { frames, end: p, stop: "torn" };
    frames.push(r.frame);
    p += r.frame.compressedSize;
  }
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
  return { events: 0, paths: [], lastStep: undefined };
}

const MAX_CBOR_DEPTH = 256;

function cborInvalid(file: string, message: string, offset: number): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message} (byte ${offset} of the frame's decompressed data)`, {
    file,
    offset: String(offset),
  });
}

/**
 * Skips the CBOR item at `p` (RFC 8949 §3) and returns the offset after it, checking its
 * structure only: lengths inside `b`, no reserved additional information, indefinite strings
 * made of definite chunks of their type, nesting at most 256. Text is not checked for UTF-8.
 */
function skipCborItem(b: Uint8Array, v: DataView, p: number, depth: number, file: string): number {
  if (depth > MAX_CBOR_DEPTH) throw cborInvalid(file, "CBOR nested deeper than 256", p);
  if (p >= b.length) throw cborInvalid(file, "CBOR ends inside an item", p);
  const start = p;
  const ib = b[p++] as number;
  const major = ib >> 5;
  const ai = ib & 31;
  let arg = 0;
  const indefinite = ai === 31;
  if (ai < 24) arg = ai;
  else if (ai === 24) {
    if (p + 1 > b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = b[p] as number;
    p += 1;
  } else if (ai === 25) {
    if (p + 2 > b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = v.getUint16(p);
    p += 2;
  } else if (ai === 26) {
    if (p + 4 > b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
    arg = v.getUint32(p);
    p += 4;
  } else if (ai === 27) {
    if (p + 8 > b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
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
        if (p + arg > b.length) throw cborInvalid(file, "CBOR ends inside a string", start);
        return p + arg;
      }
      for (;;) {
        if (p >= b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
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
        if (p >= b.length) throw cborInvalid(file, "CBOR ends inside an item", start);
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
    b[p + 1] === key.charCodeAt(0) &&
    b[p + 2] === key.charCodeAt(1) &&
    b[p + 3] === key.charCodeAt(2) &&
    b[p + 4] === key.charCodeAt(3)
  );
}

/**
 * Walks the CBOR events in `bytes` (the decompressed content of whole zstd frames, spec §10)
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
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  let lastStep = -1;
  while (p < bytes.length) {
    const ib = bytes[p] as number;
    if (ib === 0xa1) {
      if (isKey4(bytes, p + 1, "Path")) {
        const { value, end } = decodeCborItem(bytes, p);
        const path = (value as { Path?: unknown }).Path;
        if (typeof path !== "string") throw cborInvalid(file, `event #${summary.events}: a Path event whose value is not a text string`, p);
        summary.paths.push(path);
        p = end;
      } else {
        if (isKey4(bytes, p + 1, "Step")) lastStep = p;
        p = skipCborItem(bytes, v, p, 1, file);
      }
    } else if (ib >> 5 === 3 && (ib & 31) !== 31) {
      p = skipCborItem(bytes, v, p, 1, file);
    } else {
      throw cborInvalid(file, `event #${summary.events} is not a one-entry map or a text string (first byte 0x${ib.toString(16).padStart(2, "0")})`, p);
    }
    summary.events++;
  }
  if (lastStep >= 0) {
    const step = (decodeCborItem(bytes, lastStep).value as { Step?: { path_id?: unknown; line?: unknown } }).Step;
    const pathId = Number(step?.path_id);
    const line = Number(step?.line);
    if (!Number.isFinite(pathId) || !Number.isFinite(line)) throw cborInvalid(file, "a Step event without a numeric path_id and line", lastStep);
    summary.lastStep = { pathId, line };
  }
}

/** What {@link repairTraceBinBytes} found and did. */
export interface TraceBinRepair {
  /** The repaired file: header, the whole frames, a new seek table (the input itself when `alreadyFinished`). */
  bytes: Uint8Array;
  /** True when the file already ended with a valid seek table: nothing was changed. */
  alreadyFinished: boolean;
  /** Number of whole frames kept. */
  frames: number;
  /** Bytes of a torn last frame (or torn seek table) that were dropped. */
  droppedBytes: number;
  /** The events of the kept frames. */
  events: TraceLowLevelEvent[];
}

/**
 * Repairs the `trace.bin` of a recording whose process was killed (spec §10), in memory (for
 * files of any size, `repairTraceBin` of `node/bin-files.ts` does the same frame by frame): the
 * writer only ever appends whole zstd frames, each holding whole CBOR events, so the file is
 * the header, whole frames, and at most a torn last frame, but no seek table. The repair walks
 * the frames ({@link scanZstdFrames}), drops whatever follows the last whole frame,
 * decompresses each frame to learn its exact decompressed size (checking that the frames
 * decode as events), and appends a new seek table ({@link traceBinTail}: with no whole frame,
 * one empty frame and a one-entry table, as CodeTracer's reader requires). A file that already
 * has a valid seek table with at least one frame is returned unchanged.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` when the header is not Binary v1, or the
 *   whole frames do not decompress or decode as events
 */
export function repairTraceBinBytes(bytes: Uint8Array, options: TraceBinReadOptions = {}): TraceBinRepair {
  const file = options.file ?? "trace.bin";
  if (bytes.length < 8 || traceBinVersion(bytes) !== "v1") {
    // A file killed before its header was written holds nothing: start it anew.
    if (bytes.length < 8 && TRACE_BIN_HEADER_V1.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
      return { bytes: Uint8Array.from(EMPTY_TRACE_BIN), alreadyFinished: false, frames: 0, droppedBytes: bytes.length, events: [] };
    }
    decompressTraceBin(bytes, options); // throws the header error
  }
  try {
    const events = parseTraceBin(bytes, options);
    const { entries } = parseSeekTable(bytes.subarray(8), file);
    return { bytes, alreadyFinished: true, frames: entries.length, droppedBytes: 0, events };
  } catch (error) {
    // A zero-frame table (older writers) is refused too (reason "no-frame"): rebuilt below.
    if (!(error instanceof TraceFormatError) || error.context.reason !== "no-seek-table") {
      // A table that is present but wrong, or frames that fail: rebuild from the frames too.
      if (!(error instanceof TraceFormatError) || error.code !== "ERR_TRACE_INVALID") throw error;
    }
  }
  const body = bytes.subarray(8);
  const scan = scanZstdFrames(body);
  const zstd = options.zstd ?? zstdCodec();
  const entries: SeekTableEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const f of scan.frames) {
    const frame = body.subarray(f.offset, f.offset + f.compressedSize);
    const data =
      f.contentSize !== null ? zstd.decompress(frame, f.contentSize) : zstd.decompress(frame, f.maxDecompressedSize, false);
    entries.push({ compressedSize: f.compressedSize, decompressedSize: data.length });
    parts.push(data);
  }
  const total = parts.reduce((n, d) => n + d.length, 0);
  const cbor = new Uint8Array(total);
  let q = 0;
  for (const d of parts) {
    cbor.set(d, q);
    q += d.length;
  }
  const events = decodeEvents(cbor, file);
  const tail = traceBinTail(entries);
  const out = new Uint8Array(8 + scan.end + tail.length);
  out.set(bytes.subarray(0, 8 + scan.end));
  out.set(tail, 8 + scan.end);
  return { bytes: out, alreadyFinished: false, frames: entries.length, droppedBytes: body.length - scan.end, events };
}
