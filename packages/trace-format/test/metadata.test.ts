import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { TraceFormatError } from "../src/errors.js";
import { serializeTraceMetadata, traceMetadataProblems } from "../src/metadata.js";
import { writeTraceMetadata, writeTracePaths } from "../src/node/metadata-files.js";
import { readTraceFolder } from "../src/node/read-folder.js";
import type { TraceMetadata } from "../src/types.js";
import { tempDir } from "./helpers.js";

describe("writeTraceMetadata", () => {
  it("writes workdir, program, args first, then the extras in order", () => {
    const dir = tempDir();
    const metadata: TraceMetadata = {
      recorder: { name: "codetracer-js-recorder", version: "0.1.0" },
      args: ["--flag", "x"],
      language: "javascript",
      program: "/home/u/p/main.js",
      workdir: "/home/u/p",
    };
    writeTraceMetadata(dir, metadata);
    const text = fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8");
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["workdir", "program", "args", "recorder", "language"]);
    expect(text).toBe(
      '{"workdir":"/home/u/p","program":"/home/u/p/main.js","args":["--flag","x"],' +
        '"recorder":{"name":"codetracer-js-recorder","version":"0.1.0"},"language":"javascript"}\n',
    );
  });

  it("replaces an existing file atomically and leaves no .tmp behind", () => {
    const dir = tempDir();
    writeTraceMetadata(dir, { workdir: "/a", program: "/a/1.js", args: [] });
    writeTraceMetadata(dir, { workdir: "/b", program: "/b/2.js", args: [] });
    expect(fs.readdirSync(dir)).toEqual(["trace_metadata.json"]);
    expect(readTraceFolderMetadata(dir)).toEqual({ workdir: "/b", program: "/b/2.js", args: [] });
  });

  it("creates the trace folder if needed and makes strings well-formed", () => {
    const dir = path.join(tempDir(), "nested", "trace");
    writeTraceMetadata(dir, { workdir: "/w", program: "/w/\ud800.js", args: ["\udc00"] });
    const text = fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8");
    expect(text).not.toMatch(/\\ud[89a-f]/i);
    expect(JSON.parse(text)).toEqual({ workdir: "/w", program: "/w/\ufffd.js", args: ["\ufffd"] });
  });

  it("rejects metadata without the required fields (ERR_TRACE_INVALID)", () => {
    const bad = { workdir: "/w", program: "/p" } as unknown as TraceMetadata;
    expect(() => serializeTraceMetadata(bad)).toThrow(TraceFormatError);
    try {
      writeTraceMetadata(tempDir(), bad);
      expect.unreachable();
    } catch (error) {
      expect((error as TraceFormatError).code).toBe("ERR_TRACE_INVALID");
      expect((error as TraceFormatError).message).toContain('"args" is missing');
    }
    expect(traceMetadataProblems({ workdir: 1, program: "p", args: ["a", 2] })).toEqual(['"workdir" must be a string', '"args[1]" must be a string']);
  });

  it("accepts the thread fields of worker traces and checks their shape when present", () => {
    const base = { workdir: "/w", program: "/w/worker.js", args: [] };
    const worker: TraceMetadata = { ...base, thread: { id: 2, parent_id: 1, parent_trace: "../1" } };
    expect(traceMetadataProblems(worker)).toEqual([]);
    expect(traceMetadataProblems({ ...base, workers: ["workers/1", "workers/2"] })).toEqual([]);
    expect(traceMetadataProblems({ ...base, thread: { id: -1, parent_trace: 3 }, workers: [1] })).toEqual([
      '"thread.id" must be a non-negative integer',
      '"thread.parent_id" must be a non-negative integer',
      '"thread.parent_trace" must be a string',
      '"workers" must be an array of strings',
    ]);
    expect(traceMetadataProblems({ ...base, thread: [] })).toEqual(['"thread" must be an object']);
    const dir = tempDir();
    writeTraceMetadata(dir, worker);
    expect(readTraceFolderMetadata(dir)).toEqual(worker);
  });

  it("accepts the process fields of child process traces and checks their shape when present", () => {
    const base = { workdir: "/w", program: "/w/child.js", args: [] };
    const child: TraceMetadata = { ...base, process: { pid: 4711, parent_pid: 4700, parent_trace: "../.." } };
    expect(traceMetadataProblems(child)).toEqual([]);
    expect(traceMetadataProblems({ ...base, children: ["children/4711"] })).toEqual([]);
    expect(traceMetadataProblems({ ...base, process: { pid: 0, parent_trace: null }, children: "children/1" })).toEqual([
      '"process.pid" must be a positive integer',
      '"process.parent_pid" must be a positive integer',
      '"process.parent_trace" must be a string',
      '"children" must be an array of strings',
    ]);
    expect(traceMetadataProblems({ ...base, process: 4711 })).toEqual(['"process" must be an object']);
  });

  it("wraps fs errors in ERR_IO", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "file"), "x");
    try {
      writeTraceMetadata(path.join(dir, "file"), { workdir: "/w", program: "/p", args: [] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceFormatError);
      expect((error as TraceFormatError).code).toBe("ERR_IO");
    }
  });
});

describe("writeTracePaths", () => {
  it("writes the paths array in PathId order", () => {
    const dir = tempDir();
    writeTracePaths(dir, ["", "/home/u/p/main.js", "/home/u/p/lib/ü.js"]);
    const text = fs.readFileSync(path.join(dir, "trace_paths.json"), "utf8");
    expect(text).toBe('["","/home/u/p/main.js","/home/u/p/lib/ü.js"]\n');
    expect(fs.readdirSync(dir)).toEqual(["trace_paths.json"]);
  });

  it("rejects non-string entries", () => {
    expect(() => writeTracePaths(tempDir(), [1 as unknown as string])).toThrow(expect.objectContaining({ code: "ERR_TRACE_INVALID" }) as unknown as Error);
  });
});

function readTraceFolderMetadata(dir: string): unknown {
  fs.writeFileSync(path.join(dir, "trace.json"), "[]");
  try {
    return readTraceFolder(dir).metadata;
  } finally {
    fs.rmSync(path.join(dir, "trace.json"));
  }
}
