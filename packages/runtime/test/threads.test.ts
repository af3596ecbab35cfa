/**
 * Sessions as threads use them: the runtime left installed after stop, a recording that begins
 * late (worker preloaded with --require), a killable session whose folder another thread
 * finishes, and the main thread's list of worker folders. Worker threads themselves are
 * exercised end to end in test/e2e/workers.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateTraceFolder } from "@codetracer/trace-format";
import { afterEach, describe, expect, it } from "vitest";
import { ABI_VERSION, RUNTIME_GLOBAL, type FileTable, type RuntimeApi } from "../src/abi.js";
import { PENDING_METADATA_FILE, startSession, type NodeSession } from "../src/node/session.js";
import { finishAbandonedTrace, inheritedRecording, isInternalThread, startThreadSession, workerTraceDir } from "../src/node/threads.js";

const TABLE: FileTable = {
  v: ABI_VERSION,
  path: "/p/w.js",
  fns: [
    ["<module>", 1],
    ["add", 2, "a", "b"],
  ],
  sites: [[3, "a", "b"]],
};

const sessions: NodeSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop(0);
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ct-threads-"));
}

/** A session writing trace.json (these tests read it as text). */
function start(options: Parameters<typeof startSession>[0]): NodeSession {
  const session = startSession({ format: "json", ...options });
  sessions.push(session);
  return session;
}

/** Runs `add(a, b)` the way instrumented code does, through the installed runtime. */
function runAdd(a: number, b: number): number {
  const ct = ((globalThis as Record<string, unknown>)[RUNTIME_GLOBAL] as RuntimeApi).file(TABLE);
  const frame = ct.enter(1, a, b);
  try {
    ct.step(frame, 0, a, b);
    return ct.ret(frame, a + b) as number;
  } finally {
    ct.exit(frame);
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("a stopped session", () => {
  it("leaves its runtime installed: instrumented code keeps working and records nothing", () => {
    const dir = tempDir();
    const session = start({ traceDir: dir, program: "/p/w.js", args: [] });
    expect(runAdd(1, 2)).toBe(3);
    session.stop(0);
    const size = fs.statSync(path.join(dir, "trace.json")).size;
    expect(runAdd(3, 4)).toBe(7);
    expect(fs.statSync(path.join(dir, "trace.json")).size).toBe(size);
    expect(validateTraceFolder(dir, { entryStepRule: "error" }).errors).toEqual([]);
  });

  it("can be replaced by a new session; a running one cannot", () => {
    start({ traceDir: tempDir(), program: "/p/a.js", args: [] }).stop(0);
    start({ traceDir: tempDir(), program: "/p/b.js", args: [] });
    expect(() => startSession({ traceDir: tempDir(), program: "/p/c.js", args: [] })).toThrow(
      expect.objectContaining({ code: "ERR_ALREADY_TRACING" }) as unknown as Error,
    );
  });
});

describe("a recording that begins late", () => {
  it("asks for the program and arguments when the first module runs", () => {
    const dir = tempDir();
    let asked = 0;
    const session = start({ traceDir: dir, program: () => (asked++, "/p/w.js"), args: () => ["x"] });
    expect(asked).toBe(0);
    runAdd(1, 2);
    runAdd(2, 3);
    expect(asked).toBe(1);
    session.stop(0);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as Record<string, unknown>;
    expect(meta).toMatchObject({ program: "/p/w.js", args: ["x"] });
    expect(validateTraceFolder(dir, { entryStepRule: "error" }).errors).toEqual([]);
  });

  it("begins at stop when no module ran, keeping <eval> as it is", () => {
    const dir = tempDir();
    start({ traceDir: dir, program: () => "<eval>", args: () => [] }).stop(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_paths.json"), "utf8"))).toEqual(["<eval>"]);
    expect(validateTraceFolder(dir, { entryStepRule: "error" }).errors).toEqual([]);
  });
});

describe("a killable session", () => {
  it("writes its events at the end of the turn and its metadata so far when it begins", async () => {
    const dir = tempDir();
    const session = start({ traceDir: dir, program: "/p/w.js", args: [], killable: true, metadata: () => ({ extra: 1 }) });
    expect(JSON.parse(fs.readFileSync(path.join(dir, PENDING_METADATA_FILE), "utf8"))).toMatchObject({ program: "/p/w.js", extra: 1 });
    runAdd(1, 2);
    await nextTurn();
    expect(fs.readFileSync(path.join(dir, "trace.json"), "utf8")).toContain('"name":"add"');
    session.stop(0);
    expect(fs.existsSync(path.join(dir, PENDING_METADATA_FILE))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8"))).toMatchObject({ extra: 1 });
  });

  it("killed before it stops: finishAbandonedTrace makes what was written a valid trace", async () => {
    const dir = tempDir();
    start({ traceDir: dir, program: "/p/w.js", args: ["a"], killable: true });
    runAdd(1, 2);
    await nextTurn();
    // The thread "dies" here: copy the folder as it is now.
    const copy = tempDir();
    for (const name of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, name), path.join(copy, name));

    expect(finishAbandonedTrace(copy, 1)).toBe(true);
    expect(validateTraceFolder(copy, { entryStepRule: "error" }).errors).toEqual([]);
    const meta = JSON.parse(fs.readFileSync(path.join(copy, "trace_metadata.json"), "utf8")) as Record<string, unknown>;
    expect(meta).toMatchObject({ program: "/p/w.js", args: ["a"], process_exit_status: { code: 1, label: "<terminated>" } });
    expect(fs.existsSync(path.join(copy, PENDING_METADATA_FILE))).toBe(false);
    expect(finishAbandonedTrace(copy, 1)).toBe(false); // already finished
  });

  it("finishAbandonedTrace drops a last event cut by the kill and finishes the folder from the whole ones", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.json"), '[\n{"Path":"/p/w.js"},\n{"Function":{"path_');
    fs.writeFileSync(path.join(dir, PENDING_METADATA_FILE), '{"workdir":"/p","program":"/p/w.js","args":[]}');
    expect(finishAbandonedTrace(dir, 1)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(["trace.json", "trace_metadata.json", "trace_paths.json"]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace.json"), "utf8"))).toEqual([{ Path: "/p/w.js" }]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_paths.json"), "utf8"))).toEqual(["/p/w.js"]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8"))).toMatchObject({
      process_exit_status: { code: 1, label: "<terminated>" },
      partial: true,
    });
  });

  it("finishAbandonedTrace leaves a folder alone when even its whole lines do not parse", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "trace.json"), '[\n{"Path":/p/w.js},\n{"Function":{"path_');
    fs.writeFileSync(path.join(dir, PENDING_METADATA_FILE), '{"workdir":"/p","program":"/p/w.js","args":[]}');
    expect(finishAbandonedTrace(dir, 1)).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(["trace.json", PENDING_METADATA_FILE]);
  });
});

describe("the main thread's session", () => {
  it.each(["startSession", "startThreadSession"] as const)(
    "%s removes worker traces of an earlier recording, keeps other files, and the main thread lists the worker folders at stop",
    (how) => {
      const root = tempDir();
      const stale = workerTraceDir(root, 7);
      fs.mkdirSync(stale, { recursive: true });
      fs.writeFileSync(path.join(stale, "trace.json"), "[\n]\n");
      fs.writeFileSync(path.join(stale, "notes.txt"), "mine");
      fs.mkdirSync(workerTraceDir(root, 8));
      fs.writeFileSync(path.join(workerTraceDir(root, 8), "trace.json"), "[\n]\n");

      // Every session replaces the whole earlier trace (worker folders included), not only the main thread's.
      const main =
        how === "startSession"
          ? start({ traceDir: root, program: "/p/main.js", args: [] })
          : startThreadSession({ traceDir: root, program: "/p/main.js", args: [] });
      sessions.push(main);
      expect(fs.readdirSync(stale)).toEqual(["notes.txt"]);
      expect(fs.existsSync(workerTraceDir(root, 8))).toBe(false);
      if (how === "startSession") {
        main.stop(0);
        return;
      }
      for (const id of [12, 3]) {
        fs.mkdirSync(workerTraceDir(root, id), { recursive: true });
        fs.writeFileSync(path.join(workerTraceDir(root, id), "trace.json"), "[");
      }
      main.stop(0);
      const meta = JSON.parse(fs.readFileSync(path.join(root, "trace_metadata.json"), "utf8")) as Record<string, unknown>;
      expect(meta.workers).toEqual(["workers/3", "workers/12"]);
      expect(validateTraceFolder(root, { entryStepRule: "error" }).errors).toEqual([]);
    },
  );

  it("has no inherited recording and is not an internal thread", () => {
    expect(inheritedRecording()).toBeUndefined();
    expect(isInternalThread()).toBe(false);
  });
});

describe("flushIntervalMs (what the test-runner integrations set to 0)", () => {
  /** The `Step` events that reached trace.json so far (the file is an unfinished array while recording). */
  const stepsOnDisk = (dir: string): number => (fs.readFileSync(path.join(dir, "trace.json"), "utf8").match(/"Step"/g) ?? []).length;

  it("0: the events of every turn are on disk at the end of that turn, with no 10 ms batching", async () => {
    const dir = tempDir();
    start({ traceDir: dir, program: "/p/w.js", args: [], flushIntervalMs: 0 });
    runAdd(1, 2);
    await nextTurn();
    const first = stepsOnDisk(dir);
    runAdd(3, 4); // the next turn, well within 10 ms of the first flush
    await nextTurn();
    expect(stepsOnDisk(dir)).toBeGreaterThan(first);
  });

  it("is honoured: at 10 s, a turn's events stay buffered 50 ms later (the default 10 ms would have flushed them)", async () => {
    const dir = tempDir();
    start({ traceDir: dir, program: "/p/w.js", args: [], flushIntervalMs: 10_000 });
    runAdd(1, 2);
    await nextTurn();
    const first = stepsOnDisk(dir);
    runAdd(3, 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stepsOnDisk(dir)).toBe(first);
  });

  it("start() rejects a negative or non-finite interval with ERR_INVALID_POLICY_VALUE", async () => {
    const { start: startApi } = await import("../src/node/api.js");
    for (const bad of [-1, Number.NaN, Infinity]) {
      let code: unknown;
      try {
        startApi(tempDir(), { flushIntervalMs: bad });
      } catch (error) {
        code = (error as { code?: unknown }).code;
      }
      expect(code, String(bad)).toBe("ERR_INVALID_POLICY_VALUE");
    }
  });
});
