/**
 * Streaming `trace.bin` writer, CodeTracer Binary v1: CBOR events in seekable zstd (docs/trace-format.md: "trace.bin").
 *
 * @packageDocumentation
 */

import { TRACE_BIN_HEADER_V1, traceBinTail, type SeekTableEntry } from "./bin-format.js";
import { CborOutput, encodeCall, encodeEvent, encodeReturn, encodeStep, encodeValueEvent } from "./cbor.js";
import { TraceFormatError } from "./errors.js";
import type { FullValueRecord, TraceEventWriter, TraceLowLevelEvent, ValueRecord } from "./types.js";
import { zstdCodec, type ZstdCodec } from "./zstd.js";
import {
  Float64ArrayCtor,
  Int32ArrayCtor,
  appendOwn,
  MathMin,
  NumberIsSafeInteger,
  ownElements,
  safeArray,
  StringCtor,
  TypedArrayPrototypeCopyWithin,
  TypedArrayPrototypeFill,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  Uint8ArrayCtor,
  type SafeArray,
} from "./primordials.js";

/**
 * Where a {@link TraceBinWriter} sends its bytes. `write` receives a chunk it may keep (the
 * writer does not reuse it); `close` is called once by {@link TraceBinWriter.finish}.
 * Implementations: {@link MemoryByteSink} (tests) and `openBinaryFileSink` (Node, synchronous).
 * A sink may throw {@link TraceFormatError} `ERR_IO`; the writer lets it propagate.
 */
export interface ByteSink {
  /** Appends `chunk` to the output. */
  write(chunk: Uint8Array): void;
  /** Flushes and releases the output; no `write` follows. */
  close(): void;
}

/** An in-memory {@link ByteSink} for tests: {@link MemoryByteSink.bytes} joins the chunks. */
export class MemoryByteSink implements ByteSink {
  /** The chunks written so far, in order. */
  readonly chunks: Uint8Array[] = [];
  private closedFlag = false;

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** @throws {@link TraceFormatError} `ERR_IO` if the sink is closed */
  write(chunk: Uint8Array): void {
    if (this.closedFlag) throw new TraceFormatError("ERR_IO", "MemoryByteSink.write after close()");
    appendOwn(this.chunks, chunk);
  }

  /** Marks the sink closed; idempotent. */
  close(): void {
    this.closedFlag = true;
  }

  /** All chunks joined: the complete output so far. */
  bytes(): Uint8Array {
    const chunks = this.chunks;
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += TypedArrayPrototypeGetLength(chunks[i]!);
    const out = new Uint8ArrayCtor(total);
    let p = 0;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      TypedArrayPrototypeSet(out, c, p);
      p += TypedArrayPrototypeGetLength(c);
    }
    return out;
  }
}

/** Variables whose last compound Value event is remembered (see `TraceBinWriter.writeValue`). */
const REPEAT_SLOTS = 256;

/** `array` with every element `value`. */
function filled<T extends Int32Array | Float64Array>(array: T, value: number): T {
  TypedArrayPrototypeFill(array, value);
  return array;
}

/** Default {@link TraceBinWriterOptions.frameBytes}: 2 MiB, zeekstd's default frame size (docs/trace-format.md: "trace.bin"). */
export const DEFAULT_FRAME_BYTES = 0x200000;

/**
 * Compresses frames elsewhere (a worker thread: `ZstdOffload` of the Node entry), handing them
 * back in submission order; the writer writes them to its sink. Each method returns the frames
 * that are finished, oldest first, continuing where the last call stopped.
 */
export interface FrameOffload {
  /** Takes one frame's CBOR (copied before returning). */
  submit(cbor: Uint8Array): Uint8Array[];
  /** The frames finished so far (none may be). */
  ready(): Uint8Array[];
  /** Every frame still in flight, compressed here if need be: nothing is left in flight. */
  drain(): Uint8Array[];
  /** Releases the offload (after {@link drain}). */
  close(): void;
}

/** Options of {@link TraceBinWriter}. */
export interface TraceBinWriterOptions {
  /**
   * A zstd frame is emitted as soon as this many bytes of CBOR (uncompressed) are buffered;
   * default {@link DEFAULT_FRAME_BYTES} (2 MiB). Frames always end at an event boundary, so a
   * frame may be one event larger. Positive integer, at most 512 MiB.
   */
  frameBytes?: number;
  /** The zstd codec; default {@link zstdCodec}() (Node's zlib when it has zstd, else WebAssembly). */
  zstd?: ZstdCodec;
  /**
   * Where frames are compressed: by default here, on the calling thread; with an offload, on
   * its thread (the frames still reach the sink in order, from this thread).
   */
  offload?: FrameOffload;
}

/**
 * Streaming writer of `trace.bin`, CodeTracer Binary v1 (docs/trace-format.md: "trace.bin"), with the interface of
 * {@link TraceJsonWriter}:
 *
 * - the constructor writes the 8-byte header `C0 DE 72 AC E2 01 00 00` to the sink at once;
 * - {@link write} encodes the event as one CBOR item (see `cbor.ts`: the same events as the JSON
 *   writer, `Float.f` as a text string) into a buffer; when `frameBytes` (2 MiB) are buffered,
 *   they are compressed into one complete zstd frame and written to the sink;
 * - {@link flush} does the same with whatever is buffered (nothing if empty): after it the
 *   file is the header plus whole frames holding whole events;
 * - {@link finish} flushes, appends the seek table (one `{compressed, decompressed}` entry per
 *   frame, exact sizes) and closes the sink. An empty trace is, as runtime_tracing writes it,
 *   the header, one empty zstd frame and a one-entry seek table (42 bytes): CodeTracer's reader
 *   rejects a seek table with no frame.
 *
 * A file whose process was killed lacks only the seek table (and perhaps holds a torn last
 * frame): `repairTraceBin` rebuilds it from the whole frames. Memory use is bounded by
 * `frameBytes` plus one compressed frame. Each {@link flush} ends a frame, so a program that
 * flushes after every few events gets small frames that compress less well.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` from `write` if an event cannot be
 *   encoded (e.g. holds a `bigint`); `ERR_IO` from `write`/`flush` after `finish`, or when the
 *   zstd codec cannot be loaded or fails; sink errors propagate unchanged.
 */
export class TraceBinWriter implements TraceEventWriter {
  private readonly sink: ByteSink;
  private readonly zstd: ZstdCodec;
  private readonly frameBytes: number;
  private readonly out: CborOutput;
  private readonly entries: SafeArray<SeekTableEntry> = safeArray();
  /** Frames ended so far: a buffered event's offset is valid only until the next one. */
  private flushes = 0;
  // The last compound Value event per variable (by `variableId & (REPEAT_SLOTS - 1)`): its record,
  // variable, frame (flush count), and where its bytes are in the buffer (see `writeValue`).
  // (own elements: a store never reaches an index setter of the program's)
  private readonly repeatRecords: Array<ValueRecord | null> = ownElements<ValueRecord | null>(REPEAT_SLOTS, null);
  private readonly repeatVariables = filled(new Int32ArrayCtor(REPEAT_SLOTS), -1);
  private readonly repeatFlushes = filled(new Float64ArrayCtor(REPEAT_SLOTS), -1);
  private readonly repeatStarts = new Float64ArrayCtor(REPEAT_SLOTS);
  private readonly repeatLengths = new Float64ArrayCtor(REPEAT_SLOTS);
  private readonly offload: FrameOffload | undefined;
  /** Decompressed sizes of the frames handed to the offload and not written yet, in order. */
  private readonly inFlight: SafeArray<number> = safeArray();
  private count = 0;
  private compressedBytes = 0;
  private uncompressedBytes = 0;
  private finished = false;

  /**
   * @param sink - receives the bytes; the writer writes the 8-byte header immediately
   * @param options - frame size (default 2 MiB) and zstd codec
   * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if `frameBytes` is not a positive
   *   integer ≤ 512 MiB; `ERR_IO` if the zstd codec cannot be loaded
   */
  constructor(sink: ByteSink, options: TraceBinWriterOptions = {}) {
    const frameBytes = options.frameBytes ?? DEFAULT_FRAME_BYTES;
    if (!NumberIsSafeInteger(frameBytes) || frameBytes < 1 || frameBytes > 0x20000000) {
      throw new TraceFormatError("ERR_TRACE_INVALID", `frameBytes must be a positive integer of at most 512 MiB, got ${StringCtor(frameBytes)}`, {
        option: "frameBytes",
      });
    }
    this.sink = sink;
    this.frameBytes = frameBytes;
    this.zstd = options.zstd ?? zstdCodec();
    this.offload = options.offload;
    this.out = new CborOutput(MathMin(frameBytes + 1024, 4 * 1024 * 1024));
    const header = new Uint8ArrayCtor(TRACE_BIN_HEADER_V1.length);
    TypedArrayPrototypeSet(header, TRACE_BIN_HEADER_V1);
    this.sink.write(header);
  }

  /** Number of events accepted by {@link write} so far (buffered or written). */
  get eventCount(): number {
    return this.count;
  }

  /** Number of zstd frames written so far. */
  get frameCount(): number {
    return this.entries.length;
  }

  /** Bytes written to the sink so far (header, frames and, after {@link finish}, the seek table). */
  get bytesWritten(): number {
    return 8 + this.compressedBytes;
  }

  /** CBOR bytes encoded so far (written or buffered): the decompressed size of the trace. */
  get cborBytes(): number {
    return this.uncompressedBytes + this.out.length;
  }

  /** True once {@link finish} has run. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** The zstd implementation in use (`"node:zlib"` or `"@bokuweb/zstd-wasm"`). */
  get zstdName(): string {
    return this.zstd.name;
  }

  /**
   * Encodes and buffers one event; writes a frame when `frameBytes` are buffered.
   *
   * @param event - the event; not modified
   * @throws {@link TraceFormatError} `ERR_IO` after {@link finish}; `ERR_TRACE_INVALID` if the
   *   event cannot be encoded (nothing of it is buffered then)
   */
  write(event: TraceLowLevelEvent): void {
    this.open();
    try {
      encodeEvent(this.out, event);
    } catch (error) {
      throw this.invalid(error);
    }
    this.accepted();
  }

  /**
   * Encodes `{"Step":{"path_id","line"}}` (the same bytes as {@link write} of that event, without
   * building it).
   * @throws as {@link write}
   */
  writeStep(pathId: number, line: number): void {
    this.open();
    try {
      encodeStep(this.out, pathId, line);
    } catch (error) {
      throw this.invalid(error);
    }
    this.accepted();
  }

  /**
   * Encodes `{"Value":{"variable_id","value"}}` (as {@link write}). A compound record (Struct,
   * Sequence, Tuple) written again for the same variable while its first event's bytes are still
   * buffered is copied from there, not encoded again (the recorder hands the same record object
   * back for an object unchanged since the frame's last step): records are never modified.
   * @throws as {@link write}
   */
  writeValue(variableId: number, value: ValueRecord): void {
    this.open();
    const slot = variableId & (REPEAT_SLOTS - 1);
    if (this.repeatRecords[slot] === value && this.repeatVariables[slot] === variableId && this.repeatFlushes[slot] === this.flushes) {
      const start = this.repeatStarts[slot]!;
      const length = this.repeatLengths[slot]!;
      this.out.ensure(length);
      TypedArrayPrototypeCopyWithin(this.out.bytes, this.out.length, start, start + length);
      this.out.length += length;
      this.accepted();
      return;
    }
    const start = this.out.length;
    try {
      encodeValueEvent(this.out, variableId, value);
    } catch (error) {
      throw this.invalid(error);
    }
    const kind = value.kind;
    if (kind === "Struct" || kind === "Sequence" || kind === "Tuple") {
      this.repeatRecords[slot] = value; // own index: repeatRecords holds REPEAT_SLOTS own elements (ownElements)
      this.repeatVariables[slot] = variableId;
      this.repeatFlushes[slot] = this.flushes;
      this.repeatStarts[slot] = start;
      this.repeatLengths[slot] = this.out.length - start;
    }
    this.accepted();
  }

  /** Encodes `{"Call":{"function_id","args"}}` (as {@link write}). @throws as {@link write} */
  writeCall(functionId: number, args: readonly FullValueRecord[]): void {
    this.open();
    try {
      encodeCall(this.out, functionId, args);
    } catch (error) {
      throw this.invalid(error);
    }
    this.accepted();
  }

  /** Encodes `{"Return":{"return_value"}}` (as {@link write}). @throws as {@link write} */
  writeReturn(value: ValueRecord): void {
    this.open();
    try {
      encodeReturn(this.out, value);
    } catch (error) {
      throw this.invalid(error);
    }
    this.accepted();
  }

  private open(): void {
    if (this.finished) throw new TraceFormatError("ERR_IO", "TraceBinWriter.write called after finish()");
  }

  private invalid(error: unknown): unknown {
    if (!(error instanceof TraceFormatError)) return error;
    return new TraceFormatError(
      "ERR_TRACE_INVALID",
      `cannot encode trace event #${this.count}: ${error.message}`,
      { ...error.context, eventIndex: StringCtor(this.count) },
      error,
    );
  }

  /** One more event is buffered: a frame is written when enough bytes are. */
  private accepted(): void {
    this.count++;
    if (this.out.length >= this.frameBytes) this.flush();
  }

  /**
   * Compresses the buffered events into one zstd frame and writes it to the sink now. Does
   * nothing if none are buffered.
   *
   * @throws {@link TraceFormatError} `ERR_IO` after {@link finish} or if compression fails
   */
  flush(): void {
    if (this.out.length === 0) return;
    if (this.finished) throw new TraceFormatError("ERR_IO", "TraceBinWriter.flush called after finish()");
    const data = this.out.view0();
    const dataLength = this.out.length;
    this.flushes++;
    if (this.offload) {
      this.inFlight.push(dataLength);
      this.uncompressedBytes += dataLength;
      const done = this.offload.submit(data);
      this.out.reset();
      this.writeFrames(done);
      return;
    }
    const frame = this.zstd.compress(data);
    const frameLength = TypedArrayPrototypeGetLength(frame);
    const entry = { compressedSize: frameLength, decompressedSize: dataLength };
    this.out.reset();
    this.sink.write(frame);
    this.entries.push(entry);
    this.compressedBytes += frameLength;
    this.uncompressedBytes += entry.decompressedSize;
  }

  /** Frames compressed elsewhere and not written yet (see {@link TraceBinWriterOptions.offload}). */
  get pendingFrames(): number {
    return this.inFlight.length;
  }

  /**
   * Writes the frames the offload has finished (in order) to the sink. Nothing to do without an
   * offload. Call it from time to time so finished frames do not wait for the next flush.
   * @throws sink errors, unchanged
   */
  writeReady(): void {
    if (this.offload && this.inFlight.length > 0) this.writeFrames(this.offload.ready());
  }

  /** Writes frames handed back by the offload, matching them with their decompressed sizes. */
  private writeFrames(frames: Uint8Array[]): void {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const decompressedSize = this.inFlight.shift()!;
      const frameLength = TypedArrayPrototypeGetLength(frame);
      this.sink.write(frame);
      this.entries.push({ compressedSize: frameLength, decompressedSize });
      this.compressedBytes += frameLength;
    }
  }

  /**
   * Flushes, writes the seek table (after one empty zstd frame when no frame was written, see
   * `traceBinTail`) and closes the sink. Idempotent: later calls do nothing.
   */
  finish(): void {
    if (this.finished) return;
    try {
      this.flush();
      if (this.offload) {
        this.writeFrames(this.offload.drain());
        this.offload.close();
      }
      this.finished = true;
      const tail = traceBinTail(this.entries);
      this.sink.write(tail);
      this.compressedBytes += TypedArrayPrototypeGetLength(tail);
    } finally {
      this.finished = true;
      this.sink.close();
    }
  }
}
