/**
 * `readTraceEvents`, the streaming event reader: the same events as `readTraceFolder` on real
 * traces (examples/ts-app recorded by the built CLI in both formats, and the shared
 * runtime_tracing fixtures written again as trace.bin), through small chunks too; an unfinished
 * file yields its whole events; and the first event of a big trace comes after one chunk or
 * frame, counted by a spy on `fs.readSync` (the reads the reader really makes).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MemoryByteSink, TraceBinWriter } from "../src/bin-writer.js";
import { TraceFormatError } from "../src/errors.js";
import { TraceJsonWriter } from "../src/json-writer.js";
import { MemorySink } from "../src/memory-sink.js";
import { readTraceEvents } from "../src/node/event-stream.js";
import { readTraceFolder } from "../src/node/read-folder.js";
import { readUnfinishedTrace } from "../src/node/unfinished.js";
import type { TraceLowLevelEvent } from "../src/types.js";
import { FIXTURES, tempDir } from "./helpers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = path.join(ROOT, "packages/cli/dist/main.js");

function binBytes(list: TraceLowLevelEvent[], frameBytes: number, finish = true): Uint8Array {
  const sink = new MemoryByteSink();
  const w = new TraceBinWriter(sink, { frameBytes });
  for (const e of list) w.write(e);
  if (finish) w.finish();
  else w.flush();
  return sink.bytes();
}

function jsonText(list: TraceLowLevelEvent[], finish = true): string {
  const sink = new MemorySink();
  const w = new TraceJsonWriter(sink);
  for (const e of list) w.write(e);
  w.flush();
  if (finish) w.finish();
  return sink.text();
}

/** A loop-like trace of `n` steps with a value and a call/return every 10 steps. */
function bigTrace(n: number): TraceLowLevelEvent[] {
  const out: TraceLowLevelEvent[] = [
    { Path: "/p/main.js" },
    { Function: { path_id: 0, line: 1, name: "<top-level>" } },
    { Function: { path_id: 0, line: 2, name: "inc" } },
    { Type: { kind: 7, lang_type: "number", specific_info: { kind: "None" } } },
    { VariableName: "i" },
    { Call: { function_id: 0, args: [] } },
  ];
  for (let i = 0; i < n; i++) {
    out.push({ Step: { path_id: 0, line: 3 + (i % 5) } });
    out.push({ Value: { variable_id: 0, value: { kind: "Int", i, type_id: 0 } } });
    if (i % 10 === 0) {
      out.push({ Call: { function_id: 1, args: [{ variable_id: 0, value: { kind: "Int", i, type_id: 0 } }] } });
      out.push({ Return: { return_value: { kind: "Int", i: i + 1, type_id: 0 } } });
    }
  }
  out.push({ Return: { return_value: { kind: "None", type_id: 0 } } });
  return out;
}

let work: string;
beforeAll(() => {
  work = tempDir("event-stream-");
});
afterAll(() => {
  if (!process.env.KEEP) fs.rmSync(work, { recursive: true, force: true });
});

describe("readTraceEvents on recorded traces", () => {
  for (const format of ["json", "binary"] as const) {
    it(`examples/ts-app recorded in ${format}: the events of readTraceFolder, whole and in 1 KiB chunks`, () => {
      expect(fs.existsSync(CLI), "build the CLI first: cd packages/cli && npm run build").toBe(true);
      const dir = path.join(work, `ts-app-${format}`);
      const r = spawnSync(process.execPath, [CLI, "--quiet", "--trace-dir", dir, "--format", format, path.join(ROOT, "examples/ts-app/src/main.ts")], {
        encoding: "utf8",
        cwd: ROOT,
      });
      expect(r.status, r.stderr).toBe(0);
      const expected = readTraceFolder(dir).events;
      expect(expected.length).toBeGreaterThan(300);
      const stream = readTraceEvents(dir);
      expect(stream.format).toBe(format === "json" ? "json" : "bin");
      expect([...stream]).toEqual(expected);
      expect(stream.finished).toBe(true);
      expect(stream.events).toBe(expected.length);
      expect(stream.bytesRead).toBe(fs.statSync(stream.file).size);
      expect([...readTraceEvents(stream.file, { chunkBytes: 1024 })]).toEqual(expected);
    }, 60_000);
  }

  it("the shared runtime_tracing fixtures (Python, Ruby, Rust), as trace.json and written again as trace.bin", () => {
    const dirs = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, "trace.json")));
    expect(dirs.length).toBeGreaterThan(2);
    for (const d of dirs) {
      const expected = readTraceFolder(path.join(FIXTURES, d)).events;
      expect([...readTraceEvents(path.join(FIXTURES, d), { chunkBytes: 1024 })], d).toEqual(expected);
      const bin = path.join(work, `${d}.bin`);
      fs.writeFileSync(bin, binBytes(expected, 512));
      expect([...readTraceEvents(bin, { chunkBytes: 1024 })], d).toEqual(expected);
    }
  });
});

describe("readTraceEvents on unfinished files", () => {
  const list = bigTrace(3000);

  it("trace.json cut inside an event: the whole events before the cut, finished false", () => {
    const text = Buffer.from(jsonText(list, false));
    const dir = path.join(work, "cut-json");
    fs.mkdirSync(dir);
    for (const cut of [0, 1, 2, 1000, 54321, text.length - 7, text.length]) {
      fs.writeFileSync(path.join(dir, "trace.json"), text.subarray(0, cut));
      const stream = readTraceEvents(dir, { chunkBytes: 1024 });
      const got = [...stream];
      if (cut > 2) expect(got, `cut ${cut}`).toEqual(readUnfinishedTrace(dir, { repair: false }).events);
      expect(got).toEqual(list.slice(0, got.length));
      if (cut === text.length) expect(got.length).toBe(list.length); // flushed, not closed: every event is whole
      expect(stream.finished).toBe(false);
      expect(stream.droppedBytes).toBeLessThan(200);
    }
  });

  it("trace.bin without its seek table or cut inside a frame: the whole frames' events", () => {
    const bytes = binBytes(list, 4096, false);
    const dir = path.join(work, "cut-bin");
    fs.mkdirSync(dir);
    for (const cut of [0, 5, 8, 3000, Math.floor(bytes.length / 2), bytes.length]) {
      fs.writeFileSync(path.join(dir, "trace.bin"), bytes.subarray(0, cut));
      const stream = readTraceEvents(dir, { chunkBytes: 1024 });
      const got = [...stream];
      expect(got, `cut ${cut}`).toEqual(list.slice(0, got.length));
      expect(stream.finished).toBe(false);
      if (cut === bytes.length) expect(got.length).toBe(list.length);
    }
    // a finished file cut inside its seek table: every frame is whole, the file is not finished
    const finished = binBytes(list, 4096);
    fs.writeFileSync(path.join(dir, "trace.bin"), finished.subarray(0, finished.length - 3));
    const stream = readTraceEvents(dir);
    expect([...stream]).toEqual(list);
    expect(stream.finished).toBe(false);
    expect(stream.droppedBytes).toBeGreaterThan(9);
    fs.writeFileSync(path.join(dir, "trace.bin"), finished);
    const whole = readTraceEvents(dir);
    expect([...whole]).toEqual(list);
    expect(whole.finished).toBe(true);
    expect(whole.droppedBytes).toBe(0);
  });

  it("refuses a trace.bin of another format and malformed JSON, with ERR_TRACE_INVALID", () => {
    const file = path.join(work, "v0.bin");
    fs.writeFileSync(file, Buffer.from([0xc0, 0xde, 0x72, 0xac, 0xe2, 0x00, 0x00, 0x00, 1, 2, 3]));
    expect(() => [...readTraceEvents(file)]).toThrow(/BinaryV0/);
    const json = path.join(work, "bad.json");
    fs.writeFileSync(json, '[\n{"Step":{"path_id":0,"line":1}},\n{"Step":{"path_id":0 "line":2}}\n]\n');
    let error: unknown;
    try {
      for (const _ of readTraceEvents(json));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as TraceFormatError).code).toBe("ERR_TRACE_INVALID");
    expect(() => readTraceEvents(path.join(work, "no-such-folder-" + Date.now()))).not.toThrow(); // a missing file: at iteration
    expect(() => readTraceEvents(work)).toThrow(/no trace.json or trace.bin/);
  });
});

describe("readTraceEvents streams", () => {
  const list = bigTrace(200_000); // ~650k events: ~30 MB of JSON; in trace.bin, 33 frames of 512 KiB (13 kB each compressed)
  let dir: string;
  beforeAll(() => {
    dir = path.join(work, "big");
    fs.mkdirSync(path.join(dir, "json"), { recursive: true });
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    fs.writeFileSync(path.join(dir, "json", "trace.json"), jsonText(list));
    fs.writeFileSync(path.join(dir, "bin", "trace.bin"), binBytes(list, 512 * 1024));
  }, 60_000);

  /** Reads made by fs.readSync (and the bytes they returned) while `fn` runs. */
  function countReads(fn: () => void): { calls: number; bytes: number } {
    const real = fs.readSync;
    const seen = { calls: 0, bytes: 0 };
    const spy = vi.spyOn(fs, "readSync").mockImplementation(((...args: Parameters<typeof fs.readSync>) => {
      const n = (real as (...a: unknown[]) => number)(...args);
      seen.calls++;
      seen.bytes += n;
      return n;
    }) as typeof fs.readSync);
    syncBuiltinESMExports(); // the reader's `import * as fs` sees the spy
    try {
      fn();
    } finally {
      spy.mockRestore();
      syncBuiltinESMExports();
    }
    return seen;
  }

  for (const format of ["json", "bin"] as const) {
    it(`${format}: the first event comes after one chunk or frame, not the whole file`, () => {
      const file = path.join(dir, format, format === "json" ? "trace.json" : "trace.bin");
      const size = fs.statSync(file).size;
      let first: TraceLowLevelEvent | undefined;
      const stream = readTraceEvents(file);
      const reads = countReads(() => {
        for (const e of stream) {
          first = e;
          break;
        }
      });
      expect(first).toEqual(list[0]);
      if (format === "json") {
        expect(reads.calls).toBeGreaterThan(0); // the spy sees the reader's reads
        expect(reads.bytes).toBe(stream.bytesRead);
      } else {
        // trace.bin's frames are read by node/bin-repair.ts, which captures fs.readSync at load
        // (the repair runs in recording processes too): the spy does not see them
        expect(reads.bytes).toBe(0);
      }
      expect(stream.bytesRead).toBeGreaterThan(0);
      expect(stream.bytesRead).toBeLessThanOrEqual((format === "json" ? 1024 * 1024 : 64 * 1024) + 8); // one chunk (JSON) or the header and one window (bin)
      expect(stream.bytesRead * 4).toBeLessThan(size);
      // and reading on gives every event
      const again = readTraceEvents(file);
      const all = countReads(() => {
        let n = 0;
        for (const _ of again) n++;
        expect(n).toBe(list.length);
      });
      expect(format === "json" ? all.bytes : again.bytesRead).toBeGreaterThanOrEqual(size);
    }, 60_000);
  }
});
