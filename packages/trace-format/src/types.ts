/**
 * TypeScript shapes of the runtime_tracing low-level events, values and types, with the
 * standard runtime_tracing names. Field names and encodings follow the serde JSON form that
 * CodeTracer reads (docs/trace-format.md: "trace.json", "Events", "Values and types"; upstream
 * `codetracer_trace_types/src/types.rs`).
 *
 * Ids are plain numbers and are positional: the n-th `Path` event is `PathId` n, the n-th
 * `Function` is `FunctionId` n, the n-th `Type` is `TypeId` n and the n-th `VariableName` is
 * `VariableId` n (docs/trace-format.md: "Events").
 *
 * @packageDocumentation
 */

/** Index of a `Path` event (0-based, positional). */
export type PathId = number;
/** Index of a `Function` event (0-based, positional). */
export type FunctionId = number;
/** Index of a `Type` event (0-based, positional). */
export type TypeId = number;
/** Index of a `VariableName` (or legacy `Variable`) event (0-based, positional). */
export type VariableId = number;
/** 1-based source line number. */
export type Line = number;
/** Thread id of the runtime_tracing thread events. */
export type ThreadId = number;

/**
 * runtime_tracing `TypeKind`, serialised as its number (declaration order of the Rust enum;
 * docs/trace-format.md: "Values and types"). An unknown number makes CodeTracer reject the whole file.
 */
export const TypeKind = {
  Seq: 0,
  Set: 1,
  HashSet: 2,
  OrderedSet: 3,
  Array: 4,
  Varargs: 5,
  Struct: 6,
  Int: 7,
  Float: 8,
  String: 9,
  CString: 10,
  Char: 11,
  Bool: 12,
  Literal: 13,
  Ref: 14,
  Recursion: 15,
  Raw: 16,
  Enum: 17,
  Enum16: 18,
  Enum32: 19,
  C: 20,
  TableKind: 21,
  Union: 22,
  Pointer: 23,
  Error: 24,
  FunctionKind: 25,
  TypeValue: 26,
  Tuple: 27,
  Variant: 28,
  Html: 29,
  None: 30,
  NonExpanded: 31,
  Any: 32,
  Slice: 33,
} as const;
/** A `TypeKind` number (0–33). */
export type TypeKind = (typeof TypeKind)[keyof typeof TypeKind];

/**
 * runtime_tracing `EventLogKind`, serialised as its number (docs/trace-format.md: "Values and types"). `Write` is stdout,
 * `WriteOther` is stderr, `Error` as the last event marks the end of the program as an error.
 */
export const EventLogKind = {
  Write: 0,
  WriteFile: 1,
  WriteOther: 2,
  Read: 3,
  ReadFile: 4,
  ReadOther: 5,
  ReadDir: 6,
  OpenDir: 7,
  CloseDir: 8,
  Socket: 9,
  Open: 10,
  Error: 11,
  TraceLogEvent: 12,
  EvmEvent: 13,
} as const;
/** An `EventLogKind` number (0–13). */
export type EventLogKind = (typeof EventLogKind)[keyof typeof EventLogKind];

/** A field of a Struct type: its label and the type of its value. */
export interface FieldTypeRecord {
  name: string;
  type_id: TypeId;
}

/** Extra information of a type; only Struct and Pointer carry any (docs/trace-format.md: "Values and types"). */
export type TypeSpecificInfo = { kind: "None" } | { kind: "Struct"; fields: FieldTypeRecord[] } | { kind: "Pointer"; dereference_type_id: TypeId };

/** A `Type` event's payload: `kind` is a {@link TypeKind} number, `lang_type` the name shown. */
export interface TypeRecord {
  kind: TypeKind;
  lang_type: string;
  specific_info: TypeSpecificInfo;
}

/**
 * A runtime_tracing `ValueRecord`, internally tagged by `kind` (docs/trace-format.md: "Values and types"). Every variant but
 * `Cell` carries a `type_id` that must name an earlier `Type` event.
 *
 * - `Int.i` is an integer in the i64 range, never `-0` (write a JS `-0` as a Float `"-0"`).
 * - `Float.f` is a decimal string in the 2026 encoding (`"2.5"`, `"-0"`, `"NaN"`, `"inf"`,
 *   `"-inf"`); CodeTracer releases up to late 2025 want a JSON number instead (docs/trace-format.md: "The version trap").
 * - `BigInt.b` is the standard base64 (with padding) of the big-endian magnitude.
 * - `String.text` must be well-formed Unicode (no lone surrogates).
 */
export type ValueRecord =
  | { kind: "Int"; i: number; type_id: TypeId }
  | { kind: "Float"; f: string | number; type_id: TypeId }
  | { kind: "Bool"; b: boolean; type_id: TypeId }
  | { kind: "String"; text: string; type_id: TypeId }
  | { kind: "Sequence"; elements: ValueRecord[]; is_slice: boolean; type_id: TypeId }
  | { kind: "Tuple"; elements: ValueRecord[]; type_id: TypeId }
  | { kind: "Struct"; field_values: ValueRecord[]; type_id: TypeId }
  | { kind: "Variant"; discriminator: string; contents: ValueRecord; type_id: TypeId }
  | {
      kind: "Reference";
      dereferenced: ValueRecord;
      address: number;
      mutable: boolean;
      type_id: TypeId;
    }
  | { kind: "Raw"; r: string; type_id: TypeId }
  | { kind: "Error"; msg: string; type_id: TypeId }
  | { kind: "None"; type_id: TypeId }
  | { kind: "Cell"; place: number }
  | { kind: "BigInt"; b: string; negative: boolean; type_id: TypeId };

/** The `kind` tag of a {@link ValueRecord}. */
export type ValueRecordKind = ValueRecord["kind"];

/** A variable (or argument) paired with its value: runtime_tracing `FullValueRecord`. */
export interface FullValueRecord {
  variable_id: VariableId;
  value: ValueRecord;
}

/** `Function` payload: where the function is defined and its (display) name. */
export interface FunctionRecord {
  path_id: PathId;
  line: Line;
  name: string;
}

/** `Step` payload: one executed line. */
export interface StepRecord {
  path_id: PathId;
  line: Line;
}

/** `Call` payload: the callee and its arguments. Always write `args`, even empty. */
export interface CallRecord {
  function_id: FunctionId;
  args: FullValueRecord[];
}

/** `Return` payload: the value the current call returns; pops the current call. */
export interface ReturnRecord {
  return_value: ValueRecord;
}

/** `Event` payload: an IO or log record attached to the current step. */
export interface RecordEvent {
  kind: EventLogKind;
  metadata: string;
  content: string;
}

/**
 * One runtime_tracing `TraceLowLevelEvent`, externally tagged: `{"Step": {...}}`,
 * `{"Path": "/abs/file.js"}`, …, and the unit variant as the bare string `"DropLastStep"`
 * (docs/trace-format.md: "Events"). The experimental Place/Cell events and `Assignment` are deliberately absent:
 * CodeTracer cannot read `Assignment` and panics on some Place events (docs/trace-format.md: "Events", "trace.json").
 */
export type TraceLowLevelEvent =
  | { Path: string }
  | { Function: FunctionRecord }
  | { Type: TypeRecord }
  | { VariableName: string }
  | { Variable: string }
  | { Step: StepRecord }
  | { Value: FullValueRecord }
  | { Call: CallRecord }
  | { Return: ReturnRecord }
  | { Event: RecordEvent }
  | { Asm: string[] }
  | { BindVariable: { variable_id: VariableId; place: number } }
  | { DropVariables: VariableId[] }
  | { DropVariable: VariableId }
  | { ThreadStart: ThreadId }
  | { ThreadExit: ThreadId }
  | { ThreadSwitch: ThreadId }
  | "DropLastStep";

/**
 * `trace_metadata.json`: `workdir`, `program` and `args` are required by CodeTracer releases up
 * to late 2025 (docs/trace-format.md: "Metadata"); extra keys are ignored by every reader. This recorder adds
 * `recorder: {name, version}`, `thread`, `workers`, `process` and `children`, and more keys as later features land.
 */
export interface TraceMetadata {
  workdir: string;
  program: string;
  args: string[];
  recorder?: { name: string; version: string; [key: string]: unknown };
  /** Present in the trace of a worker thread (one trace folder per thread): which thread it is. */
  thread?: TraceThreadInfo;
  /**
   * In the main thread's trace: the worker trace folders recorded under it, relative to it
   * (`"workers/1"`, …), in thread id order. Absent when no worker was recorded.
   */
  workers?: string[];
  /** Present in the trace of a recorded child process (one trace folder per process): which process it is. */
  process?: TraceProcessInfo;
  /**
   * In the root trace of a process tree: the child process trace folders recorded under it,
   * relative to it (`"children/4711"`, …), by pid. Absent when no child process was recorded.
   */
  children?: string[];
  [key: string]: unknown;
}

/**
 * The `process` field of a recorded child process's `trace_metadata.json`: its folder is
 * `<root>/children/<pid>` (docs/recording.md "Child processes").
 */
export interface TraceProcessInfo {
  /** The child's process id (the folder's name). */
  pid: number;
  /** The process id of the recorded process that started it. */
  parent_pid: number;
  /** Path from this trace folder to the parent process's trace folder, with `/` separators (`"../.."`, `"../4711"`). */
  parent_trace: string;
}

/**
 * The `thread` field of a worker thread's `trace_metadata.json`. Worker traces are separate
 * folders because CodeTracer ignores the runtime_tracing thread events (docs/trace-format.md: "Events").
 */
export interface TraceThreadInfo {
  /** The worker's `threadId` (≥ 1; the main thread is 0 and has no `thread` field). */
  id: number;
  /** `threadId` of the thread that started the worker (0 for the main thread). */
  parent_id: number;
  /** Path from this trace folder to the trace folder of that thread, with `/` separators (`"../.."`). */
  parent_trace: string;
}

/** The three file names of a materialized trace folder (docs/trace-format.md: "Folder"). */
export const TRACE_JSON_FILE = "trace.json";
/** Binary event file name (CBOR + seekable zstd, docs/trace-format.md: "trace.bin"). */
export const TRACE_BIN_FILE = "trace.bin";
/** Metadata file name. */
export const TRACE_METADATA_FILE = "trace_metadata.json";
/**
 * The metadata of a recording still running, without exit status: written when the recording
 * begins, removed when it ends. A folder with it but without {@link TRACE_METADATA_FILE} belongs
 * to a running recording or one whose process was killed (and can be repaired).
 */
export const PENDING_METADATA_FILE = "trace_metadata.pending.json";
/** Paths file name: a JSON array whose index is the `PathId`. */
export const TRACE_PATHS_FILE = "trace_paths.json";

/**
 * Something events are written to, in order: {@link TraceJsonWriter}, {@link TraceBinWriter}.
 * The typed methods write the event {@link TraceEventWriter.write} writes for the same fields
 * (`writeStep(p, l)` ≡ `write({ Step: { path_id: p, line: l } })`) without the event object
 * being built: they are the recorder's hot path. The fields of the common value records (Int,
 * Bool, String, Raw, Error, None, Float, Struct, Sequence) are written in the order the
 * `ValueRecord` type lists them (other own properties of such a record are not written), so a
 * record built in another order is the same event in other bytes; the recorder builds them in
 * that order. Errors are those of `write`.
 */
export interface TraceEventWriter {
  /** Writes any event. */
  write(event: TraceLowLevelEvent): void;
  /** `{ Step: { path_id, line } }`. */
  writeStep(pathId: PathId, line: Line): void;
  /** `{ Value: { variable_id, value } }`. */
  writeValue(variableId: VariableId, value: ValueRecord): void;
  /** `{ Call: { function_id, args } }`. */
  writeCall(functionId: FunctionId, args: readonly FullValueRecord[]): void;
  /** `{ Return: { return_value } }`. */
  writeReturn(value: ValueRecord): void;
}
