/**
 * The built-ins the runtime and the trace writers use while a program runs, captured when this
 * module loads (before any program code), as Node core's own "primordials" are. Sibling packages
 * import it as `@codetracer/trace-format/internal/primordials` (not part of the public API).
 *
 * A recorded program may change any built-in: replace `Array.prototype.push` or `Map.prototype.get`,
 * delete `Array.prototype[Symbol.iterator]`, define a setter for `Object.prototype[0]` (test262
 * does all of these). Runtime code that runs while the program runs must therefore never look a
 * built-in up on a prototype or global the program can reach, and never use the syntax that does
 * so implicitly: array spread and spread arguments, `for…of`, array destructuring (they call
 * `%Array.prototype%[@@iterator]` and `%ArrayIteratorPrototype%.next`), and storing into an array
 * index it does not own (a missing index is looked up along the prototype chain, where a setter of
 * the program's runs). The lint tests `no-program-builtins.test.ts` of `packages/runtime` and
 * `packages/trace-format` check the syntax and the built-in calls; see docs/recording.md ("What a recorded program can observe").
 *
 * What this module offers:
 * - uncurried methods (`MapPrototypeGet(map, key)`, `StringPrototypeSlice(s, 0, 3)`), made as
 *   Node core makes them: `Function.prototype.call` bound to the method;
 * - `SafeMap`, `SafeSet`, `SafeWeakMap`: subclasses whose prototypes hold their own copies of
 *   the methods, so `map.get(k)` on them never reaches `Map.prototype`; only construct them empty
 *   (the constructors' iterable argument uses the iterator protocol);
 * - {@link safeArray}: an array whose prototype is the runtime's own (null-prototype) object with
 *   copies of the array methods the runtime uses, so indices it does not own are not looked up
 *   on `Array.prototype` or `Object.prototype`.
 */

type AnyFn = (...args: never[]) => unknown;
/** `fn` as a function taking its `this` as the first argument. */
type Uncurried<F> = F extends (this: infer T, ...args: infer A) => infer R ? (self: T, ...args: A) => R : never;

const { apply: ReflectApplyCaptured, construct, defineProperty, getPrototypeOf, ownKeys, getOwnPropertyDescriptor } = Reflect;
const bind = Function.prototype.bind;
const call = Function.prototype.call;
/** `uncurryThis(fn)(self, ...args)` is `fn.call(self, ...args)` with the `call` of load time. */
const uncurryThis: <F extends AnyFn>(fn: F) => Uncurried<F> = ReflectApplyCaptured(bind, bind, [call]) as never;
function bindAtLoad<F extends AnyFn>(fn: F, self: unknown): F {
  return ReflectApplyCaptured(bind, fn, [self]) as F;
}

export const ReflectApply = ReflectApplyCaptured;
export const ReflectConstruct = construct;
export const ReflectDefineProperty = defineProperty;
export const ReflectGetPrototypeOf = getPrototypeOf;
export const ReflectOwnKeys = ownKeys;

export const ObjectKeys = Object.keys;
export const ObjectFreeze = Object.freeze;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectCreate = Object.create;
export const ObjectIs = Object.is;
export const ObjectAssign = Object.assign;

export const ArrayIsArray = Array.isArray;
const ArrayFrom = Array.from;
const ArrayCtor = Array;
const returnNull = (): null => null;
export const ArrayPrototypePush = uncurryThis(Array.prototype.push as (this: unknown[], ...items: unknown[]) => number);
export const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice as <T>(this: T[], start?: number, end?: number) => T[]);
export const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf as (this: readonly unknown[], value: unknown, from?: number) => number);
export const ArrayPrototypeJoin = uncurryThis(Array.prototype.join as (this: readonly unknown[], separator?: string) => string);

export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
export const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const StringPrototypeReplace = uncurryThis(String.prototype.replace as (this: string, pattern: RegExp | string, replacement: string) => string);
export const StringPrototypeSplit = uncurryThis(String.prototype.split as (this: string, separator: string, limit?: number) => string[]);
export const StringPrototypeTrim = uncurryThis(String.prototype.trim);
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const RegExpPrototypeTest = uncurryThis(RegExp.prototype.test);
/** `FunctionPrototypeBind(fn, self)` is `fn.bind(self)` with the `bind` of load time. */
export const FunctionPrototypeBind: <F extends AnyFn>(fn: F, self: unknown) => F = uncurryThis(bind) as never;
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString as (this: unknown) => string);
export const NumberIsSafeInteger = Number.isSafeInteger;
export const MathMax = Math.max;
export const MathRound = Math.round;
export const RegExpCtor = RegExp;
export const StringPrototypeToUpperCase = uncurryThis(String.prototype.toUpperCase);
export const PerformanceNow: () => number = bindAtLoad(performance.now, performance);
export const MathMin = Math.min;
export const MathFloor = Math.floor;
export const StringCtor = String;
export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const RangeErrorCtor = RangeError;
export const FunctionPrototype = Function.prototype;
export const PerformanceTimeOrigin = performance.timeOrigin;
export const NumberCtor = Number;
export const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;
export const SymbolAsyncIterator: typeof Symbol.asyncIterator = Symbol.asyncIterator;
export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;
export const DateNow = Date.now;
export const DateCtor = Date;
/** `DatePrototypeToISOString(date)` is `date.toISOString()` of load time. */
export const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
/** `PromisePrototypeThen(promise, onFulfilled, onRejected)` is `promise.then(…)` of load time. */
export const PromisePrototypeThen = uncurryThis(
  Promise.prototype.then as (this: Promise<unknown>, onFulfilled?: (value: never) => unknown, onRejected?: (reason: unknown) => unknown) => Promise<unknown>,
);
// Node's Buffer is captured in ./node/io-capture.ts, its only user: this module is loaded in
// browsers too (the page's recorder), which have no Buffer.
export const Uint8ArrayCtor = Uint8Array;
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayGetter = (name: string) => uncurryThis(getOwnPropertyDescriptor(TypedArrayPrototype, name)!.get! as (this: Uint8Array) => never);
export const TypedArrayPrototypeGetBuffer: (self: Uint8Array) => ArrayBuffer = typedArrayGetter("buffer");
export const TypedArrayPrototypeGetByteOffset: (self: Uint8Array) => number = typedArrayGetter("byteOffset");
export const TypedArrayPrototypeGetByteLength: (self: Uint8Array) => number = typedArrayGetter("byteLength");
/**
 * `ta.length` of load time. Read a typed array's length with it: `length` is an accessor of
 * `%TypedArray%.prototype`, which a program may redefine (test262 does, to check that the
 * built-ins use the internal length).
 */
export const TypedArrayPrototypeGetLength: (self: Uint8Array | Uint32Array | Int32Array | Float64Array) => number = typedArrayGetter("length") as never;

export const Uint32ArrayCtor = Uint32Array;
export const Int32ArrayCtor = Int32Array;
export const Float64ArrayCtor = Float64Array;
export const DataViewCtor = DataView;
export const TypedArrayPrototypeSet = uncurryThis(
  (TypedArrayPrototype as Uint8Array).set as (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void,
);
export const TypedArrayPrototypeSubarray = uncurryThis(
  (TypedArrayPrototype as Uint8Array).subarray as (this: Uint8Array, start?: number, end?: number) => Uint8Array,
);
export const TypedArrayPrototypeSlice = uncurryThis(
  (TypedArrayPrototype as Uint8Array).slice as (this: Uint8Array, start?: number, end?: number) => Uint8Array,
);
/**
 * `a.subarray(start, end)` (a view of the same memory, `0 <= start <= end <= length`) without
 * `subarray`'s species lookup (`a.constructor[Symbol.species]`, which a program can change).
 */
export function uint8View(a: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8ArrayCtor(TypedArrayPrototypeGetBuffer(a), TypedArrayPrototypeGetByteOffset(a) + start, end - start);
}

/** `a.slice(start, end)` (a copy, `0 <= start <= end <= length`) without `slice`'s species lookup (see {@link uint8View}). */
export function uint8Copy(a: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8ArrayCtor(end - start);
  TypedArrayPrototypeSet(out, uint8View(a, start, end));
  return out;
}
export const TypedArrayPrototypeIndexOf = uncurryThis(
  (TypedArrayPrototype as Uint8Array).indexOf as (this: Uint8Array, value: number, from?: number) => number,
);
export const TypedArrayPrototypeCopyWithin = uncurryThis(
  (TypedArrayPrototype as Uint8Array).copyWithin as (this: Uint8Array, target: number, start: number, end?: number) => Uint8Array,
);
export const TypedArrayPrototypeFill = uncurryThis(
  (TypedArrayPrototype as Uint8Array).fill as (this: Uint8Array | Int32Array | Float64Array, value: number, start?: number, end?: number) => Uint8Array,
);
export const DataViewPrototypeGetUint8 = uncurryThis(DataView.prototype.getUint8);
export const DataViewPrototypeGetUint16 = uncurryThis(DataView.prototype.getUint16);
export const DataViewPrototypeGetUint32 = uncurryThis(DataView.prototype.getUint32);
export const DataViewPrototypeGetFloat32 = uncurryThis(DataView.prototype.getFloat32);
export const DataViewPrototypeGetFloat64 = uncurryThis(DataView.prototype.getFloat64);
export const DataViewPrototypeGetBigUint64 = uncurryThis(DataView.prototype.getBigUint64);
export const DataViewPrototypeSetUint8 = uncurryThis(DataView.prototype.setUint8);
export const DataViewPrototypeSetUint16 = uncurryThis(DataView.prototype.setUint16);
export const DataViewPrototypeSetUint32 = uncurryThis(DataView.prototype.setUint32);
export const DataViewPrototypeSetFloat64 = uncurryThis(DataView.prototype.setFloat64);
export const DataViewPrototypeSetBigUint64 = uncurryThis(DataView.prototype.setBigUint64);
export const TextEncoderCtor = TextEncoder;
export const TextEncoderPrototypeEncode = uncurryThis(TextEncoder.prototype.encode as (this: InstanceType<typeof TextEncoder>, input?: string) => Uint8Array);
export const TextEncoderPrototypeEncodeInto = uncurryThis(TextEncoder.prototype.encodeInto);
export const TextDecoderCtor = TextDecoder;
export const TextDecoderPrototypeDecode = uncurryThis(TextDecoder.prototype.decode as (this: InstanceType<typeof TextDecoder>, input?: Uint8Array) => string);
export const NumberIsInteger = Number.isInteger;
export const NumberIsFinite = Number.isFinite;
export const NumberIsNaN = Number.isNaN;
export const NumberMAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
export const NumberPrototypeToString = uncurryThis(Number.prototype.toString as (this: number, radix?: number) => string);
export const NumberPrototypeToExponential = uncurryThis(Number.prototype.toExponential as (this: number, digits?: number) => string);
export const BigIntCtor = BigInt;
export const MathCeil = Math.ceil;
export const StringPrototypePadStart = uncurryThis(String.prototype.padStart);
export const SetPrototypeHas = uncurryThis(Set.prototype.has as <T>(this: ReadonlySet<T>, value: T) => boolean);
export const ArrayPrototypeEvery = uncurryThis(Array.prototype.every as <T>(this: readonly T[], fn: (value: T, index: number) => unknown) => boolean);
const wellFormedMethods = String.prototype as { isWellFormed?: (this: string) => boolean; toWellFormed?: (this: string) => string };
/** `s.isWellFormed()` of load time (ES2024; `undefined` where the engine lacks it). */
export const StringPrototypeIsWellFormed: ((s: string) => boolean) | undefined = wellFormedMethods.isWellFormed
  ? uncurryThis(wellFormedMethods.isWellFormed)
  : undefined;
/** `s.toWellFormed()` of load time (ES2024; `undefined` where the engine lacks it). */
export const StringPrototypeToWellFormed: ((s: string) => string) | undefined = wellFormedMethods.toWellFormed
  ? uncurryThis(wellFormedMethods.toWellFormed)
  : undefined;

// For trace-filter's record-time path (file URLs of the portable platform).
/** `s.lastIndexOf(search)` of load time. */
export const StringPrototypeLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
/** `URL` of load time. */
export const URLCtor = URL;
const urlGetter = (name: string): ((url: URL) => string) => uncurryThis(getOwnPropertyDescriptor(URL.prototype, name)!.get! as (this: URL) => string);
/** The `protocol` getter of `URL.prototype` of load time. */
export const URLPrototypeGetProtocol = urlGetter("protocol");
/** The `pathname` getter of `URL.prototype` of load time. */
export const URLPrototypeGetPathname = urlGetter("pathname");
/** `decodeURIComponent` of load time. */
export const DecodeURIComponent = decodeURIComponent;

export const MapPrototypeGet = uncurryThis(Map.prototype.get as <K, V>(this: Map<K, V>, key: K) => V | undefined);
export const MapPrototypeSet = uncurryThis(Map.prototype.set as <K, V>(this: Map<K, V>, key: K, value: V) => Map<K, V>);
export const MapPrototypeHas = uncurryThis(Map.prototype.has as <K>(this: Map<K, unknown>, key: K) => boolean);
export const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get as <K extends object, V>(this: WeakMap<K, V>, key: K) => V | undefined);
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set as <K extends object, V>(this: WeakMap<K, V>, key: K, value: V) => WeakMap<K, V>);

/**
 * Copies the own properties (methods, accessors) of `source` onto `target`, keeping their
 * attributes; `target` is then frozen.
 */
function copyMethods(target: object, source: object, only?: readonly PropertyKey[]): void {
  const keys = only ?? ownKeys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === "constructor") continue;
    const desc = getOwnPropertyDescriptor(source, key);
    if (desc) defineProperty(target, key, desc);
  }
  ObjectFreeze(target);
}

// Each class below has its own constructor: the default one of a derived class is
// `constructor(...args) { super(...args); }`, whose spread runs `Array.prototype[Symbol.iterator]`
// in Node 20's V8 (a program that deleted or replaced it made `new SafeMap()` throw or run its code).

/** A `Map` whose methods are the ones of load time (construct it empty: see the module comment). */
export class SafeMap<K, V> extends Map<K, V> {
  constructor() {
    super();
  }
}
copyMethods(SafeMap.prototype, Map.prototype);

/** A `Set` whose methods are the ones of load time (construct it empty). */
export class SafeSet<T> extends Set<T> {
  constructor() {
    super();
  }
}
copyMethods(SafeSet.prototype, Set.prototype);

/** A `WeakSet` whose methods are the ones of load time (construct it empty). */
export class SafeWeakSet<T extends object> extends WeakSet<T> {
  constructor() {
    super();
  }
}
copyMethods(SafeWeakSet.prototype, WeakSet.prototype);

/**
 * A `DataView` whose methods are the ones of load time, as own properties of its (frozen)
 * prototype: `view.setUint32(…)` on it reaches no method a program can replace, and V8 still
 * inlines it (an uncurried `DataViewPrototypeSetUint32(view, …)` is not: ~8 ns a call instead of
 * ~1 ns, measured on Node 20). For the CBOR encoder's hot paths. The lint allows calls on it
 * as on the other `Safe*` types.
 */
export class SafeDataView extends (DataView as new (buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number) => DataView) {
  constructor(buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number) {
    super(buffer, byteOffset, byteLength);
  }
}
copyMethods(SafeDataView.prototype, DataView.prototype);

/** A `WeakMap` whose methods are the ones of load time (construct it empty). */
export class SafeWeakMap<K extends object, V> extends WeakMap<K, V> {
  constructor() {
    super();
  }
}
copyMethods(SafeWeakMap.prototype, WeakMap.prototype);

/**
 * The type of a {@link safeArray}: an array whose methods are the runtime's own (the lint test
 * allows calling them).
 */
export interface SafeArray<T> extends Array<T> {
  readonly __runtimeOwnedArray?: true;
}

/** The array methods a {@link safeArray} has (the runtime uses no others on its arrays). */
const SAFE_ARRAY_METHODS = ["push", "pop", "shift", "indexOf", "includes", "findIndex", "slice", "join"] as const;
const SafeArrayPrototype: object = Object.create(null);
copyMethods(SafeArrayPrototype, Array.prototype, SAFE_ARRAY_METHODS);

/**
 * A new empty array of the runtime's own: its prototype is a frozen null-prototype object
 * holding the load-time `push`, `pop`, `shift`, `indexOf`, `includes`, `findIndex`, `slice` and `join`
 * (nothing else: no iterator, so no `for…of` or spread of it either). Reading or storing an
 * index it does not hold reaches no program code. `slice` returns an ordinary array.
 */
export function safeArray<T>(): SafeArray<T> {
  return ObjectSetPrototypeOf([], SafeArrayPrototype) as SafeArray<T>;
}

/**
 * A new ordinary array of `length` own elements, each `fill`: storing into one of them never
 * reaches a setter the program put on `Array.prototype` or `Object.prototype` (`fill` and
 * `push` store with `Set`, which does; defining each element does not).
 */
export function ownElements<T>(length: number, fill: T): T[] {
  const array: T[] = [];
  for (let i = 0; i < length; i++)
    defineProperty(array, i, { __proto__: null, value: fill, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
  return array;
}

/**
 * A new ordinary array of `length` own elements, all `null` (as {@link ownElements}, faster for
 * the short arrays of the hot paths: an array literal's elements are its own).
 */
export function ownSlots<T>(length: number): Array<T | null> {
  // Array.from of a null-prototype array-like defines each element (CreateDataProperty) and
  // looks nothing up on a prototype the program can reach.
  // An array literal of 8 or 64 nulls cut to `length` costs ~0.1 µs; Array.from ~3 µs for 51
  // elements (the default maxItems + 1 of a captured array), so it is kept for longer ones.
  if (length > 64) return ReflectApplyCaptured(ArrayFrom, ArrayCtor, [{ __proto__: null, length }, returnNull]) as Array<T | null>;
  // prettier-ignore
  const array: Array<T | null> = length <= 8 ? [null, null, null, null, null, null, null, null] : [
    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
    null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
  ];
  array.length = length;
  return array;
}

/**
 * `p` with every `\` made `/` (a Windows path as the trace writes paths), with the captured
 * string methods only: no RegExp or `split`, whose methods the program can replace.
 */
export function backslashesToSlashes(p: string): string {
  let at = StringPrototypeIndexOf(p, "\\");
  if (at < 0) return p;
  let out = "";
  let from = 0;
  for (; at !== -1; at = StringPrototypeIndexOf(p, "\\", from)) {
    out += `${StringPrototypeSlice(p, from, at)}/`;
    from = at + 1;
  }
  return out + StringPrototypeSlice(p, from);
}

/**
 * Appends `value` to an ordinary array as its own element (see {@link ownElements}); for arrays
 * that leave the runtime (event records), where {@link safeArray} cannot be used.
 */
export function appendOwn<T>(array: T[], value: T): void {
  defineProperty(array, array.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}
