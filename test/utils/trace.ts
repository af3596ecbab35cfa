/**
 * A small query layer over a recorded trace folder: functions by name, calls with decoded
 * arguments and return values, steps at `file:line`, and the locals recorded at a step.
 *
 * Ids in runtime_tracing are positional (the n-th `Path` is path id n, the n-th `Function` is
 * function id n, ...), so everything is resolved in one pass over the events.
 */
import * as path from "node:path";
import {
  readTraceFolder,
  validateTraceFolder,
  type FullValueRecord,
  type TraceFolder,
  type TraceLowLevelEvent,
  type TypeRecord,
  type ValidationReport,
  type ValueRecord,
} from "@codetracer/trace-format";

/** A JS-ish view of a recorded value (see {@link TraceQuery.decode}). */
export type Decoded = number | string | boolean | bigint | null | Decoded[] | { [field: string]: Decoded } | { $raw: string } | { $error: string };

/** One `Step` with the locals recorded right after it (values before the line runs). */
export interface StepInfo {
  /** Index of the Step event in `trace.json`. */
  index: number;
  path: string;
  line: number;
  /** Name of the function whose frame was on top when the step was recorded. */
  frame: string;
  /** Local name → recorded value. */
  locals: Map<string, ValueRecord>;
}

/** One `Call` matched with its `Return` (if any). */
export interface CallInfo {
  /** Index of the Call event. */
  index: number;
  functionId: number;
  name: string;
  /** Definition site of the callee (from its Function event). */
  path: string;
  line: number;
  /** Argument name → decoded value, in order. */
  args: Record<string, Decoded>;
  argRecords: FullValueRecord[];
  /** Index of the matching Return event, or -1 if the call never returned. */
  returnIndex: number;
  returnRecord: ValueRecord | undefined;
  /** The enclosing call (undefined for the root). */
  parent: CallInfo | undefined;
  /** Calls made directly from this one, in order. */
  children: CallInfo[];
  /** Call depth: 0 for the root `<top-level>` call. */
  depth: number;
}

function variantOf(event: TraceLowLevelEvent): string {
  return typeof event === "string" ? event : Object.keys(event)[0]!;
}

export class TraceQuery {
  readonly folder: TraceFolder;
  readonly events: TraceLowLevelEvent[];
  readonly paths: string[] = [];
  readonly functions: { id: number; name: string; path: string; line: number }[] = [];
  readonly types: TypeRecord[] = [];
  readonly variableNames: string[] = [];
  readonly steps: StepInfo[] = [];
  readonly calls: CallInfo[] = [];
  /** `Event` records (IO, errors) with their index. */
  readonly logEvents: { index: number; kind: number; metadata: string; content: string }[] = [];
  /** Number of Return events that found no open call (should be 0). */
  unmatchedReturns = 0;
  /** Calls still open at the end of the trace. */
  readonly openCalls: CallInfo[] = [];

  constructor(readonly dir: string) {
    this.folder = readTraceFolder(dir);
    this.events = this.folder.events;
    const stack: CallInfo[] = [];
    let currentStep: StepInfo | undefined;
    this.events.forEach((event, index) => {
      const variant = variantOf(event);
      const body = (event as Record<string, unknown>)[variant];
      if (variant !== "Value" && variant !== "Type" && variant !== "VariableName") currentStep = undefined;
      switch (variant) {
        case "Path":
          this.paths.push(body as string);
          break;
        case "Function": {
          const f = body as { path_id: number; line: number; name: string };
          this.functions.push({ id: this.functions.length, name: f.name, path: this.paths[f.path_id] ?? "?", line: f.line });
          break;
        }
        case "Type":
          this.types.push(body as TypeRecord);
          break;
        case "VariableName":
        case "Variable":
          this.variableNames.push(body as string);
          break;
        case "Step": {
          const s = body as { path_id: number; line: number };
          currentStep = {
            index,
            path: this.paths[s.path_id] ?? "?",
            line: s.line,
            frame: stack.at(-1)?.name ?? "",
            locals: new Map(),
          };
          this.steps.push(currentStep);
          break;
        }
        case "Value": {
          const v = body as FullValueRecord;
          currentStep?.locals.set(this.variableNames[v.variable_id] ?? `#${v.variable_id}`, v.value);
          break;
        }
        case "Call": {
          const c = body as { function_id: number; args: FullValueRecord[] };
          const fn = this.functions[c.function_id];
          const parent = stack.at(-1);
          const info: CallInfo = {
            index,
            functionId: c.function_id,
            name: fn?.name ?? `#${c.function_id}`,
            path: fn?.path ?? "?",
            line: fn?.line ?? 0,
            args: {},
            argRecords: c.args,
            returnIndex: -1,
            returnRecord: undefined,
            parent,
            children: [],
            depth: stack.length,
          };
          for (const a of c.args) info.args[this.variableNames[a.variable_id] ?? `#${a.variable_id}`] = this.decode(a.value);
          parent?.children.push(info);
          this.calls.push(info);
          stack.push(info);
          break;
        }
        case "Return": {
          const r = body as { return_value: ValueRecord };
          const top = stack.pop();
          if (!top) {
            this.unmatchedReturns++;
            break;
          }
          top.returnIndex = index;
          top.returnRecord = r.return_value;
          break;
        }
        case "Event": {
          const e = body as { kind: number; metadata: string; content: string };
          this.logEvents.push({ index, ...e });
          break;
        }
        default:
          break;
      }
    });
    this.openCalls.push(...stack);
  }

  /** Validates the folder with the strict entry-step rule this recorder promises. */
  static validate(dir: string): ValidationReport {
    return validateTraceFolder(dir, { entryStepRule: "error" });
  }

  /** Decodes a value record: numbers, strings, booleans, `null` for None, arrays, objects
   * (Struct fields by name), `{$raw}` for Raw and `{$error}` for Error values. */
  decode(value: ValueRecord): Decoded {
    switch (value.kind) {
      case "Int":
        return value.i;
      case "Float":
        return typeof value.f === "number" ? value.f : value.f === "inf" ? Infinity : value.f === "-inf" ? -Infinity : Number(value.f);
      case "String":
        return value.text;
      case "Bool":
        return value.b;
      case "None":
        return null;
      case "Sequence":
      case "Tuple":
        return value.elements.map((e) => this.decode(e));
      case "Struct": {
        const type = this.types[value.type_id];
        const fields = type?.specific_info.kind === "Struct" ? type.specific_info.fields : [];
        const out: Record<string, Decoded> = {};
        value.field_values.forEach((v, i) => (out[fields[i]?.name ?? `#${i}`] = this.decode(v)));
        return out;
      }
      case "Raw":
        return { $raw: value.r };
      case "Error":
        return { $error: value.msg };
      case "BigInt": {
        const hex = Buffer.from(value.b, "base64").toString("hex") || "0";
        const n = BigInt(`0x${hex}`);
        return value.negative ? -n : n;
      }
      case "Variant":
        return this.decode(value.contents);
      case "Reference":
        return this.decode(value.dereferenced);
      default:
        return { $raw: `<${value.kind}>` };
    }
  }

  /** The `lang_type` of a value's type (e.g. the class name of a Struct). */
  typeName(value: ValueRecord | undefined): string | undefined {
    if (!value || !("type_id" in value)) return undefined;
    return this.types[value.type_id]?.lang_type;
  }

  /** Every distinct function name. */
  functionNames(): Set<string> {
    return new Set(this.functions.map((f) => f.name));
  }

  /** Calls of the functions named `name`, optionally only those defined in a file ending with `file`. */
  callsOf(name: string, file?: string): CallInfo[] {
    return this.calls.filter((c) => c.name === name && (file === undefined || endsWithPath(c.path, file)));
  }

  /** Decoded return values of the calls of `name` that returned. */
  returnsOf(name: string, file?: string): Decoded[] {
    return this.callsOf(name, file)
      .filter((c) => c.returnRecord !== undefined)
      .map((c) => this.decode(c.returnRecord!));
  }

  /** Steps at `line` of the file whose path ends with `file`. */
  stepsAt(file: string, line: number): StepInfo[] {
    return this.steps.filter((s) => s.line === line && endsWithPath(s.path, file));
  }

  /** Decoded values of local `name` at each step of `file:line` where it was recorded. */
  localAt(file: string, line: number, name: string): Decoded[] {
    return this.stepsAt(file, line).flatMap((s) => {
      const v = s.locals.get(name);
      return v === undefined ? [] : [this.decode(v)];
    });
  }

  /** The root `<top-level>` call. */
  topLevel(): CallInfo {
    const root = this.calls[0];
    if (!root || root.name !== "<top-level>") throw new Error(`${this.dir}: the first call is not <top-level>`);
    return root;
  }

  /** Number of `Call` and `Return` events. */
  counts(): { calls: number; returns: number } {
    let calls = 0;
    let returns = 0;
    for (const e of this.events) {
      const v = variantOf(e);
      if (v === "Call") calls++;
      else if (v === "Return") returns++;
    }
    return { calls, returns };
  }

  /** The last event of the trace. */
  lastEvent(): TraceLowLevelEvent | undefined {
    return this.events.at(-1);
  }

  /** The first Call event after event `index` (e.g. the call a stepped line makes). */
  firstCallAfter(index: number): CallInfo | undefined {
    return this.calls.find((c) => c.index > index);
  }
}

/** True when `full` is `suffix` or ends with `/suffix` (POSIX-normalized). */
export function endsWithPath(full: string, suffix: string): boolean {
  const f = full.split(path.sep).join("/");
  const s = suffix.split(path.sep).join("/");
  return f === s || f.endsWith(`/${s.replace(/^\/+/, "")}`);
}

/** Reads a trace folder into a {@link TraceQuery}. */
export function queryTrace(dir: string): TraceQuery {
  return new TraceQuery(dir);
}

/** Formats validation errors for assertion messages. */
export function formatIssues(report: ValidationReport): string {
  return report.errors.map((e) => `${e.code}: ${e.message}`).join("\n");
}
