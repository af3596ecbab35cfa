/**
 * `@codetracer/trace-format`: runtime_tracing events, values and types; the streaming
 * `trace.json` writer; the streaming `trace.bin` writer (Binary v1: CBOR + seekable zstd) and
 * its reader and repair; metadata and paths writers; the folder reader; the validator; and a
 * text renderer. What it writes and why: docs/trace-format.md.
 *
 * This entry is the documented API. The pieces the recorder's own packages share (the CBOR
 * encoders, the `trace.bin` layout constants and seek-table parsing, the zstd codec, float and
 * string helpers, the summary line) are `@codetracer/trace-format/internal`: not part of the
 * public API, and they may change in any release.
 *
 * @packageDocumentation
 */

// Events, values and types; the file names of a trace folder (docs/trace-format.md: "Folder", "Events")
export { EventLogKind, TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE, PENDING_METADATA_FILE, TypeKind } from "./types.js";
export type {
  CallRecord,
  FieldTypeRecord,
  FullValueRecord,
  FunctionId,
  FunctionRecord,
  Line,
  PathId,
  RecordEvent,
  ReturnRecord,
  StepRecord,
  ThreadId,
  TraceLowLevelEvent,
  TraceMetadata,
  TraceEventWriter,
  TraceProcessInfo,
  TraceThreadInfo,
  TypeId,
  TypeRecord,
  TypeSpecificInfo,
  ValueRecord,
  ValueRecordKind,
  VariableId,
} from "./types.js";

export { TraceFormatError } from "./errors.js";
export type { TraceFormatErrorCode } from "./errors.js";

// trace.json (docs/trace-format.md: "trace.json")
export { TraceJsonWriter } from "./json-writer.js";
export type { EventSink, TraceJsonWriterOptions } from "./json-writer.js";
export { MemorySink } from "./memory-sink.js";
export { openBinaryFileSink, openFileSink } from "./node/file-sink.js";

// trace.bin, CodeTracer Binary v1 (docs/trace-format.md: "trace.bin")
export { DEFAULT_FRAME_BYTES, MemoryByteSink, TraceBinWriter } from "./bin-writer.js";
export type { ByteSink, FrameOffload, TraceBinWriterOptions } from "./bin-writer.js";
export { zstdCodec } from "./zstd.js";
export type { ZstdCodec } from "./zstd.js";
export { ZstdOffload } from "./node/zstd-offload.js";
export type { ZstdOffloadOptions } from "./node/zstd-offload.js";
export { parseTraceBin, repairTraceBinBytes } from "./bin-read.js";
export type { TraceBinReadOptions, TraceBinRepair } from "./bin-read.js";
export { readTraceBinFile, repairTraceBin } from "./node/bin-files.js";
export type { TraceBinFileRepair, TraceBinRepairOptions } from "./node/bin-files.js";

// Metadata and paths (docs/trace-format.md: "Metadata", "Paths")
export { serializeTraceMetadata, serializeTracePaths } from "./metadata.js";
export { writeTraceMetadata, writeTracePaths } from "./node/metadata-files.js";

// Reading, partial traces and repair (docs/trace-format.md: "Partial traces and repair")
export { parseTraceJson, parseUnfinishedTraceJson } from "./reader.js";
export type { TraceFolder, UnfinishedTrace } from "./reader.js";
export { readTraceFolder } from "./node/read-folder.js";
export { readTraceEvents } from "./node/event-stream.js";
export type { TraceEventStream, TraceEventStreamOptions } from "./node/event-stream.js";
export { readUnfinishedTrace, repairTraceJson, repairUnfinishedTrace } from "./node/unfinished.js";
export type { RepairedEvents, TraceJsonFileRepair, UnfinishedFolder } from "./node/unfinished.js";

// Validation (docs/trace-format.md: "Ordering"; docs/commands.md: "validate")
export { EventStreamValidator, VALIDATION_CODES, validateEvents } from "./validate.js";
export type { StreamBatchReport, ValidationCode, ValidationIssue, ValidationOptions, ValidationReport, ValidationStats } from "./validate.js";
export { validateTraceFolder } from "./node/validate-folder.js";

// Text rendering of an event stream (one line per event)
export { renderTrace } from "./text.js";
