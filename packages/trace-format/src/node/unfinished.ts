/**
 * The events of a trace folder whose recording did not finish (a process killed with
 * `kill -9`, a write that failed): what reached `trace.json` or `trace.bin` (Node.js), and the
 * streaming repair that finishes such a folder's event file whatever its size.
 *
 * @packageDocumentation
 */

import { joinPath } from "./join-path.js";
import * as fs from "node:fs";
import { parseUnfinishedTraceJson } from "../reader.js";
import { emptyEventSummary, repairTraceBinBytes, type CborEventSummary } from "../bin-read.js";
import { ioError, TraceFormatError } from "../errors.js";
import { TRACE_BIN_FILE, TRACE_JSON_FILE, type TraceLowLevelEvent } from "../types.js";
import { repairTraceBin } from "./bin-files.js";
import { withRepairFile, writeFully } from "./bin-repair.js";
import { JsonArrayScanner } from "./json-scanner.js";
import {
  appendOwn,
  JSONParse,
  MathMax,
  MathMin,
  NumberCtor,
  NumberIsFinite,
  TextDecoderCtor,
  TextDecoderPrototypeDecode,
  TextEncoderCtor,
  TextEncoderPrototypeEncode,
  TypedArrayPrototypeCopyWithin,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  uint8View,
} from "../primordials.js";

// Captured when this module loads, before any program code: the repair runs inside a recording
// process too (`repairTrace` of packages/runtime, for the folder of a worker thread or child
// process that died), where the program may have replaced these (see src/primordials.ts).
const { existsSync, fstatSync, ftruncateSync, readFileSync, readSync } = fs;

const BufferAllocUnsafe = Buffer.allocUnsafe;
const utf8Decoder = new TextDecoderCtor();
const utf8Encoder = new TextEncoderCtor();

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
 * With `repair`, first finishes the event file in place ({@link repairUnfinishedTrace}).
 * Holds every event in memory: for a folder of any size use {@link repairUnfinishedTrace},
 * which does not.
 *
 * @throws {@link TraceFormatError} `ERR_IO` when a file cannot be read or written;
 *   `ERR_TRACE_INVALID` when even the whole events do not parse
 */
export function readUnfinishedTrace(dir: string, options: { repair: boolean }): UnfinishedFolder {
  if (options.repair) repairUnfinishedTrace(dir);
  const jsonFile = joinPath(dir, TRACE_JSON_FILE);
  const binFile = joinPath(dir, TRACE_BIN_FILE);
  let events: TraceLowLevelEvent[];
  if (!existsSync(jsonFile) && existsSync(binFile)) {
    events = repairTraceBinBytes(readFileSync(binFile), { file: binFile }).events;
  } else {
    events = parseUnfinishedTraceJson(readFileSync(jsonFile, "utf8"), jsonFile).events;
  }
  const paths: string[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (typeof e === "object" && "Path" in e) appendOwn(paths, e.Path);
  }
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (typeof e === "object" && "Step" in e) {
      return { events, paths, lastStep: { path: paths[e.Step.path_id] ?? `<path ${e.Step.path_id}>`, line: e.Step.line } };
    }
  }
  return { events, paths };
}

/** What {@link repairUnfinishedTrace} found and did. */
export interface RepairedEvents {
  /** The event file repaired: `trace.json` or `trace.bin`. */
  file: string;
  /** Its format. */
  format: "json" | "bin";
  /** Number of whole events it holds now. */
  events: number;
  /** The `Path` events in order: what `trace_paths.json` must list. */
  paths: string[];
  /** The last recorded step: how far the recording got. */
  lastStep?: { path: string; line: number };
  /** True when the file was finished already (a closed array, a valid seek table): left as it was. */
  alreadyFinished: boolean;
  /** Bytes of a torn last event or frame (or stale seek table) that were cut off. */
  droppedBytes: number;
}

/**
 * Finishes, in place, the event file of a folder whose recording did not finish: `trace.json`
 * if there is one (see {@link repairTraceJson}), else `trace.bin` (see {@link repairTraceBin}).
 * Both are read in bounded chunks, never whole, so a folder of any size is repaired with
 * memory that does not grow with it (the event count, the paths and the last step are all that
 * is kept).
 *
 * @param dir - the trace folder
 * @param options - `write: false` only reads and reports what a repair would do
 * @throws {@link TraceFormatError} `ERR_TRACE_MISSING` when the folder has neither file;
 *   `ERR_IO` when a file cannot be read or written; `ERR_TRACE_INVALID` when the whole events
 *   do not parse
 */
export function repairUnfinishedTrace(dir: string, options: { write?: boolean } = {}): RepairedEvents {
  const jsonFile = joinPath(dir, TRACE_JSON_FILE);
  const binFile = joinPath(dir, TRACE_BIN_FILE);
  let format: "json" | "bin";
  let file: string;
  let found: CborEventSummary & { alreadyFinished: boolean; droppedBytes: number };
  if (existsSync(jsonFile)) {
    format = "json";
    file = jsonFile;
    found = repairTraceJson(jsonFile, options);
  } else if (existsSync(binFile)) {
    format = "bin";
    file = binFile;
    found = repairTraceBin(binFile, options);
  } else {
    throw new TraceFormatError("ERR_TRACE_MISSING", `${dir}: no ${TRACE_JSON_FILE} or ${TRACE_BIN_FILE} in the trace folder`, { dir });
  }
  const step = found.lastStep;
  return {
    file,
    format,
    events: found.events,
    paths: found.paths,
    ...(step ? { lastStep: { path: found.paths[step.pathId] ?? `<path ${step.pathId}>`, line: step.line } } : {}),
    alreadyFinished: found.alreadyFinished,
    droppedBytes: found.droppedBytes,
  };
}

/** What {@link repairTraceJson} found and did. */
export interface TraceJsonFileRepair extends CborEventSummary {
  /** True when the file was a closed array already: nothing was changed. */
  alreadyFinished: boolean;
  /** Bytes after the last whole event that were cut off (a torn event, a trailing comma). */
  droppedBytes: number;
  /** Size of the file afterwards, bytes. */
  size: number;
}

/** Default chunk of {@link repairTraceJson}, bytes. */
export const REPAIR_JSON_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Finishes, in place and chunk by chunk, the `trace.json` of a recording that did not finish:
 * the writer's `[` and whole events (`\n{…}` then `,\n{…}`), perhaps cut inside the last one.
 * The file is read in chunks (8 MiB, grown only to hold one bigger event); a scanner that
 * follows strings (escapes included) and nesting finds where each whole top-level element ends
 * and counts them; only the `Path` events, the last `Step` and the last whole event (what the
 * file will end with) are parsed as JSON, the others are not validated (`validateTraceFolder`
 * does that). The file is then truncated after the last whole event and its array closed
 * (`\n]\n`). Memory does not grow with the file (no 512 MiB string limit). A closed array is
 * left as it is; an empty file or a lone `[` becomes an empty array.
 *
 * @param file - the `trace.json` path
 * @param options - `write: false` only reads and reports; `chunkBytes` the read size
 * @throws {@link TraceFormatError} `ERR_IO` when the file cannot be read or written;
 *   `ERR_TRACE_INVALID` when it does not start with `[`, a `Path` event, the last `Step` or the
 *   last whole event is not valid JSON (or of the wrong shape), a `}` is unbalanced, or
 *   something follows the closing `]`
 */
export function repairTraceJson(file: string, options: { write?: boolean; chunkBytes?: number } = {}): TraceJsonFileRepair {
  const write = options.write ?? true;
  return withRepairFile(file, write, (fd) => repairOpenTraceJson(fd, file, write, MathMax(1024, options.chunkBytes ?? REPAIR_JSON_CHUNK_BYTES)));
}

const QUOTE = 0x22;

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The first key of the object element in `buf[p..end)` is `"Path"` / `"Step"`: 1 / 2, else 0. */
function elementKey(buf: Uint8Array, p: number, end: number): number {
  if (buf[p] !== 0x7b) return 0;
  p++;
  while (p < end && isJsonSpace(buf[p] as number)) p++;
  if (p + 6 > end || buf[p] !== QUOTE || buf[p + 5] !== QUOTE) return 0;
  const a = buf[p + 1];
  if (a === 0x50 && buf[p + 2] === 0x61 && buf[p + 3] === 0x74 && buf[p + 4] === 0x68) return 1; // Path
  if (a === 0x53 && buf[p + 2] === 0x74 && buf[p + 3] === 0x65 && buf[p + 4] === 0x70) return 2; // Step
  return 0;
}

function repairOpenTraceJson(fd: number, file: string, write: boolean, chunkBytes: number): TraceJsonFileRepair {
  const size = fstatSync(fd).size;
  const summary = emptyEventSummary();
  const invalid = (message: string, offset: number) => scanner.invalid(message, offset);
  let buf: Uint8Array = BufferAllocUnsafe(chunkBytes);
  let bufStart = 0; // file offset of buf[0]
  let bufLength = 0;
  let scanned = 0; // file offset of the next byte to scan
  const scanner = new JsonArrayScanner(file);
  let lastStart = -1; // file offset of the last whole element
  let lastEnd = -1; // file offset just after it
  let stepStart = -1; // the last whole Step element not parsed yet
  let stepEnd = -1;

  /** Parses the element at [start, end) of the file, in `buf`. */
  const parseElement = (start: number, end: number): unknown => {
    const text = TextDecoderPrototypeDecode(utf8Decoder, uint8View(buf, start - bufStart, end - bufStart));
    try {
      return JSONParse(text) as unknown;
    } catch (error) {
      const reason =
        error !== null && typeof error === "object" && typeof (error as { message?: unknown }).message === "string" ? `: ${(error as Error).message}` : "";
      throw invalid(`malformed JSON event${reason}`, start);
    }
  };
  const takeStep = () => {
    if (stepStart < 0) return;
    const s = (parseElement(stepStart, stepEnd) as { Step?: { path_id?: unknown; line?: unknown } | null }).Step;
    const pathId = NumberCtor(s?.path_id);
    const line = NumberCtor(s?.line);
    if (!NumberIsFinite(pathId) || !NumberIsFinite(line)) throw invalid("a Step event without a numeric path_id and line", stepStart);
    summary.lastStep = { pathId, line };
    stepStart = -1;
  };
  /** A whole element at [start, end): count it, take a Path, remember a Step. */
  const element = (start: number, end: number) => {
    const key = elementKey(buf, start - bufStart, end - bufStart);
    if (key === 1) {
      const p = (parseElement(start, end) as { Path?: unknown }).Path;
      if (typeof p !== "string") throw invalid(`event #${summary.events}: a Path event whose value is not a string`, start);
      appendOwn(summary.paths, p);
    } else if (key === 2) {
      stepStart = start;
      stepEnd = end;
    }
    summary.events++;
    lastStart = start;
    lastEnd = end;
  };

  for (;;) {
    const end = bufStart + bufLength;
    scanner.scan(buf, bufStart, scanned, end, element);
    scanned = end;
    if (end >= size) break;
    // Keep the last whole element and the one under way; read on.
    takeStep();
    const keepFrom = lastStart >= bufStart ? lastStart : scanner.elementStart >= 0 ? scanner.elementStart : end;
    const kept = end - keepFrom;
    const bufSize = TypedArrayPrototypeGetLength(buf);
    if (kept > bufSize / 2) {
      const bigger = BufferAllocUnsafe(bufSize * 2);
      TypedArrayPrototypeSet(bigger, uint8View(buf, keepFrom - bufStart, end - bufStart), 0);
      buf = bigger;
    } else if (kept > 0) {
      TypedArrayPrototypeCopyWithin(buf, 0, keepFrom - bufStart, end - bufStart);
    }
    bufStart = keepFrom;
    bufLength = kept;
    let n: number;
    try {
      n = readSync(fd, buf, bufLength, MathMin(TypedArrayPrototypeGetLength(buf) - bufLength, size - end), end);
    } catch (error) {
      throw ioError("read", file, error);
    }
    if (n === 0) break; // the file shrank while read
    bufLength += n;
  }
  takeStep();
  // The last whole event is what the file will end with: it must be valid JSON.
  if (lastStart >= 0) parseElement(lastStart, lastEnd);
  if (scanner.phase === 2) return { ...summary, alreadyFinished: true, droppedBytes: 0, size };
  // Unfinished: cut after the last whole element (or after `[`), close the array.
  const cut = lastEnd >= 0 ? lastEnd : scanner.arrayOpen >= 0 ? scanner.arrayOpen : 0;
  const tail = TextEncoderPrototypeEncode(utf8Encoder, cut === 0 ? "[\n]\n" : "\n]\n");
  const tailLength = TypedArrayPrototypeGetLength(tail);
  if (write) {
    try {
      ftruncateSync(fd, cut);
    } catch (error) {
      throw ioError("write", file, error);
    }
    writeFully(fd, tail, cut, file);
  }
  return { ...summary, alreadyFinished: false, droppedBytes: size - cut, size: cut + tailLength };
}
