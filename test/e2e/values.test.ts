/**
 * test/fixtures/values/kinds.cjs recorded through the CLI: the locals of `kinds()` hold every
 * kind of value the recorder captures (docs/recording.md "Values"); each is decoded at the
 * marker step and checked for its record kind and `lang_type`. The program's getters, Proxy
 * traps, conversions and patched built-ins log when run, and its output must equal a plain
 * node run (so capture ran none of them). An object mutated between two steps shows its value
 * at each.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TypeKind, type ValueRecord } from "@codetracer/trace-format";
import { expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, cleanupTempDirs, describeRun, lineOf, recordWithCli, runPlain, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const SCRIPT = path.join(FIXTURES, "values/kinds.cjs");
const FILE = "test/fixtures/values/kinds.cjs";

let plain: RunResult;
let recorded: RunResult;
let q: TraceQuery;

beforeAll(async () => {
  [plain, recorded] = await Promise.all([runPlain(SCRIPT), recordWithCli(SCRIPT)]);
  q = expectValidTrace(recorded.traceDir);
});

afterAll(cleanupTempDirs);

/** The locals recorded at the (only) step of the `ct-marker: <marker>` line. */
function localsAt(marker: string): Map<string, ValueRecord> {
  const steps = q.stepsAt(FILE, lineOf(SCRIPT, `ct-marker: ${marker}`));
  expect(steps).toHaveLength(1);
  return steps[0]!.locals;
}

describe("values of every kind, recorded from a real program", () => {
  it("the program runs exactly as under plain node, and none of its code ran for capture", () => {
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("log []");
    expect(plain.stdout).toContain("lastIndex 2");
    expectSameRun(recorded, plain);
  });

  it("each local has the expected record, TypeKind and lang_type", () => {
    const locals = localsAt("all-kinds");
    const typeOf = (name: string) => {
      const v = locals.get(name);
      expect(v, name).toBeDefined();
      return q.types[(v as { type_id: number }).type_id]!;
    };
    const expectations: Array<[string, ValueRecord["kind"], number, string]> = [
      ["undef", "None", TypeKind.None, "undefined"],
      ["nul", "None", TypeKind.None, "null"],
      ["yes", "Bool", TypeKind.Bool, "boolean"],
      ["int", "Int", TypeKind.Int, "number"],
      ["float", "Float", TypeKind.Float, "number"],
      ["negZero", "Float", TypeKind.Float, "number"],
      ["nan", "Float", TypeKind.Float, "number"],
      ["negInf", "Float", TypeKind.Float, "number"],
      ["huge", "BigInt", TypeKind.Int, "number"],
      ["big", "BigInt", TypeKind.Int, "bigint"],
      ["str", "String", TypeKind.String, "string"],
      ["long", "String", TypeKind.String, "string"],
      ["arr", "Sequence", TypeKind.Seq, "Array"],
      ["bytes", "Sequence", TypeKind.Seq, "Uint8Array"],
      ["buf", "Struct", TypeKind.Struct, "ArrayBuffer"],
      ["view", "Struct", TypeKind.Struct, "DataView"],
      ["registry", "Sequence", TypeKind.TableKind, "Registry"],
      ["set", "Sequence", TypeKind.Set, "Set"],
      ["point", "Struct", TypeKind.Struct, "Point"],
      ["when", "Raw", TypeKind.Raw, "Date"],
      ["invalid", "Raw", TypeKind.Raw, "Date"],
      ["re", "Raw", TypeKind.Raw, "RegExp"],
      ["err", "Raw", TypeKind.Raw, "TypeError"],
      ["pending", "Raw", TypeKind.Raw, "Promise"],
      ["load", "Raw", TypeKind.FunctionKind, "async function"],
      ["cls", "Raw", TypeKind.FunctionKind, "class"],
      ["sym", "Raw", TypeKind.Raw, "symbol"],
      ["weak", "Raw", TypeKind.Raw, "WeakMap"],
      ["bare", "Struct", TypeKind.Struct, "[Object: null prototype]"],
      ["frozen", "Struct", TypeKind.Struct, "Object"],
      ["boxed", "Int", TypeKind.Int, "Number"],
      ["args", "Sequence", TypeKind.Seq, "Arguments"],
      ["proxy", "Raw", TypeKind.Raw, "Proxy"],
      ["cyclic", "Struct", TypeKind.Struct, "Object"],
      ["tricky", "Struct", TypeKind.Struct, "Object"],
    ];
    for (const [name, kind, typeKind, langType] of expectations) {
      expect(locals.get(name)?.kind, name).toBe(kind);
      expect(typeOf(name), name).toMatchObject({ kind: typeKind, lang_type: langType });
    }
  });

  it("decodes to the program's values", () => {
    const locals = localsAt("all-kinds");
    const d = (name: string) => q.decode(locals.get(name)!);
    expect(d("int")).toBe(42);
    expect(d("float")).toBe(1.5);
    expect(Object.is(d("negZero"), -0)).toBe(true);
    expect(d("nan")).toBeNaN();
    expect(d("negInf")).toBe(-Infinity);
    expect(d("huge")).toBe(2n ** 60n);
    expect(d("big")).toBe(12345678901234567890n);
    expect(d("str")).toBe("héllo");
    expect(d("long")).toMatch(/^x{1000}… \(5000 chars\)$/);
    expect(d("arr")).toEqual([1, "two", [3]]);
    expect(d("bytes")).toEqual([1, 2, 255]);
    expect(d("buf")).toEqual({ byteLength: 4, bytes: { $raw: "<0a 0b 0c 0d>" } });
    expect(d("view")).toEqual({ byteLength: 2, byteOffset: 1, bytes: { $raw: "<0b 0c>" } });
    expect(d("registry")).toEqual([["k", 1]]);
    expect(d("set")).toEqual(["a"]);
    expect(d("point")).toEqual({ x: 1, y: 2 });
    expect(d("when")).toEqual({ $raw: "2024-01-02T03:04:05.000Z" });
    expect(d("invalid")).toEqual({ $raw: "Invalid Date" });
    expect(d("re")).toEqual({ $raw: "/a+b/gi" });
    expect(d("err")).toEqual({ $raw: "TypeError: bad input [cause: Error: root cause]" });
    expect(d("pending")).toEqual({ $raw: "Promise { <state not captured> }" });
    expect(d("load")).toEqual({ $raw: "[AsyncFunction: load]" });
    expect(d("cls")).toEqual({ $raw: "[class Point]" });
    expect(d("sym")).toEqual({ $raw: "Symbol(tag)" });
    expect(d("weak")).toEqual({ $raw: "WeakMap { <items unknown> }" });
    expect(d("bare")).toEqual({ a: 1 });
    expect(d("frozen")).toEqual({ f: 1 });
    expect(d("boxed")).toBe(7);
    expect(d("args")).toEqual(["a", 2]);
    expect(d("proxy")).toEqual({ $raw: "<Proxy>" });
    expect(d("cyclic")).toEqual({ name: "c", self: { $error: "<cycle>" } });
    expect(d("tricky")).toEqual({ toJSON: { $raw: "[Function: toJSON]" }, valueOf: { $raw: "[Function: valueOf]" }, lazy: { $raw: "<getter>" } });
  });

  it("an object mutated between steps shows its value at each step", () => {
    expect(q.decode(localsAt("cart-1").get("cart")!)).toEqual({ items: ["apple"], total: 1 });
    expect(q.decode(localsAt("cart-2").get("cart")!)).toEqual({ items: ["apple", "pear"], total: 2 });
  });
});

describe("a program that changes Object.prototype and Array.prototype", () => {
  it("toJSON getters on the prototypes are never run by the trace writer, inherited properties are not written", async () => {
    const script = path.join(FIXTURES, "values", "prototype-tojson.cjs");
    const [plain, recorded] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.stdout).toBe("toJSON lookups: 0, last id: 4\n");
    expect(recorded.code, describeRun(recorded)).toBe(0);
    expect(recorded.stdout).toBe(plain.stdout);
    const q = expectValidTrace(recorded.traceDir);
    expect(q.callsOf("build")).toHaveLength(5);
    expect(fs.readFileSync(path.join(recorded.traceDir, "trace.json"), "utf8")).not.toContain("injected");
  });
});
