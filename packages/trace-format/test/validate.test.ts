import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validateTraceFolder } from "../src/node/validate-folder.js";
import { parseTraceJson } from "../src/reader.js";
import { EventStreamValidator, VALIDATION_CODES, validateEvents } from "../src/validate.js";
import type { ValidationOptions, ValidationReport } from "../src/validate.js";
import { FIXTURES, fixtureText, SPEC_EXAMPLE_JSON, SPEC_EXAMPLE_METADATA, SPEC_EXAMPLE_PATHS, specExample, tempDir } from "./helpers.js";

type E = unknown;

/** Path 0 = /a.js, Function 0 = top-level, Call 0, Type 0 = Int, Step at 1, VariableName 0 = x. */
const BASE: E[] = [
  { Path: "/a.js" },
  { Function: { path_id: 0, line: 1, name: "<top-level>" } },
  { Call: { function_id: 0, args: [] } },
  { Type: { kind: 7, lang_type: "number", specific_info: { kind: "None" } } },
  { Step: { path_id: 0, line: 1 } },
  { VariableName: "x" },
];

const int = (i: number, type_id = 0): E => ({ kind: "Int", i, type_id });
const value = (v: E, variable_id = 0): E => ({ Value: { variable_id, value: v } });
const seqType: E = { Type: { kind: 0, lang_type: "Array", specific_info: { kind: "None" } } }; // id 1
function nested(depth: number): E {
  let v: E = int(1);
  for (let i = 1; i < depth; i++) v = { kind: "Sequence", elements: [v], is_slice: false, type_id: 1 };
  return v;
}
const structType = (fields: number): E => ({
  Type: {
    kind: 6,
    lang_type: "Point",
    specific_info: {
      kind: "Struct",
      fields: Array.from({ length: fields }, (_, i) => ({ name: `f${i}`, type_id: 0 })),
    },
  },
});

interface RuleCase {
  code: string;
  broken: E[];
  fixed: E[];
  options?: ValidationOptions & { paths?: string[] | null };
  /** Options for the fixed version, when they differ. */
  fixedOptions?: ValidationOptions & { paths?: string[] | null };
}

const RULES: RuleCase[] = [
  {
    code: "invalid-event",
    broken: [...BASE, { Step: { path_id: 0, line: 2 }, Path: "/b.js" }],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }, { Path: "/b.js" }],
  },
  {
    code: "invalid-event",
    broken: [...BASE, "Step"],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }],
  },
  {
    code: "unknown-variant",
    broken: [...BASE, { Frobnicate: 1 }],
    fixed: [...BASE, { Asm: ["nop"] }],
  },
  {
    code: "unsupported-event",
    broken: [...BASE, { Assignment: { to: 0, pass_by: "Value", from: { kind: "Simple", 0: 0 } } }],
    fixed: [...BASE, value(int(1))],
  },
  {
    code: "missing-field",
    broken: [...BASE, { Step: { path_id: 0 } }],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }],
  },
  {
    code: "missing-field",
    broken: [...BASE, { Event: { kind: 0, content: "hi\n" } }],
    fixed: [...BASE, { Event: { kind: 0, metadata: "", content: "hi\n" } }],
  },
  {
    code: "wrong-type",
    broken: [...BASE, value({ kind: "Bool", b: 1, type_id: 0 })],
    fixed: [...BASE, value({ kind: "Bool", b: true, type_id: 0 })],
  },
  { code: "wrong-type", broken: [...BASE, { Path: 5 }], fixed: [...BASE, { Path: "/5.js" }] },
  {
    code: "non-integer",
    broken: [...BASE, { Step: { path_id: 0, line: 1.5 } }],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }],
  },
  { code: "negative-zero", broken: [...BASE, value(int(-0))], fixed: [...BASE, value(int(0))] },
  {
    code: "negative-zero",
    broken: [...BASE, { Step: { path_id: 0, line: -0 } }],
    fixed: [...BASE, { Step: { path_id: 0, line: 0 } }],
  },
  { code: "negative-id", broken: [...BASE, value(int(1), -1)], fixed: [...BASE, value(int(1), 0)] },
  {
    code: "integer-out-of-range",
    broken: [...BASE, value(int(2 ** 64))],
    fixed: [...BASE, value(int(2 ** 53))],
  },
  {
    code: "char-value",
    broken: [...BASE, value({ kind: "Char", c: "x", type_id: 0 })],
    fixed: [...BASE, value({ kind: "String", text: "x", type_id: 0 })],
  },
  {
    code: "ill-formed-string",
    broken: [...BASE, { VariableName: "bad\ud800" }],
    fixed: [...BASE, { VariableName: "bad\ufffd" }],
  },
  {
    code: "ill-formed-string",
    broken: [...BASE, value({ kind: "String", text: "\udc00", type_id: 0 })],
    fixed: [...BASE, value({ kind: "String", text: "\u{1F600}", type_id: 0 })],
  },
  {
    code: "undefined-path-id",
    broken: [...BASE, { Step: { path_id: 1, line: 1 } }],
    fixed: [...BASE, { Path: "/b.js" }, { Step: { path_id: 1, line: 1 } }],
  },
  {
    code: "undefined-path-id",
    broken: [{ Function: { path_id: 0, line: 1, name: "main" } }, { Path: "/a.js" }],
    fixed: [{ Path: "/a.js" }, { Function: { path_id: 0, line: 1, name: "main" } }],
  },
  {
    code: "undefined-function-id",
    broken: [...BASE, { Step: { path_id: 0, line: 3 } }, { Call: { function_id: 1, args: [] } }, { Function: { path_id: 0, line: 3, name: "f" } }],
    fixed: [...BASE, { Function: { path_id: 0, line: 3, name: "f" } }, { Step: { path_id: 0, line: 3 } }, { Call: { function_id: 1, args: [] } }],
  },
  {
    code: "undefined-type-id",
    broken: [...BASE, value(int(1, 1))],
    fixed: [...BASE, seqType, value(int(1, 1))],
  },
  {
    code: "undefined-type-id",
    broken: [...BASE, { Return: { return_value: { kind: "None", type_id: 3 } } }],
    fixed: [...BASE, { Return: { return_value: { kind: "None", type_id: 0 } } }],
  },
  {
    code: "undefined-type-id",
    broken: [
      ...BASE,
      {
        Type: {
          kind: 23,
          lang_type: "*T",
          specific_info: { kind: "Pointer", dereference_type_id: 1 },
        },
      },
    ],
    fixed: [
      ...BASE,
      {
        Type: {
          kind: 23,
          lang_type: "*T",
          specific_info: { kind: "Pointer", dereference_type_id: 0 },
        },
      },
    ],
  },
  {
    code: "undefined-type-id",
    broken: [
      ...BASE,
      {
        Type: {
          kind: 6,
          lang_type: "Node",
          specific_info: { kind: "Struct", fields: [{ name: "next", type_id: 1 }] },
        },
      },
    ],
    fixed: [
      ...BASE,
      {
        Type: {
          kind: 6,
          lang_type: "Node",
          specific_info: { kind: "Struct", fields: [{ name: "next", type_id: 0 }] },
        },
      },
    ],
  },
  {
    code: "undefined-type-id",
    broken: [...BASE, value({ kind: "Sequence", elements: [int(1, 7)], is_slice: false, type_id: 0 })],
    fixed: [...BASE, value({ kind: "Sequence", elements: [int(1, 0)], is_slice: false, type_id: 0 })],
  },
  {
    code: "undefined-variable-id",
    broken: [...BASE, value(int(1), 1)],
    fixed: [...BASE, { VariableName: "y" }, value(int(1), 1)],
  },
  {
    code: "undefined-variable-id",
    broken: [
      ...BASE,
      { Function: { path_id: 0, line: 5, name: "f" } },
      { Step: { path_id: 0, line: 5 } },
      { Call: { function_id: 1, args: [{ variable_id: 4, value: int(1) }] } },
    ],
    fixed: [
      ...BASE,
      { Function: { path_id: 0, line: 5, name: "f" } },
      { Step: { path_id: 0, line: 5 } },
      { Call: { function_id: 1, args: [{ variable_id: 0, value: int(1) }] } },
    ],
  },
  {
    code: "return-without-call",
    broken: [...BASE, { Return: { return_value: int(0) } }, { Return: { return_value: int(0) } }],
    fixed: [...BASE, { Return: { return_value: int(0) } }],
  },
  {
    code: "missing-entry-step",
    options: { entryStepRule: "error" },
    broken: [...BASE, { Function: { path_id: 0, line: 10, name: "f" } }, { Call: { function_id: 1, args: [] } }],
    fixed: [...BASE, { Function: { path_id: 0, line: 10, name: "f" } }, { Step: { path_id: 0, line: 10 } }, { Call: { function_id: 1, args: [] } }],
  },
  {
    code: "missing-entry-step",
    options: { entryStepRule: "error" },
    broken: [
      ...BASE,
      { Function: { path_id: 0, line: 10, name: "f" } },
      { Step: { path_id: 0, line: 10 } },
      value(int(1)),
      { Call: { function_id: 1, args: [] } },
    ],
    fixed: [
      ...BASE,
      { Function: { path_id: 0, line: 10, name: "f" } },
      value(int(1)),
      { Step: { path_id: 0, line: 10 } },
      { Call: { function_id: 1, args: [] } },
    ],
  },
  {
    code: "drop-last-step-without-steps",
    broken: [...BASE, "DropLastStep"],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }, "DropLastStep"],
  },
  {
    code: "drop-last-step-without-steps",
    broken: [...BASE, { Step: { path_id: 0, line: 2 } }, "DropLastStep", { DropLastStep: null }],
    fixed: [...BASE, { Step: { path_id: 0, line: 2 } }, "DropLastStep", { Step: { path_id: 0, line: 3 } }, { DropLastStep: null }],
  },
  {
    code: "paths-mismatch",
    options: { paths: ["/b.js"] },
    broken: BASE,
    fixed: BASE,
    fixedOptions: { paths: ["/a.js"] },
  },
  {
    code: "paths-mismatch",
    options: { paths: ["/a.js", "/b.js"] },
    broken: BASE,
    fixed: [...BASE, { Path: "/b.js" }],
  },
  {
    code: "unknown-value-kind",
    broken: [...BASE, value({ kind: "Int128", i: 1, type_id: 0 })],
    fixed: [...BASE, value(int(1))],
  },
  {
    code: "invalid-float",
    broken: [...BASE, value({ kind: "Float", f: " 2.5", type_id: 0 })],
    fixed: [...BASE, value({ kind: "Float", f: "2.5", type_id: 0 })],
  },
  {
    code: "invalid-float",
    broken: [...BASE, value({ kind: "Float", f: "0x10", type_id: 0 })],
    fixed: [...BASE, value({ kind: "Float", f: "16", type_id: 0 })],
  },
  {
    code: "float-encoding",
    broken: [...BASE, value({ kind: "Float", f: 2.5, type_id: 0 })],
    fixed: [...BASE, value({ kind: "Float", f: "2.5", type_id: 0 })],
  },
  {
    code: "float-encoding",
    options: { floats: "number" },
    broken: [...BASE, value({ kind: "Float", f: "2.5", type_id: 0 })],
    fixed: [...BASE, value({ kind: "Float", f: 2.5, type_id: 0 })],
  },
  {
    code: "invalid-base64",
    broken: [...BASE, value({ kind: "BigInt", b: "AQ=", negative: false, type_id: 0 })],
    fixed: [...BASE, value({ kind: "BigInt", b: "AQ==", negative: false, type_id: 0 })],
  },
  {
    code: "struct-type-mismatch",
    broken: [...BASE, value({ kind: "Struct", field_values: [int(1)], type_id: 0 })],
    fixed: [...BASE, seqType, structType(1), value({ kind: "Struct", field_values: [int(1)], type_id: 2 })],
  },
  {
    code: "struct-type-mismatch",
    broken: [...BASE, { Type: { kind: 6, lang_type: "P", specific_info: { kind: "None" } } }, value({ kind: "Struct", field_values: [], type_id: 1 })],
    fixed: [
      ...BASE,
      { Type: { kind: 6, lang_type: "P", specific_info: { kind: "Struct", fields: [] } } },
      value({ kind: "Struct", field_values: [], type_id: 1 }),
    ],
  },
  {
    code: "struct-field-count",
    broken: [...BASE, structType(1), value({ kind: "Struct", field_values: [int(1), int(2)], type_id: 1 })],
    fixed: [...BASE, structType(2), value({ kind: "Struct", field_values: [int(1), int(2)], type_id: 1 })],
  },
  {
    code: "value-too-deep",
    broken: [...BASE, seqType, value(nested(61))],
    fixed: [...BASE, seqType, value(nested(60))],
  },
  {
    code: "value-too-deep",
    broken: [...BASE, seqType, { Return: { return_value: nested(200) } }],
    fixed: [...BASE, seqType, { Return: { return_value: nested(20) } }],
  },
  {
    code: "unknown-type-kind",
    broken: [...BASE, { Type: { kind: 34, lang_type: "x", specific_info: { kind: "None" } } }],
    fixed: [...BASE, { Type: { kind: 33, lang_type: "x", specific_info: { kind: "None" } } }],
  },
  {
    code: "unknown-specific-info-kind",
    broken: [...BASE, { Type: { kind: 17, lang_type: "E", specific_info: { kind: "Enum" } } }],
    fixed: [...BASE, { Type: { kind: 17, lang_type: "E", specific_info: { kind: "None" } } }],
  },
  {
    code: "unknown-event-log-kind",
    broken: [...BASE, { Event: { kind: 14, metadata: "", content: "x" } }],
    fixed: [...BASE, { Event: { kind: 13, metadata: "", content: "x" } }],
  },
];

function codes(report: ValidationReport): string[] {
  return report.errors.map((e) => e.code);
}

describe("validateEvents: one minimal broken trace per rule", () => {
  it.each(RULES.map((r, i) => [`${r.code} #${i}`, r] as const))("%s", (_name, rule) => {
    const broken = validateEvents(rule.broken, rule.options);
    expect(codes(broken)).toContain(rule.code);
    expect(broken.ok).toBe(false);
    const issue = broken.errors.find((e) => e.code === rule.code);
    expect(issue?.message.length).toBeGreaterThan(10);
    if (rule.code !== "paths-mismatch") expect(issue?.eventIndex).toBeTypeOf("number");
    const fixed = validateEvents(rule.fixed, rule.fixedOptions ?? rule.options);
    expect(fixed.errors).toEqual([]);
    expect(fixed.ok).toBe(true);
  });

  it("covers every event-level error code of VALIDATION_CODES", () => {
    const folderOnly = new Set([
      "missing-events-file",
      "unsupported-trace-bin",
      "invalid-trace-bin",
      "invalid-json",
      "io-error",
      "missing-metadata",
      "invalid-metadata",
      "missing-paths",
      "invalid-paths",
    ]);
    const warningsOnly = new Set(["experimental-event", "thread-event", "cell-value"]);
    const tested = new Set(RULES.map((r) => r.code));
    const missing = Object.keys(VALIDATION_CODES).filter((c) => !folderOnly.has(c) && !warningsOnly.has(c) && !tested.has(c));
    expect(missing).toEqual([]);
  });
});

describe("validateEvents: integer literals as serde_json reads them", () => {
  const prefix = JSON.stringify(BASE).slice(0, -1);
  const trace = (extra: string): string => `${prefix},${extra}]`;

  it("rejects 1.0 and 1e0 in integer fields but not in number-mode floats", () => {
    for (const lit of ["1.0", "1e0", "1E0", "-0.0"]) {
      const events = parseTraceJson(trace(`{"Step":{"path_id":0,"line":${lit}}}`));
      expect(codes(validateEvents(events))).toEqual(["non-integer"]);
    }
    const ok = parseTraceJson(trace(`{"Step":{"path_id":0,"line":1}}`));
    expect(validateEvents(ok).ok).toBe(true);
    const float = parseTraceJson(trace(`{"Value":{"variable_id":0,"value":{"kind":"Float","f":2.0,"type_id":0}}}`));
    expect(validateEvents(float, { floats: "number" }).ok).toBe(true);
  });

  it("rejects float literals in newtype payloads and id arrays", () => {
    for (const extra of ['{"DropVariable":0.0}', '{"ThreadStart":1e0}', '{"DropVariables":[0,1.0]}']) {
      const events = parseTraceJson(trace(extra));
      expect(codes(validateEvents(events))).toEqual(["non-integer"]);
    }
    expect(validateEvents(parseTraceJson(trace('{"DropVariables":[0,1]}'))).ok).toBe(true);
  });

  it("flags a literal -0 read from text", () => {
    const events = parseTraceJson(trace(`{"Value":{"variable_id":0,"value":{"kind":"Int","i":-0,"type_id":0}}}`));
    expect(codes(validateEvents(events))).toEqual(["negative-zero"]);
  });

  it("checks the i64 range on the exact literal", () => {
    const max = parseTraceJson(trace(`{"Value":{"variable_id":0,"value":{"kind":"Int","i":9223372036854775807,"type_id":0}}}`));
    expect(validateEvents(max).errors).toEqual([]);
    const min = parseTraceJson(trace(`{"Value":{"variable_id":0,"value":{"kind":"Int","i":-9223372036854775808,"type_id":0}}}`));
    expect(validateEvents(min).errors).toEqual([]);
    const over = parseTraceJson(trace(`{"Value":{"variable_id":0,"value":{"kind":"Int","i":9223372036854775808,"type_id":0}}}`));
    expect(codes(validateEvents(over))).toEqual(["integer-out-of-range"]);
  });

  it("rejects Int.i as a string and Bool.b as a number", () => {
    expect(codes(validateEvents([...BASE, value({ kind: "Int", i: "5", type_id: 0 })]))).toEqual(["wrong-type"]);
  });
});

describe("validateEvents: Float.f grammar (Rust f64::from_str, case-insensitive)", () => {
  const accepted = ["2.5", "1e+21", "-0", "inf", "+inf", "-inf", "infinity", "-Infinity", "NaN", "nan", "+.5", "1e400", "1.", "5E-3"];
  const rejected = [" 2.5", "2.5 ", "", ".", "e5", "0x10", "1,5", "Infinityy", "1e", "--1"];
  const withFloat = (f: unknown): E[] => [...BASE, value({ kind: "Float", f, type_id: 0 })];

  it.each(accepted)("accepts %j", (f) => {
    expect(validateEvents(withFloat(f)).errors).toEqual([]);
  });
  it.each(rejected)("rejects %j", (f) => {
    expect(codes(validateEvents(withFloat(f)))).toEqual(["invalid-float"]);
  });
  it('"either" accepts strings and numbers', () => {
    expect(validateEvents(withFloat(2.5), { floats: "either" }).ok).toBe(true);
    expect(validateEvents(withFloat("2.5"), { floats: "either" }).ok).toBe(true);
    expect(codes(validateEvents(withFloat("x"), { floats: "either" }))).toEqual(["invalid-float"]);
  });
});

describe("validateEvents: entry-step rule", () => {
  const f: E = { Function: { path_id: 0, line: 10, name: "f" } };
  const call: E = { Call: { function_id: 1, args: [] } };
  const ret: E = { Return: { return_value: int(0) } };

  it("is a warning by default", () => {
    const report = validateEvents([...BASE, f, call]);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => w.code)).toEqual(["missing-entry-step"]);
    expect(report.warnings[0]?.eventIndex).toBe(7);
  });

  it("allows declaration events between the entry Step and the Call (Ruby recorder pattern)", () => {
    const report = validateEvents([...BASE, { Step: { path_id: 0, line: 10 } }, f, { VariableName: "a" }, call], { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it("exempts the first Call, and Calls at depth 0 before any Step", () => {
    const head: E[] = [{ Path: "/a.js" }, BASE[3], { Function: { path_id: 0, line: 1, name: "<top-level>" } }, f];
    // first Call after a Step that does not match: exempt
    expect(validateEvents([...head, { Step: { path_id: 0, line: 3 } }, call], { entryStepRule: "error" }).ok).toBe(true);
    // two top-level calls before any Step: both exempt
    expect(validateEvents([...head, call, ret, call], { entryStepRule: "error" }).ok).toBe(true);
    // a second Call at depth 0 after a Step is not exempt
    const report = validateEvents([...head, call, { Step: { path_id: 0, line: 3 } }, ret, call], {
      entryStepRule: "error",
    });
    expect(codes(report)).toEqual(["missing-entry-step"]);
  });
});

describe("validateEvents: warnings that still load", () => {
  it("reports thread events, experimental events and Cell values as warnings", () => {
    const report = validateEvents([
      ...BASE,
      { ThreadStart: 1 },
      { ThreadSwitch: 1 },
      {
        CompoundValue: {
          place: 1,
          value: { kind: "Sequence", elements: [], is_slice: false, type_id: 0 },
        },
      },
      value({ kind: "Cell", place: 3 }),
      { Variable: "legacy" },
      value(int(1), 1),
      { DropVariables: [0, 1] },
      { DropVariable: 0 },
      { BindVariable: { variable_id: 0, place: -1 } },
      { Asm: ["mov eax, 1"] },
    ]);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.code).sort()).toEqual(["cell-value", "experimental-event", "thread-event"]);
    expect(report.stats.variables).toBe(2);
  });

  it("ignores unknown extra fields, as serde does", () => {
    const report = validateEvents([...BASE, { Step: { path_id: 0, line: 2, column: 5 } }]);
    expect(report.errors).toEqual([]);
  });
});

describe("validateEvents: statistics and limits", () => {
  it("computes stats on the reference example", () => {
    const report = validateEvents(specExample(), { paths: SPEC_EXAMPLE_PATHS });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.stats).toEqual({
      events: 22,
      steps: 4,
      calls: 2,
      returns: 2,
      paths: 1,
      functions: 2,
      types: 3,
      variables: 3,
      maxDepth: 2,
    });
  });

  it("passes the reference example with the entry-step rule as an error", () => {
    expect(validateEvents(parseTraceJson(SPEC_EXAMPLE_JSON), { entryStepRule: "error" }).ok).toBe(true);
  });

  it("caps issues per code and counts the rest", () => {
    const many = Array.from({ length: 250 }, (): E => ({ Frob: 1 }));
    const report = validateEvents(many, { maxIssuesPerCode: 100 });
    expect(report.errors).toHaveLength(100);
    expect(report.suppressed).toEqual({ "unknown-variant": 150 });
  });
});

describe("validateEvents on real fixtures", () => {
  it("rejects runtime-tracing-floats: more Returns than Calls", () => {
    const events = parseTraceJson(fixtureText("runtime-tracing-floats/trace.json"));
    const report = validateEvents(events);
    expect(report.ok).toBe(false);
    expect(codes(report)).toContain("return-without-call");
    expect(report.errors.find((e) => e.code === "return-without-call")?.eventIndex).toBe(5);
    // its Float strings are all in Rust's grammar
    expect(codes(report)).not.toContain("invalid-float");
  });

  it("accepts ruby-addition (Ruby's entry-step pattern)", () => {
    const report = validateEvents(parseTraceJson(fixtureText("ruby-addition/addition_trace.json")), { entryStepRule: "error" });
    expect(report.errors).toEqual([]);
  });
});

describe("validateTraceFolder", () => {
  it("accepts ruby-flow-test with no errors and no warnings", () => {
    const report = validateTraceFolder(path.join(FIXTURES, "ruby-flow-test"));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.stats).toMatchObject({
      events: 302,
      steps: 64,
      calls: 4,
      returns: 3,
      paths: 2,
      functions: 4,
      types: 6,
      variables: 14,
      maxDepth: 2,
    });
  });

  it("accepts rust-wasm-struct, with a missing-entry-step warning per non-top-level Call", () => {
    const report = validateTraceFolder(path.join(FIXTURES, "rust-wasm-struct"));
    expect(report.ok).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => [w.code, w.eventIndex])).toEqual([
      ["missing-entry-step", 16],
      ["missing-entry-step", 24],
      ["missing-entry-step", 33],
    ]);
    expect(validateTraceFolder(path.join(FIXTURES, "rust-wasm-struct"), { entryStepRule: "error" }).ok).toBe(false);
  });

  function folder(files: Record<string, string>): string {
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const good = {
    "trace.json": SPEC_EXAMPLE_JSON,
    "trace_paths.json": JSON.stringify(SPEC_EXAMPLE_PATHS),
    "trace_metadata.json": JSON.stringify(SPEC_EXAMPLE_METADATA),
  };
  const without = (name: string): Record<string, string> => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));

  it("accepts the reference example folder", () => {
    const report = validateTraceFolder(folder(good));
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  const folderCases: [string, Record<string, string>][] = [
    ["missing-events-file", without("trace.json")],
    ["invalid-trace-bin", { ...without("trace.json"), "trace.bin": "\xc0\xde" }],
    ["invalid-json", { ...good, "trace.json": '[{"Path":"/a.js"},' }],
    ["invalid-json", { ...good, "trace.json": '{"Path":"/a.js"}' }],
    ["missing-metadata", without("trace_metadata.json")],
    ["invalid-metadata", { ...good, "trace_metadata.json": '{"workdir":"/w","program":"/p"}' }],
    ["invalid-metadata", { ...good, "trace_metadata.json": '{"workdir":"/w","program":3,"args":[]}' }],
    ["invalid-metadata", { ...good, "trace_metadata.json": "{" }],
    ["missing-paths", without("trace_paths.json")],
    ["invalid-paths", { ...good, "trace_paths.json": '{"0":"/a"}' }],
    ["paths-mismatch", { ...good, "trace_paths.json": '["/other.js"]' }],
  ];

  it.each(folderCases)("reports %s", (code, files) => {
    const report = validateTraceFolder(folder(files));
    expect(report.ok).toBe(false);
    expect(codes(report)).toContain(code);
  });

  it("reports io-error when a file cannot be read", () => {
    const dir = folder(without("trace_metadata.json"));
    fs.mkdirSync(path.join(dir, "trace_metadata.json"));
    expect(codes(validateTraceFolder(dir))).toContain("io-error");
  });

  it("an unfinished recording (pending metadata, unterminated trace.json) says how far it got and how to repair it", () => {
    const events = JSON.parse(SPEC_EXAMPLE_JSON) as unknown[];
    const prefix = `[\n${events
      .slice(0, -1)
      .map((e) => JSON.stringify(e))
      .join(",\n")}`; // as the writer leaves it
    const dir = folder({ "trace.json": prefix, "trace_metadata.pending.json": JSON.stringify(SPEC_EXAMPLE_METADATA) });
    const report = validateTraceFolder(dir);
    const missing = report.errors.find((e) => e.code === "missing-metadata");
    const lastStep = events
      .slice(0, -1)
      .reverse()
      .find((e) => typeof e === "object" && e !== null && "Step" in e) as { Step: { line: number } };
    expect(missing?.message).toContain(`${events.length - 1} complete events written, the last step at ${SPEC_EXAMPLE_PATHS[0]}:${lastStep.Step.line}`);
    expect(missing?.message).toContain(`codetracer-js-recorder --repair ${dir}`);
  });

  it("reports a missing folder as missing-events-file", () => {
    const report = validateTraceFolder(path.join(tempDir(), "nope"));
    expect(codes(report)).toEqual(expect.arrayContaining(["missing-events-file", "missing-metadata", "missing-paths"]));
  });
});

describe("EventStreamValidator: a trace checked batch by batch", () => {
  /** `events` cut at `cuts` (sorted indexes) into consecutive batches. */
  function split(events: E[], cuts: number[]): E[][] {
    const out: E[][] = [];
    let from = 0;
    for (const cut of [...cuts, events.length]) {
      out.push(events.slice(from, cut));
      from = cut;
    }
    return out;
  }

  it("takes a valid trace cut anywhere, with the stats and paths of validateEvents", () => {
    const events = specExample() as E[];
    const whole = validateEvents(events);
    for (let a = 0; a <= events.length; a++) {
      for (const b of [a, Math.min(events.length, a + 3), events.length]) {
        const stream = new EventStreamValidator();
        for (const batch of split(events, [a, b])) {
          const report = stream.append(batch);
          expect(report.errors).toEqual([]);
          expect(report.ok).toBe(true);
        }
        expect(stream.stats).toEqual(whole.stats);
        expect(stream.paths).toEqual(SPEC_EXAMPLE_PATHS);
        expect(stream.openCalls).toBe(0);
      }
    }
  });

  it.each(RULES.filter((r) => r.options?.paths === undefined && r.code !== "paths-mismatch").map((r, i) => [`${r.code} #${i}`, r] as const))(
    "finds %s wherever the trace is cut, and takes the fixed trace",
    (_name, rule) => {
      const { paths: _p, ...options } = rule.options ?? {};
      for (let cut = 0; cut <= rule.broken.length; cut++) {
        const stream = new EventStreamValidator(options);
        const found = split(rule.broken, [cut]).flatMap((batch) => stream.append(batch).errors.map((e) => e.code));
        expect(found, `cut at ${cut}`).toContain(rule.code);
      }
      const { paths: _q, ...fixedOptions } = rule.fixedOptions ?? rule.options ?? {};
      for (let cut = 0; cut <= rule.fixed.length; cut++) {
        const stream = new EventStreamValidator(fixedOptions);
        for (const batch of split(rule.fixed, [cut])) expect(stream.append(batch).errors, `cut at ${cut}`).toEqual([]);
      }
    },
  );

  it("leaves a refused batch out entirely: its declarations and calls are forgotten", () => {
    const stream = new EventStreamValidator();
    expect(stream.append(BASE).ok).toBe(true);
    const before = { ...stream.stats };
    // Declares path 1, function 1, type 1 and variable 1, opens a call, then returns twice too many.
    const refused = stream.append([
      { Path: "/b.js" },
      { Function: { path_id: 1, line: 3, name: "f" } },
      { Type: { kind: 9, lang_type: "string", specific_info: { kind: "None" } } },
      { VariableName: "y" },
      { Step: { path_id: 1, line: 3 } },
      { Call: { function_id: 1, args: [] } },
      { Return: { return_value: int(1) } },
      { Return: { return_value: int(1) } },
      { Return: { return_value: int(1) } },
    ]);
    expect(refused.ok).toBe(false);
    expect(refused.errors.map((e) => e.code)).toEqual(["return-without-call"]);
    expect(refused.errors[0]!.eventIndex).toBe(BASE.length + 8);
    expect(stream.stats).toEqual(before);
    expect(stream.paths).toEqual(["/a.js"]);
    expect(stream.openCalls).toBe(1);
    // What the refused batch declared is not defined.
    const codesOf = (batch: E[]) => stream.append(batch).errors.map((e) => e.code);
    expect(codesOf([{ Step: { path_id: 1, line: 1 } }])).toEqual(["undefined-path-id"]);
    expect(codesOf([{ Call: { function_id: 1, args: [] } }])).toEqual(["undefined-function-id"]);
    expect(codesOf([value(int(1, 1))])).toEqual(["undefined-type-id"]);
    expect(codesOf([value(int(1), 1)])).toEqual(["undefined-variable-id"]);
    // The top-level call is still the only open one: one Return closes it, a second is refused.
    expect(stream.append([value(int(2)), { Return: { return_value: int(0) } }]).ok).toBe(true);
    expect(stream.openCalls).toBe(0);
    expect(codesOf([{ Return: { return_value: int(0) } }])).toEqual(["return-without-call"]);
    expect(stream.stats.events).toBe(BASE.length + 2);
  });

  it("reports a batch's warnings, also for a batch it takes", () => {
    const stream = new EventStreamValidator();
    stream.append(BASE);
    const report = stream.append([{ ThreadStart: 1 }]);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => w.code)).toEqual(["thread-event"]);
    expect(stream.append([{ Step: { path_id: 0, line: 2 } }]).warnings).toEqual([]);
  });
});
