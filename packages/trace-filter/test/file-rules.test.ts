/**
 * fileRulesFilter: `file:` glob rules given as objects (what --include / --exclude become) give
 * the same chain decisions as the same rules written as a TOML filter, and a bad glob is a coded
 * error naming the rule.
 */
import { describe, expect, it } from "vitest";
import { builtinDefaultFilter, FilterChain, fileRulesFilter, parseTraceFilter, TraceFilterError, type FileGlobRule } from "../src/index.js";

const RULES: FileGlobRule[] = [
  { glob: "home/u/app/src/**", exec: "trace" },
  { glob: "**/node_modules/marked/**", exec: "trace" },
  { glob: "home/u/app/src/generated/**", exec: "skip" },
];

function asToml(rules: readonly FileGlobRule[]): string {
  const body = rules.map((r) => `[[scope.rules]]\nselector = ${JSON.stringify(`file:glob:${r.glob}`)}\nexec = "${r.exec}"\n`);
  return `[meta]\nname = "include-exclude"\nversion = 1\n\n[scope]\ndefault_exec = "inherit"\ndefault_value_action = "inherit"\n\n${body.join("\n")}`;
}

describe("fileRulesFilter", () => {
  const built = fileRulesFilter({ name: "include-exclude", path: "<inline:include-exclude>", description: "--include and --exclude" }, RULES);
  const parsed = parseTraceFilter(asToml(RULES), { path: "<inline:include-exclude>", root: "" });

  it("has the shape of a parsed filter: inherit defaults, rules in order, no root", () => {
    expect(built.root).toBe("");
    expect(built.scope).toEqual({ defaultExec: "inherit", defaultValueAction: "inherit" });
    expect(built.rules.map((r) => [r.entry, r.selector.raw, r.exec])).toEqual(parsed.rules.map((r) => [r.entry, r.selector.raw, r.exec]));
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fileRulesFilter({ name: "x", path: "<inline:x>" }, [...RULES].reverse()).sha256).not.toBe(built.sha256);
  });

  it("decides as the same rules written in TOML", () => {
    const a = new FilterChain([builtinDefaultFilter(), built]);
    const b = new FilterChain([builtinDefaultFilter(), parsed]);
    for (const file of [
      "/home/u/app/src/main.js",
      "/home/u/app/src/generated/gen.js",
      "/home/u/app/node_modules/marked/lib/marked.esm.js",
      "/home/u/app/node_modules/other/index.js",
      "/elsewhere/x.js",
    ]) {
      expect(a.classify({ file }).exec, file).toBe(b.classify({ file }).exec);
    }
    expect(a.classify({ file: "/home/u/app/src/generated/gen.js" }).exec).toBe("skip");
    expect(a.classify({ file: "/home/u/app/node_modules/marked/lib/marked.esm.js" }).exec).toBe("trace");
  });

  it("a malformed glob is ERR_INVALID_POLICY_VALUE naming the filter and the rule", () => {
    let error: unknown;
    try {
      fileRulesFilter({ name: "include-exclude", path: "<inline:include-exclude>" }, [
        { glob: "src/**", exec: "trace" },
        { glob: "src/[z-a]", exec: "skip" },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceFilterError);
    expect((error as TraceFilterError).code).toBe("ERR_INVALID_POLICY_VALUE");
    expect((error as Error).message).toContain("<inline:include-exclude>");
    expect((error as Error).message).toContain("scope.rules[1]");
  });
});
