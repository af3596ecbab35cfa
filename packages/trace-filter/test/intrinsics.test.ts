// The fingerprint of the intrinsics re2js reaches (src/intrinsics.ts) and the fresh realm re2js
// runs in when they changed (src/node/realm.ts): what each sees and what each costs. The
// changes made here are undone in `finally` before anything else runs.
import { describe, expect, it } from "vitest";
import { FINGERPRINT_SIZE, intrinsicsChange, intrinsicsIntact } from "../src/intrinsics.js";
import { re2InFreshRealm } from "../src/node/realm.js";
import { compileRustRegex } from "../src/regex.js";

/** Runs `check` while `key` of `target` is `desc`, then puts the old property back. */
function whileChanged<T>(target: object, key: PropertyKey, desc: PropertyDescriptor | undefined, check: () => T): T {
  const old = Object.getOwnPropertyDescriptor(target, key);
  if (desc === undefined) delete (target as Record<PropertyKey, unknown>)[key];
  else Object.defineProperty(target, key, { configurable: true, ...desc });
  try {
    return check();
  } finally {
    if (old === undefined) delete (target as Record<PropertyKey, unknown>)[key];
    else Object.defineProperty(target, key, old);
    // Defining Array.prototype[0] made Array.prototype (an array) 1 long: the fingerprint sees that too.
    if (target === Array.prototype) Array.prototype.length = 0;
  }
}

describe("intrinsicsIntact", () => {
  it("is true on an untouched realm (NaN included), and again once a change is undone", () => {
    expect(FINGERPRINT_SIZE).toBeGreaterThan(300);
    expect(intrinsicsChange()).toBeUndefined();
    expect(intrinsicsIntact()).toBe(true);
    expect(whileChanged(Array.prototype, "push", undefined, intrinsicsIntact)).toBe(false);
    expect(intrinsicsIntact()).toBe(true);
  });

  it.each([
    ["a deleted Array.prototype.push", Array.prototype, "push", undefined],
    ["a deleted Array.prototype[Symbol.iterator]", Array.prototype, Symbol.iterator, undefined],
    ["a getter on Array.prototype[0]", Array.prototype, "0", { get: () => 1 }],
    ["a setter on Object.prototype[1]", Object.prototype, "1", { set: () => {} }],
    ["a replaced String.prototype.charCodeAt", String.prototype, "charCodeAt", { value: () => 0, writable: true }],
    ["a replaced %ArrayIteratorPrototype%.next", Object.getPrototypeOf([][Symbol.iterator]()), "next", { value: () => ({ done: true }), writable: true }],
    ["a deleted Function.prototype.apply", Function.prototype, "apply", undefined],
    ["a replaced Map.prototype.get", Map.prototype, "get", { value: () => undefined, writable: true }],
    ["a replaced Math.imul", Math, "imul", { value: () => 0, writable: true }],
    ["a replaced Array[Symbol.species] getter", Array, Symbol.species, { get: () => Object }],
    ["a replaced global Map", globalThis, "Map", { value: class {}, writable: true }],
    ["a new Uint32Array.prototype property", Uint32Array.prototype, "extra", { value: 1 }],
  ])("sees %s", (_what, target, key, desc) => {
    expect(intrinsicsChange()).toBeUndefined();
    expect(whileChanged(target as object, key as PropertyKey, desc as PropertyDescriptor | undefined, intrinsicsIntact)).toBe(false);
    expect(intrinsicsChange()).toBeUndefined();
  });

  it("ignores Function.prototype.toString, which the recorder itself replaces when a session starts", () => {
    const descriptor = Object.getOwnPropertyDescriptor(Function.prototype, "toString")!;
    const replaced = function toString(this: unknown) {
      return Reflect.apply(descriptor.value as () => string, this, []);
    };
    Object.defineProperty(Function.prototype, "toString", { ...descriptor, value: replaced });
    try {
      expect(intrinsicsChange()).toBeUndefined();
      expect(intrinsicsIntact()).toBe(true);
    } finally {
      Object.defineProperty(Function.prototype, "toString", descriptor);
    }
  });

  it("sees a changed prototype of Array.prototype", () => {
    const proto = Object.create(Object.prototype);
    Object.setPrototypeOf(Array.prototype, proto);
    try {
      expect(intrinsicsIntact()).toBe(false);
    } finally {
      Object.setPrototypeOf(Array.prototype, Object.prototype);
    }
    expect(intrinsicsIntact()).toBe(true);
  });

  it("costs tens of microseconds a call", () => {
    for (let i = 0; i < 200; i++) intrinsicsIntact();
    const runs = 2000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) intrinsicsIntact();
    const perCall = ((performance.now() - start) * 1000) / runs;
    console.log(`intrinsicsIntact: ${perCall.toFixed(1)} µs a call (${FINGERPRINT_SIZE} properties)`);
    expect(perCall).toBeLessThan(2000);
  });
});

describe("re2InFreshRealm", () => {
  it("is made once, with a global object no look-up leaves, and answers as the main realm", () => {
    // Getters on Object.prototype named as the globals the realm's code uses: a context whose
    // global object had the main realm's Object.prototype would run them.
    let ran = 0;
    const names = ["Map", "RE2JS", "module", "exports", "Object", "Array", "Symbol", "globalThis", "TextEncoder"];
    const old = names.map((name) => Object.getOwnPropertyDescriptor(Object.prototype, name));
    for (const name of names) Object.defineProperty(Object.prototype, name, { get: () => (ran++, undefined), configurable: true });
    let first: boolean;
    let made: number;
    try {
      const start = performance.now();
      first = re2InFreshRealm("(?s)^(?:/?|.*/)node_modules/.*$", "home/u/p/node_modules/x/index.js");
      made = performance.now() - start;
    } finally {
      names.forEach((name, i) =>
        old[i] ? Object.defineProperty(Object.prototype, name, old[i]!) : delete (Object.prototype as Record<string, unknown>)[name],
      );
    }
    expect(ran).toBe(0);
    expect(first).toBe(true);
    console.log(`fresh realm: made and first match in ${made.toFixed(1)} ms`);
    const secret = compileRustRegex("(^|[^A-Za-z])(pass|password|token)s?([^a-z]|$)");
    for (const name of ["password", "userPassword", "author", "tokens", "tokenizer", "x", ""]) {
      expect(re2InFreshRealm(secret.re2Source, name)).toBe(secret.test(name));
    }
    const runs = 2000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) re2InFreshRealm(secret.re2Source, `field${i}`);
    console.log(`fresh realm: ${(((performance.now() - start) * 1000) / runs).toFixed(1)} µs a match of the secret regex`);
  });

  it("reports a pattern the realm cannot compile as a TraceFilterError, not the realm's error", () => {
    expect(() => re2InFreshRealm("(", "x")).toThrow(expect.objectContaining({ name: "TraceFilterError", code: "ERR_IO" }));
  });
});
