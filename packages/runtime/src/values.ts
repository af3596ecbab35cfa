/**
 * Value capture: turns a JS value into a runtime_tracing `ValueRecord` without ever running
 * user code. No getter, Proxy trap, `toJSON`, `toString`, `valueOf`, `Symbol.toPrimitive` or
 * `Symbol.toStringTag` getter is invoked, and nothing observable changes (a RegExp's
 * `lastIndex`, a Map's iteration state, ...):
 *
 * - properties are read through `Object.getOwnPropertyDescriptor` (data properties only; an
 *   accessor shows as `<getter>`/`<setter>`);
 * - Proxies are detected first (the injected `isProxy`) and shown as `<Proxy>`;
 * - a built-in is recognised by walking the prototype chain with `Object.getPrototypeOf` (never
 *   through a Proxy) and then confirmed by its internal slots, through intrinsic functions and
 *   getters captured when this module loads (`Date.prototype.getTime`, the `Map.prototype.size`
 *   getter, `%TypedArray%.prototype.length`, ...), applied with the captured `Reflect.apply`;
 * - the encoder itself uses no prototype method the program could patch after load (no
 *   `Array.prototype.push`, iterator protocol, `Function.prototype.call`, `JSON.stringify`, ...).
 *
 * docs/recording.md "Values" lists what each JS value becomes.
 */
import { ownSlots } from "./primordials.js";
import { TypeKind, type TraceLowLevelEvent, type TypeId, type TypeRecord, type TypeSpecificInfo, type ValueRecord } from "@codetracer/trace-format/types";

/** Bounds on how much of a value is captured. */
export interface ValueCaptureLimits {
  /** Nesting levels expanded below the captured value; deeper values become a summary. @default 5 */
  maxDepth: number;
  /** Elements or fields captured per array, object, Map or Set; the rest is a `… N more` marker. @default 50 */
  maxItems: number;
  /** UTF-16 code units kept per string; longer strings are cut and marked. @default 1000 */
  maxStringLength: number;
  /**
   * Bytes of `trace.json` text one captured value may take (an estimate that errs high, so the
   * real text stays below it plus one marker per open level). When it is used up, strings are
   * cut and the remaining elements and fields become a `… N more (byte limit)` marker.
   * @default 32768
   */
  maxBytes: number;
}

/** Default {@link ValueCaptureLimits}. */
export const DEFAULT_VALUE_LIMITS: Readonly<ValueCaptureLimits> = Object.freeze({
  maxDepth: 5,
  maxItems: 50,
  maxStringLength: 1000,
  maxBytes: 32768,
});

// ---------------------------------------------------------------------------------------------
// Intrinsics captured at load, so later monkey-patching by the program cannot run through us.
// ---------------------------------------------------------------------------------------------
const apply = Reflect.apply;
const construct = Reflect.construct;
const { getOwnPropertyDescriptor, getPrototypeOf, keys: objectKeys, is: objectIs } = Object;
const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const isSafeInteger = Number.isSafeInteger;
const isInteger = Number.isInteger;
const BigIntCtor = BigInt;
const NumberCtor = Number;
const FunctionProto = Function.prototype;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const stringSlice = String.prototype.slice;
const stringCharCodeAt = String.prototype.charCodeAt;
const stringStartsWith = String.prototype.startsWith;
const toWellFormed = (String.prototype as { toWellFormed?: () => string }).toWellFormed;
const symbolToString = Symbol.prototype.toString;
const symbolIterator = Symbol.iterator;
const functionToString = Function.prototype.toString;
const ObjectProto = Object.prototype;
const AsyncFunctionProto = getPrototypeOf(async function () {}) as object;
const GeneratorFunctionProto = getPrototypeOf(function* () {}) as object;
const AsyncGeneratorFunctionProto = getPrototypeOf(async function* () {}) as object;
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
  if (typeof getter === "function") regexpFlagGetters[regexpFlagGetters.length] = [flag, getter as (this: RegExp) => boolean];
}
const mapSize = getOwnPropertyDescriptor(Map.prototype, "size")!.get!;
const setSize = getOwnPropertyDescriptor(Set.prototype, "size")!.get!;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapIteratorNext = getPrototypeOf(new Map().entries()).next as (this: Iterator<unknown>) => IteratorResult<unknown>;
const setIteratorNext = getPrototypeOf(new Set().values()).next as (this: Iterator<unknown>) => IteratorResult<unknown>;
const arrayValues = Array.prototype.values;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayLength = getOwnPropertyDescriptor(typedArrayProto, "length")!.get!;
const typedArrayTag = getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const Uint8ArrayCtor = Uint8Array;
const arrayBufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;
const SharedArrayBufferProto = typeof SharedArrayBuffer === "function" ? (SharedArrayBuffer.prototype as object) : undefined;
const sharedByteLength = SharedArrayBufferProto ? getOwnPropertyDescriptor(SharedArrayBufferProto, "byteLength")!.get! : undefined;
const dataViewByteLength = getOwnPropertyDescriptor(DataView.prototype, "byteLength")!.get!;
const dataViewByteOffset = getOwnPropertyDescriptor(DataView.prototype, "byteOffset")!.get!;
const dataViewBuffer = getOwnPropertyDescriptor(DataView.prototype, "buffer")!.get!;
const numberValueOf = Number.prototype.valueOf;
const stringValueOf = String.prototype.valueOf;
const booleanValueOf = Boolean.prototype.valueOf;
const symbolValueOf = Symbol.prototype.valueOf;
const bigintValueOf = BigInt.prototype.valueOf;
const weakMapHas = WeakMap.prototype.has;
const WeakMapCtor = WeakMap;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;
const weakMapDelete = WeakMap.prototype.delete;
const weakSetHas = WeakSet.prototype.has;
/** `%ThrowTypeError%`: the `callee` getter of a strict-mode `arguments` object. */
const throwTypeError = getOwnPropertyDescriptor(
  (function () {
    // eslint-disable-next-line prefer-rest-params
    return arguments;
  })(),
  "callee",
)?.get;

/** The built-in a prototype found on an object's chain stands for. */
type Builtin =
  | "Date"
  | "RegExp"
  | "Map"
  | "Set"
  | "TypedArray"
  | "ArrayBuffer"
  | "SharedArrayBuffer"
  | "DataView"
  | "Number"
  | "String"
  | "Boolean"
  | "Symbol"
  | "BigInt"
  | "WeakMap"
  | "WeakSet"
  | "WeakRef"
  | "FinalizationRegistry"
  | "Promise"
  | "Error";

// Weak: the prototypes of other realms (addRealmBuiltins) must not outlive their realm.
const builtinProtos = new WeakMapCtor<object, Builtin>();
function addBuiltin(proto: unknown, name: Builtin): void {
  if (proto && (typeof proto === "object" || typeof proto === "function")) apply(weakMapSet, builtinProtos, [proto, name]);
}
addBuiltin(Date.prototype, "Date");
addBuiltin(RegExp.prototype, "RegExp");
addBuiltin(Map.prototype, "Map");
addBuiltin(Set.prototype, "Set");
addBuiltin(typedArrayProto, "TypedArray");
addBuiltin(ArrayBuffer.prototype, "ArrayBuffer");
addBuiltin(SharedArrayBufferProto, "SharedArrayBuffer");
addBuiltin(DataView.prototype, "DataView");
addBuiltin(Number.prototype, "Number");
addBuiltin(String.prototype, "String");
addBuiltin(Boolean.prototype, "Boolean");
addBuiltin(Symbol.prototype, "Symbol");
addBuiltin(BigInt.prototype, "BigInt");
addBuiltin(WeakMap.prototype, "WeakMap");
addBuiltin(WeakSet.prototype, "WeakSet");
addBuiltin(typeof WeakRef === "function" ? WeakRef.prototype : undefined, "WeakRef");
addBuiltin(typeof FinalizationRegistry === "function" ? FinalizationRegistry.prototype : undefined, "FinalizationRegistry");
addBuiltin(Promise.prototype, "Promise");
addBuiltin(Error.prototype, "Error");

/** The global constructor of each built-in, by the name {@link addRealmBuiltins} looks up. */
const REALM_BUILTINS: ReadonlyArray<readonly [global: string, builtin: Builtin]> = [
  ["Date", "Date"],
  ["RegExp", "RegExp"],
  ["Map", "Map"],
  ["Set", "Set"],
  ["ArrayBuffer", "ArrayBuffer"],
  ["SharedArrayBuffer", "SharedArrayBuffer"],
  ["DataView", "DataView"],
  ["Number", "Number"],
  ["String", "String"],
  ["Boolean", "Boolean"],
  ["Symbol", "Symbol"],
  ["BigInt", "BigInt"],
  ["WeakMap", "WeakMap"],
  ["WeakSet", "WeakSet"],
  ["WeakRef", "WeakRef"],
  ["FinalizationRegistry", "FinalizationRegistry"],
  ["Promise", "Promise"],
  ["Error", "Error"],
];

/** `object[key]` when it is an own data property (never a getter or a Proxy trap of the program). */
function ownData(object: unknown, key: string): unknown {
  if (object === null || (typeof object !== "object" && typeof object !== "function")) return undefined;
  const descriptor = getOwnPropertyDescriptor(object, key);
  return descriptor !== undefined && hasOwn(descriptor, "value") ? descriptor.value : undefined;
}

/**
 * Makes the built-ins of another realm known to value capture, so that its Maps, Sets, Dates,
 * typed arrays, … are captured as this realm's are (their internal slots are read with this
 * realm's intrinsics, which work across realms). For a `vm` context whose code is recorded by
 * this realm's runtime (Jest's test environment: `docs/ci.md`, "Jest"). Only the global's own
 * data properties are read; call it before the realm runs any program code. Nothing is kept
 * alive: the prototypes are held weakly.
 *
 * @param realmGlobal - the other realm's global object
 */
export function addRealmBuiltins(realmGlobal: object): void {
  for (let i = 0; i < REALM_BUILTINS.length; i++) {
    const pair = REALM_BUILTINS[i]!;
    addBuiltin(ownData(ownData(realmGlobal, pair[0]), "prototype"), pair[1]);
  }
  const uint8 = ownData(ownData(realmGlobal, "Uint8Array"), "prototype");
  if (uint8 !== undefined && uint8 !== null && typeof uint8 === "object") addBuiltin(getPrototypeOf(uint8), "TypedArray");
}

function wellFormed(s: string): string {
  return toWellFormed ? (apply(toWellFormed, s, []) as string) : s;
}

function slice(s: string, start: number, end?: number): string {
  return apply(stringSlice, s, end === undefined ? [start] : [start, end]) as string;
}

/** `fn` applied to `self`, or `undefined` when it throws (a brand check that failed). */
function brand<T>(fn: (...args: never[]) => T, self: unknown, args: unknown[] = []): T | undefined {
  try {
    return apply(fn as (...a: unknown[]) => T, self, args);
  } catch {
    return undefined;
  }
}

/**
 * A new array of `length` own elements, all `null`: storing into it never reaches a setter the
 * program put on `Array.prototype` (an index of a hole is looked up along the prototype chain).
 */
export function filledArray<T>(length: number): Array<T | null> {
  return ownSlots<T>(length);
}

/**
 * Recently converted floats and their text (direct-mapped by the bits of the double): turning a
 * double into text costs ~150 ns in V8, and a program's floats repeat (the same object's fields
 * are captured at every step of a frame). 4096 entries, 48 KB.
 */
const FLOAT_CACHE_BITS = 12;
const floatCacheKeys = new Float64Array(1 << FLOAT_CACHE_BITS);
const floatCacheTexts = filledArray<string>(1 << FLOAT_CACHE_BITS);
const floatBits = new Float64Array(1);
const floatWords = new Uint32Array(floatBits.buffer);

/** The float text cache's slot of `n` (by the bits of the double), or -1 for NaN, ±Infinity and -0 (not cached). */
function floatSlot(n: number): number {
  if (n !== n || n === Infinity || n === -Infinity || objectIs(n, -0)) return -1;
  floatBits[0] = n;
  const hi = floatWords[1]!;
  return (floatWords[0]! ^ hi ^ (hi >>> 13) ^ (floatWords[0]! >>> 17)) & ((1 << FLOAT_CACHE_BITS) - 1);
}

/** Float text in Rust's `f64::from_str` grammar (as trace-format's `floatToString`, with intrinsics only). */
function floatText(n: number, slot = floatSlot(n)): string {
  if (slot < 0) return n !== n ? "NaN" : n === Infinity ? "inf" : n === -Infinity ? "-inf" : "-0";
  // (-0 never gets here, so `===` on the key cannot confuse it with 0.)
  const cached = floatCacheTexts[slot];
  if (cached !== null && floatCacheKeys[slot] === n) return cached!;
  const text = `${n}`;
  floatCacheKeys[slot] = n;
  floatCacheTexts[slot] = text; // own index: a slot of the filledArray
  return text;
}

/** Decimal digits of a safe integer, its sign included (the length of its text, without making it). */
function intTextLength(i: number): number {
  let n = 1;
  if (i < 0) {
    n = 2;
    i = -i;
  }
  while (i >= 10) {
    i = (i - (i % 10)) / 10;
    n++;
  }
  return n;
}

/**
 * The code units that do not take exactly one byte in JSON text (a control character, `"`,
 * `\\`, or non-ASCII). Run through the captured `RegExp.prototype.exec`, so a patched `exec` is
 * never called.
 */
const NOT_ONE_BYTE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const regexpExec = RegExp.prototype.exec;

/**
 * The last strings measured by {@link jsonBytes}, by length (a program's strings are captured
 * again at every step while they are in scope): a hit costs one comparison, native and at once
 * for the same string.
 */
const BYTES_CACHE_SIZE = 256;
const bytesCacheStrings = filledArray<string>(BYTES_CACHE_SIZE);
const bytesCacheBytes = new Float64Array(BYTES_CACHE_SIZE);

/** Bytes `s` takes as JSON string content (UTF-8, escapes counted high). */
function jsonBytes(s: string, maxUnits = s.length): number {
  const n = s.length < maxUnits ? s.length : maxUnits;
  if (n <= 16) {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += unitBytes(apply(stringCharCodeAt, s, [i]) as number);
    return bytes;
  }
  const whole = n === s.length;
  const slot = n & (BYTES_CACHE_SIZE - 1);
  if (whole && bytesCacheStrings[slot] === s) return bytesCacheBytes[slot]!;
  // Plain ASCII runs are one byte per unit: the regex engine finds the units between them.
  let bytes = 0;
  let at = 0;
  NOT_ONE_BYTE.lastIndex = 0;
  for (;;) {
    const found = apply(regexpExec, NOT_ONE_BYTE, [s]) as RegExpExecArray | null;
    const index = found === null ? n : found.index;
    if (index >= n) {
      bytes += n - at;
      break;
    }
    bytes += index - at + unitBytes(apply(stringCharCodeAt, s, [index]) as number);
    at = index + 1;
  }
  if (whole) {
    bytesCacheStrings[slot] = s; // own index: a slot of the filledArray
    bytesCacheBytes[slot] = bytes;
  }
  return bytes;
}

function unitBytes(c: number): number {
  if (c < 0x20) return 6;
  if (c === 0x22 || c === 0x5c) return 2;
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdfff) return 3; // a pair is 4 bytes; a lone half becomes U+FFFD (3)
  return 3;
}

/** An own property, read through its descriptor: a data value, or which accessor it is. */
type Own = { data: true; value: unknown } | { data: false; getter: boolean };

function ownProperty(obj: object, key: PropertyKey): Own | undefined {
  const desc = getOwnPropertyDescriptor(obj, key);
  if (!desc) return undefined;
  // `hasOwn`, not `in` or a plain read: a property the program adds to Object.prototype must
  // not be mistaken for a descriptor field (nor run, if it is a getter).
  if (hasOwn(desc, "value")) return { data: true, value: desc.value };
  return { data: false, getter: hasOwn(desc, "get") && desc.get !== undefined };
}

/**
 * Interns `Type` events: the first use of a type emits its `Type` event (through `emit`) and
 * gives it the next positional `TypeId` (docs/trace-format.md: "Events", "Values and types").
 */
export class TypeTable {
  /** Struct shapes by their key. */
  private readonly ids = new MapCtor<string, TypeId>();
  /** Other types: per `TypeKind`, by lang type. */
  private readonly byKind: Array<Map<string, TypeId> | undefined> = [];
  private count = 0;

  /** @param emit receives each new `Type` event, before any value that uses it. */
  constructor(private readonly emit: (event: TraceLowLevelEvent) => void) {}

  /**
   * Declares a new type (its `Type` event) and returns its id, without interning it: the caller
   * keeps the id (the value encoder's Struct shapes).
   */
  declare(kind: TypeKind, langType: string, specific: TypeSpecificInfo): TypeId {
    const id = this.count++;
    this.emit({ Type: { kind, lang_type: langType, specific_info: specific } });
    return id;
  }

  /** The id of the Struct shape interned under `key`, if it is. */
  known(key: string): TypeId | undefined {
    return apply(mapGet, this.ids, [key]) as TypeId | undefined;
  }

  /**
   * The id of the type `(kind, langType)`, or of a Struct shape when `specific` is given
   * (`key` then distinguishes shapes of the same `langType`).
   */
  id(kind: TypeKind, langType: string, specific?: TypeSpecificInfo, key?: string): TypeId {
    // Plain types are looked up by kind, then lang type (no key string built per value).
    let map = this.ids;
    if (key === undefined) {
      map = this.byKind[kind] ??= new MapCtor<string, TypeId>();
      key = langType;
    }
    let id = apply(mapGet, map, [key]) as TypeId | undefined;
    if (id === undefined) {
      id = this.count++;
      apply(mapSet, map, [key, id]);
      const record: TypeRecord = { kind, lang_type: langType, specific_info: specific ?? { kind: "None" } };
      this.emit({ Type: record });
    }
    return id;
  }
}

/** A collision-free key for a Struct shape: every part prefixed by its length. */
function shapeKey(name: string, fields: string[]): string {
  let key = `struct:${name.length}:${name}`;
  for (let i = 0; i < fields.length; i++) key += `|${fields[i]!.length}:${fields[i]!}`;
  return key;
}

/**
 * One node of the Struct shapes of a prototype: the path from the root spells the captured field
 * names in order; `id` is the Struct type of exactly those fields (-1: not interned yet). A trie
 * finds an object's type with one Map lookup per field, without building a key string.
 */
class ShapeNode {
  id: TypeId = -1;
  children: Map<string, ShapeNode> | null = null;
  /** The field policy whose answer for this node's key is {@link attrAction} (see `encodeStruct`). */
  attrFor: ((field: string) => "allow" | "redact" | "drop") | null = null;
  attrAction: "allow" | "redact" | "drop" = "allow";
  constructor(
    readonly key: string,
    readonly parent: ShapeNode | null,
  ) {}
}

/** What is known of a prototype, found once per prototype (see `protoInfo`). */
interface ProtoInfo {
  /** The first built-in prototype on the chain (stopping at a Proxy), if any. */
  builtin: Builtin | undefined;
  /** The class name of a plain object with this prototype (`undefined`: not read yet). */
  name: string | undefined;
  /** The root of the Struct shapes of objects with this prototype. */
  shapes: ShapeNode;
}

/**
 * Most shape nodes (distinct field paths) kept before the shape tables start afresh: a program
 * that makes objects with new keys without end (`{ ["k" + i]: i }`) must not grow them without
 * end. Shapes met again afterwards are declared again (a new `Type` event, a new id).
 */
const MAX_SHAPE_NODES = 1 << 14;

/**
 * Objects with more own keys than this (and than 4 x `maxItems`) are "big": their key list is
 * kept between captures and read again only once its cost, spread over the captures that used
 * it, is at most `maxItems` keys per capture. So capturing an object costs O(maxItems) whatever
 * its size (building `big["k" + i] = i` key by key is not quadratic). Between two reads, the
 * fields shown are the first ones of the last read (with their current values; a deleted one
 * shows `<deleted>`) and the `… N more` count is the last read's.
 */
const BIG_OBJECT_KEYS = 256;

/** The key list of a big object (see {@link BIG_OBJECT_KEYS}) and the captures since it was read. */
interface BigKeys {
  keys: string[];
  uses: number;
}

/** Small integers whose records are shared (see `ValueEncoder.intRecord`). */
const SMALL_INT_LOW = 128;
const SMALL_INT_HIGH = 1024;
/** Slots of the shared string records (see `ValueEncoder.stringRecord`). */
const STRING_RECORDS = 64;

/** How many objects of one step are remembered by identity (see {@link ValueEncoder.beginStep}). */
const STEP_MEMO_SIZE = 8;

/** Encodes JS values as `ValueRecord`s, registering their types in a {@link TypeTable}. */
export class ValueEncoder {
  private readonly limits: ValueCaptureLimits;
  /**
   * The objects being encoded, outermost first (`ancestorCount` of them): an object met again
   * among them is a cycle. An array with own elements (see `filledArray`), scanned linearly:
   * it holds at most `maxDepth` + 1 objects.
   */
  private ancestors: Array<object | null>;
  private ancestorCount = 0;
  /** Per prototype: its built-in, class name and Struct shapes. */
  private protoInfos = new WeakMapCtor<object, ProtoInfo>();
  private lastProto: object | null = null;
  private lastProtoInfo: ProtoInfo | null = null;
  /** The Struct shapes of objects without a prototype. */
  private nullProtoShapes = new ShapeNode("", null);
  private shapeNodes = 0;
  private readonly bigKeys = new WeakMapCtor<object, BigKeys>();
  /** Objects encoded since {@link beginStep} and their records (see {@link encodeInStep}). */
  private readonly memoObjects = filledArray<object>(STEP_MEMO_SIZE);
  private readonly memoRecords = filledArray<ValueRecord>(STEP_MEMO_SIZE);
  private memoCount = 0;
  /** Estimated bytes of the value being encoded so far (reset by {@link encode}). */
  private used = 0;
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
    this.ancestors = filledArray<object>(this.limits.maxDepth + 8);
  }

  /**
   * Starts the values of one event (a step's locals, a call's arguments): until the next call,
   * {@link encodeInStep} gives an object met again its first record, walked once. No program
   * code runs between the values of one event, so the object cannot have changed.
   */
  beginStep(): void {
    if (this.memoCount === 0) return;
    for (let i = 0; i < this.memoCount; i++) {
      this.memoObjects[i] = null; // own index: below STEP_MEMO_SIZE
      this.memoRecords[i] = null; // own index: below STEP_MEMO_SIZE
    }
    this.memoCount = 0;
  }

  /**
   * {@link encodeInStep} for a value captured again in the same place (a local at the frame's
   * previous step): when `value` is the object captured there before and its new record says
   * the same as `previous` (see {@link sameRecord}), returns `previous` itself, so the writer can
   * copy that event's bytes instead of encoding it again.
   */
  encodeAgain(value: unknown, before: unknown, previous: ValueRecord | null): ValueRecord {
    const record = this.encodeInStep(value);
    if (previous !== null && value === before && record !== previous && typeof value === "object" && value !== null && sameRecord(record, previous))
      return previous;
    return record;
  }

  /**
   * {@link encode}, remembering objects by identity since {@link beginStep} (the field policy
   * must not change in between: the recorder sets it per frame).
   */
  encodeInStep(value: unknown): ValueRecord {
    if (typeof value !== "object" || value === null) return this.encode(value);
    for (let i = 0; i < this.memoCount; i++) if (this.memoObjects[i] === value) return this.memoRecords[i]!;
    const record = this.encode(value);
    if (this.memoCount < STEP_MEMO_SIZE) {
      this.memoObjects[this.memoCount] = value; // own index: below STEP_MEMO_SIZE
      this.memoRecords[this.memoCount] = record; // own index: below STEP_MEMO_SIZE
      this.memoCount++;
    }
    return record;
  }

  /** Type ids of the common primitives' types, once interned (-1: not yet). */
  private intType = -1;
  private floatType = -1;
  private stringType = -1;
  private boolType = -1;
  private undefinedType = -1;

  // The records of the common primitives, for the fast path of `encode` and for `encodeAt`.

  // Records are never modified once made (by the recorder or the writers), so the common ones
  // are shared: `undefined`, the booleans, small integers, and the last strings seen.
  private undefinedShared: ValueRecord | null = null;
  private trueShared: ValueRecord | null = null;
  private falseShared: ValueRecord | null = null;
  /** Records of the integers -SMALL_INT_LOW .. SMALL_INT_HIGH - 1, made on first use. */
  private readonly smallInts = filledArray<ValueRecord>(SMALL_INT_LOW + SMALL_INT_HIGH);
  /** The records of the last floats, by the slot of their text in the float text cache. */
  private readonly floatRecords = filledArray<ValueRecord>(1 << FLOAT_CACHE_BITS);
  /** The records of the last strings, by length (as `jsonBytes`'s cache). */
  private readonly stringRecords = filledArray<ValueRecord>(STRING_RECORDS);

  private undefinedRecord(): ValueRecord {
    if (this.undefinedShared !== null) return this.undefinedShared;
    if (this.undefinedType < 0) this.undefinedType = this.types.id(TypeKind.None, "undefined");
    return (this.undefinedShared = { kind: "None", type_id: this.undefinedType });
  }

  private boolRecord(b: boolean): ValueRecord {
    const shared = b ? this.trueShared : this.falseShared;
    if (shared !== null) return shared;
    if (this.boolType < 0) this.boolType = this.types.id(TypeKind.Bool, "boolean");
    const record: ValueRecord = { kind: "Bool", b, type_id: this.boolType };
    if (b) this.trueShared = record;
    else this.falseShared = record;
    return record;
  }

  /** `text` must already be cut and made well-formed. */
  private stringRecord(text: string): ValueRecord {
    const slot = text.length & (STRING_RECORDS - 1);
    const shared = this.stringRecords[slot];
    if (shared !== null && (shared as { text: string }).text === text) return shared!;
    if (this.stringType < 0) this.stringType = this.types.id(TypeKind.String, "string");
    const record: ValueRecord = { kind: "String", text, type_id: this.stringType };
    this.stringRecords[slot] = record; // own index: a slot of the filledArray
    return record;
  }

  /** `i` must be a safe integer other than `-0`. */
  private intRecord(i: number): ValueRecord {
    const small = i >= -SMALL_INT_LOW && i < SMALL_INT_HIGH;
    if (small) {
      const shared = this.smallInts[i + SMALL_INT_LOW];
      if (shared !== null) return shared!;
    }
    if (this.intType < 0) this.intType = this.types.id(TypeKind.Int, "number");
    const record: ValueRecord = { kind: "Int", i, type_id: this.intType };
    if (small) this.smallInts[i + SMALL_INT_LOW] = record; // own index: within the filledArray
    return record;
  }

  /** Encodes `value`. Never throws and never runs user code; failures become Error values. */
  encode(value: unknown): ValueRecord {
    // Fast paths for the common primitives: no byte budget to keep for a value with no parts.
    switch (typeof value) {
      case "number":
        if (isSafeInteger(value) && (value !== 0 || 1 / value > 0)) return this.intRecord(value);
        break;
      case "string":
        // Short enough that neither the length nor the byte limit can cut it.
        if (value.length <= this.limits.maxStringLength && value.length * 6 <= this.limits.maxBytes - 64) return this.stringRecord(wellFormed(value));
        break;
      case "boolean":
        return this.boolRecord(value);
      case "undefined":
        return this.undefinedRecord();
      default:
        break;
    }
    this.used = 0;
    try {
      return this.encodeAt(value, 0);
    } catch (error) {
      this.clearAncestors();
      return this.error(`<unreadable: ${this.errorName(error)}>`);
    }
  }

  /** An Error value with `msg` (for sentinels such as `<cycle>`). */
  error(msg: string): ValueRecord {
    return { kind: "Error", msg, type_id: this.types.id(TypeKind.Error, "<error>") };
  }

  /** A value the trace filter redacts: Error `<redacted>` typed Raw `Redacted` (docs/trace-filters.md, "What redact and drop write"). */
  redacted(): ValueRecord {
    return { kind: "Error", msg: "<redacted>", type_id: this.types.id(TypeKind.Raw, "Redacted") };
  }

  /** A return value the trace filter drops: Error `<dropped>` typed Raw `Dropped` (docs/trace-filters.md, "What redact and drop write"). */
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
        return typeof value === "object" && value !== null ? "object" : `${typeof value}`;
    }
  }

  /** A Raw value `r` whose type is `(kind, langType)`. */
  raw(r: string, langType: string, kind: TypeKind = TypeKind.Raw): ValueRecord {
    return { kind: "Raw", r: wellFormed(r), type_id: this.types.id(kind, langType) };
  }

  // -------------------------------------------------------------------------------------------
  // Byte budget
  // -------------------------------------------------------------------------------------------

  private overBudget(): boolean {
    return this.used >= this.limits.maxBytes;
  }

  /** Charges the JSON size of a record without children (compound shells are charged by their encoders). */
  private charge(r: ValueRecord): ValueRecord {
    switch (r.kind) {
      case "Int":
        this.used += 40 + intTextLength(r.i);
        break;
      case "Float":
        this.used += 40 + `${r.f}`.length;
        break;
      case "BigInt":
        this.used += 60 + r.b.length;
        break;
      case "String":
        this.used += 40 + jsonBytes(r.text);
        break;
      case "Raw":
        this.used += 40 + jsonBytes(r.r);
        break;
      case "Error":
        this.used += 40 + jsonBytes(r.msg);
        break;
      case "Bool":
      case "None":
        this.used += 40;
        break;
      default:
        break;
    }
    return r;
  }

  /** The `… N more` marker closing a cut Sequence or Struct. */
  private more(count: number, byBytes: boolean): ValueRecord {
    return this.charge(this.raw(`… ${count} more${byBytes ? " (byte limit)" : ""}`, "<more>", TypeKind.NonExpanded));
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch
  // -------------------------------------------------------------------------------------------

  private encodeAt(value: unknown, depth: number): ValueRecord {
    switch (typeof value) {
      case "undefined":
        return this.charge(this.undefinedRecord());
      case "boolean":
        return this.charge(this.boolRecord(value));
      case "number":
        return this.charge(this.number(value, "number"));
      case "string":
        return this.charge(this.stringRecord(this.text(value)));
      case "bigint":
        return this.charge({ ...bigintRecord(value), type_id: this.types.id(TypeKind.Int, "bigint") });
      case "symbol":
        return this.charge(this.raw(this.symbolText(value), "symbol"));
      case "function":
        if (this.isProxy(value)) return this.charge(this.raw("<Proxy>", "Proxy"));
        return this.charge(this.func(value));
      default:
        break;
    }
    if (value === null) return this.charge({ kind: "None", type_id: this.types.id(TypeKind.None, "null") });
    const obj = value as object;
    if (this.isProxy(obj)) return this.charge(this.raw("<Proxy>", "Proxy"));
    if (this.isAncestor(obj)) return this.charge(this.error("<cycle>"));
    this.pushAncestor(obj);
    const record = this.charge(this.encodeObject(obj, depth));
    // (a throw leaves the list as it is: `encode` clears it)
    this.popAncestor();
    return record;
  }

  private isAncestor(obj: object): boolean {
    for (let i = 0; i < this.ancestorCount; i++) if (this.ancestors[i] === obj) return true;
    return false;
  }

  private pushAncestor(obj: object): void {
    if (this.ancestorCount === this.ancestors.length) {
      const grown = filledArray<object>(this.ancestors.length * 2);
      for (let i = 0; i < this.ancestorCount; i++) grown[i] = this.ancestors[i]!; // own index: grown is a filledArray twice as long
      this.ancestors = grown;
    }
    this.ancestors[this.ancestorCount++] = obj; // own index: grown above when full
  }

  private popAncestor(): void {
    this.ancestors[--this.ancestorCount] = null; // own index: below ancestorCount
  }

  private clearAncestors(): void {
    while (this.ancestorCount > 0) this.popAncestor();
  }

  /** A number: Int when safe, a BigInt record for other integers below 2^64, Float otherwise. */
  private number(n: number, langType: string): ValueRecord {
    if (isSafeInteger(n) && !objectIs(n, -0))
      return langType === "number" ? this.intRecord(n) : { kind: "Int", i: n, type_id: this.types.id(TypeKind.Int, langType) };
    if (isInteger(n) && !objectIs(n, -0) && n < 2 ** 64 && n > -(2 ** 64)) {
      // Exact: a double beyond 2^53 is an integer, and its BigInt has the same value.
      return { ...bigintRecord(BigIntCtor(n)), type_id: this.types.id(TypeKind.Int, langType) };
    }
    if (langType === "number") {
      // The float text cache's slot also keeps this encoder's record of the same text.
      const slot = floatSlot(n);
      const text = floatText(n, slot);
      const shared = slot < 0 ? null : this.floatRecords[slot];
      if (shared !== null && (shared as { f: string }).f === text) return shared!;
      if (this.floatType < 0) this.floatType = this.types.id(TypeKind.Float, "number");
      const record: ValueRecord = { kind: "Float", f: text, type_id: this.floatType };
      if (slot >= 0) this.floatRecords[slot] = record; // own index: a slot of the filledArray
      return record;
    }
    return { kind: "Float", f: floatText(n), type_id: this.types.id(TypeKind.Float, langType) };
  }

  private symbolText(s: symbol): string {
    return wellFormed(apply(symbolToString, s, []) as string);
  }

  /** A string cut to `maxStringLength` code units and to what is left of the byte budget. */
  private text(s: string): string {
    let max = this.limits.maxStringLength;
    const room = this.limits.maxBytes - this.used - 64;
    // (6 bytes per code unit is the most a unit can take, so most strings skip the scan.)
    if (max > 16 && (s.length < max ? s.length : max) * 6 > room && jsonBytes(s, max) > room) {
      // Keep as many code units as fit the remaining budget (at least 16).
      let bytes = 0;
      let n = 0;
      for (; n < max && n < s.length; n++) {
        bytes += unitBytes(apply(stringCharCodeAt, s, [n]) as number);
        if (bytes > room) break;
      }
      max = n < 16 ? 16 : n;
    }
    if (s.length <= max) return wellFormed(s);
    return `${wellFormed(slice(s, 0, max))}… (${s.length} chars)`;
  }

  private func(fn: Function): ValueRecord {
    const name = this.functionName(fn);
    const proto = getPrototypeOf(fn) as object | null;
    let prefix: string;
    let langType: string;
    if (proto === AsyncFunctionProto) {
      prefix = "AsyncFunction";
      langType = "async function";
    } else if (proto === GeneratorFunctionProto) {
      prefix = "GeneratorFunction";
      langType = "generator function";
    } else if (proto === AsyncGeneratorFunctionProto) {
      prefix = "AsyncGeneratorFunction";
      langType = "async generator function";
    } else {
      // A class's source text starts with `class` (Function.prototype.toString of a native or
      // bound function says `function`); this reads the source, it runs nothing.
      const source = brand(functionToString, fn);
      if (typeof source === "string" && apply(stringStartsWith, source, ["class"]) && !isIdentifierUnit(apply(stringCharCodeAt, source, [5]) as number)) {
        const base = proto && proto !== FunctionProto && typeof proto === "function" && !this.isProxy(proto) ? this.functionName(proto) : "";
        const text = `[class ${name || "(anonymous)"}${base ? ` extends ${base}` : ""}]`;
        return this.raw(text, "class", TypeKind.FunctionKind);
      }
      prefix = "Function";
      langType = "function";
    }
    return this.raw(`[${prefix}${name ? `: ${name}` : " (anonymous)"}]`, langType, TypeKind.FunctionKind);
  }

  private functionName(fn: Function | object): string {
    if (this.isProxy(fn)) return "";
    const own = ownProperty(fn, "name");
    return own?.data && typeof own.value === "string" ? wellFormed(own.value) : "";
  }

  /** The first built-in prototype on `obj`'s chain (stopping at a Proxy). */
  private builtinOf(obj: object): Builtin | undefined {
    const proto = getPrototypeOf(obj) as object | null;
    return proto === null ? undefined : this.protoInfo(proto).builtin;
  }

  /**
   * What is known of `proto` (not a Proxy's target: a Proxy on the chain stops the walk), found
   * the first time an object with this prototype is captured: its built-in, and later its class
   * name. A prototype re-parented or whose `constructor` is replaced after that keeps what was
   * found (docs/recording.md "Values").
   */
  private protoInfo(proto: object): ProtoInfo {
    if (proto === this.lastProto) return this.lastProtoInfo!;
    let info = apply(weakMapGet, this.protoInfos, [proto]) as ProtoInfo | undefined;
    if (info === undefined) {
      let builtin: Builtin | undefined;
      let cur: object | null = proto;
      for (let i = 0; cur && i < 64; i++) {
        if (this.isProxy(cur)) break;
        builtin = apply(weakMapGet, builtinProtos, [cur]) as Builtin | undefined;
        if (builtin) break;
        cur = getPrototypeOf(cur) as object | null;
      }
      info = { builtin, name: undefined, shapes: new ShapeNode("", null) };
      apply(weakMapSet, this.protoInfos, [proto, info]);
    }
    this.lastProto = proto;
    this.lastProtoInfo = info;
    return info;
  }

  private encodeObject(obj: object, depth: number): ValueRecord {
    if (isArray(obj)) return this.encodeList(obj, this.ownLength(obj), "Array", depth);
    const proto = getPrototypeOf(obj) as object | null;
    const info = proto === null ? null : this.protoInfo(proto);
    const builtin = info === null ? undefined : info.builtin;
    if (proto === ObjectProto && this.isArguments(obj)) return this.encodeList(obj, this.ownLength(obj), "Arguments", depth);
    switch (builtin) {
      case undefined:
        break;
      case "Date": {
        const time = brand(dateGetTime, obj);
        if (time === undefined) break;
        return this.raw(time !== time ? "Invalid Date" : (apply(dateToISOString, obj, []) as string), "Date");
      }
      case "RegExp": {
        const source = brand(regexpSource, obj) as string | undefined;
        if (source === undefined) break;
        let flags = "";
        for (let i = 0; i < regexpFlagGetters.length; i++) {
          const pair = regexpFlagGetters[i]!;
          if (apply(pair[1], obj, [])) flags += pair[0];
        }
        return this.raw(`/${source}/${flags}`, "RegExp");
      }
      case "Map": {
        const size = brand(mapSize, obj) as number | undefined;
        if (size === undefined) break;
        return this.encodeMap(obj as Map<unknown, unknown>, size, depth);
      }
      case "Set": {
        const size = brand(setSize, obj) as number | undefined;
        if (size === undefined) break;
        return this.encodeSet(obj as Set<unknown>, size, depth);
      }
      case "TypedArray": {
        const length = brand(typedArrayLength, obj) as number | undefined;
        if (length === undefined) break;
        const tag = `${apply(typedArrayTag, obj, []) as string}`;
        return this.encodeList(obj, length, this.className(obj, tag), depth, true);
      }
      case "ArrayBuffer":
      case "SharedArrayBuffer": {
        const getter = builtin === "ArrayBuffer" ? arrayBufferByteLength : sharedByteLength;
        const length = getter ? (brand(getter, obj) as number | undefined) : undefined;
        if (length === undefined) break;
        return this.encodeBytes(builtin, obj as ArrayBufferLike, 0, length, depth, false);
      }
      case "DataView": {
        const length = brand(dataViewByteLength, obj) as number | undefined;
        if (length === undefined) {
          // A DataView over a detached buffer throws on byteLength; its buffer still answers.
          if (brand(dataViewBuffer, obj) === undefined) break;
          return this.raw("DataView (detached)", "DataView");
        }
        const offset = apply(dataViewByteOffset, obj, []) as number;
        const buffer = apply(dataViewBuffer, obj, []) as ArrayBufferLike;
        return this.encodeBytes("DataView", buffer, offset, length, depth, true);
      }
      case "Number":
      case "String":
      case "Boolean":
      case "Symbol":
      case "BigInt": {
        const boxed = this.boxed(obj, builtin);
        if (boxed) return boxed;
        break;
      }
      case "WeakMap":
      case "WeakSet": {
        if (brand(builtin === "WeakMap" ? weakMapHas : weakSetHas, obj, [undefined]) === undefined) break;
        return this.raw(`${builtin} { <items unknown> }`, this.className(obj, builtin));
      }
      case "WeakRef":
      case "FinalizationRegistry":
        // No brand check without side effects: `deref()` would keep the target alive. A WeakRef's
        // target is not read for the same reason.
        return this.raw(builtin === "WeakRef" ? "WeakRef { <target not read> }" : `${builtin} {}`, this.className(obj, builtin));
      case "Promise":
        // No way to read a promise's state without running code (see docs/recording.md).
        return this.raw(`${this.className(obj, "Promise")} { <state not captured> }`, this.className(obj, "Promise"));
      case "Error":
        return this.encodeError(obj, depth);
    }
    return this.encodeStruct(obj, info, depth);
  }

  /** `arguments`: its own `@@iterator` is `%Array.prototype.values%` and it has a `callee`. */
  private isArguments(obj: object): boolean {
    const iter = ownProperty(obj, symbolIterator);
    if (!iter?.data || iter.value !== arrayValues) return false;
    const callee = getOwnPropertyDescriptor(obj, "callee");
    if (!callee) return false;
    return hasOwn(callee, "value") ? typeof callee.value === "function" : hasOwn(callee, "get") && callee.get === throwTypeError;
  }

  private ownLength(obj: object): number {
    const own = ownProperty(obj, "length");
    return own?.data && typeof own.value === "number" && isSafeInteger(own.value) && own.value >= 0 ? own.value : 0;
  }

  /** The class name: `constructor.name` read as data along the chain, else `fallback`. */
  private className(obj: object, fallback: string): string {
    const proto = getPrototypeOf(obj) as object | null;
    if (proto === null || this.isProxy(proto)) return fallback;
    const ctor = this.dataProperty(proto, "constructor");
    return typeof ctor === "function" ? this.functionName(ctor) || fallback : fallback;
  }

  /** Reads a data property along the prototype chain; accessors and Proxies give `undefined`. */
  private dataProperty(obj: object, key: PropertyKey): unknown {
    let cur: object | null = obj;
    for (let i = 0; cur && i < 64; i++) {
      if (this.isProxy(cur)) return undefined;
      const own = ownProperty(cur, key);
      if (own) return own.data ? own.value : undefined;
      cur = getPrototypeOf(cur) as object | null;
    }
    return undefined;
  }

  private errorName(error: unknown): string {
    if (typeof error !== "object" || error === null || this.isProxy(error)) return typeof error;
    const name = this.dataProperty(error, "name");
    return typeof name === "string" ? wellFormed(name) : "object";
  }

  // -------------------------------------------------------------------------------------------
  // Encoders per kind
  // -------------------------------------------------------------------------------------------

  /**
   * An array, `arguments` or typed array: a Sequence of its first `maxItems` elements. Elements
   * are read through descriptors (a typed array's indexed read runs nothing: `typed`).
   */
  private encodeList(obj: object, length: number, langType: string, depth: number, typed = false): ValueRecord {
    if (depth >= this.limits.maxDepth) return this.raw(`${langType}(${length})`, langType, TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.Seq, langType);
    this.used += 70;
    const n = length < this.limits.maxItems ? length : this.limits.maxItems;
    // Own slots, trimmed at the end: storing never reaches the program's index setters.
    const elements = filledArray<ValueRecord>(n + 1) as ValueRecord[];
    let count = 0;
    let i = 0;
    for (; i < n; i++) {
      if (this.overBudget()) break;
      this.used += 1;
      if (typed) {
        elements[count++] = this.encodeAt((obj as unknown as ArrayLike<unknown>)[i], depth + 1); // own index: n + 1 slots
        continue;
      }
      elements[count++] = this.property(obj, i, depth, "<empty>", TypeKind.None); // own index: n + 1 slots
    }
    if (length > i) elements[count++] = this.more(length - i, i < n); // own index: n + 1 slots
    elements.length = count;
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  /**
   * The record of own property `key` of `obj` (an element or field at `depth`): its value if it
   * is a data property, `<getter>`/`<setter>` if it is an accessor (never called), `missing`
   * (typed `kind`) if there is none. Reads the descriptor itself rather than through
   * `ownProperty`: one allocation less per field.
   */
  private property(obj: object, key: PropertyKey, depth: number, missing: string, kind: TypeKind): ValueRecord {
    const desc = getOwnPropertyDescriptor(obj, key);
    if (!desc) return this.charge(this.raw(missing, missing, kind));
    if (hasOwn(desc, "value")) return this.encodeAt(desc.value, depth + 1);
    return this.accessor(hasOwn(desc, "get") && desc.get !== undefined);
  }

  private accessor(getter: boolean): ValueRecord {
    return this.charge(this.raw(getter ? "<getter>" : "<setter>", "<accessor>"));
  }

  /** ArrayBuffer, SharedArrayBuffer, DataView: a Struct of byteLength (byteOffset) and leading bytes in hex. */
  private encodeBytes(name: string, buffer: ArrayBufferLike, offset: number, length: number, depth: number, view: boolean): ValueRecord {
    if (depth >= this.limits.maxDepth) return this.raw(`${name}(${length})`, name, TypeKind.NonExpanded);
    const shown = length < this.limits.maxItems ? length : this.limits.maxItems;
    let hex = "";
    if (shown > 0) {
      const bytes = construct(Uint8ArrayCtor, [buffer, offset, shown]) as Uint8Array;
      for (let i = 0; i < shown; i++) {
        const b = bytes[i]!;
        hex += `${i ? " " : ""}${HEX[b >> 4]!}${HEX[b & 15]!}`;
      }
    }
    if (length > shown) hex += ` … ${length - shown} more`;
    const fields = view ? ["byteLength", "byteOffset", "bytes"] : ["byteLength", "bytes"];
    const intType = this.types.id(TypeKind.Int, "number");
    const bytesType = this.types.id(TypeKind.Raw, "bytes");
    const bytes: ValueRecord = { kind: "Raw", r: `<${hex}>`, type_id: bytesType };
    const lengthRecord: ValueRecord = { kind: "Int", i: length, type_id: intType };
    const values: ValueRecord[] = view ? [lengthRecord, { kind: "Int", i: offset, type_id: intType }, bytes] : [lengthRecord, bytes];
    this.used += 60 + 50 * values.length + hex.length;
    const fieldTypes = view ? [intType, intType, bytesType] : [intType, bytesType];
    return { kind: "Struct", field_values: values, type_id: this.structType(name, fields, fieldTypes) };
  }

  /** `new Number(1)` and the like: the primitive's record, typed `Number` (`String`, ...). */
  private boxed(obj: object, builtin: "Number" | "String" | "Boolean" | "Symbol" | "BigInt"): ValueRecord | undefined {
    switch (builtin) {
      case "Number": {
        const v = brand(numberValueOf, obj) as number | undefined;
        return v === undefined ? undefined : this.number(v, "Number");
      }
      case "String": {
        const v = brand(stringValueOf, obj) as string | undefined;
        return v === undefined ? undefined : { kind: "String", text: this.text(v), type_id: this.types.id(TypeKind.String, "String") };
      }
      case "Boolean": {
        const v = brand(booleanValueOf, obj) as boolean | undefined;
        return v === undefined ? undefined : { kind: "Bool", b: v, type_id: this.types.id(TypeKind.Bool, "Boolean") };
      }
      case "Symbol": {
        const v = brand(symbolValueOf, obj) as symbol | undefined;
        return v === undefined ? undefined : this.raw(`[Symbol: ${this.symbolText(v)}]`, "Symbol");
      }
      case "BigInt": {
        const v = brand(bigintValueOf, obj) as bigint | undefined;
        return v === undefined ? undefined : { ...bigintRecord(v), type_id: this.types.id(TypeKind.Int, "BigInt") };
      }
    }
  }

  /**
   * An Error: Raw `Name: message`, from own or inherited data properties only (never `stack`,
   * which may run `Error.prepareStackTrace`), with an own data `cause` appended.
   */
  private encodeError(obj: object, depth: number): ValueRecord {
    const text = this.errorText(obj, depth);
    const name = this.dataProperty(obj, "name");
    return this.raw(text, typeof name === "string" && name ? wellFormed(name) : "Error");
  }

  private errorText(obj: object, depth: number): string {
    const name = this.dataProperty(obj, "name");
    const message = this.dataProperty(obj, "message");
    const label = typeof name === "string" && name ? name : "Error";
    let text = typeof message === "string" && message ? `${label}: ${this.text(message)}` : label;
    const cause = ownProperty(obj, "cause");
    if (cause?.data) {
      const c = cause.value;
      let causeText: string;
      if (typeof c === "object" && c !== null && !this.isProxy(c) && this.builtinOf(c) === "Error") {
        causeText = depth + 1 >= this.limits.maxDepth || this.isAncestor(c) ? "…" : this.nested(c, depth + 1);
      } else if (c === undefined || c === null || typeof c === "bigint") {
        causeText = typeof c === "bigint" ? `${c}n` : `${c}`;
      } else {
        const r = this.encodeAt(c, this.limits.maxDepth); // a summary only
        causeText =
          r.kind === "Raw"
            ? r.r
            : r.kind === "String"
              ? quoted(r.text)
              : r.kind === "Int"
                ? `${r.i}`
                : r.kind === "Error"
                  ? r.msg
                  : r.kind === "Bool"
                    ? `${r.b}`
                    : r.kind === "Float"
                      ? `${r.f}`
                      : r.kind;
      }
      text += ` [cause: ${causeText}]`;
    } else if (cause && !cause.data) {
      text += " [cause: <getter>]";
    }
    return text;
  }

  private nested(err: object, depth: number): string {
    this.pushAncestor(err);
    const text = this.errorText(err, depth);
    this.popAncestor();
    return text;
  }

  private encodeMap(map: Map<unknown, unknown>, size: number, depth: number): ValueRecord {
    const langType = this.className(map, "Map");
    if (depth >= this.limits.maxDepth) return this.raw(`${langType}(${size})`, langType, TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.TableKind, langType);
    const tupleType = this.types.id(TypeKind.Tuple, "[key, value]");
    this.used += 70;
    const elements = filledArray<ValueRecord>((size < this.limits.maxItems ? size : this.limits.maxItems) + 1) as ValueRecord[];
    let count = 0;
    const it = apply(mapEntries, map, []) as Iterator<unknown>;
    let seen = 0;
    let byBytes = false;
    for (let i = 0; i < this.limits.maxItems && count < elements.length - 1; i++) {
      if (this.overBudget()) {
        byBytes = true;
        break;
      }
      const step = apply(mapIteratorNext, it, []) as IteratorResult<unknown>;
      if (step.done) break;
      seen++;
      const pair = step.value as [unknown, unknown];
      const k = pair[0];
      const v = pair[1];
      // A string key names its value like a field does (`headers.get("authorization")`), so the
      // trace filter's `attr` patterns decide it too.
      const action = this.attr && typeof k === "string" ? this.attr(k) : "allow";
      if (action !== "allow") this.onAttribute?.(action);
      if (action === "drop") continue;
      this.used += 50;
      // own index: below min(size, maxItems) + 1
      elements[count++] = {
        kind: "Tuple",
        elements: [this.encodeAt(k, depth + 1), action === "redact" ? this.charge(this.redacted()) : this.encodeAt(v, depth + 1)],
        type_id: tupleType,
      };
    }
    if (size > seen) elements[count++] = this.more(size - seen, byBytes); // own index: the last slot is kept for it
    elements.length = count;
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  private encodeSet(set: Set<unknown>, size: number, depth: number): ValueRecord {
    const langType = this.className(set, "Set");
    if (depth >= this.limits.maxDepth) return this.raw(`${langType}(${size})`, langType, TypeKind.NonExpanded);
    const typeId = this.types.id(TypeKind.Set, langType);
    this.used += 70;
    const elements = filledArray<ValueRecord>((size < this.limits.maxItems ? size : this.limits.maxItems) + 1) as ValueRecord[];
    let count = 0;
    const it = apply(setValues, set, []) as Iterator<unknown>;
    let byBytes = false;
    for (let i = 0; i < this.limits.maxItems && count < elements.length - 1; i++) {
      if (this.overBudget()) {
        byBytes = true;
        break;
      }
      const step = apply(setIteratorNext, it, []) as IteratorResult<unknown>;
      if (step.done) break;
      this.used += 1;
      elements[count++] = this.encodeAt(step.value, depth + 1); // own index: below min(size, maxItems)
    }
    if (size > count) {
      const more = this.more(size - count, byBytes);
      elements[count++] = more; // own index: the last slot is kept for it
    }
    elements.length = count;
    return { kind: "Sequence", elements, is_slice: false, type_id: typeId };
  }

  /** A Struct type for one shape: `name` with these fields (types per field, or `any`). */
  private structType(name: string, fields: string[], fieldTypes?: TypeId[]): TypeId {
    const key = shapeKey(name, fields);
    const known = this.types.known(key);
    if (known !== undefined) return known;
    const anyType = fieldTypes ? -1 : this.types.id(TypeKind.Any, "any");
    const list = filledArray<{ name: string; type_id: TypeId }>(fields.length) as Array<{ name: string; type_id: TypeId }>;
    for (let i = 0; i < fields.length; i++) list[i] = { name: fields[i]!, type_id: fieldTypes ? fieldTypes[i]! : anyType }; // own index: a filledArray
    return this.types.id(TypeKind.Struct, name, { kind: "Struct", fields: list }, key);
  }

  /**
   * A plain object or class instance: a Struct named after its class (`[Object: null
   * prototype]` without a prototype), one type per shape, own enumerable string keys in order.
   * `info` is its prototype's (null: none).
   */
  private encodeStruct(obj: object, info: ProtoInfo | null, depth: number): ValueRecord {
    let name: string;
    if (info === null) name = "[Object: null prototype]";
    else name = info.name ??= wellFormed(this.className(obj, "Object"));
    if (depth >= this.limits.maxDepth) return this.raw(`${name} {…}`, name, TypeKind.NonExpanded);
    const allKeys = this.keysOf(obj);
    const big = allKeys.length > BIG_OBJECT_KEYS && allKeys.length > 4 * this.limits.maxItems;
    const attr = this.attr;
    this.used += 60;
    let shape = info === null ? this.nullProtoShapes : info.shapes;
    let fields = 0;
    const values = filledArray<ValueRecord>((allKeys.length < this.limits.maxItems ? allKeys.length : this.limits.maxItems) + 1) as ValueRecord[];
    let count = 0;
    let byBytes = false;
    let rest = 0; // fields not captured (the filter's drops aside)
    let i = 0;
    for (; i < allKeys.length; i++) {
      const key = allKeys[i]!;
      // The node of this key after the fields so far; it also keeps the policy's answer for the
      // key (a dropped key's node is never given a type).
      const child = this.shapeChild(shape, key);
      let action: "allow" | "redact" | "drop" = "allow";
      if (attr !== null) {
        if (child.attrFor !== attr) {
          child.attrAction = attr(key);
          child.attrFor = attr;
        }
        action = child.attrAction;
      }
      if (action !== "allow") this.onAttribute?.(action);
      if (action === "drop") continue;
      if (fields >= this.limits.maxItems || this.overBudget()) {
        byBytes = fields < this.limits.maxItems;
        rest = 1;
        break;
      }
      this.used += 1;
      fields++;
      shape = child;
      if (action === "redact") {
        values[count++] = this.charge(this.redacted()); // own index: fields < min(keys, maxItems)
        continue;
      }
      values[count++] = this.property(obj, key, depth, "<deleted>", TypeKind.Raw); // own index: fields < min(keys, maxItems)
    }
    if (rest > 0) {
      if (big) {
        // A big object's other keys are not asked about (that would cost O(keys) per capture).
        rest = allKeys.length - i;
      } else {
        // The rest, less those the filter drops (still asked, so the counts are right).
        for (let j = i + 1; j < allKeys.length; j++) {
          const action = attr ? attr(allKeys[j]!) : "allow";
          if (action !== "allow") this.onAttribute?.(action);
          if (action !== "drop") rest++;
        }
      }
      shape = this.shapeChild(shape, "…");
      values[count++] = this.more(rest, byBytes); // own index: the last slot is kept for it
    }
    values.length = count;
    return { kind: "Struct", field_values: values, type_id: shape.id >= 0 ? shape.id : this.internShape(name, shape) };
  }

  /** Own enumerable string keys of `obj`, in order; a big object's may be its last read (see {@link BIG_OBJECT_KEYS}). */
  private keysOf(obj: object): string[] {
    const known = apply(weakMapGet, this.bigKeys, [obj]) as BigKeys | undefined;
    if (known !== undefined) {
      if (known.uses * this.limits.maxItems < known.keys.length) {
        known.uses++;
        return known.keys;
      }
    }
    const keys = objectKeys(obj);
    if (keys.length > BIG_OBJECT_KEYS && keys.length > 4 * this.limits.maxItems) {
      if (known !== undefined) {
        known.keys = keys;
        known.uses = 1;
      } else apply(weakMapSet, this.bigKeys, [obj, { keys, uses: 1 }]);
    } else if (known !== undefined) apply(weakMapDelete, this.bigKeys, [obj]);
    return keys;
  }

  /** The shape after `node` with one more field, `key`. */
  private shapeChild(node: ShapeNode, key: string): ShapeNode {
    let children = node.children;
    if (children === null) children = node.children = new MapCtor<string, ShapeNode>();
    let child = apply(mapGet, children, [key]) as ShapeNode | undefined;
    if (child === undefined) {
      child = new ShapeNode(key, node);
      apply(mapSet, children, [key, child]);
      this.shapeNodes++;
    }
    return child;
  }

  /**
   * Declares the Struct type `name` with the fields on the path to `shape` (every field typed
   * `any`) and returns its id. Past {@link MAX_SHAPE_NODES} the shape tables start afresh.
   */
  private internShape(name: string, shape: ShapeNode): TypeId {
    let count = 0;
    for (let n: ShapeNode | null = shape; n !== null && n.parent !== null; n = n.parent) count++;
    const fields = filledArray<{ name: string; type_id: TypeId }>(count) as Array<{ name: string; type_id: TypeId }>;
    const anyType = this.types.id(TypeKind.Any, "any");
    let n: ShapeNode = shape;
    for (let i = count - 1; i >= 0; i--) {
      fields[i] = { name: wellFormed(n.key), type_id: anyType }; // own index: a filledArray of count
      n = n.parent!;
    }
    const id = this.types.declare(TypeKind.Struct, name, { kind: "Struct", fields });
    shape.id = id;
    if (this.shapeNodes > MAX_SHAPE_NODES) {
      this.shapeNodes = 0;
      this.protoInfos = new WeakMapCtor<object, ProtoInfo>();
      this.lastProto = null;
      this.lastProtoInfo = null;
      this.nullProtoShapes = new ShapeNode("", null);
    }
    return id;
  }
}

/**
 * Whether two records say the same: same kind, type and contents (compound records compared
 * element by element, a shared element by identity first).
 */
export function sameRecord(a: ValueRecord, b: ValueRecord): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || (a as { type_id: number }).type_id !== (b as { type_id: number }).type_id) return false;
  switch (a.kind) {
    case "Int":
      return a.i === (b as typeof a).i;
    case "Float":
      return a.f === (b as typeof a).f;
    case "String":
      return a.text === (b as typeof a).text;
    case "Raw":
      return a.r === (b as typeof a).r;
    case "Error":
      return a.msg === (b as typeof a).msg;
    case "Bool":
      return a.b === (b as typeof a).b;
    case "None":
      return true;
    case "BigInt":
      return a.b === (b as typeof a).b && a.negative === (b as typeof a).negative;
    case "Struct":
      return sameRecords(a.field_values, (b as typeof a).field_values);
    case "Sequence":
      return a.is_slice === (b as typeof a).is_slice && sameRecords(a.elements, (b as typeof a).elements);
    case "Tuple":
      return sameRecords(a.elements, (b as typeof a).elements);
    default:
      return false;
  }
}

function sameRecords(a: readonly ValueRecord[], b: readonly ValueRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameRecord(a[i]!, b[i]!)) return false;
  return true;
}

const HEX = "0123456789abcdef";

/** `[A-Za-z0-9_$]`, or any non-ASCII unit (a possible identifier part). */
function isIdentifierUnit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x24 || c === 0x5f || c >= 0x80;
}

/** A short JSON-like quoting for text inside a Raw (no JSON.stringify: it looks up `toJSON`). */
function quoted(s: string): string {
  return `"${s}"`;
}

/** A BigInt record body: base64 of the big-endian magnitude, and its sign (docs/trace-format.md: "trace.json"). */
export function bigintRecord(value: bigint): { kind: "BigInt"; b: string; negative: boolean } {
  const negative = value < 0n;
  let mag = negative ? -value : value;
  let length = 0;
  for (let m = mag; ; m >>= 8n) {
    length++;
    if (m <= 0xffn) break;
  }
  const bytes = filledArray<number>(length) as number[];
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = NumberCtor(mag & 0xffn); // own index: a filledArray of the byte count
    mag >>= 8n;
  }
  return { kind: "BigInt", b: base64(bytes), negative };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function base64(bytes: number[]): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    // (never an index past the end: that would be looked up on Array.prototype)
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? B64[n & 63]! : "=";
  }
  return out;
}
