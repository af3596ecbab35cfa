/**
 * What every `codetracer-trace` command first does with its `DIR` argument: tell a trace folder
 * from anything else, and say clearly what is wrong when it is not one (docs/commands.md).
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PENDING_METADATA_FILE, TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE, type TraceMetadata } from "@codetracer/trace-format";

/** Exit code of a command whose `DIR` is not a trace folder, or of a usage error. */
export const EXIT_USAGE = 2;

/** A command failed in a way the user must fix: printed as `codetracer-trace: <message>`, exits with `exitCode`. */
export class TraceCommandError extends Error {
  constructor(
    message: string,
    /** The process exit code (2: usage or not a trace folder; 1: the trace is invalid or unreadable). */
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = "TraceCommandError";
  }
}

/** A trace folder as the commands see it, before its events are read. */
export interface TraceFolderInfo {
  /** The folder (absolute). */
  dir: string;
  /** The event file (absolute): `trace.json` when present, else `trace.bin` (as CodeTracer picks). */
  eventsFile: string;
  /** `json` or `binary`. */
  format: "json" | "binary";
  /** Size of the event file in bytes. */
  eventsBytes: number;
  /** `trace_metadata.json`, or for an unfinished recording `trace_metadata.pending.json`; `null` when neither parses. */
  metadata: TraceMetadata | null;
  /** True when the folder has no `trace_metadata.json` (a recording still running, or killed: `codetracer-js-recorder --repair DIR` finishes it). */
  unfinished: boolean;
  /** The folders of worker threads and child processes the metadata lists (absolute, existing ones only), in its order. */
  subFolders: Array<{ kind: "worker" | "child"; dir: string }>;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  } catch {
    return null;
  }
}

/**
 * Opens `dir` as a trace folder.
 *
 * @param dir - the folder (relative to the working directory or absolute)
 * @returns what is known of it without reading its events
 * @throws {@link TraceCommandError} (exit 2) when `dir` does not exist, is not a folder, or
 *   holds neither `trace.json` nor `trace.bin`; the message names what is missing and, when
 *   `dir` holds trace folders one level down (a dev server's or vitest's folder of folders),
 *   lists them.
 */
export function openTraceFolder(dir: string): TraceFolderInfo {
  const abs = path.resolve(dir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new TraceCommandError(`${dir}: no such folder`);
  }
  if (!stat.isDirectory()) throw new TraceCommandError(`${dir}: not a folder (give the trace folder, the one holding ${TRACE_BIN_FILE} or ${TRACE_JSON_FILE})`);
  const json = path.join(abs, TRACE_JSON_FILE);
  const bin = path.join(abs, TRACE_BIN_FILE);
  const eventsFile = fs.existsSync(json) ? json : fs.existsSync(bin) ? bin : null;
  if (!eventsFile) {
    const inner = fs
      .readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.isDirectory() && (fs.existsSync(path.join(abs, e.name, TRACE_BIN_FILE)) || fs.existsSync(path.join(abs, e.name, TRACE_JSON_FILE))))
      .map((e) => path.join(dir, e.name))
      .sort();
    const hint = inner.length > 0 ? `; it holds trace folders: ${inner.slice(0, 5).join(", ")}${inner.length > 5 ? `, … (${inner.length} in all)` : ""}` : "";
    throw new TraceCommandError(`${dir}: not a trace folder: it has neither ${TRACE_BIN_FILE} nor ${TRACE_JSON_FILE}${hint}`);
  }
  const finished = readJson(path.join(abs, TRACE_METADATA_FILE)) as TraceMetadata | null;
  const pending = finished ? null : (readJson(path.join(abs, PENDING_METADATA_FILE)) as TraceMetadata | null);
  const metadata = finished ?? pending;
  const subFolders: TraceFolderInfo["subFolders"] = [];
  for (const [kind, key] of [
    ["worker", "workers"],
    ["child", "children"],
  ] as const) {
    const list = (metadata as Record<string, unknown> | null)?.[key];
    if (!Array.isArray(list)) continue;
    for (const rel of list) {
      if (typeof rel !== "string") continue;
      const sub = path.resolve(abs, rel);
      if (fs.existsSync(sub)) subFolders.push({ kind, dir: sub });
    }
  }
  return {
    dir: abs,
    eventsFile,
    format: eventsFile === json ? "json" : "binary",
    eventsBytes: fs.statSync(eventsFile).size,
    metadata,
    unfinished: !fs.existsSync(path.join(abs, TRACE_METADATA_FILE)),
    subFolders,
  };
}

/** The paths of `trace_paths.json` (or `[]` when it is missing or malformed). */
export function readTracePaths(info: TraceFolderInfo): string[] {
  const value = readJson(path.join(info.dir, TRACE_PATHS_FILE));
  return Array.isArray(value) && value.every((p) => typeof p === "string") ? (value as string[]) : [];
}
