/**
 * `@codetracer/instrument`: the Babel 7 transform of the CodeTracer JS/TS recorder.
 *
 * ```ts
 * import { instrument } from "@codetracer/instrument";
 * const { code, map } = instrument(source, { filename: "/abs/app.ts", format: "module" });
 * ```
 * @packageDocumentation
 */
export { instrument, isSupportedFile, needsCompile } from "./instrument.js";
export type { InstrumentOptions, InstrumentResult } from "./instrument.js";
export { codetracerBabelPlugin } from "./plugin.js";
export type { CodetracerPluginOptions, CodetracerPluginMetadata, ScopeDecision, ScopeFilter } from "./plugin.js";
export { InstrumentError } from "./errors.js";
export type { InstrumentErrorCode } from "./errors.js";
