/**
 * Value capture: turns a JS value into a runtime_tracing `ValueRecord` without ever running
 * user code. No getter, Proxy trap, `toJSON`, `toString`, `valueOf` or `Symbol.toPrimitive` is
 * invoked: properties are read through `Object.getOwnPropertyDescriptor` (data properties
 * only), brands are checked with intrinsics captured when this module loads, and Proxies are
 * shown as `<Proxy>` without touching them.
 *
 * This is the skeleton's value model (primitives, arrays, plain objects and class instances as
 * Structs, Map/Set entries, Date, RegExp, Error); the full model comes later.
 */
import {
  TypeKind,
  floatToString,
  type TraceLowLevelEvent,
  type TypeId,
  type TypeRecord,
  type TypeSpecificInfo,
  type ValueRecord,
} from "@codetracer/trace-format";

/** Bounds on how much of a value is captured. */
export interface ValueCaptureLimits {
  /** Nesting levels expanded below the captured value; deeper values become a summary. @default 3 */
  maxDepth: number;
  /** Elements or fields captured per array, object, Map or Set; the rest is a `… N more` marker. @default 50 */
  maxItems: number;
  /** UTF-16 code units kept per string; longer strings are cut and marked. @default 1000 */
  maxStringLength: number;
}

/** Default {@link ValueCaptureLimits}. */
export const DEFAULT_VALUE_LIMITS: Readonly<ValueCaptureLimits> = Object.freeze({
  maxDepth: 3,
  maxItems: 50,
  maxStringLength: 1000,
});

/**
 * Interns `Type` events: the first use of a type emits its `Type` event (through `emit`) and
 * gives it the next positional `TypeId` (spec `trace-format.md` §5, §7).
 */
export class TypeTable {
  private readonly ids = new Map<string, TypeId>();
  private count = 0;

  /** @param emit receives each new `Type` event, before any value that uses it. */
  constructor(private readonly emit: (event: TraceLowLevelEvent) => void) {}

  /**
   * The id of the type `(kind, langType)`, or of a Struct shape when `specific` is given
   * (`key` then distinguishes shapes of the same `langType`).
   */
  id(kind: TypeKind, langType: string, specific?: TypeSpecificInfo, key?: string): TypeId {
    const k = key ?? `${kind}\u0000${langType}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.count++;
      this.ids.set(k, id);
      const record: TypeRecord = { kind, lang_type: langType, specific_info: specific ?? { kind: "None" } };
      this.emit({ Type: record });
    }
    return id;
  }
}

// Intrinsics captured at load, so later monkey-patching by the program cannot run through us.
const { getOwnPropertyDescriptor, getPrototypeOf, keys: objectKeys } = Object;
const isArray = Array.isArray;
const symbolToString = Symbol.prototype.toString;
const dateGetTime = Date.prototype.getTime;
const dateToISOString = Date.prototype.toISOString;
const regexpSource = getOwnPropertyDescriptor(RegExp.prototype, "source")!.get!;
const regexpFlagGetters: Array<[string, (this: RegExp) => boolean]> = [];
for (const [flag, prop] of [
  ["d", "hasIndices"],
  ["g", "global"],
  ["i", "ignoreCase"],
  ["m", "multiline"],
  ["s", "dotAll"],
  ["u", "unicode"],
  ["v", "unicodeSets"],
  ["y", "sticky"],
] as const) {
  const getter = getOwnPropertyDescriptor(RegExp.prototype, prop)?.get;
  if (typeof getter === "function") regexpFlagGetters.push([flag, getter as (this: RegExp) => boolean]);
}
const mapSize = getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = getOwnPropertyDescriptor(Set.prototype, "size")!.get!;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapIteratorNext = getPrototypeOf(new Map().entries()).next as (this: Iterator<unknown>) => IteratorResult<unknown>;
const setIteratorNext = getPrototypeOf(new Set().values()).next as (this: Iterator<unknown>) => IteratorResult<unknown>;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayLength = getOwnPropertyDescriptor(typedArrayProto, "length")!.get!;
const typedArrayTag = getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const errorProto = Error.prototype;
const toWellFormed = (String.prototype as { toWellFormed?: () => string }).toWellFormed;

function wellFormed(s: string): string {
  return toWellFormed ? toWellFormed.call(s) : s;
}

function brand<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Reads a data property along the prototype chain; accessors and Proxies give `undefined`. */
function dataProperty(obj: object, key: PropertyKey, isProxy: (v: unknown) => boolean): unknown {
  let cur: object | null = obj;
  for (let i = 0; cur && i < 64; i++) {
    if (isProxy(cur)) return undefined;
    const desc = getOwnPropertyDescriptor(cur, key);
    if (desc) return "value" in desc ? desc.value : undefined;
    cur = getPrototypeOf(cur) as object | null;
  }
  return undefined;
}

function functionName(fn: Function, isProxy: (v: unknown) => boolean): string {
  if (isProxy(fn)) return "";
  const desc = getOwnPropertyDescriptor(fn, "name");
  return desc && typeof desc.value === "string" ? desc.value : "";
}

/** Encodes JS values as `ValueRecord`s, registering their types in a {@link TypeTable}. */
export class ValueEncoder {
  private readonly limits: ValueCaptureLimits;
  private readonly ancestors = new Set<object>();
  /**
   * The trace filter's `attr` decision for the object fields being encoded (set by the recorder
   * for the scope whose values it writes): a redacted field's value is `<redacted>`, a dropped
   * field is left out of the Struct. `null`: every field is captured.
   */
  attr: ((field: string) => "allow" | "redact" | "drop") | null = null;
  /** Told about each field {@link attr} redacts or drops. */
  onAttribute: ((action: "redact" | "drop") => void) | null = null;

  /**
   * @param types where types are interned (and their `Type` events emitted).
   * @param limits capture bounds; missing fields take {@link DEFAULT_VALUE_LIMITS}.
   * @param isProxy tells Proxies apart (Node: `util.types.isProxy`); without it a Proxy is
   *   treated as its target would be, which may run its traps.
   */
  constructor(
    private readonly types: TypeTable,
    limits: Partial<ValueCaptureLimits> = {},
    private readonly isProxy: (value: unknown) => boolean = () => false,
  ) {
    this.limits = { ...DEFAULT_VALUE_LIMITS, ...limits };
  }

  /** Encodes `value`. Never throws and never runs user code; failures become Error values. */
  encode(value: unknown): ValueRecord {
    try {
      return this.encodeAt(value, 0);
    } catch (error) {
      this.ancestors.clear();
      return this.error(`<unreadable: ${error instanceof Error ? error.name : typeof error}>`);
    }
  }

  /** An Error value with `msg` (for sentinels such as `<cycle>`). */
  error(msg: string): ValueRecord {
    return { kind: "Error", msg, type_id: this.types.id(TypeKind.Error, "<error>") };
  }

  /** A value the trace filter redacts: Error `<redacted>` typed Raw `Redacted` (recorder-behaviour.md §1.5). */
  redacted(): ValueRecord {
    return { kind: "Error", msg: "<redacted>", type_id: this.types.id(TypeKind.Raw, "Redacted") };
  }

  /** A return value the trace filter drops: Error `<dropped>` typed Raw `Dropped` (recorder-behaviour.md §1.5). */
  dropped(): ValueRecord {
    return { kind: "Error", msg: "<dropped>", type_id: this.types.id(TypeKind.Raw, "Dropped") };
  }

  /**
   * One line of text describing `value` for messages (the uncaught-error Event): the Raw or
   * String text of its encoding, e.g. `TypeError: boom`. Never runs user code.
   */
  describe(value: unknown): string {
    const v = this.encode(value);
    switch (v.kind) {
      case "Raw":
        return v.r;
      case "String":
        return v.text;
      case "Error":
        return v.msg;
      default:
        return typeof value === "object" && value !== null ? "object" : String(typeof value);
    }
  }

  /** A Raw value `r` whose type is `(kind, langType)`. */
  raw(r: string, langType: string, kind: TypeKind = TypeKind.Raw): ValueRecord {
    return { kind: "Raw", r: wellFormed(r), type_id: this.types.id(kind, langType) };
  }

  private encodeAt(value: unknown, depth: number): ValueRecord {
    switch (typeof value) {
      case "undefined":
        return { kind: "None", type_id: this.types.id(TypeKind.None, "undefined") };
      case "boolean":
        return { kind: "Bool", b: value, type_id: this.types.id(TypeKind.Bool, "boolean") };
      case "number":
        if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
          return { kind: "Int", i: value, type_id: this.types.id(TypeKind.Int, "number") };
        }
        return { kind: "Float", f: floatToString(value), type_id: this.types.id(TypeKind.Float, "number") };
      case "string":
        return { kind: "String", text: this.text(value), type_id: this.types.id(TypeKind.String, "string") };
      case "bigint":
        return { ...bigintRecord(value), type_id: this.types.id(TypeKind.Int, "bigint") };
      case "symbol":
        return this.raw(symbolToString.call(value), "symbol");
      case "function": {
        const name = functionName(value, this.isProxy);
        return this.raw(`[Function${name ? `: ${name}` : " (anonymous)"}]`, "function", TypeKind.FunctionKind);
      }
      default:
        break;
    }
    if (value === null) return { kind: "None", type_id: this.types.id(TypeKind.None, "null") };
    const obj = value as object;
    if (this.isProxy(obj)) return this.raw("<Proxy>", "Proxy");
    if (this.ancestors.has(obj)) return this.error("<cycle>");
    this.ancestors.add(obj);
    try {
      return this.encodeObject(obj, depth);
    } finally {
      this.ancestors.delete(obj);
    }
  }

  private text(s: string): string {
    const max = this.limits.maxStringLength;
    if (s.length <= max) return wellFormed(s);
    return `${wellFormed(s.slice(0, max))}… (${s.length} chars)`;
  }

  private more(count: number): ValueRecord {
    return this.raw(`… ${count} more`, "<more>", TypeKind.NonExpanded);
  }

  private encodeObject(obj: object, depth: number): ValueRecord {
    if (isArray(obj)) return this.encodeArray(obj, depth);

    const time = brand(() => dateGetTime.call(obj as Date));
    if (time !== undefined) {
      return this.raw(Number.isNaN(time) ? "Invalid Date" : dateToISOString.call(obj as Date), "Date");
    }
    const source = brand(() => regexpSource.call(obj as RegExp) as string);
    if (source !== undefined) {
      const flags = regexpFlagGetters.map(([f, g]) => (g.call(obj as RegExp) ? f : "")).join("");
      return this.raw(`/${source}/${flags}`, "RegExp");
    }
    const mapCount = brand(() => mapSize.call(obj as Map<unknown, unknown>) as number);
    if (mapCount !== undefined) return this.encodeMap(obj as Map<unknown, unknown>, mapCount, depth);
    const setCount = brand(() => setSize.call(obj as Set<unknown>) as number);
    if (setCount !== undefined) return this.encodeSet(obj as Set<unknown>, setCount, depth);
    const typedLength = brand(() => typedArrayLength.call(obj) as number);
    if (typedLength !== undefined) {
      return this.raw(`${String(typedArrayTag.call(obj))}(${typedLength})`, String(typedArrayTag.call(obj)));
    }
    if (this.inherits(obj, errorProto)) {
      const name = dataProperty(obj, "name", this.isProxy);
      const message = dataProperty(obj, "message", this.isProxy);
      const label = typeof name === "string" ? name : "Error";
      return this.raw(typeof message === "string" && message ? `${label}: ${message}` : label, label);
    }
    return this.encodeStruct(obj, depth);
  }

  private inherits(obj: object, proto: object): boolean {
    let cur = getPrototypeOf(obj) as object | null;
    for (let i = 0; cur && i < 64; i++) {
      if (cur === proto) return true;
      if (this.isProxy(cur)) return false;
      cur = getPrototypeOf(cur) as object | null;
    }
    return false;
  }

  private className(obj: object): string {
    const proto = getPrototypeOf(obj) as object | null;
    if (proto === null) return "Object";
    if (this.isProxy(proto)) return "Object";
    const ctor = dataProperty(proto, "constructor", this.isProxy);
    return typeof ctor === "function" ? functionName(ctor, this.isProxy) || "Object" : "Object";
  }

  private encodeArray(arr: unknown[], depth: number): ValueRecord {
    const lengthDesc = getOwnPropertyDescriptor(arr, "length");
    const length = typeof lengthDesc?.value === "number" ? lengthDesc.value : 0;
    if (depth >= this.limits.maxDepth) return this.raw(`Array(${length})`, "Array", TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.Seq, "Array");
    const n = Math.min(length, this.limits.maxItems);
    const elements: ValueRecord[] = [];
    for (let i = 0; i < n; i++) {
      const desc = getOwnPropertyDescriptor(arr, i);
      if (!desc) elements.push(this.raw("<empty>", "<empty>", TypeKind.None));
      else if (!("value" in desc)) elements.push(this.raw("<getter>", "<accessor>"));
      else elements.push(this.encodeAt(desc.value, depth + 1));
    }
    if (length > n) elements.push(this.more(length - n));
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  private encodeMap(map: Map<unknown, unknown>, size: number, depth: number): ValueRecord {
    if (depth >= this.limits.maxDepth) return this.raw(`Map(${size})`, "Map", TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.TableKind, "Map");
    const tupleType = this.types.id(TypeKind.Tuple, "[key, value]");
    const elements: ValueRecord[] = [];
    const it = mapEntries.call(map);
    let dropped = 0;
    for (let i = 0; i < this.limits.maxItems; i++) {
      const step = mapIteratorNext.call(it);
      if (step.done) break;
      const [k, v] = step.value as [unknown, unknown];
      // A string key names its value like a field does (`headers.get("authorization")`), so the
      // trace filter's `attr` patterns decide it too.
      const action = this.attr && typeof k === "string" ? this.attr(k) : "allow";
      if (action !== "allow") this.onAttribute?.(action);
      if (action === "drop") {
        dropped++;
        continue;
      }
      elements.push({
        kind: "Tuple",
        elements: [this.encodeAt(k, depth + 1), action === "redact" ? this.redacted() : this.encodeAt(v, depth + 1)],
        type_id: tupleType,
      });
    }
    if (size > elements.length + dropped) elements.push(this.more(size - elements.length - dropped));
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  private encodeSet(set: Set<unknown>, size: number, depth: number): ValueRecord {
    if (depth >= this.limits.maxDepth) return this.raw(`Set(${size})`, "Set", TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.Set, "Set");
    const elements: ValueRecord[] = [];
    const it = setValues.call(set);
    for (let i = 0; i < this.limits.maxItems; i++) {
      const step = setIteratorNext.call(it);
      if (step.done) break;
      elements.push(this.encodeAt(step.value, depth + 1));
    }
    if (size > elements.length) elements.push(this.more(size - elements.length));
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  private encodeStruct(obj: object, depth: number): ValueRecord {
    const name = wellFormed(this.className(obj));
    if (depth >= this.limits.maxDepth) return this.raw(`${name} {…}`, name, TypeKind.NonExpanded);
    let allKeys = objectKeys(obj);
    const attr = this.attr;
    const redact = new Set<string>();
    if (attr) {
      allKeys = allKeys.filter((key) => {
        const action = attr(key);
        if (action !== "allow") this.onAttribute?.(action);
        if (action === "redact") redact.add(key);
        return action !== "drop";
      });
    }
    const fieldNames = allKeys.slice(0, this.limits.maxItems);
    const values: ValueRecord[] = [];
    for (const key of fieldNames) {
      const desc = redact.has(key) ? undefined : getOwnPropertyDescriptor(obj, key);
      if (redact.has(key)) values.push(this.redacted());
      else if (!desc) values.push(this.raw("<deleted>", "<deleted>"));
      else if (!("value" in desc)) values.push(this.raw("<getter>", "<accessor>"));
      else values.push(this.encodeAt(desc.value, depth + 1));
    }
    if (allKeys.length > fieldNames.length) {
      fieldNames.push("…");
      values.push(this.more(allKeys.length - fieldNames.length + 1));
    }
    const anyType = this.types.id(TypeKind.Any, "any");
    const safeNames = fieldNames.map(wellFormed);
    const typeId = this.types.id(
      TypeKind.Struct,
      name,
      { kind: "Struct", fields: safeNames.map((n) => ({ name: n, type_id: anyType })) },
      `struct:${JSON.stringify([name, safeNames])}`,
    );
    return { kind: "Struct", field_values: values, type_id: typeId };
  }
}

/** A BigInt record body: base64 of the big-endian magnitude, and its sign (spec §4). */
export function bigintRecord(value: bigint): { kind: "BigInt"; b: string; negative: boolean } {
  const negative = value < 0n;
  let mag = negative ? -value : value;
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(mag & 0xffn));
    mag >>= 8n;
  } while (mag > 0n);
  return { kind: "BigInt", b: base64(bytes), negative };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function base64(bytes: number[]): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? B64[n & 63]! : "=";
  }
  return out;
}
