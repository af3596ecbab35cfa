import { describe, expect, it } from "vitest";
import { parseTraceJson } from "../src/reader.js";
import { createRenderState, formatEvent, formatValue, renderTrace } from "../src/text.js";
import type { TraceLowLevelEvent } from "../src/types.js";
import { fixtureText, specExample } from "./helpers.js";

describe("renderTrace", () => {
  it("renders the reference example one event per line", () => {
    expect(renderTrace(specExample())).toEqual([
      "path /home/u/p/main.js",
      "function <top-level> main.js:1",
      "call <top-level>()",
      "type #0 None undefined",
      "type #1 Int number",
      "type #2 Float number(float)",
      "step main.js:4",
      "variable x",
      "value x=None",
      "variable a",
      "variable b",
      "function add main.js:1",
      "step main.js:1",
      "call add(a=1, b=2.5)",
      "step main.js:2",
      "value a=1",
      "value b=2.5",
      "return 3.5",
      "step main.js:5",
      "value x=3.5",
      'event Write "3.5\\n"',
      "return None",
    ]);
  });

  it("renders struct values with field names from their type (rust-wasm-struct)", () => {
    const lines = renderTrace(parseTraceJson(fixtureText("rust-wasm-struct/trace.json")));
    expect(lines[8]).toBe("value test=struct TestStruct{a: 0}");
    expect(lines[16]).toBe("call test_struct(a=123)");
    expect(lines[19]).toBe("return struct TestStruct{a: 123}");
    expect(lines[38]).toBe("step rt.rs:114");
  });

  it("renders the other value kinds", () => {
    const state = createRenderState();
    expect(
      formatValue(
        {
          kind: "Sequence",
          elements: [
            { kind: "Int", i: 1, type_id: 0 },
            { kind: "Bool", b: true, type_id: 0 },
          ],
          is_slice: false,
          type_id: 0,
        },
        state,
      ),
    ).toBe("[1, true]");
    expect(
      formatValue({
        kind: "Tuple",
        elements: [{ kind: "String", text: "a", type_id: 0 }],
        type_id: 0,
      }),
    ).toBe('("a")');
    expect(formatValue({ kind: "Float", f: NaN, type_id: 0 })).toBe("NaN");
    expect(formatValue({ kind: "BigInt", b: "AQAAAAAAAAAA", negative: true, type_id: 0 })).toBe("-18446744073709551616");
    expect(
      formatValue({
        kind: "Variant",
        discriminator: "Some",
        contents: { kind: "Int", i: 2, type_id: 0 },
        type_id: 0,
      }),
    ).toBe("Some(2)");
    expect(
      formatValue({
        kind: "Reference",
        dereferenced: { kind: "Raw", r: "obj", type_id: 0 },
        address: 1,
        mutable: true,
        type_id: 0,
      }),
    ).toBe("&mut obj");
    expect(formatValue({ kind: "Error", msg: "<cycle>", type_id: 0 })).toBe("<error: <cycle>>");
    expect(formatValue({ kind: "Cell", place: 3 })).toBe("<cell 3>");
    const events: TraceLowLevelEvent[] = ["DropLastStep", { ThreadStart: 1 }, { Asm: ["nop", "ret"] }, { VariableName: "v" }, { DropVariables: [0] }];
    const s = createRenderState();
    expect(events.map((e) => formatEvent(e, s))).toEqual(["drop-last-step", "thread-start 1", "asm nop; ret", "variable v", "drop-variables v"]);
  });
});
