/**
 * `@codetracer/trace-format`: runtime_tracing events, values and types; the streaming
 * `trace.json` writer; the streaming `trace.bin` writer (Binary v1: CBOR + seekable zstd) and
 * its reader and repair; metadata and paths writers; the folder reader; the validator; and a
 * text renderer. What it writes and why: docs/trace-format.md.
 *
 * @packageDocumentation
 */

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

export { ioError, TraceFormatError } from "./errors.js";
export type { TraceFormatErrorCode } from "./errors.js";

export { isWellFormed, toWellFormed, wellFormedDeep } from "./strings.js";
export { floatToString, isRustFloatString, parseRustFloat, RUST_FLOAT_PATTERN } from "./floats.js";

export { DEFAULT_CHUNK_EVENTS, TraceJsonWriter, stringifyJson, stringifyOwn } from "./json-writer.js";
export type { EventSink, TraceJsonWriterOptions } from "./json-writer.js";
export { MemorySink } from "./memory-sink.js";
export { openBinaryFileSink, openFileSink } from "./node/file-sink.js";
export { ZstdOffload } from "./node/zstd-offload.js";
export type { ZstdOffloadOptions } from "./node/zstd-offload.js";

// trace.bin, CodeTracer Binary v1 (docs/trace-format.md: "trace.bin")
export { DEFAULT_FRAME_BYTES, MemoryByteSink, TraceBinWriter } from "./bin-writer.js";
export type { ByteSink, FrameOffload, TraceBinWriterOptions } from "./bin-writer.js";
export { CborOutput, decodeCborItem, decodeEvents, encodeCall, encodeEvent, encodeEventBytes, encodeReturn, encodeStep, encodeValueEvent } from "./cbor.js";
export {
  buildSeekTable,
  EMPTY_TRACE_BIN,
  EMPTY_ZSTD_FRAME,
  SEEK_TABLE_FOOTER_SIZE,
  SEEK_TABLE_SKIPPABLE_MAGIC,
  SEEKABLE_MAGIC,
  SEEKABLE_MAX_FRAME_SIZE,
  TRACE_BIN_HEADER_V0,
  TRACE_BIN_HEADER_V1,
  ZSTD_FRAME_MAGIC,
} from "./bin-format.js";
export { decompressTraceBin, parseSeekTable, parseTraceBin, repairTraceBinBytes, scanCborEvents, scanZstdFrames, traceBinVersion } from "./bin-read.js";
export type { SeekTableEntry } from "./bin-format.js";
export type { CborEventSummary, ScannedFrame, TraceBinReadOptions, TraceBinRepair } from "./bin-read.js";
export { DEFAULT_ZSTD_LEVEL, hasNodeZstd, zstdCodec } from "./zstd.js";
export type { ZstdCodec } from "./zstd.js";
export { readTraceBinFile, readTraceBinSeekTable, repairTraceBin } from "./node/bin-files.js";
export type { TraceBinFileRepair, TraceBinRepairOptions } from "./node/bin-files.js";
export { readUnfinishedTrace, repairTraceJson, repairUnfinishedTrace } from "./node/unfinished.js";
export type { RepairedEvents, TraceJsonFileRepair, UnfinishedFolder } from "./node/unfinished.js";
export { EVENT_STREAM_CHUNK_BYTES, readTraceEvents, type TraceEventStream, type TraceEventStreamOptions } from "./node/event-stream.js";

export { orderTraceMetadata, serializeTraceMetadata, serializeTracePaths, traceMetadataProblems, tracePathsProblems } from "./metadata.js";
export { writeFileAtomic, writeTraceMetadata, writeTracePaths } from "./node/metadata-files.js";

export { parseJsonText, parseTraceJson, parseUnfinishedTraceJson } from "./reader.js";
export type { UnfinishedTrace } from "./reader.js";
export type { TraceFolder } from "./reader.js";
export { numberSource } from "./number-source.js";
export { findEventsFile, readTraceFolder } from "./node/read-folder.js";
export { formatBytes, traceSummaryLine } from "./node/summary.js";
export type { TraceSummaryOptions } from "./node/summary.js";

export { EventStreamValidator, MAX_VALUE_DEPTH, mergeReports, VALIDATION_CODES, validateEvents } from "./validate.js";
export type { StreamBatchReport, ValidationCode, ValidationIssue, ValidationOptions, ValidationReport, ValidationStats } from "./validate.js";
export { validateTraceFolder } from "./node/validate-folder.js";

export { bigIntOfRecord, createRenderState, formatEvent, formatValue, renderTrace } from "./text.js";
export type { RenderState } from "./text.js";
