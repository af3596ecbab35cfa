/**
 * Compression of `trace.bin` frames on a thread of its own: the program's thread hands each
 * frame's CBOR to a worker through shared memory and goes on recording while the worker
 * compresses it. Only the program's thread writes the file, in frame order, so a worker that is
 * slow, stopped (Node stops worker threads when the process ends) or dead never leaves a torn or
 * misplaced frame: whatever the worker has not finished when the frame is needed, the program's
 * thread compresses itself from the CBOR still in the shared slot.
 *
 * Shared memory (one `SharedArrayBuffer`):
 * - a control block of Int32: per slot its state (`FREE` → `SUBMITTED` → `WORKING` → `DONE`, or
 *   `CLAIMED` by the program's thread), its CBOR length and its frame length; a `submitted`
 *   counter the worker waits on;
 * - per slot, an input area (the CBOR, at most `slotBytes`) and an output area (the frame, at
 *   most the zstd bound of `slotBytes`).
 * Every state change is a compare-and-exchange, so each slot is compressed by exactly one side
 * whose result is used.
 *
 * docs/performance.md "A second thread, measured" says what this takes off the program's thread
 * and why it is off by default.
 *
 * @packageDocumentation
 */
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { FrameOffload } from "../bin-writer.js";
import type { ZstdCodec } from "../zstd.js";
import {
  DateNow,
  Int32ArrayCtor,
  MathMin,
  ReflectApply,
  safeArray,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  uint8Copy,
  uint8View,
  Uint8ArrayCtor,
  type SafeArray,
} from "../primordials.js";

// Captured when this module loads, before any program code (the worker starts later, while the
// program runs: see `ZstdOffload.start`).
const SharedArrayBufferCtor = SharedArrayBuffer;
const WorkerCtor = Worker;
const workerUnref = Worker.prototype.unref;
const emitterOn = EventEmitter.prototype.on;
/**
 * The worker's script, resolved now: `require.resolve` (Node's own code) uses the species of
 * `Array.prototype.slice`, which a program can change. `null` when it cannot be resolved (the
 * frames are then compressed on the calling thread).
 */
let WORKER_SCRIPT: string | null = null;
try {
  WORKER_SCRIPT = createRequire(import.meta.url).resolve("@codetracer/trace-format/zstd-worker");
} catch {
  // not resolvable: no worker
}

/** Slot states (Int32 in the control block). */
export const SlotState = {
  Free: 0,
  Submitted: 1,
  Working: 2,
  Done: 3,
  Claimed: 4,
} as const;

/** Control block layout: Int32 indexes. */
export const CONTROL = {
  /** Bumped at each submission; the worker waits on it. */
  submitted: 0,
  /** Set to 1 to ask the worker to stop. */
  stop: 1,
  /** Number of slots. */
  slots: 2,
  /** Bytes per input area. */
  slotBytes: 3,
  /** Bytes per output area. */
  outBytes: 4,
  /** zstd level. */
  level: 5,
  /** Per slot `i`: state at `FIRST + 3i`, CBOR length at `+1`, frame length at `+2`. */
  first: 8,
} as const;

/** Bytes of the control block (Int32s, rounded up to 8-byte alignment). */
export function controlBytes(slots: number): number {
  return ((CONTROL.first + 3 * slots) * 4 + 7) & ~7;
}

/** An upper bound of a zstd frame's size for `n` input bytes (zstd's `ZSTD_COMPRESSBOUND`). */
export function zstdBound(n: number): number {
  return n + (n >>> 8) + (n < 128 << 10 ? ((128 << 10) - n) >>> 11 : 0) + 64;
}

/** Options of {@link ZstdOffload}. */
export interface ZstdOffloadOptions {
  /** Largest CBOR frame a slot holds (bytes); bigger frames are compressed on the calling thread. */
  slotBytes: number;
  /** Slots in flight (default 2). */
  slots?: number;
  /** The codec the calling thread uses when it compresses a frame itself. */
  codec: ZstdCodec;
  /** zstd level the worker uses (default 3, as `zstdCodec`). */
  level?: number;
  /**
   * CBOR bytes compressed on the calling thread before the worker is started (default 4 MiB):
   * a short recording never starts a thread (it would cost more start-up than it saves).
   */
  startAfterBytes?: number;
  /**
   * Most milliseconds {@link ZstdOffload.submit} waits for the worker when every slot is busy
   * before it compresses the oldest frame itself (default 1000).
   */
  waitMs?: number;
}

const apply = Reflect.apply;
const atomicsWait = Atomics.wait;
const atomicsNotify = Atomics.notify;
const atomicsCas = Atomics.compareExchange;
const atomicsLoad = Atomics.load;
const atomicsStore = Atomics.store;
const atomicsAdd = Atomics.add;

/**
 * The program thread's side of frame compression on a worker thread ({@link FrameOffload} of
 * `TraceBinWriter`). Frames come back from {@link ready} and {@link drain} in submission order.
 *
 * The worker is started with no `execArgv` and an empty environment, so no loader (ours
 * included) runs in it, and it is `unref`'d: it never keeps the process alive.
 *
 * @throws {@link TraceFormatError} never: a worker that cannot start only means every frame is
 *   compressed on the calling thread.
 */
export class ZstdOffload implements FrameOffload {
  private readonly control: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly slots: number;
  private readonly slotBytes: number;
  private readonly outBytes: number;
  private readonly codec: ZstdCodec;
  private readonly waitMs: number;
  private worker: Worker | null = null;
  /** The worker has been started (or its start failed, or {@link close} came first). */
  private started = false;
  private readonly startAfterBytes: number;
  private submittedBytes = 0;
  private readonly sab: SharedArrayBuffer;
  /** Frames submitted so far (slot of frame `k`: `k % slots`). */
  private submittedCount = 0;
  /** Frames handed back so far (by {@link ready} or {@link drain}). */
  private returnedCount = 0;
  /** Frames the calling thread compressed itself (for tests and the bench). */
  inlineFrames = 0;

  constructor(options: ZstdOffloadOptions) {
    this.slots = options.slots ?? 2;
    this.slotBytes = options.slotBytes;
    this.outBytes = zstdBound(options.slotBytes);
    this.codec = options.codec;
    this.waitMs = options.waitMs ?? 1000;
    const head = controlBytes(this.slots);
    this.startAfterBytes = options.startAfterBytes ?? 4 * 1024 * 1024;
    const sab = (this.sab = new SharedArrayBufferCtor(head + this.slots * (this.slotBytes + this.outBytes)));
    this.control = new Int32ArrayCtor(sab, 0, head / 4);
    this.bytes = new Uint8ArrayCtor(sab);
    this.control[CONTROL.slots] = this.slots;
    this.control[CONTROL.slotBytes] = this.slotBytes;
    this.control[CONTROL.outBytes] = this.outBytes;
    this.control[CONTROL.level] = options.level ?? 3;
    if (this.startAfterBytes <= 0) this.start();
  }

  /** Starts the worker (once). */
  private start(): void {
    if (this.started) return;
    this.started = true;
    try {
      const script = WORKER_SCRIPT;
      if (script === null) return;
      const worker = new WorkerCtor(script, { workerData: this.sab, execArgv: [], env: {}, stdout: false, stderr: false });
      ReflectApply(workerUnref, worker, []);
      // A worker that fails is simply not used: its frames are compressed here.
      ReflectApply(emitterOn, worker, [
        "error",
        () => {
          this.worker = null;
        },
      ]);
      this.worker = worker;
    } catch {
      this.worker = null;
    }
  }

  /** True while a worker was started and has not failed. */
  get hasWorker(): boolean {
    return this.worker !== null;
  }

  private stateAt(slot: number): number {
    return CONTROL.first + 3 * slot;
  }

  private inputOffset(slot: number): number {
    return controlBytes(this.slots) + slot * (this.slotBytes + this.outBytes);
  }

  /**
   * Hands over one frame's CBOR (copied before returning). When every slot is busy, first waits
   * (at most `waitMs`) for the oldest frame, compressing it here if the worker has not; its frame
   * is then kept for {@link ready}. A frame larger than a slot is compressed here at once.
   * @returns the frames finished in order so far (as {@link ready})
   */
  submit(cbor: Uint8Array): SafeArray<Uint8Array> {
    const out = safeArray<Uint8Array>();
    const length = TypedArrayPrototypeGetLength(cbor);
    this.submittedBytes += length;
    if (!this.started && this.submittedBytes > this.startAfterBytes) this.start();
    if (this.submittedCount - this.returnedCount >= this.slots) {
      // Back-pressure: the oldest frame must be finished before its slot is reused.
      out.push(this.finishOldest(this.waitMs));
    }
    if (length > this.slotBytes || this.worker === null) {
      // Nothing may overtake the frames in flight: finish them first, in order.
      while (this.submittedCount > this.returnedCount) out.push(this.finishOldest(0));
      this.inlineFrames++;
      out.push(this.codec.compress(cbor));
      return out;
    }
    const slot = this.submittedCount % this.slots;
    const s = this.stateAt(slot);
    TypedArrayPrototypeSet(this.bytes, cbor, this.inputOffset(slot));
    this.control[s + 1] = length;
    this.control[s + 2] = 0;
    atomicsStore(this.control, s, SlotState.Submitted);
    this.submittedCount++;
    atomicsAdd(this.control, CONTROL.submitted, 1);
    atomicsNotify(this.control, CONTROL.submitted);
    const ready = this.ready();
    for (let i = 0; i < ready.length; i++) out.push(ready[i]!);
    return out;
  }

  /** The frames the worker has finished, oldest first, up to the first one still in flight. */
  ready(): SafeArray<Uint8Array> {
    const out = safeArray<Uint8Array>();
    while (this.returnedCount < this.submittedCount) {
      const slot = this.returnedCount % this.slots;
      if (atomicsLoad(this.control, this.stateAt(slot)) !== SlotState.Done) break;
      out.push(this.take(slot));
    }
    return out;
  }

  /**
   * Every frame still in flight, in order, waiting for none: a frame the worker has not
   * finished is compressed here (at process exit Node may already have stopped the worker).
   */
  drain(): SafeArray<Uint8Array> {
    const out = safeArray<Uint8Array>();
    while (this.returnedCount < this.submittedCount) out.push(this.finishOldest(0));
    return out;
  }

  /** Stops the worker (after {@link drain}); later frames are compressed here. Idempotent. */
  close(): void {
    atomicsStore(this.control, CONTROL.stop, 1);
    atomicsAdd(this.control, CONTROL.submitted, 1);
    atomicsNotify(this.control, CONTROL.submitted);
    this.started = true;
    this.worker = null;
  }

  /** The oldest frame in flight: the worker's, waiting at most `waitMs` for it, else compressed here. */
  private finishOldest(waitMs: number): Uint8Array {
    const slot = this.returnedCount % this.slots;
    const s = this.stateAt(slot);
    if (waitMs > 0 && this.worker !== null) {
      const deadline = DateNow() + waitMs;
      for (;;) {
        const state = atomicsLoad(this.control, s);
        if (state === SlotState.Done) return this.take(slot);
        const left = deadline - DateNow();
        if (left <= 0) break;
        // The worker notifies the slot's state word when it is done.
        apply(atomicsWait, Atomics, [this.control, s, state, MathMin(left, 50)]);
      }
    }
    // Claim it unless the worker is already done; a worker still compressing it loses its work.
    for (;;) {
      const state = atomicsLoad(this.control, s);
      if (state === SlotState.Done) return this.take(slot);
      if (apply(atomicsCas, Atomics, [this.control, s, state, SlotState.Claimed]) === state) break;
    }
    const input = this.inputOffset(slot);
    const frame = this.codec.compress(uint8View(this.bytes, input, input + this.control[s + 1]!));
    this.inlineFrames++;
    atomicsStore(this.control, s, SlotState.Free);
    this.returnedCount++;
    return frame;
  }

  /** Copies out the worker's frame of `slot` and frees the slot. */
  private take(slot: number): Uint8Array {
    const s = this.stateAt(slot);
    const at = this.inputOffset(slot) + this.slotBytes;
    const frame = uint8Copy(this.bytes, at, at + this.control[s + 2]!);
    atomicsStore(this.control, s, SlotState.Free);
    this.returnedCount++;
    return frame;
  }
}
