/**
 * Reading a `trace.bin` (CodeTracer Binary v1, docs/trace-format.md: "trace.bin"; the container is described in
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
  TRACE_BIN_HEADER_V1,
  traceBinTail,
  ZSTD_FRAME_MAGIC,
  type SeekTableEntry,
} from "./bin-format.js";
import { traceBinHeaderError, traceBinVersion, scanZstdFrame, type ScannedFrame } from "./bin-scan.js";
import { decodeEvents } from "./cbor-decode.js";
import { TraceFormatError } from "./errors.js";
import type { TraceLowLevelEvent } from "./types.js";
import { zstdCodec, type ZstdCodec } from "./zstd.js";

function invalid(file: string, message: string, context: Record<string, string> = {}): TraceFormatError {
  return new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message}`, { file, ...context });
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
    throw invalid(file, "does not end with the seekable magic B1 EA 92 8F: the recording did not finish (repair it) or the file is not Binary v1", {
      reason: "no-seek-table",
    });
  }
  const descriptor = v.getUint8(end - 5);
  if ((descriptor & 0x7c) !== 0) throw invalid(file, `seek table descriptor 0x${descriptor.toString(16)} has reserved bits set`);
  const entrySize = descriptor & 0x80 ? 12 : 8;
  const n = v.getUint32(end - 9, true);
  if (n === 0) {
    throw invalid(
      file,
      "the seek table lists no frame, which CodeTracer's reader rejects (frame index too large); an empty trace holds one empty zstd frame (repair it)",
      { reason: "no-frame" },
    );
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
 * Decompresses a Binary v1 `trace.bin` (docs/trace-format.md: "trace.bin") into the CBOR bytes of its events, frame by
 * frame as the seek table lists them, checking each frame's magic and decompressed size.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID`: wrong header (a BinaryV0 Cap'n Proto
 *   file is named as such, `context.reason: "binary-v0"`), missing or inconsistent seek table
 *   (`reason: "no-seek-table"` for an unfinished file, which {@link repairTraceBinBytes}
 *   fixes), a corrupt frame or a size mismatch; `ERR_IO` if the zstd codec cannot be loaded
 */
export function decompressTraceBin(bytes: Uint8Array, options: TraceBinReadOptions = {}): Uint8Array {
  const file = options.file ?? "trace.bin";
  const headerError = traceBinHeaderError(bytes, file);
  if (headerError !== null) throw headerError;
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
 * Parses a whole Binary v1 `trace.bin` (docs/trace-format.md: "trace.bin") into its events: header, seek table, every
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
 * Repairs the `trace.bin` of a recording whose process was killed (docs/trace-format.md: "trace.bin"), in memory (for
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
    const data = f.contentSize !== null ? zstd.decompress(frame, f.contentSize) : zstd.decompress(frame, f.maxDecompressedSize, false);
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

export { emptyEventSummary, scanCborEvents, scanZstdFrame, traceBinVersion } from "./bin-scan.js";
export type { CborEventSummary, FrameScan, ScannedFrame } from "./bin-scan.js";
