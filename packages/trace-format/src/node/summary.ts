/**
 * One line that says what a finished trace folder holds, as the CLI prints it after a recorded
 * run and the Vite dev server logs it for each page load (docs/commands.md "After every run"):
 *
 *     codetracer: trace-out/ — 3,062,521 events, 4.4 MB trace.bin, 20.3 s, exit 0
 *
 * with the values redacted by the trace filter, and the worker and child-process folders, when
 * there are any. Read from the folder, so it says what is on disk.
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE } from "../types.js";
import type { TraceMetadata } from "../types.js";

/** What {@link traceSummaryLine} says besides the folder's own figures. */
export interface TraceSummaryOptions {
  /** The working directory: a folder inside it is shown relative to it. */
  cwd: string;
  /** The run's wall-clock time in seconds, when known. */
  seconds?: number;
  /** How the run ended (`exit 0`, `killed by SIGTERM`, `<pagehide>`), when known. */
  end?: string;
}

const count = new Intl.NumberFormat("en-US");

/** `bytes` for people: `812 B`, `4.2 kB`, `4.4 MB`, `2.1 GB` (powers of 1000, one decimal from kB on; 999,960 bytes is `1.0 MB`, not `1000.0 kB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The folder as the user would type it: relative to `cwd` when inside it, with a trailing `/`. */
function shownDir(traceDir: string, cwd: string): string {
  const rel = path.relative(cwd, traceDir);
  const shown = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : traceDir;
  return shown.endsWith(path.sep) ? shown : `${shown}${path.sep}`;
}

/**
 * The summary line of a trace folder (without the newline), or `null` when the folder has no
 * event file (the recorder did not start, or the policy removed a partial trace).
 *
 * @param traceDir - the trace folder (absolute)
 * @param options - see {@link TraceSummaryOptions}
 */
export function traceSummaryLine(traceDir: string, options: TraceSummaryOptions): string | null {
  const eventsFile = [TRACE_BIN_FILE, TRACE_JSON_FILE].map((name) => path.join(traceDir, name)).find((file) => fs.existsSync(file));
  if (!eventsFile) return null;
  let metadata: TraceMetadata | null = null;
  try {
    metadata = JSON.parse(fs.readFileSync(path.join(traceDir, TRACE_METADATA_FILE), "utf8")) as TraceMetadata;
  } catch {
    metadata = null;
  }
  const parts: string[] = [];
  const events = (metadata?.stats as { events?: unknown } | undefined)?.events;
  if (typeof events === "number") parts.push(`${count.format(events)} events`);
  parts.push(`${formatBytes(fs.statSync(eventsFile).size)} ${path.basename(eventsFile)}`);
  if (options.seconds !== undefined) parts.push(`${options.seconds.toFixed(1)} s`);
  if (options.end !== undefined) parts.push(options.end);
  const redactions = (metadata as { trace_filter?: { stats?: { value_redactions?: Record<string, number> } } } | null)?.trace_filter?.stats?.value_redactions;
  const redacted = redactions ? Object.values(redactions).reduce((a, b) => a + (typeof b === "number" ? b : 0), 0) : 0;
  if (redacted > 0) parts.push(`${count.format(redacted)} values redacted`);
  const workers = Array.isArray(metadata?.workers) ? metadata.workers.length : 0;
  const children = Array.isArray((metadata as { children?: unknown } | null)?.children) ? (metadata as { children: unknown[] }).children.length : 0;
  if (workers > 0) parts.push(`${workers} worker folder${workers === 1 ? "" : "s"}`);
  if (children > 0) parts.push(`${children} child-process folder${children === 1 ? "" : "s"}`);
  if (metadata?.partial) parts.push("partial");
  if (!metadata) parts.push("unfinished");
  return `codetracer: ${shownDir(traceDir, options.cwd)} — ${parts.join(", ")}`;
}
