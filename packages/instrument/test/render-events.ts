/**
 * One compact rendering of a recorded event stream, shared by the tests that spell out the
 * events they expect (`test/behaviour.test.ts` here, `packages/runtime/test/recorder.test.ts`).
 * The events a program produces are described in docs/recording.md ("Events").
 */
import type { TraceLowLevelEvent, ValueRecord } from "@codetracer/trace-format";

/**
 * A value, briefly: `Int` → `3`, `Float` → `1.5`, `Bool` → `true`, `String` → `"text"` (JSON),
 * `None` → `None`, `Error` → `Error(msg)` (the recorder's `<exception>`, `<closed by return()>`
 * and the like are `Raw`), `Raw` → `Raw(text)`; any other kind (`Sequence`, `Struct`, `Tuple`,
 * `Reference`, `BigInt`, …) → its kind name only.
 */
export function renderValue(r: ValueRecord): string {
  switch (r.kind) {
    case "Int":
      return String(r.i);
    case "Float":
      return String(r.f);
    case "Bool":
      return String(r.b);
    case "String":
      return JSON.stringify(r.text);
    case "None":
      return "None";
    case "Error":
      return `Error(${r.msg})`;
    case "Raw":
      return `Raw(${r.r})`;
    default:
      return r.kind;
  }
}

/**
 * The non-declaration events of a stream, one line each, in order:
 * - `Step:4` (the line),
 * - `Call:add(a=1,b=2)` (the function's name from its `Function` record, each argument
 *   `name=value` with the name from its `VariableName` record),
 * - `Value:a=1`,
 * - `Return:3`,
 * - `Event:<kind>:<content>` (`kind` is the numeric event kind, e.g. 11 for an error),
 * - a variant without payload as its name.
 *
 * Declarations (`Path`, `Function`, `Type`, `VariableName`, `Variable`) and other records are
 * left out; values are written by {@link renderValue}.
 */
export function renderEvents(events: readonly TraceLowLevelEvent[]): string[] {
  const fns: string[] = [];
  const vars: string[] = [];
  const out: string[] = [];
  for (const e of events) {
    if (typeof e === "string") {
      out.push(e);
      continue;
    }
    if ("Function" in e) fns.push(e.Function.name);
    else if ("VariableName" in e) vars.push(e.VariableName);
    else if ("Step" in e) out.push(`Step:${e.Step.line}`);
    else if ("Call" in e) out.push(`Call:${fns[e.Call.function_id]}(${e.Call.args.map((a) => `${vars[a.variable_id]}=${renderValue(a.value)}`).join(",")})`);
    else if ("Value" in e) out.push(`Value:${vars[e.Value.variable_id]}=${renderValue(e.Value.value)}`);
    else if ("Return" in e) out.push(`Return:${renderValue(e.Return.return_value)}`);
    else if ("Event" in e) out.push(`Event:${e.Event.kind}:${e.Event.content}`);
  }
  return out;
}
