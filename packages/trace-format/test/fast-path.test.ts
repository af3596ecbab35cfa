// The writers' typed methods (writeStep, writeValue, writeCall, writeReturn: the recorder's hot
// path) must write exactly what `write` writes for the same event, in both formats.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryByteSink, TraceBinWriter } from "../src/bin-writer.js";
import { parseTraceBin } from "../src/bin-read.js";
import { CborOutput, decodeEvents, encodeCall, encodeEventBytes, encodeReturn, encodeStep, encodeValueEvent } from "../src/cbor.js";
import { TraceFormatError } from "../src/errors.js";
import { TraceJsonWriter } from "../src/json-writer.js";
import { MemorySink } from "../src/memory-sink.js";
import { parseTraceJson } from "../src/reader.js";
import type { TraceEventWriter, TraceLowLevelEvent, ValueRecord } from "../src/types.js";
import { FIXTURES } from "./helpers.js";

const records: ValueRecord[] = [
  { kind: "Int", i: 0, type_id: 0 },
  { kind: "Int", i: 23, type_id: 1 },
  { kind: "Int", i: 24, type_id: 255 },
  { kind: "Int", i: 65535, type_id: 256 },
  { kind: "Int", i: 65536, type_id: 70000 },
  { kind: "Int", i: 2 ** 32, type_id: 2 ** 32 },
  { kind: "Int", i: -1, type_id: 3 },
  { kind: "Int", i: -(2 ** 40), type_id: 3 },
  { kind: "Int", i: Number.MAX_SAFE_INTEGER, type_id: 3 },
  { kind: "Int", i: -0, type_id: 3 },
  { kind: "Int", i: 1.5, type_id: 3 }, // not an integer: the generic walk (an f64)
  { kind: "Bool", b: true, type_id: 4 },
  { kind: "Bool", b: false, type_id: 4 },
  { kind: "String", text: "", type_id: 5 },
  { kind: "String", text: "hello", type_id: 5 },
  { kind: "String", text: "x".repeat(300), type_id: 5 },
  { kind: "String", text: 'quote " backslash \\ newline \n tab \t nul \u0000', type_id: 5 },
  { kind: "String", text: "é ü 漢字 😀", type_id: 5 },
  { kind: "String", text: "lone \ud800 high and \udc00 low", type_id: 5 },
  { kind: "Raw", r: "<Proxy>", type_id: 6 },
  { kind: "Error", msg: "<redacted>", type_id: 7 },
  { kind: "None", type_id: 8 },
  { kind: "Float", f: "2.5", type_id: 9 },
  { kind: "Float", f: "NaN", type_id: 9 },
  { kind: "Float", f: 2.5, type_id: 9 },
  { kind: "Float", f: -0, type_id: 9 },
  { kind: "Float", f: Number.POSITIVE_INFINITY, type_id: 9 },
  { kind: "BigInt", b: "123456789012345678901234567890", negative: true, type_id: 10 },
  { kind: "Sequence", elements: [], is_slice: false, type_id: 11 },
  {
    kind: "Sequence",
    elements: [
      { kind: "Int", i: 1, type_id: 1 },
      { kind: "String", text: "a", type_id: 5 },
    ],
    is_slice: true,
    type_id: 11,
  },
  {
    kind: "Struct",
    field_values: [
      { kind: "Float", f: "1", type_id: 9 },
      { kind: "Struct", field_values: [{ kind: "None", type_id: 8 }], type_id: 13 },
      { kind: "Sequence", elements: [{ kind: "Bool", b: true, type_id: 4 }], is_slice: false, type_id: 11 },
    ],
    type_id: 12,
  },
  { kind: "Tuple", elements: [{ kind: "Int", i: 1, type_id: 1 }], type_id: 14 },
  { kind: "Variant", discriminator: "Some", contents: { kind: "Int", i: 1, type_id: 1 }, type_id: 15 },
  { kind: "Cell", place: 3 },
  // Shapes the fast path does not take (no or bad type_id): same bytes through the generic walk.
  { kind: "Int", i: 1 } as unknown as ValueRecord,
  { kind: "String", text: "t", type_id: -1 } as unknown as ValueRecord,
  { kind: "Int", i: 1, type_id: 1.5 } as unknown as ValueRecord,
];

/** Every hot event over the records above, plus ids of every CBOR head width. */
function hotEvents(): TraceLowLevelEvent[] {
  const events: TraceLowLevelEvent[] = [];
  for (const id of [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 + 1]) {
    events.push({ Step: { path_id: id, line: id + 1 } });
    events.push({ Call: { function_id: id, args: [] } });
  }
  records.forEach((value, i) => {
    events.push({ Value: { variable_id: i * 997, value } });
    events.push({ Return: { return_value: value } });
  });
  events.push({ Call: { function_id: 3, args: records.map((value, i) => ({ variable_id: i, value })) } });
  return events;
}

/** The fixtures' own Step/Value/Call/Return events (real traces of other recorders). */
function fixtureEvents(): TraceLowLevelEvent[] {
  const out: TraceLowLevelEvent[] = [];
  for (const dir of fs.readdirSync(FIXTURES)) {
    const file = path.join(FIXTURES, dir, "trace.json");
    if (!fs.existsSync(file)) continue;
    for (const e of parseTraceJson(fs.readFileSync(file, "utf8"))) {
      if (typeof e === "object" && ("Step" in e || "Value" in e || "Call" in e || "Return" in e)) out.push(e);
    }
  }
  return out;
}

/** Writes `event` through the typed method its variant has. */
function writeTyped(w: TraceEventWriter, e: TraceLowLevelEvent): void {
  if (typeof e !== "object") throw new Error("not a hot event");
  if ("Step" in e) w.writeStep(e.Step.path_id, e.Step.line);
  else if ("Value" in e) w.writeValue(e.Value.variable_id, e.Value.value);
  else if ("Call" in e) w.writeCall(e.Call.function_id, e.Call.args);
  else if ("Return" in e) w.writeReturn(e.Return.return_value);
  else throw new Error("not a hot event");
}

function encodeTyped(e: TraceLowLevelEvent): Uint8Array {
  const out = new CborOutput(16);
  if (typeof e !== "object") throw new Error("not a hot event");
  if ("Step" in e) encodeStep(out, e.Step.path_id, e.Step.line);
  else if ("Value" in e) encodeValueEvent(out, e.Value.variable_id, e.Value.value);
  else if ("Call" in e) encodeCall(out, e.Call.function_id, e.Call.args);
  else if ("Return" in e) encodeReturn(out, e.Return.return_value);
  return out.toBytes();
}

/** Writes the events through `write` and through the typed methods, in both formats. */
function bothWays(events: TraceLowLevelEvent[], floatEncoding: "string" | "number" = "string") {
  const bin = [new MemoryByteSink(), new MemoryByteSink()];
  const json = [new MemorySink(), new MemorySink()];
  const [binA, binB] = bin.map((sink) => new TraceBinWriter(sink, { frameBytes: 512 })); // several frames
  const [jsonA, jsonB] = json.map((sink) => new TraceJsonWriter(sink, { floatEncoding, chunkEvents: 7 }));
  for (const e of events) {
    binA!.write(e);
    jsonA!.write(e);
    writeTyped(binB!, e);
    writeTyped(jsonB!, e);
  }
  for (const w of [binA!, binB!, jsonA!, jsonB!]) w.finish();
  expect(binB!.eventCount).toBe(binA!.eventCount);
  expect(jsonB!.eventCount).toBe(jsonA!.eventCount);
  return { bin: bin.map((s) => Buffer.from(s.bytes())), json: json.map((s) => s.text()) };
}

describe("typed event writing = write(event)", () => {
  // Records built in the ValueRecord type's field order (as the recorder builds them), with
  // ids of every CBOR head width and records the fast path hands to the generic walk.
  const canonical = hotEvents();
  // Real traces of other recorders: some write `type_id` before `i`.
  const fixtures = fixtureEvents();

  it("covers the fixtures' events", () => {
    expect(fixtures.length).toBeGreaterThan(50);
  });

  it("CBOR: encodeStep/encodeValueEvent/encodeCall/encodeReturn give encodeEvent's bytes", () => {
    for (const e of canonical) expect(Buffer.from(encodeTyped(e)).toString("hex"), JSON.stringify(e)).toBe(Buffer.from(encodeEventBytes(e)).toString("hex"));
    for (const e of fixtures) expect(decodeEvents(encodeTyped(e))).toEqual(decodeEvents(encodeEventBytes(e)));
  });

  for (const floatEncoding of ["string", "number"] as const) {
    it(`trace.bin and trace.json (floats as ${floatEncoding}): the typed methods write the same files as write()`, () => {
      const same = bothWays(canonical, floatEncoding);
      expect(same.bin[1]!.equals(same.bin[0]!)).toBe(true);
      expect(same.json[1]).toBe(same.json[0]);
      const real = bothWays(fixtures, floatEncoding);
      expect(parseTraceBin(real.bin[1]!)).toEqual(parseTraceBin(real.bin[0]!));
      expect(parseTraceJson(real.json[1]!)).toEqual(parseTraceJson(real.json[0]!));
    });
  }

  it("ids that are not indexes are written as write() writes them", () => {
    const odd: TraceLowLevelEvent[] = [
      { Step: { path_id: -1, line: 1 } },
      { Step: { path_id: 0, line: 1.5 } },
      { Value: { variable_id: Number.NaN, value: { kind: "None", type_id: 0 } } },
      { Call: { function_id: 0, args: [{ variable_id: -2, value: { kind: "None", type_id: 0 } }] } },
    ];
    const out = bothWays(odd);
    expect(out.bin[1]!.equals(out.bin[0]!)).toBe(true);
    expect(out.json[1]).toBe(out.json[0]);
  });

  it("a value that cannot be encoded is ERR_TRACE_INVALID and leaves nothing behind, in both writers", () => {
    const bad: Array<(w: TraceEventWriter) => void> = [
      // integers outside their field's Rust range (an in-range bigint is written exactly)
      (w) => w.writeValue(0, { kind: "Int", i: 2n ** 63n, type_id: 0 } as unknown as ValueRecord),
      (w) => w.writeReturn({ kind: "Struct", field_values: [{ kind: "Raw", r: 2n ** 64n, type_id: 0 }], type_id: 1 } as unknown as ValueRecord),
      (w) => w.writeCall(0, [{ variable_id: 0, value: { kind: "BigInt", b: -1n, negative: false, type_id: 0 } as unknown as ValueRecord }]),
    ];
    for (const f of bad) {
      const bin = new MemoryByteSink();
      const json = new MemorySink();
      const writers: TraceEventWriter[] = [new TraceBinWriter(bin), new TraceJsonWriter(json)];
      for (const w of writers) {
        w.writeStep(0, 1);
        let thrown: unknown;
        try {
          f(w);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TraceFormatError);
        expect((thrown as TraceFormatError).code).toBe("ERR_TRACE_INVALID");
        w.writeStep(0, 2);
        (w as TraceBinWriter | TraceJsonWriter).finish();
      }
      const expected = [{ Step: { path_id: 0, line: 1 } }, { Step: { path_id: 0, line: 2 } }];
      expect(parseTraceBin(bin.bytes())).toEqual(expected);
      expect(parseTraceJson(json.text())).toEqual(expected);
    }
  });
});
