/**
 * Atomic writers of `trace_metadata.json` and `trace_paths.json` (Node.js; docs/trace-format.md: "Folder", "Metadata").
 *
 * @packageDocumentation
 */

import { joinPath } from "./join-path.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { ioError } from "../errors.js";
import { serializeTraceMetadata, serializeTracePaths } from "../metadata.js";
import { TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "../types.js";
import type { TraceMetadata } from "../types.js";
import { TextEncoderCtor, TextEncoderPrototypeEncode, TypedArrayPrototypeGetLength } from "../primordials.js";

// Captured when this module loads, before any program code: a recorded program may replace the
// members of Node's `fs` and `path` (see src/primordials.ts). `fs.writeFileSync` is not used: it
// calls `fs.openSync` and `fs.writeSync` through the module object; nor `Buffer.from`, which
// calls `Buffer.prototype.utf8Write` (text is encoded by the TextEncoder of load time).
const { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } = fs;
const { dirname } = path;

/**
 * `<dir>/<name>`. Not `path.join`: Node's own (20.x) stores with `Array.prototype.push`, which a
 * program can replace.
 */
const utf8 = new TextEncoderCtor();

/** Writes all of `text` (UTF-8) to a new file `file` (created or truncated). */
function writeWholeFile(file: string, text: string): void {
  const bytes = TextEncoderPrototypeEncode(utf8, text);
  const fd = openSync(file, "w");
  try {
    let offset = 0;
    const length = TypedArrayPrototypeGetLength(bytes);
    while (offset < length) offset += writeSync(fd, bytes, offset, length - offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` to `file` atomically: to `<file>.tmp` first, then `rename` over `file`, so a
 * reader never sees a half-written file. Synchronous (usable from `process.on("exit")`).
 *
 * @param file - destination path; its directory is created if missing
 * @param text - contents, written as UTF-8
 * @throws {@link TraceFormatError} `ERR_IO` if any step fails (the `.tmp` file is removed)
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeWholeFile(tmp, text);
  } catch (error) {
    removeQuietly(tmp);
    throw ioError("write", tmp, error);
  }
  try {
    renameSync(tmp, file);
  } catch (error) {
    removeQuietly(tmp);
    throw ioError("rename", file, error);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // best effort
  }
}

/**
 * Writes `<dir>/trace_metadata.json` atomically (docs/trace-format.md: "Metadata"): compact JSON, keys `workdir`,
 * `program`, `args` first, then the extras (e.g. `recorder`) in their order.
 *
 * @param dir - the trace folder (created if missing)
 * @param metadata - `workdir` (absolute path), `program` (absolute path of the main script),
 *   `args` (the program's arguments), plus optional extra keys
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if a required field is missing or of the
 *   wrong type; `ERR_IO` if the file cannot be written
 */
export function writeTraceMetadata(dir: string, metadata: TraceMetadata): void {
  writeFileAtomic(joinPath(dir, TRACE_METADATA_FILE), serializeTraceMetadata(metadata));
}

/**
 * Writes `<dir>/trace_paths.json` atomically (docs/trace-format.md: "Metadata"): the JSON array of paths, index =
 * `PathId`, which must equal the `Path` events in order.
 *
 * @param dir - the trace folder (created if missing)
 * @param paths - the registered paths in `PathId` order
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if an entry is not a string; `ERR_IO` if
 *   the file cannot be written
 */
export function writeTracePaths(dir: string, paths: readonly string[]): void {
  writeFileAtomic(joinPath(dir, TRACE_PATHS_FILE), serializeTracePaths(paths));
}
