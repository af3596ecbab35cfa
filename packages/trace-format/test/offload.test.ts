/**
 * Frames compressed on a worker thread (`ZstdOffload`): the same trace.bin events as frames
 * compressed in place, frames in order, and the calling thread taking over whatever the worker
 * has not finished (a stopped or absent worker), so nothing is lost or reordered.
 */
import { describe, expect, it } from "vitest";
import { parseSeekTable, parseTraceBin } from "../src/bin-read.js";
import { MemoryByteSink, TraceBinWriter } from "../src/bin-writer.js";
import { ZstdOffload } from "../src/node/zstd-offload.js";
import { zstdCodec } from "../src/zstd.js";
import type { TraceLowLevelEvent } from "../src/types.js";

/** A trace of `n` steps and int values over a few paths, with some longer strings. */
function events(n: number): TraceLowLevelEvent[] {
  const out: TraceLowLevelEvent[] = [
    { Path: "/a.js" },
    { VariableName: "x" },
    { Function: { path_id: 0, line: 1, name: "<top-level>" } },
    { Call: { function_id: 0, args: [] } },
  ];
  out.push({ Type: { kind: 7, lang_type: "number", specific_info: { kind: "None" } } });
  out.push({ Type: { kind: 9, lang_type: "string", specific_info: { kind: "None" } } });
  for (let i = 0; i < n; i++) {
    out.push({ Step: { path_id: 0, line: 1 + (i % 97) } });
    out.push({
      Value: {
        variable_id: 0,
        value: i % 5 === 0 ? { kind: "String", text: `text ${i} `.repeat(i % 13), type_id: 1 } : { kind: "Int", i: i * 7919, type_id: 0 },
      },
    });
  }
  return out;
}

function write(list: TraceLowLevelEvent[], offload?: ZstdOffload, pollEvery = 0): { bytes: Uint8Array; writer: TraceBinWriter } {
  const sink = new MemoryByteSink();
  const writer = new TraceBinWriter(sink, { frameBytes: 16 * 1024, ...(offload ? { offload } : {}) });
  list.forEach((e, i) => {
    writer.write(e);
    if (pollEvery > 0 && i % pollEvery === 0) writer.writeReady();
  });
  writer.finish();
  return { bytes: sink.bytes(), writer };
}

describe("frames compressed on a worker thread", () => {
  const list = events(40_000);
  const plain = write(list).bytes;

  it("give the same events, frame sizes and seek table as frames compressed in place", () => {
    const offload = new ZstdOffload({ slotBytes: 64 * 1024, codec: zstdCodec(), startAfterBytes: 0 });
    expect(offload.hasWorker).toBe(true);
    const { bytes, writer } = write(list, offload, 500);
    expect(parseTraceBin(bytes)).toEqual(list);
    const table = (b: Uint8Array) => parseSeekTable(b.subarray(8)).entries;
    expect(table(bytes).map((e) => e.decompressedSize)).toEqual(table(plain).map((e) => e.decompressedSize));
    expect(table(bytes).length).toBeGreaterThan(20);
    expect(writer.pendingFrames).toBe(0);
    // The worker compressed most of them (the calling thread only the ones in flight at the end).
    expect(offload.inlineFrames).toBeLessThanOrEqual(2);
    // Compression is deterministic: the same frames, byte for byte.
    expect(bytes).toEqual(plain);
  }, 30_000); // (a few seconds each: zstd of several MiB, more on a loaded machine)

  it("without a worker (or with it stopped), every frame is compressed here, in order", () => {
    const offload = new ZstdOffload({ slotBytes: 64 * 1024, codec: zstdCodec() });
    offload.close(); // no worker from now on; submissions compress in place
    const { bytes } = write(list, offload, 0);
    expect(bytes).toEqual(plain);
    expect(offload.inlineFrames).toBeGreaterThan(20);
  }, 30_000); // (a few seconds each: zstd of several MiB, more on a loaded machine)

  it("frames in flight at the end are finished by the calling thread without waiting", () => {
    const offload = new ZstdOffload({ slotBytes: 64 * 1024, slots: 3, codec: zstdCodec(), startAfterBytes: 0 });
    const sink = new MemoryByteSink();
    const writer = new TraceBinWriter(sink, { frameBytes: 16 * 1024, offload });
    for (const e of list) writer.write(e);
    // No writeReady: up to 3 frames are still in flight here; finish takes over what is not done.
    writer.finish();
    expect(parseTraceBin(sink.bytes())).toEqual(list);
    expect(sink.bytes()).toEqual(plain);
  }, 30_000); // (a few seconds each: zstd of several MiB, more on a loaded machine)

  it("a short trace never starts the worker", () => {
    const offload = new ZstdOffload({ slotBytes: 64 * 1024, codec: zstdCodec(), startAfterBytes: 1 << 30 });
    const { bytes } = write(list, offload, 100);
    expect(bytes).toEqual(plain);
    expect(offload.hasWorker).toBe(false);
  }, 30_000); // (a few seconds each: zstd of several MiB, more on a loaded machine)

  it("a frame larger than a slot is compressed here, after the frames before it", () => {
    const offload = new ZstdOffload({ slotBytes: 4 * 1024, codec: zstdCodec(), startAfterBytes: 0 });
    const { bytes } = write(list, offload, 100);
    expect(bytes).toEqual(plain);
  }, 30_000); // (a few seconds each: zstd of several MiB, more on a loaded machine)
});

describe("a compound value written again for the same variable", () => {
  it("gives the same events as encoding it each time, also across frames", () => {
    const point = {
      kind: "Struct",
      field_values: [
        { kind: "Float", f: "1.5", type_id: 1 },
        { kind: "Int", i: 2, type_id: 0 },
      ],
      type_id: 2,
    } as const;
    const list: TraceLowLevelEvent[] = [
      { Path: "/a.js" },
      { VariableName: "p" },
      { VariableName: "q" },
      { Type: { kind: 7, lang_type: "number", specific_info: { kind: "None" } } },
      { Type: { kind: 8, lang_type: "number", specific_info: { kind: "None" } } },
      {
        Type: {
          kind: 6,
          lang_type: "P",
          specific_info: {
            kind: "Struct",
            fields: [
              { name: "x", type_id: 1 },
              { name: "y", type_id: 0 },
            ],
          },
        },
      },
      { Function: { path_id: 0, line: 1, name: "<top-level>" } },
      { Call: { function_id: 0, args: [] } },
    ];
    for (let i = 0; i < 3000; i++) {
      list.push({ Step: { path_id: 0, line: 1 + (i % 7) } });
      list.push({ Value: { variable_id: 0, value: point } });
      list.push({ Value: { variable_id: 1, value: i % 3 === 0 ? { ...point, type_id: 2 } : point } });
    }
    const typed = (events: TraceLowLevelEvent[]) => {
      const sink = new MemoryByteSink();
      const writer = new TraceBinWriter(sink, { frameBytes: 4096 });
      for (const e of events) {
        if (typeof e === "object" && "Value" in e) writer.writeValue(e.Value.variable_id, e.Value.value);
        else writer.write(e);
      }
      writer.finish();
      return sink.bytes();
    };
    const generic = (events: TraceLowLevelEvent[]) => {
      const sink = new MemoryByteSink();
      const writer = new TraceBinWriter(sink, { frameBytes: 4096 });
      for (const e of events) writer.write(e);
      writer.finish();
      return sink.bytes();
    };
    const a = typed(list);
    expect(parseTraceBin(a)).toEqual(list);
    expect(a).toEqual(generic(list));
  });
});
