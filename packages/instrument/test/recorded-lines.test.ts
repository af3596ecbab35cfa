/**
 * `recordedLines`: only the code that comes from these lines of the original file is recorded
 * (what the bundler plugin gives for a compiled Vue or Svelte component: its `<script>` blocks).
 * A statement needs a mapping on its own line into a range; a function is recorded when it
 * starts in one or one of its own statements is recorded. Real components are recorded by
 * test/e2e/sfc.test.ts.
 */
import { describe, expect, it } from "vitest";
import { instrument } from "../src/instrument.js";
import { tableOf } from "./helpers.js";

/** Base64 VLQ of one source map field. */
function vlq(value: number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += chars[digit];
  } while (v > 0);
  return out;
}

/** A source map (v3) from `segments`: per generated line (1-based), `[generatedColumn, originalLine, originalColumn]` triples. */
function sourceMap(lineCount: number, segments: Record<number, [number, number, number][]>): object {
  let prevOrigLine = 0;
  let prevOrigCol = 0;
  const lines: string[] = [];
  for (let line = 1; line <= lineCount; line++) {
    let prevCol = 0;
    lines.push(
      (segments[line] ?? [])
        .map(([col, origLine, origCol]) => {
          const s = vlq(col - prevCol) + vlq(0) + vlq(origLine - 1 - prevOrigLine) + vlq(origCol - prevOrigCol);
          prevCol = col;
          prevOrigLine = origLine - 1;
          prevOrigCol = origCol;
          return s;
        })
        .join(","),
    );
  }
  return { version: 3, sources: ["/virtual/Counter.svelte"], names: [], mappings: lines.join(";") };
}

// The component as written (lines 1-7 are the script block):
//   1 <script>
//   2   let count = 0;
//   3   function bump(by) {
//   4     count += by;
//   5     return count;
//   6   }
//   7 </script>
//   8 <button onclick={() => bump(1)}>{count}</button>
const compiled = [
  "export default function Counter() {", //   1  (unmapped: the compiler's wrapper)
  "  $.push();", //                           2  (unmapped)
  "  let count = 0;", //                      3  -> 2
  "  function bump(by) {", //                 4  -> 3
  "    count += by;", //                      5  -> 4
  "    return count;", //                     6  -> 5
  "  }", //                                   7  -> 6
  '  const button = $.el("button");', //      8  -> 8 (the markup)
  "  $.on(button, () => bump(1));", //        9  -> 8
  "  return $.pop();", //                     10 (unmapped)
  "}", //                                     11
].join("\n");
const map = sourceMap(11, {
  3: [[2, 2, 2]],
  4: [[2, 3, 2]],
  5: [[4, 4, 4]],
  6: [[4, 5, 4]],
  7: [[2, 6, 2]],
  8: [[2, 8, 0]],
  9: [
    [2, 8, 0],
    [16, 8, 17],
    [22, 8, 23],
  ],
});

const options = { filename: "/virtual/Counter.svelte", format: "module" as const, compile: false, inlineSourceMap: false };

describe("recordedLines", () => {
  it("records the script block's statements and functions at their lines, and nothing of the markup or the unmapped code", () => {
    const table = tableOf(instrument(compiled, { ...options, inputSourceMap: map, recordedLines: [[1, 7]] }).code);
    // The wrapper is a frame (its own statements are the script's), at its nearest mapped line
    // (none above: its own); bump at its line; the markup's arrow function is not in the table.
    expect(table.fns.map((f) => [f[0], f[1]])).toEqual([
      ["<module>", 1],
      ["Counter", 1],
      ["Counter.bump", 3],
    ]);
    expect(table.sites.map((s) => s[0])).toEqual([2, 4, 5]);
  });

  it("without it the same code is recorded whole: the unmapped statements at the nearest mapped line above (or their own), the markup's too", () => {
    const table = tableOf(instrument(compiled, { ...options, inputSourceMap: map }).code);
    expect(table.fns.map((f) => f[0])).toEqual(["<module>", "Counter", "Counter.bump", "Counter.<anonymous>"]);
    expect(table.sites.map((s) => s[0]).sort((a, b) => a - b)).toEqual([2, 2, 4, 5, 8, 8, 8, 8]);
  });

  it("without a source map, takes the code's own lines", () => {
    const code = "let a = 1;\nfunction f() {\n  return a;\n}\nlet b = f();\nfunction g() {\n  return b;\n}\n";
    const table = tableOf(instrument(code, { ...options, filename: "/virtual/x.js", recordedLines: [[1, 4]] }).code);
    expect(table.fns.map((f) => f[0])).toEqual(["<module>", "f"]);
    expect(table.sites.map((s) => s[0])).toEqual([1, 3]);
  });
});
