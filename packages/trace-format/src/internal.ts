/**
 * `@codetracer/trace-format/internal`: what the recorder's own packages (`@codetracer/runtime`,
 * `codetracer-js-recorder`, `unplugin-codetracer`, and the repository's tests) share with this
 * one beyond its documented API (the main entry, docs/trace-format.md). Not part of the public
 * API: any of it may change or go in any release. (The captured built-ins and `joinPath` are
 * the separate subpaths `./internal/primordials` and `./internal/join-path`.)
 *
 * @packageDocumentation
 */

export { ioError } from "./errors.js";

// Strings and floats as the writers encode them (docs/trace-format.md: "trace.json", "The version trap")
export { isWellFormed, toWellFormed, wellFormedDeep } from "./strings.js";
export { floatToString, isRustFloatString, parseRustFloat, RUST_FLOAT_PATTERN } from "./floats.js";

// trace.json writer internals
export { DEFAULT_CHUNK_EVENTS, stringifyOwn } from "./json-writer.js";

// trace.bin: CBOR encoding, layout constants, seek table, zstd (docs/trace-format.md: "trace.bin")
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
export type { SeekTableEntry } from "./bin-format.js";
export { decompressTraceBin, parseSeekTable, scanCborEvents, scanZstdFrames, traceBinVersion } from "./bin-read.js";
export type { CborEventSummary, ScannedFrame } from "./bin-read.js";
export { DEFAULT_ZSTD_LEVEL, hasNodeZstd } from "./zstd.js";
export { readTraceBinSeekTable } from "./node/bin-files.js";
export { EVENT_STREAM_CHUNK_BYTES } from "./node/event-stream.js";

// Metadata checks and the atomic file write the writers use
export { orderTraceMetadata, traceMetadataProblems, tracePathsProblems } from "./metadata.js";
export { writeFileAtomic } from "./node/metadata-files.js";

// Reader pieces
export { parseJsonText } from "./reader.js";
export { numberSource } from "./number-source.js";
export { findEventsFile } from "./node/read-folder.js";

// The one-line summary the recorders print at exit
export { formatBytes, traceSummaryLine } from "./node/summary.js";
export type { TraceSummaryOptions } from "./node/summary.js";

// Validator and renderer pieces
export { MAX_VALUE_DEPTH, mergeReports } from "./validate.js";
export { bigIntOfRecord, createRenderState, formatEvent, formatValue } from "./text.js";
export type { RenderState } from "./text.js";
