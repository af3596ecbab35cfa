/**
 * Reading a materialized trace folder (Node.js; docs/trace-format.md: "Folder", "Metadata").
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { ioError, TraceFormatError } from "../errors.js";
import { describe, parseJsonText, parseTraceJson } from "../reader.js";
import { readTraceBinFile } from "./bin-files.js";
import type { TraceFolder } from "../reader.js";
import { TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "../types.js";
import type { TraceMetadata } from "../types.js";

/**
 * Reads a UTF-8 file, or returns `null` if it does not exist.
 *
 * @throws {@link TraceFormatError} `ERR_IO` for any other read error (e.g. `EACCES`, `EISDIR`)
 */
export function readTextFileIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return null;
    throw ioError("read", file, error);
  }
}

/**
 * Reads and parses a JSON side file (`trace_metadata.json`, `trace_paths.json`), or returns
 * `null` if it does not exist.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` on malformed JSON; `ERR_IO` on read
 *   errors
 */
export function readJsonFileIfExists(file: string): { value: unknown } | null {
  const text = readTextFileIfExists(file);
  if (text === null) return null;
  return { value: parseJsonText(text, file) };
}

/**
 * Finds the event file of a trace folder: `trace.json` if present, else `trace.bin` (CodeTracer
 * 2026 checks json first, docs/trace-format.md: "Folder").
 *
 * @param dir - the trace folder
 * @returns the file path and its format
 * @throws {@link TraceFormatError} `ERR_TRACE_MISSING` if neither file exists (or `dir` does not)
 */
export function findEventsFile(dir: string): { file: string; format: "json" | "bin" } {
  const json = path.join(dir, TRACE_JSON_FILE);
  if (fs.existsSync(json)) return { file: json, format: "json" };
  const bin = path.join(dir, TRACE_BIN_FILE);
  if (fs.existsSync(bin)) return { file: bin, format: "bin" };
  throw new TraceFormatError("ERR_TRACE_MISSING", `${dir}: no ${TRACE_JSON_FILE} or ${TRACE_BIN_FILE} in the trace folder`, { dir });
}

/**
 * Reads a materialized trace folder (docs/trace-format.md: "Folder"): the events of `trace.json` (or, when there is
 * none, of the Binary v1 `trace.bin`, docs/trace-format.md: "trace.bin"), plus
 * `trace_paths.json` and `trace_metadata.json` when present (`null` when missing). Nothing is
 * validated beyond the JSON shape of each file; run {@link validateEvents} or use
 * {@link validateTraceFolder}.
 *
 * @param dir - the trace folder
 * @returns the {@link TraceFolder}
 * @throws {@link TraceFormatError}
 *   - `ERR_TRACE_MISSING` if neither `trace.json` nor `trace.bin` exists;
 *   - `ERR_TRACE_INVALID` if `trace.bin` is not a readable Binary v1 file (BinaryV0 Cap'n Proto,
 *     bad header, no seek table because the recording did not finish, corrupt frame or CBOR;
 *     see {@link parseTraceBin}), if a file holds malformed JSON (message and `context` give the file, and the
 *     position/line/column when known), if `trace.json` is not an array, `trace_paths.json` not
 *     an array of strings, or `trace_metadata.json` not an object;
 *   - `ERR_IO` if a file cannot be read.
 */
export function readTraceFolder(dir: string): TraceFolder {
  const found = findEventsFile(dir);
  let events;
  if (found.format === "bin") {
    events = readTraceBinFile(found.file);
  } else {
    const text = readTextFileIfExists(found.file);
    if (text === null) {
      throw new TraceFormatError("ERR_TRACE_MISSING", `${found.file} disappeared while reading`, {
        file: found.file,
      });
    }
    events = parseTraceJson(text, found.file);
  }

  const pathsFile = path.join(dir, TRACE_PATHS_FILE);
  const pathsJson = readJsonFileIfExists(pathsFile);
  let paths: string[] | null = null;
  if (pathsJson !== null) {
    const v = pathsJson.value;
    if (!Array.isArray(v) || !v.every((p: unknown) => typeof p === "string")) {
      throw new TraceFormatError("ERR_TRACE_INVALID", `${pathsFile}: must hold a JSON array of strings, found ${describe(v)}`, { file: pathsFile });
    }
    paths = v as string[];
  }

  const metadataFile = path.join(dir, TRACE_METADATA_FILE);
  const metadataJson = readJsonFileIfExists(metadataFile);
  let metadata: TraceMetadata | null = null;
  if (metadataJson !== null) {
    const v = metadataJson.value;
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new TraceFormatError("ERR_TRACE_INVALID", `${metadataFile}: must hold a JSON object, found ${describe(v)}`, { file: metadataFile });
    }
    metadata = v as TraceMetadata;
  }

  return { dir, format: found.format, events, paths, metadata, eventsFile: found.file };
}
