/**
 * The value encoder: which ValueRecord and type each JS value becomes, the capture limits, and
 * the guarantee that capture never runs user code (getters, Proxy traps, conversions) and
 * never throws.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as util from "node:util";
import { TypeKind, validateEvents, type TraceLowLevelEvent, type TypeRecord, type ValueRecord } from "@codetracer/trace-format";
import { isWellFormed } from "@codetracer/trace-format/internal";
import { describe, expect, it } from "vitest";
import { floatToString as floatText } from "@codetracer/trace-format/internal";
import { bigintRecord, TypeTable, ValueEncoder, type ValueCaptureLimits } from "../src/values.js";

/**
 * An encoder whose Type events land in `trace` (after a minimal valid prefix); `value(v)`
 * encodes `v` and appends it as a Value event, so `validate()` checks define-before-use too.
 */
function setup(limits: Partial<ValueCaptureLimits> = {}, isProxy: (v: unknown) => boolean = util.types.isProxy) {
  const trace: TraceLowLevelEvent[] = [
    { Path: "/v/a.js" },
    { Function: { path_id: 0, line: 1, name: "<top-level>" } },
    { Call: { function_id: 0, args: [] } },
    { Step: { path_id: 0, line: 1 } },
    { VariableName: "v" },
  ];
  const types: TypeRecord[] = [];
  const table = new TypeTable((e) => {
    trace.push(e);
    if (typeof e === "object" && "Type" in e) types.push(e.Type);
  });
  const enc = new ValueEncoder(table, limits, isProxy);
  return {
    enc,
    table,
    trace,
    types,
    value(v: unknown): ValueRecord {
      const record = enc.encode(v);
      trace.push({ Value: { variable_id: 0, value: record } });
      return record;
    },
    typeOf(record: ValueRecord): TypeRecord {
      const t = types[(record as { type_id: number }).type_id];
      if (!t) throw new Error(`no type ${(record as { type_id: number }).type_id}`);
      return t;
    },
    validate() {
      const none = noneType(table); // may emit its Type first
      const report = validateEvents([...trace, { Return: { return_value: { kind: "None", type_id: none } } }] as unknown[], {
        entryStepRule: "error",
      });
      expect(report.errors).toEqual([]);
    },
  };
}

function noneType(table: TypeTable): number {
  return table.id(TypeKind.None, "undefined");
}

function decodeBigInt(rec: { b: string; negative: boolean }): bigint {
  const bytes = Buffer.from(rec.b, "base64");
  expect(bytes.toString("base64")).toBe(rec.b); // standard, padded
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return rec.negative ? -n : n;
}

/** A handler counting every trap call (all 13 traps), forwarding to Reflect. */
function countingHandler(counts: Record<string, number>): ProxyHandler<object> {
  const handler: Record<string, unknown> = {};
  for (const trap of [
    "get",
    "set",
    "has",
    "ownKeys",
    "getOwnPropertyDescriptor",
    "getPrototypeOf",
    "setPrototypeOf",
    "defineProperty",
    "deleteProperty",
    "isExtensible",
    "preventExtensions",
    "apply",
    "construct",
  ] as const) {
    handler[trap] = (...args: unknown[]) => {
      counts[trap] = (counts[trap] ?? 0) + 1;
      return (Reflect[trap] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return handler as ProxyHandler<object>;
}

describe("primitives", () => {
  it("undefined and null are None", () => {
    const s = setup();
    const u = s.value(undefined);
    const n = s.value(null);
    expect(u).toMatchObject({ kind: "None" });
    expect(n).toMatchObject({ kind: "None" });
    expect(s.typeOf(u)).toEqual({ kind: TypeKind.None, lang_type: "undefined", specific_info: { kind: "None" } });
    expect(s.typeOf(n)).toMatchObject({ kind: TypeKind.None, lang_type: "null" });
    s.validate();
  });

  it("booleans are Bool", () => {
    const s = setup();
    expect(s.value(true)).toMatchObject({ kind: "Bool", b: true });
    expect(s.value(false)).toMatchObject({ kind: "Bool", b: false });
    expect(s.typeOf(s.value(true)).kind).toBe(TypeKind.Bool);
    s.validate();
  });

  it("safe integers are Int", () => {
    const s = setup();
    for (const i of [0, 1, -5, 42, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const r = s.value(i);
      expect(r).toMatchObject({ kind: "Int", i });
      expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Int, lang_type: "number" });
    }
    s.validate();
  });

  it("non-integers, -0, NaN, ±Infinity and integers from 2^64 on are Float with Rust text", () => {
    const s = setup();
    const cases: Array<[number, string]> = [
      [1.5, "1.5"],
      [-0, "-0"],
      [NaN, "NaN"],
      [Infinity, "inf"],
      [-Infinity, "-inf"],
      [0.1, "0.1"],
      [2 ** 64, "18446744073709552000"],
      [1e21, "1e+21"],
      [-1e300, "-1e+300"],
      [5e-324, "5e-324"],
    ];
    for (const [n, text] of cases) {
      const r = s.value(n);
      expect(r).toMatchObject({ kind: "Float", f: text });
      expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Float, lang_type: "number" });
      expect(floatText(n)).toBe(text);
    }
    s.validate();
  });

  it("integers from 2^53 up to 2^64 are exact BigInt records typed number", () => {
    const s = setup();
    for (const n of [2 ** 53, -(2 ** 53), 2 ** 60, 2 ** 63, 2 ** 64 - 2048, -(2 ** 63)]) {
      const r = s.value(n);
      expect(r.kind).toBe("BigInt");
      expect(decodeBigInt(r as { b: string; negative: boolean })).toBe(BigInt(n));
      expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Int, lang_type: "number" });
    }
    s.validate();
  });

  it("bigints are BigInt: base64 big-endian magnitude and a sign", () => {
    const s = setup();
    const samples = [0n, 1n, 255n, 256n, -1n, -256n, 2n ** 63n, -(2n ** 64n), 10n ** 30n + 7n, -(2n ** 100n) + 12345n];
    for (const n of samples) {
      const r = s.value(n);
      expect(r.kind).toBe("BigInt");
      const rec = r as { b: string; negative: boolean };
      expect(rec.negative).toBe(n < 0n);
      expect(decodeBigInt(rec)).toBe(n);
      expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Int, lang_type: "bigint" });
    }
    expect(bigintRecord(256n)).toEqual({ kind: "BigInt", b: "AQA=", negative: false });
    expect(bigintRecord(-1n)).toEqual({ kind: "BigInt", b: "AQ==", negative: true });
    expect(bigintRecord(0x010203n)).toEqual({ kind: "BigInt", b: "AQID", negative: false });
    s.validate();
  });

  it("strings are String; long ones are cut with the full length noted", () => {
    const s = setup({ maxStringLength: 5 });
    expect(s.value("hello")).toMatchObject({ kind: "String", text: "hello" });
    const long = s.value("abcdefghij") as { text: string };
    expect(long.text.startsWith("abcde")).toBe(true);
    expect(long.text).not.toContain("f");
    expect(long.text).toContain("10");
    expect(s.typeOf(s.value("x"))).toMatchObject({ kind: TypeKind.String, lang_type: "string" });
    const d = setup();
    const big = "x".repeat(5000);
    const cut = d.value(big) as { text: string };
    expect(cut.text.startsWith("x".repeat(1000))).toBe(true);
    expect(cut.text.startsWith("x".repeat(1001))).toBe(false);
    expect(cut.text).toContain("5000");
    s.validate();
  });

  it("lone surrogates are made well-formed, also when a cut splits a pair", () => {
    const s = setup({ maxStringLength: 3 });
    const r = s.value("a\uD800b") as { text: string };
    expect(r.text).toBe("a\uFFFDb");
    const split = s.value("😀😀😀") as { text: string }; // cut after 3 code units: inside the 2nd pair
    expect(isWellFormed(split.text)).toBe(true);
    expect(split.text.startsWith("😀\uFFFD")).toBe(true);
    const key = s.value({ ["\uDC00k"]: 1 });
    expect(isWellFormed(JSON.stringify(s.typeOf(key)))).toBe(true);
    expect((s.typeOf(key).specific_info as { fields: Array<{ name: string }> }).fields[0]!.name).toBe("\uFFFDk");
    const sym = s.value(Symbol("\uD801")) as { r: string };
    expect(sym.r).toBe("Symbol(\uFFFD)");
    s.validate();
  });

  it("symbols and functions are Raw", () => {
    const s = setup();
    expect(s.value(Symbol("tag"))).toMatchObject({ kind: "Raw", r: "Symbol(tag)" });
    function named() {}
    const f = s.value(named);
    expect(f).toMatchObject({ kind: "Raw", r: "[Function: named]" });
    expect(s.typeOf(f).kind).toBe(TypeKind.FunctionKind);
    expect(s.value(() => 1)).toMatchObject({ kind: "Raw", r: "[Function (anonymous)]" });
    class Point {}
    expect(s.value(Point)).toMatchObject({ kind: "Raw", r: "[class Point]" });
    expect(s.value(named.bind(null))).toMatchObject({ kind: "Raw", r: "[Function: bound named]" });
    s.validate();
  });
});

describe("compound values", () => {
  it("arrays are Sequences of their elements", () => {
    const s = setup();
    const r = s.value([1, "a", true, null, undefined, 1.5]);
    expect(r.kind).toBe("Sequence");
    const seq = r as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(seq.is_slice).toBe(false);
    expect(seq.elements.map((e) => e.kind)).toEqual(["Int", "String", "Bool", "None", "None", "Float"]);
    expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Seq, lang_type: "Array" });
    s.validate();
  });

  it("holes are marked <empty>, accessor elements are not read", () => {
    const s = setup();
    // eslint-disable-next-line no-sparse-arrays
    const arr: unknown[] = [1, , 3];
    let reads = 0;
    Object.defineProperty(arr, 2, {
      get() {
        reads++;
        return 9;
      },
    });
    const r = s.value(arr) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(r.elements).toHaveLength(3);
    expect(r.elements[0]).toMatchObject({ kind: "Int", i: 1 });
    expect(r.elements[1]).toMatchObject({ kind: "Raw", r: "<empty>" });
    expect(r.elements[2]).toMatchObject({ kind: "Raw", r: "<getter>" });
    expect(reads).toBe(0);
    s.validate();
  });

  it("nesting deeper than maxDepth becomes a summary", () => {
    const s = setup();
    // The default depth is 5: five levels are expanded, the sixth is a summary.
    const r = s.value([[[[[[1]]]]]]);
    const levels: Array<Extract<ValueRecord, { kind: "Sequence" }>> = [r as Extract<ValueRecord, { kind: "Sequence" }>];
    for (let i = 1; i < 5; i++) levels.push(levels[i - 1]!.elements[0] as Extract<ValueRecord, { kind: "Sequence" }>);
    expect(levels.map((l) => l.kind)).toEqual(["Sequence", "Sequence", "Sequence", "Sequence", "Sequence"]);
    expect(levels[4]!.elements[0]).toMatchObject({ kind: "Raw", r: "Array(1)" });
    expect(s.typeOf(levels[4]!.elements[0]!).kind).toBe(TypeKind.NonExpanded);
    const three = setup({ maxDepth: 3 }).value([[[[1]]]]) as Extract<ValueRecord, { kind: "Sequence" }>;
    const l3 = (three.elements[0] as Extract<ValueRecord, { kind: "Sequence" }>).elements[0] as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(l3.elements[0]).toMatchObject({ kind: "Raw", r: "Array(1)" });

    const shallow = setup({ maxDepth: 1 });
    const obj = shallow.value({ inner: { x: 1 }, list: [1, 2], map: new Map([[1, 2]]), set: new Set([1]) });
    const fields = (obj as Extract<ValueRecord, { kind: "Struct" }>).field_values;
    expect(fields.map((f) => (f as { r?: string }).r)).toEqual(["Object {…}", "Array(2)", "Map(1)", "Set(1)"]);
    expect(fields.every((f) => shallow.typeOf(f).kind === TypeKind.NonExpanded)).toBe(true);
    const top = setup({ maxDepth: 0 });
    expect(top.value({ a: 1 })).toMatchObject({ kind: "Raw", r: "Object {…}" });
    s.validate();
    shallow.validate();
    top.validate();
  });

  it("with the default limits, 100 levels of nesting stay far within the reader's limit", () => {
    const s = setup();
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = i % 2 ? [deep] : { d: deep };
    const r = s.value(deep);
    expect(JSON.stringify(r).length).toBeLessThan(500);
    s.validate();
  });

  it("maxItems cuts arrays, objects, Maps and Sets with a `more` marker", () => {
    const s = setup({ maxItems: 3 });
    const arr = s.value([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(arr.elements).toHaveLength(4);
    expect(arr.elements[3]).toMatchObject({ kind: "Raw" });
    expect((arr.elements[3] as { r: string }).r).toContain("7 more");

    const obj = s.value({ a: 1, b: 2, c: 3, d: 4, e: 5 }) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(obj.field_values).toHaveLength(4);
    expect((obj.field_values[3] as { r: string }).r).toContain("2 more");
    const fields = (s.typeOf(obj).specific_info as { fields: Array<{ name: string }> }).fields;
    expect(fields.map((f) => f.name).slice(0, 3)).toEqual(["a", "b", "c"]);
    expect(fields).toHaveLength(4);

    const map = s.value(new Map([1, 2, 3, 4, 5].map((i) => [i, i]))) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(map.elements).toHaveLength(4);
    expect((map.elements[3] as { r: string }).r).toContain("2 more");
    const set = s.value(new Set([1, 2, 3, 4, 5, 6])) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(set.elements).toHaveLength(4);
    expect((set.elements[3] as { r: string }).r).toContain("3 more");
    s.validate();
  });

  it("Map entries are [key, value] Tuples; Set values are elements", () => {
    const s = setup();
    const m = s.value(
      new Map<unknown, unknown>([
        ["k", 1],
        [2, { x: true }],
      ]),
    ) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(s.typeOf(m)).toMatchObject({ kind: TypeKind.TableKind, lang_type: "Map" });
    expect(m.elements).toHaveLength(2);
    const [e0, e1] = m.elements as Array<Extract<ValueRecord, { kind: "Tuple" }>>;
    expect(e0!.kind).toBe("Tuple");
    expect(s.typeOf(e0!).kind).toBe(TypeKind.Tuple);
    expect(e0!.elements).toMatchObject([
      { kind: "String", text: "k" },
      { kind: "Int", i: 1 },
    ]);
    expect(e1!.elements[0]).toMatchObject({ kind: "Int", i: 2 });
    expect(e1!.elements[1]).toMatchObject({ kind: "Struct" });
    const set = s.value(new Set(["a", 1])) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(s.typeOf(set)).toMatchObject({ kind: TypeKind.Set, lang_type: "Set" });
    expect(set.elements).toMatchObject([
      { kind: "String", text: "a" },
      { kind: "Int", i: 1 },
    ]);
    // A Map subclass whose iterator is overridden: the intrinsic iterator is used.
    class Sneaky extends Map<unknown, unknown> {
      override entries(): never {
        throw new Error("user code");
      }
      override [Symbol.iterator](): never {
        throw new Error("user code");
      }
    }
    const sneaky = s.value(new Sneaky([[1, 1]])) as Extract<ValueRecord, { kind: "Sequence" }>;
    expect(sneaky.elements).toHaveLength(1);
    s.validate();
  });

  it("the attr policy decides object fields and string-keyed Map entries alike", () => {
    const s = setup();
    const seen: string[] = [];
    s.enc.attr = (name) => (/token|password/i.test(name) ? "redact" : name === "secret" ? "drop" : "allow");
    s.enc.onAttribute = (action) => seen.push(action);
    const obj = s.value({ user: "ann", password: "p1", secret: "s1" }) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(s.typeOf(obj)).toMatchObject({ specific_info: { fields: [{ name: "user" }, { name: "password" }] } });
    expect(obj.field_values[1]).toMatchObject({ kind: "Error", msg: "<redacted>" });
    const map = s.value(
      new Map<unknown, unknown>([
        ["accept", "json"],
        ["authToken", "t1"],
        ["secret", "s2"],
        [7, "seven"],
      ]),
    ) as Extract<ValueRecord, { kind: "Sequence" }>;
    const entries = map.elements as Array<Extract<ValueRecord, { kind: "Tuple" }>>;
    expect(entries.map((e) => e.elements[0])).toMatchObject([{ text: "accept" }, { text: "authToken" }, { i: 7 }]);
    expect(entries[1]!.elements[1]).toMatchObject({ kind: "Error", msg: "<redacted>" });
    expect(entries[2]!.elements[1]).toMatchObject({ kind: "String", text: "seven" });
    expect(JSON.stringify(s.trace)).not.toMatch(/"(p1|s1|t1|s2)"/);
    expect(seen).toEqual(["redact", "drop", "redact", "drop"]);
    s.validate();
  });

  it("Date, RegExp and Error are Raw text", () => {
    const s = setup();
    const d = s.value(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    expect(d).toMatchObject({ kind: "Raw", r: "2024-01-02T03:04:05.000Z" });
    expect(s.typeOf(d).lang_type).toBe("Date");
    expect(s.value(new Date(NaN))).toMatchObject({ kind: "Raw", r: "Invalid Date" });
    const re = s.value(/a+b/gi);
    expect(re).toMatchObject({ kind: "Raw", r: "/a+b/gi" });
    expect(s.typeOf(re).lang_type).toBe("RegExp");
    const err = s.value(new TypeError("bad thing"));
    expect(err).toMatchObject({ kind: "Raw", r: "TypeError: bad thing" });
    expect(s.typeOf(err).lang_type).toBe("TypeError");
    expect(s.value(new Error())).toMatchObject({ kind: "Raw", r: "Error" });
    class MyError extends Error {
      constructor(m: string) {
        super(m);
        this.name = "MyError";
      }
    }
    expect(s.value(new MyError("m"))).toMatchObject({ kind: "Raw", r: "MyError: m" });
    s.validate();
  });

  it("class instances are Structs named after the class, with their fields in the Type", () => {
    const s = setup();
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      get norm() {
        return Math.hypot(this.x, this.y);
      }
    }
    const r = s.value(new Point(1, 2)) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(r.kind).toBe("Struct");
    expect(r.field_values).toMatchObject([
      { kind: "Int", i: 1 },
      { kind: "Int", i: 2 },
    ]);
    const t = s.typeOf(r);
    expect(t.kind).toBe(TypeKind.Struct);
    expect(t.lang_type).toBe("Point");
    expect(t.specific_info.kind).toBe("Struct");
    expect((t.specific_info as { fields: Array<{ name: string; type_id: number }> }).fields.map((f) => f.name)).toEqual(["x", "y"]);
    expect(s.typeOf(s.value({ a: 1 })).lang_type).toBe("Object");
    expect(s.typeOf(s.value(Object.create(null))).lang_type).toBe("[Object: null prototype]");
    s.validate();
  });

  it("cycles become Error <cycle>; shared (acyclic) references are encoded each time", () => {
    const s = setup({ maxDepth: 10 });
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    const r = s.value(a) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(r.field_values[1]).toMatchObject({ kind: "Error", msg: "<cycle>" });
    const arr: unknown[] = [1];
    arr.push(arr);
    expect((s.value(arr) as Extract<ValueRecord, { kind: "Sequence" }>).elements[1]).toMatchObject({ kind: "Error", msg: "<cycle>" });
    const shared = { v: 1 };
    const both = s.value({ p: shared, q: shared, list: [shared, shared] }) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(both.field_values[0]).toMatchObject({ kind: "Struct" });
    expect(both.field_values[1]).toMatchObject({ kind: "Struct" });
    expect((both.field_values[2] as Extract<ValueRecord, { kind: "Sequence" }>).elements.map((e) => e.kind)).toEqual(["Struct", "Struct"]);
    // The encoder forgets its ancestors between calls.
    expect(s.value(a).kind).toBe("Struct");
    s.validate();
  });
});

describe("capture never runs user code and never throws", () => {
  it("a Proxy is Raw <Proxy> and none of its traps runs, wherever it sits", () => {
    const counts: Record<string, number> = {};
    const s = setup();
    const handler = countingHandler(counts);
    const p = new Proxy({ a: 1, nested: { b: 2 } }, handler);
    const fp = new Proxy(function target() {}, handler);
    const ap = new Proxy([1, 2, 3], handler);
    const errorProxy = new Proxy(new Error("e"), handler);
    const inheritsFromProxy = Object.create(p) as object;
    class Base {}
    const ProxiedCtor = new Proxy(Base, handler);
    const viaProxiedClass = new (class extends (ProxiedCtor as typeof Base) {})();
    const { proxy: revocable, revoke } = Proxy.revocable({}, handler);
    revoke();
    for (const k of Object.keys(counts)) delete counts[k]; // building the values ran some traps
    const r = s.value(p);
    expect(r).toMatchObject({ kind: "Raw", r: "<Proxy>" });
    expect(s.typeOf(r).lang_type).toBe("Proxy");
    s.value(fp);
    s.value(ap);
    s.value(errorProxy);
    s.value({ p, list: [p, fp], map: new Map<unknown, unknown>([[p, ap]]), set: new Set([fp]) });
    expect(s.value(inheritsFromProxy)).toMatchObject({ kind: "Struct" }); // a Proxy as prototype
    expect(s.typeOf(s.value(inheritsFromProxy)).lang_type).toBe("Object");
    s.value(viaProxiedClass);
    expect(s.value(revocable)).toMatchObject({ kind: "Raw", r: "<Proxy>" });
    expect(counts).toEqual({});
    s.validate();
  });

  it("getters are never called (own, inherited, throwing)", () => {
    const s = setup();
    let calls = 0;
    const obj = {
      plain: 1,
      get counted() {
        calls++;
        return 2;
      },
      get throws(): number {
        calls++;
        throw new Error("getter ran");
      },
    };
    class WithAccessor {
      field = 1;
      get lazy() {
        calls++;
        return 3;
      }
    }
    const r = s.value(obj) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(r.field_values).toMatchObject([
      { kind: "Int", i: 1 },
      { kind: "Raw", r: "<getter>" },
      { kind: "Raw", r: "<getter>" },
    ]);
    s.value(new WithAccessor());
    const err = new Error("x");
    Object.defineProperty(err, "message", {
      get() {
        calls++;
        return "m";
      },
    });
    Object.defineProperty(err, "name", {
      get() {
        calls++;
        return "N";
      },
    });
    expect(s.value(err)).toMatchObject({ kind: "Raw" });
    expect(calls).toBe(0);
    s.validate();
  });

  it("toJSON, valueOf, toString, Symbol.toPrimitive and inspect hooks are never called", () => {
    const s = setup();
    const calls: string[] = [];
    const v = {
      toJSON() {
        calls.push("toJSON");
        return 1;
      },
      valueOf() {
        calls.push("valueOf");
        return 2;
      },
      toString() {
        calls.push("toString");
        return "s";
      },
      [Symbol.toPrimitive]() {
        calls.push("toPrimitive");
        return 3;
      },
      [util.inspect.custom]() {
        calls.push("inspect");
        return "i";
      },
    };
    s.value(v);
    s.value([v, { v }]);
    const d = new Date(0);
    (d as unknown as { toISOString: () => string }).toISOString = () => {
      calls.push("toISOString");
      return "x";
    };
    expect(s.value(d)).toMatchObject({ r: "1970-01-01T00:00:00.000Z" });
    expect(calls).toEqual([]);
    s.validate();
  });

  it("monkey-patched built-ins after load are not used", () => {
    const s = setup();
    const saved = {
      keys: Object.keys,
      gopd: Object.getOwnPropertyDescriptor,
      isArray: Array.isArray,
      getTime: Date.prototype.getTime,
      mapEntries: Map.prototype.entries,
    };
    let hit = 0;
    const trap = () => {
      hit++;
      throw new Error("patched");
    };
    let records: ValueRecord[];
    try {
      Object.keys = trap;
      Object.getOwnPropertyDescriptor = trap;
      Array.isArray = trap as unknown as typeof Array.isArray;
      Date.prototype.getTime = trap;
      Map.prototype.entries = trap;
      records = [s.enc.encode({ a: [1, 2] }), s.enc.encode(new Date(0)), s.enc.encode(new Map([[1, 2]]))];
    } finally {
      Object.keys = saved.keys;
      Object.getOwnPropertyDescriptor = saved.gopd;
      Array.isArray = saved.isArray;
      Date.prototype.getTime = saved.getTime;
      Map.prototype.entries = saved.mapEntries;
    }
    expect(hit).toBe(0);
    expect(records.map((r) => r.kind)).toEqual(["Struct", "Raw", "Sequence"]);
  });

  it("exotic objects never make encode throw", async () => {
    const s = setup();
    // A module namespace with a binding still in its TDZ (evaluated mid-cycle).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ct-values-"));
    const dir = path.join(root, "node_modules"); // under node_modules: Vitest leaves it to Node's own loader
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "a.mjs"), 'import "./b.mjs";\nexport let late = 1;\nexport const also = 2;\n');
    fs.writeFileSync(path.join(dir, "b.mjs"), 'import * as ns from "./a.mjs";\nglobalThis.__ctEncodeResult = globalThis.__ctEncode(ns);\n');
    const g = globalThis as Record<string, unknown>;
    g.__ctEncode = (v: unknown) => s.enc.encode(v);
    try {
      await import(/* @vite-ignore */ pathToFileURL(path.join(dir, "a.mjs")).href);
      const tdz = g.__ctEncodeResult as ValueRecord;
      expect(tdz).toMatchObject({ kind: "Error" });
      expect((tdz as { msg: string }).msg).toContain("unreadable");
    } finally {
      delete g.__ctEncode;
      delete g.__ctEncodeResult;
    }
    // An initialised namespace encodes as a Struct of its exports.
    const ns = await import(/* @vite-ignore */ pathToFileURL(path.join(dir, "a.mjs")).href);
    const rec = s.value(ns) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(rec.kind).toBe("Struct");
    expect((s.typeOf(rec).specific_info as { fields: Array<{ name: string }> }).fields.map((f) => f.name)).toEqual(["also", "late"]);
    fs.rmSync(root, { recursive: true, force: true });

    // Without isProxy a revoked Proxy throws on every reflective operation.
    const blind = setup({}, () => false); // as if no isProxy were given
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => blind.enc.encode(proxy)).not.toThrow();
    expect(blind.enc.encode(proxy).kind).toBe("Error");
    // Nor a Proxy whose traps all throw.
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no");
        },
        getPrototypeOf() {
          throw new Error("no");
        },
        getOwnPropertyDescriptor() {
          throw new Error("no");
        },
      },
    );
    expect(() => blind.enc.encode(hostile)).not.toThrow();
    expect(() => blind.enc.encode({ inner: [hostile] })).not.toThrow();
    // After a failure the encoder still works (its cycle set is cleared).
    const o = { x: 1 };
    expect(blind.enc.encode(o).kind).toBe("Struct");
    expect(blind.enc.encode(o).kind).toBe("Struct");
    s.validate();
  });
});

describe("types are interned", () => {
  it("the same shape gets the same type id; each Type event is emitted once, before first use", () => {
    const s = setup();
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const a = s.value(new Point(1, 2)) as { type_id: number };
    const b = s.value(new Point(3, 4)) as { type_id: number };
    expect(a.type_id).toBe(b.type_id);
    const other = s.value({ x: 1, y: 2 }) as { type_id: number };
    expect(other.type_id).not.toBe(a.type_id);
    const moreFields = Object.assign(new Point(1, 2), { z: 3 });
    const c = s.value(moreFields) as { type_id: number };
    expect(c.type_id).not.toBe(a.type_id);
    expect(s.typeOf(c as ValueRecord).lang_type).toBe("Point");
    const i1 = s.value(1) as { type_id: number };
    const i2 = s.value(2) as { type_id: number };
    expect(i1.type_id).toBe(i2.type_id);
    s.value([1, 2]);
    s.value([3]);
    s.value(new Map());
    s.value(new Map([[1, 2]]));
    const keys = s.types.map((t) => JSON.stringify(t));
    expect(new Set(keys).size).toBe(keys.length);
    // Type ids are positional: the n-th Type event has id n.
    expect(s.table.id(TypeKind.Int, "number")).toBe(s.types.findIndex((t) => t.kind === TypeKind.Int && t.lang_type === "number"));
    s.validate();
  });

  // Regression test (fixed): TypeTable keys Struct shapes by joining the class name and field names with NUL, so
  // two different shapes can collide: `{a, b}` and `{"a\0b"}` both give
  // "struct\0Object\0a\0b". The second value then reuses the 2-field type with 1 field value,
  // which the validator rejects (struct-field-count) and CodeTracer mislabels.
  // Repro: enc.encode({ a: 1, b: 2 }); enc.encode({ "a\0b": 1 });  → same type_id.
  it("field names containing NUL do not collide with other shapes", () => {
    const s = setup();
    const two = s.value({ a: 1, b: 2 }) as { type_id: number };
    const one = s.value({ "a\u0000b": 1 }) as { type_id: number };
    expect(one.type_id).not.toBe(two.type_id);
    s.validate();
  });

  // Regression test (fixed) (cosmetic; the trace.json writer repairs it): a class name is used as the Struct type's
  // `lang_type` without being made well-formed, unlike string values and field names. A sink
  // other than TraceJsonWriter receives an ill-formed string.
  // Repro: class C {}; Object.defineProperty(C, "name", { value: "\uD800" }); enc.encode(new C())
  it("a class name with a lone surrogate gives a well-formed lang_type", () => {
    const s = setup();
    class C {}
    Object.defineProperty(C, "name", { value: "\uD800" });
    s.value(new C());
    s.validate();
  });
});

type Seq = Extract<ValueRecord, { kind: "Sequence" }>;
type Struct = Extract<ValueRecord, { kind: "Struct" }>;

function fieldNames(s: ReturnType<typeof setup>, r: ValueRecord): string[] {
  return (s.typeOf(r).specific_info as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
}

describe("the full value model", () => {
  it("typed arrays are Sequences of their elements, typed by their class and bounded", () => {
    const s = setup({ maxItems: 4 });
    const u8 = s.value(new Uint8Array([1, 2, 255])) as Seq;
    expect(u8).toMatchObject({ kind: "Sequence", is_slice: false });
    expect(u8.elements).toMatchObject([
      { kind: "Int", i: 1 },
      { kind: "Int", i: 2 },
      { kind: "Int", i: 255 },
    ]);
    expect(s.typeOf(u8)).toMatchObject({ kind: TypeKind.Seq, lang_type: "Uint8Array" });
    const f64 = s.value(new Float64Array([0.5, NaN, -0])) as Seq;
    expect(f64.elements).toMatchObject([
      { kind: "Float", f: "0.5" },
      { kind: "Float", f: "NaN" },
      { kind: "Float", f: "-0" },
    ]);
    expect(s.typeOf(f64).lang_type).toBe("Float64Array");
    const big = s.value(new BigInt64Array([-5n, 2n ** 62n])) as Seq;
    expect(big.elements.map((e) => decodeBigInt(e as { b: string; negative: boolean }))).toEqual([-5n, 2n ** 62n]);
    expect(s.typeOf(big).lang_type).toBe("BigInt64Array");
    const long = s.value(new Int16Array(10)) as Seq;
    expect(long.elements).toHaveLength(5);
    expect((long.elements[4] as { r: string }).r).toBe("… 6 more");
    expect(s.typeOf(s.value(Buffer.from("hi"))).lang_type).toBe("Buffer");
    const deep = setup({ maxDepth: 0 });
    expect(deep.value(new Uint8Array(7))).toMatchObject({ kind: "Raw", r: "Uint8Array(7)" });
    s.validate();
    deep.validate();
  });

  it("ArrayBuffer, SharedArrayBuffer and DataView are Structs of their length and leading bytes", () => {
    const s = setup({ maxItems: 4 });
    const buf = new Uint8Array([0, 1, 0xab, 3, 4, 5]).buffer;
    const r = s.value(buf) as Struct;
    expect(r.kind).toBe("Struct");
    expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Struct, lang_type: "ArrayBuffer" });
    expect(fieldNames(s, r)).toEqual(["byteLength", "bytes"]);
    const fields = (s.typeOf(r).specific_info as { fields: Array<{ type_id: number }> }).fields;
    expect(fields.map((f) => s.types[f.type_id]!.lang_type)).toEqual(["number", "bytes"]);
    expect(r.field_values).toMatchObject([
      { kind: "Int", i: 6 },
      { kind: "Raw", r: "<00 01 ab 03 … 2 more>" },
    ]);
    const sab = s.value(new SharedArrayBuffer(2)) as Struct;
    expect(s.typeOf(sab).lang_type).toBe("SharedArrayBuffer");
    expect(sab.field_values).toMatchObject([{ i: 2 }, { r: "<00 00>" }]);
    const dv = s.value(new DataView(buf, 2, 2)) as Struct;
    expect(s.typeOf(dv).lang_type).toBe("DataView");
    expect(fieldNames(s, dv)).toEqual(["byteLength", "byteOffset", "bytes"]);
    expect(dv.field_values).toMatchObject([{ i: 2 }, { i: 2 }, { r: "<ab 03>" }]);
    const empty = s.value(new ArrayBuffer(0)) as Struct;
    expect(empty.field_values).toMatchObject([{ i: 0 }, { r: "<>" }]);
    // A detached buffer and a view over it.
    const gone = new ArrayBuffer(8);
    const view = new DataView(gone);
    structuredClone(gone, { transfer: [gone] });
    expect((s.value(gone) as Struct).field_values[0]).toMatchObject({ i: 0 });
    expect(s.value(view)).toMatchObject({ kind: "Raw", r: "DataView (detached)" });
    s.validate();
  });

  it("Map and Set subclasses keep their class name; entries come from the intrinsic iterators", () => {
    const s = setup();
    class Registry extends Map<string, number> {}
    const r = s.value(new Registry([["a", 1]])) as Seq;
    expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.TableKind, lang_type: "Registry" });
    expect((r.elements[0] as Extract<ValueRecord, { kind: "Tuple" }>).elements).toMatchObject([{ text: "a" }, { i: 1 }]);
    class Tags extends Set<string> {}
    expect(s.typeOf(s.value(new Tags(["x"])))).toMatchObject({ kind: TypeKind.Set, lang_type: "Tags" });
    s.validate();
  });

  it("functions: name, class (with its base), async and generator kinds", () => {
    const s = setup();
    class Base {}
    class Derived extends Base {}
    const cases: Array<[unknown, string, string]> = [
      [function plain() {}, "[Function: plain]", "function"],
      [async function load() {}, "[AsyncFunction: load]", "async function"],
      [function* gen() {}, "[GeneratorFunction: gen]", "generator function"],
      [async function* agen() {}, "[AsyncGeneratorFunction: agen]", "async generator function"],
      [async () => 1, "[AsyncFunction (anonymous)]", "async function"],
      [Base, "[class Base]", "class"],
      [Derived, "[class Derived extends Base]", "class"],
      [class {}, "[class (anonymous)]", "class"],
      [{ classify() {} }.classify, "[Function: classify]", "function"],
      [Math.max, "[Function: max]", "function"],
      [Map, "[Function: Map]", "function"],
    ];
    for (const [fn, text, lang] of cases) {
      const r = s.value(fn);
      expect(r).toMatchObject({ kind: "Raw", r: text });
      expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.FunctionKind, lang_type: lang });
    }
    s.validate();
  });

  it("symbols show their description; WeakMap, WeakSet, WeakRef show only their kind", () => {
    const s = setup();
    expect(s.value(Symbol())).toMatchObject({ kind: "Raw", r: "Symbol()" });
    expect(s.value(Symbol.for("reg"))).toMatchObject({ kind: "Raw", r: "Symbol(reg)" });
    expect(s.value(Symbol.iterator)).toMatchObject({ kind: "Raw", r: "Symbol(Symbol.iterator)" });
    const key = {};
    const wm = s.value(new WeakMap([[key, 1]]));
    expect(wm).toMatchObject({ kind: "Raw", r: "WeakMap { <items unknown> }" });
    expect(s.typeOf(wm).lang_type).toBe("WeakMap");
    expect(s.value(new WeakSet([key]))).toMatchObject({ kind: "Raw", r: "WeakSet { <items unknown> }" });
    const ref = s.value(new WeakRef(key));
    expect(ref).toMatchObject({ kind: "Raw", r: "WeakRef { <target not read> }" });
    expect(s.typeOf(ref).lang_type).toBe("WeakRef");
    expect(s.value(new FinalizationRegistry(() => {}))).toMatchObject({ kind: "Raw", r: "FinalizationRegistry {}" });
    // A fake (an object with WeakMap.prototype but no WeakMap slots) is a Struct.
    expect(s.value(Object.create(WeakMap.prototype)).kind).toBe("Struct");
    s.validate();
  });

  it("promises are Raw `Promise { <state not captured> }` whatever their state", async () => {
    const s = setup();
    const rejected = Promise.reject(new Error("no"));
    rejected.catch(() => {});
    await Promise.resolve();
    for (const p of [Promise.resolve(1), new Promise(() => {}), rejected]) {
      const r = s.value(p);
      expect(r).toMatchObject({ kind: "Raw", r: "Promise { <state not captured> }" });
      expect(s.typeOf(r).lang_type).toBe("Promise");
    }
    class Task<T> extends Promise<T> {}
    expect(s.typeOf(s.value(Task.resolve(1))).lang_type).toBe("Task");
    s.validate();
  });

  it("Error: name, message and an own data cause, never the stack", () => {
    const s = setup();
    const inner = new RangeError("inner");
    expect(s.value(new Error("outer", { cause: inner }))).toMatchObject({ kind: "Raw", r: "Error: outer [cause: RangeError: inner]" });
    expect(s.value(new Error("o", { cause: "text" }))).toMatchObject({ r: 'Error: o [cause: "text"]' });
    expect(s.value(new Error("o", { cause: 42 }))).toMatchObject({ r: "Error: o [cause: 42]" });
    expect(s.value(new Error("o", { cause: undefined }))).toMatchObject({ r: "Error: o [cause: undefined]" });
    expect(s.value(new Error("o", { cause: 5n }))).toMatchObject({ r: "Error: o [cause: 5n]" });
    expect(s.value(new Error("o", { cause: { a: 1 } }))).toMatchObject({ r: "Error: o [cause: Object {…}]" });
    const loop = new Error("loop");
    (loop as { cause?: unknown }).cause = loop;
    expect((s.value(loop) as { r: string }).r).toMatch(/^Error: loop \[cause: /);
    const agg = s.value(new AggregateError([1], "many"));
    expect(agg).toMatchObject({ r: "AggregateError: many" });
    expect(s.typeOf(agg).lang_type).toBe("AggregateError");
    let prepared = 0;
    const savedPrepare = Error.prepareStackTrace;
    Error.prepareStackTrace = () => {
      prepared++;
      return "stack";
    };
    try {
      s.value(new TypeError("fresh"));
    } finally {
      Error.prepareStackTrace = savedPrepare;
    }
    expect(prepared).toBe(0);
    s.validate();
  });

  it("boxed primitives carry their primitive value, typed by their wrapper", () => {
    const s = setup();
    const n = s.value(new Number(1));
    expect(n).toMatchObject({ kind: "Int", i: 1 });
    expect(s.typeOf(n)).toMatchObject({ kind: TypeKind.Int, lang_type: "Number" });
    expect(s.value(new Number(1.5))).toMatchObject({ kind: "Float", f: "1.5" });
    const str = s.value(new String("abc"));
    expect(str).toMatchObject({ kind: "String", text: "abc" });
    expect(s.typeOf(str).lang_type).toBe("String");
    const b = s.value(new Boolean(false));
    expect(b).toMatchObject({ kind: "Bool", b: false });
    expect(s.typeOf(b).lang_type).toBe("Boolean");
    expect(s.value(Object(Symbol("s")))).toMatchObject({ kind: "Raw", r: "[Symbol: Symbol(s)]" });
    const big = s.value(Object(10n));
    expect(big.kind).toBe("BigInt");
    expect(s.typeOf(big).lang_type).toBe("BigInt");
    s.validate();
  });

  it("arguments objects (sloppy and strict) are Sequences typed Arguments", () => {
    const s = setup();
    const sloppy = new Function("return arguments")(1, "two") as object;
    const strict = (function (..._a: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })(3);
    const r = s.value(sloppy) as Seq;
    expect(r.elements).toMatchObject([{ i: 1 }, { text: "two" }]);
    expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Seq, lang_type: "Arguments" });
    expect(s.typeOf(s.value(strict)).lang_type).toBe("Arguments");
    // An object that only looks like one is a Struct.
    expect(s.value({ length: 1, 0: "a", callee() {} }).kind).toBe("Struct");
    s.validate();
  });

  it("null-prototype objects are Structs `[Object: null prototype]`; frozen and sealed objects are not marked", () => {
    const s = setup();
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const r = s.value(bare) as Struct;
    expect(r.field_values).toMatchObject([{ i: 1 }]);
    expect(s.typeOf(r)).toMatchObject({ kind: TypeKind.Struct, lang_type: "[Object: null prototype]" });
    const plain = s.value({ a: 1 }) as { type_id: number };
    expect((s.value(Object.freeze({ a: 1 })) as { type_id: number }).type_id).toBe(plain.type_id);
    expect((s.value(Object.seal({ a: 1 })) as { type_id: number }).type_id).toBe(plain.type_id);
    s.validate();
  });

  it("getters show as <getter>, setter-only accessors as <setter>", () => {
    const s = setup();
    const obj = Object.defineProperties(
      {},
      {
        g: { get: () => 1, enumerable: true },
        w: { set: () => {}, enumerable: true },
      },
    );
    expect((s.value(obj) as Struct).field_values).toMatchObject([{ r: "<getter>" }, { r: "<setter>" }]);
    s.validate();
  });

  it("an object mutated between two captures shows its value at each", () => {
    const s = setup();
    const cart = { items: [1], total: 1, tags: new Set(["a"]) };
    const first = s.value(cart);
    cart.items.push(2);
    cart.total = 3;
    cart.tags.add("b");
    const second = s.value(cart);
    expect(first).toMatchObject({ field_values: [{ elements: [{ i: 1 }] }, { i: 1 }, { elements: [{ text: "a" }] }] });
    expect(second).toMatchObject({
      field_values: [{ elements: [{ i: 1 }, { i: 2 }] }, { i: 3 }, { elements: [{ text: "a" }, { text: "b" }] }],
    });
    s.validate();
  });
});

describe("the byte bound (maxBytes)", () => {
  it("a wide and deep value stays within maxBytes, with a visible byte-limit marker", () => {
    for (const maxBytes of [512, 2048, 32768]) {
      const s = setup({ maxBytes, maxItems: 1000, maxDepth: 6 });
      const wide = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["x", "y", "z"] }));
      const r = s.value(wide);
      const text = JSON.stringify(r);
      expect(text.length).toBeLessThanOrEqual(maxBytes + 400);
      expect(text).toContain("more (byte limit)");
      s.validate();
    }
  });

  it("a long string is cut to the byte budget, with its length noted", () => {
    const s = setup({ maxBytes: 300, maxStringLength: 100_000 });
    const r = s.value("é".repeat(50_000)) as { text: string };
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(300 + 64);
    expect(r.text).toContain("(50000 chars)");
    expect(r.text.length).toBeGreaterThan(16);
    s.validate();
  });

  it("Maps, Sets and object fields stop at the byte budget too", () => {
    const s = setup({ maxBytes: 400, maxItems: 500 });
    const big = "x".repeat(80);
    const map = s.value(new Map(Array.from({ length: 100 }, (_, i) => [i, big]))) as Seq;
    expect((map.elements.at(-1) as { r: string }).r).toMatch(/^… \d+ more \(byte limit\)$/);
    const set = s.value(new Set(Array.from({ length: 100 }, (_, i) => `${big}${i}`))) as Seq;
    expect((set.elements.at(-1) as { r: string }).r).toMatch(/more \(byte limit\)/);
    const obj = s.value(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, big]))) as Struct;
    expect((obj.field_values.at(-1) as { r: string }).r).toMatch(/more \(byte limit\)/);
    expect(fieldNames(s, obj).at(-1)).toBe("…");
    // The budget is per captured value: the next one starts afresh.
    expect((s.value([1, 2, 3]) as Seq).elements).toHaveLength(3);
    s.validate();
  });

  it("the default bound is 32768 bytes", () => {
    const s = setup({ maxItems: 10_000, maxDepth: 10 });
    const r = s.value(Array.from({ length: 10_000 }, (_, i) => ({ i, s: "y".repeat(100) })));
    expect(JSON.stringify(r).length).toBeLessThanOrEqual(32768 + 400);
    s.validate();
  });
});

describe("new kinds never run user code", () => {
  it("no getter, trap or overridden method runs for typed arrays, buffers, Promise, Weak*, boxed, arguments, functions", () => {
    const calls: string[] = [];
    const spy = (name: string) => () => {
      calls.push(name);
      return 0;
    };
    class Sneaky extends Uint8Array {
      override get length(): number {
        calls.push("length");
        return 99;
      }
      // @ts-expect-error -- a lying tag, as a program may define one
      override get [Symbol.toStringTag](): string {
        calls.push("toStringTag");
        return "X";
      }
    }
    const ta = new Sneaky([1, 2]);
    const p = Promise.resolve(1);
    Object.defineProperty(p, "then", { get: spy("then") });
    Object.defineProperty(p, Symbol.toStringTag, { get: spy("promiseTag") });
    const boxed = new Number(5);
    (boxed as unknown as { valueOf: () => number }).valueOf = spy("valueOf");
    const fn = function f() {};
    Object.defineProperty(fn, "name", { get: spy("fnName") });
    const err = new Error("m");
    Object.defineProperty(err, "cause", { get: spy("cause"), enumerable: false });
    const re = /a/g;
    re.lastIndex = 3;
    const s = setup();
    const r = s.value({ ta, p, boxed, fn, err, re, wm: new WeakMap(), ws: new WeakSet(), ref: new WeakRef({}) }) as Struct;
    expect((r.field_values[0] as Seq).elements).toHaveLength(2);
    expect(s.typeOf(r.field_values[0]!).lang_type).toBe("Sneaky");
    expect(r.field_values[3]).toMatchObject({ r: "[Function (anonymous)]" });
    expect(r.field_values[4]).toMatchObject({ r: "Error: m [cause: <getter>]" });
    expect(r.field_values[5]).toMatchObject({ r: "/a/g" });
    expect(re.lastIndex).toBe(3);
    expect(calls).toEqual([]);
    s.validate();
  });

  it("Proxies of every new kind are <Proxy>, no trap runs", () => {
    const counts: Record<string, number> = {};
    const handler = countingHandler(counts);
    const targets: object[] = [
      new Uint8Array(2),
      new ArrayBuffer(2),
      new DataView(new ArrayBuffer(2)),
      Promise.resolve(1),
      new WeakMap(),
      new Number(1),
      async function a() {},
      class K {},
      new Error("e"),
    ];
    const proxies = targets.map((t) => new Proxy(t, handler));
    const sub = class extends (proxies[7] as new () => object) {}; // reads the Proxy's prototype itself
    for (const k of Object.keys(counts)) delete counts[k];
    const s = setup();
    for (const p of proxies) expect(s.value(p)).toMatchObject({ kind: "Raw", r: "<Proxy>" });
    // Errors whose cause is a Proxy, and classes extending a Proxy.
    s.value(new Error("x", { cause: proxies[0] }));
    expect(s.value(sub)).toMatchObject({ r: "[class sub]" });
    expect(counts).toEqual({});
    s.validate();
  });

  it("prototypes and globals monkey-patched after load are not used", () => {
    let hits = 0;
    const patches: Array<[object, PropertyKey]> = [
      [Array.prototype, "push"],
      [Array.prototype, Symbol.iterator],
      [Array.prototype, "map"],
      [Function.prototype, "call"],
      [Function.prototype, "apply"],
      [Function.prototype, "toString"],
      [Object.prototype, "toJSON"],
      [Object.prototype, Symbol.toStringTag],
      [Map.prototype, "get"],
      [Map.prototype, "set"],
      [Set.prototype, "add"],
      [Set.prototype, "has"],
      [Set.prototype, "delete"],
      [String.prototype, "slice"],
      [Number.prototype, "toString"],
      [Number.prototype, "valueOf"],
      [Date.prototype, "toISOString"],
      [RegExp.prototype, "test"],
      [RegExp.prototype, "exec"],
      [Map.prototype, "size"],
      [Object.getPrototypeOf(Uint8Array.prototype) as object, "length"],
      [Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag],
      [ArrayBuffer.prototype, "byteLength"],
      [Error.prototype, "message"],
      [Promise.prototype, Symbol.toStringTag],
    ];
    const saved = patches.map(([o, k]) => Object.getOwnPropertyDescriptor(o, k));
    const value = {
      list: [1, new Uint8Array([1]), new ArrayBuffer(1)],
      when: new Date(0),
      re: /x/y,
      map: new Map([[1, "a"]]),
      set: new Set([Symbol("s")]),
      err: new Error("boom", { cause: 1 }),
      p: Promise.resolve(),
      n: new Number(2 ** 60),
      fn: class A {},
      big: 2 ** 60,
    };
    // The encoder under test writes its Type events without Array.prototype.push (patched below).
    const typeEvents: TraceLowLevelEvent[] = [];
    const enc = new ValueEncoder(new TypeTable((e) => (typeEvents[typeEvents.length] = e)), {}, util.types.isProxy);
    let record: ValueRecord;
    // Index loops only: destructuring and forEach would use the patched iterator themselves.
    try {
      for (let i = 0; i < patches.length; i++) {
        Object.defineProperty(patches[i]![0], patches[i]![1], {
          configurable: true,
          get() {
            hits++;
            throw new Error("patched");
          },
        });
      }
      record = enc.encode(value);
    } finally {
      for (let i = patches.length - 1; i >= 0; i--) {
        const o = patches[i]![0] as Record<PropertyKey, unknown>;
        const k = patches[i]![1];
        if (saved[i]) Object.defineProperty(o, k, saved[i]!);
        else delete o[k];
      }
    }
    expect(hits).toBe(0);
    expect(record.kind).toBe("Struct");
    expect(JSON.stringify(record)).not.toContain("unreadable");
    // Validated on its own prefix (its types are numbered from 0 by its own table).
    const check = setup();
    check.trace.push(...typeEvents, { Value: { variable_id: 0, value: record } });
    const report = validateEvents([...check.trace, { Return: { return_value: { kind: "None", type_id: 0 } } }] as unknown[], {
      entryStepRule: "error",
    });
    expect(report.errors.filter((e) => e.code !== "type-id-range")).toEqual([]);
  });
});

describe("costs that do not grow with the program's data", () => {
  it("repeated and colliding floats keep their exact text", () => {
    const s = setup();
    // Many distinct floats, each converted twice (the second time from the float text cache),
    // more than the cache holds so slots are reused by other values.
    const floats: number[] = [];
    for (let i = 1; i < 20000; i++) floats.push(i / 7 + 0.5, -i * 1.000001 - 0.25, 1 / (i + 0.5), i * 1e-300, (i + 0.5) * 1e-5);
    const wrong: string[] = [];
    for (const pass of [0, 1]) {
      for (const f of floats) {
        const r = s.enc.encode(f) as Extract<ValueRecord, { kind: "Float" }>;
        if (Number.isInteger(f) || r.kind !== "Float" || r.f !== floatText(f)) wrong.push(`pass ${pass}: ${f} -> ${r.f}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("a big object's fields are its first keys, with the count of the rest, however often it is captured", () => {
    const s = setup({ maxItems: 5 });
    const big: Record<string, number> = {};
    let seen = 0;
    for (let i = 0; i < 3000; i++) {
      big[`k${i}`] = i;
      const r = s.value(big) as Extract<ValueRecord, { kind: "Struct" }>;
      const fields = r.field_values;
      if (i < 5) {
        expect(fields).toHaveLength(i + 1);
        continue;
      }
      // The first five keys, with their current values, and a marker.
      expect(fields.slice(0, 5).map((f) => (f as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
      const marker = (fields[5] as { r: string }).r;
      const more = Number(/^… (\d+) more$/.exec(marker)?.[1]);
      // Exact while the object is small; for a big one, the count of the last read of its keys,
      // which is read again once the captures since cost as much as the read (keys / maxItems
      // captures: here a fifth of the keys may have been added since).
      if (i < 256) expect(more).toBe(i + 1 - 5);
      else {
        expect(more).toBeLessThanOrEqual(i + 1 - 5);
        expect(i + 1 - 5 - more).toBeLessThanOrEqual(Math.ceil((i + 1) / 5));
      }
      seen++;
    }
    expect(seen).toBe(2995);
    // A shown key deleted since the last read is marked, and the next read drops it.
    delete big.k2;
    const after = s.value(big) as Extract<ValueRecord, { kind: "Struct" }>;
    const shown = after.field_values.slice(0, 5).map((f) => (f.kind === "Raw" ? f.r : (f as { i: number }).i));
    expect([
      [0, 1, "<deleted>", 3, 4],
      [0, 1, 3, 4, 5],
    ]).toContainEqual(shown);
    for (let i = 0; i < 700; i++) s.value(big);
    const later = s.value(big) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(later.field_values.slice(0, 5).map((f) => (f as { i: number }).i)).toEqual([0, 1, 3, 4, 5]);
    expect((later.field_values[5] as { r: string }).r).toBe(`… ${2999 - 5} more`);
    s.validate();
  });

  it("objects with ever new keys do not grow the shape tables without end; their types stay valid", () => {
    const s = setup();
    // 20,000 single-field shapes (more than the shape tables keep), then the first again.
    for (let i = 0; i < 20000; i++) s.value({ [`key${i}`]: i });
    const again = s.value({ key0: 1 });
    const t = s.typeOf(again);
    expect(t.kind).toBe(TypeKind.Struct);
    expect((t.specific_info as { fields: Array<{ name: string }> }).fields.map((f) => f.name)).toEqual(["key0"]);
    s.validate();
  });

  it("an object met twice in one step is walked once; a new step walks it again", () => {
    const s = setup();
    const o = { a: 1, b: [1, 2] };
    s.enc.beginStep();
    const first = s.enc.encodeInStep(o);
    expect(s.enc.encodeInStep(o)).toBe(first);
    o.a = 2;
    s.enc.beginStep();
    const next = s.enc.encodeInStep(o) as Extract<ValueRecord, { kind: "Struct" }>;
    expect(next).not.toBe(first);
    expect(next.field_values[0]).toMatchObject({ kind: "Int", i: 2 });
  });
});
