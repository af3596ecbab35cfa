/**
 * The package's entries, as a user's `import` sees them (the built `dist/`, resolved through
 * `package.json` `exports`; issue 20 item 3): the main entry exports exactly the documented API
 * (docs/trace-format.md, the package README), so an internal added to `src/index.ts` fails here;
 * the pieces the recorder's own packages share are the `./internal` subpath, which resolves and
 * overlaps the main entry in no name.
 *
 * Needs `npm run build` (or `npx tsc -b`) of this package first.
 */
import { TS_TIMEOUT_MS, declaredNames as declaredNamesFrom, sorted } from "../../../test/utils/public-surface.js";
import { describe, expect, it } from "vitest";

/** Values (functions, classes, constants) of the main entry. */
const MAIN_VALUES = [
  "DEFAULT_FRAME_BYTES",
  "EventLogKind",
  "EventStreamValidator",
  "MemoryByteSink",
  "MemorySink",
  "PENDING_METADATA_FILE",
  "TRACE_BIN_FILE",
  "TRACE_JSON_FILE",
  "TRACE_METADATA_FILE",
  "TRACE_PATHS_FILE",
  "TraceBinWriter",
  "TraceFormatError",
  "TraceJsonWriter",
  "TypeKind",
  "VALIDATION_CODES",
  "ZstdOffload",
  "openBinaryFileSink",
  "openFileSink",
  "parseTraceBin",
  "parseTraceJson",
  "parseUnfinishedTraceJson",
  "readTraceBinFile",
  "readTraceEvents",
  "readTraceFolder",
  "readUnfinishedTrace",
  "renderTrace",
  "repairTraceBin",
  "repairTraceBinBytes",
  "repairTraceJson",
  "repairUnfinishedTrace",
  "serializeTraceMetadata",
  "serializeTracePaths",
  "validateEvents",
  "validateTraceFolder",
  "writeTraceMetadata",
  "writeTracePaths",
  "zstdCodec",
];

/** Types (interfaces, type aliases) of the main entry, besides the values above. */
const MAIN_TYPES = [
  "ByteSink",
  "CallRecord",
  "EventSink",
  "FieldTypeRecord",
  "FrameOffload",
  "FullValueRecord",
  "FunctionId",
  "FunctionRecord",
  "Line",
  "PathId",
  "RecordEvent",
  "RepairedEvents",
  "ReturnRecord",
  "StepRecord",
  "StreamBatchReport",
  "ThreadId",
  "TraceBinFileRepair",
  "TraceBinReadOptions",
  "TraceBinRepair",
  "TraceBinRepairOptions",
  "TraceBinWriterOptions",
  "TraceEventStream",
  "TraceEventStreamOptions",
  "TraceEventWriter",
  "TraceFolder",
  "TraceFormatErrorCode",
  "TraceJsonFileRepair",
  "TraceJsonWriterOptions",
  "TraceLowLevelEvent",
  "TraceMetadata",
  "TraceProcessInfo",
  "TraceThreadInfo",
  "TypeId",
  "TypeRecord",
  "TypeSpecificInfo",
  "UnfinishedFolder",
  "UnfinishedTrace",
  "ValidationCode",
  "ValidationIssue",
  "ValidationOptions",
  "ValidationReport",
  "ValidationStats",
  "ValueRecord",
  "ValueRecordKind",
  "VariableId",
  "ZstdCodec",
  "ZstdOffloadOptions",
];

/** Internals that used to be on the main entry and must not come back (a sample of each kind). */
const INTERNAL_SAMPLE = [
  "CborOutput",
  "encodeStep",
  "encodeValueEvent",
  "decodeEvents",
  "buildSeekTable",
  "TRACE_BIN_HEADER_V1",
  "parseSeekTable",
  "stringifyOwn",
  "toWellFormed",
  "floatToString",
  "traceSummaryLine",
  "writeFileAtomic",
];

/** What the declaration file of `specifier` exports, resolved from this package. */
const declaredNames = (specifier: string) => declaredNamesFrom(specifier, import.meta.url);

describe("@codetracer/trace-format: public surface", () => {
  it(
    "the main entry exports exactly the documented values",
    async () => {
      const main = await import("@codetracer/trace-format");
      expect(sorted(Object.keys(main))).toEqual(sorted(MAIN_VALUES));
    },
    TS_TIMEOUT_MS,
  );

  it(
    "the main entry's declarations name exactly the documented values and types",
    () => {
      expect(declaredNames("@codetracer/trace-format")).toEqual(sorted([...MAIN_VALUES, ...MAIN_TYPES]));
    },
    TS_TIMEOUT_MS,
  );

  it(
    "./internal resolves, holds the internals, and shares no name with the main entry",
    async () => {
      const internal: Record<string, unknown> = await import("@codetracer/trace-format/internal");
      for (const name of INTERNAL_SAMPLE) expect(internal[name], name).toBeDefined();
      const mainNames = new Set([...MAIN_VALUES, ...MAIN_TYPES]);
      expect(declaredNames("@codetracer/trace-format/internal").filter((name) => mainNames.has(name))).toEqual([]);
    },
    TS_TIMEOUT_MS,
  );

  it(
    "the other public subpaths still resolve",
    async () => {
      const jsonWriter = await import("@codetracer/trace-format/json-writer");
      expect(typeof jsonWriter.stringifyJson).toBe("function");
      expect(typeof jsonWriter.TraceJsonWriter).toBe("function");
      const types = await import("@codetracer/trace-format/types");
      expect(types.TRACE_JSON_FILE).toBe("trace.json");
    },
    TS_TIMEOUT_MS,
  );
});
