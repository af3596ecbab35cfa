/**
 * The loader and `@codetracer/runtime` as one module: what the loader's entries
 * (`@codetracer/register`, `@codetracer/register/instrument`) import.
 *
 * The package build (`build-bundle.mjs`, after `tsc -b`) replaces `dist/core.js` with one
 * bundled file holding this module's whole import graph (the loader, the runtime,
 * `@codetracer/trace-filter`, `@codetracer/trace-format` and their packages; not Babel, which
 * `./compile.ts` loads only when a file is compiled), so a thread loads one file where it
 * would load ~50 small ES modules. (The `tsc` output of this file imports them one by one: it
 * behaves the same, only slower to load.)
 *
 * The runtime's module state (policy, log, sessions) must exist once per thread, so this
 * module is the thread's runtime wherever the program reaches it:
 * - it exports everything `@codetracer/runtime` and `@codetracer/runtime/internal` do, and
 *   the loader's resolvers hand it out for both entries (see `./runtime-alias.ts`);
 * - it publishes itself on the global object for `@codetracer/register/runtime` (the session
 *   API of `codetracer-js-recorder` imports that: see `./runtime.ts`), which falls back to the
 *   package itself in a process without the loader.
 * @packageDocumentation
 */
import * as runtimeMain from "@codetracer/runtime";
import * as runtimeInternal from "@codetracer/runtime/internal";

export * from "@codetracer/runtime";
export * from "@codetracer/runtime/internal";
export { startLoader } from "./loader.js";
export { readLoaderConfig } from "./config.js";
export type { LoaderConfig } from "./config.js";
export { createFileFilter } from "./filter.js";
export { moduleFormat } from "./format.js";

/** Where this thread's runtime of the loader is published (read by the generated `dist/runtime.cjs`). */
export const LOADER_RUNTIME = Symbol.for("codetracer.loader-runtime");

/** Both entries of the runtime as one object (their names are disjoint; every export is a function, class or constant, so a copy is the same as the bindings). */
const runtime: object = Object.freeze({ ...runtimeMain, ...runtimeInternal });
Object.defineProperty(globalThis, LOADER_RUNTIME, { value: runtime, writable: true, configurable: true, enumerable: false });
