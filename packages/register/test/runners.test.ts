import Module from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCompiled, shareCompiledSource, type CompilableModule } from "../src/runners.js";

const TS_NODE_INSTANCE = Symbol.for("ts-node.register.instance");
const SOURCE_MAP_SUPPORT = Symbol.for("source-map-support/sharedData");
const processSymbols = process as unknown as Record<symbol, unknown>;
const globalSymbols = globalThis as unknown as Record<symbol, unknown>;

afterEach(() => {
  delete processSymbols[TS_NODE_INSTANCE];
  delete globalSymbols[SOURCE_MAP_SUPPORT];
});

const FILE = path.resolve("/proj/src/app.ts");

/** A real CommonJS module for FILE whose own `_compile` (what ts-node's require hook installs) is recorded and never runs the code. */
function wrappedModule(): { module: CompilableModule & { exports: unknown }; wrapperCalls: string[] } {
  const ModuleClass = Module as unknown as new (id: string) => CompilableModule & { exports: unknown; filename: string; paths: string[] };
  const module = new ModuleClass(FILE);
  module.filename = FILE;
  module.paths = [];
  const wrapperCalls: string[] = [];
  module._compile = (code: string) => void wrapperCalls.push(code);
  return { module, wrapperCalls };
}

describe("runCompiled", () => {
  it("runs the module through its own _compile when ts-node is not registered", () => {
    const { module, wrapperCalls } = wrappedModule();
    runCompiled(module, "module.exports = 6 * 7;", FILE);
    expect(wrapperCalls).toEqual(["module.exports = 6 * 7;"]);
    expect(module.exports).toEqual({});
  });

  it("runs the compiled code past ts-node's wrapper when ts-node compiles the file", () => {
    const asked: string[] = [];
    processSymbols[TS_NODE_INSTANCE] = { ignored: (file: string) => (asked.push(file), false) };
    const { module, wrapperCalls } = wrappedModule();
    runCompiled(module, "module.exports = 6 * 7;", FILE);
    expect(wrapperCalls).toEqual([]);
    expect(module.exports).toBe(42);
    expect(asked).toEqual([FILE]);
  });

  it("leaves the wrapper in place for a file ts-node ignores (another hook's wrapper)", () => {
    processSymbols[TS_NODE_INSTANCE] = { ignored: () => true };
    const { module, wrapperCalls } = wrappedModule();
    runCompiled(module, "module.exports = 1;", FILE);
    expect(wrapperCalls).toEqual(["module.exports = 1;"]);
  });

  it("runs a module without its own _compile through Node's, ts-node or not", () => {
    processSymbols[TS_NODE_INSTANCE] = { ignored: () => false };
    const { module } = wrappedModule();
    delete (module as Partial<CompilableModule>)._compile;
    runCompiled(module, "module.exports = 'plain';", FILE);
    expect(module.exports).toBe("plain");
  });
});

describe("shareCompiledSource", () => {
  type Handler = (pathOrUrl: string) => string | null | undefined;

  it("does nothing while no source-map-support is loaded", () => {
    shareCompiledSource(FILE, "compiled");
    expect(SOURCE_MAP_SUPPORT in globalThis).toBe(false);
  });

  it("hands a loaded source-map-support the compiled code of the files it compiled, ahead of its handlers, once", () => {
    const tsNodeHandler: Handler = () => "";
    const shared = { version: 1, retrieveFileHandlers: [tsNodeHandler] };
    globalSymbols[SOURCE_MAP_SUPPORT] = shared;
    shareCompiledSource(FILE, "compiled app");
    shareCompiledSource(path.resolve("/proj/src/other.ts"), "compiled other");
    expect(shared.retrieveFileHandlers).toHaveLength(2);
    expect(shared.retrieveFileHandlers[1]).toBe(tsNodeHandler);
    const ours = shared.retrieveFileHandlers[0]!;
    expect(ours(FILE)).toBe("compiled app");
    expect(ours(pathToFileURL(FILE).href)).toBe("compiled app");
    expect(ours(path.resolve("/proj/src/other.ts"))).toBe("compiled other");
    expect(ours(path.resolve("/proj/src/never-compiled.ts"))).toBeUndefined();
  });

  it("leaves a source-map-support of another shared-data version alone", () => {
    const shared = { version: 2, retrieveFileHandlers: [] as Handler[] };
    globalSymbols[SOURCE_MAP_SUPPORT] = shared;
    shareCompiledSource(FILE, "compiled");
    expect(shared.retrieveFileHandlers).toEqual([]);
  });
});
