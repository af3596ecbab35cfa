/**
 * The API as the span-tracing specification writes it (docs/spans.md, "The API"):
 * `Tracer(service_name="default", exporter=None)`, `get_tracer(name="default", exporter=None)`,
 * `SpanExporter` as a base class to extend, batches of 10 named like OpenTelemetry's
 * `maxExportBatchSize`. Each of these used to be accepted and then silently do nothing (the
 * exporter given as the second argument was never called, `getTracer` ignored its exporter).
 */
import { describe, expect, it } from "vitest";
import {
  ConsoleExporter,
  InMemoryExporter,
  OtlpHttpExporter,
  SpanExporter,
  Tracer,
  TracingError,
  configureTracers,
  getTracer,
  type ExportOptions,
  type Span,
  type TracingErrorCode,
} from "../src/index.js";

/** Runs `fn` and returns the `code` of the `TracingError` it throws (fails if it does not throw one). */
function codeOf(fn: () => unknown): TracingErrorCode {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TracingError);
    expect((error as Error).message).toMatch(/^\[ERR_[A-Z_]+\] /);
    return (error as TracingError).code;
  }
  throw new Error("expected a TracingError");
}

describe("new Tracer(name, exporter)", () => {
  it("exports to an exporter given as the second argument (the specification's signature)", async () => {
    const exporter = new InMemoryExporter();
    const tracer = new Tracer("svc", exporter);
    tracer.startSpan("work").finish();
    await tracer.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["work"]);
    expect(tracer.droppedSpans).toBe(0);
  });

  it("also a plain object with export and shutdown, and calls its shutdown", async () => {
    const names: string[] = [];
    let shut = 0;
    const tracer = new Tracer("svc", { export: (spans: readonly Span[]) => void names.push(...spans.map((s) => s.name)), shutdown: () => void shut++ });
    tracer.startSpan("a").finish();
    await tracer.shutdown();
    expect([names, shut]).toEqual([["a"], 1]);
  });

  it("has the name 'default' without arguments, and still takes options", async () => {
    expect(new Tracer().name).toBe("default");
    const exporter = new InMemoryExporter();
    const tracer = new Tracer("svc", { exporter, scheduleDelayMs: 60_000 });
    tracer.startSpan("b").finish();
    await tracer.flush();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it("throws a coded error for a second argument it cannot use, never ignores it", () => {
    // An exporter object whose export is not a method, a class instance without export, a string, options with unknown keys.
    expect(codeOf(() => new Tracer("svc", { export: "yes" } as never))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(codeOf(() => new Tracer("svc", new (class Sink {})() as never))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(codeOf(() => new Tracer("svc", "console" as never))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(codeOf(() => new Tracer("svc", { exportr: new InMemoryExporter() } as never))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(codeOf(() => new Tracer("svc", { exporter: {} as never }))).toBe("ERR_INVALID_EXPORTER");
    expect(codeOf(() => new Tracer(42 as never))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(codeOf(() => configureTracers({ exporter: { shutdown() {} } as never }))).toBe("ERR_INVALID_EXPORTER");
  });
});

describe("getTracer(name, exporter)", () => {
  it("defaults to the name 'default' (the same tracer as getTracer('default'))", () => {
    expect(getTracer().name).toBe("default");
    expect(getTracer()).toBe(getTracer("default"));
  });

  it("creates the tracer with the exporter given", async () => {
    const exporter = new InMemoryExporter();
    const tracer = getTracer("spec-api-new", exporter);
    tracer.startSpan("c").finish();
    await tracer.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["c"]);
    // The same exporter again is the same tracer.
    expect(getTracer("spec-api-new", exporter)).toBe(tracer);
  });

  it("gives an existing tracer without exporter the exporter, and refuses a second, different one", async () => {
    configureTracers({});
    const tracer = getTracer("spec-api-late");
    const first = new InMemoryExporter();
    expect(getTracer("spec-api-late", first)).toBe(tracer);
    tracer.startSpan("d").finish();
    await tracer.flush();
    expect(first.getFinishedSpans().map((s) => s.name)).toEqual(["d"]);
    expect(codeOf(() => getTracer("spec-api-late", new InMemoryExporter()))).toBe("ERR_TRACER_EXPORTER_CONFLICT");
    expect(codeOf(() => getTracer("spec-api-late", {} as never))).toBe("ERR_INVALID_EXPORTER");
  });
});

describe("SpanExporter, a base class", () => {
  it("the package's own exporters are SpanExporters", () => {
    expect(new InMemoryExporter()).toBeInstanceOf(SpanExporter);
    expect(new ConsoleExporter()).toBeInstanceOf(SpanExporter);
    expect(new OtlpHttpExporter({ url: "http://127.0.0.1:9/v1/traces" })).toBeInstanceOf(SpanExporter);
  });

  it("is extended with only export: shutdown and forceFlush default to doing nothing", async () => {
    class Collect extends SpanExporter {
      names: string[] = [];
      override export(spans: readonly Span[], options?: ExportOptions): void {
        expect(options?.signal).toBeInstanceOf(AbortSignal);
        this.names.push(...spans.map((s) => s.name));
      }
    }
    const exporter = new Collect();
    expect(exporter).toBeInstanceOf(SpanExporter);
    expect(new InMemoryExporter()).toBeInstanceOf(SpanExporter);
    await expect(exporter.shutdown()).resolves.toBeUndefined();
    await expect(exporter.forceFlush!()).resolves.toBeUndefined();
    const tracer = new Tracer("svc", exporter);
    tracer.startSpan("e").finish();
    await tracer.shutdown();
    expect(exporter.names).toEqual(["e"]);
  });

  it("cannot be used itself, and a subclass without export is refused by the tracer", () => {
    const Base = SpanExporter as unknown as new () => SpanExporter;
    expect(codeOf(() => new Base())).toBe("ERR_INVALID_EXPORTER");
    const NoExport = class extends (SpanExporter as unknown as new () => object) {};
    expect(codeOf(() => new Tracer("svc", new NoExport() as never))).toBe("ERR_INVALID_EXPORTER");
    expect(codeOf(() => new Tracer("svc", { exporter: new NoExport() as never }))).toBe("ERR_INVALID_EXPORTER");
  });

  it("forceFlush is called by Tracer.flush after the batches, within the flush deadline; a rejection is a failed export", async () => {
    const calls: string[] = [];
    class Buffered extends SpanExporter {
      override export(spans: readonly Span[]): void {
        calls.push(`export ${spans.length}`);
      }
      override async forceFlush(): Promise<void> {
        calls.push("forceFlush");
      }
    }
    const tracer = new Tracer("svc", { exporter: new Buffered(), scheduleDelayMs: 60_000 });
    tracer.startSpan("f").finish();
    await tracer.flush();
    expect(calls).toEqual(["export 1", "forceFlush"]);

    class Stuck extends SpanExporter {
      override export(): void {}
      override forceFlush(): Promise<void> {
        return new Promise(() => {});
      }
    }
    const stuck = new Tracer("svc", { exporter: new Stuck(), flushTimeoutMs: 50 });
    const started = Date.now();
    await stuck.flush();
    expect(Date.now() - started).toBeLessThan(2000);

    class Failing extends SpanExporter {
      override export(): void {}
      override forceFlush(): Promise<void> {
        return Promise.reject(new Error("cannot flush"));
      }
    }
    const failing = new Tracer("svc", new Failing());
    await failing.flush();
    expect(failing.failedExports).toBe(1);
  });

  it("keeps the old structural type: a class implementing it without extending still type-checks and works", async () => {
    class Structural implements SpanExporter {
      got = 0;
      export(spans: readonly Span[]): void {
        this.got += spans.length;
      }
      shutdown(): void {}
    }
    const exporter = new Structural();
    const tracer = new Tracer("svc", exporter);
    tracer.startSpan("g").finish();
    await tracer.flush();
    expect(exporter.got).toBe(1);
  });
});

describe("batch size: maxExportBatchSize (OpenTelemetry's name), batchSize kept as its alias", () => {
  async function batchesOf(options: ConstructorParameters<typeof Tracer>[1] & object, spans = 25): Promise<number[]> {
    const batches: number[] = [];
    const tracer = new Tracer("t", {
      exporter: { export: (s: readonly Span[]) => void batches.push(s.length), shutdown: () => {} },
      scheduleDelayMs: 60_000,
      ...options,
    });
    for (let i = 0; i < spans; i++) tracer.startSpan(`s${i}`).finish();
    await tracer.flush();
    return batches;
  }

  it("defaults to 10 (the specification's batches of 10)", async () => {
    expect(await batchesOf({})).toEqual([10, 10, 5]);
  });

  it("maxExportBatchSize sets it; batchSize too; both with the same value is fine, different values throw", async () => {
    expect(await batchesOf({ maxExportBatchSize: 4 }, 10)).toEqual([4, 4, 2]);
    expect(await batchesOf({ batchSize: 4 }, 10)).toEqual([4, 4, 2]);
    expect(await batchesOf({ batchSize: 4, maxExportBatchSize: 4 }, 10)).toEqual([4, 4, 2]);
    expect(codeOf(() => new Tracer("t", { batchSize: 4, maxExportBatchSize: 5 }))).toBe("ERR_INVALID_TRACER_ARGUMENT");
    expect(() => new Tracer("t", { maxExportBatchSize: 0 })).toThrow(/maxExportBatchSize must be a positive integer/);
  });

  it("the option wins over OTEL_BSP_MAX_EXPORT_BATCH_SIZE, which is used without it", async () => {
    const saved = process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE;
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "3";
    try {
      expect(await batchesOf({}, 7)).toEqual([3, 3, 1]);
      expect(await batchesOf({ maxExportBatchSize: 5 }, 7)).toEqual([5, 2]);
    } finally {
      if (saved === undefined) delete process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE;
      else process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = saved;
    }
  });
});
