/**
 * Transform-level checks: idempotence, TypeScript (original lines in the tables), syntax errors,
 * function names, the locals a site may read, and the source map.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { originalPositionFor, TraceMap, type SourceMapInput } from "@jridgewell/trace-mapping";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { InstrumentError } from "../src/errors.js";
import { instrument } from "../src/instrument.js";
import { dedent, expectSameOutcome, expectWellFormedTrace, lineOf, occurrences, runCode, runPlain, runRecorded, tableOf, VIRTUAL } from "./helpers.js";

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__codetracer__;
});

/** Lines (1-based) of `source` carrying the comment `// <tag>` (or `// <tag>:<name>`). */
function taggedLines(source: string, tag: string): Map<number, string> {
  const out = new Map<number, string>();
  source.split("\n").forEach((line, i) => {
    const at = line.indexOf("//");
    if (at < 0) return;
    for (const token of line
      .slice(at + 2)
      .trim()
      .split(/\s+/)) {
      if (token === tag) out.set(i + 1, "");
      else if (token.startsWith(`${tag}:`)) out.set(i + 1, token.slice(tag.length + 1).replace(/_/g, " "));
    }
  });
  return out;
}

describe("a file is never instrumented twice", () => {
  const source = dedent(`
    function add(a, b) { return a + b; }
    const xs = [1, 2, 3].map((x) => add(x, 1));
    log(xs);
    module.exports = xs.reduce((s, x) => s + x, 0);
  `);

  it("instrumenting instrumented output changes nothing (CommonJS, no inline map)", async () => {
    const once = instrument(source, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false });
    expect(once.instrumented).toBe(true);
    const twice = instrument(once.code, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false });
    expect(twice.instrumented).toBe(false);
    expect(twice.functions).toBe(0);
    expect(twice.sites).toBe(0);
    expect(occurrences(twice.code, "__codetracer__.file(")).toBe(1);
    expect(occurrences(twice.code, "@codetracer-instrumented")).toBe(1);
    expect(occurrences(twice.code, "_ctRt.enter(")).toBe(occurrences(once.code, "_ctRt.enter("));
    expect(occurrences(twice.code, "_ctRt.step(")).toBe(occurrences(once.code, "_ctRt.step("));
    expect(tableOf(twice.code)).toEqual(tableOf(once.code));
  });

  it("the twice-processed code records exactly the same events", async () => {
    const once = instrument(source, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false });
    const twice = instrument(once.code, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false });
    // runRecorded instruments its input: feed it the already-instrumented code.
    const a = await runRecorded(once.code, "commonjs");
    const b = await runRecorded(twice.code, "commonjs");
    expect(a.transformed.instrumented).toBe(false);
    expect(b.transformed.instrumented).toBe(false);
    const plain = await runPlain(source, "commonjs");
    expectSameOutcome(a.outcome, plain);
    expectSameOutcome(b.outcome, plain);
    expect(b.events).toEqual(a.events);
    expectWellFormedTrace(a, source);
  });

  it("ES module output and output with an inline source map are recognised too", () => {
    const esm = dedent(`
      import { x } from "./dep.js";
      export function f() { return x; }
    `);
    const once = instrument(esm, { filename: "/virtual/m.mjs", format: "module" });
    expect(once.instrumented).toBe(true);
    expect(once.code).toContain("sourceMappingURL=data:application/json");
    for (const format of ["module", "commonjs"] as const) {
      const again = instrument(once.code, { filename: "/virtual/m.mjs", format });
      expect(again.instrumented).toBe(false);
      expect(occurrences(again.code, "__codetracer__.file(")).toBe(1);
    }
  });

  it("a TypeScript file's output re-fed as TypeScript is left alone", () => {
    const ts = "const n: number = 1;\nexport function f(a: string): string { return a + n; }\n";
    const once = instrument(ts, { filename: "/virtual/t.ts", format: "module", inlineSourceMap: false });
    const again = instrument(once.code, { filename: "/virtual/t.ts", format: "module", inlineSourceMap: false });
    expect(again.instrumented).toBe(false);
    expect(occurrences(again.code, "_ctRt.step(")).toBe(occurrences(once.code, "_ctRt.step("));
  });

  it("instrument: false only strips types and reports instrumented: false", () => {
    const r = instrument("const n: number = 1;\n", { filename: "/virtual/t.ts", format: "commonjs", instrument: false, inlineSourceMap: false });
    expect(r.instrumented).toBe(false);
    expect(r.code).not.toContain("__codetracer__");
    expect(r.code).toContain("const n = 1;");
  });
});

describe("TypeScript input", () => {
  // `// S` marks every line that must get a step site; `// F:name` every function definition.
  const source = dedent(`
    import type { Options } from "./types-only";
    import { OnlyAType } from "./also-types-only";
    interface Point {
      x: number;
      y: number;
    }
    type Maybe<T> = T | undefined;
    declare const injected: string;
    declare function ambient(x: number): void;
    enum Color { Red, Green = 5, Blue } // S
    const enum Flag { A = 1, B = 2 } // S
    function identity<T>(value: T): T { // F:identity
      return value; // S
    }
    function overloaded(a: string): string;
    function overloaded(a: number): number;
    function overloaded(a: any): any { // F:overloaded
      return a; // S
    }
    abstract class Shape { // S
      abstract area(): number;
      describe(this: Shape, prefix: string): string { // F:Shape.describe
        return prefix + this.area(); // S
      }
    }
    class Box<T> extends Shape { // S
      declare tag: string;
      private count!: number;
      constructor( // F:Box.constructor
        private readonly item: T,
        public label: string = "box",
      ) {
        super(); // S
        this.count = 0; // S
      }
      area(): number { // F:Box.area
        return (this.item as unknown as Point).x * 2; // S
      }
      get value(): T { // F:Box.get_value
        this.count++; // S
        return this.item; // S
      }
    }
    const p: Point = { x: 3, y: 4 }; // S
    const box = new Box<Point>(p, "pt"); // S
    const maybe: Maybe<number> = identity<number | undefined>(undefined); // S
    const opts = {} as Options satisfies object; // S
    let unused: OnlyAType | undefined; // S
    const arrow = <U,>(u: U): U[] => [u]; // S F:arrow
    log(Color.Green, Color[6], Flag.B, box.area(), box.value.y, box.label, maybe, overloaded(2), arrow(1), box.describe("area=")); // S
    export {}; 
  `);
  const filename = "/virtual/case.ts";

  it("compiles, runs like the uninstrumented compile, and records a valid trace", async () => {
    const plain = await runPlain(source, "commonjs", filename);
    expect(plain.error).toBeNull();
    expect(plain.logs).toEqual([[5, "Blue", 2, 6, 4, "pt", undefined, 2, [1], "area=6"]]);
    const rec = await runRecorded(source, "commonjs", { filename });
    expectSameOutcome(rec.outcome, plain);
    expectWellFormedTrace(rec, source, filename);
  });

  it("with compile: false, keeps the TypeScript syntax, and records the same once a TypeScript compile runs after it (as in a bundler)", async () => {
    const out = instrument(source, { filename, format: "module", compile: false, inlineSourceMap: false, runtimeImport: "runtime-id" });
    expect(out.instrumented).toBe(true);
    expect(out.code).toMatch(/^import "runtime-id";\n/);
    expect(out.code).toContain("interface Point {");
    expect(out.code).toContain("function overloaded(a: string): string;");
    // The bundler's TypeScript compile, then a run: the events of the normal path.
    const withoutImport = instrument(source, { filename, format: "module", compile: false, inlineSourceMap: false }).code;
    const compiled = instrument(withoutImport, { filename, format: "commonjs", instrument: false, inlineSourceMap: false }).code;
    expect([...new Set(tableOf(compiled).sites.map((s) => s[0]))].sort((a, b) => a - b)).toEqual([...taggedLines(source, "S").keys()]);
    const viaBundler = await runRecorded(source, "commonjs", { filename, code: compiled });
    const direct = await runRecorded(source, "commonjs", { filename });
    expectSameOutcome(viaBundler.outcome, direct.outcome);
    expect(viaBundler.events).toEqual(direct.events);
  });

  it("with compile: false, a file of a module build without import or export (a page's entry) imports the runtime; a CommonJS file requires it", () => {
    const opts = { format: "module" as const, compile: false, inlineSourceMap: false, runtimeImport: "runtime-id" };
    const page = instrument("const shown = 1;\ndocument.title = String(shown);\n", { ...opts, filename: "/virtual/page.ts" });
    expect(page.code).toMatch(/^import "runtime-id";\n/);
    expect(page.code).not.toContain("require(");
    const cjs = instrument("const fs = require('fs');\nmodule.exports = fs.existsSync;\n", { ...opts, filename: "/virtual/lib.js" });
    expect(cjs.code).toMatch(/^require\("runtime-id"\);\n/);
  });

  it("takes the lines through inputSourceMap when the code was compiled before (TypeScript's transpileModule)", () => {
    const { outputText, sourceMapText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, isolatedModules: true },
    });
    const siteLines = (options: { inputSourceMap?: object }) =>
      [
        ...new Set(
          tableOf(instrument(outputText, { filename, format: "module", compile: false, inlineSourceMap: false, ...options }).code).sites.map((s) => s[0]),
        ),
      ].sort((a, b) => a - b);
    const original = [...taggedLines(source, "S").keys()];
    expect(siteLines({})).not.toEqual(original); // the compiled code's own lines differ
    // The original lines, plus those of the parameter properties, which TypeScript compiled
    // into assignments in the constructor (statements of their own, mapped to their lines).
    const parameterProperties = [lineOf(source, "private readonly item"), lineOf(source, "public label")];
    expect(siteLines({ inputSourceMap: JSON.parse(sourceMapText!) })).toEqual([...original, ...parameterProperties].sort((a, b) => a - b));
  });

  it("site lines are exactly the original lines of the statements", () => {
    const out = instrument(source, { filename, format: "commonjs", inlineSourceMap: false });
    const table = tableOf(out.code);
    expect(table.path).toBe(filename);
    const siteLines = [...new Set(table.sites.map((s) => s[0]))].sort((a, b) => a - b);
    expect(siteLines).toEqual([...taggedLines(source, "S").keys()]);
  });

  it("function lines and names are those of the original definitions", () => {
    const out = instrument(source, { filename, format: "commonjs", inlineSourceMap: false });
    const table = tableOf(out.code);
    expect(table.fns[0]).toEqual(["<module>", 1]);
    const got = table.fns.slice(1).map(([name, line]) => [line, name]);
    const want = [...taggedLines(source, "F").entries()];
    expect(got).toEqual(want);
  });

  it("parameter names leave out `this` and include parameter properties", () => {
    const out = instrument(source, { filename, format: "commonjs", inlineSourceMap: false });
    const fns = tableOf(out.code).fns;
    expect(fns.find((f) => f[0] === "Shape.describe")!.slice(2)).toEqual(["prefix"]);
    expect(fns.find((f) => f[0] === "Box.constructor")!.slice(2)).toEqual(["item", "label"]);
    expect(fns.find((f) => f[0] === "identity")!.slice(2)).toEqual(["value"]);
  });

  it("type-only imports are erased (nothing is required at run time)", () => {
    const out = instrument(source, { filename, format: "commonjs", inlineSourceMap: false });
    expect(out.code).not.toContain("require(");
    expect(out.code).not.toMatch(/\binterface\b|\bdeclare\b|: number/);
  });

  it("a derived class with parameter properties assigns them after super()", async () => {
    const src = dedent(`
      class A { constructor(public a: number) {} }
      class B extends A {
        constructor(private x: number, readonly y = "y") {
          super(x + 1);
          log(this.x, this.y, this.a);
        }
      }
      module.exports = new B(1);
    `);
    const plain = await runPlain(src, "commonjs", filename);
    const rec = await runRecorded(src, "commonjs", { filename });
    expect(plain.logs).toEqual([[1, "y", 2]]);
    expectSameOutcome(rec.outcome, plain);
    expectWellFormedTrace(rec, src, filename);
  });

  // BUG (gap): TypeScript decorators do not parse. `instrument` enables only the "typescript"
  // parser plugin, so any .ts file using decorators (`experimentalDecorators`, as in NestJS,
  // Angular, TypeORM) fails with ERR_INSTRUMENT_SYNTAX "Support for the experimental syntax
  // 'decorators' isn't currently enabled" and cannot be recorded at all.
  // Repro: instrument("function dec(t: any) { return t; }\n@dec class X {}\n",
  //                   { filename: "/v/a.ts", format: "commonjs" })  → throws.
  it("decorators in a .ts file compile", () => {
    const src = "function dec(t: any) { return t; }\n@dec class X {}\nmodule.exports = X;\n";
    const out = instrument(src, { filename: "/virtual/deco.ts", format: "commonjs", inlineSourceMap: false });
    expect(out.instrumented).toBe(true);
  });
});

describe("TypeScript legacy parameter decorators", () => {
  const source = dedent(`
    const order: string[] = [];
    function p(label: string) {
      order.push("evaluate " + label);
      return (target: any, key: string | undefined, index: number) => {
        order.push("apply " + label + " to " + (typeof target === "function" ? target.name : "proto") + "." + String(key) + "[" + index + "]");
        return "ignored";
      };
    }
    function m(target: any, key: string, descriptor: PropertyDescriptor) {
      order.push("apply method " + key);
    }
    class Svc {
      constructor(@p("c0") a: number, @p("c1a") @p("c1b") b = 2) {}
      @m
      run(@p("r0") x: number, @p("r1") y: number) { return x + y; }
      static make(@p("s0") n: number) { return n; }
    }
    log(order.join("; "), new Svc(1).run(2, 3));
  `);

  it("apply in TypeScript's order, with TypeScript's arguments (compared with tsc's own output)", async () => {
    const ts = (await import("typescript")).default;
    const tsc = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: true },
    }).outputText;
    const expected = await runCode(tsc, "commonjs");
    expect(expected.error).toBeNull();
    const ours = instrument(source, { filename: "/virtual/params.ts", format: "commonjs", decorators: "legacy", instrument: false, inlineSourceMap: false });
    const outcome = await runCode(ours.code, "commonjs");
    expect(outcome.error).toBeNull();
    const applied = (o: typeof outcome) =>
      String(o.logs[0]![0])
        .split("; ")
        .filter((l) => l.startsWith("apply"));
    expect(applied(outcome)).toEqual(applied(expected));
    expect(outcome.logs[0]![1]).toBe(5);
  });
});

describe("syntax errors", () => {
  it("throw InstrumentError ERR_INSTRUMENT_SYNTAX naming the file and line", () => {
    const src = "const a = 1;\nconst b = 2;\nconst x = ;\n";
    let caught: unknown;
    try {
      instrument(src, { filename: "/virtual/bad.js", format: "commonjs" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InstrumentError);
    const err = caught as InstrumentError;
    expect(err.code).toBe("ERR_INSTRUMENT_SYNTAX");
    expect(err.message).toContain("/virtual/bad.js");
    expect(err.message).toMatch(/\(3:\d+\)/);
    expect(err.message).toContain("> 3 | const x = ;");
    expect(err.context).toMatchObject({ filename: "/virtual/bad.js", line: "3" });
  });

  it("TypeScript syntax errors report the .ts line", () => {
    const src = "interface A {\n  x: number;\n}\nlet y: = 1;\n";
    try {
      instrument(src, { filename: "/virtual/bad.ts", format: "module" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InstrumentError);
      expect((e as InstrumentError).code).toBe("ERR_INSTRUMENT_SYNTAX");
      expect((e as InstrumentError).message).toContain("/virtual/bad.ts");
      expect((e as InstrumentError).context.line).toBe("4");
    }
  });

  it("TypeScript syntax in a .js file is a syntax error, ESM syntax in CommonJS is not", () => {
    expect(() => instrument("let y: number = 1;\n", { filename: "/virtual/a.js", format: "commonjs" })).toThrow(InstrumentError);
    const r = instrument("export const z = 1;\n", { filename: "/virtual/a.js", format: "commonjs", inlineSourceMap: false });
    expect(r.code).toContain("exports.z");
  });
});

describe("function table names", () => {
  it("qualifies methods, accessors, nested functions, inferred names", () => {
    const src = dedent(`
      class Service { // (class)
        constructor() {} // F:Service.constructor
        login(user) { return user; } // F:Service.login
        get x() { return 1; } // F:Service.get_x
        set x(v) {} // F:Service.set_x
        static create() { return new Service(); } // F:Service.create
        #priv() {} // F:Service.#priv
        handler = () => 1; // F:Service.handler
        ["comp" + "uted"]() {} // F:Service.[computed]
      }
      function outer() { // F:outer
        function inner() {} // F:outer.inner
        const arrow = () => {}; // F:outer.arrow
        return [inner, arrow];
      }
      const named = () => {}; // F:named
      const obj = {
        method() {}, // F:obj.method
        prop: function () {}, // F:obj.prop
        arrow: () => {}, // F:obj.arrow
        get g() { return 1; }, // F:obj.get_g
        nested: { deep() {} }, // F:nested.deep
      };
      let assigned;
      assigned = function () {}; // F:assigned
      const K = class { m() {} }; // F:K.m
      const fe = function realName() {}; // F:realName
      [1].map(function () {}); // F:<anonymous>
      function withDefault(cb = () => 0) {} // F:withDefault F:withDefault.cb
    `);
    const table = tableOf(instrument(src, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false }).code);
    const got = table.fns.slice(1).map(([name, line]) => `${line}:${name}`);
    const want: string[] = [];
    src.split("\n").forEach((l, i) => {
      for (const m of l.matchAll(/F:(\S+)/g)) want.push(`${i + 1}:${m[1]!.replace("_", " ")}`);
    });
    // `nested.deep` is written inside `obj`; the name the table gives it is checked separately.
    const nestedLine = lineOf(src, "nested: { deep()");
    expect(got.filter((g) => !g.startsWith(`${nestedLine}:`))).toEqual(want.filter((w) => !w.startsWith(`${nestedLine}:`)));
    const deep = table.fns.find((f) => f[1] === nestedLine)!;
    expect(deep[0]).toMatch(/(^|\.)nested\.deep$/);
  });

  it("export default functions and classes are named default", () => {
    const src = "export default function () {}\n";
    const src2 = "export default class { m() {} }\n";
    expect(tableOf(instrument(src, { filename: "/v/a.mjs", format: "module", inlineSourceMap: false }).code).fns[1]![0]).toBe("default");
    expect(tableOf(instrument(src2, { filename: "/v/b.mjs", format: "module", inlineSourceMap: false }).code).fns[1]![0]).toBe("default.m");
  });

  it("parameter names flatten patterns in order", () => {
    const src = "function f(a, { b, c: [d, ...e] }, [g = 1, { h }], ...rest) {}\n";
    const table = tableOf(instrument(src, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false }).code);
    expect(table.fns[1]).toEqual(["f", 1, "a", "b", "d", "e", "g", "h", "rest"]);
  });
});

describe("locals at a site", () => {
  function sitesOf(src: string, format: "commonjs" | "module" = "commonjs") {
    return tableOf(instrument(src, { filename: VIRTUAL, format, inlineSourceMap: false }).code).sites;
  }
  function localsAt(src: string, marker: string, format: "commonjs" | "module" = "commonjs"): string[] {
    const line = lineOf(src, marker);
    const sites = sitesOf(src, format).filter((s) => s[0] === line);
    expect(sites.length).toBe(1);
    return sites[0]!.slice(1) as string[];
  }

  const src = dedent(`
    function f(p) {
      var v = 1;
      const a = 1;
      g(); // HERE:before-b
      let b = 2;
      g(); // HERE:after-b
      {
        g(); // HERE:inner-before-c
        const c = 3;
        g(); // HERE:inner-after-c
      }
      g(); // HERE:after-block
      switch (p) {
        case 1:
          let s1 = 1;
          g(); // HERE:case1
        case 2:
          g(); // HERE:case2
          const s2 = 2;
          break;
        default:
          g(); // HERE:default
      }
      for (let i = 0; i < 1; i++)
        g(); // HERE:loop-head
      for (const k of []) {
        g(); // HERE:for-of
      }
      try {
        g();
      } catch (err) {
        g(); // HERE:catch
      }
      {
        g(); // HERE:shadow
        let a = 2;
      }
      const late = () => 1;
    }
  `);

  it("never includes a let/const declared later in the same block", () => {
    expect(localsAt(src, "HERE:before-b")).toEqual(["p", "v", "a"]);
    expect(localsAt(src, "HERE:after-b")).toEqual(["p", "v", "a", "b"]);
    expect(localsAt(src, "HERE:inner-before-c")).toEqual(["p", "v", "a", "b"]);
    expect(localsAt(src, "HERE:inner-after-c")).toEqual(["p", "v", "a", "b", "c"]);
    expect(localsAt(src, "HERE:after-block")).toEqual(["p", "v", "a", "b"]);
  });

  it("never includes a let/const of a previous switch case", () => {
    expect(localsAt(src, "HERE:case1")).toContain("s1");
    expect(localsAt(src, "HERE:case2")).not.toContain("s1");
    expect(localsAt(src, "HERE:case2")).not.toContain("s2");
    expect(localsAt(src, "HERE:default")).not.toContain("s1");
    expect(localsAt(src, "HERE:default")).not.toContain("s2");
  });

  it("includes loop-head and catch bindings inside their bodies", () => {
    expect(localsAt(src, "HERE:loop-head")).toContain("i");
    expect(localsAt(src, "HERE:for-of")).toContain("k");
    expect(localsAt(src, "HERE:catch")).toContain("err");
  });

  it("leaves out a name whose inner binding is still in its TDZ (no fallback to the outer one)", () => {
    expect(localsAt(src, "HERE:shadow")).toEqual(["p", "v", "b"]);
  });

  it("never includes functions declared later, nor `late` before its declaration", () => {
    for (const site of sitesOf(src)) expect(site.slice(1)).not.toContain("late");
  });

  it("never includes import bindings, functions or classes", () => {
    const esm = dedent(`
      import def, { named as alias } from "./dep.js";
      import * as ns from "./ns.js";
      class C {}
      function fn() {}
      const local = 1;
      export const exported = 2;
      log(def, alias, ns, local); // HERE:module
      function user() {
        const x = 1;
        return def + x; // HERE:fn
      }
    `);
    for (const format of ["module", "commonjs"] as const) {
      const names = localsAt(esm, "HERE:module", format);
      expect(names).toEqual(["local", "exported"]);
      expect(localsAt(esm, "HERE:fn", format)).toEqual(["x"]);
    }
  });

  it("a module-level function's steps never read module-level bindings", () => {
    const s = dedent(`
      function early() {
        return 1; // HERE:early
      }
      early();
      let later = 2;
    `);
    expect(localsAt(s, "HERE:early")).toEqual([]);
  });
});

describe("source maps", () => {
  const source = dedent(`
    const a = 1;

    function compute(x) {
      const y = x * 2;
      return mark(y); // M1
    }

    class K {
      run() {
        return mark(compute(a)); // M2
      }
    }
    module.exports = mark(new K().run()); // M3
  `);

  it("map generated positions back to the original lines", () => {
    const out = instrument(source, { filename: VIRTUAL, format: "commonjs" });
    expect(out.map).not.toBeNull();
    const tm = new TraceMap(out.map as SourceMapInput);
    const generated = out.code.split("\n");
    for (const tag of ["M1", "M2", "M3"]) {
      const origLine = lineOf(source, `// ${tag}`);
      const genIndex = generated.findIndex((l) => l.includes(`// ${tag}`));
      expect(genIndex).toBeGreaterThanOrEqual(0);
      const column = generated[genIndex]!.indexOf("mark(");
      const pos = originalPositionFor(tm, { line: genIndex + 1, column });
      expect(pos.source).toBe(VIRTUAL);
      expect(pos.line).toBe(origLine);
    }
  });

  it("map TypeScript output back to the .ts lines", () => {
    const ts = dedent(`
      interface Shape {
        area(): number;
      }

      type N = number;
      function double(n: N): N {
        return mark(n * 2); // T1
      }
      const s: Shape = { area: () => mark(double(2)) }; // T2
    `);
    const out = instrument(ts, { filename: "/virtual/t.ts", format: "module" });
    const tm = new TraceMap(out.map as SourceMapInput);
    const generated = out.code.split("\n");
    for (const [tag, call] of [
      ["T1", "mark(n * 2)"],
      ["T2", "mark(double(2))"],
    ] as const) {
      const genIndex = generated.findIndex((l) => l.includes(call));
      expect(genIndex).toBeGreaterThan(0);
      const pos = originalPositionFor(tm, { line: genIndex + 1, column: generated[genIndex]!.indexOf(call) });
      expect(pos.source).toBe("/virtual/t.ts");
      expect(pos.line).toBe(lineOf(ts, `// ${tag}`));
    }
  });

  it("the inline map is the returned map", () => {
    const out = instrument(source, { filename: VIRTUAL, format: "commonjs" });
    const m = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,([A-Za-z0-9+/=]+)\s*$/.exec(out.code);
    expect(m).not.toBeNull();
    expect(JSON.parse(Buffer.from(m![1]!, "base64").toString("utf8"))).toEqual(JSON.parse(JSON.stringify(out.map)));
    const none = instrument(source, { filename: VIRTUAL, format: "commonjs", inlineSourceMap: false });
    expect(none.code).not.toContain("sourceMappingURL");
  });

  it("re-instrumenting output with an inline map still maps to the original", () => {
    const once = instrument(source, { filename: VIRTUAL, format: "commonjs" });
    const twice = instrument(once.code, { filename: VIRTUAL, format: "commonjs" });
    const tm = new TraceMap(twice.map as SourceMapInput);
    const generated = twice.code.split("\n");
    const genIndex = generated.findIndex((l) => l.includes("// M1"));
    const pos = originalPositionFor(tm, { line: genIndex + 1, column: generated[genIndex]!.indexOf("mark(") });
    expect(pos.line).toBe(lineOf(source, "// M1"));
  });

  it("Node reports the original line of a throw when source maps are enabled", () => {
    const src = dedent(`
      function thrower(n) {
        if (n > 0) {
          throw new Error("boom"); // THROW
        }
      }
      module.exports = () => thrower(1);
    `);
    const out = instrument(src, { filename: VIRTUAL, format: "commonjs" });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-sourcemap-"));
    const file = path.join(dir, "thrower.cjs");
    fs.writeFileSync(file, out.code);
    const noop = () => undefined;
    const fake = {
      abi: 1,
      file: () => ({
        enter: () => ({}),
        step: noop,
        ret: (_f: unknown, v: unknown) => v,
        caught: noop,
        field: noop,
        fieldsEnd: (_n: unknown, v: unknown) => v,
        exit: noop,
        suspend: (_f: unknown, v: unknown) => v,
        resume: (_f: unknown, v: unknown) => v,
      }),
    };
    (globalThis as Record<string, unknown>).__codetracer__ = fake;
    const before = process.sourceMapsEnabled;
    const savedPrepare = Error.prepareStackTrace;
    process.setSourceMapsEnabled(true);
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined; // let Node's own source-map-aware formatting run
    try {
      const run = createRequire(import.meta.url)(file) as () => void;
      let stack = "";
      try {
        run();
      } catch (e) {
        stack = String((e as Error).stack);
      }
      expect(stack).toContain("boom");
      const frame = stack.split("\n").find((l) => l.includes("thrower"))!;
      expect(frame).toBeDefined();
      // With source maps the frame names the original file and the original line.
      expect(frame).toContain(`${VIRTUAL}:${lineOf(src, "// THROW")}:`);
    } finally {
      Error.prepareStackTrace = savedPrepare;
      process.setSourceMapsEnabled(before);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("runCode harness sanity", () => {
  it("detects a differing outcome", async () => {
    const a = await runCode("log(1); module.exports = 2;", "commonjs");
    const b = await runCode("log(1); module.exports = 3;", "commonjs");
    expect(() => expectSameOutcome(a, b)).toThrow();
  });
});

describe("source ranges for Function.prototype.toString", () => {
  const source = dedent(`
    class K {
      static  tick(a) { return a; }
      m() { return 1; }
    }
    const arrow = (x) => x * 2;
    function outer() { function inner() {} return inner; }
  `);

  it("JavaScript tables hold each function's and class's text range; static is not part of it", () => {
    const src = tableOf(instrument(source, { filename: VIRTUAL, format: "module" }).code).src!;
    expect(src.key).toMatch(/^[a-z]{8}$/);
    const textOf = (id: number) => source.slice(src.fns[2 * id], src.fns[2 * id + 1]);
    const table = tableOf(instrument(source, { filename: VIRTUAL, format: "module" }).code);
    const byName = Object.fromEntries(table.fns.map(([name], id) => [name, id > 0 ? textOf(id) : null]));
    expect(byName).toEqual({
      "<module>": null,
      "K.tick": "tick(a) { return a; }",
      "K.m": "m() { return 1; }",
      arrow: "(x) => x * 2",
      outer: "function outer() { function inner() {} return inner; }",
      "outer.inner": "function inner() {}",
    });
    expect(source.slice(src.classes[0], src.classes[1])).toBe(source.slice(0, source.indexOf("\n}\n") + 2));
  });

  it("the generated runtime-creating function carries the file key", () => {
    const out = instrument(source, { filename: VIRTUAL, format: "module" }).code;
    expect(out).toContain(`_ctRtInit_${tableOf(out).src!.key}()`);
  });

  it("TypeScript, JSX and decorated files get no ranges (their text is compiled anyway)", () => {
    expect(tableOf(instrument(source, { filename: "/v/a.ts", format: "module" }).code).src).toBeUndefined();
    expect(tableOf(instrument(source, { filename: "/v/a.jsx", format: "module" }).code).src).toBeUndefined();
    const decorated = `function d(v) { return v; }\n@d class Z { m() {} }\n`;
    expect(tableOf(instrument(decorated, { filename: "/v/b.js", format: "module" }).code).src).toBeUndefined();
  });
});
