/**
 * The CommonJS side of the loader: wraps `Module._extensions` for the supported extensions so
 * `require()` (and the CommonJS entry point) compiles and instruments files on the main thread.
 * Registering `.ts`, `.cts`, `.tsx`, `.jsx` also lets `require("./x")` find `x.ts`, as it does
 * under tsx and ts-node. Beside ts-node's own `require` hook, see `./runners.ts`.
 *
 * The module hooks (`./module-hooks.ts`) hand CommonJS files reached by `import` to this hook
 * (source `null`). Under `module.registerHooks` Node also asks them, from its CommonJS loader,
 * for what its own handlers read: the files this hook passes on. They compile ES modules
 * reached through require(esm) (recorded then), and leave CommonJS files as Node reads them, so
 * no file is compiled twice.
 */
import * as fs from "node:fs";
import Module from "node:module";
import { needsCompile } from "@codetracer/instrument/files";
import { NO_FILTER, compileForLoader, isCompiling, type LoaderFilter } from "./compile.js";
import { moduleFormat } from "./format.js";
import { isInstrumentSyntaxError } from "./instrument-error.js";
import { runtimeAlias } from "./runtime-alias.js";
import { runCompiled, shareCompiledSource, type CompilableModule } from "./runners.js";
import { typeScriptAlternatives } from "./ts-specifiers.js";

type ExtensionHandler = (module: CompilableModule, filename: string) => void;

/**
 * Installs the require hook; returns a function that restores the previous handlers.
 * `onModuleThrew(file)` is told when a recorded module's body throws while it is being
 * required, so the recorder can close that module's frame when the error is known.
 * `filter` is the trace filter's part in compiling (see `compileForLoader`).
 */
export function installRequireHook(
  shouldRecord: (file: string) => boolean,
  onModuleThrew: (file: string) => void = () => {},
  filter: LoaderFilter = NO_FILTER,
): () => void {
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHandler> })._extensions;
  const saved = new Map<string, ExtensionHandler | undefined>();
  const jsHandler = extensions[".js"]!;
  for (const ext of [".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx"]) {
    const original = extensions[ext];
    saved.set(ext, original);
    extensions[ext] = function codetracerRequire(module: CompilableModule, filename: string): void {
      // Modules required while a file is being compiled are the recorder's own (Babel loads
      // parts of itself lazily): never instrument those.
      const record = !isCompiling() && shouldRecord(filename);
      if ((!record && !needsCompile(filename)) || ext === ".mjs" || ext === ".mts") {
        // ES modules reached through require(esm) and unrecorded JS: Node's own handling (which
        // asks the module hooks, when registered with `module.registerHooks`, for the source).
        return (original ?? jsHandler).call(this, module, filename);
      }
      const source = fs.readFileSync(filename, "utf8");
      if (ext === ".js" && moduleFormat(filename, () => source) === "module") {
        return (original ?? jsHandler).call(this, module, filename);
      }
      let code: string;
      try {
        code = compileForLoader(source, filename, { format: "commonjs", record }, filter);
      } catch (error) {
        // Plain JS that does not parse: let Node report its own SyntaxError, exactly as without us.
        if (!isInstrumentSyntaxError(error)) throw error;
        if (!needsCompile(filename)) return (original ?? jsHandler).call(this, module, filename);
        throw error.toSyntaxError();
      }
      shareCompiledSource(filename, code);
      // No catch and rethrow: that would move the location Node prints for an uncaught error.
      let completed = false;
      try {
        // Past ts-node's own compile when its handler ran first (see runners.ts).
        runCompiled(module, code, filename);
        completed = true;
      } finally {
        if (!completed && record) onModuleThrew(filename);
      }
    };
  }
  // `require("./x.js")` finds `x.ts` when only that exists, as under tsx and TypeScript's
  // own resolution (the ES module hooks do the same for `import`). `@codetracer/runtime` is the
  // loader's copy (see `./runtime-alias.ts`).
  const alias = runtimeAlias();
  const ModuleStatics = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = ModuleStatics._resolveFilename;
  ModuleStatics._resolveFilename = function codetracerResolve(request: string, ...rest: unknown[]): string {
    try {
      return alias.file(resolveFilename.call(this, request, ...rest), (rest[0] as { filename?: string } | undefined)?.filename);
    } catch (error) {
      if (!/^\.{1,2}\//.test(request) || (error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
      // (Extensionless requests find .ts files through the registered extensions already.)
      for (const candidate of typeScriptAlternatives(request, false)) {
        try {
          return resolveFilename.call(this, candidate, ...rest);
        } catch {
          // next candidate
        }
      }
      throw error;
    }
  };
  return () => {
    ModuleStatics._resolveFilename = resolveFilename;
    for (const [ext, handler] of saved) {
      if (handler) extensions[ext] = handler;
      else delete extensions[ext];
    }
  };
}
