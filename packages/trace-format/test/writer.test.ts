import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TraceFormatError } from "../src/errors.js";
import { TraceJsonWriter } from "../src/json-writer.js";
import type { EventSink } from "../src/json-writer.js";
import { MemorySink } from "../src/memory-sink.js";
import { openFileSink } from "../src/node/file-sink.js";
import { parseTraceJson } from "../src/reader.js";
import type { TraceLowLevelEvent, ValueRecord } from "../src/types.js";
import { validateEvents } from "../src/validate.js";
import { specExample, tempDir } from "./helpers.js";

function writeAll(events: TraceLowLevelEvent[], options?: ConstructorParameters<typeof TraceJsonWriter>[1]): string {
  const sink = new MemorySink();
  const writer = new TraceJsonWriter(sink, options);
  for (const e of events) writer.write(e);
  writer.finish();
  return sink.text();
}

function floatEvent(f: string | number): TraceLowLevelEvent {
  return { Return: { return_value: { kind: "Float", f, type_id: 2 } } };
}

function writtenValue(text: string): unknown {
  const events = JSON.parse(text) as { Return: { return_value: unknown } }[];
  return events[0]?.Return.return_value;
}

describe("TraceJsonWriter layout", () => {
  it("writes a JSON array with one event per line", () => {
    const text = writeAll([{ Path: "/a.js" }, { Step: { path_id: 0, line: 1 } }, "DropLastStep"]);
    expect(text).toBe('[\n{"Path":"/a.js"},\n{"Step":{"path_id":0,"line":1}},\n"DropLastStep"\n]\n');
  });

  it("writes an empty trace as a valid empty array", () => {
    const text = writeAll([]);
    expect(text).toBe("[\n]\n");
    expect(JSON.parse(text)).toEqual([]);
  });

  it("writes the opening bracket on construction and nothing else before a chunk is due", () => {
    const sink = new MemorySink();
    const writer = new TraceJsonWriter(sink, { chunkEvents: 3 });
    expect(sink.chunks).toEqual(["["]);
    writer.write({ Path: "/a.js" });
    writer.write({ Path: "/b.js" });
    expect(sink.chunks).toEqual(["["]);
    expect(writer.eventCount).toBe(2);
    writer.write({ Path: "/c.js" });
    expect(sink.chunks).toHaveLength(2);
    writer.write({ Path: "/d.js" });
    writer.flush();
    expect(sink.chunks).toHaveLength(3);
    writer.flush();
    expect(sink.chunks).toHaveLength(3);
    writer.finish();
    expect(sink.closed).toBe(true);
    expect(parseTraceJson(sink.text())).toEqual([{ Path: "/a.js" }, { Path: "/b.js" }, { Path: "/c.js" }, { Path: "/d.js" }]);
  });

  it("finish is idempotent and write after finish throws ERR_IO", () => {
    const sink = new MemorySink();
    const writer = new TraceJsonWriter(sink);
    writer.write({ Path: "/a.js" });
    writer.finish();
    const text = sink.text();
    writer.finish();
    expect(sink.text()).toBe(text);
    expect(writer.isFinished).toBe(true);
    expect(() => writer.write({ Path: "/b.js" })).toThrow(expect.objectContaining({ code: "ERR_IO" }) as unknown as Error);
  });

  it("rejects bad options and unserialisable events with ERR_TRACE_INVALID", () => {
    expect(() => new TraceJsonWriter(new MemorySink(), { chunkEvents: 0 })).toThrow(TraceFormatError);
    const writer = new TraceJsonWriter(new MemorySink());
    const bad = {
      Return: { return_value: { kind: "Int", i: 2n ** 63n, type_id: 0 } },
    } as unknown as TraceLowLevelEvent;
    try {
      writer.write(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as TraceFormatError).code).toBe("ERR_TRACE_INVALID");
      expect((error as TraceFormatError).context.eventIndex).toBe("0");
    }
    expect(writer.eventCount).toBe(0);
  });

  it("never writes -0 in integer fields", () => {
    const text = writeAll([{ Step: { path_id: -0, line: -0 } }, { Return: { return_value: { kind: "Int", i: -0, type_id: -0 } } }]);
    expect(text).not.toMatch(/-0/);
    expect(text).toContain('"i":0');
  });
});

describe("TraceJsonWriter streaming", () => {
  it("emits chunks while writing 200k events, before finish", () => {
    const chunkSizes: number[] = [];
    let closedAt = -1;
    const sink: EventSink = {
      write(chunk) {
        chunkSizes.push(chunk.length);
      },
      close() {
        closedAt = chunkSizes.length;
      },
    };
    const writer = new TraceJsonWriter(sink);
    const total = 200_000;
    let chunksBeforeFinish = 0;
    for (let i = 0; i < total; i++) {
      writer.write({ Step: { path_id: 0, line: (i % 100) + 1 } });
      if (i === total / 2) expect(chunkSizes.length).toBeGreaterThan(50);
    }
    chunksBeforeFinish = chunkSizes.length;
    writer.finish();
    // "[" + ⌊200000/1024⌋ full chunks were written before finish
    expect(chunksBeforeFinish).toBe(1 + Math.floor(total / 1024));
    expect(closedAt).toBe(chunkSizes.length);
    // no chunk holds more than chunkEvents events' worth of text
    const maxLine = '{"Step":{"path_id":0,"line":100}},\n'.length;
    expect(Math.max(...chunkSizes)).toBeLessThanOrEqual(1024 * maxLine);
    expect(writer.eventCount).toBe(total);
  });

  it("streams into a real file through openFileSink, readable after finish", () => {
    const dir = tempDir();
    const file = path.join(dir, "sub", "trace.json");
    const writer = new TraceJsonWriter(openFileSink(file), { chunkEvents: 7 });
    const events = specExample();
    for (const e of events) writer.write(e);
    expect(fs.statSync(file).size).toBeGreaterThan(0); // chunks already on disk
    writer.finish();
    const back = parseTraceJson(fs.readFileSync(file, "utf8"));
    expect(back).toEqual(events);
    expect(validateEvents(back, { paths: ["/home/u/p/main.js"] }).ok).toBe(true);
  });

  it("openFileSink wraps fs errors in ERR_IO", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "blocker"), "x");
    try {
      openFileSink(path.join(dir, "blocker", "trace.json"));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as TraceFormatError).code).toBe("ERR_IO");
      expect((error as TraceFormatError).context.path).toContain("blocker");
    }
    const sink = openFileSink(path.join(dir, "t.json"));
    sink.close();
    sink.close(); // idempotent
    expect(() => sink.write("x")).toThrow(expect.objectContaining({ code: "ERR_IO" }) as unknown as Error);
  });

  it("writes non-ASCII text as UTF-8", () => {
    const dir = tempDir();
    const file = path.join(dir, "trace.json");
    const writer = new TraceJsonWriter(openFileSink(file));
    writer.write({ Path: "/tmp/ünï/😀.js" });
    writer.finish();
    expect(parseTraceJson(fs.readFileSync(file, "utf8"))).toEqual([{ Path: "/tmp/ünï/😀.js" }]);
  });
});

describe("TraceJsonWriter float encodings", () => {
  const cases: [number, string][] = [
    [2.5, "2.5"],
    [3, "3"],
    [NaN, "NaN"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [-0, "-0"],
    [1e21, "1e+21"],
    [5e-324, "5e-324"],
  ];

  it.each(cases)('"string" mode writes %s as the string %s', (n, s) => {
    const text = writeAll([floatEvent(n)]);
    expect(writtenValue(text)).toEqual({ kind: "Float", f: s, type_id: 2 });
  });

  it('"string" mode is the default and keeps given strings', () => {
    expect(writtenValue(writeAll([floatEvent("1e400")]))).toEqual({
      kind: "Float",
      f: "1e400",
      type_id: 2,
    });
  });

  it('"string" mode output passes the validator (floats: "string")', () => {
    const events: TraceLowLevelEvent[] = [
      { Type: { kind: 8, lang_type: "number", specific_info: { kind: "None" } } },
      ...cases.map(([n]): TraceLowLevelEvent => ({
        Value: { variable_id: 0, value: { kind: "Float", f: n, type_id: 0 } },
      })),
    ];
    const text = writeAll([{ VariableName: "x" }, ...events]);
    expect(text).toContain('"f":"NaN"');
    const report = validateEvents(parseTraceJson(text));
    expect(report.errors).toEqual([]);
  });

  it('"number" mode writes finite floats as JSON numbers', () => {
    const text = writeAll([floatEvent(2.5), floatEvent("-1.25"), floatEvent(3)], {
      floatEncoding: "number",
    });
    expect(text).toContain('"f":2.5');
    const values = (JSON.parse(text) as { Return: { return_value: ValueRecord } }[]).map((e) => e.Return.return_value);
    expect(values).toEqual([
      { kind: "Float", f: 2.5, type_id: 2 },
      { kind: "Float", f: -1.25, type_id: 2 },
      { kind: "Float", f: 3, type_id: 2 },
    ]);
  });

  it('"number" mode writes NaN, ±Infinity and -0 as Raw values with the same type', () => {
    const inputs: (string | number)[] = [NaN, Infinity, -Infinity, -0, "nan", "-inf", "-0", "bogus"];
    const text = writeAll(inputs.map(floatEvent), { floatEncoding: "number" });
    const values = (JSON.parse(text) as { Return: { return_value: ValueRecord } }[]).map((e) => e.Return.return_value);
    expect(values).toEqual(
      ["NaN", "Infinity", "-Infinity", "-0", "NaN", "-Infinity", "-0", "bogus"].map((r) => ({
        kind: "Raw",
        r,
        type_id: 2,
      })),
    );
  });

  it('"number" mode output passes the validator with floats: "number" and fails with "string"', () => {
    const events: TraceLowLevelEvent[] = [
      { Type: { kind: 8, lang_type: "number", specific_info: { kind: "None" } } },
      { VariableName: "x" },
      { Value: { variable_id: 0, value: { kind: "Float", f: 2.5, type_id: 0 } } },
      { Value: { variable_id: 0, value: { kind: "Float", f: NaN, type_id: 0 } } },
    ];
    const parsed = parseTraceJson(writeAll(events, { floatEncoding: "number" }));
    expect(validateEvents(parsed, { floats: "number" }).errors).toEqual([]);
    expect(validateEvents(parsed, { floats: "string" }).errors.map((e) => e.code)).toEqual(["float-encoding"]);
  });
});

describe("TraceJsonWriter well-formed strings", () => {
  it("replaces lone surrogates in every emitted string", () => {
    const events: TraceLowLevelEvent[] = [
      { Path: "/p/\ud800.js" },
      { Function: { path_id: 0, line: 1, name: "f\udc00" } },
      { VariableName: "v\ud800" },
      {
        Type: {
          kind: 6,
          lang_type: "T\ud800",
          specific_info: { kind: "Struct", fields: [{ name: "a\ud800", type_id: 0 }] },
        },
      },
      { Event: { kind: 0, metadata: "\ud800", content: "out\ud800" } },
      { Return: { return_value: { kind: "String", text: "x\ud800y", type_id: 0 } } },
      { Asm: ["mov\udfff"] },
    ];
    const text = writeAll(events);
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    const back = parseTraceJson(text);
    expect(back[0]).toEqual({ Path: "/p/\ufffd.js" });
    expect(back[5]).toEqual({
      Return: { return_value: { kind: "String", text: "x\ufffdy", type_id: 0 } },
    });
    expect(JSON.stringify(back)).not.toMatch(/\\ud[89a-f]/i);
    // input objects are not modified
    expect(events[0]).toEqual({ Path: "/p/\ud800.js" });
  });

  it("keeps valid surrogate pairs", () => {
    const text = writeAll([{ Path: "/😀.js" }]);
    expect(parseTraceJson(text)).toEqual([{ Path: "/😀.js" }]);
  });
});

describe("a program that changes the prototypes of objects and arrays", () => {
  it("toJSON on Object.prototype / Array.prototype is never looked up or called, enumerable additions are not written", () => {
    const events = specExample();
    const clean = writeAll(events);
    let calls = 0;
    const objectProto = Object.prototype as unknown as Record<string, unknown>;
    Object.defineProperty(Object.prototype, "toJSON", {
      configurable: true,
      get() {
        calls++;
        return () => "hijacked";
      },
    });
    Object.defineProperty(Array.prototype, "toJSON", { configurable: true, writable: true, value: () => "hijacked array" });
    objectProto.injected = "enumerable"; // enumerable: `for…in` would see it
    try {
      const text = writeAll(events);
      expect(calls).toBe(0);
      expect(text).toBe(clean);
    } finally {
      delete objectProto.toJSON;
      delete (Array.prototype as unknown as Record<string, unknown>).toJSON;
      delete objectProto.injected;
    }
    expect(parseTraceJson(clean)).toEqual(events);
  });
});
