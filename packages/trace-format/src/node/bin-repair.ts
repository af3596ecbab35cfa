/**
 * The frame-by-frame repair of a `trace.bin` file (Node.js; docs/trace-format.md: "trace.bin") and the frame walk it
 * shares with `readTraceEvents`. The repair runs inside a recording process too (`repairTrace`
 * of packages/runtime, for the folder of a worker thread or child process that died), so this
 * file uses only built-ins captured at load (see src/primordials.ts).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import { buildSeekTable, SEEKABLE_MAX_FRAME_SIZE, TRACE_BIN_HEADER_V1, traceBinTail, type SeekTableEntry } from "../bin-format.js";
import { emptyEventSummary, scanCborEvents, scanZstdFrame, traceBinHeaderError, traceBinVersion, type CborEventSummary } from "../bin-scan.js";
import { ioError, TraceFormatError } from "../errors.js";
import { MathMax, MathMin, safeArray, StringCtor, TypedArrayPrototypeGetLength, TypedArrayPrototypeSet, Uint8ArrayCtor, uint8View } from "../primordials.js";
import { zstdCodec, type ZstdCodec } from "../zstd.js";

// Captured when this module loads, before any program code (see src/primordials.ts).
const { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } = fs;
const BufferAllocUnsafe = Buffer.allocUnsafe;

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
  zstd?: ZstdCodec;
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
      n = readSync(fd, buf, offset + done, length - done, position + done);
    } catch (error) {
      throw ioError("read", file, error);
    }
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Writes all of `data` at `position` of `fd`.
 * @throws {@link TraceFormatError} `ERR_IO` when a write fails
 */
export function writeFully(fd: number, data: Uint8Array, position: number, file: string): void {
  let done = 0;
  const length = TypedArrayPrototypeGetLength(data);
  try {
    while (done < length) done += writeSync(fd, data, done, length - done, position + done);
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
    return new TraceFormatError(
      "ERR_TRACE_INVALID",
      `${file}: frame ${index} at byte ${offset}: ${error.message}`,
      { ...error.context, file, frame: StringCtor(index) },
      error,
    );
  }
  return error;
}

/**
 * Walks the zstd frames of an open `trace.bin` after its 8-byte header (checked by the
 * caller), through a read window (grown only to hold one bigger frame), and hands out each whole
 * frame decompressed, one at a time: `next()` as a generator's (`{done: false, value: frame}`,
 * then `{done: true, value: where it stopped}`), but an object of this module's own (a
 * generator's `next` is a method of `%GeneratorPrototype%`, which a program can replace). Stops
 * at the end of the file, at the first skippable frame (the seek table), or at a frame cut short
 * or malformed (a torn write). Shared by {@link repairTraceBin} and `readTraceEvents`. Memory:
 * the window and one decompressed frame.
 *
 * @param fd - the open file
 * @param file - its name, for messages
 * @param size - its size
 * @param options - the zstd codec, the window size
 * @param stats - when given, `bytesRead` is increased by each read
 * @throws {@link TraceFormatError} (from `next()`) `ERR_IO` when the file cannot be read;
 *   `ERR_TRACE_INVALID` when a whole frame does not decompress or claims more than the seekable
 *   format's 1 GiB
 */
export function walkTraceBinFrames(
  fd: number,
  file: string,
  size: number,
  options: { zstd: ZstdCodec; windowBytes: number },
  stats?: { bytesRead: number },
): TraceBinFrameWalk {
  return new TraceBinFrameWalk(fd, file, size, options, stats);
}

/** The walk of {@link walkTraceBinFrames}. */
export class TraceBinFrameWalk {
  private readonly zstd: ZstdCodec;
  private window: Uint8Array;
  private windowLength = 0;
  private windowStart = 8; // file offset of window[0]
  private p = 8; // file offset of the next frame
  private index = 0;
  private end: TraceBinWalkEnd | null = null;

  constructor(
    private readonly fd: number,
    private readonly file: string,
    private readonly size: number,
    options: { zstd: ZstdCodec; windowBytes: number },
    private readonly stats?: { bytesRead: number },
  ) {
    this.zstd = options.zstd;
    this.window = BufferAllocUnsafe(MathMax(1024, options.windowBytes));
  }

  /** The next whole frame, or where the walk stopped (then again at each call). */
  next(): { done: false; value: TraceBinFrame } | { done: true; value: TraceBinWalkEnd } {
    if (this.end !== null) return { done: true, value: this.end };
    const { fd, file, size } = this;
    for (;;) {
      const p = this.p;
      if (p === size) return this.stop({ stop: "end", end: p });
      const scan = scanZstdFrame(uint8View(this.window, 0, this.windowLength), p - this.windowStart);
      if (scan.kind === "short") {
        if (this.windowStart + this.windowLength >= size) return this.stop({ stop: "torn", end: p });
        // Slide the window to this frame; grow it when the frame alone fills it.
        const windowSize = TypedArrayPrototypeGetLength(this.window);
        if (this.windowStart === p && this.windowLength === windowSize) this.window = BufferAllocUnsafe(windowSize * 2);
        this.windowStart = p;
        this.windowLength = readFully(fd, this.window, 0, MathMin(TypedArrayPrototypeGetLength(this.window), size - p), p, file);
        if (this.stats) this.stats.bytesRead += this.windowLength;
        continue;
      }
      if (scan.kind !== "frame") return this.stop({ stop: scan.kind === "skippable" ? "skippable" : "torn", end: p });
      const f = scan.frame;
      const bytes = uint8View(this.window, f.offset, f.offset + f.compressedSize);
      const frameIndex = this.index;
      let data: Uint8Array;
      try {
        if ((f.contentSize ?? 0) > SEEKABLE_MAX_FRAME_SIZE) {
          throw new TraceFormatError("ERR_TRACE_INVALID", `zstd frame header claims ${f.contentSize} bytes, more than the seekable format's 1 GiB`);
        }
        data = f.contentSize !== null ? this.zstd.decompress(bytes, f.contentSize) : this.zstd.decompress(bytes, f.maxDecompressedSize, false);
      } catch (error) {
        throw frameError(file, frameIndex, p, error);
      }
      this.p = p + f.compressedSize;
      this.index++;
      return {
        done: false,
        value: { index: frameIndex, offset: p, compressedSize: f.compressedSize, data, error: (error) => frameError(file, frameIndex, p, error) },
      };
    }
  }

  private stop(end: TraceBinWalkEnd): { done: true; value: TraceBinWalkEnd } {
    this.end = end;
    return { done: true, value: end };
  }
}

/**
 * Repairs, in place and frame by frame, the `trace.bin` of a recording whose process was killed
 * (docs/trace-format.md: "trace.bin"; the in-memory twin is `repairTraceBinBytes`): the writer only appends whole zstd
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
  return withRepairFile(file, write, (fd) => repairOpenTraceBin(fd, file, write, options));
}

/**
 * Opens the event file of a repair (`r+` to write, else `r`), runs `repair` on its descriptor,
 * and closes it whatever happens. Shared by the trace.bin and trace.json repairs.
 *
 * @throws {@link TraceFormatError} `ERR_IO` when the file cannot be opened; what `repair` throws
 */
export function withRepairFile<T>(file: string, write: boolean, repair: (fd: number) => T): T {
  let fd: number;
  try {
    fd = openSync(file, write ? "r+" : "r");
  } catch (error) {
    throw ioError("read", file, error);
  }
  try {
    return repair(fd);
  } finally {
    closeSync(fd);
  }
}

function repairOpenTraceBin(fd: number, file: string, write: boolean, options: TraceBinRepairOptions): TraceBinFileRepair {
  const size = fstatSync(fd).size;
  const summary = emptyEventSummary();
  const head = new Uint8ArrayCtor(8);
  const headLength = readFully(fd, head, 0, 8, 0, file);
  if (headLength < 8 || traceBinVersion(head) !== "v1") {
    if (headLength < 8 && isHeaderPrefix(head, headLength)) {
      // Killed before its header was written: it holds nothing, it becomes an empty trace.
      const tail = traceBinTail([]);
      if (write) {
        const header = new Uint8ArrayCtor(8);
        TypedArrayPrototypeSet(header, TRACE_BIN_HEADER_V1);
        writeFully(fd, header, 0, file);
        writeFully(fd, tail, 8, file);
      }
      return { ...summary, alreadyFinished: false, frames: 0, droppedBytes: size, size: 8 + TypedArrayPrototypeGetLength(tail) };
    }
    throw traceBinHeaderError(uint8View(head, 0, headLength), file)!; // not Binary v1
  }
  const entries = safeArray<SeekTableEntry>();
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
    entries.push({ compressedSize: frame.compressedSize, decompressedSize: TypedArrayPrototypeGetLength(frame.data) });
  }
  const { stop, end: p } = walked;
  if (stop === "skippable" && entries.length > 0) {
    const expected = buildSeekTable(entries);
    const expectedLength = TypedArrayPrototypeGetLength(expected);
    if (size - p === expectedLength) {
      const found = new Uint8ArrayCtor(expectedLength);
      readFully(fd, found, 0, expectedLength, p, file);
      if (sameBytes(found, expected, expectedLength)) {
        return { ...summary, alreadyFinished: true, frames: entries.length, droppedBytes: 0, size };
      }
    }
  }
  const tail = traceBinTail(entries);
  if (write) {
    try {
      ftruncateSync(fd, p);
    } catch (error) {
      throw ioError("write", file, error);
    }
    writeFully(fd, tail, p, file);
  }
  return { ...summary, alreadyFinished: false, frames: entries.length, droppedBytes: size - p, size: p + TypedArrayPrototypeGetLength(tail) };
}

/** True when the first `n` bytes of `head` are the first `n` of the Binary v1 header. */
function isHeaderPrefix(head: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (head[i] !== TRACE_BIN_HEADER_V1[i]) return false;
  return true;
}

/** True when the first `n` bytes of `a` and `b` are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
