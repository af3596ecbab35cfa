/**
 * The runtime's entries, as a front door's `import` sees them (the built `dist/`, resolved
 * through `package.json` `exports`): the main entry has exactly the documented session API,
 * errors, policy and limits (docs/recording.md, docs/errors.md); `./internal` exactly what the
 * front doors share beyond it (sessions for loaders, threads and children, environment names,
 * the log); the two share no name. A name added to `src/index.ts` or `src/internal.ts` fails
 * here; the recorder, host, ABI and attribute policy are the other subpaths, which still resolve.
 *
 * Needs `npx tsc -b` of this package first.
 */
import { TS_TIMEOUT_MS, declaredNames as declaredNamesFrom, sorted } from "../../../test/utils/public-surface.js";
import { describe, expect, it } from "vitest";

/** Values (functions, classes, constants) of the main entry. */
const MAIN_VALUES = [
  "DEFAULT_FORMAT",
  "DEFAULT_POLICY",
  "DEFAULT_VALUE_LIMITS",
  "EnvironmentError",
  "InternalError",
  "RECORDER_NAME",
  "RECORDER_VERSION",
  "RecorderError",
  "TRACE_BINARY",
  "TRACE_JSON",
  "TargetError",
  "TraceSession",
  "UsageError",
  "configurePolicy",
  "flush",
  "installExitHooks",
  "isRecorderErrorLike",
  "isTracing",
  "policySnapshot",
  "repairTrace",
  "resetPolicy",
  "start",
  "startSession",
  "stop",
  "trace",
];

/** Values of `./internal`: what the front doors share beyond the documented API. */
const INTERNAL_VALUES = [
  "EXCLUDE_ENV",
  "INCLUDE_ENV",
  "LIMIT_VARIABLES",
  "PENDING_METADATA_FILE",
  "TRACE_DIR_ENV",
  "WORKSPACE_DIFF_FILE",
  "addRealmBuiltins",
  "asRecorderError",
  "autoStartFromEnv",
  "checkTraceDirLock",
  "checkTraceFormat",
  "configurePolicyFromEnv",
  "ensureTraceDir",
  "errorTrailer",
  "finishAbandonedTrace",
  "fromTraceFilterError",
  "getRunId",
  "globsFromEnv",
  "inheritedRecording",
  "installIdleRuntime",
  "isEnvTrue",
  "limitsFromEnv",
  "log",
  "parseEnvBoolean",
  "policyFromEnv",
  "printStartError",
  "processRecording",
  "runtimeHost",
  "setLoaderInfo",
  "setRunId",
  "shareRecordingWithChildren",
  "shareRecordingWithWorkers",
  "startThreadSession",
  "traceDirFromEnv",
];

/** Types (interfaces, type aliases) of the main entry, besides the values above. */
const MAIN_TYPES = [
  "DetachReason",
  "LogLevel",
  "MetricUpdate",
  "OnRecorderError",
  "RecorderErrorCode",
  "RecorderErrorKind",
  "RecorderPolicy",
  "RepairResult",
  "StartOptions",
  "TraceFormat",
  "ValueCaptureLimits",
];

/** Types of `./internal`. */
const INTERNAL_TYPES = ["LoaderInfo", "LogDetails"];

/** What the main entry had and no longer has, with the subpath that has it (or none: package-private). */
const MOVED: Record<string, string | null> = {
  attrPolicyOf: "@codetracer/runtime/attr-policy",
  Recorder: "@codetracer/runtime/recorder",
  RuntimeHost: "@codetracer/runtime/host",
  ABI_VERSION: "@codetracer/runtime/abi",
  getTraceId: null,
  startThreadSession: "@codetracer/runtime/internal",
  log: "@codetracer/runtime/internal",
  onPolicyChange: null,
};

/** What the declaration file of `specifier` exports, resolved from this package. */
const declaredNames = (specifier: string) => declaredNamesFrom(specifier, import.meta.url);

describe("@codetracer/runtime: public surface", () => {
  it(
    "the main entry exports exactly the listed values",
    async () => {
      const main = await import("@codetracer/runtime");
      expect(sorted(Object.keys(main))).toEqual(sorted(MAIN_VALUES));
    },
    TS_TIMEOUT_MS,
  );

  it(
    "the main entry's declarations name exactly the listed values and types",
    () => {
      expect(declaredNames("@codetracer/runtime")).toEqual(sorted([...MAIN_VALUES, ...MAIN_TYPES]));
    },
    TS_TIMEOUT_MS,
  );

  it(
    "./internal exports exactly the listed values and types, none of them also on the main entry",
    async () => {
      const internal = await import("@codetracer/runtime/internal");
      expect(sorted(Object.keys(internal))).toEqual(sorted(INTERNAL_VALUES));
      expect(declaredNames("@codetracer/runtime/internal")).toEqual(sorted([...INTERNAL_VALUES, ...INTERNAL_TYPES]));
      const main = new Set([...MAIN_VALUES, ...MAIN_TYPES]);
      expect([...INTERNAL_VALUES, ...INTERNAL_TYPES].filter((name) => main.has(name))).toEqual([]);
    },
    TS_TIMEOUT_MS,
  );

  it(
    "what left the main entry is on its subpath (AttrPolicy, FilterCounters, … are ./recorder's types)",
    async () => {
      for (const [name, subpath] of Object.entries(MOVED)) {
        expect(MAIN_VALUES, name).not.toContain(name);
        if (subpath === null) continue;
        const mod: Record<string, unknown> = await import(subpath);
        expect(mod[name], `${name} in ${subpath}`).toBeDefined();
      }
      const recorderTypes = declaredNames("@codetracer/runtime/recorder");
      for (const name of ["AttrPolicy", "FilterCounters", "RuntimeScopeDecision", "RuntimeValueAction"]) expect(recorderTypes, name).toContain(name);
    },
    TS_TIMEOUT_MS,
  );
});
