/**
 * The worker thread of {@link ZstdOffload}: compresses each submitted slot's CBOR into one zstd
 * frame in the slot's output area and marks it done. Started by `ZstdOffload` only; it writes
 * no file (the program's thread does, in frame order).
 *
 * @packageDocumentation
 */
import { workerData } from "node:worker_threads";
import { CONTROL, SlotState, controlBytes, type ZstdOffload } from "./zstd-offload.js";
import { zstdCodec } from "../zstd.js";

const sab = workerData as SharedArrayBuffer;
const control = new Int32Array(sab, 0, CONTROL.first);
const slots = control[CONTROL.slots]!;
const full = new Int32Array(sab, 0, controlBytes(slots) / 4);
const bytes = new Uint8Array(sab);
const slotBytes = control[CONTROL.slotBytes]!;
const outBytes = control[CONTROL.outBytes]!;
const codec = zstdCodec({ level: control[CONTROL.level]! });
const base = controlBytes(slots);

let next = 0; // the slot expected next: frames are submitted in slot order
for (;;) {
  const seen = Atomics.load(full, CONTROL.submitted);
  if (Atomics.load(full, CONTROL.stop) === 1) break;
  let worked = false;
  for (let i = 0; i < slots; i++) {
    const slot = (next + i) % slots;
    const s = CONTROL.first + 3 * slot;
    if (Atomics.compareExchange(full, s, SlotState.Submitted, SlotState.Working) !== SlotState.Submitted) continue;
    worked = true;
    next = (slot + 1) % slots;
    const input = base + slot * (slotBytes + outBytes);
    let frame: Uint8Array;
    try {
      frame = codec.compress(bytes.subarray(input, input + full[s + 1]!));
    } catch {
      continue; // left Working: the program's thread compresses it itself
    }
    if (frame.length > outBytes) continue; // (cannot happen: outBytes is zstd's bound)
    bytes.set(frame, input + slotBytes);
    full[s + 2] = frame.length;
    if (Atomics.compareExchange(full, s, SlotState.Working, SlotState.Done) === SlotState.Working) Atomics.notify(full, s);
    break; // look again from the next slot in order
  }
  if (!worked) Atomics.wait(full, CONTROL.submitted, seen);
}

export type { ZstdOffload };
