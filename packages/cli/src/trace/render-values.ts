/**
 * Compact one-line text of runtime_tracing values for `codetracer-trace print`
 * (docs/commands.md): `1`, `2.5`, `"text"`, `[1, 2, 3, …]`, `Point {x: 1, y: 2}`,
 * `<[Function f]>`, cut to a length a terminal line can hold. The HTML viewer renders values in
 * the browser with its own code.
 * @packageDocumentation
 */
import { TypeKind, type TypeRecord, type ValueRecord } from "@codetracer/trace-format";
import { bigIntOfRecord, floatToString } from "@codetracer/trace-format/internal";

/** Limits of {@link renderValue}. */
export interface RenderValueOptions {
  /** Characters of a string (or raw text) shown before `…`. Default 40. */
  maxString?: number;
  /** Elements of a sequence (or fields of a struct) shown before `…`. Default 6. */
  maxItems?: number;
  /** Nesting shown; deeper values are `[…]` / `{…}`. Default 3. */
  maxDepth?: number;
  /** Characters of the whole text before it is cut with `…`. Default 160. */
  maxLength?: number;
}

const PLAIN_STRUCT = new Set(["Object", "object", ""]);
const PLAIN_SEQUENCE = new Set(["Array", "array", ""]);

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function bigIntText(b: string, negative: boolean): string {
  try {
    return `${bigIntOfRecord(b, negative).toString()}n`;
  } catch {
    return "<bigint>";
  }
}

/**
 * Renders a value record as compact text, using the `Type` events declared so far for struct
 * field names and type names (a class instance shows its class: `Point {x: 1, y: 2}`; a plain
 * object only its fields). Strings are quoted (JSON escapes) and cut; sequences and structs show
 * their first items then `…`; `Raw` values (functions, promises, …) are `<text>`; `Error`
 * values `<error: msg>`; `None` its type name (`undefined`, `null`). Unvalidated input is
 * rendered as well as possible, never throws.
 *
 * @param value - the value record
 * @param types - the `Type` events seen so far (index = type id)
 * @param options - limits
 */
export function renderValue(value: ValueRecord, types: readonly TypeRecord[], options: RenderValueOptions = {}): string {
  const o = {
    maxString: options.maxString ?? 40,
    maxItems: options.maxItems ?? 6,
    maxDepth: options.maxDepth ?? 3,
    maxLength: options.maxLength ?? 160,
  };
  return cut(render(value, types, o, 0), o.maxLength);
}

function render(value: ValueRecord, types: readonly TypeRecord[], o: Required<RenderValueOptions>, depth: number): string {
  const v = value as unknown as Record<string, unknown>;
  if (v === null || typeof v !== "object") return `<${String(v)}>`;
  const type = typeof v.type_id === "number" ? types[v.type_id] : undefined;
  const items = (list: unknown, open: string, close: string, each: (item: unknown, i: number) => string): string => {
    if (!Array.isArray(list)) return `${open}?${close}`;
    if (list.length === 0) return `${open}${close}`;
    if (depth >= o.maxDepth) return `${open}…${close}`;
    const shown: string[] = [];
    let length = 0;
    for (let i = 0; i < list.length && i < o.maxItems; i++) {
      const text = each(list[i], i);
      shown.push(text);
      length += text.length + 2;
      if (length > o.maxLength) break;
    }
    if (shown.length < list.length) shown.push("…");
    return `${open}${shown.join(", ")}${close}`;
  };
  switch (v.kind) {
    case "Int":
      return String(v.i);
    case "Float":
      return typeof v.f === "number" ? floatToString(v.f) : String(v.f);
    case "Bool":
      return String(v.b);
    case "String": {
      const text = String(v.text);
      return text.length > o.maxString ? `${JSON.stringify(text.slice(0, o.maxString))?.slice(0, -1)}…"` : JSON.stringify(text);
    }
    case "Sequence": {
      const name = type?.lang_type ?? "";
      const body = items(v.elements, "[", "]", (e) => render(e as ValueRecord, types, o, depth + 1));
      return PLAIN_SEQUENCE.has(name) ? body : `${name} ${body}`;
    }
    case "Tuple":
      return items(v.elements, "(", ")", (e) => render(e as ValueRecord, types, o, depth + 1));
    case "Struct": {
      const fields = type?.specific_info?.kind === "Struct" ? type.specific_info.fields : [];
      const name = type?.lang_type ?? "";
      const body = items(v.field_values, "{", "}", (f, i) => `${fields[i]?.name ?? String(i)}: ${render(f as ValueRecord, types, o, depth + 1)}`);
      return PLAIN_STRUCT.has(name) ? body : `${name} ${body}`;
    }
    case "Variant":
      return `${String(v.discriminator)}(${render(v.contents as ValueRecord, types, o, depth + 1)})`;
    case "Reference":
      return render(v.dereferenced as ValueRecord, types, o, depth);
    case "Raw":
      return `<${cut(String(v.r), o.maxString)}>`;
    case "Error": {
      const msg = String(v.msg);
      return msg.startsWith("<") && msg.endsWith(">") ? msg : `<error: ${cut(msg, o.maxString)}>`;
    }
    case "None":
      return type !== undefined && type.kind === TypeKind.None && type.lang_type ? type.lang_type : "None";
    case "Cell":
      return `<cell ${String(v.place)}>`;
    case "BigInt":
      return bigIntText(String(v.b), v.negative === true);
    default:
      return cut(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "?", o.maxString);
  }
}
