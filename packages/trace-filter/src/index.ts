/**
 * `@codetracer/trace-filter`: the CodeTracer trace-filter DSL (TOML) for the JavaScript and
 * TypeScript recorder: parsing and validation, chain resolution and composition, and the
 * classification of scopes (trace or skip) and values (allow, redact or drop). The DSL is the
 * Python recorder's; what it means here: docs/trace-filters.md and the package README.
 *
 * @packageDocumentation
 */

import { setFilterPlatform } from "./platform.js";
import { nodePlatform } from "./node/platform.js";

// This entry is Node's: parsing and classifying use node:path, the file system and package.json
// files (the browser entry, `@codetracer/trace-filter/browser`, keeps the portable platform).
setFilterPlatform(nodePlatform);

export { invalidFilter, ioFailure, TraceFilterError } from "./errors.js";
export type { TraceFilterErrorCode } from "./errors.js";

export type {
  ExecAction,
  IoConfig,
  IoStream,
  MatchType,
  ScopeKind,
  ScopeRule,
  Selector,
  SelectorKind,
  TraceFilter,
  ValueAction,
  ValueKind,
  ValuePattern,
} from "./types.js";

export { compileRustRegex, RustRegexError, rustToRe2 } from "./regex.js";
export type { RustRegex } from "./regex.js";

export { compileGlob, globProblem, globToRe2, normaliseFilePattern, parseSelector, SCOPE_KINDS, SelectorError, VALUE_KINDS } from "./selector.js";
export { isPythonModuleLikePkg } from "./selector.js";

export { fileRulesFilter, filterRootOf, isInlinePath, MAX_SCHEMA_VERSION, parseTraceFilter, sha256Hex } from "./parse.js";
export type { FileGlobRule } from "./parse.js";
export type { ParseTraceFilterOptions } from "./parse.js";
export { setTraceFilterWarningHandler } from "./parse.js";
export type { TraceFilterWarning } from "./parse.js";

export { stricter } from "./decision.js";
export type { ScopePolicy, ScopeValueKind } from "./decision.js";
export { FilterChain, MODULE_OBJ } from "./chain.js";
export type { FilterChainOptions, MatchedRule, ScopeDecision, ScopeQuery } from "./chain.js";

export { filterPlatform, portablePlatform, setFilterPlatform } from "./platform.js";
export type { FilterPlatform } from "./platform.js";
export { nodePlatform } from "./node/platform.js";

export { FilterStats } from "./stats.js";
export type { FilterMetadata, FilterProvenance, FilterStatsJSON, ValueKindCounts } from "./stats.js";

export { clearPackageNameCache, packageNameOf } from "./node/package-name.js";
export {
  BUILTIN_DEFAULT_PATH,
  builtinDefaultFilter,
  builtinDefaultText,
  discoverProjectFilter,
  expandHome,
  loadTraceFilter,
  readTraceFilterText,
  PROJECT_FILTER_RELATIVE_PATH,
  projectRootOf,
  resolveFilterPaths,
  splitFilterList,
  TRACE_FILTER_ENV,
} from "./node/load.js";
export type { ResolveFilterChainOptions } from "./node/load.js";

export { createRecordingScope, INCLUDE_EXCLUDE_PATH } from "./scope-setup.js";
export type { FilterSource, RecordingScope, RecordingScopeOptions, ScopeFilterText, StackedFilterMetadata } from "./scope-setup.js";
export { builtinDefaultSource, loadRecordingScope, resolveFilterChain } from "./node/scope-setup.js";
export type { RecordingScopeFiles } from "./node/scope-setup.js";
