/**
 * The trace folders of one recording, as `codetracer-trace validate` and `inspect` walk them:
 * the folder given, then the worker-thread (`workers/<id>`) and child-process
 * (`children/<pid>`) folders its metadata lists, and theirs in turn (docs/commands.md).
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PENDING_METADATA_FILE } from "@codetracer/trace-format";
import { openTraceFolder, TraceCommandError, type TraceFolderInfo } from "./folder.js";

/** What a trace folder is in its recording. */
export type TraceFolderKind = "main" | "worker" | "child";

/** One folder of a recording. */
export interface TraceTreeFolder {
  /** `main` for the folder given, `worker` for `workers/<id>`, `child` for `children/<pid>`. */
  kind: TraceFolderKind;
  /** The thread id of a worker, the pid of a child process, `null` for the folder given (or when unknown). */
  id: number | null;
  /** The folder as the user sees it: `DIR` as given, then `DIR/workers/1`, `DIR/children/4711/workers/2`, … */
  label: string;
  /** The folder, absolute. */
  dir: string;
  /** The opened folder; `null` when the metadata lists it but it is missing or not a trace folder (see `problem`). */
  info: TraceFolderInfo | null;
  /** Why `info` is `null`: the message of {@link openTraceFolder}. */
  problem?: string;
}

/** True when the folder has `trace_metadata.pending.json` and no `trace_metadata.json`: a recording still running or killed, which `--repair` finishes. */
export function isUnfinishedRecording(info: TraceFolderInfo): boolean {
  return info.unfinished && fs.existsSync(path.join(info.dir, PENDING_METADATA_FILE));
}

/** Folders deeper than this (a worker of a child of a worker …) are not followed: a guard against a metadata cycle. */
const MAX_NESTING = 16;

function idOf(info: TraceFolderInfo | null, kind: TraceFolderKind, dir: string): number | null {
  const meta = info?.metadata as Record<string, unknown> | null | undefined;
  const field =
    kind === "worker"
      ? (meta?.thread as { id?: unknown } | undefined)?.id
      : kind === "child"
        ? (meta?.process as { pid?: unknown } | undefined)?.pid
        : undefined;
  if (typeof field === "number") return field;
  const n = Number(path.basename(dir));
  return kind !== "main" && Number.isInteger(n) ? n : null;
}

/**
 * Opens `dir` and every sub-folder its metadata lists (`workers`, `children`), depth first, in
 * the metadata's order.
 *
 * @param dir - the trace folder (relative to the working directory or absolute)
 * @returns the folder given first, then its sub-folders; a listed sub-folder that is missing or
 *   not a trace folder is an entry with `info: null` and a `problem`
 * @throws {@link TraceCommandError} (exit 2) when `dir` itself is not a trace folder
 */
export function traceFolderTree(dir: string): TraceTreeFolder[] {
  const root = openTraceFolder(dir);
  const out: TraceTreeFolder[] = [];
  const seen = new Set<string>();
  const visit = (info: TraceFolderInfo, kind: TraceFolderKind, label: string, depth: number): void => {
    out.push({ kind, id: idOf(info, kind, info.dir), label, dir: info.dir, info });
    seen.add(info.dir);
    if (depth >= MAX_NESTING) return;
    const meta = info.metadata as Record<string, unknown> | null;
    for (const [subKind, key] of [
      ["worker", "workers"],
      ["child", "children"],
    ] as const) {
      const list = meta?.[key];
      if (!Array.isArray(list)) continue;
      for (const rel of list) {
        if (typeof rel !== "string") continue;
        const abs = path.resolve(info.dir, rel);
        if (seen.has(abs)) continue;
        const subLabel = path.join(label, rel);
        let sub: TraceFolderInfo;
        try {
          sub = openTraceFolder(abs);
        } catch (error) {
          if (!(error instanceof TraceCommandError)) throw error;
          seen.add(abs);
          const problem = `${subLabel}: listed in the metadata of ${label} (${key}) but ${error.message.replace(/^[^:]*: /, "")}`;
          out.push({ kind: subKind, id: idOf(null, subKind, abs), label: subLabel, dir: abs, info: null, problem });
          continue;
        }
        visit(sub, subKind, subLabel, depth + 1);
      }
    }
  };
  visit(root, "main", dir, 0);
  return out;
}

/**
 * Bytes of every file under `dir` (recursively; symbolic links not followed).
 * @returns the total size in bytes
 */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(file);
    else if (entry.isFile()) {
      try {
        total += fs.statSync(file).size;
      } catch {
        // gone meanwhile
      }
    }
  }
  return total;
}

/** `dir` as a shell word (quoted when it holds anything but safe characters), for a command line the user may paste. */
export function shellWord(dir: string): string {
  return /^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
}

/**
 * When the folder's `trace.bin` starts with the CodeTracer magic but a format version above 1
 * (written by a newer recorder), a sentence saying so; else `null`.
 */
export function newerFormatNote(info: TraceFolderInfo): string | null {
  if (info.format !== "binary") return null;
  const head = Buffer.alloc(8);
  let fd: number | undefined;
  try {
    fd = fs.openSync(info.eventsFile, "r");
    if (fs.readSync(fd, head, 0, 8, 0) < 8) return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const magic = [0xc0, 0xde, 0x72, 0xac, 0xe2];
  if (!magic.every((b, i) => head[i] === b) || head[5]! <= 1) return null;
  return `${path.basename(info.eventsFile)} is of a newer format (Binary v${head[5]}) than this codetracer-trace reads (v1): update codetracer-js-recorder`;
}
