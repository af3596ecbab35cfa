/**
 * `trace_metadata.json` and `trace_paths.json` contents (docs/trace-format.md: "Metadata"). The file-system writers are
 * in `node/metadata-files.ts`.
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import { isWellFormed, wellFormedDeep } from "./strings.js";
import type { TraceMetadata, TraceProcessInfo, TraceThreadInfo } from "./types.js";
import { stringifyJson } from "./json-writer.js";
import { appendOwn, ArrayIsArray, NumberIsSafeInteger, ObjectKeys, ReflectDefineProperty, StringCtor, StringPrototypeIncludes } from "./primordials.js";

const REQUIRED_STRINGS = ["workdir", "program"] as const;
const PATH_LISTS = ["workers", "children"] as const;

/**
 * Lists what makes `value` unacceptable as `trace_metadata.json` for CodeTracer ≤ 2025, which
 * deserialises it into `TraceMetadata {workdir, program, args}` with all three required
 * (docs/trace-format.md: "Metadata"): it must be a JSON object with `workdir: string`, `program: string` and
 * `args: string[]`. Extra keys are allowed; the ones this recorder defines must have their
 * documented shape when present: `thread` ({@link TraceThreadInfo}), `process`
 * ({@link TraceProcessInfo}), and `workers` and `children` (arrays of strings). Ill-formed
 * strings (lone surrogates) in `workdir`, `program` and `args` are reported too.
 *
 * @param value - the parsed file contents
 * @returns human-readable problems; empty when the value is acceptable
 */
export function traceMetadataProblems(value: unknown): string[] {
  if (value === null || typeof value !== "object" || ArrayIsArray(value)) {
    return ["trace_metadata.json must hold a JSON object"];
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (let k = 0; k < REQUIRED_STRINGS.length; k++) {
    const key = REQUIRED_STRINGS[k]!;
    const field = record[key];
    if (!(key in record)) appendOwn(problems, `"${key}" is missing`);
    else if (typeof field !== "string") appendOwn(problems, `"${key}" must be a string`);
    else if (!isWellFormed(field)) appendOwn(problems, `"${key}" is not well-formed Unicode`);
  }
  const args = record.args;
  if (!("args" in record)) appendOwn(problems, `"args" is missing`);
  else if (!ArrayIsArray(args)) appendOwn(problems, `"args" must be an array of strings`);
  else {
    for (let i = 0; i < args.length; i++) {
      const arg: unknown = args[i];
      if (typeof arg !== "string") appendOwn(problems, `"args[${i}]" must be a string`);
      else if (!isWellFormed(arg)) appendOwn(problems, `"args[${i}]" is not well-formed Unicode`);
    }
  }
  const more = threadProblems(record);
  for (let i = 0; i < more.length; i++) appendOwn(problems, more[i]!);
  return problems;
}

/** Problems of the optional `thread`, `process`, `workers` and `children` fields (see {@link TraceMetadata}). */
function threadProblems(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if ("thread" in record) {
    const thread = record.thread as Partial<Record<keyof TraceThreadInfo, unknown>> | null;
    const isId = (v: unknown) => NumberIsSafeInteger(v) && (v as number) >= 0;
    if (thread === null || typeof thread !== "object" || ArrayIsArray(thread)) appendOwn(problems, `"thread" must be an object`);
    else {
      if (!isId(thread.id)) appendOwn(problems, `"thread.id" must be a non-negative integer`);
      if (!isId(thread.parent_id)) appendOwn(problems, `"thread.parent_id" must be a non-negative integer`);
      if (typeof thread.parent_trace !== "string") appendOwn(problems, `"thread.parent_trace" must be a string`);
    }
  }
  if ("process" in record) {
    const info = record.process as Partial<Record<keyof TraceProcessInfo, unknown>> | null;
    const isPid = (v: unknown) => NumberIsSafeInteger(v) && (v as number) > 0;
    if (info === null || typeof info !== "object" || ArrayIsArray(info)) appendOwn(problems, `"process" must be an object`);
    else {
      if (!isPid(info.pid)) appendOwn(problems, `"process.pid" must be a positive integer`);
      if (!isPid(info.parent_pid)) appendOwn(problems, `"process.parent_pid" must be a positive integer`);
      if (typeof info.parent_trace !== "string") appendOwn(problems, `"process.parent_trace" must be a string`);
    }
  }
  for (let k = 0; k < PATH_LISTS.length; k++) {
    const key = PATH_LISTS[k]!;
    if (!(key in record)) continue;
    const list = record[key];
    if (!ArrayIsArray(list) || !allStrings(list)) {
      appendOwn(problems, `"${key}" must be an array of strings`);
    }
  }
  return problems;
}

/** True when every element of `list` is a string. */
function allStrings(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== "string") return false;
  return true;
}

/**
 * Lists what makes `value` unacceptable as `trace_paths.json`: it must be a JSON array of
 * well-formed strings, index = `PathId` (docs/trace-format.md: "Metadata").
 *
 * @param value - the parsed file contents
 * @returns human-readable problems; empty when acceptable
 */
export function tracePathsProblems(value: unknown): string[] {
  if (!ArrayIsArray(value)) return ["trace_paths.json must hold a JSON array of strings"];
  const problems: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const p: unknown = value[i];
    if (typeof p !== "string") appendOwn(problems, `path ${i} must be a string`);
    else if (!isWellFormed(p)) appendOwn(problems, `path ${i} is not well-formed Unicode`);
  }
  return problems;
}

/**
 * Returns a copy of `metadata` with keys in the order `workdir`, `program`, `args`, then the
 * others in their own order (the order runtime_tracing writes, docs/trace-format.md: "Metadata"); `undefined` extras are
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
  const keys = ObjectKeys(metadata);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === "workdir" || key === "program" || key === "args") continue;
    const v = metadata[key];
    // defined, not stored: a setter the program put on Object.prototype for that name never runs
    if (v !== undefined)
      ReflectDefineProperty(out, key, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
  }
  return out;
}

/**
 * Serialises `trace_metadata.json` (docs/trace-format.md: "Metadata"): compact JSON plus a newline, keys ordered by
 * {@link orderTraceMetadata}, all strings made well-formed.
 *
 * @param metadata - must have `workdir: string`, `program: string`, `args: string[]`
 * @returns the file text
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if a required field is missing or has the
 *   wrong type, or the value cannot be serialised
 */
export function serializeTraceMetadata(metadata: TraceMetadata): string {
  const problems = shapeProblems(traceMetadataProblems(metadata));
  if (problems !== "") {
    throw new TraceFormatError("ERR_TRACE_INVALID", `invalid trace metadata: ${problems}`, { file: "trace_metadata.json" });
  }
  return stringify(wellFormedDeep(orderTraceMetadata(metadata)), "trace_metadata.json") + "\n";
}

/**
 * Serialises `trace_paths.json` (docs/trace-format.md: "Metadata"): a compact JSON array of the paths in `PathId` order
 * (the order of the `Path` events), strings made well-formed, plus a newline.
 *
 * @param paths - absolute paths (or `""`), index = `PathId`
 * @returns the file text
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` if an entry is not a string
 */
export function serializeTracePaths(paths: readonly string[]): string {
  const problems = shapeProblems(tracePathsProblems(paths));
  if (problems !== "") {
    throw new TraceFormatError("ERR_TRACE_INVALID", `invalid trace paths: ${problems}`, {
      file: "trace_paths.json",
    });
  }
  return stringify(wellFormedDeep(paths), "trace_paths.json") + "\n";
}

/** The problems other than ill-formed strings (which the serialisers fix), joined by `; `. */
function shapeProblems(problems: readonly string[]): string {
  let out = "";
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i]!;
    if (StringPrototypeIncludes(p, "well-formed")) continue;
    out += out === "" ? p : `; ${p}`;
  }
  return out;
}

function stringify(value: unknown, file: string): string {
  try {
    return stringifyJson(value) ?? "null";
  } catch (error) {
    throw new TraceFormatError(
      "ERR_TRACE_INVALID",
      `cannot serialise ${file}: ${StringCtor(error)}`,
      {
        file,
      },
      error,
    );
  }
}
