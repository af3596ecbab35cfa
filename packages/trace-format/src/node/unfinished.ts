/**
 * The events of a trace folder whose recording did not finish (a process killed with
 * `kill -9`, a write that failed): what reached `trace.json` or `trace.bin` (Node.js).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { parseUnfinishedTraceJson } from "../reader.js";
import { repairTraceBinBytes } from "../bin-format.js";
import { TRACE_BIN_FILE, TRACE_JSON_FILE, type TraceLowLevelEvent } from "../types.js";
import { repairTraceBin } from "./bin-files.js";

/** What {@link readUnfinishedTrace} found. */
export interface UnfinishedFolder {
  /** The whole events (an event or zstd frame cut by the kill is left out). */
  events: TraceLowLevelEvent[];
  /** The `Path` events in order: what `trace_paths.json` must list. */
  paths: string[];
  /** The last recorded step: how far the recording got. */
  lastStep?: { path: string; line: number };
}

/**
 * Reads the events of an unfinished folder: `trace.json` if there is one, else `trace.bin`.
 * With `repair`, also finishes the event file in place: `trace.json` is cut after its last whole
 * event and its array closed; `trace.bin` gets its torn frame dropped and a seek table appended.
 *
 * @throws {@link TraceFormatError} `ERR_IO` when a file cannot be read or written;
 *   `ERR_TRACE_INVALID` when even the whole events do not parse
 */
export function readUnfinishedTrace(dir: string, options: { repair: boolean }): UnfinishedFolder {
  const jsonFile = path.join(dir, TRACE_JSON_FILE);
  const binFile = path.join(dir, TRACE_BIN_FILE);
  let events: TraceLowLevelEvent[];
  if (!fs.existsSync(jsonFile) && fs.existsSync(binFile)) {
    events = options.repair ? repairTraceBin(binFile).events : repairTraceBinBytes(fs.readFileSync(binFile), { file: binFile }).events;
  } else {
    const text = fs.readFileSync(jsonFile, "utf8");
    const unfinished = parseUnfinishedTraceJson(text, jsonFile);
    events = unfinished.events;
    if (options.repair && !unfinished.closed) {
      fs.truncateSync(jsonFile, Buffer.byteLength(text.slice(0, unfinished.keep), "utf8"));
      fs.appendFileSync(jsonFile, "\n]\n");
    }
  }
  const paths = events.flatMap((e) => (typeof e === "object" && "Path" in e ? [e.Path] : []));
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (typeof e === "object" && "Step" in e) {
      return { events, paths, lastStep: { path: paths[e.Step.path_id] ?? `<path ${e.Step.path_id}>`, line: e.Step.line } };
    }
  }
  return { events, paths };
}
