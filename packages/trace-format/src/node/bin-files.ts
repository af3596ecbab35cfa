/**
 * `trace.bin` files on disk (Node.js; spec §10): reading, and repairing frame by frame.
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import {
  buildSeekTable,
  SEEK_TABLE_FOOTER_SIZE,
  SEEK_TABLE_SKIPPABLE_MAGIC,
  SEEKABLE_MAGIC,
  SEEKABLE_MAX_FRAME_SIZE,
  TRACE_BIN_HEADER_V1,
  traceBinTail,
  type SeekTableEntry,
} from "../bin-format.js";
import {
  decompressTraceBin,
  emptyEventSummary,
  parseTraceBin,
  scanCborEvents,
  scanZstdFrame,
  traceBinVersion,
  type CborEventSummary,
  type TraceBinReadOptions,
} from "../bin-read.js";
import { ioError, TraceFormatError } from "../errors.js";
import type { TraceLowLevelEvent } from "../types.js";
import { zstdCodec } from "../zstd.js";

/**
 * Reads and parses a Binary v1 `trace.bin` file (see {@link parseTraceBin}).
 *
 * @throws {@link TraceFormatError} `ERR_IO` if the file cannot be read; `ERR_TRACE_INVALID` as
 *   {@link parseTraceBin}
 */
export function readTraceBinFile(file: string, options: Omit<TraceBinReadOptions, "file"> = {}): TraceLowLevelEvent[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw ioError("read", file, error);
  }
  return parseTraceBin(bytes, { ...options, file });
}

/** What {@link repairTraceBin} found and did. */
export interface TraceBinFileRepair extends CborEventSummary {
  /** True when the file already ended with a valid seek table (of at least one frame) matching its frames: nothing was changed. */
  alreadyFinished: boolean;
  /** Number of whole frames kept (the empty frame written into an empty trace not counted). */
  frames: number;
  /** Bytes after the last whole frame that were dropped: a torn frame, a torn or stale seek table. */
  droppedBytes: number;
  /** Size of the file afterwards, bytes. */
  size: number;
}

/** Options of {@link repairTraceBin}. */
export interface TraceBinRepairOptions {
  /** The zstd codec; default `zstdCodec()`. */
  zstd?: TraceBinReadOptions["zstd"];
  /** False: only read (walk and check the frames, report what a repair would do), change nothing. Default true. */
  write?: boolean;
  /** Bytes read at a time (default 8 MiB); grown to hold a bigger frame. */
  windowBytes?: number;
}

/** Default read window of {@link repairTraceBin}, bytes. */
export const REPAIR_WINDOW_BYTES = 8 * 1024 * 1024;

export function readFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number, file: string): number {
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    } catch (error) {
      throw ioError("read", file, error);
    }
    if (n === 0) break;
    done += n;
  }
  return done;
}

function writeFully(fd: number, data: Uint8Array, position: number, file: string): void {
  let done = 0;
  try {
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, position + done);
  } catch (error) {
    throw ioError("write", file, error);
  }
}

/** One whole zstd frame of a `trace.bin`, found by {@link walkTraceBinFrames}. */
export interface TraceBinFrame {
  /** Its index (0 for the first frame after the header). */
  index: number;
  /** Its file offset. */
  offset: number;
  /** Its size in the file, bytes. */
  compressedSize: number;
  /** Its decompressed content: whole CBOR events. */
  data: Uint8Array;
  /** Wraps an `ERR_TRACE_INVALID` error found in this frame's content with the frame's index and offset (other errors are returned as they are). */
  error(error: unknown): unknown;
}

/** Where {@link walkTraceBinFrames} stopped: at the end of the file, at a skippable frame (the seek table) or at a torn or malformed frame; `end` is the file offset after the last whole frame. */
export interface TraceBinWalkEnd {
  stop: "end" | "skippable" | "torn";
  end: number;
}

function frameError(file: string, index: number, offset: number, error: unknown): unknown {
  if (error instanceof TraceFormatError && error.code === "ERR_TRACE_INVALID") {
    return new TraceFormatError("ERR_TRACE_INVALID", `${file}: frame ${index} at byte ${offset}: ${error.message}`, { ...error.context, file, frame: String(index) }, error);
  }
  return error;
}

/**
 * Walks the zstd frames of an open `trace.bin` after its 8-byte header (checked by the
 * caller), through a read window (grown only to hold one bigger frame), and yields each whole
 * frame decompressed, one at a time. Stops at the end of the file, at the first skippable frame
 * (the seek table), or at a frame cut short or malformed (a torn write); the generator's return
 * value says which. Shared by {@link repairTraceBin} and `readTraceEvents`. Memory: the window
 * and one decompressed frame.
 *
 * @param fd - the open file
 * @param file - its name, for messages
 * @param size - its size
 * @param options - the zstd codec, the window size
 * @param stats - when given, `bytesRead` is increased by each read
 * @throws {@link TraceFormatError} `ERR_IO` when the file cannot be read; `ERR_TRACE_INVALID`
 *   when a whole frame does not decompress or claims more than the seekable format's 1 GiB
 */
export function* walkTraceBinFrames(
  fd: number,
  file: string,
  size: number,
  options: { zstd: NonNullable<TraceBinReadOptions["zstd"]>; windowBytes: number },
  stats?: { bytesRead: number },
): Generator<TraceBinFrame, TraceBinWalkEnd, undefined> {
  const zstd = options.zstd;
  let window = Buffer.allocUnsafe(Math.max(1024, options.windowBytes));
  let windowStart = 8; // file offset of window[0]
  let windowLength = 0;
  let p = 8; // file offset of the next frame
  for (let index = 0; ; ) {
    if (p === size) return { stop: "end", end: p };
    const scan = scanZstdFrame(window.subarray(0, windowLength), p - windowStart);
    if (scan.kind === "short") {
      if (windowStart + windowLength >= size) return { stop: "torn", end: p };
      // Slide the window to this frame; grow it when the frame alone fills it.
      if (windowStart === p && windowLength === window.length) window = Buffer.allocUnsafe(window.length * 2);
      windowStart = p;
      windowLength = readFully(fd, window, 0, Math.min(window.length, size - p), p, file);
      if (stats) stats.bytesRead += windowLength;
      continue;
    }
    if (scan.kind !== "frame") return { stop: scan.kind === "skippable" ? "skippable" : "torn", end: p };
    const f = scan.frame;
    const bytes = window.subarray(f.offset, f.offset + f.compressedSize);
    const offset = p;
    const frameIndex = index;
    let data: Uint8Array;
    try {
      if ((f.contentSize ?? 0) > SEEKABLE_MAX_FRAME_SIZE) {
        throw new TraceFormatError("ERR_TRACE_INVALID", `zstd frame header claims ${f.contentSize} bytes, more than the seekable format's 1 GiB`);
      }
      data = f.contentSize !== null ? zstd.decompress(bytes, f.contentSize) : zstd.decompress(bytes, f.maxDecompressedSize, false);
    } catch (error) {
      throw frameError(file, frameIndex, offset, error);
    }
    p += f.compressedSize;
    index++;
    yield { index: frameIndex, offset, compressedSize: f.compressedSize, data, error: (error) => frameError(file, frameIndex, offset, error) };
  }
}

/**
 * Repairs, in place and frame by frame, the `trace.bin` of a recording whose process was killed
 * (spec §10; the in-memory twin is `repairTraceBinBytes`): the writer only appends whole zstd
 * frames of whole CBOR events, so the file is the header, whole frames, and at most a torn last
 * frame, but no seek table. The repair reads the file through a window (8 MiB, grown only to
 * hold one bigger frame), walks the frames by their headers, decompresses each one to check it
 * and learn its size, walks its events ({@link scanCborEvents}: count, `Path` events, last
 * `Step`), then truncates the file after the last whole frame and writes a new seek table
 * there ({@link traceBinTail}: with no whole frame, one empty frame and a one-entry table, which
 * CodeTracer's reader requires). Memory is bounded by the window, one decompressed frame, the
 * paths and 8 bytes per frame, whatever the file's size (no 2 GiB limit). A file that already
 * ends with the seek table of its frames is left untouched. A file cut inside its 8-byte
 * header becomes an empty trace.
 *
 * Writing in place (no copy) keeps the repair of a multi-GB file fast; a repair that is itself
 * interrupted leaves whole frames and a torn table, which the next repair drops again.
 *
 * @param file - the `trace.bin` path
 * @param options - `write: false` to only check; zstd codec; window size
 * @returns what was found and done, with the events' summary
 * @throws {@link TraceFormatError} `ERR_IO` when the file cannot be read or written;
 *   `ERR_TRACE_INVALID` when it is not a Binary v1 file (`context.reason` `"binary-v0"` or
 *   `"bad-header"`), or a whole frame does not decompress or hold whole events
 */
export function repairTraceBin(file: string, options: TraceBinRepairOptions = {}): TraceBinFileRepair {
  const write = options.write ?? true;
  let fd: number;
  try {
    fd = fs.openSync(file, write ? "r+" : "r");
  } catch (error) {
    throw ioError("read", file, error);
  }
  try {
    return repairOpenTraceBin(fd, file, write, options);
  } finally {
    fs.closeSync(fd);
  }
}

function repairOpenTraceBin(fd: number, file: string, write: boolean, options: TraceBinRepairOptions): TraceBinFileRepair {
  const size = fs.fstatSync(fd).size;
  const summary = emptyEventSummary();
  const head = new Uint8Array(8);
  const headLength = readFully(fd, head, 0, 8, 0, file);
  if (headLength < 8 || traceBinVersion(head) !== "v1") {
    if (headLength < 8 && TRACE_BIN_HEADER_V1.slice(0, headLength).every((b, i) => head[i] === b)) {
      // Killed before its header was written: it holds nothing, it becomes an empty trace.
      const tail = traceBinTail([]);
      if (write) {
        writeFully(fd, Uint8Array.from(TRACE_BIN_HEADER_V1), 0, file);
        writeFully(fd, tail, 8, file);
      }
      return { ...summary, alreadyFinished: false, frames: 0, droppedBytes: size, size: 8 + tail.length };
    }
    decompressTraceBin(head.subarray(0, headLength), { file }); // throws the header error
  }
  const entries: SeekTableEntry[] = [];
  const frames = walkTraceBinFrames(fd, file, size, { zstd: options.zstd ?? zstdCodec(), windowBytes: options.windowBytes ?? REPAIR_WINDOW_BYTES });
  let walked: TraceBinWalkEnd;
  for (;;) {
    const next = frames.next();
    if (next.done) {
      walked = next.value;
      break;
    }
    const frame = next.value;
    try {
      scanCborEvents(frame.data, summary, file);
    } catch (error) {
      throw frame.error(error);
    }
    entries.push({ compressedSize: frame.compressedSize, decompressedSize: frame.data.length });
  }
  const { stop, end: p } = walked;
  if (stop === "skippable" && entries.length > 0) {
    const expected = buildSeekTable(entries);
    if (size - p === expected.length) {
      const found = new Uint8Array(expected.length);
      readFully(fd, found, 0, found.length, p, file);
      if (found.every((b, i) => b === expected[i])) {
        return { ...summary, alreadyFinished: true, frames: entries.length, droppedBytes: 0, size };
      }
    }
  }
  const tail = traceBinTail(entries);
  if (write) {
    try {
      fs.ftruncateSync(fd, p);
    } catch (error) {
      throw ioError("write", file, error);
    }
    writeFully(fd, tail, p, file);
  }
  return { ...summary, alreadyFinished: false, frames: entries.length, droppedBytes: size - p, size: p + tail.length };
}

/**
 * Reads the seek table at the end of a `trace.bin` file without reading its frames (for checks
 * of files too big to read whole): the entries, and where the table starts.
 *
 * @throws {@link TraceFormatError} `ERR_IO` if the file cannot be read; `ERR_TRACE_INVALID` when
 *   the header is not Binary v1, the file does not end with a valid seek table, the table lists
 *   no frame (CodeTracer's reader rejects it), or its compressed sizes do not add up to the bytes
 *   between the header and the table
 */
export function readTraceBinSeekTable(file: string): { entries: SeekTableEntry[]; tableOffset: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    throw ioError("read", file, error);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const invalid = (message: string) => new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message}`, { file });
    const head = new Uint8Array(8);
    readFully(fd, head, 0, 8, 0, file);
    if (traceBinVersion(head) !== "v1") throw invalid("not a Binary v1 trace.bin (header)");
    if (size < 8 + 8 + SEEK_TABLE_FOOTER_SIZE) throw invalid("too short to hold a seek table");
    const footer = new Uint8Array(SEEK_TABLE_FOOTER_SIZE);
    readFully(fd, footer, 0, footer.length, size - footer.length, file);
    const fv = new DataView(footer.buffer);
    if (fv.getUint32(5, true) !== SEEKABLE_MAGIC) throw invalid("does not end with the seekable magic");
    if (fv.getUint8(4) !== 0) throw invalid(`seek table descriptor 0x${fv.getUint8(4).toString(16)} (this reader takes 0)`);
    const n = fv.getUint32(0, true);
    const tableSize = 8 + n * 8 + SEEK_TABLE_FOOTER_SIZE;
    const tableOffset = size - tableSize;
    if (tableOffset < 8) throw invalid(`seek table claims ${n} frames, more than the file can hold`);
    const table = new Uint8Array(tableSize);
    readFully(fd, table, 0, tableSize, tableOffset, file);
    const tv = new DataView(table.buffer);
    if (tv.getUint32(0, true) !== SEEK_TABLE_SKIPPABLE_MAGIC || tv.getUint32(4, true) !== tableSize - 8) {
      throw invalid("no seek-table skippable frame header where the footer says");
    }
    if (n === 0) throw invalid("the seek table lists no frame (CodeTracer's reader rejects it: frame index too large)");
    const entries: SeekTableEntry[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const e = { compressedSize: tv.getUint32(8 + i * 8, true), decompressedSize: tv.getUint32(12 + i * 8, true) };
      total += e.compressedSize;
      entries.push(e);
    }
    if (8 + total !== tableOffset) throw invalid(`the seek table's compressed sizes add up to ${total} bytes, but ${tableOffset - 8} bytes of frames precede it`);
    return { entries, tableOffset, size };
  } finally {
    fs.closeSync(fd);
  }
}
