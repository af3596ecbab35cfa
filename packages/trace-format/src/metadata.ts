/**
 * `trace_metadata.json` and `trace_paths.json` contents (spec §3). The file-system writers are
 * in `node/metadata-files.ts`.
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { isWellFormed, wellFormedDeep } from "./strings.js";
import type { TraceMetadata, TraceProcessInfo, TraceThreadInfo } from "./types.js";
import { stringifyJson } from "./json-writer.js";

/**
 * Lists what makes `value` unacceptable as `trace_metadata.json` for CodeTracer ≤ 2025, which
 * deserialises it into `TraceMetadata {workdir, program, args}` with all three required
 * (spec §3): it must be a JSON object with `workdir: string`, `program: string` and
 * `args: string[]`. Extra keys are allowed; the ones this recorder defines must have their
 * documented shape when present: `thread` ({@link TraceThreadInfo}), `process`
 * ({@link TraceProcessInfo}), and `workers` and `children` (arrays of strings). Ill-formed
 * strings (lone surrogates) in `workdir`, `program` and `args` are reported too.
 *
 * @param value - the parsed file contents
 * @returns human-readable problems; empty when the value is acceptable
 */
export function traceMetadataProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return ["trace_metadata.json must hold a JSON object"];
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["workdir", "program"] as const) {
    const field = record[key];
    if (!(key in record)) problems.push(`"${key}" is missing`);
    else if (typeof field !== "string") problems.push(`"${key}" must be a string`);
    else if (!isWellFormed(field)) problems.push(`"${key}" is not well-formed Unicode`);
  }
  const args = record.args;
  if (!("args" in record)) problems.push(`"args" is missing`);
  else if (!Array.isArray(args)) problems.push(`"args" must be an array of strings`);
  else {
    args.forEach((arg: unknown, i) => {
      if (typeof arg !== "string") problems.push(`"args[${i}]" must be a string`);
      else if (!isWellFormed(arg)) problems.push(`"args[${i}]" is not well-formed Unicode`);
    });
  }
  problems.push(...threadProblems(record));
  return problems;
}

/** Problems of the optional `thread`, `process`, `workers` and `children` fields (see {@link TraceMetadata}). */
function threadProblems(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if ("thread" in record) {
    const thread = record.thread as Partial<Record<keyof TraceThreadInfo, unknown>> | null;
    const isId = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
    if (thread === null || typeof thread !== "object" || Array.isArray(thread)) problems.push(`"thread" must be an object`);
    else {
      if (!isId(thread.id)) problems.push(`"thread.id" must be a non-negative integer`);
      if (!isId(thread.parent_id)) problems.push(`"thread.parent_id" must be a non-negative integer`);
      if (typeof thread.parent_trace !== "string") problems.push(`"thread.parent_trace" must be a string`);
    }
  }
  if ("process" in record) {
    const info = record.process as Partial<Record<keyof TraceProcessInfo, unknown>> | null;
    const isPid = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
    if (info === null || typeof info !== "object" || Array.isArray(info)) problems.push(`"process" must be an object`);
    else {
      if (!isPid(info.pid)) problems.push(`"process.pid" must be a positive integer`);
      if (!isPid(info.parent_pid)) problems.push(`"process.parent_pid" must be a positive integer`);
      if (typeof info.parent_trace !== "string") problems.push(`"process.parent_trace" must be a string`);
    }
  }
  for (const key of ["workers", "children"] as const) {
    if (!(key in record)) continue;
    const list = record[key];
    if (!Array.isArray(list) || !list.every((w) => typeof w === "string")) {
      problems.push(`"${key}" must be an array of strings`);
    }
  }
  return problems;
}

/**
 * Lists what makes `value` unacceptable as `trace_paths.json`: it must be a JSON array of
 * well-formed strings, index = `PathId` (spec §3).
 *
 * @param value - the parsed file contents
 * @returns human-readable problems; empty when acceptable
 */
export function tracePathsProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return ["trace_paths.json must hold a JSON array of strings"];
  const problems: string[] = [];
  value.forEach((p: unknown, i) => {
    if (typeof p !== "string") problems.push(`path ${i} must be a string`);
    else if (!isWellFormed(p)) problems.push(`path ${i} is not well-formed Unicode`);
  });
  return problems;
}

/**
 * Returns a copy of `metadata` with keys in the order `workdir`, `program`, `args`, then the
 * others in their own order (the order runtime_tracing writes, spec §3); `undefined` extras are
 * dropped.
 *
 * @param metadata - the metadata
 */
export function orderTraceMetadata(metadata: TraceMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {
    workdir: metadata.workdir,
    program: metadata.program,
    args: metadata.args,
  };
  for (const key of Object.keys(metadata)) {
    if (key === "workdir" || key === "program" || key === "args") continue;
    const v = metadata[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * Serialises `trace_metadata.json` (spec §3): compact JSON plus a newline, keys ordered by
 * {@link orderTraceMetadata}, all strings made well-formed.
 *
 * @param metadata - must have `workdir: string`, `program: string`, `args: string[]`
 * @returns the file text
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if a required field is missing or has the
 *   wrong type, or the value cannot be serialised
 */
export function serializeTraceMetadata(metadata: TraceMetadata): string {
  const problems = traceMetadataProblems(metadata).filter((p) => !p.includes("well-formed"));
  if (problems.length > 0) {
    throw new TraceFormatError(
      "ERR_TRACE_INVALID",
      `invalid trace metadata: ${problems.join("; ")}`,
      { file: "trace_metadata.json" }
    );
  }
  return stringify(wellFormedDeep(orderTraceMetadata(metadata)), "trace_metadata.json") + "\n";
}

/**
 * Serialises `trace_paths.json` (spec §3): a compact JSON array of the paths in `PathId` order
 * (the order of the `Path` events), strings made well-formed, plus a newline.
 *
 * @param paths - absolute paths (or `""`), index = `PathId`
 * @returns the file text
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if an entry is not a string
 */
export function serializeTracePaths(paths: readonly string[]): string {
  const problems = tracePathsProblems(paths).filter((p) => !p.includes("well-formed"));
  if (problems.length > 0) {
    throw new TraceFormatError("ERR_TRACE_INVALID", `invalid trace paths: ${problems.join("; ")}`, {
      file: "trace_paths.json",
    });
  }
  return stringify(wellFormedDeep(paths), "trace_paths.json") + "\n";
}

function stringify(value: unknown, file: string): string {
  try {
    return stringifyJson(value) ?? "null";
  } catch (error) {
    throw new TraceFormatError(
      "ERR_TRACE_INVALID",
      `cannot serialise ${file}: ${String(error)}`,
      {
        file,
      },
      error
    );
  }
}
