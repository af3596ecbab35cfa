/**
 * `codetracer-trace inspect DIR [--json]`: what a trace folder holds: the program, its
 * arguments and exit status, the recorder, the event file, events by kind, the files with
 * their steps, the worker and child folders, the top functions by calls and by steps, the trace
 * filters and what they redacted, the size (docs/commands.md).
 * @packageDocumentation
 */
import * as path from "node:path";
import { EXIT_USAGE, TraceCommandError } from "./folder.js";
import { tallyFolder, type FunctionTally } from "./inspect-events.js";
import { folderBytes, shellWord, traceFolderTree, type TraceFolderKind } from "./inspect-tree.js";
import { formatBytes } from "@codetracer/trace-format/internal";

/** One line for the list of commands. */
export const summary = "what was recorded: program, exit, events, files, top functions";
/** Usage text. */
export const usage = [
  "Usage: codetracer-trace inspect DIR [--json]",
  "",
  "Describes the trace folder DIR: program, arguments, working directory, exit status, duration,",
  "recorder, event file format and size, events by kind, files with their steps, worker-thread",
  "and child-process folders with their events, the top 10 functions by calls and by steps,",
  "the trace filters with their redaction and drop counts, and the size of the whole trace.",
  "",
  "  --json   print one JSON object instead (its shape: docs/commands.md)",
  "",
  "Exit status: 0 done; 1 the events cannot be read; 2 DIR is not a trace folder, or a usage error.",
  "",
].join("\n");

/** How many functions each top list holds. */
export const TOP_FUNCTIONS = 10;

/** A worker-thread or child-process folder (or the folder given) as `inspect` lists it. */
export interface InspectThread {
  /** The folder as given (`DIR`), or `DIR/workers/<id>`, `DIR/children/<pid>`. */
  dir: string;
  /** `main`, `worker` or `child`. */
  kind: TraceFolderKind;
  /** Thread id of a worker, pid of a child, `null` for the folder given. */
  id: number | null;
  /** Its events; `null` when they cannot be read (see `problem`). */
  events: number | null;
  /** False when it has no `trace_metadata.json`. */
  finished: boolean;
  /** Why its events are unknown (missing folder, unreadable events). */
  problem?: string;
}

/** A file of the trace with the steps recorded in it. */
export interface InspectFile {
  /** The path as recorded (absolute). */
  path: string;
  /** Step events at lines of it. */
  steps: number;
}

/** The `trace_filter` part of the metadata, normalised. */
export interface InspectTraceFilter {
  /** The filter chain, in order: name and file (`<inline:builtin-default>` for the builtin). */
  filters: Array<{ name: string; path: string | null }>;
  /** Scopes left uninstrumented by the filters; `null` when not recorded. */
  scopesSkipped: number | null;
  /** Values written as `<redacted>`, in all. */
  redacted: number;
  /** Redactions by kind of value (`argument`, `local`, `global`, `return`, `attribute`). */
  redactions: Record<string, number>;
  /** Values left out, in all. */
  dropped: number;
  /** Drops by kind of value. */
  drops: Record<string, number>;
}

/**
 * What `codetracer-trace inspect DIR --json` prints: one JSON object (stable; new keys may be
 * added, none removed or changed). Figures are about the folder given; `threads` lists it and
 * its worker and child folders with their event counts. Sizes are in bytes, the duration in
 * milliseconds.
 */
export interface InspectResult {
  /** The shape's version: 1. */
  version: 1;
  /** The folder as given. */
  dir: string;
  /** False when it has no `trace_metadata.json` (figures are then those of the whole events written so far; `codetracer-js-recorder --repair DIR` finishes it). */
  finished: boolean;
  /** True when the metadata says `partial` (a folder finished by `--repair`). */
  partial: boolean;
  /** The recorded program (`program` of the metadata); `null` without metadata. */
  program: string | null;
  /** Its arguments; `null` without metadata. */
  args: string[] | null;
  /** Its working directory; `null` without metadata. */
  workdir: string | null;
  /** `process_exit_status` of the metadata (`code`: the exit code, or `null` with a `label` such as `<killed>`); `null` when not recorded (unfinished). */
  exitStatus: { code: number | null; label: string | null } | null;
  /** How long the recording ran, in milliseconds; `null` when the metadata does not say. */
  durationMs: number | null;
  /** `recorder` of the metadata (name and version); `null` when absent. */
  recorder: { name: string; version: string } | null;
  /** `binary` (`trace.bin`) or `json` (`trace.json`). */
  format: "binary" | "json";
  /** The event file's name (`trace.bin` or `trace.json`). */
  eventsFile: string;
  /** Its size in bytes. */
  eventsBytes: number;
  /** Bytes of every file of the trace, worker and child folders included. */
  traceBytes: number;
  /** Events: their number and their number by kind (`Step`, `Call`, `Return`, `Value`, `Path`, `Function`, `Type`, `VariableName`, `Event`, …; kinds absent from the trace are left out). */
  events: { total: number; byKind: Record<string, number> };
  /** The deepest the call stack got. */
  maxDepth: number;
  /** Calls without a Return at the end of the events. */
  openCalls: number;
  /** Steps outside any call. */
  stepsOutsideCalls: number;
  /** The files of the trace (its Path events, i.e. `trace_paths.json`), in order, with their steps. */
  files: InspectFile[];
  /** The folder given, then its worker and child folders. */
  threads: InspectThread[];
  /** The top {@link TOP_FUNCTIONS} functions by calls and by steps (a step counts for the function of the frame it ran in); functions with none are left out. */
  topFunctions: { byCalls: FunctionTally[]; bySteps: FunctionTally[] };
  /** The trace filters and their counts; `null` when the metadata has no `trace_filter`. */
  traceFilter: InspectTraceFilter | null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function timeOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/**
 * The duration a metadata object records, in milliseconds: `duration_ms` (top level or in
 * `stats`), else `finished_at − started_at` (ISO strings or epoch milliseconds); `null` when it
 * records none.
 */
export function metadataDurationMs(meta: Record<string, unknown> | null): number | null {
  if (!meta) return null;
  const direct = num(meta.duration_ms) ?? num((meta.stats as Record<string, unknown> | undefined)?.duration_ms);
  if (direct !== null) return direct;
  const start = timeOf(meta.started_at ?? meta.start_time);
  const end = timeOf(meta.finished_at ?? meta.ended_at ?? meta.end_time);
  return start !== null && end !== null && end >= start ? end - start : null;
}

function counts(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (typeof v === "number") out[k] = v;
  }
  return out;
}

function traceFilterOf(meta: Record<string, unknown> | null): InspectTraceFilter | null {
  const tf = meta?.trace_filter as Record<string, unknown> | undefined;
  if (!tf || typeof tf !== "object") return null;
  const filters = Array.isArray(tf.filters)
    ? (tf.filters as unknown[]).map((f) => {
        const r = (f ?? {}) as Record<string, unknown>;
        return { name: typeof r.name === "string" ? r.name : "<unnamed>", path: typeof r.path === "string" ? r.path : null };
      })
    : [];
  const stats = (tf.stats ?? {}) as Record<string, unknown>;
  const redactions = counts(stats.value_redactions);
  const drops = counts(stats.value_drops);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return { filters, scopesSkipped: num(stats.scopes_skipped), redacted: sum(redactions), redactions, dropped: sum(drops), drops };
}

/**
 * Inspects the trace folder `dir`: reads its metadata and events (and the events of its worker
 * and child folders, to count them).
 *
 * @param dir - the trace folder (relative to the working directory or absolute)
 * @returns the {@link InspectResult}
 * @throws {@link TraceCommandError} exit 2 when `dir` is not a trace folder; exit 1 when its
 *   events cannot be read (corrupt or truncated `trace.bin`, malformed `trace.json`)
 */
export function inspectTrace(dir: string): InspectResult {
  const tree = traceFolderTree(dir);
  const root = tree[0]!.info!;
  const tally = tallyFolder(root);
  const meta = root.metadata as Record<string, unknown> | null;
  const threads: InspectThread[] = tree.map((folder) => {
    const base = { dir: folder.label, kind: folder.kind, id: folder.id };
    if (folder.info === root) return { ...base, events: tally.total, finished: !root.unfinished };
    if (!folder.info) return { ...base, events: null, finished: false, problem: folder.problem };
    try {
      return { ...base, events: tallyFolder(folder.info).total, finished: !folder.info.unfinished };
    } catch (error) {
      if (!(error instanceof TraceCommandError)) throw error;
      return { ...base, events: null, finished: !folder.info.unfinished, problem: error.message };
    }
  });
  const status = meta?.process_exit_status as { code?: unknown; label?: unknown } | undefined;
  const recorder = meta?.recorder as { name?: unknown; version?: unknown } | undefined;
  const stepsByPath = tally.stepsByPath;
  return {
    version: 1,
    dir,
    finished: !root.unfinished,
    partial: meta?.partial === true,
    program: typeof meta?.program === "string" ? meta.program : null,
    args: Array.isArray(meta?.args) ? (meta.args as unknown[]).map(String) : null,
    workdir: typeof meta?.workdir === "string" ? meta.workdir : null,
    exitStatus: status && typeof status === "object" ? { code: num(status.code), label: typeof status.label === "string" ? status.label : null } : null,
    durationMs: metadataDurationMs(meta),
    recorder: recorder && typeof recorder === "object" ? { name: String(recorder.name ?? "?"), version: String(recorder.version ?? "?") } : null,
    format: root.format,
    eventsFile: path.basename(root.eventsFile),
    eventsBytes: root.eventsBytes,
    traceBytes: folderBytes(root.dir),
    events: { total: tally.total, byKind: Object.fromEntries(tally.kinds().map((k) => [k.kind, k.count])) },
    maxDepth: tally.maxDepth,
    openCalls: tally.openCalls,
    stepsOutsideCalls: tally.stepsOutsideCalls,
    files: tally.paths.map((p, i) => ({ path: p, steps: stepsByPath[i] ?? 0 })),
    threads,
    topFunctions: { byCalls: tally.top("calls", TOP_FUNCTIONS), bySteps: tally.top("steps", TOP_FUNCTIONS) },
    traceFilter: traceFilterOf(meta),
  };
}

// ---------------------------------------------------------------------------------------------
// Text output

const int = (n: number): string => n.toLocaleString("en-US");

/** `ms` for people: `850 ms`, `20.3 s`, `4 min 12 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function shortPath(file: string, workdir: string | null): string {
  if (workdir && path.isAbsolute(file)) {
    const rel = path.relative(workdir, file);
    if (rel && !rel.startsWith("..") && !path.isAbsolute(rel)) return rel;
  }
  return file;
}

/** Rows as aligned columns; the columns whose index is in `right` are right-aligned (figures). */
function table(rows: string[][], right: number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ")}`.trimEnd());
}

function exitText(r: InspectResult): string {
  if (!r.exitStatus) return r.finished ? "unknown (not in the metadata)" : "unknown (the recording did not finish)";
  const { code, label } = r.exitStatus;
  const text = code !== null ? String(code) : (label ?? "unknown");
  return r.partial ? `${text} (partial trace: finished by --repair)` : text;
}

/**
 * The text output of `inspect`.
 * @returns the lines, each ending with a newline
 */
export function formatInspectResult(r: InspectResult): string {
  const out: string[] = [];
  const wd = r.workdir;
  out.push(`${r.dir}${r.finished ? "" : `  (unfinished recording: run codetracer-js-recorder --repair ${shellWord(r.dir)})`}`);
  out.push(
    ...table([
      ["program", r.program !== null ? shortPath(r.program, wd) : "unknown (no metadata)"],
      ["args", r.args === null ? "unknown" : r.args.length === 0 ? "(none)" : r.args.map((a) => JSON.stringify(a)).join(" ")],
      ["workdir", r.workdir ?? "unknown"],
      ["exit", exitText(r)],
      ["duration", r.durationMs !== null ? formatDuration(r.durationMs) : "unknown (not in the metadata)"],
      ["recorder", r.recorder ? `${r.recorder.name} ${r.recorder.version}` : "unknown"],
      ["format", `${r.format}: ${r.eventsFile}, ${formatBytes(r.eventsBytes)}`],
      ["trace size", `${formatBytes(r.traceBytes)} (every file of the folder${r.threads.length > 1 ? ", worker and child folders included" : ""})`],
    ]),
  );
  out.push(
    "",
    `events: ${int(r.events.total)}  (max call depth ${int(r.maxDepth)}${r.openCalls > 0 ? `, ${int(r.openCalls)} call${r.openCalls === 1 ? "" : "s"} still open at the end` : ""})`,
  );
  out.push(
    ...table(
      Object.entries(r.events.byKind).map(([k, n]) => [k, int(n)]),
      [1],
    ),
  );
  out.push("", `files: ${r.files.length}`);
  out.push(
    ...table(
      r.files.map((f) => [shortPath(f.path, wd), int(f.steps), "steps"]),
      [1],
    ),
  );
  out.push("", `threads: ${r.threads.length}  (this folder${r.threads.length > 1 ? ", then worker-thread and child-process folders" : ""})`);
  out.push(
    ...table(
      r.threads.map((t) => [
        t.kind === "main" ? "main" : `${t.kind} ${t.id ?? "?"}`,
        t.dir,
        t.events !== null ? `${int(t.events)} events${t.finished ? "" : " (unfinished)"}` : `? (${t.problem ?? "unreadable"})`,
      ]),
    ),
  );
  const fnRows = (list: FunctionTally[]) => list.map((f) => [int(f.calls), int(f.steps), f.name, `${shortPath(f.path, wd)}:${f.line}`]);
  out.push("", `top functions by calls:`);
  out.push(...table([["calls", "steps", "function", "defined at"], ...fnRows(r.topFunctions.byCalls)], [0, 1]));
  out.push("", `top functions by steps:`);
  out.push(...table([["calls", "steps", "function", "defined at"], ...fnRows(r.topFunctions.bySteps)], [0, 1]));
  out.push("");
  if (!r.traceFilter) out.push("trace filter: none recorded in the metadata");
  else {
    const tf = r.traceFilter;
    out.push(
      `trace filter: ${tf.filters.length === 0 ? "(no filters)" : tf.filters.map((f) => (f.path && !f.path.startsWith("<inline:") ? `${f.name} (${f.path})` : f.name)).join(" → ")}`,
    );
    const detail = (by: Record<string, number>) =>
      Object.entries(by)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${int(n)}`)
        .join(", ");
    out.push(`  values redacted: ${int(tf.redacted)}${tf.redacted > 0 ? ` (${detail(tf.redactions)})` : ""}`);
    out.push(`  values dropped: ${int(tf.dropped)}${tf.dropped > 0 ? ` (${detail(tf.drops)})` : ""}`);
    if (tf.scopesSkipped !== null) out.push(`  scopes skipped: ${int(tf.scopesSkipped)}`);
  }
  return out.map((l) => `${l}\n`).join("");
}

/**
 * Runs `inspect` with the arguments after its name.
 * @returns 0
 * @throws {@link TraceCommandError} exit 2 on a usage error or when `DIR` is not a trace folder;
 *   exit 1 when its events cannot be read
 */
export async function run(argv: string[]): Promise<number> {
  let json = false;
  const dirs: string[] = [];
  for (const arg of argv) {
    if (arg === "--json") json = true;
    else if (arg.startsWith("-") && arg !== "-") throw new TraceCommandError(`inspect: unknown option '${arg}'\n${usage}`, EXIT_USAGE);
    else dirs.push(arg);
  }
  if (dirs.length !== 1) throw new TraceCommandError(`inspect: expected one trace folder, got ${dirs.length}\n${usage}`, EXIT_USAGE);
  const result = inspectTrace(dirs[0]!);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatInspectResult(result));
  return 0;
}
