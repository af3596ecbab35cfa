/**
 * `@trace` under both kinds of TypeScript decorators (docs/spans.md, "The API"): standard TC39
 * decorators (TypeScript 5's default) and legacy ones (`experimentalDecorators: true`, still the
 * most used setting, `(target, key, descriptor)`). A small program is type-checked and compiled
 * by the repository's TypeScript once each way, run, and the spans it exported are checked.
 * Under `experimentalDecorators` the decorator used to create no span, silently.
 */
import ts from "typescript";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import * as tracing from "../src/index.js";
import { InMemoryExporter, SpanKind, getTracer, type Span } from "../src/index.js";

const SRC_INDEX = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/decorated.ts", import.meta.url));

/** The fixture: every form of `@trace` on methods, instance and static, sync and async. */
const SOURCE = `
import { trace, getCurrentSpan, SpanKind, type Tracer } from "@codetracer/tracing";

export function define(tracer: Tracer) {
  class Shop {
    stock = 3;
    @trace sell(n: number): number { this.stock -= n; return this.stock + (getCurrentSpan()?.name === "Shop.sell" ? 1000 : 0); }
    @trace async restock(): Promise<number> { await 0; this.stock += 10; return this.stock; }
    @trace({ name: "audit", kind: SpanKind.CLIENT, tracer }) audit(): string | undefined { return getCurrentSpan()?.name; }
    @trace({ tracerName: "decorators-named" }) named(): number { return this.stock; }
    @trace("by-name") byName(): number { return 7; }
    @trace static open(): string { return "open"; }
    @trace fails(): never { throw new Error("out of stock"); }
  }
  return Shop;
}
`;

/** Type-checks and compiles SOURCE to CommonJS with the decorator setting; returns the JavaScript. */
function compile(experimentalDecorators: boolean): string {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2023.d.ts", "lib.decorators.d.ts", "lib.decorators.legacy.d.ts"],
    paths: { "@codetracer/tracing": [SRC_INDEX] },
    noEmitOnError: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === FIXTURE ? SOURCE : readFile(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === FIXTURE || fileExists(file);
  const program = ts.createProgram([FIXTURE], options, host);
  const fixture = program.getSourceFile(FIXTURE)!;
  const diagnostics = [...program.getSyntacticDiagnostics(fixture), ...program.getSemanticDiagnostics(fixture)];
  expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  let output = "";
  program.emit(fixture, (name, text) => {
    if (name.endsWith(".js")) output = text;
  });
  return output;
}

/** Runs compiled CommonJS with `@codetracer/tracing` resolved to this package's source. */
function run<T>(js: string): T {
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string) => {
    if (id === "@codetracer/tracing") return tracing;
    throw new Error(`unexpected require(${id})`);
  };
  new Function("require", "module", "exports", js)(require, module, module.exports);
  return module.exports as T;
}

type Shop = {
  new (): { sell(n: number): number; restock(): Promise<number>; audit(): string | undefined; named(): number; byName(): number; fails(): never };
  open(): string;
};

const byDefault = new InMemoryExporter();
const byName = new InMemoryExporter();
beforeAll(() => {
  getTracer("default", byDefault);
  getTracer("decorators-named", byName);
});

describe.each([
  ["legacy (experimentalDecorators: true)", true, "__decorate("],
  ["standard (TC39, TypeScript 5's default)", false, "__esDecorate("],
])("@trace as a %s decorator, compiled by TypeScript", (_label, experimental, helper) => {
  it("every decorated method call is a span, with this, arguments, results, errors and the current span kept", async () => {
    const js = compile(experimental as boolean);
    expect(js).toContain(helper);
    const own = new InMemoryExporter();
    const tracer = new tracing.Tracer("decorators-own", own);
    const Shop = run<{ define(t: unknown): Shop }>(js).define(tracer);
    byDefault.clear();
    byName.clear();

    const shop = new Shop();
    expect(shop.sell(1)).toBe(1002);
    expect(await shop.restock()).toBe(12);
    expect(shop.audit()).toBe("audit");
    expect(shop.named()).toBe(12);
    expect(shop.byName()).toBe(7);
    expect(Shop.open()).toBe("open");
    expect(() => shop.fails()).toThrow("out of stock");
    expect(shop.sell.name).toBe("sell");

    await Promise.all([getTracer("default").flush(), getTracer("decorators-named").flush(), tracer.flush()]);
    const names = (e: InMemoryExporter) => e.getFinishedSpans().map((s: Span) => s.name);
    expect(names(byDefault).sort()).toEqual(["Shop.fails", "Shop.open", "Shop.restock", "Shop.sell", "by-name"]);
    expect(names(byName)).toEqual(["Shop.named"]);
    expect(names(own)).toEqual(["audit"]);
    expect(own.getFinishedSpans()[0]!.kind).toBe(SpanKind.CLIENT);
    const failed = byDefault.getFinishedSpans().find((s) => s.name === "Shop.fails")!;
    expect(failed.statusMessage).toBe("out of stock");
  });
});

describe("@trace on what is not a method throws a coded error (never a silent no-op)", () => {
  const cases: Array<[string, string]> = [
    ["a getter", "class A { @trace get x() { return 1; } }"],
    ["a field", "class A { @trace x = 1; }"],
    ["a class", "@trace class A {}"],
  ];
  for (const experimentalDecorators of [true, false]) {
    for (const [what, source] of cases) {
      it(`${what}, ${experimentalDecorators ? "legacy" : "standard"}`, () => {
        const { outputText } = ts.transpileModule(source, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators },
        });
        let error: unknown;
        try {
          new Function("trace", outputText)(tracing.trace);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(tracing.TracingError);
        expect((error as tracing.TracingError).code).toBe("ERR_TRACE_UNSUPPORTED_TARGET");
      });
    }
  }
});
