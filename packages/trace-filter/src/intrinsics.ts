/**
 * The fingerprint of the intrinsics re2js can reach ({@link intrinsicsIntact}); the built-ins
 * trace-filter's record-time code calls come from `@codetracer/trace-format/internal/primordials`.
 *
 * The recorder asks the filter chain for decisions while the recorded program runs
 * (`FilterChain#classify`, `ScopeDecision#valueAction`), after the program may have changed any
 * built-in (test262 deletes `Array.prototype.push` and `Array.prototype[Symbol.iterator]`, puts
 * throwing accessors on `Array.prototype[0]`, replaces `String.prototype.charCodeAt`). The
 * decision code therefore uses only built-ins captured when this package loads (the lint of
 * `test/no-program-builtins.test.ts` checks it), and re2js, a third-party library that uses
 * `push`, array holes and `charCodeAt` freely, only runs in the main realm while the intrinsics
 * it reaches are as they were at load; otherwise the match runs in a fresh realm
 * (`./match.ts`, `./node/realm.ts`). See docs/trace-filters.md ("Programs that change
 * built-ins").
 *
 * Browser-safe: no Node imports.
 *
 * @packageDocumentation
 */

import {
  appendOwn,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetPrototypeOf,
  ObjectHasOwn,
  ObjectIs,
  ReflectOwnKeys,
} from "@codetracer/trace-format/internal/primordials";

// ---------------------------------------------------------------------------------------------
// The fingerprint of the intrinsics re2js (and the decision code) can reach.

/** The objects whose own properties and prototype are fingerprinted (one entry per object). */
const targets: object[] = [];
/** Each target's prototype at load. */
const protos: (object | null)[] = [];
/** Each target's number of own keys at load. */
const counts: number[] = [];
/** All targets' own keys at load, target after target. */
const keys: PropertyKey[] = [];
/** Per key: the value of a data property, or the getter of an accessor. */
const firsts: unknown[] = [];
/** Per key: `undefined` for a data property (its value is in {@link firsts}), else the setter (or `NO_SETTER`). */
const seconds: unknown[] = [];
const NO_SETTER = {};
/**
 * Recorded for a property whose value is not compared: `Function.prototype.toString`, which the
 * recorder itself replaces when a session starts (runtime's `installFunctionSource`: recorded
 * functions show their source as written) and which re2js never calls. Compared, it made every
 * recording take the fresh realm (a first match ~5–25 ms later, enough to reorder a program's
 * close timers).
 */
const ANY = {};
/** Names looked up on the global object (only these: a program adds globals all the time). */
const globalNames: string[] = [];
/** Per name: the value, getter or `undefined`, as for {@link firsts}. */
const globalFirsts: unknown[] = [];
const globalSeconds: unknown[] = [];

function record(desc: PropertyDescriptor | undefined, into1: unknown[], into2: unknown[]): void {
  if (desc === undefined) {
    appendOwn(into1, undefined);
    appendOwn(into2, NO_SETTER);
  } else if (ObjectHasOwn(desc, "value")) {
    appendOwn(into1, desc.value);
    appendOwn(into2, undefined);
  } else {
    appendOwn(into1, desc.get);
    appendOwn(into2, desc.set ?? NO_SETTER);
  }
}

function track(target: unknown): void {
  if ((typeof target !== "object" && typeof target !== "function") || target === null) return;
  for (let i = 0; i < targets.length; i++) if (targets[i] === target) return;
  appendOwn(targets, target);
  appendOwn(protos, ObjectGetPrototypeOf(target) as object | null);
  const own = ReflectOwnKeys(target);
  appendOwn(counts, own.length);
  for (let i = 0; i < own.length; i++) {
    appendOwn(keys, own[i]!);
    if (target === FunctionPrototype && own[i] === "toString") {
      appendOwn(firsts, ANY);
      appendOwn(seconds, ANY);
    } else {
      record(ObjectGetOwnPropertyDescriptor(target, own[i]!), firsts, seconds);
    }
  }
}

/** Whether `desc` is what {@link record} wrote as `first`/`second`. */
function same(desc: PropertyDescriptor | undefined, first: unknown, second: unknown): boolean {
  if (second === ANY) return desc !== undefined;
  if (desc === undefined) return second === NO_SETTER && first === undefined;
  // Object.is: `Number.NaN` is the same NaN as at load.
  if (ObjectHasOwn(desc, "value")) return second === undefined && ObjectIs(desc.value, first);
  // An accessor descriptor has own `get` and `set` (undefined when absent).
  return desc.get === first && (desc.set ?? NO_SETTER) === second;
}

const FunctionPrototype: object = Function.prototype;
const typedArray = ObjectGetPrototypeOf(Uint8Array) as object;
const iteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf([][Symbol.iterator]()) as object);
const TRACKED: unknown[] = [
  Object.prototype,
  Array.prototype,
  ObjectGetPrototypeOf([][Symbol.iterator]()),
  iteratorPrototype,
  Function.prototype,
  String.prototype,
  ObjectGetPrototypeOf(""[Symbol.iterator]()),
  Number.prototype,
  Boolean.prototype,
  Symbol.prototype,
  Map.prototype,
  ObjectGetPrototypeOf(new Map()[Symbol.iterator]()),
  Set.prototype,
  ObjectGetPrototypeOf(new Set()[Symbol.iterator]()),
  typedArray,
  (typedArray as { prototype: object }).prototype,
  Uint8Array,
  Uint8Array.prototype,
  Int32Array,
  Int32Array.prototype,
  Uint32Array,
  Uint32Array.prototype,
  RegExp.prototype,
  Object,
  Array,
  String,
  Number,
  Math,
  Symbol,
  JSON,
  Reflect,
  Map,
  Set,
];
for (let i = 0; i < TRACKED.length; i++) track(TRACKED[i]);
const GLOBALS = [
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Math",
  "Symbol",
  "JSON",
  "Reflect",
  "Map",
  "Set",
  "RegExp",
  "Uint8Array",
  "Int32Array",
  "Uint32Array",
  "TextEncoder",
  "TextDecoder",
  "Error",
  "TypeError",
  "parseInt",
  "isFinite",
  "globalThis",
];
for (let i = 0; i < GLOBALS.length; i++) {
  // Node defines some globals (TextEncoder, TextDecoder) as accessors that replace themselves
  // with a data property when first read: read each first, so the fingerprint holds its final form.
  void (globalThis as Record<string, unknown>)[GLOBALS[i]!];
  globalNames.push(GLOBALS[i]!);
  record(ObjectGetOwnPropertyDescriptor(globalThis, GLOBALS[i]!), globalFirsts, globalSeconds);
}
const globalObject: object = globalThis;
/** How many own properties {@link intrinsicsIntact} compares (for the docs and tests). */
export const FINGERPRINT_SIZE = keys.length + globalNames.length;

/**
 * Whether the intrinsics re2js and the decision code can reach are as they were when this
 * module loaded: the prototype, the list of own keys and each own property's value (or getter
 * and setter) of `Object.prototype`, `Array.prototype`, `%ArrayIteratorPrototype%`,
 * `%IteratorPrototype%`, `Function.prototype`, `String.prototype` and its iterator prototype,
 * `Number.prototype`, `Boolean.prototype`, `Symbol.prototype`, the `Map` and `Set` prototypes
 * and their iterator prototypes, `%TypedArray%` and its prototype, `Uint8Array`, `Int32Array`,
 * `Uint32Array` and their prototypes, `RegExp.prototype`, and the namespaces and
 * constructors `Object`, `Array`, `String`, `Number`, `Math`, `Symbol`, `JSON`, `Reflect`,
 * `Map`, `Set`; and the global bindings of those names (and of `TextEncoder`, `TextDecoder`,
 * `Error`, `TypeError`, `parseInt`, `isFinite`, `globalThis`). Any change counts, even a new
 * method a polyfill adds; a property deleted and put back as it was does not (the order of
 * the keys is not compared).
 *
 * Uses only built-ins captured at load, and runs no code of the program's: descriptors are
 * read with `Reflect.getOwnPropertyDescriptor` (a data descriptor's fields are its own), never
 * by `[[Get]]` on the objects themselves. Cost: 25 to 70 µs a call on Node 20 (~415
 * properties; measured by `test/intrinsics.test.ts` on 2 busy cores); the matchers ask it at
 * most once per decision that needs a glob or regex match (`./match.ts`).
 *
 * @returns true when nothing changed
 */
export function intrinsicsIntact(): boolean {
  return firstChange() < 0;
}

/**
 * The first difference {@link intrinsicsIntact} finds, described (for tests and diagnostics):
 * `"<target index> <key>"`, or `undefined` when nothing changed.
 *
 * @returns the description, or `undefined`
 */
export function intrinsicsChange(): string | undefined {
  const at = firstChange();
  if (at < 0) return undefined;
  if (at >= keys.length + targets.length) return `global ${globalNames[at - keys.length - targets.length]!}`;
  if (at >= keys.length) return `target ${at - keys.length}: prototype or number of keys`;
  let t = 0;
  for (let k = counts[0]!; k <= at; k += counts[++t]!);
  return `target ${t}: ${typeof keys[at] === "symbol" ? "a symbol" : (keys[at] as string)}`;
}

/**
 * Where the intrinsics first differ from the fingerprint: a key's index in {@link keys}, or
 * `keys.length + t` for target `t`'s prototype or key list, or `keys.length + targets.length +
 * g` for global `g`; -1 when nothing changed.
 */
function firstChange(): number {
  let k = 0;
  for (let t = 0; t < targets.length; t++) {
    const target = targets[t]!;
    if (ObjectGetPrototypeOf(target) !== protos[t]) return keys.length + t;
    // As many own keys as at load, and each key of load time still there as it was: the same
    // set (in any order: a property deleted and put back as it was is unchanged).
    const n = counts[t]!;
    if (ReflectOwnKeys(target).length !== n) return keys.length + t;
    for (let i = 0; i < n; i++, k++) {
      if (!same(ObjectGetOwnPropertyDescriptor(target, keys[k]!), firsts[k], seconds[k])) return k;
    }
  }
  for (let g = 0; g < globalNames.length; g++) {
    if (!same(ObjectGetOwnPropertyDescriptor(globalObject, globalNames[g]!), globalFirsts[g], globalSeconds[g])) return keys.length + targets.length + g;
  }
  return -1;
}
