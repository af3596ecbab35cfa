/**
 * `addRealmBuiltins`: values built in another realm (a `vm` context, as Jest's test environment
 * runs test files in) are captured as built-ins once that realm is registered; before, a Map or a
 * Date of that realm was an empty Struct.
 */
import * as util from "node:util";
import * as vm from "node:vm";
import { TypeKind, type TypeRecord, type ValueRecord } from "@codetracer/trace-format";
import { describe, expect, it } from "vitest";
import { TypeTable, ValueEncoder, addRealmBuiltins } from "../src/values.js";

function encoder() {
  const types: TypeRecord[] = [];
  const table = new TypeTable((e) => {
    if (typeof e === "object" && "Type" in e) types.push(e.Type);
  });
  const enc = new ValueEncoder(table, {}, util.types.isProxy);
  return {
    value: (v: unknown) => enc.encode(v),
    typeOf: (record: ValueRecord) => types[(record as { type_id: number }).type_id]!,
  };
}

describe("addRealmBuiltins", () => {
  it("makes a vm context's Map, Set, Date, RegExp, typed array and boxed values built-ins", () => {
    // As Jest's node environment makes its global: the context's own global object.
    const context = vm.createContext();
    const global = vm.runInContext("this", context) as object;
    const make = () =>
      vm.runInContext(
        '({ map: new Map([["k", 1]]), set: new Set([2]), date: new Date(0), re: /a/g, bytes: new Uint8Array([1, 2]), err: new TypeError("x") })',
        context,
      ) as Record<string, unknown>;
    const before = encoder();
    // Not registered: another realm's Map is an object without own fields.
    expect(before.value(make().map)).toMatchObject({ kind: "Struct", field_values: [] });

    addRealmBuiltins(global);
    const s = encoder();
    const values = make();
    const map = s.value(values.map) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(s.typeOf(map)).toMatchObject({ kind: TypeKind.TableKind, lang_type: "Map" });
    expect(map.elements).toHaveLength(1);
    expect(s.typeOf(s.value(values.set))).toMatchObject({ kind: TypeKind.Set, lang_type: "Set" });
    expect(s.value(values.date)).toMatchObject({ kind: "Raw", r: "1970-01-01T00:00:00.000Z" });
    expect(s.value(values.re)).toMatchObject({ kind: "Raw", r: "/a/g" });
    expect(s.value(values.bytes)).toMatchObject({ kind: "Sequence" });
    expect(s.typeOf(s.value(values.err)).lang_type).toBe("TypeError");
  });

  it("reads only the global's own data properties: a getter is not run", () => {
    const global = vm.runInContext("this", vm.createContext()) as object;
    let ran = 0;
    Object.defineProperty(global, "Map", {
      get() {
        ran++;
        return Map;
      },
      configurable: true,
    });
    addRealmBuiltins(global);
    expect(ran).toBe(0);
  });
});
