/**
 * `codetracer-trace validate DIR [--json]`: checks that CodeTracer can load a trace folder and
 * the worker-thread and child-process folders recorded under it (docs/commands.md). The one
 * validator of the project: `scripts/validate-trace.mjs` runs this command.
 * @packageDocumentation
 */
import * as path from "node:path";
import { readUnfinishedTrace, validateTraceFolder, type ValidationIssue, type ValidationStats } from "@codetracer/trace-format";
import { EXIT_USAGE, TraceCommandError } from "./folder.js";
import { isUnfinishedRecording, newerFormatNote, shellWord, traceFolderTree, type TraceFolderKind, type TraceTreeFolder } from "./inspect-tree.js";

/** One line for the list of commands. */
export const summary = "check that CodeTracer can load a trace folder (exit 0 valid, 1 not)";
/** Usage text. */
export const usage = [
  "Usage: codetracer-trace validate DIR [--json]",
  "",
  "Checks the trace folder DIR (trace.json or trace.bin, trace_metadata.json, trace_paths.json)",
  "against CodeTracer's loader rules, and the workers/<id> and children/<pid> folders its",
  "metadata lists. One line per folder: `ok  DIR — N events`, or the problems found.",
  "",
  "  --json   print one JSON object instead (its shape: docs/commands.md)",
  "",
  "Exit status: 0 every folder is valid; 1 one is not (or the recording is unfinished);",
  "2 DIR is not a trace folder, or a usage error.",
  "",
].join("\n");

/** At most this many issues are printed per folder in the text output (all are in `--json`, up to the validator's per-code limit). */
export const MAX_SHOWN_ISSUES = 20;

/** An issue as `--json` prints it. */
export interface ValidateIssueJson {
  /** `error` (CodeTracer rejects the trace) or `warning` (it loads, degraded). */
  severity: "error" | "warning";
  /** The validator's code (`VALIDATION_CODES` of `@codetracer/trace-format`), or `unfinished-recording`, `missing-sub-folder`. */
  code: string;
  /** What is wrong, naming the event and the value. */
  message: string;
  /** 0-based index of the event it is about, when it is about one. */
  eventIndex?: number;
}

/**
 * The result for one folder (`--json`: an element of `folders`).
 */
export interface FolderValidation {
  /** The folder as given (`DIR`), or `DIR/workers/<id>`, `DIR/children/<pid>`. */
  dir: string;
  /** `main` (the folder given), `worker` (a worker thread's folder), `child` (a child process's folder). */
  kind: TraceFolderKind;
  /** Thread id of a worker, pid of a child process, `null` for the folder given. */
  id: number | null;
  /** The event file's format (`trace.json`: `json`, `trace.bin`: `binary`); `null` when the folder is missing. */
  format: "json" | "binary" | null;
  /** False when the folder has no `trace_metadata.json` (a running or killed recording). */
  finished: boolean;
  /** True when there is no error (warnings allowed). */
  valid: boolean;
  /** Number of events read (for an unfinished folder: its whole events); `null` when none could be read. */
  events: number | null;
  /** The validator's counts (events, steps, calls, returns, paths, functions, types, variables, maxDepth); `null` for an unfinished or missing folder. */
  stats: ValidationStats | null;
  /** The errors. */
  errors: ValidateIssueJson[];
  /** The warnings. */
  warnings: ValidateIssueJson[];
  /** Issues the validator only counted (past 100 of one code), by code. */
  suppressed: Record<string, number>;
}

/**
 * What `codetracer-trace validate DIR --json` prints: one JSON object (stable; new keys may be
 * added, none removed or changed):
 *
 * ```json
 * { "version": 1, "valid": true, "folders": [ { "dir": "trace-out", "kind": "main", "id": null,
 *   "format": "binary", "finished": true, "valid": true, "events": 553, "stats": { "events": 553,
 *   "steps": 210, … }, "errors": [], "warnings": [], "suppressed": {} } ] }
 * ```
 */
export interface ValidateResult {
  /** The shape's version: 1. */
  version: 1;
  /** True when every folder is valid (the exit status is 0). */
  valid: boolean;
  /** The folder given first, then its worker and child folders, depth first. */
  folders: FolderValidation[];
}

function issueJson(issue: ValidationIssue): ValidateIssueJson {
  return { severity: issue.severity, code: issue.code, message: issue.message, ...(issue.eventIndex !== undefined ? { eventIndex: issue.eventIndex } : {}) };
}

function validateOne(folder: TraceTreeFolder, rootLabel: string): FolderValidation {
  const base = { dir: folder.label, kind: folder.kind, id: folder.id };
  const info = folder.info;
  if (!info) {
    const error: ValidateIssueJson = { severity: "error", code: "missing-sub-folder", message: folder.problem ?? `${folder.label} is missing` };
    return { ...base, format: null, finished: false, valid: false, events: null, stats: null, errors: [error], warnings: [], suppressed: {} };
  }
  if (isUnfinishedRecording(info)) {
    let progress: string;
    let events: number | null = null;
    try {
      const read = readUnfinishedTrace(info.dir, { repair: false });
      events = read.events.length;
      progress = `${events} complete events written${read.lastStep ? `, the last step at ${read.lastStep.path}:${read.lastStep.line}` : ""}`;
    } catch (error) {
      progress = `its events cannot be read: ${(error as Error).message}`;
    }
    const message = `unfinished recording (${progress}): run codetracer-js-recorder --repair ${shellWord(rootLabel)}`;
    return {
      ...base,
      format: info.format,
      finished: false,
      valid: false,
      events,
      stats: null,
      errors: [{ severity: "error", code: "unfinished-recording", message }],
      warnings: [],
      suppressed: {},
    };
  }
  const report = validateTraceFolder(info.dir, { entryStepRule: "error" });
  const unreadable = report.errors.some((e) =>
    ["invalid-trace-bin", "unsupported-trace-bin", "invalid-json", "missing-events-file", "io-error"].includes(e.code),
  );
  return {
    ...base,
    format: info.format,
    finished: !info.unfinished,
    valid: report.ok,
    events: unreadable ? null : report.stats.events,
    stats: unreadable ? null : report.stats,
    // With no events read, `paths-mismatch` only repeats that they could not be: left out.
    errors: report.errors
      .filter((e) => !(unreadable && e.code === "paths-mismatch"))
      .map((e) => {
        const note =
          e.code === "invalid-trace-bin"
            ? newerFormatNote(info)
            : e.code === "io-error" && /longer than 0x[0-9a-f]+ characters/i.test(e.message)
              ? `${path.basename(info.eventsFile)} (${info.eventsBytes} bytes) is too large for the validator, which reads it whole (at most about 512 MiB of trace.json); CodeTracer may still load it, and trace.bin (--format binary, the default) has no such limit`
              : null;
        return issueJson(note ? { ...e, message: `${note} (${e.message})` } : e);
      }),
    warnings: report.warnings.map(issueJson),
    suppressed: report.suppressed,
  };
}

/**
 * Validates the trace folder `dir` and the worker and child folders recorded under it, with
 * `validateTraceFolder` of `@codetracer/trace-format` (entry steps required, as CodeTracer
 * needs them). A folder with `trace_metadata.pending.json` but no `trace_metadata.json` is not
 * validated further: it is reported as an `unfinished-recording` error naming how far it got
 * and the `--repair` command that finishes it.
 *
 * @param dir - the trace folder (relative to the working directory or absolute)
 * @returns the {@link ValidateResult}
 * @throws {@link TraceCommandError} (exit 2) when `dir` is not a trace folder (see `openTraceFolder`)
 */
export function validateTrace(dir: string): ValidateResult {
  const folders = traceFolderTree(dir).map((folder) => validateOne(folder, dir));
  return { version: 1, valid: folders.every((f) => f.valid), folders };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function describeFolder(f: FolderValidation): string {
  return f.kind === "main" ? f.dir : `${f.dir} (${f.kind === "worker" ? "worker thread" : "child process"}${f.id !== null ? ` ${f.id}` : ""})`;
}

/**
 * The text output: per folder `ok  DIR — valid trace, N events (…)` or `INVALID  DIR — …` with
 * its issues (errors first, then warnings; at most {@link MAX_SHOWN_ISSUES}, then the count of
 * the rest).
 *
 * @returns the lines, each ending with a newline
 */
export function formatValidateResult(result: ValidateResult): string {
  const lines: string[] = [];
  for (const f of result.folders) {
    const name = describeFolder(f);
    const issues = [...f.errors, ...f.warnings];
    if (f.valid) {
      const s = f.stats!;
      lines.push(
        `ok  ${name} — valid trace, ${plural(s.events, "event")} (${plural(s.steps, "step")}, ${plural(s.calls, "call")}, ` +
          `${plural(s.functions, "function")}, ${plural(s.paths, "file")})${f.warnings.length > 0 ? `, ${plural(f.warnings.length, "warning")}` : ""}`,
      );
    } else if (f.errors.length === 1 && (f.errors[0]!.code === "unfinished-recording" || f.errors[0]!.code === "missing-sub-folder")) {
      lines.push(`INVALID  ${name} — ${f.errors[0]!.message}`);
      continue;
    } else {
      const suppressed = Object.values(f.suppressed).reduce((a, b) => a + b, 0);
      const errorCount = f.errors.length + suppressed;
      lines.push(`INVALID  ${name} — ${plural(errorCount, "problem")}${f.events !== null ? ` in ${plural(f.events, "event")}` : ""}`);
    }
    for (const issue of issues.slice(0, MAX_SHOWN_ISSUES)) {
      lines.push(`  ${issue.severity}: ${issue.code}: ${issue.message}${issue.eventIndex !== undefined ? ` (event ${issue.eventIndex})` : ""}`);
    }
    const rest = issues.length - Math.min(issues.length, MAX_SHOWN_ISSUES) + Object.values(f.suppressed).reduce((a, b) => a + b, 0);
    if (rest > 0) lines.push(`  … and ${rest.toLocaleString("en-US")} more (--json lists up to 100 of each kind)`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * Runs `validate` with the arguments after its name.
 * @returns 0 when every folder is valid, 1 when one is not
 * @throws {@link TraceCommandError} (exit 2) on a usage error or when `DIR` is not a trace folder
 */
export async function run(argv: string[]): Promise<number> {
  let json = false;
  const dirs: string[] = [];
  for (const arg of argv) {
    if (arg === "--json") json = true;
    else if (arg.startsWith("-") && arg !== "-") throw new TraceCommandError(`validate: unknown option '${arg}'\n${usage}`, EXIT_USAGE);
    else dirs.push(arg);
  }
  if (dirs.length !== 1) throw new TraceCommandError(`validate: expected one trace folder, got ${dirs.length}\n${usage}`, EXIT_USAGE);
  const result = validateTrace(dirs[0]!);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatValidateResult(result));
  return result.valid ? 0 : 1;
}
