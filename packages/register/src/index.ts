/**
 * `node --import @codetracer/register app.ts` records the program into a CodeTracer trace
 * folder. Importing this module starts a session for the current thread, installs the exit
 * hooks that finish it, registers the module hooks (in the thread with `module.registerHooks`
 * where Node has it, else on Node's hooks thread with `module.register`) and the CommonJS
 * `require` hook, and turns on source maps so stack traces show original lines.
 *
 * It runs on the main thread and again in each worker thread that inherits the preload (the
 * default `execArgv`). A worker records into `<trace dir>/workers/<threadId>` with the main
 * thread's configuration, handed on by its parent thread; Node's own threads (the module hooks
 * thread) and workers of a thread that is not recorded are left alone. See
 * `startThreadSession` in `@codetracer/runtime`.
 *
 * Configuration comes from `CODETRACER_*` variables: see {@link readLoaderConfig}; the policy
 * (`CODETRACER_ON_RECORDER_ERROR`, `CODETRACER_LOG`, …) from `configurePolicyFromEnv`.
 * `@codetracer/register/instrument` instruments without recording, for the session API.
 *
 * The loader itself is in `./core.ts`, one bundled file in the built package (see there).
 * @packageDocumentation
 */
import { startLoader } from "./core.js";

export { createFileFilter, moduleFormat, readLoaderConfig } from "./core.js";
export type { LoaderConfig } from "./core.js";

startLoader("record");
