import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { NO_FILTER } from "../src/loader-filter.js";
import { createModuleHooks, type Compiler, type LoadContext, type LoadResult, type ResolveContext, type ResolveResult } from "../src/module-hooks.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-module-hooks-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "commonjs" }));
const file = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return pathToFileURL(path.join(dir, name)).href;
};
const esm = file("esm.mjs", "export const x = 1;\n");
const cjs = file("lib.cjs", "exports.x = 1;\n");
const ts = file("app.ts", "const x: number = 1;\n");

const compiled: string[] = [];
const compiler: Compiler = {
  compileForLoader: (source, filename, options) => {
    compiled.push(`${path.basename(filename)}:${options.format}:${options.record}`);
    return `/* compiled */ ${source}`;
  },
};
const hooks = (sync: boolean) =>
  createModuleHooks({ shouldRecord: (f) => !f.endsWith(".ts"), filter: NO_FILTER, compiler: () => (sync ? compiler : Promise.resolve(compiler)) });

const IMPORT: LoadContext = { format: undefined, conditions: ["node", "import"], importAttributes: {} };
const REQUIRE = (format?: string): LoadContext => ({ format, conditions: ["require", "node"] });
const nextLoad = (url: string, context: LoadContext): LoadResult => ({ format: context.format ?? "commonjs", source: `next:${path.basename(url)}` });

describe("createModuleHooks under module.registerHooks (synchronous next)", () => {
  it("compiles an ES module and returns the result itself, not a promise", () => {
    compiled.length = 0;
    const result = hooks(true).load(esm, IMPORT, nextLoad) as LoadResult;
    expect(result).toEqual({ format: "module", source: "/* compiled */ export const x = 1;\n", shortCircuit: true });
    expect(compiled).toEqual(["esm.mjs:module:true"]);
  });

  it("hands a CommonJS file the ES module loader asks for to Node's CommonJS loader (source null)", () => {
    expect(hooks(true).load(cjs, IMPORT, nextLoad)).toEqual({ format: "commonjs", source: null, shortCircuit: true });
  });

  it("leaves what Node's CommonJS loader reads for a CommonJS file as Node reads it", () => {
    expect(hooks(true).load(cjs, REQUIRE("commonjs"), nextLoad)).toEqual({ format: "commonjs", source: "next:lib.cjs" });
    expect(hooks(true).load(ts, REQUIRE("commonjs-typescript"), nextLoad)).toEqual({ format: "commonjs-typescript", source: "next:app.ts" });
    expect(hooks(true).load(cjs, REQUIRE(undefined), nextLoad)).toEqual({ format: "commonjs", source: "next:lib.cjs" });
  });

  it("compiles an ES module Node's CommonJS loader reads (require(esm))", () => {
    compiled.length = 0;
    expect(hooks(true).load(esm, REQUIRE("module"), nextLoad)).toMatchObject({ format: "module", source: "/* compiled */ export const x = 1;\n" });
    expect(compiled).toEqual(["esm.mjs:module:true"]);
  });

  it("passes on what it loads while a file is being compiled", () => {
    const h = createModuleHooks({ shouldRecord: () => true, filter: NO_FILTER, compiler: () => compiler, compiling: () => true });
    expect(h.load(esm, IMPORT, nextLoad)).toEqual({ format: "commonjs", source: "next:esm.mjs" });
  });

  it("resolves a TypeScript file behind a .js specifier, synchronously", () => {
    const tried: string[] = [];
    const nextResolve = (specifier: string, context: ResolveContext): ResolveResult => {
      tried.push(specifier);
      if (specifier !== "./app.ts") throw Object.assign(new Error(`not found: ${specifier}`), { code: "ERR_MODULE_NOT_FOUND" });
      return { url: new URL(specifier, context.parentURL).href, format: "commonjs" };
    };
    const result = hooks(true).resolve("./app.js", { parentURL: esm, conditions: ["node", "import"] }, nextResolve);
    expect(result).toEqual({ url: ts, format: "commonjs" });
    expect(tried).toEqual(["./app.js", "./app.ts"]);
  });

  it("rethrows the first error when no TypeScript alternative resolves", () => {
    const nextResolve = (specifier: string): ResolveResult => {
      throw Object.assign(new Error(`not found: ${specifier}`), { code: "ERR_MODULE_NOT_FOUND" });
    };
    expect(() => hooks(true).resolve("./missing.js", { parentURL: esm, conditions: [] }, nextResolve)).toThrow("not found: ./missing.js");
  });
});

describe("createModuleHooks under module.register (asynchronous next)", () => {
  it("compiles an ES module once the compile step is imported", async () => {
    const result = hooks(false).load(esm, { format: "module", conditions: undefined as unknown as string[] }, async (url, context) => nextLoad(url, context));
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toMatchObject({ format: "module", source: "/* compiled */ export const x = 1;\n" });
  });

  it("hands a CommonJS file to Node's CommonJS loader (no conditions in the async load context)", async () => {
    expect(
      await hooks(false).load(cjs, { format: "commonjs", conditions: undefined as unknown as string[] }, async (url, context) => nextLoad(url, context)),
    ).toEqual({
      format: "commonjs",
      source: null,
      shortCircuit: true,
    });
  });

  it("resolves a TypeScript file behind a .js specifier", async () => {
    const nextResolve = async (specifier: string, context: ResolveContext): Promise<ResolveResult> => {
      if (specifier !== "./app.ts") throw Object.assign(new Error(`not found: ${specifier}`), { code: "ERR_MODULE_NOT_FOUND" });
      return { url: new URL(specifier, context.parentURL).href };
    };
    expect(await hooks(false).resolve("./app.js", { parentURL: esm, conditions: [] }, nextResolve)).toEqual({ url: ts });
  });
});
