import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TraceFormatError } from "../src/errors.js";
import { readTraceFolder } from "../src/node/read-folder.js";
import { numberSource } from "../src/number-source.js";
import { parseTraceJson } from "../src/reader.js";
import { FIXTURES, SPEC_EXAMPLE_JSON, tempDir } from "./helpers.js";

function catchError(fn: () => unknown): TraceFormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    return error as TraceFormatError;
  }
  throw new Error("expected a TraceFormatError");
}

describe("parseTraceJson", () => {
  it("parses the reference example", () => {
    const events = parseTraceJson(SPEC_EXAMPLE_JSON);
    expect(events).toHaveLength(22);
    expect(events[0]).toEqual({ Path: "/home/u/p/main.js" });
  });

  it("reports malformed JSON with file, position, line and column", () => {
    const text = '[\n{"Path":"/a.js"},\n{"Step":{"path_id":0 "line":1}}\n]';
    const error = catchError(() => parseTraceJson(text, "/t/trace.json"));
    expect(error.code).toBe("ERR_TRACE_INVALID");
    expect(error.context.file).toBe("/t/trace.json");
    expect(error.context.line).toBe("3");
    expect(error.context.column).toBe("22");
    expect(error.context.position).toBe(String(text.indexOf('"line"')));
    expect(error.message).toContain("/t/trace.json");
    expect(error.message).toContain("line 3, column 22");
  });

  it("reports truncated JSON and a non-array top level", () => {
    expect(catchError(() => parseTraceJson('[{"Path":"/a.js"},')).code).toBe("ERR_TRACE_INVALID");
    const notArray = catchError(() => parseTraceJson('{"Path":"/a.js"}'));
    expect(notArray.code).toBe("ERR_TRACE_INVALID");
    expect(notArray.message).toContain("array");
    expect(catchError(() => parseTraceJson("\ufeff[]")).code).toBe("ERR_TRACE_INVALID");
  });

  it("keeps a literal -0 distinguishable from 0", () => {
    const [event] = parseTraceJson('[{"Step":{"path_id":0,"line":-0}}]') as unknown as [{ Step: { line: number } }];
    expect(Object.is(event.Step.line, -0)).toBe(true);
  });

  it("records float literals of integral value, and long integers, without touching strings", () => {
    const text =
      '[{"Path":"/v1.0/a\\"1.0\\".js"},{"Step":{"path_id":0,"line":1.0}},' +
      '{"Value":{"variable_id":0,"value":{"kind":"Float","f":"2.0","type_id":0}}},' +
      '{"Value":{"variable_id":0,"value":{"kind":"Int","i":9223372036854775807,"type_id":1e0}}},' +
      '{"Value":{"variable_id":0,"value":{"kind":"Float","f":2.5,"type_id":0}}}]';
    const events = parseTraceJson(text) as unknown as Record<string, Record<string, unknown>>[];
    expect(events[0]).toEqual({ Path: '/v1.0/a"1.0".js' });
    const step = events[1]?.Step as Record<string, unknown>;
    expect(step.line).toBe(1);
    expect(numberSource(step, "line")).toBe("1.0");
    expect(numberSource(step, "path_id")).toBeUndefined();
    const v2 = (events[2]?.Value as { value: Record<string, unknown> }).value;
    expect(v2.f).toBe("2.0");
    const v3 = (events[3]?.Value as { value: Record<string, unknown> }).value;
    expect(numberSource(v3, "i")).toBe("9223372036854775807");
    expect(numberSource(v3, "type_id")).toBe("1e0");
    const v4 = (events[4]?.Value as { value: Record<string, unknown> }).value;
    expect(v4.f).toBe(2.5);
  });
});

describe("readTraceFolder", () => {
  it("reads ruby-flow-test with its paths and metadata", () => {
    const dir = path.join(FIXTURES, "ruby-flow-test");
    const folder = readTraceFolder(dir);
    expect(folder.format).toBe("json");
    expect(folder.dir).toBe(dir);
    expect(folder.eventsFile).toBe(path.join(dir, "trace.json"));
    expect(folder.events).toHaveLength(302);
    expect(folder.paths).toEqual(["", "/tmp/ct-example-recordings-build/ruby_flow_test.rb"]);
    expect(folder.metadata).toEqual({
      program: "/tmp/ct-example-recordings-build/ruby_flow_test.rb",
      args: [],
      workdir: "/home/zahary/metacraft/codetracer-main/codetracer-rr-backend",
    });
  });

  it("reads rust-wasm-struct", () => {
    const folder = readTraceFolder(path.join(FIXTURES, "rust-wasm-struct"));
    expect(folder.events).toHaveLength(63);
    expect(folder.paths).toHaveLength(3);
    expect(folder.metadata?.program).toBe("rust_struct_test.wasm");
  });

  it("returns null for missing paths and metadata files", () => {
    const folder = readTraceFolder(path.join(FIXTURES, "runtime-tracing-floats"));
    expect(folder.paths).toBeNull();
    expect(folder.metadata).toBeNull();
    expect(folder.events).toHaveLength(10);
  });

  it("throws ERR_TRACE_MISSING without trace.json or trace.bin", () => {
    expect(catchError(() => readTraceFolder(tempDir())).code).toBe("ERR_TRACE_MISSING");
    expect(catchError(() => readTraceFolder(path.join(tempDir(), "nope"))).code).toBe("ERR_TRACE_MISSING");
  });

  it("throws ERR_TRACE_INVALID for a trace.bin-only folder whose trace.bin has no seek table", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.bin"), Buffer.from([0xc0, 0xde, 0x72, 0xac, 0xe2, 1, 0, 0]));
    const error = catchError(() => readTraceFolder(dir));
    expect(error.code).toBe("ERR_TRACE_INVALID");
    expect(error.message).toContain("the recording did not finish");
  });

  it("prefers trace.json when both files exist", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.bin"), "x");
    fs.writeFileSync(path.join(dir, "trace.json"), "[]");
    expect(readTraceFolder(dir).events).toEqual([]);
  });

  it("throws ERR_TRACE_INVALID naming the file for malformed side files", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.json"), "[]");
    fs.writeFileSync(path.join(dir, "trace_paths.json"), '["/a.js",');
    const error = catchError(() => readTraceFolder(dir));
    expect(error.code).toBe("ERR_TRACE_INVALID");
    expect(error.context.file).toBe(path.join(dir, "trace_paths.json"));
    fs.writeFileSync(path.join(dir, "trace_paths.json"), "[1]");
    expect(catchError(() => readTraceFolder(dir)).code).toBe("ERR_TRACE_INVALID");
    fs.writeFileSync(path.join(dir, "trace_paths.json"), "[]");
    fs.writeFileSync(path.join(dir, "trace_metadata.json"), "[]");
    expect(catchError(() => readTraceFolder(dir)).code).toBe("ERR_TRACE_INVALID");
  });

  it("throws ERR_IO when a file cannot be read", () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "trace.json"));
    expect(catchError(() => readTraceFolder(dir)).code).toBe("ERR_IO");
  });
});
