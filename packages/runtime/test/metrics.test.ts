/**
 * The recorder's counters with reasons (docs/errors.md, "Metrics"): each detach is listed in
 * `detachReasons` (`stats.detach_reasons` of the metadata), and a metrics sink receives every
 * change of `detaches` and `internal_errors`; what the sink throws never breaks the recording.
 * Driven through the FileRuntime API as instrumented code calls it.
 */
import * as util from "node:util";
import { type TraceLowLevelEvent } from "@codetracer/trace-format";
import { describe, expect, it } from "vitest";
import { ABI_VERSION, type FileTable } from "../src/abi.js";
import { Recorder, type MetricUpdate, type RecorderOptions } from "../src/recorder.js";

const MAIN: FileTable = {
  v: ABI_VERSION,
  path: "/p/main.js",
  fns: [
    ["<module>", 1],
    ["add", 3, "a", "b"],
  ],
  sites: [[2], [4, "a", "b"]],
};

function setup(options: Partial<RecorderOptions> = {}) {
  const events: TraceLowLevelEvent[] = [];
  const updates: MetricUpdate[] = [];
  const rec = new Recorder({ sink: { write: (e) => events.push(e) }, isProxy: util.types.isProxy, onMetric: (u) => updates.push(u), ...options });
  rec.begin("/p/main.js");
  return { rec, events, updates, rt: rec.file(MAIN) };
}

describe("detach reasons and the metrics sink", () => {
  it("an internal failure: one detach reason (ERR_UNKNOWN, its message, the events before it); the sink gets internal_errors then detaches", () => {
    const { rec, rt, updates } = setup();
    const m = rt.enter(0);
    rt.step(m, 0);
    const before = rec.stats.events;
    rt.step(m, 999); // a bad site id: a recorder failure
    expect(rec.isDetached).toBe(true);
    const reason = { code: "ERR_UNKNOWN", reason: "internal_error", message: expect.stringMatching(/./), at_event: before };
    expect(rec.detachReasons).toEqual([reason]);
    expect(updates).toEqual([
      { name: "internal_errors", value: 1, delta: 1, reason },
      { name: "detaches", value: 1, delta: 1, reason },
    ]);
    rt.step(m, 999); // after the detach the runtime calls are no-ops: no second detach
    expect(rec.detachReasons).toHaveLength(1);
    expect(updates).toHaveLength(2);
  });

  it("detach() with a reason (the session's write failure) lists it and tells the sink", () => {
    const { rec, updates } = setup();
    rec.detach({ code: "ERR_IO", reason: "io_failure", error: new Error("ENOSPC: no space left on device") });
    rec.detach({ code: "ERR_IO", reason: "io_failure", error: new Error("again") }); // once
    const reason = { code: "ERR_IO", reason: "io_failure", message: "ENOSPC: no space left on device", at_event: rec.stats.events };
    expect(rec.detachReasons).toEqual([reason]);
    expect(updates).toEqual([{ name: "detaches", value: 1, delta: 1, reason }]);
  });

  it("a sink that throws: counted as an internal error, reported to onMetricsError, no recursion, the recording goes on", () => {
    const sinkErrors: unknown[] = [];
    let calls = 0;
    const { rec, events } = setup({
      onMetric: () => {
        calls++;
        throw new Error("sink broke");
      },
      onMetricsError: (e) => sinkErrors.push(e),
    });
    rec.detach({ code: "ERR_IO", reason: "io_failure", error: new Error("x") });
    expect(calls).toBe(1);
    expect(rec.stats).toMatchObject({ detaches: 1, internalErrors: 1 });
    expect(sinkErrors).toEqual([new Error("sink broke")]);
    // A sink that throws while recording: the recorder does not detach because of it.
    const live = setup({
      onMetric: () => {
        throw new Error("no");
      },
    });
    live.rt.step(live.rt.enter(0), 999);
    // the failure, and the sink's throw on each of its two updates (internal_errors, detaches)
    expect(live.rec.stats.internalErrors).toBe(3);
    expect(live.rec.stats.detaches).toBe(1);
    expect(events.length).toBeGreaterThan(0);
  });

  it("a sink that calls back into the recorder (re-entrancy) causes no second detach or update", () => {
    const seen: string[] = [];
    const box: { rec?: Recorder } = {};
    const { rec, updates } = setup({
      onMetric: (u) => {
        seen.push(u.name);
        box.rec!.detach({ code: "ERR_IO", reason: "io_failure", error: new Error("inner") });
      },
    });
    box.rec = rec;
    const rt = rec.file(MAIN);
    rt.step(rt.enter(0), 999);
    // the sink's own detach() found the recorder detached already (no second reason, no
    // update); each update of the failure reached the sink once
    expect(seen).toEqual(["internal_errors", "detaches"]);
    expect(updates).toEqual([]);
    expect(rec.detachReasons.map((r) => r.reason)).toEqual(["internal_error"]);
  });
});
