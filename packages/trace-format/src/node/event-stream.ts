/**
 * Streaming reads of a trace folder's events (Node.js; docs/trace-format.md: "trace.json", "trace.bin"): `trace.json` in chunks,
 * `trace.bin` frame by frame, so a tool can show the first events of a multi-GB trace at once
 * with memory that does not grow with the file. Also the JSON array scanner the streaming
 * repair of `trace.json` shares (`unfinished.ts`).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { decodeEvents } from "../cbor-decode.js";
import { SEEK_TABLE_FOOTER_SIZE, SEEKABLE_MAGIC, TRACE_BIN_HEADER_V1 } from "../bin-format.js";
import { decompressTraceBin, traceBinVersion, type TraceBinReadOptions } from "../bin-read.js";
import { ioError, TraceFormatError } from "../errors.js";
import { parseJsonText } from "../reader.js";
import type { TraceLowLevelEvent } from "../types.js";
import { zstdCodec } from "../zstd.js";
import { readFully, walkTraceBinFrames } from "./bin-files.js";
import { findEventsFile } from "./read-folder.js";
import { JsonArrayScanner } from "./json-scanner.js";

export { JsonArrayScanner } from "./json-scanner.js";

/** Options of {@link readTraceEvents}. */
export interface TraceEventStreamOptions {
  /** `trace.json`: bytes read at a time (default 1 MiB; grown to hold one bigger event). `trace.bin`: the read window (default 64 KiB, doubled while one frame does not fit). */
  chunkBytes?: number;
  /** The zstd codec for `trace.bin`; default `zstdCodec()`. */
  zstd?: TraceBinReadOptions["zstd"];
}

/** Default read size of {@link readTraceEvents} for `trace.json`, bytes. */
export const EVENT_STREAM_CHUNK_BYTES = 1024 * 1024;
/** Default read window of {@link readTraceEvents} for `trace.bin`, bytes (the recorder's 2 MiB frames of events compress to some 50 kB). */
const EVENT_STREAM_WINDOW_BYTES = 64 * 1024;

/**
 * The events of one event file, read as they are iterated (see {@link readTraceEvents}). Each
 * iteration reads the file again from its start; the counters describe the last one.
 */
export interface TraceEventStream extends Iterable<TraceLowLevelEvent> {
  /** The event file (`trace.json` or `trace.bin`). */
  readonly file: string;
  /** Its format. */
  readonly format: "json" | "bin";
  /** Bytes read from the file so far (by the current or last iteration). */
  readonly bytesRead: number;
  /** Events yielded so far. */
  readonly events: number;
  /**
   * After an iteration that reached the end of the file: `true` when the file was finished (a
   * closed JSON array; a `trace.bin` whose frames are followed by a seek table of their number
   * that ends the file), `false` when the recording did not finish it or the file was cut
   * short (the events before a torn last event or frame were yielded). `undefined` before the
   * end is reached.
   */
  readonly finished: boolean | undefined;
  /** After the end of an unfinished file: the bytes after the last whole event or frame (not read as events; for `trace.bin`, a torn seek table included). */
  readonly droppedBytes: number;
}

interface StreamState {
  bytesRead: number;
  events: number;
  finished: boolean | undefined;
  droppedBytes: number;
}

/**
 * Reads the events of a trace folder (or of one event file) as they are iterated: `trace.json`
 * chunk by chunk ({@link JsonArrayScanner} finds each whole event, which is parsed alone),
 * `trace.bin` frame by frame (the zstd frames are walked by their headers and decoded one at a
 * time). The first events come after one chunk or frame, whatever the file's size, and memory
 * is bounded by a chunk (or one frame and its events), not by the file. Both an unfinished
 * file (a recording killed mid-write: the whole events before the torn end are yielded, see
 * {@link TraceEventStream.finished}) and a finished one are read. The events are those
 * `readTraceFolder` returns, in order (not validated; `validateTraceFolder` does that).
 *
 * Iterate with `for…of`; a `break` closes the file.
 *
 * @param dirOrFile - a trace folder (its `trace.json` if present, else `trace.bin`, as
 *   CodeTracer picks), or an event file (`*.bin` is read as Binary v1, anything else as JSON)
 * @param options - read size, zstd codec
 * @returns the stream; nothing is read until it is iterated (a folder without an event file
 *   throws at once)
 * @throws {@link TraceFormatError} `ERR_TRACE_MISSING` (at once) when a folder has neither
 *   file; while iterating: `ERR_IO` when the file cannot be read; `ERR_TRACE_INVALID` when it is
 *   not an event array or Binary v1 file (`context.reason` `"binary-v0"` / `"bad-header"` for a
 *   `trace.bin` of another format), an event is malformed JSON, or a whole frame does not
 *   decompress or decode
 */
export function readTraceEvents(dirOrFile: string, options: TraceEventStreamOptions = {}): TraceEventStream {
  let file = dirOrFile;
  let format: "json" | "bin";
  let isDir = false;
  try {
    isDir = fs.statSync(dirOrFile).isDirectory();
  } catch {
    // a missing file: reported when read
  }
  if (isDir) {
    const found = findEventsFile(dirOrFile);
    file = found.file;
    format = found.format;
  } else {
    format = path.extname(dirOrFile) === ".bin" ? "bin" : "json";
  }
  const state: StreamState = { bytesRead: 0, events: 0, finished: undefined, droppedBytes: 0 };
  const chunkBytes = Math.max(1024, options.chunkBytes ?? (format === "bin" ? EVENT_STREAM_WINDOW_BYTES : EVENT_STREAM_CHUNK_BYTES));
  return {
    file,
    format,
    get bytesRead() {
      return state.bytesRead;
    },
    get events() {
      return state.events;
    },
    get finished() {
      return state.finished;
    },
    get droppedBytes() {
      return state.droppedBytes;
    },
    [Symbol.iterator]() {
      state.bytesRead = 0;
      state.events = 0;
      state.finished = undefined;
      state.droppedBytes = 0;
      return format === "bin" ? binEvents(file, state, chunkBytes, options) : jsonEvents(file, state, chunkBytes);
    },
  };
}

function openForRead(file: string): number {
  try {
    return fs.openSync(file, "r");
  } catch (error) {
    throw ioError("read", file, error);
  }
}

function* jsonEvents(file: string, state: StreamState, chunkBytes: number): Generator<TraceLowLevelEvent, void, undefined> {
  const fd = openForRead(file);
  try {
    const size = fs.fstatSync(fd).size;
    const scanner = new JsonArrayScanner(file);
    let buf = Buffer.allocUnsafe(chunkBytes);
    let bufStart = 0; // file offset of buf[0]
    let bufLength = 0;
    let lastEnd = -1; // file offset just after the last whole element
    const batch: TraceLowLevelEvent[] = [];
    const element = (start: number, end: number) => {
      const text = buf.toString("utf8", start - bufStart, end - bufStart);
      let event: unknown;
      try {
        event = JSON.parse(text) as unknown;
      } catch {
        try {
          parseJsonText(text, file);
        } catch (error) {
          const e = error as TraceFormatError;
          throw new TraceFormatError("ERR_TRACE_INVALID", `${e.message} (in the event at byte ${start})`, { ...e.context, offset: String(start) }, error);
        }
        throw scanner.invalid("malformed JSON event", start);
      }
      batch.push(event as TraceLowLevelEvent);
      lastEnd = end;
    };
    let end = 0; // file offset after the bytes read
    while (end < size) {
      // Keep the element under way; read on.
      const keepFrom = scanner.elementStart >= 0 ? scanner.elementStart : end;
      const kept = end - keepFrom;
      if (kept > buf.length / 2) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, keepFrom - bufStart, end - bufStart);
        buf = bigger;
      } else if (kept > 0) {
        buf.copyWithin(0, keepFrom - bufStart, end - bufStart);
      }
      bufStart = keepFrom;
      bufLength = kept;
      let n: number;
      try {
        n = fs.readSync(fd, buf, bufLength, Math.min(buf.length - bufLength, size - end), end);
      } catch (error) {
        throw ioError("read", file, error);
      }
      if (n === 0) break; // the file shrank while read
      state.bytesRead += n;
      bufLength += n;
      scanner.scan(buf, bufStart, end, end + n, element);
      end += n;
      for (let i = 0; i < batch.length; i++) {
        state.events++;
        yield batch[i] as TraceLowLevelEvent;
      }
      batch.length = 0;
    }
    state.finished = scanner.phase === 2;
    state.droppedBytes = state.finished ? 0 : end - (lastEnd >= 0 ? lastEnd : scanner.arrayOpen >= 0 ? scanner.arrayOpen : 0);
  } finally {
    fs.closeSync(fd);
  }
}

function* binEvents(file: string, state: StreamState, chunkBytes: number, options: TraceEventStreamOptions): Generator<TraceLowLevelEvent, void, undefined> {
  const fd = openForRead(file);
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(8);
    const headLength = readFully(fd, head, 0, 8, 0, file);
    state.bytesRead += headLength;
    if (headLength < 8 || traceBinVersion(head) !== "v1") {
      if (headLength < 8 && TRACE_BIN_HEADER_V1.slice(0, headLength).every((b, i) => head[i] === b)) {
        // Killed before its header was written: no events.
        state.finished = false;
        state.droppedBytes = size;
        return;
      }
      decompressTraceBin(head.subarray(0, headLength), { file }); // throws the header error
    }
    const frames = walkTraceBinFrames(fd, file, size, { zstd: options.zstd ?? zstdCodec(), windowBytes: chunkBytes }, state);
    let frameCount = 0;
    for (;;) {
      const next = frames.next();
      if (next.done) {
        // Finished: the frames are followed by their seek table (8 + 8 per frame + the footer), which ends with the seekable magic.
        const { stop, end } = next.value;
        let finished = false;
        if (stop === "skippable" && size - end === 8 + 8 * frameCount + SEEK_TABLE_FOOTER_SIZE) {
          const footer = new Uint8Array(4);
          finished = readFully(fd, footer, 0, 4, size - 4, file) === 4 && new DataView(footer.buffer).getUint32(0, true) === SEEKABLE_MAGIC;
        }
        state.finished = finished;
        state.droppedBytes = finished ? 0 : size - end;
        return;
      }
      const frame = next.value;
      frameCount++;
      let events: TraceLowLevelEvent[];
      try {
        events = decodeEvents(frame.data, file);
      } catch (error) {
        throw frame.error(error);
      }
      for (let i = 0; i < events.length; i++) {
        state.events++;
        yield events[i] as TraceLowLevelEvent;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
