/**
 * The browser entry of `@codetracer/trace-filter` (`@codetracer/trace-filter/browser`): parse
 * filter texts and classify scopes and values without Node. It is the Node entry minus
 * everything that reads files (loading, discovery, the builtin filter's file, `package.json`
 * lookups): paths are handled as strings, a root has no other real form, and `pkg:` selectors
 * match the package of a `node_modules/<name>/` path, else the project package set on
 * {@link portablePlatform} (`projectPackage`). The page of a Vite build uses it with the texts
 * the plugin baked in (docs/browser.md).
 *
 * @packageDocumentation
 */
export { invalidFilter, TraceFilterError } from "./errors.js";
export type { TraceFilterErrorCode } from "./errors.js";
export type { ExecAction, ScopeKind, Selector, TraceFilter, ValueAction, ValueKind, ValuePattern } from "./types.js";
export { parseTraceFilter } from "./parse.js";
export type { ParseTraceFilterOptions } from "./parse.js";
export { FilterChain, MODULE_OBJ } from "./chain.js";
export type { FilterChainOptions, MatchedRule, ScopeDecision, ScopeQuery } from "./chain.js";
export { portablePlatform } from "./platform.js";
export { createRecordingScope, INCLUDE_EXCLUDE_PATH } from "./scope-setup.js";
export type { FilterSource, RecordingScope, RecordingScopeOptions, ScopeFilterText, StackedFilterMetadata } from "./scope-setup.js";
