/**
 * trace.bin, CodeTracer Binary v1 (docs/trace-format.md, "trace.bin"): CBOR encoding byte by byte, the seek table, round
 * trips, multi-frame files, repair of a torn file, the folder reader and validator.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { buildSeekTable, TRACE_BIN_HEADER_V0, TRACE_BIN_HEADER_V1 } from "../src/bin-format.js";
import { parseSeekTable, parseTraceBin, repairTraceBinBytes, scanZstdFrames } from "../src/bin-read.js";
import { MemoryByteSink, TraceBinWriter } from "../src/bin-writer.js";
import { decodeCborItem, decodeEvents, encodeEventBytes } from "../src/cbor.js";
import { TraceFormatError } from "../src/errors.js";
import { repairTraceBin } from "../src/node/bin-files.js";
import { openBinaryFileSink } from "../src/node/file-sink.js";
import { writeTraceMetadata, writeTracePaths } from "../src/node/metadata-files.js";
import { readTraceFolder } from "../src/node/read-folder.js";
import { validateTraceFolder } from "../src/node/validate-folder.js";
import { parseTraceJson } from "../src/reader.js";
import type { TraceLowLevelEvent, ValueRecord } from "../src/types.js";
import { zstdCodec } from "../src/zstd.js";
import { fixtureText, SPEC_EXAMPLE_METADATA, SPEC_EXAMPLE_PATHS, specExample, tempDir } from "./helpers.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** CBOR text string, hex: head + ASCII bytes (for strings shorter than 24 bytes). */
const t = (s: string): string => (0x60 + s.length).toString(16) + Buffer.from(s).toString("hex");

function writeBin(events: TraceLowLevelEvent[], frameBytes?: number): { bytes: Uint8Array; writer: TraceBinWriter } {
  const sink = new MemoryByteSink();
  const writer = new TraceBinWriter(sink, frameBytes === undefined ? {} : { frameBytes });
  for (const e of events) writer.write(e);
  writer.finish();
  expect(sink.closed).toBe(true);
  return { bytes: sink.bytes(), writer };
}

/** The events as the JSON writer + reader would give them back (Float.f numbers become strings). */
function viaJson(events: TraceLowLevelEvent[]): TraceLowLevelEvent[] {
  return JSON.parse(JSON.stringify(events)) as TraceLowLevelEvent[];
}

describe("CBOR encoding of events (docs/trace-format.md, trace.bin)", () => {
  it("an event is a one-entry map 0xA1; DropLastStep is a text string", () => {
    expect(hex(encodeEventBytes({ Step: { path_id: 0, line: 4 } }))).toBe("a1" + t("Step") + "a2" + t("path_id") + "00" + t("line") + "04");
    expect(hex(encodeEventBytes("DropLastStep"))).toBe(t("DropLastStep"));
    expect(hex(encodeEventBytes({ Path: "/a.js" }))).toBe("a1" + t("Path") + t("/a.js"));
    expect(hex(encodeEventBytes({ VariableName: "x" }))).toBe("a1" + t("VariableName") + t("x"));
    expect(hex(encodeEventBytes({ ThreadStart: 1 }))).toBe("a1" + t("ThreadStart") + "01");
    expect(hex(encodeEventBytes({ DropVariables: [1, 2] }))).toBe("a1" + t("DropVariables") + "820102");
    expect(hex(encodeEventBytes({ Asm: ["nop"] }))).toBe("a1" + t("Asm") + "81" + t("nop"));
  });

  it("integers: shortest major 0 / major 1 forms, -0 as 0", () => {
    const line = (n: number) =>
      hex(encodeEventBytes({ Step: { path_id: 0, line: n } })).slice(("a1" + t("Step") + "a2" + t("path_id") + "00" + t("line")).length);
    expect(line(0)).toBe("00");
    expect(line(23)).toBe("17");
    expect(line(24)).toBe("1818");
    expect(line(255)).toBe("18ff");
    expect(line(256)).toBe("190100");
    expect(line(65536)).toBe("1a00010000");
    expect(line(2 ** 32)).toBe("1b0000000100000000");
    expect(line(Number.MAX_SAFE_INTEGER)).toBe("1b001fffffffffffff");
    expect(line(-1)).toBe("20");
    expect(line(-24)).toBe("37");
    expect(line(-25)).toBe("3818");
    expect(line(-257)).toBe("390100");
    expect(line(-0)).toBe("00");
  });

  it("Function, Type (None/Struct/Pointer specific_info), Call, Return, Event", () => {
    expect(hex(encodeEventBytes({ Function: { path_id: 0, line: 1, name: "add" } }))).toBe(
      "a1" + t("Function") + "a3" + t("path_id") + "00" + t("line") + "01" + t("name") + t("add"),
    );
    expect(hex(encodeEventBytes({ Type: { kind: 30, lang_type: "None", specific_info: { kind: "None" } } }))).toBe(
      "a1" + t("Type") + "a3" + t("kind") + "181e" + t("lang_type") + t("None") + t("specific_info") + "a1" + t("kind") + t("None"),
    );
    expect(hex(encodeEventBytes({ Type: { kind: 6, lang_type: "P", specific_info: { kind: "Struct", fields: [{ name: "x", type_id: 1 }] } } }))).toBe(
      "a1" +
        t("Type") +
        "a3" +
        t("kind") +
        "06" +
        t("lang_type") +
        t("P") +
        t("specific_info") +
        "a2" +
        t("kind") +
        t("Struct") +
        t("fields") +
        "81" +
        "a2" +
        t("name") +
        t("x") +
        t("type_id") +
        "01",
    );
    expect(hex(encodeEventBytes({ Type: { kind: 23, lang_type: "*", specific_info: { kind: "Pointer", dereference_type_id: 2 } } }))).toBe(
      "a1" +
        t("Type") +
        "a3" +
        t("kind") +
        "17" +
        t("lang_type") +
        t("*") +
        t("specific_info") +
        "a2" +
        t("kind") +
        t("Pointer") +
        "73" +
        Buffer.from("dereference_type_id").toString("hex") +
        "02",
    );
    expect(hex(encodeEventBytes({ Call: { function_id: 1, args: [] } }))).toBe("a1" + t("Call") + "a2" + t("function_id") + "01" + t("args") + "80");
    expect(hex(encodeEventBytes({ Return: { return_value: { kind: "None", type_id: 0 } } }))).toBe(
      "a1" + t("Return") + "a1" + t("return_value") + "a2" + t("kind") + t("None") + t("type_id") + "00",
    );
    expect(hex(encodeEventBytes({ Event: { kind: 0, metadata: "", content: "3\n" } }))).toBe(
      "a1" + t("Event") + "a3" + t("kind") + "00" + t("metadata") + "60" + t("content") + "62330a",
    );
  });

  /** The encoding of a Value event holding `value`, minus the common prefix. */
  const valueHex = (value: ValueRecord): string => {
    const prefix = "a1" + t("Value") + "a2" + t("variable_id") + "00" + t("value");
    const h = hex(encodeEventBytes({ Value: { variable_id: 0, value } }));
    expect(h.startsWith(prefix)).toBe(true);
    return h.slice(prefix.length);
  };
  const kindHex = (k: string) => t("kind") + t(k);
  const tid = (n: number) => t("type_id") + n.toString(16).padStart(2, "0");

  it("every ValueRecord variant", () => {
    expect(valueHex({ kind: "Int", i: -5, type_id: 1 })).toBe("a3" + kindHex("Int") + t("i") + "24" + tid(1));
    expect(valueHex({ kind: "Bool", b: true, type_id: 3 })).toBe("a3" + kindHex("Bool") + t("b") + "f5" + tid(3));
    expect(valueHex({ kind: "Bool", b: false, type_id: 3 })).toBe("a3" + kindHex("Bool") + t("b") + "f4" + tid(3));
    expect(valueHex({ kind: "String", text: "hi", type_id: 4 })).toBe("a3" + kindHex("String") + t("text") + t("hi") + tid(4));
    expect(valueHex({ kind: "Sequence", elements: [{ kind: "Int", i: 1, type_id: 1 }], is_slice: false, type_id: 5 })).toBe(
      "a4" + kindHex("Sequence") + t("elements") + "81" + "a3" + kindHex("Int") + t("i") + "01" + tid(1) + t("is_slice") + "f4" + tid(5),
    );
    expect(valueHex({ kind: "Tuple", elements: [], type_id: 6 })).toBe("a3" + kindHex("Tuple") + t("elements") + "80" + tid(6));
    expect(valueHex({ kind: "Struct", field_values: [], type_id: 7 })).toBe("a3" + kindHex("Struct") + t("field_values") + "80" + tid(7));
    expect(valueHex({ kind: "Variant", discriminator: "Some", contents: { kind: "None", type_id: 0 }, type_id: 8 })).toBe(
      "a4" + kindHex("Variant") + t("discriminator") + t("Some") + t("contents") + "a2" + kindHex("None") + tid(0) + tid(8),
    );
    expect(valueHex({ kind: "Reference", dereferenced: { kind: "None", type_id: 0 }, address: 140737, mutable: false, type_id: 9 })).toBe(
      "a5" + kindHex("Reference") + t("dereferenced") + "a2" + kindHex("None") + tid(0) + t("address") + "1a000225c1" + t("mutable") + "f4" + tid(9),
    );
    expect(valueHex({ kind: "Raw", r: "Map(2) {}", type_id: 10 })).toBe("a3" + kindHex("Raw") + t("r") + t("Map(2) {}") + tid(10));
    expect(valueHex({ kind: "Error", msg: "<cycle>", type_id: 11 })).toBe("a3" + kindHex("Error") + t("msg") + t("<cycle>") + tid(11));
    expect(valueHex({ kind: "None", type_id: 0 })).toBe("a2" + kindHex("None") + tid(0));
    expect(valueHex({ kind: "Cell", place: 3 })).toBe("a2" + kindHex("Cell") + t("place") + "03");
    expect(valueHex({ kind: "BigInt", b: "AQ==", negative: true, type_id: 1 })).toBe(
      "a4" + kindHex("BigInt") + t("b") + t("AQ==") + t("negative") + "f5" + tid(1),
    );
  });

  it("Float.f is a text string (numbers converted), never a CBOR float; no f16 anywhere", () => {
    expect(valueHex({ kind: "Float", f: "2.5", type_id: 2 })).toBe("a3" + kindHex("Float") + t("f") + t("2.5") + tid(2));
    expect(valueHex({ kind: "Float", f: 2.5, type_id: 2 })).toBe("a3" + kindHex("Float") + t("f") + t("2.5") + tid(2));
    expect(valueHex({ kind: "Float", f: Number.NaN, type_id: 2 })).toBe("a3" + kindHex("Float") + t("f") + t("NaN") + tid(2));
    expect(valueHex({ kind: "Float", f: -Infinity, type_id: 2 })).toBe("a3" + kindHex("Float") + t("f") + t("-inf") + tid(2));
    expect(valueHex({ kind: "Float", f: -0, type_id: 2 })).toBe("a3" + kindHex("Float") + t("f") + t("-0") + tid(2));
    // A non-integral number elsewhere (invalid, but encodable) is an f64 0xFB, never 0xF9/0xFA.
    const h = hex(encodeEventBytes({ Step: { path_id: 0, line: 1.5 } }));
    expect(h.endsWith(t("line") + "fb3ff8000000000000")).toBe(true);
  });

  it("strings are UTF-8 and well-formed; lengths over 23 bytes use a longer head", () => {
    expect(valueHex({ kind: "String", text: "é", type_id: 4 })).toBe("a3" + kindHex("String") + t("text") + "62c3a9" + tid(4));
    expect(valueHex({ kind: "String", text: "a\ud800b", type_id: 4 })).toBe("a3" + kindHex("String") + t("text") + "6561efbfbd62" + tid(4));
    const long = "x".repeat(300);
    expect(valueHex({ kind: "String", text: long, type_id: 4 })).toBe("a3" + kindHex("String") + t("text") + "79012c" + "78".repeat(300) + tid(4));
  });

  it("rejects what CBOR cannot carry, leaving the writer unchanged", () => {
    const sink = new MemoryByteSink();
    const writer = new TraceBinWriter(sink);
    writer.write({ Path: "/a.js" });
    const bad = { Value: { variable_id: 0, value: { kind: "Int", i: 2n ** 64n, type_id: 0 } } } as unknown as TraceLowLevelEvent;
    expect(() => writer.write(bad)).toThrow(expect.objectContaining({ code: "ERR_TRACE_INVALID" }));
    expect(() => writer.write({ A: 1, B: 2 } as unknown as TraceLowLevelEvent)).toThrow(TraceFormatError);
    writer.finish();
    expect(parseTraceBin(sink.bytes())).toEqual([{ Path: "/a.js" }]);
    expect(() => writer.write({ Path: "/b.js" })).toThrow(expect.objectContaining({ code: "ERR_IO" }));
  });

  it("the decoder reads what the encoder writes, and generic CBOR forms", () => {
    for (const e of specExample()) expect(decodeEvents(encodeEventBytes(e))).toEqual([e]);
    // f16/f32, indefinite map and array, tags are read too
    expect(decodeCborItem(Uint8Array.from([0xf9, 0x3c, 0x00])).value).toBe(1);
    expect(decodeCborItem(Uint8Array.from([0xfa, 0x40, 0x20, 0x00, 0x00])).value).toBe(2.5);
    expect(decodeCborItem(Uint8Array.from([0xbf, 0x61, 0x61, 0x9f, 0x01, 0xff, 0xff])).value).toEqual({ a: [1] });
    expect(decodeCborItem(Uint8Array.from([0xc1, 0x05])).value).toBe(5);
    expect(() => decodeEvents(Uint8Array.from([0x82, 0x01, 0x02]))).toThrow(/not a one-entry map/);
    expect(() => decodeEvents(Uint8Array.from([0xa1, 0x61]))).toThrow(/ends inside an item/);
    expect(() => decodeEvents(Uint8Array.from([0x62, 0xff, 0xfe]))).toThrow(/not valid UTF-8/);
  });
});

describe("seek table and file layout (docs/trace-format.md, trace.bin)", () => {
  it("an empty trace is the header, one empty zstd frame and a one-entry seek table (as runtime_tracing writes it)", () => {
    const { bytes, writer } = writeBin([]);
    expect(writer.frameCount).toBe(0);
    expect(hex(bytes)).toBe("c0de72ace2010000" + "28b52ffd2000010000" + "5e2a4d18" + "11000000" + "09000000" + "00000000" + "01000000" + "00" + "b1ea928f");
    expect(parseTraceBin(bytes)).toEqual([]);
  });

  it("one frame: exact sizes, magics, N, descriptor", () => {
    const events = specExample();
    const { bytes, writer } = writeBin(events);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(TRACE_BIN_HEADER_V1);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length;
    expect(v.getUint32(end - 4, true)).toBe(0x8f92eab1);
    expect(bytes[end - 5]).toBe(0);
    expect(v.getUint32(end - 9, true)).toBe(1);
    const tableStart = end - (8 + 8 + 9);
    expect(v.getUint32(tableStart, true)).toBe(0x184d2a5e);
    expect(v.getUint32(tableStart + 4, true)).toBe(8 + 9);
    const compressed = v.getUint32(tableStart + 8, true);
    const decompressed = v.getUint32(tableStart + 12, true);
    expect(8 + compressed).toBe(tableStart);
    const cborLength = events.reduce((n, e) => n + encodeEventBytes(e).length, 0);
    expect(decompressed).toBe(cborLength);
    expect(writer.cborBytes).toBe(cborLength);
    expect(v.getUint32(8, true)).toBe(0xfd2fb528); // a zstd frame starts at byte 8
    expect(parseSeekTable(bytes.subarray(8)).entries).toEqual([{ compressedSize: compressed, decompressedSize: decompressed }]);
  });

  it("N frames with a small frame threshold; frames end at event boundaries", () => {
    const events = parseTraceJson(fixtureText("ruby-flow-test/trace.json"));
    const { bytes, writer } = writeBin(events, 1024);
    expect(writer.frameCount).toBeGreaterThan(5);
    const body = bytes.subarray(8);
    const { entries, tableOffset } = parseSeekTable(body);
    expect(entries).toHaveLength(writer.frameCount);
    expect(body.length - tableOffset).toBe(8 + entries.length * 8 + 9);
    const scan = scanZstdFrames(body);
    expect(scan.stop).toBe("skippable");
    expect(scan.frames.map((f) => f.compressedSize)).toEqual(entries.map((e) => e.compressedSize));
    expect(scan.frames.map((f) => f.contentSize)).toEqual(entries.map((e) => e.decompressedSize));
    // every frame but the last holds at least the threshold
    for (const e of entries.slice(0, -1)) expect(e.decompressedSize).toBeGreaterThanOrEqual(1024);
    // each frame decodes on its own as whole events
    const zstd = zstdCodec();
    let p = 0;
    let count = 0;
    for (const e of entries) {
      count += decodeEvents(zstd.decompress(body.subarray(p, p + e.compressedSize), e.decompressedSize)).length;
      p += e.compressedSize;
    }
    expect(count).toBe(events.length);
    expect(parseTraceBin(bytes)).toEqual(events);
  });

  it("flush() ends a frame; later events go to the next", () => {
    const sink = new MemoryByteSink();
    const writer = new TraceBinWriter(sink);
    writer.flush(); // nothing buffered: no frame
    writer.write({ Path: "/a.js" });
    writer.flush();
    writer.write({ Path: "/b.js" });
    writer.finish();
    expect(writer.frameCount).toBe(2);
    expect(parseTraceBin(sink.bytes())).toEqual([{ Path: "/a.js" }, { Path: "/b.js" }]);
  });

  it("rejects bad headers, BinaryV0, a missing or inconsistent seek table", () => {
    const { bytes } = writeBin(specExample());
    const v0 = bytes.slice();
    v0.set(TRACE_BIN_HEADER_V0);
    expect(() => parseTraceBin(v0)).toThrow(expect.objectContaining({ code: "ERR_TRACE_INVALID", context: expect.objectContaining({ reason: "binary-v0" }) }));
    expect(() => parseTraceBin(Uint8Array.from([1, 2, 3]))).toThrow(/invalid header/);
    expect(() => parseTraceBin(bytes.subarray(0, bytes.length - 17))).toThrow(
      expect.objectContaining({ context: expect.objectContaining({ reason: "no-seek-table" }) }),
    );
    const badSize = bytes.slice();
    const dv = new DataView(badSize.buffer);
    dv.setUint32(badSize.length - 25 + 8, dv.getUint32(badSize.length - 25 + 8, true) + 1, true); // compressed size + 1
    expect(() => parseTraceBin(badSize)).toThrow(/add up to/);
    const badDecompressed = bytes.slice();
    const dv2 = new DataView(badDecompressed.buffer);
    dv2.setUint32(badDecompressed.length - 25 + 12, dv2.getUint32(badDecompressed.length - 25 + 12, true) - 1, true);
    expect(() => parseTraceBin(badDecompressed)).toThrow(/frame 0/);
  });

  it("the seek table builder matches the spec layout for N entries", () => {
    const table = buildSeekTable([
      { compressedSize: 1, decompressedSize: 2 },
      { compressedSize: 0x01020304, decompressedSize: 5 },
    ]);
    expect(hex(table)).toBe("5e2a4d18" + "19000000" + "0100000002000000" + "0403020105000000" + "02000000" + "00" + "b1ea928f");
  });
});

describe("round trips events → trace.bin → events", () => {
  const fixtures = ["ruby-flow-test/trace.json", "rust-wasm-struct/trace.json", "runtime-tracing-floats/trace.json", "ruby-addition/addition_trace.json"];
  for (const rel of fixtures) {
    it(rel, () => {
      const events = parseTraceJson(fixtureText(rel));
      expect(parseTraceBin(writeBin(events).bytes)).toEqual(viaJson(events));
      expect(parseTraceBin(writeBin(events, 200).bytes)).toEqual(viaJson(events));
    });
  }

  it("the reference example, with DropLastStep, thread events and numeric floats", () => {
    const events: TraceLowLevelEvent[] = [
      ...specExample(),
      { Value: { variable_id: 0, value: { kind: "Float", f: 1e21, type_id: 2 } } },
      { ThreadStart: 1 },
      "DropLastStep",
    ];
    const back = parseTraceBin(writeBin(events).bytes);
    expect(back).toEqual(
      viaJson(events).map((e, i) => (i === events.length - 3 ? { Value: { variable_id: 0, value: { kind: "Float", f: "1e+21", type_id: 2 } } } : e)),
    );
  });

  it("the wasm codec and the default codec read each other's files", () => {
    const events = parseTraceJson(fixtureText("ruby-flow-test/trace.json"));
    const sink = new MemoryByteSink();
    const w = new TraceBinWriter(sink, { zstd: zstdCodec({ prefer: "wasm" }), frameBytes: 4096 });
    for (const e of events) w.write(e);
    w.finish();
    expect(parseTraceBin(sink.bytes(), { zstd: zstdCodec() })).toEqual(events);
    expect(parseTraceBin(writeBin(events, 4096).bytes, { zstd: zstdCodec({ prefer: "wasm" }) })).toEqual(events);
  });

  const hasZstdCli = spawnSync("sh", ["-c", "command -v zstd"]).status === 0;
  it.skipIf(!hasZstdCli)("`tail -c +9 trace.bin | zstd -d` gives the concatenated CBOR events", () => {
    const events = parseTraceJson(fixtureText("ruby-flow-test/trace.json"));
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    fs.writeFileSync(file, writeBin(events, 2048).bytes);
    const cbor = execFileSync("sh", ["-c", `tail -c +9 '${file}' | zstd -d -c`]);
    expect(decodeEvents(cbor)).toEqual(events);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("repair of a killed recording's trace.bin", () => {
  const events = parseTraceJson(fixtureText("ruby-flow-test/trace.json"));

  /** What the file holds after `flushes` flushes and no finish(): header + whole frames. */
  function unfinished(frameBytes: number): { bytes: Uint8Array; frames: number; written: number } {
    const sink = new MemoryByteSink();
    const w = new TraceBinWriter(sink, { frameBytes });
    for (const e of events) w.write(e);
    const written = w.eventCount - 0;
    w.flush();
    return { bytes: sink.bytes(), frames: w.frameCount, written };
  }

  it("rebuilds the seek table from the whole frames", () => {
    const { bytes, frames } = unfinished(2048);
    expect(() => parseTraceBin(bytes)).toThrow(/did not finish/);
    const r = repairTraceBinBytes(bytes);
    expect(r.alreadyFinished).toBe(false);
    expect(r.frames).toBe(frames);
    expect(r.droppedBytes).toBe(0);
    expect(parseTraceBin(r.bytes)).toEqual(events);
    expect(r.events).toEqual(events);
  });

  it("drops a torn last frame", () => {
    const { bytes } = unfinished(2048);
    const scan = scanZstdFrames(bytes.subarray(8));
    const last = scan.frames[scan.frames.length - 1]!;
    const torn = bytes.subarray(0, 8 + last.offset + Math.floor(last.compressedSize / 2));
    const r = repairTraceBinBytes(torn);
    expect(r.frames).toBe(scan.frames.length - 1);
    expect(r.droppedBytes).toBe(Math.floor(last.compressedSize / 2));
    const back = parseTraceBin(r.bytes);
    expect(back.length).toBeGreaterThan(0);
    expect(back).toEqual(events.slice(0, back.length));
  });

  it("leaves a finished file alone; repairs a file on disk in place", () => {
    const { bytes } = writeBin(events, 4096);
    expect(repairTraceBinBytes(bytes).alreadyFinished).toBe(true);
    const dir = tempDir();
    const file = path.join(dir, "trace.bin");
    fs.writeFileSync(file, unfinished(4096).bytes);
    const r = repairTraceBin(file);
    expect(r.alreadyFinished).toBe(false);
    expect(parseTraceBin(fs.readFileSync(file))).toEqual(events);
    expect(repairTraceBin(file).alreadyFinished).toBe(true);
    // a file cut inside its header holds nothing: it becomes an empty trace
    fs.writeFileSync(file, Uint8Array.from(TRACE_BIN_HEADER_V1.slice(0, 3)));
    expect(repairTraceBin(file).events).toBe(0);
    expect(parseTraceBin(fs.readFileSync(file))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("trace folders with trace.bin", () => {
  function binFolder(events: TraceLowLevelEvent[]): string {
    const dir = tempDir();
    const w = new TraceBinWriter(openBinaryFileSink(path.join(dir, "trace.bin")));
    for (const e of events) w.write(e);
    w.finish();
    writeTracePaths(dir, SPEC_EXAMPLE_PATHS);
    writeTraceMetadata(dir, SPEC_EXAMPLE_METADATA);
    return dir;
  }

  it("readTraceFolder and validateTraceFolder read trace.bin", () => {
    const dir = binFolder(specExample());
    const folder = readTraceFolder(dir);
    expect(folder.format).toBe("bin");
    expect(folder.events).toEqual(specExample());
    expect(folder.eventsFile).toBe(path.join(dir, "trace.bin"));
    const report = validateTraceFolder(dir, { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.stats.events).toBe(specExample().length);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("validateTraceFolder: invalid-trace-bin for an unfinished file, unsupported-trace-bin for BinaryV0", () => {
    const dir = binFolder(specExample());
    const file = path.join(dir, "trace.bin");
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 25));
    expect(validateTraceFolder(dir).errors.map((i) => i.code)).toContain("invalid-trace-bin");
    const v0 = Buffer.from(bytes);
    v0.set(TRACE_BIN_HEADER_V0);
    fs.writeFileSync(file, v0);
    expect(validateTraceFolder(dir).errors.map((i) => i.code)).toContain("unsupported-trace-bin");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a CBOR float in an integer field is rejected by the validator as serde would", () => {
    const dir = binFolder([]);
    const cbor = Buffer.concat([
      Buffer.from(encodeEventBytes({ Path: "/home/u/p/main.js" })),
      Buffer.from("a1" + t("Step") + "a2" + t("path_id") + "00" + t("line") + "fb3ff0000000000000", "hex"), // line: 1.0
    ]);
    const frame = zstdCodec().compress(cbor);
    const file = Buffer.concat([Buffer.from(TRACE_BIN_HEADER_V1), frame, buildSeekTable([{ compressedSize: frame.length, decompressedSize: cbor.length }])]);
    fs.writeFileSync(path.join(dir, "trace.bin"), file);
    expect(validateTraceFolder(dir).errors.map((i) => i.code)).toContain("non-integer");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
