/**
 * Validator of runtime_tracing event streams: the rules CodeTracer's loader imposes on a
 * `trace.json` (docs/trace-format.md: "trace.json", "Events", "Values and types", "Ordering"). The folder-level entry point, which also checks
 * `trace_metadata.json` and `trace_paths.json`, is `validateTraceFolder` in
 * `node/validate-folder.ts`.
 *
 * @packageDocumentation
 */

import { isRustFloatString } from "./floats.js";
import { numberSource } from "./number-source.js";
import { describe } from "./reader.js";
import { isWellFormed } from "./strings.js";

/** Options of {@link validateEvents} and {@link validateTraceFolder}. */
export interface ValidationOptions {
  /**
   * Expected encoding of `Float.f` (docs/trace-format.md: "trace.json", "The version trap"):
   * - `"string"` (default): CodeTracer 2026 — a string in Rust's `f64::from_str` grammar; a
   *   number is an error (`float-encoding`);
   * - `"number"`: CodeTracer ≤ 2025 — a JSON number; a string is an error;
   * - `"either"`: both are accepted (strings must still match the grammar).
   */
  floats?: "string" | "number" | "either";
  /**
   * Severity of `missing-entry-step` (docs/trace-format.md: "Ordering rule 4"): `"warning"` (default) or `"error"`.
   */
  entryStepRule?: "error" | "warning";
  /**
   * Maximum number of issues recorded per code; further ones are only counted in
   * {@link ValidationReport.suppressed}. Default 100.
   */
  maxIssuesPerCode?: number;
}

/** One problem found by the validator. */
export interface ValidationIssue {
  /** `"error"`: CodeTracer would reject or crash on the trace; `"warning"`: it loads but is degraded or not portable. */
  severity: "error" | "warning";
  /** A {@link ValidationCode}, e.g. `"undefined-type-id"`, `"return-without-call"`, `"missing-entry-step"`. */
  code: string;
  /** Human-readable description naming the event, the field path and the offending value. */
  message: string;
  /** 0-based index of the event in the trace array, when the issue belongs to one event. */
  eventIndex?: number;
}

/** Counts gathered while validating. */
export interface ValidationStats {
  /** Number of array entries (events). */
  events: number;
  /** `Step` events. */
  steps: number;
  /** `Call` events. */
  calls: number;
  /** `Return` events. */
  returns: number;
  /** `Path` events. */
  paths: number;
  /** `Function` events. */
  functions: number;
  /** `Type` events. */
  types: number;
  /** `VariableName` and legacy `Variable` events. */
  variables: number;
  /** Largest call depth reached (Calls minus Returns). */
  maxDepth: number;
}

/** Result of {@link validateEvents} / {@link validateTraceFolder}. */
export interface ValidationReport {
  /** True when `errors` is empty (warnings allowed). */
  ok: boolean;
  /** Issues that make CodeTracer reject the trace or crash while loading it. */
  errors: ValidationIssue[];
  /** Issues that load but degrade the trace or break older CodeTracer versions. */
  warnings: ValidationIssue[];
  /** Counts; see {@link ValidationStats}. */
  stats: ValidationStats;
  /** Issues not recorded because their code hit `maxIssuesPerCode`, by code. */
  suppressed: Record<string, number>;
}

/**
 * Every issue code the validator reports, with its meaning (the rules are
 * explained in docs/trace-format.md). Codes marked
 * "warning" are always warnings; `missing-entry-step` follows `entryStepRule`; all others are
 * errors.
 */
export const VALIDATION_CODES = {
  // --- event shape
  "invalid-event": 'an array entry is not an object with exactly one key, nor the string "DropLastStep"',
  "unknown-variant": "an unknown TraceLowLevelEvent variant: serde rejects the whole file",
  "unsupported-event": "an Assignment event: CodeTracer cannot read it at all",
  "experimental-event": "warning: an experimental Place/Cell event; some CodeTracer arms panic on them",
  "thread-event": "warning: ThreadStart/ThreadExit/ThreadSwitch are rejected by CodeTracer ≤ 2025",
  "missing-field": "a required field is missing",
  "wrong-type": "a field has the wrong JSON type",
  "non-integer": "an integer field holds a non-integer or a float literal such as 1.0",
  "negative-zero": "an integer field holds the literal -0, which serde_json reads as a float",
  "negative-id": "an id (usize/u64) is negative",
  "integer-out-of-range": "an integer is outside its Rust type's range (i64, u64, usize)",
  "ill-formed-string": "a string holds a lone surrogate; serde_json rejects it",
  // --- ordering
  "undefined-path-id": "a path_id refers to a Path event that has not appeared yet",
  "undefined-function-id": "a function_id refers to a Function event that has not appeared yet",
  "undefined-type-id": "a type_id refers to a Type event that has not appeared yet",
  "undefined-variable-id": "a variable_id refers to a VariableName event that has not appeared yet",
  "return-without-call": "a Return with no open Call: depth would go negative and the backend panics",
  "missing-entry-step": "a non-top-level Call is not immediately preceded by a Step at the callee's path/line",
  "drop-last-step-without-steps": "DropLastStep with fewer than two steps before it",
  "paths-mismatch": "trace_paths.json differs from the Path events in order",
  // --- values and types
  "unknown-value-kind": "a ValueRecord kind that no reader knows",
  "invalid-float": "Float.f text is not in Rust's f64::from_str grammar",
  "float-encoding": "Float.f is a number where a string is expected, or the reverse",
  "invalid-base64": "BigInt.b is not standard padded base64",
  "struct-type-mismatch": "a Struct value's type is not a Struct type (kind 6 with Struct specific_info)",
  "struct-field-count": "a Struct value's field_values count differs from its type's fields",
  "value-too-deep": "values nested more than 60 deep exceed serde_json's recursion limit",
  "cell-value": "warning: a Cell value; CodeTracer panics (unimplemented!) when it is shown",
  "char-value": "a Char value: CodeTracer's reader (types 0.16.2) rejects it (unknown variant); write a String",
  "unknown-type-kind": "a TypeKind number outside 0–33",
  "unknown-specific-info-kind": "a TypeSpecificInfo kind other than None/Struct/Pointer",
  "unknown-event-log-kind": "an EventLogKind number outside 0–13",
  // --- folder, from validateTraceFolder only
  "missing-events-file": "the folder has neither trace.json nor trace.bin",
  "unsupported-trace-bin": "trace.bin is a BinaryV0 (Cap'n Proto) file, which this validator cannot read",
  "invalid-trace-bin": "trace.bin is not a complete Binary v1 file: bad header, no seek table (unfinished), corrupt zstd frame or CBOR",
  "invalid-json": "trace.json is not valid JSON or not an array",
  "io-error": "a file of the folder could not be read",
  "missing-metadata": "trace_metadata.json is missing (required by CodeTracer ≤ 2025 and the importer)",
  "invalid-metadata": "trace_metadata.json is malformed or lacks workdir/program/args",
  "missing-paths": "trace_paths.json is missing",
  "invalid-paths": "trace_paths.json is malformed or not an array of strings",
} as const;

/** An issue code; see {@link VALIDATION_CODES}. */
export type ValidationCode = keyof typeof VALIDATION_CODES;

/** Maximum nesting depth of a value record (the top-level value is depth 1); docs/trace-format.md: "trace.json". */
export const MAX_VALUE_DEPTH = 60;

const KNOWN_VARIANTS = new Set([
  "Step",
  "Path",
  "VariableName",
  "Variable",
  "Type",
  "Value",
  "Function",
  "Call",
  "Return",
  "Event",
  "Asm",
  "BindVariable",
  "Assignment",
  "DropVariables",
  "CompoundValue",
  "CellValue",
  "AssignCompoundItem",
  "AssignCell",
  "VariableCell",
  "DropVariable",
  "ThreadStart",
  "ThreadExit",
  "ThreadSwitch",
  "DropLastStep",
]);

/** Events that only intern a name or a type: they do not break "immediately preceded". */
const DECLARATION_VARIANTS = new Set(["Path", "Function", "Type", "VariableName", "Variable"]);

const EXPERIMENTAL_VARIANTS = new Set(["CompoundValue", "CellValue", "AssignCompoundItem", "AssignCell", "VariableCell"]);

/** Stand-in holder for the bare-string `"DropLastStep"` event. */
const BARE_DROP_LAST_STEP: Obj = { DropLastStep: null };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

type IntKind = "i64" | "u64" | "id" | "u8";

type Obj = Record<string, unknown>;

interface TypeInfo {
  kind: number | undefined;
  /** Number of fields when the type is a usable Struct type (kind 6 + Struct info), else null. */
  structFields: number | null;
}

/** What {@link Validator.snapshot} keeps. */
interface ValidatorSnapshot {
  errors: number;
  warnings: number;
  perCode: Map<string, number>;
  suppressed: Record<string, number>;
  paths: number;
  functions: number;
  types: number;
  variables: number;
  depth: number;
  liveSteps: number;
  stepSeen: boolean;
  callSeen: boolean;
  threadWarned: boolean;
  last: { pathId: unknown; line: unknown } | null;
  lastVariant: string | null;
  index: number;
  stats: ValidationStats;
}

interface FunctionInfo {
  pathId: number | undefined;
  line: number | bigint | undefined;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function fmt(v: unknown): string {
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
  } catch {
    return String(v);
  }
}

class Validator {
  readonly errors: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];
  readonly suppressed: Record<string, number> = {};
  private readonly perCode = new Map<string, number>();
  private readonly floats: "string" | "number" | "either";
  private readonly entrySeverity: "error" | "warning";
  private readonly maxPerCode: number;

  readonly pathList: unknown[] = [];
  private readonly functions: FunctionInfo[] = [];
  private readonly types: TypeInfo[] = [];
  private variables = 0;
  private depth = 0;
  private liveSteps = 0;
  private stepSeen = false;
  private callSeen = false;
  private threadWarned = false;
  /** The last non-declaration event: a Step's location, or null for any other event. */
  private last: { pathId: unknown; line: unknown } | null = null;
  /** Variant of the last non-declaration event, for messages. */
  private lastVariant: string | null = null;
  private index = 0;

  readonly stats: ValidationStats = {
    events: 0,
    steps: 0,
    calls: 0,
    returns: 0,
    paths: 0,
    functions: 0,
    types: 0,
    variables: 0,
    maxDepth: 0,
  };

  constructor(options: ValidationOptions) {
    this.floats = options.floats ?? "string";
    this.entrySeverity = options.entryStepRule ?? "warning";
    this.maxPerCode = options.maxIssuesPerCode ?? 100;
  }

  issue(severity: "error" | "warning", code: ValidationCode, message: string, eventIndex?: number): void {
    const n = (this.perCode.get(code) ?? 0) + 1;
    this.perCode.set(code, n);
    if (n > this.maxPerCode) {
      this.suppressed[code] = (this.suppressed[code] ?? 0) + 1;
      return;
    }
    const issue: ValidationIssue = { severity, code, message };
    if (eventIndex !== undefined) issue.eventIndex = eventIndex;
    (severity === "error" ? this.errors : this.warnings).push(issue);
  }

  private err(code: ValidationCode, where: string, message: string): void {
    this.issue("error", code, `event #${this.index}${where === "" ? "" : " " + where}: ${message}`, this.index);
  }

  private warn(code: ValidationCode, where: string, message: string): void {
    this.issue("warning", code, `event #${this.index}${where === "" ? "" : " " + where}: ${message}`, this.index);
  }

  // ---------------------------------------------------------------- field checks

  /** Checks `holder[key]` exists; reports missing-field otherwise. */
  private has(holder: Obj, key: string, where: string): boolean {
    if (key in holder && holder[key] !== undefined) return true;
    this.err("missing-field", where, `missing required field "${key}"`);
    return false;
  }

  private str(holder: Obj | unknown[], key: string, where: string): string | undefined {
    const v = (holder as Obj)[key];
    if (typeof v !== "string") {
      this.err("wrong-type", where, `expected a string, found ${describe(v)}`);
      return undefined;
    }
    if (!isWellFormed(v)) this.err("ill-formed-string", where, `string ${fmt(v)} holds a lone surrogate`);
    return v;
  }

  private bool(holder: Obj, key: string, where: string): void {
    const v = holder[key];
    if (typeof v !== "boolean") this.err("wrong-type", where, `expected a boolean, found ${describe(v)} ${fmt(v)}`);
  }

  /**
   * Checks an integer field as serde would read it into a Rust `i64`, `u64`, `usize` id or `u8`;
   * returns the integer when it is a valid one of that type. A `bigint` (from `decodeEvents`,
   * which decodes integers beyond ±(2^53 - 1) exactly) and a long literal of `trace.json`
   * (whose text `parseTraceJson` keeps) are judged by their exact value.
   */
  private int(holder: Obj | unknown[], key: string, where: string, kind: IntKind): number | bigint | undefined {
    const v = (holder as Obj)[key];
    let exact: bigint | undefined;
    if (typeof v === "bigint") {
      exact = v;
    } else if (typeof v !== "number") {
      this.err("wrong-type", where, `expected an integer, found ${describe(v)} ${fmt(v)}`);
      return undefined;
    } else {
      const source = numberSource(holder, key);
      if (source !== undefined && /[.eE]/.test(source)) {
        this.err("non-integer", where, `integer written as the float literal ${source}`);
        return undefined;
      }
      if (!Number.isInteger(v)) {
        this.err("non-integer", where, `expected an integer, found ${fmt(v)}`);
        return undefined;
      }
      if (Object.is(v, -0)) {
        this.err("negative-zero", where, "the literal -0 is read as a float by serde_json; write 0");
        return undefined;
      }
      if (source !== undefined) exact = BigInt(source);
    }
    let inRange: boolean;
    let negative: boolean;
    if (exact !== undefined) {
      negative = exact < 0n;
      inRange = kind === "i64" ? exact >= I64_MIN && exact <= I64_MAX : exact >= 0n && exact <= U64_MAX;
    } else {
      const n = v as number;
      negative = n < 0;
      inRange = kind === "i64" ? n >= -TWO_63 && n < TWO_63 : n >= 0 && n < TWO_64;
    }
    const text = exact !== undefined ? String(exact) : String(v);
    if (kind !== "i64" && negative) {
      if (kind === "id") this.err("negative-id", where, `ids are non-negative, found ${text}`);
      else this.err("integer-out-of-range", where, `expected a non-negative integer, found ${text}`);
      return undefined;
    }
    if (!inRange) {
      this.err("integer-out-of-range", where, `${text} is outside the ${kind === "i64" ? "i64" : "u64"} range`);
      return undefined;
    }
    return v as number | bigint;
  }

  private pathRef(holder: Obj, key: string, where: string): number | undefined {
    if (!this.has(holder, key, where)) return undefined;
    const id = this.int(holder, key, `${where}.${key}`, "id");
    if (id === undefined) return undefined;
    if (typeof id === "bigint" || id >= this.pathList.length) {
      this.err("undefined-path-id", `${where}.${key}`, `path_id ${id} is not defined (${this.pathList.length} Path events so far)`);
      return undefined;
    }
    return id;
  }

  private typeRef(holder: Obj, key: string, where: string, limit = this.types.length): number | undefined {
    if (!this.has(holder, key, where)) return undefined;
    const id = this.int(holder, key, `${where}.${key}`, "id");
    if (id === undefined) return undefined;
    if (typeof id === "bigint" || id >= limit) {
      this.err("undefined-type-id", `${where}.${key}`, `type_id ${id} is not defined (${limit} Type events before it)`);
      return undefined;
    }
    return id;
  }

  private variableRef(holder: Obj, key: string, where: string): number | undefined {
    if (!this.has(holder, key, where)) return undefined;
    const id = this.int(holder, key, `${where}.${key}`, "id");
    if (id === undefined) return undefined;
    if (typeof id === "bigint" || id >= this.variables) {
      this.err("undefined-variable-id", `${where}.${key}`, `variable_id ${id} is not defined (${this.variables} VariableName events so far)`);
      return undefined;
    }
    return id;
  }

  private field(holder: Obj, key: string, where: string, kind: "string" | "boolean" | IntKind): void {
    if (!this.has(holder, key, where)) return;
    const w = `${where}.${key}`;
    if (kind === "string") this.str(holder, key, w);
    else if (kind === "boolean") this.bool(holder, key, w);
    else this.int(holder, key, w, kind);
  }

  private array(holder: Obj, key: string, where: string): unknown[] | undefined {
    if (!this.has(holder, key, where)) return undefined;
    const v = holder[key];
    if (!Array.isArray(v)) {
      this.err("wrong-type", `${where}.${key}`, `expected an array, found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  private payloadObject(payload: unknown, where: string): Obj | undefined {
    if (isObj(payload)) return payload;
    this.err("wrong-type", where, `expected an object payload, found ${describe(payload)}`);
    return undefined;
  }

  // ---------------------------------------------------------------- values

  /** Validates a ValueRecord (docs/trace-format.md: "Values and types") at nesting depth `depth` (top level = 1). */
  value(v: unknown, where: string, depth: number): void {
    if (!isObj(v)) {
      this.err("wrong-type", where, `expected a value record object, found ${describe(v)}`);
      return;
    }
    if (depth > MAX_VALUE_DEPTH) {
      this.err("value-too-deep", where, `value nested ${depth} deep; serde_json accepts about 62, keep it ≤ ${MAX_VALUE_DEPTH} (recorders should cap at ~20)`);
      return;
    }
    if (!this.has(v, "kind", where)) return;
    const kind = v.kind;
    if (typeof kind !== "string") {
      this.err("wrong-type", `${where}.kind`, `expected a string, found ${describe(kind)}`);
      return;
    }
    const w = `${where}(${kind})`;
    switch (kind) {
      case "Int":
        this.field(v, "i", w, "i64");
        break;
      case "Float":
        if (this.has(v, "f", w)) this.float(v.f, `${w}.f`);
        break;
      case "Bool":
        this.field(v, "b", w, "boolean");
        break;
      case "String":
        this.field(v, "text", w, "string");
        break;
      case "Sequence":
      case "Tuple": {
        const elements = this.array(v, "elements", w);
        elements?.forEach((e, i) => this.value(e, `${w}.elements[${i}]`, depth + 1));
        if (kind === "Sequence") this.field(v, "is_slice", w, "boolean");
        break;
      }
      case "Struct": {
        const fields = this.array(v, "field_values", w);
        fields?.forEach((e, i) => this.value(e, `${w}.field_values[${i}]`, depth + 1));
        const typeId = this.typeRef(v, "type_id", w);
        if (typeId !== undefined && fields !== undefined) this.structValue(typeId, fields.length, w);
        return;
      }
      case "Variant":
        this.field(v, "discriminator", w, "string");
        if (this.has(v, "contents", w)) this.value(v.contents, `${w}.contents`, depth + 1);
        break;
      case "Reference":
        if (this.has(v, "dereferenced", w)) this.value(v.dereferenced, `${w}.dereferenced`, depth + 1);
        this.field(v, "address", w, "u64");
        this.field(v, "mutable", w, "boolean");
        break;
      case "Raw":
        this.field(v, "r", w, "string");
        break;
      case "Error":
        this.field(v, "msg", w, "string");
        break;
      case "None":
        break;
      case "Cell":
        this.field(v, "place", w, "i64");
        this.warn("cell-value", w, "Cell values make CodeTracer panic (unimplemented!) when shown");
        return;
      case "BigInt":
        if (this.has(v, "b", w)) {
          const b = this.str(v, "b", `${w}.b`);
          if (b !== undefined && !BASE64.test(b)) this.err("invalid-base64", `${w}.b`, `${fmt(b)} is not standard padded base64`);
        }
        this.field(v, "negative", w, "boolean");
        break;
      case "Char":
        if (this.has(v, "c", w)) {
          const c = this.str(v, "c", `${w}.c`);
          if (c !== undefined && [...c].length !== 1) this.err("wrong-type", `${w}.c`, `a Char holds exactly one character, found ${fmt(c)}`);
        }
        this.err("char-value", w, "Char values are rejected by CodeTracer's reader (runtime_tracing types 0.16.2: unknown variant `Char`); write a String");
        break;
      default:
        this.err("unknown-value-kind", `${where}.kind`, `unknown value kind ${fmt(kind)}`);
        return;
    }
    this.typeRef(v, "type_id", w);
  }

  private float(f: unknown, where: string): void {
    if (typeof f === "string") {
      if (this.floats === "number") {
        this.err("float-encoding", where, `Float.f is the string ${fmt(f)}; CodeTracer ≤ 2025 (floats: "number") needs a JSON number`);
        return;
      }
      if (!isRustFloatString(f)) this.err("invalid-float", where, `${fmt(f)} is not a Rust f64 literal (e.g. "2.5", "-0", "inf", "NaN")`);
      return;
    }
    if (typeof f === "number") {
      if (this.floats === "string") {
        this.err("float-encoding", where, `Float.f is the number ${fmt(f)}; CodeTracer 2026 (floats: "string") needs a string such as "${String(f)}"`);
      }
      return;
    }
    this.err("wrong-type", where, `expected a float ${this.floats === "number" ? "number" : "string"}, found ${describe(f)}`);
  }

  private structValue(typeId: number, count: number, where: string): void {
    const t = this.types[typeId];
    if (t === undefined) return;
    if (t.structFields === null) {
      this.err("struct-type-mismatch", `${where}.type_id`, `type ${typeId} is not a Struct type (kind 6 with specific_info Struct); kind is ${fmt(t.kind)}`);
      return;
    }
    if (t.structFields !== count) {
      this.err("struct-field-count", `${where}.field_values`, `${count} field values but type ${typeId} declares ${t.structFields} fields`);
    }
  }

  private fullValue(v: unknown, where: string): void {
    const o = this.payloadObject(v, where);
    if (o === undefined) return;
    this.variableRef(o, "variable_id", where);
    if (this.has(o, "value", where)) this.value(o.value, `${where}.value`, 1);
  }

  // ---------------------------------------------------------------- events

  event(e: unknown, index: number): void {
    this.index = index;
    let variant: string;
    let payload: unknown;
    /** The object holding the payload (the event itself), for number-source lookups. */
    let holder: Obj = BARE_DROP_LAST_STEP;
    if (typeof e === "string") {
      if (e !== "DropLastStep") {
        if (KNOWN_VARIANTS.has(e)) this.err("invalid-event", "", `only the unit variant "DropLastStep" may be a bare string, found ${fmt(e)}`);
        else this.err("unknown-variant", "", `unknown event variant ${fmt(e)}`);
        this.last = null;
        this.lastVariant = "an invalid event";
        return;
      }
      variant = e;
      payload = null;
    } else if (isObj(e)) {
      const keys = Object.keys(e);
      if (keys.length !== 1 || keys[0] === undefined) {
        this.err("invalid-event", "", `an event is an object with exactly one key (the variant), found keys ${fmt(keys)}`);
        this.last = null;
        this.lastVariant = "an invalid event";
        return;
      }
      variant = keys[0];
      payload = e[variant];
      holder = e;
    } else {
      this.err("invalid-event", "", `an event is an object or "DropLastStep", found ${describe(e)}`);
      this.last = null;
      this.lastVariant = "an invalid event";
      return;
    }
    if (!KNOWN_VARIANTS.has(variant)) {
      this.err("unknown-variant", "", `unknown event variant ${fmt(variant)}`);
      this.last = null;
      this.lastVariant = "an invalid event";
      return;
    }
    this.dispatch(variant, payload, holder);
    if (!DECLARATION_VARIANTS.has(variant)) {
      this.lastVariant = variant;
      if (variant !== "Step") this.last = null;
    }
  }

  private dispatch(variant: string, payload: unknown, holder: Obj): void {
    const w = variant;
    switch (variant) {
      case "Path":
        this.stats.paths++;
        this.pathList.push(payload);
        this.str(holder, variant, w);
        return;
      case "VariableName":
      case "Variable":
        this.stats.variables++;
        this.variables++;
        this.str(holder, variant, w);
        return;
      case "Function": {
        this.stats.functions++;
        const info: FunctionInfo = { pathId: undefined, line: undefined };
        const o = this.payloadObject(payload, w);
        if (o !== undefined) {
          info.pathId = this.pathRef(o, "path_id", w);
          if (this.has(o, "line", w)) info.line = this.int(o, "line", `${w}.line`, "i64");
          this.field(o, "name", w, "string");
        }
        this.functions.push(info);
        return;
      }
      case "Type":
        this.typeEvent(payload);
        return;
      case "Step": {
        this.stats.steps++;
        this.liveSteps++;
        this.stepSeen = true;
        const o = this.payloadObject(payload, w);
        let pathId: number | undefined;
        let line: number | bigint | undefined;
        if (o !== undefined) {
          pathId = this.pathRef(o, "path_id", w);
          if (this.has(o, "line", w)) line = this.int(o, "line", `${w}.line`, "i64");
        }
        this.last = { pathId, line };
        return;
      }
      case "Value":
        this.fullValue(payload, w);
        return;
      case "Call":
        this.callEvent(payload);
        return;
      case "Return": {
        this.stats.returns++;
        const o = this.payloadObject(payload, w);
        if (o !== undefined && this.has(o, "return_value", w)) this.value(o.return_value, `${w}.return_value`, 1);
        this.depth--;
        if (this.depth < 0) {
          this.err("return-without-call", w, `Return #${this.stats.returns} has no open Call (${this.stats.calls} Calls so far); CodeTracer asserts depth > 0`);
          this.depth = 0;
        }
        return;
      }
      case "Event": {
        const o = this.payloadObject(payload, w);
        if (o === undefined) return;
        if (this.has(o, "kind", w)) {
          const k = this.int(o, "kind", `${w}.kind`, "u8");
          if (k !== undefined && k > 13) this.err("unknown-event-log-kind", `${w}.kind`, `EventLogKind ${k} is not in 0–13`);
        }
        this.field(o, "metadata", w, "string");
        this.field(o, "content", w, "string");
        return;
      }
      case "Asm":
        if (!Array.isArray(payload)) {
          this.err("wrong-type", w, `expected an array of strings, found ${describe(payload)}`);
          return;
        }
        payload.forEach((_, i) => this.str(payload, String(i), `${w}[${i}]`));
        return;
      case "BindVariable": {
        const o = this.payloadObject(payload, w);
        if (o === undefined) return;
        this.field(o, "variable_id", w, "id");
        this.field(o, "place", w, "i64");
        return;
      }
      case "DropVariables":
        if (!Array.isArray(payload)) {
          this.err("wrong-type", w, `expected an array of variable ids, found ${describe(payload)}`);
          return;
        }
        payload.forEach((_, i) => this.int(payload, String(i), `${w}[${i}]`, "id"));
        return;
      case "DropVariable":
        this.int(holder, variant, w, "id");
        return;
      case "ThreadStart":
      case "ThreadExit":
      case "ThreadSwitch":
        this.int(holder, variant, w, "u64");
        if (!this.threadWarned) {
          this.threadWarned = true;
          this.warn("thread-event", w, "thread events are ignored by CodeTracer 2026 and rejected by CodeTracer ≤ 2025 (reported once)");
        }
        return;
      case "DropLastStep":
        if (payload !== null) {
          this.err("wrong-type", w, `DropLastStep carries no payload (null), found ${describe(payload)}`);
        }
        if (this.liveSteps < 2) {
          this.err("drop-last-step-without-steps", w, `DropLastStep needs at least two earlier steps, found ${this.liveSteps}`);
        } else {
          this.liveSteps--;
        }
        return;
      case "Assignment":
        this.err("unsupported-event", w, "CodeTracer cannot deserialise Assignment events; never emit them");
        return;
      default:
        if (EXPERIMENTAL_VARIANTS.has(variant)) {
          this.warn("experimental-event", w, "experimental Place/Cell event; some CodeTracer arms todo!()/panic on it");
        }
        return;
    }
  }

  private typeEvent(payload: unknown): void {
    const w = "Type";
    const ownId = this.types.length;
    this.stats.types++;
    const info: TypeInfo = { kind: undefined, structFields: null };
    this.types.push(info);
    const o = this.payloadObject(payload, w);
    if (o === undefined) return;
    if (this.has(o, "kind", w)) {
      const k = this.int(o, "kind", `${w}.kind`, "u8");
      if (k !== undefined && (typeof k === "bigint" || k > 33)) this.err("unknown-type-kind", `${w}.kind`, `TypeKind ${k} is not in 0–33`);
      else info.kind = k;
    }
    this.field(o, "lang_type", w, "string");
    if (!this.has(o, "specific_info", w)) return;
    const sw = `${w}.specific_info`;
    const si = this.payloadObject(o.specific_info, sw);
    if (si === undefined || !this.has(si, "kind", sw)) return;
    switch (si.kind) {
      case "None":
        return;
      case "Struct": {
        const fields = this.array(si, "fields", sw);
        if (fields === undefined) return;
        let ok = true;
        fields.forEach((f, i) => {
          const fw = `${sw}.fields[${i}]`;
          const fo = this.payloadObject(f, fw);
          if (fo === undefined) {
            ok = false;
            return;
          }
          this.field(fo, "name", fw, "string");
          this.typeRef(fo, "type_id", fw, ownId);
        });
        if (ok && info.kind === 6) info.structFields = fields.length;
        return;
      }
      case "Pointer":
        this.typeRef(si, "dereference_type_id", sw, ownId);
        return;
      default:
        this.err("unknown-specific-info-kind", `${sw}.kind`, `unknown TypeSpecificInfo kind ${fmt(si.kind)} (None, Struct, Pointer)`);
    }
  }

  private callEvent(payload: unknown): void {
    const w = "Call";
    this.stats.calls++;
    const exempt = !this.callSeen || (this.depth === 0 && !this.stepSeen);
    this.callSeen = true;
    const before = this.last;
    const o = this.payloadObject(payload, w);
    let fn: FunctionInfo | undefined;
    if (o !== undefined) {
      if (this.has(o, "function_id", w)) {
        const id = this.int(o, "function_id", `${w}.function_id`, "id");
        if (id !== undefined) {
          fn = typeof id === "bigint" ? undefined : this.functions[id];
          if (fn === undefined) {
            this.err("undefined-function-id", `${w}.function_id`, `function_id ${id} is not defined (${this.functions.length} Function events so far)`);
          }
        }
      }
      const args = this.array(o, "args", w);
      args?.forEach((a, i) => this.fullValue(a, `${w}.args[${i}]`));
    }
    if (!exempt && fn !== undefined && fn.pathId !== undefined && fn.line !== undefined) {
      if (before === null || before.pathId !== fn.pathId || before.line !== fn.line) {
        const found =
          before !== null
            ? `the previous Step is at path ${fmt(before.pathId)} line ${fmt(before.line)}`
            : this.lastVariant === null
              ? "no Step precedes it"
              : `the previous non-declaration event is ${this.lastVariant}, not a Step`;
        this.issue(
          this.entrySeverity,
          "missing-entry-step",
          `event #${this.index} Call: expected a Step at the callee's definition (path ${fn.pathId} line ${fn.line}) immediately before the Call; ${found}`,
          this.index,
        );
      }
    }
    this.depth++;
    if (this.depth > this.stats.maxDepth) this.stats.maxDepth = this.depth;
  }

  comparePaths(paths: readonly unknown[]): void {
    const events = this.pathList;
    const n = Math.max(paths.length, events.length);
    for (let i = 0; i < n; i++) {
      if (paths[i] !== events[i]) {
        const fileSide = i < paths.length ? fmt(paths[i]) : "nothing";
        const eventSide = i < events.length ? fmt(events[i]) : "nothing";
        this.issue(
          "error",
          "paths-mismatch",
          `trace_paths.json (${paths.length} entries) differs from the Path events (${events.length}) at index ${i}: file has ${fileSide}, events have ${eventSide}`,
        );
        return;
      }
    }
  }

  /** The state {@link restore} goes back to (ids declared so far, depth, counters, issues). */
  snapshot(): ValidatorSnapshot {
    return {
      errors: this.errors.length,
      warnings: this.warnings.length,
      perCode: new Map(this.perCode),
      suppressed: { ...this.suppressed },
      paths: this.pathList.length,
      functions: this.functions.length,
      types: this.types.length,
      variables: this.variables,
      depth: this.depth,
      liveSteps: this.liveSteps,
      stepSeen: this.stepSeen,
      callSeen: this.callSeen,
      threadWarned: this.threadWarned,
      last: this.last,
      lastVariant: this.lastVariant,
      index: this.index,
      stats: { ...this.stats },
    };
  }

  /** Forgets everything checked since `s` was taken (the declarations are only ever appended). */
  restore(s: ValidatorSnapshot): void {
    this.errors.length = s.errors;
    this.warnings.length = s.warnings;
    this.perCode.clear();
    for (const [code, n] of s.perCode) this.perCode.set(code, n);
    for (const code of Object.keys(this.suppressed)) delete this.suppressed[code];
    Object.assign(this.suppressed, s.suppressed);
    this.pathList.length = s.paths;
    this.functions.length = s.functions;
    this.types.length = s.types;
    this.variables = s.variables;
    this.depth = s.depth;
    this.liveSteps = s.liveSteps;
    this.stepSeen = s.stepSeen;
    this.callSeen = s.callSeen;
    this.threadWarned = s.threadWarned;
    this.last = s.last;
    this.lastVariant = s.lastVariant;
    this.index = s.index;
    Object.assign(this.stats, s.stats);
  }

  /** Drops the issues gathered so far (not the state they were found in). */
  clearIssues(): void {
    this.errors.length = 0;
    this.warnings.length = 0;
    this.perCode.clear();
    for (const code of Object.keys(this.suppressed)) delete this.suppressed[code];
  }

  report(): ValidationReport {
    return {
      ok: this.errors.length === 0,
      errors: this.errors,
      warnings: this.warnings,
      stats: this.stats,
      suppressed: this.suppressed,
    };
  }
}

/**
 * Validates a trace's events against CodeTracer's loader rules (docs/trace-format.md: "trace.json", "Events", "Values and types", "Ordering") without
 * throwing. Checks, in one pass:
 * - shape: each entry is `{"<Variant>": payload}` of a known variant or `"DropLastStep"`, with
 *   every required field of the right JSON type (docs/trace-format.md: "trace.json", "Events"); `Assignment` is an error, experimental
 *   Place/Cell events and thread events are warnings;
 * - integers: ids are non-negative integers, `line`/`Int.i`/`place` are i64, `address` u64,
 *   none is `-0` or a float literal like `1.0` (the latter needs events from
 *   {@link parseTraceJson}) (docs/trace-format.md: "trace.json");
 * - define-before-use: Path before Step/Function, Function before Call, Type before any value,
 *   Struct field or Pointer using it, VariableName/Variable before Value/Call args (docs/trace-format.md: "Ordering rule 1");
 * - balance: Returns never outnumber Calls (docs/trace-format.md: "Ordering rule 5"); `DropLastStep` needs two earlier steps (docs/trace-format.md: "Events");
 * - entry steps: every Call except the first, and except Calls at depth 0 before any Step, must
 *   be immediately preceded by a Step at the callee's `path_id`/`line`; declaration events
 *   (Path, Function, Type, VariableName, Variable) in between are allowed, any other event is
 *   not (docs/trace-format.md: "Ordering rule 4"); severity per `entryStepRule`;
 * - values: known kinds, `Float.f` per `floats`, `BigInt.b` base64, Struct values typed by a
 *   kind-6 Struct type with as many fields, nesting ≤ {@link MAX_VALUE_DEPTH} (docs/trace-format.md: "Values and types", "trace.json");
 *   TypeKind 0–33, EventLogKind 0–13 (docs/trace-format.md: "Values and types"); strings well-formed (docs/trace-format.md: "trace.json");
 * - when `options.paths` is given (not null): it equals the Path events in order (docs/trace-format.md: "Metadata").
 *
 * @param events - the parsed array (e.g. from {@link parseTraceJson}); entries may be anything
 * @param options - see {@link ValidationOptions}; `paths` is the `trace_paths.json` content
 * @returns the report; `ok` is true when there are no errors. Codes: {@link VALIDATION_CODES}.
 */
export function validateEvents(events: unknown[], options: ValidationOptions & { paths?: string[] | null } = {}): ValidationReport {
  const v = new Validator(options);
  if (!Array.isArray(events)) {
    v.issue("error", "invalid-json", `the trace must be an array of events, found ${describe(events)}`);
    return v.report();
  }
  v.stats.events = events.length;
  for (let i = 0; i < events.length; i++) v.event(events[i], i);
  if (options.paths !== undefined && options.paths !== null) v.comparePaths(options.paths);
  return v.report();
}

/**
 * Builds a report from folder-level issues plus an events report (used by
 * `validateTraceFolder`); folder issues come first.
 *
 * @param folderIssues - issues about the folder's files
 * @param eventsReport - the report of {@link validateEvents}
 */
export function mergeReports(folderIssues: ValidationIssue[], eventsReport: ValidationReport): ValidationReport {
  const errors = [...folderIssues.filter((i) => i.severity === "error"), ...eventsReport.errors];
  const warnings = [...folderIssues.filter((i) => i.severity === "warning"), ...eventsReport.warnings];
  return {
    ok: errors.length === 0,
    errors,
    warnings,
    stats: eventsReport.stats,
    suppressed: eventsReport.suppressed,
  };
}

/** What {@link EventStreamValidator.append} found in one batch. */
export interface StreamBatchReport {
  /** True when the batch had no error and was taken: the stream now ends with it. */
  ok: boolean;
  /** The batch's errors (`eventIndex` counts from the start of the stream); empty when `ok`. */
  errors: ValidationIssue[];
  /** The batch's warnings (reported even when the batch is refused). */
  warnings: ValidationIssue[];
}

/**
 * Validates a trace's events as they arrive, batch by batch, with the rules of
 * {@link validateEvents} (define-before-use across batches, call balance, entry steps, value
 * shapes): for a writer that must only ever append events that keep the trace valid, e.g. a
 * server receiving a recording over the network. A batch is taken whole or not at all: one with
 * an error leaves the validator as it was before it, so the next batch is checked against the
 * events taken so far.
 *
 * Unlike {@link validateEvents}, a Return that closes more Calls than were opened is an error
 * of its batch, and nothing checks that every Call is eventually returned from (the stream has
 * no end the validator knows of). Memory grows with the number of paths, functions and types
 * declared, not with the number of events.
 */
export class EventStreamValidator {
  private readonly validator: Validator;
  private count = 0;

  /** @param options - see {@link ValidationOptions} */
  constructor(options: ValidationOptions = {}) {
    this.validator = new Validator(options);
  }

  /**
   * Checks `events` as the continuation of the events taken so far; takes them when they have
   * no error (warnings allowed).
   *
   * @param events - parsed events (anything: a non-event is an `invalid-event` error)
   * @returns the batch's issues; `ok` says whether it was taken
   */
  append(events: readonly unknown[]): StreamBatchReport {
    const v = this.validator;
    const before = v.snapshot();
    v.clearIssues();
    for (let i = 0; i < events.length; i++) v.event(events[i], this.count + i);
    const errors = [...v.errors];
    const warnings = [...v.warnings];
    if (errors.length > 0) v.restore(before);
    else {
      this.count += events.length;
      v.stats.events = this.count;
    }
    v.clearIssues();
    return { ok: errors.length === 0, errors, warnings };
  }

  /** Counts of the events taken so far (see {@link ValidationStats}). */
  get stats(): Readonly<ValidationStats> {
    return this.validator.stats;
  }

  /** The `Path` events taken so far, in order: what `trace_paths.json` must list. */
  get paths(): readonly string[] {
    return this.validator.pathList as string[];
  }

  /** Calls taken and not yet returned from (0 for a finished trace). */
  get openCalls(): number {
    return this.validator.stats.calls - this.validator.stats.returns;
  }
}
