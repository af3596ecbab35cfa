import { describe, expect, it } from "vitest";
import { compileGlob, globProblem, normaliseFilePattern, parseSelector, SelectorError } from "../src/selector.js";

const ROOT = ["/proj"];

describe("parseSelector: grammar", () => {
  it("defaults to glob with two parts", () => {
    const s = parseSelector("pkg:my_app.*", "scope", ROOT);
    expect([s.kind, s.matchType, s.pattern]).toEqual(["pkg", "glob", "my_app.*"]);
  });

  it("splits at most three ways, so colons survive in an explicit pattern", () => {
    const s = parseSelector("obj:regex:^a::b$", "scope", ROOT);
    expect([s.kind, s.matchType, s.pattern]).toEqual(["obj", "regex", "^a::b$"]);
    expect(s.matches("a::b")).toBe(true);
    expect(s.matches("a:b")).toBe(false);
    const lit = parseSelector("obj:literal:a:b:c", "scope", ROOT);
    expect(lit.pattern).toBe("a:b:c");
  });

  it("keeps the raw string", () => {
    expect(parseSelector("local:literal:x", "value", ROOT).raw).toBe("local:literal:x");
  });

  const ERRORS: [string, "scope" | "value", string][] = [
    ["", "scope", "selector is empty"],
    ["pkg", "scope", "missing ':' (expected kind:[match_type:]pattern) in selector 'pkg'"],
    [":x", "scope", "empty selector kind in selector ':x'"],
    ["module:x", "scope", "unsupported selector kind 'module' in selector 'module:x'"],
    ["pkg:foo:bar", "scope", "unsupported match type 'foo' in selector 'pkg:foo:bar'"],
    ["pkg:foo:bar", "value", "unsupported match type 'foo' in selector 'pkg:foo:bar'"],
    ["pkg::x", "scope", "empty match type in selector 'pkg::x'"],
    ["pkg:", "scope", "empty pattern in selector 'pkg:'"],
    ["pkg:regex:", "scope", "empty pattern in selector 'pkg:regex:'"],
    ["local:x", "scope", "selector kind 'local' is not allowed in scope.rules (use pkg, file or obj) in selector 'local:x'"],
    ["file:x", "value", "selector kind 'file' is not allowed in value_patterns (use local, global, arg, ret or attr) in selector 'file:x'"],
    ["pkg:regex:(", "scope", "invalid regex pattern '(': unclosed group near '(' in selector 'pkg:regex:('"],
    ["pkg:glob:[a", "scope", "invalid glob pattern '[a': unclosed character class; missing ']' in selector 'pkg:glob:[a'"],
  ];
  for (const [raw, where, message] of ERRORS) {
    it(`rejects ${JSON.stringify(raw)} in ${where} rules`, () => {
      expect(() => parseSelector(raw, where, ROOT)).toThrow(SelectorError);
      expect(() => parseSelector(raw, where, ROOT)).toThrow(message);
    });
  }

  it("accepts every scope kind in scope rules and every value kind in value patterns", () => {
    for (const k of ["pkg", "file", "obj"]) expect(parseSelector(`${k}:x`, "scope", ROOT).kind).toBe(k);
    for (const k of ["local", "global", "arg", "ret", "attr"]) expect(parseSelector(`${k}:x`, "value", ROOT).kind).toBe(k);
  });
});

describe("matchers", () => {
  const m = (sel: string, s: string) =>
    parseSelector(sel, sel.startsWith("file") || sel.startsWith("pkg") || sel.startsWith("obj") ? "scope" : "value", ROOT).matches(s);

  it("glob: * and ? stay within a part, ** crosses, whole string, dots ordinary", () => {
    expect(m("pkg:my_app.*", "my_app.a.b.c")).toBe(true);
    expect(m("pkg:my_app.*", "my_app")).toBe(false);
    expect(m("pkg:*", "lodash")).toBe(true);
    expect(m("pkg:*", "@babel/core")).toBe(false);
    expect(m("pkg:@babel/*", "@babel/core")).toBe(true);
    expect(m("file:src/*.ts", "src/a.ts")).toBe(true);
    expect(m("file:src/*.ts", "src/x/a.ts")).toBe(false);
    expect(m("file:src/**/*.ts", "src/x/y/a.ts")).toBe(true);
    expect(m("file:**/node_modules/**", "node_modules/x/i.js")).toBe(true);
    expect(m("file:**/node_modules/**", "a/b/node_modules/x/i.js")).toBe(true);
    expect(m("file:**/node_modules/**", "a/node_modulesx/i.js")).toBe(false);
    expect(m("file:a?c", "abc")).toBe(true);
    expect(m("file:a?c", "a/c")).toBe(false);
    expect(m("file:**", ".hidden/.x.js")).toBe(true);
    expect(m("local:user_*", "user_id")).toBe(true);
    expect(m("local:user_*", "order_id")).toBe(false);
    expect(m("local:user", "user_id")).toBe(false);
  });

  it("glob: classes, negated classes, alternatives, escapes; no negation or extglobs", () => {
    expect(m("local:[ab]x", "bx")).toBe(true);
    expect(m("local:[!a]x", "bx")).toBe(true);
    expect(m("local:[!a]x", "ax")).toBe(false);
    expect(m("local:{foo,bar}", "bar")).toBe(true);
    expect(m("local:{foo,bar}", "baz")).toBe(false);
    expect(m("local:a\\*", "a*")).toBe(true);
    expect(m("local:a\\*", "ab")).toBe(false);
    expect(m("local:!x", "!x")).toBe(true);
    expect(m("local:!x", "y")).toBe(false);
    expect(m("local:@(a|b)", "a")).toBe(false);
  });

  it("regex: unanchored search (Rust is_match)", () => {
    expect(m("local:regex:token", "my_token_x")).toBe(true);
    expect(m("local:regex:^token$", "my_token_x")).toBe(false);
    expect(m("local:regex:(?i)^TOKEN$", "token")).toBe(true);
  });

  it("literal: exact and case-sensitive", () => {
    expect(m("file:literal:src/services/api.py", "src/services/api.py")).toBe(true);
    expect(m("file:literal:src/services/api.py", "src/services/API.py")).toBe(false);
    expect(m("obj:literal:a.b", "a.b")).toBe(true);
    expect(m("obj:literal:a.b", "axb")).toBe(false);
    expect(m("local:literal:*", "*")).toBe(true);
    expect(m("local:literal:*", "x")).toBe(false);
  });
});

describe("globProblem / compileGlob", () => {
  const BAD: [string, string][] = [
    ["[a", "unclosed character class; missing ']'"],
    ["[z-a]", "invalid range 'z-a'"],
    ["{a,b", "unclosed alternate group; missing '}'"],
    ["a,b}", "unopened alternate group; missing '{'"],
    ["{a,{b,c}}", "nested alternate groups are not allowed"],
    ["a\\", "dangling '\\'"],
  ];
  for (const [glob, problem] of BAD) {
    it(`rejects ${JSON.stringify(glob)}`, () => {
      expect(globProblem(glob)).toBe(problem);
      expect(() => compileGlob(glob)).toThrow(`invalid glob pattern '${glob}': ${problem}`);
    });
  }
  it("accepts well-formed globs", () => {
    for (const g of ["*", "**", "a/**/b", "[]a]", "[!]]", "[a-]", "{a,b}", "\\{", "[{]"]) {
      expect(globProblem(g), g).toBeUndefined();
    }
  });
});

describe("file: pattern normalisation", () => {
  it("makes absolute globs and literals relative to the filter's root", () => {
    expect(normaliseFilePattern("/proj/src/**", ["/proj"])).toBe("src/**");
    expect(parseSelector("file:/proj/src/*.ts", "scope", ROOT).pattern).toBe("src/*.ts");
    expect(parseSelector("file:literal:/proj/src/a.ts", "scope", ROOT).pattern).toBe("src/a.ts");
  });

  it("accepts any of the root's aliases (e.g. before and after symlinks)", () => {
    expect(normaliseFilePattern("/real/proj/a.ts", ["/proj", "/real/proj"])).toBe("a.ts");
  });

  it("drops '.', empty parts and resolves '..' inside the pattern", () => {
    expect(normaliseFilePattern("./src//./a/../b.ts", ["/proj"])).toBe("src/b.ts");
    expect(normaliseFilePattern("src/", ["/proj"])).toBe("src");
  });

  it("drops the leading '/' for an empty (builtin) root", () => {
    expect(normaliseFilePattern("/usr/lib/x.js", [""])).toBe("usr/lib/x.js");
  });

  it("rejects patterns outside or above the root, or naming the root", () => {
    expect(() => parseSelector("file:/other/a.ts", "scope", ROOT)).toThrow(
      "file pattern '/other/a.ts' lies outside the project root '/proj' in selector 'file:/other/a.ts'",
    );
    expect(() => parseSelector("file:/pro/a.ts", "scope", ROOT)).toThrow("lies outside the project root");
    expect(() => parseSelector("file:../a.ts", "scope", ROOT)).toThrow("file pattern '../a.ts' escapes the project root in selector 'file:../a.ts'");
    expect(() => parseSelector("file:literal:a/../../b", "scope", ROOT)).toThrow("escapes the project root");
    expect(() => parseSelector("file:/proj/src/../..", "scope", ROOT)).toThrow("escapes the project root");
    expect(() => parseSelector("file:./", "scope", ROOT)).toThrow("names the project root itself");
  });

  it("leaves regex patterns as written (a regex is not a path)", () => {
    for (const p of ["^/proj/src/", "a//b", "\\./x", ".*[\\\\/]lib[\\\\/].*", "..", "^\\.\\./"]) {
      expect(parseSelector(`file:regex:${p}`, "scope", ROOT).pattern).toBe(p);
    }
  });
});
