/**
 * `node --import @codetracer/register/compile-only app.ts` runs a program through the same
 * resolution and compilation as the recorder (TypeScript stripped, JSX compiled, `./x.js`
 * resolved to `./x.ts`, ES module syntax in CommonJS files converted) but records nothing and
 * inserts no recording calls. It is the uninstrumented baseline the differential tests compare
 * recorded runs with, for programs plain Node cannot run by itself.
 * @packageDocumentation
 */
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";
import { installRequireHook } from "./cjs.js";
import { NO_FILTER, compileForLoader, isCompiling } from "./compile.js";
import type { HooksData } from "./hooks.js";
import { createModuleHooks, registerModuleHooks } from "./module-hooks.js";

if (isMainThread) {
  // As the recorder does: stack traces and uncaught-error reports show original lines.
  process.setSourceMapsEnabled(true);
  installRequireHook(() => false);
  // The module hooks as the recorder registers them: in this thread where Node has
  // `module.registerHooks`, else on Node's module hooks thread.
  const inThread = registerModuleHooks(
    createModuleHooks({ shouldRecord: () => false, filter: NO_FILTER, compiler: () => ({ compileForLoader }), compiling: isCompiling }),
  );
  if (!inThread) {
    register("./hooks.js", import.meta.url, {
      data: {
        compileOnly: true,
        traceDir: "",
        format: "json",
        activationPath: undefined,
        include: [],
        exclude: [],
        cwd: process.cwd(),
        ownRoots: [],
        traceFilters: [],
        limits: {},
        transformCache: null,
      } satisfies HooksData,
    });
  }
}
