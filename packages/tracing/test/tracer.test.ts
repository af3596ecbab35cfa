/**
 * Spans, the tracer and its context (docs/spans.md, "The API"): parents, `span()` on
 * return, throw and rejection, the current span across `await`, timers and event listeners,
 * batching with bounded queues, exporters, `getTracer`, and `trace()` as a wrapper and as a
 * standard (TypeScript 5) method decorator compiled by TypeScript itself.
 */
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as tracing from "../src/index.js";
import {
  ConsoleExporter,
  InMemoryExporter,
  SpanContext,
  SpanKind,
  SpanStatus,
  Tracer,
  configureTracers,
  getCurrentSpan,
  getTracer,
  trace,
  withSpan,
  type Span,
  type SpanExporter,
} from "../src/index.js";

function setup(options: ConstructorParameters<typeof Tracer>[1] = {}) {
  const exporter = new InMemoryExporter();
  const tracer = new Tracer("test", { exporter, ...options });
  return { exporter, tracer };
}

describe("Span", () => {
  it("keeps valid attributes and events, ignores invalid ones and anything after finish", () => {
    const { tracer } = setup();
    const span = tracer.startSpan("s", { attributes: { a: 1, b: "x", c: [1, 2], bad: { x: 1 } as never, mixed: [1, "a"] as never } });
    span.setAttribute("nan", Number.NaN).addEvent("e", { k: true, o: {} as never });
    expect(span.attributes).toEqual({ a: 1, b: "x", c: [1, 2] });
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([["e", { k: true }]]);
    span.finish();
    span.setAttribute("late", 1).addEvent("late").setStatus(SpanStatus.ERROR);
    expect(span.attributes.late).toBeUndefined();
    expect(span.events).toHaveLength(1);
    expect(span.status).toBe(SpanStatus.UNSET);
    expect(span.duration! >= 0n).toBe(true);
    expect(span.endTime! - span.startTime).toBe(span.duration);
  });

  it("keeps OK once set; keeps a message for ERROR only", () => {
    const { tracer } = setup();
    const a = tracer.startSpan("a").setStatus(SpanStatus.OK, "ignored").setStatus(SpanStatus.ERROR, "late");
    expect([a.status, a.statusMessage]).toEqual([SpanStatus.OK, undefined]);
    const b = tracer.startSpan("b").setStatus(SpanStatus.ERROR, "boom");
    expect([b.status, b.statusMessage]).toEqual([SpanStatus.ERROR, "boom"]);
  });

  it("records an exception from its own data properties, never running a getter", () => {
    const { tracer } = setup();
    let ran = false;
    const error = new TypeError("bad input");
    Object.defineProperty(error, "code", { get: () => ((ran = true), "X") });
    const span = tracer.startSpan("s").recordException(error);
    expect(span.events[0]).toMatchObject({ name: "exception", attributes: { "exception.type": "TypeError", "exception.message": "bad input" } });
    expect(String(span.events[0]!.attributes["exception.stacktrace"])).toContain("bad input");
    expect(ran).toBe(false);
  });

  it("has times in nanoseconds since the epoch, and a dict form with them as strings", () => {
    const { tracer } = setup();
    const before = BigInt(Date.now()) * 1_000_000n;
    const span = tracer.startSpan("s", { kind: SpanKind.SERVER });
    span.finish();
    expect(span.startTime >= before - 50_000_000n && span.startTime <= BigInt(Date.now() + 50) * 1_000_000n).toBe(true);
    const dict = span.toDict();
    expect(dict).toMatchObject({ name: "s", kind: "SERVER", status: "UNSET", start_time: String(span.startTime), end_time: String(span.endTime) });
    expect(dict.context.trace_id).toBe(span.context.traceId);
  });
});

describe("parents", () => {
  it("the current span by default, an explicit span or remote context, or null for a new trace", () => {
    const { tracer } = setup();
    const outer = tracer.startSpan("outer");
    const inner = withSpan(outer, () => tracer.startSpan("inner"));
    expect(inner.context.traceId).toBe(outer.context.traceId);
    expect(inner.context.parentSpanId).toBe(outer.context.spanId);
    const remote = SpanContext.fromHeaders({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" })!;
    expect(tracer.startSpan("s", { parent: remote }).context).toMatchObject({ traceId: remote.traceId, parentSpanId: remote.spanId });
    const root = withSpan(outer, () => tracer.startSpan("root", { parent: null }));
    expect(root.context.traceId).not.toBe(outer.context.traceId);
    expect(root.context.parentSpanId).toBeNull();
  });
});

describe("Tracer.span", () => {
  it("ends the span and restores the previous one on return", () => {
    const { tracer } = setup();
    let seen: Span | undefined;
    const result = tracer.span("work", (span) => {
      seen = getCurrentSpan();
      expect(seen).toBe(span);
      return 42;
    });
    expect(result).toBe(42);
    expect(seen!.ended).toBe(true);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it("on a throw: records the exception once, status ERROR, rethrows, restores", () => {
    const { tracer } = setup();
    let span: Span | undefined;
    expect(() =>
      tracer.span("fails", (s) => {
        span = s;
        throw new RangeError("nope");
      }),
    ).toThrow("nope");
    expect(span!.ended).toBe(true);
    expect(span!.status).toBe(SpanStatus.ERROR);
    expect(span!.statusMessage).toBe("nope");
    expect(span!.events.filter((e) => e.name === "exception")).toHaveLength(1);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it("on an async rejection: the same, when the promise settles", async () => {
    const { tracer } = setup();
    let span: Span | undefined;
    const promise = tracer.span("async", async (s) => {
      span = s;
      await sleep(5);
      expect(getCurrentSpan()).toBe(s);
      throw new Error("later");
    });
    expect(span!.ended).toBe(false);
    await expect(promise).rejects.toThrow("later");
    expect(span!.ended).toBe(true);
    expect(span!.status).toBe(SpanStatus.ERROR);
    expect(span!.events.filter((e) => e.name === "exception")).toHaveLength(1);
    expect(getCurrentSpan()).toBeUndefined();
  });
});

describe("the current span follows the program", () => {
  it("through await in nested spans, and concurrent operations stay apart", async () => {
    const { tracer } = setup();
    const seen: string[] = [];
    const op = (name: string, wait: number) =>
      tracer.span(name, async () => {
        await sleep(wait);
        seen.push(`${name}:${getCurrentSpan()!.name}`);
        await tracer.span(`${name}.child`, async () => {
          await sleep(1);
          seen.push(`${name}.child:${getCurrentSpan()!.name}`);
        });
        seen.push(`${name} again:${getCurrentSpan()!.name}`);
      });
    await Promise.all([op("a", 10), op("b", 1)]);
    expect(seen.sort()).toEqual(["a again:a", "a.child:a.child", "a:a", "b again:b", "b.child:b.child", "b:b"]);
  });

  it("through timers, also two with the same timeout", async () => {
    const { tracer } = setup();
    const seen: string[] = [];
    await Promise.all(
      ["x", "y"].map((name) =>
        tracer.span(name, () => new Promise<void>((resolve) => setTimeout(() => (seen.push(`${name}:${getCurrentSpan()!.name}`), resolve()), 5))),
      ),
    );
    expect(seen.sort()).toEqual(["x:x", "y:y"]);
  });

  it("into event listeners: a listener runs in the span current where the event is emitted", () => {
    const { tracer } = setup();
    const emitter = new EventEmitter();
    const seen: Array<string | undefined> = [];
    emitter.on("ping", () => seen.push(getCurrentSpan()?.name));
    tracer.span("emitter", () => emitter.emit("ping"));
    emitter.emit("ping");
    expect(seen).toEqual(["emitter", undefined]);
  });
});

describe("batching and export", () => {
  it("exports in batches of 10 as they fill, and the rest on flush", async () => {
    const batches: number[] = [];
    const exporter: SpanExporter = { export: (spans) => void batches.push(spans.length), shutdown: () => {} };
    const tracer = new Tracer("t", { exporter, scheduleDelayMs: 60_000 });
    for (let i = 0; i < 25; i++) tracer.startSpan(`s${i}`).finish();
    await Promise.resolve();
    await tracer.flush();
    expect(batches).toEqual([10, 10, 5]);
  });

  it("exports a partial batch after scheduleDelayMs", async () => {
    const { exporter, tracer } = setup({ scheduleDelayMs: 20 });
    tracer.startSpan("one").finish();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await sleep(80);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["one"]);
  });

  it("bounds the queue: spans past maxQueueSize are dropped and counted, never held", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const exported: number[] = [];
    const exporter: SpanExporter = { export: async (spans) => (await gate, void exported.push(spans.length)), shutdown: () => {} };
    const tracer = new Tracer("t", { exporter, batchSize: 5, maxQueueSize: 10, scheduleDelayMs: 60_000 });
    for (let i = 0; i < 12; i++) tracer.startSpan(`s${i}`).finish();
    // Two batches of 5 wait for the stalled exporter (10 = maxQueueSize): the last 2 are dropped.
    expect(tracer.droppedSpans).toBe(2);
    release();
    await tracer.flush();
    expect(exported).toEqual([5, 5]);
  });

  it("counts failed exports and goes on", async () => {
    let calls = 0;
    const tracer = new Tracer("t", {
      exporter: { export: () => (++calls === 1 ? Promise.reject(new Error("down")) : undefined), shutdown: () => {} },
      batchSize: 1,
    });
    tracer.startSpan("a").finish();
    tracer.startSpan("b").finish();
    await tracer.flush();
    expect([calls, tracer.failedExports]).toEqual([2, 1]);
  });

  it("shutdown flushes, shuts the exporter down, and drops spans finished later", async () => {
    let shut = false;
    const exporter = new InMemoryExporter();
    const original = exporter.shutdown.bind(exporter);
    exporter.shutdown = () => ((shut = true), original());
    const tracer = new Tracer("t", { exporter, scheduleDelayMs: 60_000 });
    tracer.startSpan("before").finish();
    await tracer.shutdown();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["before"]);
    expect(shut).toBe(true);
    tracer.startSpan("after").finish();
    expect(tracer.droppedSpans).toBe(1);
  });

  it("does not export unsampled spans", async () => {
    const { exporter, tracer } = setup();
    const parent = new SpanContext({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", sampled: false });
    tracer.startSpan("quiet", { parent }).finish();
    await tracer.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it("rejects bad batch settings", () => {
    expect(() => new Tracer("t", { batchSize: 0 })).toThrow(RangeError);
    expect(() => new Tracer("t", { maxQueueSize: 1.5 })).toThrow(RangeError);
  });
});

describe("exporters", () => {
  it("ConsoleExporter writes compact or pretty JSON of toDict()", () => {
    const { tracer } = setup();
    const span = tracer.startSpan("printed");
    span.finish();
    const out: string[] = [];
    new ConsoleExporter({ stream: { write: (t: string) => out.push(t) } }).export([span]);
    new ConsoleExporter({ pretty: true, stream: { write: (t: string) => out.push(t) } }).export([span]);
    expect(out[0]).toBe(`${JSON.stringify(span.toDict())}\n`);
    expect(out[1]).toBe(`${JSON.stringify(span.toDict(), null, 2)}\n`);
  });

  it("InMemoryExporter keeps at most its capacity (newest), filters by trace, clears", () => {
    const { tracer } = setup();
    const exporter = new InMemoryExporter({ capacity: 3 });
    const spans = Array.from({ length: 5 }, (_, i) => tracer.startSpan(`s${i}`, { parent: null }));
    exporter.export(spans);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["s2", "s3", "s4"]);
    expect(exporter.dropped).toBe(2);
    expect(exporter.getFinishedSpans(spans[3]!.context.traceId).map((s) => s.name)).toEqual(["s3"]);
    exporter.clear();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(() => new InMemoryExporter({ capacity: 0 })).toThrow(RangeError);
  });
});

describe("getTracer and trace()", () => {
  it("getTracer gives one tracer per name, with configureTracers' options", async () => {
    const exporter = new InMemoryExporter();
    configureTracers({ exporter, scheduleDelayMs: 60_000 });
    const tracer = getTracer("registry-test");
    expect(getTracer("registry-test")).toBe(tracer);
    tracer.startSpan("x").finish();
    await tracer.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["x"]);
  });

  it("wraps a function: this, arguments, result and name kept; the call runs in a span", async () => {
    const { exporter, tracer } = setup();
    const obj = {
      base: 10,
      add: trace(
        function add(this: { base: number }, n: number) {
          return this.base + n + (getCurrentSpan()?.name === "add" ? 1000 : 0);
        },
        { tracer },
      ),
    };
    expect(obj.add(5)).toBe(1015);
    expect(obj.add.name).toBe("add");
    const named = trace({ name: "custom", tracer, kind: SpanKind.CLIENT })(async () => getCurrentSpan()!.kind);
    expect(await named()).toBe(SpanKind.CLIENT);
    await tracer.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["add", "custom"]);
  });

  it("decorates methods as a standard decorator (TypeScript 5's own output), sync and async", async () => {
    const { exporter, tracer } = setup();
    const source = `
      class Shop {
        constructor() { this.stock = 3; }
        @trace sell(n) { this.stock -= n; return this.stock; }
        @trace({ name: "restock", tracer }) async restock() { await 0; this.stock += 10; return this.stock; }
        @trace static open() { return "open"; }
      }
      module.exports = Shop;`;
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: false },
    });
    expect(outputText).toContain("__esDecorate");
    const module = { exports: {} as unknown };
    configureTracers({ exporter, scheduleDelayMs: 60_000 });
    new Function("module", "trace", "tracer", outputText)(module, trace, tracer);
    const Shop = module.exports as { new (): { sell(n: number): number; restock(): Promise<number> }; open(): string };
    const shop = new Shop();
    expect(shop.sell(1)).toBe(2);
    expect(await shop.restock()).toBe(12);
    expect(Shop.open()).toBe("open");
    await tracer.flush();
    await getTracer("default").flush();
    expect(
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(["Shop.open", "Shop.sell", "restock"]);
  });

  it("exports the whole API from the package entry", () => {
    for (const name of [
      "SpanKind",
      "SpanStatus",
      "SpanContext",
      "Span",
      "Tracer",
      "ConsoleExporter",
      "InMemoryExporter",
      "getTracer",
      "trace",
      "getCurrentSpan",
    ]) {
      expect(tracing).toHaveProperty(name);
    }
  });
});
