// The runtime's arrays stay its own when the program puts index accessors on Object.prototype
// (test262 does): storing into an array from ownSlots never runs the program's setter, whatever
// its length (three ways of building it: up to 8, up to 64, longer). The accessors are planted
// only around the calls under test (vitest's own code must not meet them).
import { describe, expect, it } from "vitest";
import { ownSlots } from "../src/primordials.js";

function withPlantedSetters<T>(keys: string[], run: () => T): { result: T; ran: number } {
  let ran = 0;
  for (const key of keys)
    Object.defineProperty(Object.prototype, key, {
      set() {
        ran++;
      },
      get() {
        return "planted";
      },
      configurable: true,
    });
  try {
    return { result: run(), ran };
  } finally {
    for (const key of keys) delete (Object.prototype as Record<string, unknown>)[key];
  }
}

describe("ownSlots", () => {
  it.each([3, 8, 9, 51, 64, 65, 200])("gives %i own null elements that take stores without running a setter on Object.prototype", (length) => {
    const keys = [...new Set([0, Math.floor(length / 2), length - 1].map(String))];
    const { result, ran } = withPlantedSetters(keys, () => {
      const array = ownSlots<number>(length);
      let own = 0;
      for (let i = 0; i < length; i++) if (Object.prototype.hasOwnProperty.call(array, i)) own++;
      for (let i = 0; i < length; i++) array[i] = i;
      return { array, own };
    });
    expect(ran).toBe(0);
    expect(result.own).toBe(length);
    expect(result.array).toEqual(Array.from({ length }, (_, i) => i));
  });
});

describe("the Safe classes", () => {
  // A derived class's default constructor is `constructor(...args) { super(...args); }`, whose
  // spread runs Array.prototype[Symbol.iterator] in Node 20's V8: each Safe class has its own.
  it("construct while a program has deleted Array.prototype[Symbol.iterator]", async () => {
    const { SafeDataView, SafeMap, SafeSet, SafeWeakMap, SafeWeakSet } = await import("../src/primordials.js");
    const iterator = Object.getOwnPropertyDescriptor(Array.prototype, Symbol.iterator)!;
    delete (Array.prototype as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    let made: unknown[];
    try {
      made = [new SafeMap(), new SafeSet(), new SafeWeakMap(), new SafeWeakSet(), new SafeDataView(new ArrayBuffer(16), 4)];
    } finally {
      Object.defineProperty(Array.prototype, Symbol.iterator, iterator);
    }
    expect(made.length).toBe(5);
    expect((made[4] as DataView).byteLength).toBe(12);
    expect((made[4] as DataView).byteOffset).toBe(4);
  });
});
