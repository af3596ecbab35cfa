/**
 * The runtime host: files register once and keep their file runtime; sessions attach and
 * detach recorders any number of times.
 */
import { validateEvents, type TraceLowLevelEvent } from "@codetracer/trace-format";
import { afterEach, describe, expect, it } from "vitest";
import { ABI_VERSION, RUNTIME_GLOBAL, type FileTable } from "../src/abi.js";
import { RuntimeHost, isRuntimeHost, runtimeHost } from "../src/host.js";
import { Recorder } from "../src/recorder.js";

const TABLE: FileTable = {
  v: ABI_VERSION,
  path: "/h/a.js",
  fns: [
    ["<module>", 1],
    ["f", 2, "x"],
  ],
  sites: [[1], [3, "x"]],
};

function recorder() {
  const events: TraceLowLevelEvent[] = [];
  const rec = new Recorder({ sink: { write: (e) => events.push(e) } });
  rec.begin("/h/a.js");
  return { rec, events };
}

const calls = (events: TraceLowLevelEvent[]) => events.filter((e) => typeof e === "object" && "Call" in e).length;

describe("RuntimeHost", () => {
  afterEach(() => {
    delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
  });

  it("is installed once as a non-enumerable global, recognised across copies by its brand", () => {
    const host = runtimeHost();
    expect(runtimeHost()).toBe(host);
    expect(Object.keys(globalThis)).not.toContain(RUNTIME_GLOBAL);
    expect(isRuntimeHost(host)).toBe(true);
    expect(isRuntimeHost({ abi: ABI_VERSION, file() {} })).toBe(false);
  });

  it("a file loaded before any session records once one attaches, and nothing after it detaches", () => {
    const host = new RuntimeHost();
    const rt = host.file(TABLE);
    const idle = rt.enter(1, 1);
    rt.step(idle, 1, 1);
    expect(rt.ret(idle, 5)).toBe(5);

    const first = recorder();
    host.attach(first.rec, "s1");
    expect(host.attached).toBe(first.rec);
    const f = rt.enter(1, 2);
    rt.step(f, 1, 2);
    rt.step(idle, 1, 1); // a frame from before the session: ignored
    rt.ret(f, 3);
    rt.exit(f);
    host.detach(first.rec);
    first.rec.finish(0);
    expect(calls(first.events)).toBe(2); // <top-level> and f
    expect(validateEvents(first.events as unknown[]).errors).toEqual([]);

    const before = first.events.length;
    const g = rt.enter(1, 9);
    rt.step(g, 1, 9);
    expect(first.events.length).toBe(before);

    // A second session; a frame of the first one reaching it is ignored.
    const second = recorder();
    host.attach(second.rec, "s2");
    rt.step(f, 1, 2);
    const h = rt.enter(1, 4);
    rt.step(h, 1, 4);
    rt.ret(h);
    rt.exit(h);
    host.detach(second.rec);
    second.rec.finish(0);
    expect(calls(second.events)).toBe(2);
    expect(validateEvents(second.events as unknown[]).errors).toEqual([]);
  });

  it("detach by a recorder that is not attached does nothing; files loaded while attached are bound at once", () => {
    const host = new RuntimeHost();
    const { rec, events } = recorder();
    const seen: string[] = [];
    host.attach(rec, "s", (t) => seen.push(t.path));
    host.detach(recorder().rec);
    const rt = host.file(TABLE);
    expect(seen).toEqual(["/h/a.js"]);
    const m = rt.enter(0);
    rt.step(m, 0);
    expect(events.some((e) => typeof e === "object" && "Step" in e)).toBe(true);
    expect(host.fileCount).toBe(1);
  });

  it("rejects a table of another ABI version", () => {
    expect(() => new RuntimeHost().file({ ...TABLE, v: ABI_VERSION + 1 })).toThrow(TypeError);
  });
});
