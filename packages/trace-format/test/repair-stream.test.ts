/**
 * The streaming repair of an unfinished trace folder (`repairTraceJson`, `repairTraceBin`,
 * `repairUnfinishedTrace`): the event file is read in small chunks here (1 KiB), so events and
 * frames cross chunk boundaries and some are bigger than a chunk; each cut of a real writer's
 * output is repaired and compared with the events before the cut. Also the empty `trace.bin`
 * (one empty zstd frame, a one-entry seek table) from the writer and from the repair, checked
 * with CodeTracer's own reader (`rtcli`) when it is found.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EMPTY_TRACE_BIN, TRACE_BIN_HEADER_V1 } from "../src/bin-format.js";
import { parseTraceBin, scanZstdFrames } from "../src/bin-read.js";
import { MemoryByteSink, TraceBinWriter } from "../src/bin-writer.js";
import { TraceFormatError } from "../src/errors.js";
import { TraceJsonWriter } from "../src/json-writer.js";
import { MemorySink } from "../src/memory-sink.js";
import { readTraceBinSeekTable, repairTraceBin } from "../src/node/bin-files.js";
import { repairTraceJson, repairUnfinishedTrace } from "../src/node/unfinished.js";
import { validateTraceFolder } from "../src/node/validate-folder.js";
import { parseTraceJson } from "../src/reader.js";
import type { TraceLowLevelEvent } from "../src/types.js";
import { tempDir } from "./helpers.js";

/** CodeTracer's reader: `$CODETRACER_RTCLI`, else the build beside the repository (see test/test262/run.mjs). */
const RTCLI = [
  process.env.CODETRACER_RTCLI,
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/tools/codetracer-reader/rtcli"),
].find((f): f is string => f !== undefined && fs.existsSync(f));

/** `rtcli read DIR`: the event count CodeTracer's reader loads, or its error. */
function rtcliRead(dir: string): string {
  const r = spawnSync(RTCLI!, ["read", dir], { encoding: "utf8" });
  return /^events: \d+/m.exec(r.stdout)?.[0] ?? `rtcli failed: ${r.stdout}${r.stderr}`;
}

/** A program-like trace whose strings hold JSON's and CBOR's delimiters, non-ASCII text and one value bigger than a chunk. */
function events(): TraceLowLevelEvent[] {
  const out: TraceLowLevelEvent[] = [
    { Path: "/p/main.js" },
    { Function: { path_id: 0, line: 1, name: "<top-level>" } },
    { Call: { function_id: 0, args: [] } },
  ];
  out.push({ Type: { kind: 9, lang_type: "string", specific_info: { kind: "None" } } }, { VariableName: "s" });
  let seed = 12345;
  const noise = Array.from({ length: 3000 }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 'abcdefghijklmnopqrstuvwxyz0123456789é✓"]}{['[seed % 43];
  }).join(""); // does not compress: frames bigger than the 1 KiB window
  const tricky = ['a"]}', "\\", '\\"],{', "é✓😀", "line\nbreak", "[[[{{{", noise];
  for (let i = 0; i < 120; i++) {
    if (i === 40) out.push({ Path: "/p/lib ü].js" });
    out.push({ Step: { path_id: i >= 40 ? 1 : 0, line: i + 1 } });
    out.push({ Value: { variable_id: 0, value: { kind: "String", text: tricky[i % tricky.length]!, type_id: 0 } } });
    if (i % 17 === 0) out.push("DropLastStep");
  }
  return out;
}

function jsonText(list: TraceLowLevelEvent[]): { text: string; unfinished: string } {
  const sink = new MemorySink();
  const w = new TraceJsonWriter(sink, { chunkEvents: 7 });
  for (const e of list) w.write(e);
  w.flush();
  const unfinished = sink.text();
  w.finish();
  return { text: sink.text(), unfinished };
}

function expectedSummary(list: TraceLowLevelEvent[]): { events: number; paths: string[]; lastStep: { pathId: number; line: number } | undefined } {
  const paths = list.flatMap((e) => (typeof e === "object" && "Path" in e ? [e.Path] : []));
  let lastStep: { pathId: number; line: number } | undefined;
  for (const e of list) if (typeof e === "object" && "Step" in e) lastStep = { pathId: e.Step.path_id, line: e.Step.line };
  return { events: list.length, paths, lastStep };
}

describe("streaming repair of trace.json", () => {
  const list = events();
  const { text, unfinished } = jsonText(list);
  const bytes = Buffer.from(unfinished, "utf8");
  /** Byte offset of the end of each event in the writer's output. */
  const ends = list.map((_, i) => Buffer.byteLength(jsonText(list.slice(0, i + 1)).unfinished));

  it("cuts after the last whole event at every kind of cut, in 1 KiB chunks", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.json");
    // Every cut in the last ~6 KB (inside the long value, inside escapes and multi-byte text), and a spread before.
    const cuts = new Set<number>();
    for (let c = bytes.length - 6000; c <= bytes.length; c += c > bytes.length - 400 ? 1 : 11) cuts.add(c);
    for (let c = 0; c < bytes.length; c += 1999) cuts.add(c);
    for (const cut of cuts) {
      const part = bytes.subarray(0, cut);
      fs.writeFileSync(file, part);
      const r = repairTraceJson(file, { chunkBytes: 1024 });
      const back = parseTraceJson(fs.readFileSync(file, "utf8"));
      expect(back, `cut ${cut}`).toEqual(list.slice(0, back.length));
      // every event wholly before the cut is kept
      expect(back.length, `cut ${cut}`).toBe(ends.filter((end) => end <= cut).length);
      expect({ events: r.events, paths: r.paths, lastStep: r.lastStep }).toEqual(expectedSummary(back));
      expect(r.alreadyFinished).toBe(false);
      expect(r.size).toBe(fs.statSync(file).size);
      // a second repair finds a finished file and the same events
      const again = repairTraceJson(file, { chunkBytes: 1024 });
      expect(again.alreadyFinished).toBe(true);
      expect(again.events).toBe(r.events);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("leaves a finished file alone; an empty file or a lone [ becomes an empty array; garbage is refused", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.json");
    fs.writeFileSync(file, text);
    const r = repairTraceJson(file, { chunkBytes: 1024 });
    expect(r).toMatchObject({ alreadyFinished: true, droppedBytes: 0, ...expectedSummary(list) });
    expect(fs.readFileSync(file, "utf8")).toBe(text);
    for (const start of ["", "[", "  [\n", "[\n"]) {
      fs.writeFileSync(file, start);
      expect(repairTraceJson(file).events).toBe(0);
      expect(parseTraceJson(fs.readFileSync(file, "utf8"))).toEqual([]);
    }
    fs.writeFileSync(file, '[\n{"Step":{"path_id":0,"line":1}},\n{"Step":{"path_id":0,"line":2}}}\n,{"Step"');
    expect(() => repairTraceJson(file)).toThrow(TraceFormatError);
    fs.writeFileSync(file, '[\n{"Step":{"path_id":0,"line":1}},\n{"Step":{"path_id":0 "line":2}},\n{"Ste');
    expect(() => repairTraceJson(file)).toThrow(/malformed JSON/);
    fs.writeFileSync(file, '{"Step":1}');
    expect(() => repairTraceJson(file)).toThrow(/does not start with \[/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("write: false reports without changing the file", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.json");
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const r = repairTraceJson(file, { write: false, chunkBytes: 1024 });
    expect(r.alreadyFinished).toBe(false);
    expect(fs.statSync(file).size).toBe(bytes.length - 10);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("streaming repair of trace.bin", () => {
  const list = events();

  function unfinishedBin(frameBytes: number): Uint8Array {
    const sink = new MemoryByteSink();
    const w = new TraceBinWriter(sink, { frameBytes });
    for (const e of list) w.write(e);
    w.flush();
    return sink.bytes();
  }

  it("keeps the whole frames at every cut, through a 1 KiB window (frames bigger than it too)", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    const bytes = unfinishedBin(1500);
    const frames = scanZstdFrames(bytes.subarray(8)).frames;
    expect(frames.length).toBeGreaterThan(5);
    expect(Math.max(...frames.map((f) => f.compressedSize))).toBeGreaterThan(1024);
    const cuts = new Set<number>([0, 3, 8]);
    for (const f of frames) for (const d of [0, 1, 5, Math.floor(f.compressedSize / 2), f.compressedSize - 1]) cuts.add(8 + f.offset + d);
    cuts.add(bytes.length);
    for (const cut of cuts) {
      fs.writeFileSync(file, bytes.subarray(0, cut));
      const r = repairTraceBin(file, { windowBytes: 1024 });
      const kept = frames.filter((f) => 8 + f.offset + f.compressedSize <= cut).length;
      expect(r.frames, `cut ${cut}`).toBe(kept);
      const back = parseTraceBin(fs.readFileSync(file));
      expect(back).toEqual(list.slice(0, back.length));
      expect({ events: r.events, paths: r.paths, lastStep: r.lastStep }).toEqual(expectedSummary(back));
      expect(r.size).toBe(fs.statSync(file).size);
      expect(readTraceBinSeekTable(file).entries.length).toBe(Math.max(kept, 1));
      const again = repairTraceBin(file, { windowBytes: 1024 });
      expect(again.alreadyFinished).toBe(true); // an empty trace holds the empty frame: finished too
      expect(again.events).toBe(r.events);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("leaves a finished file alone and rebuilds a wrong or torn seek table", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    const sink = new MemoryByteSink();
    const w = new TraceBinWriter(sink, { frameBytes: 4096 });
    for (const e of list) w.write(e);
    w.finish();
    const finished = sink.bytes();
    fs.writeFileSync(file, finished);
    expect(repairTraceBin(file, { windowBytes: 1024 })).toMatchObject({ alreadyFinished: true, droppedBytes: 0, ...expectedSummary(list) });
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(finished))).toBe(0);
    fs.writeFileSync(file, finished.subarray(0, finished.length - 3)); // torn table
    const r = repairTraceBin(file);
    expect(r.alreadyFinished).toBe(false);
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(finished))).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a BinaryV0 or foreign file and a frame that does not decompress", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    fs.writeFileSync(file, Buffer.from([0xc0, 0xde, 0x72, 0xac, 0xe2, 0x00, 0x00, 0x00, 1, 2, 3]));
    expect(() => repairTraceBin(file)).toThrow(/BinaryV0/);
    fs.writeFileSync(file, "not a trace at all");
    expect(() => repairTraceBin(file)).toThrow(/invalid header/);
    const bytes = Buffer.from(unfinishedBin(1500));
    const f = scanZstdFrames(bytes.subarray(8)).frames[1]!;
    bytes[8 + f.offset + f.compressedSize - 2]! ^= 0xff; // corrupt the end of frame 1's last block
    fs.writeFileSync(file, bytes);
    expect(() => repairTraceBin(file)).toThrow(/frame 1 at byte/);
    // a whole frame whose header claims 2 GiB of content (the seekable format allows 1 GiB)
    const liar = Buffer.from("c0de72ace2010000" + "28b52ffd" + "a0" + "00000080" + "190000" + "616263", "hex");
    fs.writeFileSync(file, liar);
    expect(() => repairTraceBin(file)).toThrow(/claims 2147483648 bytes/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("an empty trace.bin holds one empty frame and a one-entry seek table (what CodeTracer reads)", () => {
  it("the writer finished with no event writes runtime_tracing's 42 bytes", () => {
    const sink = new MemoryByteSink();
    new TraceBinWriter(sink).finish();
    expect(Buffer.from(sink.bytes()).toString("hex")).toBe(
      "c0de72ace2010000" + "28b52ffd2000010000" + "5e2a4d18" + "11000000" + "09000000" + "00000000" + "01000000" + "00" + "b1ea928f",
    );
    expect(Array.from(sink.bytes())).toEqual(EMPTY_TRACE_BIN);
    expect(parseTraceBin(sink.bytes())).toEqual([]);
  });

  it("a zero-frame seek table is refused by the reader and the validator (invalid-trace-bin), as CodeTracer refuses it", () => {
    const zeroFrame = Buffer.from("c0de72ace2010000" + "5e2a4d18" + "09000000" + "00000000" + "00" + "b1ea928f", "hex");
    let error: unknown;
    try {
      parseTraceBin(zeroFrame);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as TraceFormatError).code).toBe("ERR_TRACE_INVALID");
    expect((error as TraceFormatError).context.reason).toBe("no-frame");
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.bin"), zeroFrame);
    fs.writeFileSync(path.join(dir, "trace_paths.json"), "[]");
    fs.writeFileSync(path.join(dir, "trace_metadata.json"), JSON.stringify({ workdir: "/", program: "p", args: [] }));
    expect(validateTraceFolder(dir).errors.map((e) => e.code)).toContain("invalid-trace-bin");
    fs.writeFileSync(path.join(dir, "trace.bin"), Uint8Array.from(EMPTY_TRACE_BIN));
    expect(validateTraceFolder(dir).ok).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a repair of a file killed before any frame, or of an old zero-frame file, writes it", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    const zeroFrame = Buffer.from("c0de72ace2010000" + "5e2a4d18" + "09000000" + "00000000" + "00" + "b1ea928f", "hex");
    for (const start of [Buffer.alloc(0), Buffer.from(TRACE_BIN_HEADER_V1.slice(0, 5)), Buffer.from(TRACE_BIN_HEADER_V1), zeroFrame]) {
      fs.writeFileSync(file, start);
      const r = repairTraceBin(file);
      expect(r).toMatchObject({ alreadyFinished: false, frames: 0, events: 0, paths: [] });
      expect(Array.from(fs.readFileSync(file))).toEqual(EMPTY_TRACE_BIN);
      expect(repairTraceBin(file).alreadyFinished).toBe(true);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(RTCLI === undefined)("CodeTracer's reader loads both (events: 0), and a repaired torn folder", () => {
    const dir = tempDir();
    const writer = path.join(dir, "writer");
    const repaired = path.join(dir, "repaired");
    const torn = path.join(dir, "torn");
    for (const d of [writer, repaired, torn]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, "trace_paths.json"), "[]");
      fs.writeFileSync(path.join(d, "trace_metadata.json"), JSON.stringify({ workdir: "/", program: "p", args: [] }));
    }
    const sink = new MemoryByteSink();
    new TraceBinWriter(sink).finish();
    fs.writeFileSync(path.join(writer, "trace.bin"), sink.bytes());
    fs.writeFileSync(path.join(repaired, "trace.bin"), Buffer.from(TRACE_BIN_HEADER_V1));
    expect(repairUnfinishedTrace(repaired)).toMatchObject({ format: "bin", events: 0, alreadyFinished: false });
    expect(rtcliRead(writer)).toBe("events: 0");
    expect(rtcliRead(repaired)).toBe("events: 0");
    // a torn multi-frame file, repaired in 1 KiB windows, loads with the kept events
    const s2 = new MemoryByteSink();
    const w = new TraceBinWriter(s2, { frameBytes: 1500 });
    for (const e of events()) w.write(e);
    w.flush();
    const bytes = s2.bytes();
    fs.writeFileSync(path.join(torn, "trace.bin"), bytes.subarray(0, bytes.length - 100));
    const r = repairUnfinishedTrace(torn);
    expect(r.events).toBeGreaterThan(0);
    fs.writeFileSync(path.join(torn, "trace_paths.json"), JSON.stringify(r.paths));
    expect(rtcliRead(torn)).toBe(`events: ${r.events}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
