import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FilterChain, MODULE_OBJ } from "../src/chain.js";
import { TraceFilterError } from "../src/errors.js";
import { builtinDefaultFilter } from "../src/node/load.js";
import { clearPackageNameCache } from "../src/node/package-name.js";
import { parseTraceFilter } from "../src/parse.js";
import type { Selector, TraceFilter } from "../src/types.js";
import { expectFilterError, tempDir, toml, write } from "./helpers.js";

const at = (text: string, file: string): TraceFilter => parseTraceFilter(text, { path: file });
const rule = (selector: string, extra = ""): string => `\n[[scope.rules]]\nselector = "${selector}"\n${extra}\n`;
const pattern = (selector: string, action: string): string => `\n[[scope.rules.value_patterns]]\nselector = '${selector}'\naction = "${action}"\n`;

describe("FilterChain: composing defaults", () => {
  it("takes each default from the last filter that sets it", () => {
    const chain = new FilterChain([
      at(toml("", { exec: "trace", value: "allow" }), "/a/f.toml"),
      at(toml("", { exec: "skip", value: "inherit" }), "/b/f.toml"),
      at(toml("", { exec: "inherit", value: "redact" }), "/c/f.toml"),
    ]);
    expect([chain.defaultExec, chain.defaultValueAction]).toEqual(["skip", "redact"]);
    const d = chain.classify({ file: "/x/y.js" });
    expect([d.exec, d.valueDefault, d.matchedRule]).toEqual(["skip", "redact", undefined]);
  });

  it("rejects inherit with no earlier filter that set the value", () => {
    expectFilterError(
      () => new FilterChain([at(toml("", { exec: "inherit" }), "/a/f.toml")]),
      "ERR_INVALID_POLICY_VALUE",
      `/a/f.toml: scope: 'default_exec = "inherit"' needs an earlier filter in the chain that sets it`,
      { file: "/a/f.toml", entry: "scope", key: "default_exec" },
    );
    expectFilterError(
      () => new FilterChain([at(toml("", { value: "inherit" }), "/b/f.toml")]),
      "ERR_INVALID_POLICY_VALUE",
      `/b/f.toml: scope: 'default_value_action = "inherit"' needs an earlier filter in the chain that sets it`,
    );
  });

  it("accepts the real-world builtin + inherit combination", () => {
    const chain = new FilterChain([builtinDefaultFilter(), at(toml("", { exec: "skip", value: "inherit" }), "/p/f.toml")]);
    expect([chain.defaultExec, chain.defaultValueAction]).toEqual(["skip", "allow"]);
  });

  it("rejects an empty chain", () => {
    expect(() => new FilterChain([])).toThrow(TraceFilterError);
    expect(() => new FilterChain([])).toThrow(/chain is empty/);
  });

  it("exposes the [io] table of the last filter that has one", () => {
    const chain = new FilterChain([
      at(`[io]\ncapture = true\nstreams = ["stdout"]\n${toml()}`, "/a/f.toml"),
      at(`[io]\ncapture = true\nstreams = ["stderr"]\n${toml()}`, "/b/f.toml"),
      at(toml(), "/c/f.toml"),
    ]);
    expect(chain.io).toEqual({ capture: true, streams: ["stderr"] });
  });
});

describe("FilterChain: scope precedence", () => {
  it("the last matching rule wins, across files in chain order", () => {
    const a = at(toml(rule("file:src/**", 'exec = "skip"')), "/p/.codetracer/trace-filter.toml");
    const b = at(toml(rule("file:src/keep.ts", 'exec = "trace"')), "/p/extra.toml");
    const ab = new FilterChain([a, b]);
    expect(ab.classify({ file: "/p/src/x.ts" }).exec).toBe("skip");
    expect(ab.classify({ file: "/p/src/keep.ts" }).exec).toBe("trace");
    expect(ab.classify({ file: "/p/src/keep.ts" }).matchedRule).toEqual({ source: "/p/extra.toml", index: 0 });
    const ba = new FilterChain([b, a]);
    expect(ba.classify({ file: "/p/src/keep.ts" }).exec).toBe("skip");
  });

  it("has no specificity order: a later pkg rule beats an earlier obj rule", () => {
    const f = at(toml(rule("obj:UserService.*", 'exec = "trace"') + rule("pkg:my-app", 'exec = "skip"'), { exec: "trace" }), "/p/f.toml");
    const chain = new FilterChain([f]);
    expect(chain.classify({ file: "/p/a.ts", obj: "UserService.login", pkg: "my-app" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/a.ts", obj: "UserService.login", pkg: "other" }).exec).toBe("trace");
  });

  it("walks all rules: exec and value_default are overwritten independently", () => {
    const f = at(
      toml(rule("file:**", 'value_default = "redact"') + rule("obj:login", 'exec = "skip"') + rule("obj:log*", 'exec = "trace"\nreason = "log functions"'), {
        exec: "trace",
      }),
      "/p/f.toml",
    );
    const chain = new FilterChain([f]);
    const d = chain.classify({ file: "/p/a.ts", obj: "login" });
    expect([d.exec, d.valueDefault]).toEqual(["trace", "redact"]);
    expect(d.matchedRule).toEqual({ source: "/p/f.toml", index: 2, reason: "log functions" });
    expect(d.matchedRules.map((r) => r.index)).toEqual([0, 1, 2]);
    const e = chain.classify({ file: "/p/a.ts", obj: "login2" });
    expect([e.exec, e.valueDefault]).toEqual(["trace", "redact"]);
    expect(chain.classify({ file: "/p/a.ts", obj: "other" }).matchedRule?.index).toBe(0);
  });

  it("a rule with exec = inherit changes nothing", () => {
    const f = at(toml(rule("file:**", 'exec = "skip"') + rule("file:**", 'exec = "inherit"')), "/p/f.toml");
    expect(new FilterChain([f]).classify({ file: "/p/a.ts" }).exec).toBe("skip");
  });

  it("uses <module> as the obj of top-level code", () => {
    const f = at(toml(rule("obj:literal:<module>", 'exec = "skip"')), "/p/f.toml");
    const chain = new FilterChain([f]);
    expect(MODULE_OBJ).toBe("<module>");
    expect(chain.classify({ file: "/p/a.ts" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/a.ts", obj: "<module>" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/a.ts", obj: "main" }).exec).toBe("trace");
  });

  it("pkg rules never match when the package is unknown", () => {
    const f = at(toml(rule("pkg:**", 'exec = "skip"')), "/p/f.toml");
    const chain = new FilterChain([f], { packageNameOf: () => undefined });
    expect(chain.classify({ file: "/p/a.ts" }).exec).toBe("trace");
  });
});

describe("FilterChain: the file: candidate", () => {
  it("uses the shortest path relative to any root, for all rules (docs/trace-filters.md)", () => {
    const outer = at(toml(rule("file:sub/x.ts", 'exec = "skip"')), "/p/.codetracer/trace-filter.toml");
    const inner = at(toml(), "/p/sub/.codetracer/more.toml");
    const chain = new FilterChain([builtinDefaultFilter(), outer, inner]);
    expect(chain.fileCandidate("/p/sub/x.ts")).toBe("x.ts");
    // The outer filter's rule is written relative to /p but is matched against "x.ts".
    expect(chain.classify({ file: "/p/sub/x.ts" }).exec).toBe("trace");
    expect(chain.fileCandidate("/p/a.ts")).toBe("a.ts");
  });

  it("strips the leading / for the builtin's empty root, else falls back to the absolute path", () => {
    const withBuiltin = new FilterChain([builtinDefaultFilter()]);
    expect(withBuiltin.fileCandidate("/usr/lib/x.js")).toBe("usr/lib/x.js");
    const noBuiltin = new FilterChain([at(toml(), "/p/f.toml")]);
    expect(noBuiltin.fileCandidate("/usr/lib/x.js")).toBe("/usr/lib/x.js");
    expect(noBuiltin.fileCandidate("/p/lib/x.js")).toBe("lib/x.js");
    expect(noBuiltin.fileCandidate("/pp/x.js")).toBe("/pp/x.js");
  });

  it("accepts file: URLs", () => {
    const chain = new FilterChain([at(toml(), "/p/f.toml")]);
    expect(chain.fileCandidate("file:///p/src/a%20b.ts")).toBe("src/a b.ts");
  });

  it("matches a root through its real path when the root is a symlink", () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "real"));
    fs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
    const f = at(toml(rule("file:src/*.ts", 'exec = "skip"')), path.join(dir, "link", "f.toml"));
    const chain = new FilterChain([f]);
    expect(chain.classify({ file: path.join(dir, "real", "src", "a.ts") }).exec).toBe("skip");
    expect(chain.classify({ file: path.join(dir, "link", "src", "a.ts") }).exec).toBe("skip");
  });
});

describe("FilterChain: value decisions", () => {
  it("the first matching pattern of the same kind wins, else the value default", () => {
    const f = at(
      toml(
        rule("file:**", 'value_default = "redact"') +
          pattern("local:user_*", "allow") +
          pattern("local:user_secret", "drop") +
          pattern("arg:user_secret", "drop"),
      ),
      "/p/f.toml",
    );
    const d = new FilterChain([f]).classify({ file: "/p/a.ts" });
    expect(d.valueAction("local", "user_secret")).toBe("allow");
    expect(d.valueAction("arg", "user_secret")).toBe("drop");
    expect(d.valueAction("arg", "user_id")).toBe("redact");
    expect(d.valueAction("global", "user_id")).toBe("redact");
    expect(d.valueAction("local", "other")).toBe("redact");
  });

  it("merges value patterns: a later rule's patterns come first, earlier ones survive", () => {
    const f = at(
      toml(rule("file:**") + pattern("local:a*", "redact") + pattern("local:b*", "drop") + rule("obj:main") + pattern("local:ab", "allow")),
      "/p/f.toml",
    );
    const chain = new FilterChain([f]);
    const main = chain.classify({ file: "/p/a.ts", obj: "main" });
    expect(main.valueAction("local", "ab")).toBe("allow");
    expect(main.valueAction("local", "ax")).toBe("redact");
    expect(main.valueAction("local", "bx")).toBe("drop");
    const other = chain.classify({ file: "/p/a.ts", obj: "other" });
    expect(other.valueAction("local", "ab")).toBe("redact");
  });

  it("keeps the builtin secret patterns under a later exec-only rule (unlike Python)", () => {
    const user = at(toml(rule("file:**", 'exec = "trace"') + rule("obj:*", 'value_default = "allow"')), "/p/.codetracer/trace-filter.toml");
    const d = new FilterChain([builtinDefaultFilter(), user]).classify({ file: "/p/src/a.ts", obj: "login" });
    expect(d.exec).toBe("trace");
    expect(d.valueAction("arg", "password")).toBe("redact");
    expect(d.valueAction("local", "apiKey")).toBe("redact");
    expect(d.valueAction("local", "username")).toBe("allow");
    // And a user pattern placed in a later rule can let one name through.
    const allowing = at(toml(rule("file:**") + pattern("local:literal:sessionToken", "allow")), "/p/f.toml");
    const e = new FilterChain([builtinDefaultFilter(), allowing]).classify({ file: "/p/a.ts" });
    expect(e.valueAction("local", "sessionToken")).toBe("allow");
    expect(e.valueAction("arg", "sessionToken")).toBe("redact");
  });

  it("drop pruning: a later source's drop default discards earlier sources' patterns", () => {
    const user = at(toml(rule("file:**") + pattern("local:keep_*", "allow"), { value: "drop" }), "/p/f.toml");
    const d = new FilterChain([builtinDefaultFilter(), user]).classify({ file: "/p/a.ts" });
    expect(d.valueDefault).toBe("drop");
    expect(d.valueAction("local", "password")).toBe("drop");
    expect(d.valueAction("arg", "x")).toBe("drop");
    expect(d.valueAction("ret", "login")).toBe("drop");
    // The drop source's own patterns are kept.
    expect(d.valueAction("local", "keep_me")).toBe("allow");
  });

  it("drop pruning also follows a rule's value_default = drop, by the rule's source", () => {
    const user = at(toml(rule("obj:secretive", 'value_default = "drop"')), "/p/f.toml");
    const chain = new FilterChain([builtinDefaultFilter(), user]);
    expect(chain.classify({ file: "/p/a.ts", obj: "secretive" }).valueAction("local", "token")).toBe("drop");
    expect(chain.classify({ file: "/p/a.ts", obj: "open" }).valueAction("local", "token")).toBe("redact");
  });

  it("no pruning when drop is set by the earliest source, or is overridden later", () => {
    const first = at(toml(rule("file:**") + pattern("local:x", "allow"), { value: "drop" }), "/a/f.toml");
    expect(new FilterChain([first]).classify({ file: "/a/q.ts" }).valueAction("local", "x")).toBe("allow");
    const later = at(toml(rule("file:**", 'value_default = "allow"'), { value: "drop" }), "/p/f.toml");
    const d = new FilterChain([builtinDefaultFilter(), later]).classify({ file: "/p/a.ts" });
    expect(d.valueDefault).toBe("allow");
    expect(d.valueAction("local", "password")).toBe("redact");
  });

  it("ret patterns are matched against the name the recorder passes (the obj name, <return>, <yield>)", () => {
    const f = at(toml(rule("file:**") + pattern("ret:literal:app.sec.sensitive", "redact") + pattern("ret:literal:<yield>", "drop")), "/p/f.toml");
    const d = new FilterChain([f]).classify({ file: "/p/a.ts", obj: "app.sec.sensitive" });
    expect(d.valueAction("ret", "app.sec.sensitive")).toBe("redact");
    expect(d.valueAction("ret", "<yield>")).toBe("drop");
    expect(d.valueAction("ret", "<return>")).toBe("allow");
  });

  it("reports a uniform action per kind when no pattern of that kind is active", () => {
    const f = at(toml(rule("file:**", 'value_default = "redact"') + pattern("arg:x", "allow")), "/p/f.toml");
    const d = new FilterChain([f]).classify({ file: "/p/a.ts" });
    expect(d.uniformValueAction("local")).toBe("redact");
    expect(d.uniformValueAction("arg")).toBeUndefined();
    const b = new FilterChain([builtinDefaultFilter()]).classify({ file: "/p/a.ts" });
    expect(b.uniformValueAction("local")).toBeUndefined();
  });

  it("an unknown kind is redacted", () => {
    const d = new FilterChain([at(toml(), "/p/f.toml")]).classify({ file: "/p/a.ts" });
    expect(d.valueAction("bogus" as "local", "x")).toBe("redact");
  });
});

/** A filter whose only rule's selector counts calls and can be made to throw. */
function spyFilter(kind: "file" | "obj" | "pkg", behaviour: { throws?: boolean; matches?: boolean } = {}) {
  const calls: string[] = [];
  const base = at(toml(rule(`${kind}:**`, 'exec = "skip"') + pattern("local:x*", "drop")), "/p/f.toml");
  const r = base.rules[0]!;
  const p = r.valuePatterns[0]!;
  const valueCalls: string[] = [];
  const selector: Selector = {
    ...r.selector,
    matches: (c: string) => {
      calls.push(c);
      if (behaviour.throws === true) throw new Error("matcher exploded");
      return behaviour.matches ?? true;
    },
  };
  const vselector: Selector = {
    ...p.selector,
    matches: (c: string) => {
      valueCalls.push(c);
      return p.selector.matches(c);
    },
  };
  const filter: TraceFilter = { ...base, rules: [{ ...r, selector, valuePatterns: [{ ...p, selector: vselector }] }] };
  return { filter, calls, valueCalls };
}

describe("FilterChain: fail closed", () => {
  it("a throwing matcher gives trace with every value redacted", () => {
    const { filter } = spyFilter("obj", { throws: true });
    const d = new FilterChain([at(toml("", { value: "allow" }), "/a/f.toml"), filter]).classify({ file: "/p/a.ts", obj: "f" });
    expect(d.failedClosed).toBe(true);
    expect(d.exec).toBe("trace");
    expect(d.valueDefault).toBe("redact");
    for (const kind of ["local", "global", "arg", "ret", "attr"] as const) expect(d.valueAction(kind, "x")).toBe("redact");
    expect((d.error as Error).message).toBe("matcher exploded");
    expect(d.uniformValueAction("local")).toBe("redact");
  });

  it("an unreadable package.json (a folder named package.json) fails closed", () => {
    clearPackageNameCache();
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "lib", "package.json"), { recursive: true });
    const file = write(path.join(dir, "lib", "a.js"), "");
    const f = at(toml(rule("pkg:*", 'exec = "skip"')), path.join(dir, "f.toml"));
    const chain = new FilterChain([builtinDefaultFilter(), f]);
    const d = chain.classify({ file, obj: "main" });
    expect(d.failedClosed).toBe(true);
    expect(d.exec).toBe("trace");
    expect(d.valueAction("local", "harmless")).toBe("redact");
    expect((d.error as TraceFilterError).code).toBe("ERR_IO");
    expect(chain.skipsWholeFile(file)).toBe(false);
  });

  it("invalid JSON in package.json fails closed too; without pkg rules it is never read", () => {
    clearPackageNameCache();
    const dir = tempDir();
    write(path.join(dir, "package.json"), "{ not json");
    const file = write(path.join(dir, "a.js"), "");
    const withPkg = new FilterChain([at(toml(rule("pkg:x", 'exec = "skip"')), path.join(dir, "f.toml"))]);
    expect(withPkg.classify({ file }).failedClosed).toBe(true);
    const withoutPkg = new FilterChain([builtinDefaultFilter()]);
    expect(withoutPkg.classify({ file }).failedClosed).toBe(false);
  });

  it("a normal decision is not failed closed", () => {
    const d = new FilterChain([builtinDefaultFilter()]).classify({ file: "/p/a.ts" });
    expect(d.failedClosed).toBe(false);
    expect(d.error).toBeUndefined();
  });
});

describe("FilterChain: caching", () => {
  it("classifies each (file, obj) once; the cost no longer depends on the rules", () => {
    const { filter, calls } = spyFilter("obj", { matches: false });
    const chain = new FilterChain([filter]);
    const first = chain.classify({ file: "/p/a.ts", obj: "f" });
    expect(calls).toEqual(["f"]);
    for (let i = 0; i < 5; i++) expect(chain.classify({ file: "/p/a.ts", obj: "f" })).toBe(first);
    expect(calls).toEqual(["f"]);
    chain.classify({ file: "/p/a.ts", obj: "g" });
    expect(calls).toEqual(["f", "g"]);
  });

  it("shares one decision (and its value cache) between scopes matching the same rules", () => {
    const { filter, valueCalls } = spyFilter("file");
    const chain = new FilterChain([filter]);
    const a = chain.classify({ file: "/p/a.ts", obj: "f" });
    const b = chain.classify({ file: "/p/b.ts", obj: "g" });
    expect(b).toBe(a);
    expect(a.valueAction("local", "xy")).toBe("drop");
    expect(a.valueAction("local", "xy")).toBe("drop");
    expect(b.valueAction("local", "xy")).toBe("drop");
    expect(a.valueAction("local", "q")).toBe("allow");
    expect(valueCalls).toEqual(["xy", "q"]);
  });

  it("computes the package name lazily, once per file", () => {
    const seen: string[] = [];
    const pkgOf = (f: string) => {
      seen.push(f);
      return "my-app";
    };
    const noPkgRules = new FilterChain([at(toml(rule("obj:x", 'exec = "skip"')), "/p/f.toml")], { packageNameOf: pkgOf });
    noPkgRules.classify({ file: "/p/a.ts", obj: "f" });
    expect(seen).toEqual([]);
    const chain = new FilterChain([at(toml(rule("pkg:my-app", 'exec = "skip"')), "/p/f.toml")], { packageNameOf: pkgOf });
    expect(chain.classify({ file: "/p/a.ts", obj: "f" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/a.ts", obj: "g" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/a.ts", obj: "h", pkg: "other" }).exec).toBe("trace");
    expect(seen).toEqual(["/p/a.ts"]);
  });
});

describe("FilterChain.skipsWholeFile", () => {
  it("is true for node_modules files under the builtin, false for project files", () => {
    const chain = new FilterChain([builtinDefaultFilter()]);
    expect(chain.skipsWholeFile("/p/node_modules/lodash/index.js")).toBe(true);
    expect(chain.skipsWholeFile("/p/node_modules/@babel/core/lib/x.js")).toBe(true);
    expect(chain.skipsWholeFile("/p/src/index.js")).toBe(false);
  });

  it("is false when a later obj rule could re-enable a function", () => {
    const user = at(toml(rule("obj:lodash.*", 'exec = "trace"')), "/p/f.toml");
    const chain = new FilterChain([builtinDefaultFilter(), user]);
    expect(chain.skipsWholeFile("/p/node_modules/lodash/index.js")).toBe(false);
    expect(chain.classify({ file: "/p/node_modules/lodash/index.js", obj: "lodash.map" }).exec).toBe("trace");
    expect(chain.classify({ file: "/p/node_modules/lodash/index.js", obj: "other" }).exec).toBe("skip");
  });

  it("ignores obj trace rules that come before the deciding file/pkg rule", () => {
    const f = at(toml(rule("obj:*", 'exec = "trace"') + rule("file:gen/**", 'exec = "skip"')), "/p/f.toml");
    const chain = new FilterChain([f]);
    expect(chain.skipsWholeFile("/p/gen/a.js")).toBe(true);
    expect(chain.skipsWholeFile("/p/src/a.js")).toBe(false);
  });

  it("follows a skip default and a later file re-enable", () => {
    const f = at(toml(rule("file:src/**", 'exec = "trace"'), { exec: "skip" }), "/p/f.toml");
    const chain = new FilterChain([f]);
    expect(chain.skipsWholeFile("/p/lib/a.js")).toBe(true);
    expect(chain.skipsWholeFile("/p/src/a.js")).toBe(false);
  });

  it("uses pkg rules", () => {
    const f = at(toml(rule("pkg:@internal/*", 'exec = "skip"')), "/p/f.toml");
    const chain = new FilterChain([f], { packageNameOf: (file) => (file.includes("/int/") ? "@internal/x" : "app") });
    expect(chain.skipsWholeFile("/p/int/a.js")).toBe(true);
    expect(chain.skipsWholeFile("/p/app/a.js")).toBe(false);
  });

  it("is false when classification throws", () => {
    const { filter } = spyFilter("file", { throws: true });
    expect(new FilterChain([filter]).skipsWholeFile("/p/a.js")).toBe(false);
  });
});
