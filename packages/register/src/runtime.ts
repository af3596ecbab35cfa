/**
 * `@codetracer/register/runtime`: `@codetracer/runtime`, the very module instance the loader
 * uses in this thread when the loader runs in it, else the package itself. The session API of
 * `codetracer-js-recorder` re-exports it, so `start()`/`stop()` of a program under
 * `node --import @codetracer/register/instrument` share the policy, log and sessions of the
 * loader (which has the runtime bundled into its `core.js`, see `./core.ts`), and those of a
 * bundle built with `unplugin-codetracer` (whose runtime imports the package) without it.
 *
 * This file gives the types. What the package exports under that name is `dist/runtime.cjs`,
 * written by `build-bundle.mjs`: a CommonJS module, so it can choose at run time, and with the
 * export names of the runtime's two entries (main and `./internal`) listed, so ES modules can import them by name. It reads the runtime
 * that `core.ts` publishes on the global object, and otherwise `require`s
 * `@codetracer/runtime` (an ES module, loaded through require(esm)). Importing it starts nothing.
 * @packageDocumentation
 */
export * from "@codetracer/runtime";
export * from "@codetracer/runtime/internal";
