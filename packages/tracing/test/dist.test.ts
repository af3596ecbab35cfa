/**
 * The built package, as its users load it (`npm run build` first: dist/index.js for `import`,
 * dist/index.cjs for `require`, docs/spans.md, "The API"): plain JavaScript extends
 * `SpanExporter` from `require` and from `import` (one class for both), passes the exporter as
 * `new Tracer(name, exporter)` and `getTracer(name, exporter)`; and programs using `@trace`,
 * type-checked against the package's published types and compiled by TypeScript with and
 * without `experimentalDecorators`, as CommonJS and as ES modules, run in their own Node
 * process and export their spans.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
let dir: string;

beforeAll(() => {
  for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"])
    if (!existsSync(join(PACKAGE, file))) throw new Error(`${file} is missing: build the package first (cd packages/tracing && npm run build)`);
  dir = mkdtempSync(join(tmpdir(), "ct-tracing-dist-"));
  mkdirSync(join(dir, "node_modules", "@codetracer"), { recursive: true });
  symlinkSync(PACKAGE, join(dir, "node_modules", "@codetracer", "tracing"), "dir");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `file` (in the temporary project) with Node; returns the JSON it prints last. */
function runNode(file: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 30_000 });
  const lines = out.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** The plain-JavaScript program, for `require` (cjs) or `import` (esm). */
function plainProgram(kind: "cjs" | "esm"): string {
  const load =
    kind === "cjs"
      ? `const { SpanExporter, Tracer, TracingError, getTracer } = require("@codetracer/tracing");\nconst same = true;`
      : `import { SpanExporter, Tracer, TracingError, getTracer } from "@codetracer/tracing";\nimport { createRequire } from "node:module";\nconst same = createRequire(import.meta.url)("@codetracer/tracing").SpanExporter === SpanExporter;`;
  return `${load}
class Collect extends SpanExporter {
  constructor() { super(); this.names = []; }
  export(spans) { for (const s of spans) this.names.push(s.name); }
}
const exporter = new Collect();
const tracer = new Tracer("svc", exporter);
tracer.startSpan("by-constructor").finish();
const named = getTracer("svc-registry", exporter);
named.startSpan("by-getTracer").finish();
let direct;
try { new SpanExporter(); } catch (e) { direct = e instanceof TracingError ? e.code : String(e); }
let noExport;
try { new Tracer("x", new (class extends SpanExporter {})()); } catch (e) { noExport = e instanceof TracingError ? e.code : String(e); }
const main = async () => {
  await tracer.flush();
  await named.flush();
  const defaults = [await exporter.shutdown(), await exporter.forceFlush()];
  console.log(JSON.stringify({ names: exporter.names, isBase: exporter instanceof SpanExporter, same, defaults, direct, noExport,
    defaultName: new Tracer().name, dropped: tracer.droppedSpans }));
};
main();
`;
}

describe("plain JavaScript against the built package", () => {
  for (const kind of ["cjs", "esm"] as const) {
    it(`${kind === "cjs" ? "require" : "import"}: class X extends SpanExporter, new Tracer(name, exporter), getTracer(name, exporter)`, () => {
      const file = join(dir, `plain.${kind === "cjs" ? "cjs" : "mjs"}`);
      writeFileSync(file, plainProgram(kind));
      expect(runNode(file)).toEqual({
        names: ["by-constructor", "by-getTracer"],
        isBase: true,
        same: true,
        defaults: [null, null],
        direct: "ERR_INVALID_EXPORTER",
        noExport: "ERR_INVALID_EXPORTER",
        defaultName: "default",
        dropped: 0,
      });
    });
  }
});

const DECORATED = `
import { trace, getTracer, InMemoryExporter, type Span } from "@codetracer/tracing";
declare const console: { log(text: string): void };

const exporter = new InMemoryExporter();
getTracer("default", exporter);

class Shop {
  stock = 3;
  @trace sell(n: number): number { this.stock -= n; return this.stock; }
  @trace({ name: "restock" }) async restock(): Promise<number> { await 0; this.stock += 10; return this.stock; }
  @trace static open(): string { return "open"; }
}

const shop = new Shop();
const results = [shop.sell(1), await shop.restock(), Shop.open()];
await getTracer().flush();
console.log(JSON.stringify({ results, spans: exporter.getFinishedSpans().map((s: Span) => s.name) }));
`;

/** Type-checks `source` as `file` against the package's published types and writes the JavaScript next to it. */
function compileTo(file: string, source: string, experimentalDecorators: boolean): string {
  writeFileSync(join(dir, file), source);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    experimentalDecorators,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2023.d.ts", "lib.decorators.d.ts", "lib.decorators.legacy.d.ts"],
    outDir: dir,
    rootDir: dir,
  };
  const program = ts.createProgram([join(dir, file)], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(diagnostics).toEqual([]);
  const result = program.emit();
  expect(result.emitSkipped).toBe(false);
  return join(dir, file.replace(/\.mts$/, ".mjs").replace(/\.cts$/, ".cjs"));
}

describe("@trace compiled by TypeScript against the built package, run by Node", () => {
  const cases = [
    ["legacy (experimentalDecorators)", true, "esm"],
    ["legacy (experimentalDecorators)", true, "cjs"],
    ["standard (TC39)", false, "esm"],
    ["standard (TC39)", false, "cjs"],
  ] as const;
  for (const [label, experimental, kind] of cases) {
    it(`${label}, ${kind === "esm" ? "an ES module (dist/index.js)" : "CommonJS (dist/index.cjs)"}`, () => {
      const name = `decorated-${experimental ? "legacy" : "standard"}`;
      // CommonJS has no top-level await: the same program in an async function.
      const source = kind === "esm" ? DECORATED : DECORATED.replace(/\nconst shop = /, "\n(async () => {\nconst shop = ").concat("})();\n");
      const js = compileTo(`${name}.${kind === "esm" ? "mts" : "cts"}`, source, experimental);
      expect(runNode(js)).toEqual({ results: [2, 12, "open"], spans: ["Shop.sell", "restock", "Shop.open"] });
    });
  }
});
