import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TraceJsonWriter } from "../src/json-writer.js";
import { MemorySink } from "../src/memory-sink.js";
import { openFileSink } from "../src/node/file-sink.js";
import { writeTraceMetadata, writeTracePaths } from "../src/node/metadata-files.js";
import { readTraceFolder } from "../src/node/read-folder.js";
import { validateTraceFolder } from "../src/node/validate-folder.js";
import { parseTraceJson } from "../src/reader.js";
import type { TraceLowLevelEvent } from "../src/types.js";
import { validateEvents } from "../src/validate.js";
import { fixtureText, SPEC_EXAMPLE_METADATA, SPEC_EXAMPLE_PATHS, specExample, tempDir } from "./helpers.js";

function roundTrip(events: TraceLowLevelEvent[], chunkEvents?: number): TraceLowLevelEvent[] {
  const sink = new MemorySink();
  const writer = new TraceJsonWriter(sink, chunkEvents === undefined ? {} : { chunkEvents });
  for (const e of events) writer.write(e);
  writer.finish();
  expect(sink.text().split("\n")).toHaveLength(events.length + 3); // "[", events, "]", ""
  return parseTraceJson(sink.text());
}

describe("round trips through TraceJsonWriter", () => {
  const fixtures: [string, string][] = [
    ["ruby-flow-test", "ruby-flow-test/trace.json"],
    ["rust-wasm-struct", "rust-wasm-struct/trace.json"],
    ["ruby-addition", "ruby-addition/addition_trace.json"],
    ["runtime-tracing-floats", "runtime-tracing-floats/trace.json"],
  ];

  it.each(fixtures)("%s: written, parsed back, deep-equal, same validation", (_name, file) => {
    const original = parseTraceJson(fixtureText(file));
    const back = roundTrip(original, 10);
    expect(back).toEqual(original);
    const before = validateEvents(original);
    const after = validateEvents(back);
    expect(after.errors).toEqual(before.errors);
    expect(after.warnings).toEqual(before.warnings);
    expect(after.stats).toEqual(before.stats);
  });

  it("reference example: round trip and validation", () => {
    const back = roundTrip(specExample());
    expect(back).toEqual(specExample());
    expect(validateEvents(back, { paths: SPEC_EXAMPLE_PATHS, entryStepRule: "error" }).ok).toBe(true);
  });

  it("writes a complete trace folder that reads back and validates", () => {
    const dir = path.join(tempDir(), "trace-1");
    const writer = new TraceJsonWriter(openFileSink(path.join(dir, "trace.json")), {
      chunkEvents: 4,
    });
    for (const e of specExample()) writer.write(e);
    writer.finish();
    writeTracePaths(dir, SPEC_EXAMPLE_PATHS);
    writeTraceMetadata(dir, { ...SPEC_EXAMPLE_METADATA, recorder: { name: "test", version: "0" } });
    const folder = readTraceFolder(dir);
    expect(folder.events).toEqual(specExample());
    expect(folder.paths).toEqual(SPEC_EXAMPLE_PATHS);
    expect(folder.metadata).toEqual({
      ...SPEC_EXAMPLE_METADATA,
      recorder: { name: "test", version: "0" },
    });
    const report = validateTraceFolder(dir, { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it("validator flags a raw lone surrogate, the writer's output of the same trace passes", () => {
    const raw =
      `[{"Path":"/a.js"},{"Type":{"kind":9,"lang_type":"string","specific_info":{"kind":"None"}}},` +
      `{"Step":{"path_id":0,"line":1}},{"VariableName":"s"},` +
      `{"Value":{"variable_id":0,"value":{"kind":"String","text":"x\\ud800","type_id":0}}}]`;
    const events = parseTraceJson(raw);
    const report = validateEvents(events);
    expect(report.errors.map((e) => [e.code, e.eventIndex])).toEqual([["ill-formed-string", 4]]);
    const fixed = roundTrip(events);
    expect(validateEvents(fixed).ok).toBe(true);
  });
});
