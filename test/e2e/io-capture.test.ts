/**
 * IO capture: the program's writes to stdout and stderr become `Event` records (kind Write for
 * stdout, WriteOther for stderr, metadata `{"stream": …}`, content the text) right after the
 * step of the line that wrote them, while the output itself stays byte for byte that of plain
 * node. `--io-capture off` / `CODETRACER_CAPTURE_IO=off` records none. Fixture:
 * `test/fixtures/crash/io.cjs`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { expectBalancedCalls, expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, cleanupTempDirs, describeRun, lineOf, recordWithCli, recordWithImport, runPlain, type CliOptions, type RunResult } from "../utils/run.js";
import type { StepInfo, TraceQuery } from "../utils/trace.js";

afterAll(cleanupTempDirs);

const IO = path.join(FIXTURES, "crash/io.cjs");
const REL = "crash/io.cjs";
const STDOUT_META = JSON.stringify({ stream: "stdout" });
const STDERR_META = JSON.stringify({ stream: "stderr" });

/** The IO events of the trace (kinds Write and WriteOther), in order. */
function ioEvents(q: TraceQuery): TraceQuery["logEvents"] {
  return q.logEvents.filter((e) => e.kind === EventLogKind.Write || e.kind === EventLogKind.WriteOther);
}

/** The last Step recorded before event `index`: the step the event is attached to. */
function stepBefore(q: TraceQuery, index: number): StepInfo {
  const step = q.steps.filter((s) => s.index < index).at(-1);
  expect(step, `a Step before event ${index}`).toBeDefined();
  return step!;
}

/** The single IO event whose content is `content`. */
function eventWith(q: TraceQuery, content: string): TraceQuery["logEvents"][number] {
  const found = ioEvents(q).filter((e) => e.content === content);
  expect(
    found.map((e) => e.content),
    `one IO event with ${JSON.stringify(content)}`,
  ).toEqual([content]);
  return found[0]!;
}

function expectSameOutput(recorded: RunResult, plain: RunResult): void {
  expect(plain.code).toBe(0);
  expect(recorded.code, describeRun(recorded)).toBe(0);
  expect(recorded.signal).toBeNull();
  expect(recorded.stdout).toBe(plain.stdout);
  expect(recorded.stderr).toBe(plain.stderr);
}

describe.each(["cli", "import"] as const)("%s: capture on (the default)", (mode) => {
  let plain: RunResult;
  let rec: RunResult;
  let q: TraceQuery;
  beforeAll(async () => {
    [plain, rec] = await Promise.all([
      runPlain(IO),
      mode === "cli" ? recordWithCli(IO) : recordWithImport(IO, [], { loader: "codetracer-js-recorder/register" }),
    ]);
    q = expectValidTrace(rec.traceDir);
  });

  it("the terminal output is byte-identical to plain node's", () => {
    expectSameOutput(rec, plain);
    expect(plain.stdout).toBe("hello world { n: 1 }\nbytes: \u00e9\u00e8 \u2713\nhi!\npartial line\ncb\n");
    expect(plain.stderr).toBe("warning 42\nreturned true\ncallback ran\n");
    expectBalancedCalls(q);
  });

  it("records every write, in order, with its stream's kind and metadata and its text", () => {
    expect(ioEvents(q).map((e) => [e.kind, e.metadata, e.content])).toEqual([
      [EventLogKind.Write, STDOUT_META, "hello world { n: 1 }\n"],
      [EventLogKind.WriteOther, STDERR_META, "warning 42\n"],
      [EventLogKind.Write, STDOUT_META, "bytes: \u00e9\u00e8 \u2713\n"],
      [EventLogKind.Write, STDOUT_META, "hi!\n"],
      [EventLogKind.Write, STDOUT_META, "partial"],
      [EventLogKind.Write, STDOUT_META, " line\n"],
      [EventLogKind.Write, STDOUT_META, "cb\n"],
      [EventLogKind.WriteOther, STDERR_META, "returned true\n"],
      [EventLogKind.WriteOther, STDERR_META, "callback ran\n"],
    ]);
    // The whole output is there: concatenated per stream, the events are the terminal's text.
    expect(
      ioEvents(q)
        .filter((e) => e.kind === EventLogKind.Write)
        .map((e) => e.content)
        .join(""),
    ).toBe(plain.stdout);
    expect(
      ioEvents(q)
        .filter((e) => e.kind === EventLogKind.WriteOther)
        .map((e) => e.content)
        .join(""),
    ).toBe(plain.stderr);
  });

  it.each([
    ["console.log", "hello world { n: 1 }\n", "io-log", "greet"],
    ["console.error", "warning 42\n", "io-error", "warn"],
    ["process.stdout.write(Buffer)", "bytes: \u00e9\u00e8 \u2713\n", "io-buffer", "raw"],
    ["process.stdout.write(hex string, 'hex')", "hi!\n", "io-hex", "encoded"],
    ["process.stdout.write without a newline", "partial", "io-partial", "main"],
    ["the rest of that line", " line\n", "io-rest", "main"],
    ["process.stdout.write with a callback", "cb\n", "io-callback-write", "withCallback"],
    ["a write from that callback", "callback ran\n", "io-callback", "withCallback.<anonymous>"],
  ])("%s is attached to the step of the line that wrote it", (_what, content, marker, frame) => {
    const event = eventWith(q, content);
    const step = stepBefore(q, event.index);
    const line = marker === "io-callback-write" ? lineOf(IO, "const returned = process.stdout.write") : lineOf(IO, `ct-marker: ${marker}`);
    expect(step.path.endsWith(REL), step.path).toBe(true);
    expect(step.line).toBe(line);
    expect(step.frame).toBe(frame);
    // Nothing but type/value bookkeeping between the step and its write.
    const between = q.events.slice(step.index + 1, event.index).map((e) => (typeof e === "string" ? e : Object.keys(e)[0]));
    expect(between.filter((v) => v !== "Value" && v !== "Type" && v !== "VariableName" && v !== "Event")).toEqual([]);
  });
});

describe("capture off", () => {
  it.each<[string, CliOptions]>([
    ["--io-capture off", { cliArgs: ["--io-capture", "off"] }],
    ["CODETRACER_CAPTURE_IO=off", { env: { CODETRACER_CAPTURE_IO: "off" } }],
  ])("%s: no Write/WriteOther events, the same output, the rest of the trace unchanged", async (_how, options) => {
    const [plain, off, on] = await Promise.all([runPlain(IO), recordWithCli(IO, [], options), recordWithCli(IO)]);
    expectSameOutput(off, plain);
    const qOff = expectValidTrace(off.traceDir);
    const qOn = expectValidTrace(on.traceDir);
    expect(ioEvents(qOff)).toEqual([]);
    expect(qOff.logEvents).toEqual([]);
    expect(ioEvents(qOn).length).toBe(9);
    // Only the IO events differ.
    const withoutIo = (t: TraceQuery) => t.events.filter((e) => typeof e === "string" || !("Event" in e));
    expect(withoutIo(qOff)).toEqual(withoutIo(qOn));
  });

  it("--io-capture on is the default", async () => {
    const r = await recordWithCli(IO, [], { cliArgs: ["--io-capture", "on"] });
    expect(r.code, describeRun(r)).toBe(0);
    expect(ioEvents(expectValidTrace(r.traceDir)).length).toBe(9);
  });
});

describe("worker threads", () => {
  it("each thread's trace holds what its own code printed; the worker's relayed output is not in the main trace", async () => {
    const script = path.join(FIXTURES, "crash", "worker-output.mjs");
    const r = await recordWithCli(script);
    expect(r.code, describeRun(r)).toBe(0);
    const writes = (q: TraceQuery) => ioEvents(q).map((e) => e.content);
    const main = expectValidTrace(r.traceDir);
    const workers = (JSON.parse(fs.readFileSync(path.join(r.traceDir, "trace_metadata.json"), "utf8")) as { workers?: string[] }).workers ?? [];
    expect(workers).toHaveLength(1);
    const worker = expectValidTrace(path.join(r.traceDir, workers[0]!));
    expect(writes(main)).toEqual(["main: starting\n", "main: worker exited 0\n"]);
    expect(writes(worker)).toEqual(["worker: hello 0\n", "worker: hello 1\n", "worker: hello 2\n"]);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([...writes(main), ...writes(worker)].map((s) => s.trim()).sort());
  });
});
