/**
 * One-line text rendering of events, for tests and debugging.
 *
 * @packageDocumentation
 */

import { floatToString } from "./floats.js";
import { EventLogKind, TypeKind } from "./types.js";
import type { TraceLowLevelEvent, TypeRecord, ValueRecord } from "./types.js";

/**
 * What {@link formatEvent} has seen so far: the interning tables, indexed by id (docs/trace-format.md: "Events").
 * {@link formatEvent} appends to them when it renders a declaration event.
 */
export interface RenderState {
  /** `Path` events in order (index = PathId). */
  paths: string[];
  /** `Function` events in order (index = FunctionId). */
  functions: { path_id: number; line: number; name: string }[];
  /** `Type` events in order (index = TypeId). */
  types: TypeRecord[];
  /** `VariableName`/`Variable` events in order (index = VariableId). */
  variables: string[];
}

/** A fresh, empty {@link RenderState}. */
export function createRenderState(): RenderState {
  return { paths: [], functions: [], types: [], variables: [] };
}

const TYPE_KIND_NAMES = new Map<number, string>(Object.entries(TypeKind).map(([k, v]) => [v, k]));
const EVENT_LOG_KIND_NAMES = new Map<number, string>(Object.entries(EventLogKind).map(([k, v]) => [v, k]));

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

function pathName(state: RenderState, id: unknown): string {
  const p = typeof id === "number" ? state.paths[id] : undefined;
  if (p === undefined) return `<path ${String(id)}>`;
  return p === "" ? "<no path>" : baseName(p);
}

function variableName(state: RenderState, id: unknown): string {
  const n = typeof id === "number" ? state.variables[id] : undefined;
  return n ?? `<var ${String(id)}>`;
}

/**
 * The integer of a `BigInt` value record: `b` is its magnitude as base64 of big-endian bytes,
 * `negative` its sign.
 * @throws DOMException `InvalidCharacterError` when `b` is not base64
 */
export function bigIntOfRecord(b: string, negative: boolean): bigint {
  let n = 0n;
  for (const ch of atob(b)) n = (n << 8n) | BigInt(ch.charCodeAt(0));
  return negative ? -n : n;
}

function bigIntText(b: string, negative: boolean): string {
  try {
    return bigIntOfRecord(b, negative).toString();
  } catch {
    return `<bigint ${b}>`;
  }
}

/**
 * Renders a value record compactly: `1`, `2.5`, `true`, `"hi"`, `[1, 2]`, `(1, "a")`,
 * `Point{x: 1, y: 2}` (field names and type name from the Struct type), `Some(1)`, `&value`,
 * raw text as is, `<error: msg>`, `None`, `<cell 3>`, big integers in decimal.
 *
 * @param value - a value record (unvalidated input is rendered as well as possible)
 * @param state - the tables seen so far (for Struct field names)
 */
export function formatValue(value: ValueRecord, state: RenderState = createRenderState()): string {
  const v = value as unknown as Record<string, unknown>;
  if (v === null || typeof v !== "object") return `<${String(v)}>`;
  const list = (items: unknown): string => (Array.isArray(items) ? items.map((e) => formatValue(e as ValueRecord, state)).join(", ") : "?");
  switch (v.kind) {
    case "Int":
      return String(v.i);
    case "Float":
      return typeof v.f === "number" ? floatToString(v.f) : String(v.f);
    case "Bool":
      return String(v.b);
    case "String":
      return JSON.stringify(v.text) ?? "?";
    case "Char":
      return `'${String(v.c)}'`;
    case "Sequence":
      return `[${list(v.elements)}]`;
    case "Tuple":
      return `(${list(v.elements)})`;
    case "Struct": {
      const type = typeof v.type_id === "number" ? state.types[v.type_id] : undefined;
      const fields = type?.specific_info.kind === "Struct" ? type.specific_info.fields : [];
      const values = Array.isArray(v.field_values) ? v.field_values : [];
      const body = values.map((f, i) => `${fields[i]?.name ?? String(i)}: ${formatValue(f as ValueRecord, state)}`).join(", ");
      return `${type?.lang_type ?? ""}{${body}}`;
    }
    case "Variant":
      return `${String(v.discriminator)}(${formatValue(v.contents as ValueRecord, state)})`;
    case "Reference":
      return `&${v.mutable === true ? "mut " : ""}${formatValue(v.dereferenced as ValueRecord, state)}`;
    case "Raw":
      return String(v.r);
    case "Error":
      return `<error: ${String(v.msg)}>`;
    case "None":
      return "None";
    case "Cell":
      return `<cell ${String(v.place)}>`;
    case "BigInt":
      return bigIntText(String(v.b), v.negative === true);
    default:
      return JSON.stringify(v) ?? "?";
  }
}

/**
 * Renders one event as one line and, for declaration events, records it in `state`:
 * `path /home/u/p/main.js`, `function add main.js:1`, `type #1 Int number`, `variable x`,
 * `step main.js:4`, `value x=3.5`, `call add(a=1, b=2.5)`, `return 3.5`,
 * `event Write "3.5\n"`, `asm mov eax, 1`, `drop-last-step`, `thread-start 1`. Paths are shown
 * by base name. Unknown shapes fall back to their JSON.
 *
 * @param event - the event (unvalidated input is rendered as well as possible)
 * @param state - tables seen so far; updated in place. Default: a fresh state.
 */
export function formatEvent(event: TraceLowLevelEvent, state: RenderState = createRenderState()): string {
  if (event === "DropLastStep") return "drop-last-step";
  if (event === null || typeof event !== "object") return `<${String(event)}>`;
  const [variant] = Object.keys(event);
  const payload = (event as Record<string, unknown>)[variant ?? ""];
  const p = (payload ?? {}) as Record<string, unknown>;
  switch (variant) {
    case "Path":
      state.paths.push(String(payload));
      return `path ${String(payload)}`;
    case "Function": {
      const f = { path_id: Number(p.path_id), line: Number(p.line), name: String(p.name) };
      state.functions.push(f);
      return `function ${f.name} ${pathName(state, f.path_id)}:${f.line}`;
    }
    case "Type": {
      const t = payload as TypeRecord;
      state.types.push(t);
      const kind = TYPE_KIND_NAMES.get(Number(p.kind)) ?? String(p.kind);
      return `type #${state.types.length - 1} ${kind} ${String(p.lang_type)}`;
    }
    case "VariableName":
    case "Variable":
      state.variables.push(String(payload));
      return `variable ${String(payload)}`;
    case "Step":
      return `step ${pathName(state, p.path_id)}:${String(p.line)}`;
    case "Value":
      return `value ${variableName(state, p.variable_id)}=${formatValue(p.value as ValueRecord, state)}`;
    case "Call": {
      const fn = typeof p.function_id === "number" ? state.functions[p.function_id] : undefined;
      const args = Array.isArray(p.args) ? (p.args as Record<string, unknown>[]) : [];
      const rendered = args.map((a) => `${variableName(state, a.variable_id)}=${formatValue(a.value as ValueRecord, state)}`).join(", ");
      return `call ${fn?.name ?? `<function ${String(p.function_id)}>`}(${rendered})`;
    }
    case "Return":
      return `return ${formatValue(p.return_value as ValueRecord, state)}`;
    case "Event": {
      const kind = EVENT_LOG_KIND_NAMES.get(Number(p.kind)) ?? String(p.kind);
      const meta = typeof p.metadata === "string" && p.metadata !== "" ? ` [${p.metadata}]` : "";
      return `event ${kind} ${JSON.stringify(p.content) ?? "?"}${meta}`;
    }
    case "Asm":
      return `asm ${Array.isArray(payload) ? payload.join("; ") : String(payload)}`;
    case "DropLastStep":
      return "drop-last-step";
    case "DropVariables":
      return `drop-variables ${Array.isArray(payload) ? payload.map((id) => variableName(state, id)).join(", ") : "?"}`;
    case "DropVariable":
      return `drop-variable ${variableName(state, payload)}`;
    case "BindVariable":
      return `bind ${variableName(state, p.variable_id)} place=${String(p.place)}`;
    case "ThreadStart":
      return `thread-start ${String(payload)}`;
    case "ThreadExit":
      return `thread-exit ${String(payload)}`;
    case "ThreadSwitch":
      return `thread-switch ${String(payload)}`;
    default:
      return JSON.stringify(event) ?? "?";
  }
}

/**
 * Renders a whole trace, one line per event (see {@link formatEvent}), resolving paths,
 * function names and variable names from the declaration events seen so far.
 *
 * @param events - the events in order
 * @returns one string per event
 */
export function renderTrace(events: readonly TraceLowLevelEvent[]): string[] {
  const state = createRenderState();
  return events.map((e) => formatEvent(e, state));
}
