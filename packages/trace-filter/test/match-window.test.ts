// How often the matchers check the intrinsics (src/match.ts): once per decision window
// (classify, valueAction, skipsWholeFile), however many glob or regex rules run in it; at each
// match outside one. The check costs tens of microseconds (test/intrinsics.test.ts), a match
// of re2js well under one.
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as intrinsics from "../src/intrinsics.js";
import { FilterChain } from "../src/chain.js";
import { parseTraceFilter } from "../src/parse.js";
import { compileGlob } from "../src/selector.js";

vi.mock("../src/intrinsics.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/intrinsics.js")>();
  return { ...original, intrinsicsIntact: vi.fn(original.intrinsicsIntact) };
});
const checks = vi.mocked(intrinsics.intrinsicsIntact);

const RULES = Array.from(
  { length: 30 },
  (_, i) => `
[[scope.rules]]
selector = "file:glob:src/part${i}/**/*.ts"
exec = "skip"
`,
).join("");
const PATTERNS = Array.from(
  { length: 5 },
  (_, i) => `
[[scope.rules.value_patterns]]
selector = "local:regex:^secret${i}_[a-z]+$"
action = "redact"
`,
).join("");
const TEXT = `
[meta]
name = "many"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"
${RULES}
[[scope.rules]]
selector = "file:glob:**"
${PATTERNS}
`;

describe("the intrinsics check of the matchers", () => {
  beforeEach(() => checks.mockClear());

  it("runs once for a first classification that runs 31 glob rules", () => {
    const chain = new FilterChain([parseTraceFilter(TEXT, { path: "/p/f.toml", root: "/p" })]);
    const decision = chain.classify({ file: "/p/src/app.ts", obj: "main" });
    expect(decision.exec).toBe("trace");
    expect(checks).toHaveBeenCalledTimes(1);
    chain.classify({ file: "/p/src/app.ts", obj: "other" });
    expect(checks).toHaveBeenCalledTimes(1); // file rules matched once per file
    expect(chain.classify({ file: "/p/src/part7/a/b.ts", obj: "main" }).exec).toBe("skip");
    expect(checks).toHaveBeenCalledTimes(2);
    expect(chain.skipsWholeFile("/p/src/part9/c.ts")).toBe(true);
    expect(checks).toHaveBeenCalledTimes(3);
  });

  it("runs once for a value decision that tries 5 regex patterns, and not for a cached one", () => {
    const chain = new FilterChain([parseTraceFilter(TEXT, { path: "/p/f.toml", root: "/p" })]);
    const decision = chain.classify({ file: "/p/src/app.ts", obj: "main" });
    checks.mockClear();
    expect(decision.valueAction("local", "plain")).toBe("allow");
    expect(decision.valueAction("local", "secret4_abc")).toBe("redact");
    expect(checks).toHaveBeenCalledTimes(2);
    expect(decision.valueAction("local", "plain")).toBe("allow");
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it("runs at each match of a selector used on its own", () => {
    const matches = compileGlob("src/**/*.ts");
    expect(matches("src/a/b.ts")).toBe(true);
    expect(matches("lib/b.ts")).toBe(false);
    expect(checks).toHaveBeenCalledTimes(2);
  });
});
