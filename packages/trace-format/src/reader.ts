/**
 * Pure `trace.json` parsing (docs/trace-format.md: "trace.json"). The folder reader is `node/read-folder.ts`.
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { recordNumberSource } from "./number-source.js";
import type { TraceLowLevelEvent, TraceMetadata } from "./types.js";

/**
 * A materialized trace folder as read by `readTraceFolder` (docs/trace-format.md: "Folder"):
 * - `dir`: the folder, as given;
 * - `format`: the event file that was read: `"json"` (`trace.json`) or `"bin"` (`trace.bin`);
 * - `events`: the parsed events, unvalidated (run {@link validateEvents} on them);
 * - `paths`: `trace_paths.json`, or `null` if the file is missing;
 * - `metadata`: `trace_metadata.json`, or `null` if the file is missing (its fields are not
 *   checked here; {@link validateTraceFolder} does);
 * - `eventsFile`: the path of the event file that was read.
 */
export interface TraceFolder {
  dir: string;
  format: "json" | "bin";
  events: TraceLowLevelEvent[];
  paths: string[] | null;
  metadata: TraceMetadata | null;
  eventsFile: string;
}

/** Key of the wrapper objects; the JSON text spells it with a `\u0000` escape. */
const MARKER_KEY = "\u0000ct-number-literal";
const MARKER_JSON = '"\\u0000ct-number-literal"';

/**
 * Cheap pre-check: number-like tokens right after `:`, `[` or `,` that have a fraction or
 * exponent, or ≥ 16 digits. Every ambiguous literal outside strings matches it; matches inside
 * strings only cost the precise scan below.
 */
const CANDIDATE = /[:[,]\s*(-?(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|[0-9]{16,}))/g;

/** True for a literal whose JS number hides what serde_json sees (see `number-source.ts`). */
function isAmbiguousLiteral(literal: string): boolean {
  if (/[.eE]/.test(literal)) return Number.isInteger(Number(literal));
  return literal.length - (literal.startsWith("-") ? 1 : 0) >= 16;
}

function hasAmbiguousCandidate(text: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    if (m[1] !== undefined && isAmbiguousLiteral(m[1])) return true;
  }
  return false;
}

/**
 * Finds number literals whose JS value would hide what serde_json sees (integral values written
 * with a fraction/exponent, and integers of ≥ 16 digits) and returns the text with each one
 * wrapped as `{"<marker>":"<literal>"}`, or `undefined` when there are none.
 */
function markAmbiguousNumbers(text: string): string | undefined {
  if (!hasAmbiguousCandidate(text)) return undefined;
  const token = /"[^"\\]*(?:\\[\s\S][^"\\]*)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/g;
  let out: string[] | undefined;
  let last = 0;
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    const literal = m[0];
    if (literal.charCodeAt(0) === 34 /* " */ || !isAmbiguousLiteral(literal)) continue;
    out ??= [];
    out.push(text.slice(last, m.index), `{${MARKER_JSON}:"${literal}"}`);
    last = m.index + literal.length;
  }
  if (out === undefined) return undefined;
  out.push(text.slice(last));
  return out.join("");
}

function reviveMarkers(this: unknown, key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const literal = (value as Record<string, unknown>)[MARKER_KEY];
    if (typeof literal === "string" && Object.keys(value).length === 1) {
      if (this !== null && typeof this === "object") recordNumberSource(this, key, literal);
      return Number(literal);
    }
  }
  return value;
}

function positionDetails(message: string, text: string): Record<string, string> {
  const m = /position (\d+)/.exec(message);
  if (m === null || m[1] === undefined) return {};
  const position = Number(m[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return { position: String(position), line: String(line), column: String(column) };
}

/**
 * Parses `text` as JSON for a trace file, with errors carrying the file and position.
 *
 * @param text - the JSON text
 * @param file - the file name used in messages and `context.file` (default `"trace.json"`)
 * @param keepNumberSources - record ambiguous number literals (see `number-source.ts`)
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` on malformed JSON; `context` has `file`
 *   and, when `JSON.parse` reports one, `position` (0-based UTF-16 offset), `line`, `column`
 *   (1-based)
 */
export function parseJsonText(text: string, file = "trace.json", keepNumberSources = false): unknown {
  try {
    if (keepNumberSources) {
      const marked = markAmbiguousNumbers(text);
      if (marked !== undefined) {
        try {
          return JSON.parse(marked, reviveMarkers) as unknown;
        } catch {
          // fall through: report the error against the original text
        }
      }
    }
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const details = positionDetails(message, text);
    const where = details.line !== undefined ? ` at line ${details.line}, column ${details.column}` : "";
    throw new TraceFormatError("ERR_TRACE_INVALID", `${file}: malformed JSON${where}: ${message}`, { file, ...details }, error);
  }
}

/**
 * Parses the text of a `trace.json` (docs/trace-format.md: "trace.json"): a JSON array of events. Events are returned as
 * parsed, not validated (use {@link validateEvents}). A literal `-0` stays `-0` (`JSON.parse`
 * keeps it), and integral literals written as floats (`1.0`, `1e2`) or integers of ≥ 16 digits are
 * remembered in a side table so that the validator can reject them in integer fields as
 * serde_json does (docs/trace-format.md: "trace.json").
 *
 * @param text - the whole file text (a byte-order mark is rejected, as serde_json does)
 * @param file - name used in error messages; default `"trace.json"`
 * @returns the events, in file order
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for malformed JSON (with `file`,
 *   `position`, `line`, `column` in `context` when known) or when the top level is not an array
 */
export function parseTraceJson(text: string, file = "trace.json"): TraceLowLevelEvent[] {
  const value = parseJsonText(text, file, true);
  if (!Array.isArray(value)) {
    throw new TraceFormatError("ERR_TRACE_INVALID", `${file}: the top level must be a JSON array of events, found ${describe(value)}`, { file });
  }
  return value as TraceLowLevelEvent[];
}

/** What {@link parseUnfinishedTraceJson} recovered. */
export interface UnfinishedTrace {
  /** The complete events. */
  events: TraceLowLevelEvent[];
  /** The length (UTF-16 units) of the text holding them: the rest is a torn last event, if any. */
  keep: number;
  /** True when the text was a finished array already. */
  closed: boolean;
}

/**
 * Parses the `trace.json` of a recording that did not finish: the writer's `[` and whole
 * events (`\n{…}` then `,\n{…}`), perhaps cut inside the last one (a process killed during a
 * write, a full disk). Returns the complete events and how much of the text they take.
 *
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` when even the complete lines do not parse.
 */
export function parseUnfinishedTraceJson(text: string, file = "trace.json"): UnfinishedTrace {
  if (/\]\s*$/.test(text)) return { events: parseTraceJson(text, file), keep: text.length, closed: true };
  let keep = text.replace(/\s+$/, "").length;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const body = text.slice(0, keep).replace(/,\s*$/, "");
      return { events: parseTraceJson(`${body}\n]\n`, file), keep: body.length, closed: false };
    } catch (error) {
      const cut = text.lastIndexOf("\n", keep - 1);
      if (attempt === 1 || cut < 0) throw error;
      keep = cut; // drop the torn last line
    }
  }
  throw new TraceFormatError("ERR_TRACE_INVALID", `${file}: cannot recover the events`, { file });
}

/** A short description of a JSON value's type for messages: `"an object"`, `"null"`, … */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "object":
      return "an object";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    default:
      return typeof value;
  }
}
