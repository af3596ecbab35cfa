import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { builtinDefaultFilter, loadTraceFilter } from "../src/node/load.js";
import { sha256Hex } from "../src/parse.js";
import { FIXTURES } from "./helpers.js";

const PY_BUILTIN = path.join(FIXTURES, "builtin_default.toml");
const CLICK = path.join(FIXTURES, "examples_click_test.toml");
const WEB = path.join(FIXTURES, "web_demo.toml");

describe("the real filter files of the Python recorder", () => {
  it("exist where the tests expect them", () => {
    for (const f of [PY_BUILTIN, CLICK, WEB]) expect(fs.statSync(f).isFile(), f).toBe(true);
  });

  it("parse unchanged: the Python builtin", () => {
    const f = loadTraceFilter(PY_BUILTIN);
    expect(f.name).toBe("builtin-default");
    expect(f.labels).toEqual(["builtin", "default"]);
    expect(f.root).toBe(path.dirname(PY_BUILTIN));
    expect(f.sha256).toBe(sha256Hex(fs.readFileSync(PY_BUILTIN, "utf8")));
    expect(f.rules.map((r) => [r.selector.kind, r.selector.matchType, r.exec])).toEqual([
      ["file", "regex", "skip"],
      ["file", "regex", "trace"],
      ["file", "regex", "skip"],
      ["pkg", "regex", "skip"],
      ["pkg", "literal", "skip"],
      ["pkg", "glob", "skip"],
      ["pkg", "glob", undefined],
    ]);
    // File regexes are kept as written.
    expect(f.rules[0]!.selector.pattern).toBe(".*[\\\\/](lib|Lib)[\\\\/]python\\d+\\.\\d+[\\/].*");
    expect(f.rules[0]!.selector.matches("usr/lib/python3.12/os.py")).toBe(true);
    expect(f.rules[1]!.selector.matches("usr/lib/python3.12/site-packages/flask/app.py")).toBe(true);
    expect(f.rules[3]!.selector.matches("asyncio.events")).toBe(true);
    expect(f.rules[3]!.selector.matches("asyncio_helpers")).toBe(false);
    const patterns = f.rules[6]!.valuePatterns;
    expect(patterns.map((p) => p.selector.kind)).toEqual(["local", "global", "arg", "ret", "attr"]);
    // Its (?i) substring regex: matches case-insensitively, and over-matches as documented.
    for (const n of ["PASSWORD", "api-key", "my_token_x", "company", "author"]) {
      expect(patterns[0]!.selector.matches(n), n).toBe(true);
    }
    expect(patterns[0]!.selector.matches("username")).toBe(false);
  });

  it("parse unchanged: examples/.codetracer/trace-filter.toml (click-test)", () => {
    const f = loadTraceFilter(CLICK);
    expect([f.name, f.version, f.scope.defaultExec, f.scope.defaultValueAction]).toEqual(["click-test", 1, "trace", "allow"]);
    expect(f.rules[0]!.selector.raw).toBe("pkg:glob:*");
    expect(f.rules[0]!.valuePatterns[0]!.selector.raw).toBe("global:glob:*");
  });

  it("parse unchanged: the web demo filter (inherit, regexes)", () => {
    const f = loadTraceFilter(WEB);
    expect(f.name).toBe("codetracer-web-demo");
    expect(f.labels).toEqual(["web", "demo", "rs-m5"]);
    expect(f.scope).toEqual({ defaultExec: "skip", defaultValueAction: "inherit" });
    expect(f.rules.map((r) => r.selector.pattern)).toEqual([".*", "^(flask|fastapi|django)/app\\.py$"]);
  });

  it("compose with the JS builtin as the reference describes", () => {
    const chain = new FilterChain([builtinDefaultFilter(), loadTraceFilter(PY_BUILTIN), loadTraceFilter(CLICK), loadTraceFilter(WEB)]);
    expect(chain.filters.map((f) => f.name)).toEqual(["builtin-default", "builtin-default", "click-test", "codetracer-web-demo"]);
    expect([chain.defaultExec, chain.defaultValueAction]).toEqual(["skip", "allow"]);

    // web_demo: everything skipped except <root>/(flask|fastapi|django)/app.py, root = its folder.
    const app = chain.classify({ file: path.join(FIXTURES, "flask", "app.py"), obj: "index", pkg: "app" });
    expect(app.exec).toBe("trace");
    expect(app.matchedRule).toMatchObject({ source: WEB, index: 1 });
    const framework = chain.classify({ file: "/venv/lib/python3.12/site-packages/flask/app.py", obj: "Flask.run", pkg: "flask.app" });
    expect(framework.exec).toBe("skip");
    expect(chain.classify({ file: path.join(FIXTURES, "other.py"), pkg: "other" }).exec).toBe("skip");

    // click-test's global drop pattern comes first; secret patterns of both builtins still apply.
    expect(app.valueAction("global", "config")).toBe("drop");
    expect(app.valueAction("global", "password")).toBe("drop");
    expect(app.valueAction("local", "userPassword")).toBe("redact");
    expect(app.valueAction("local", "company")).toBe("redact"); // the Python builtin's substring match
    expect(app.valueAction("local", "username")).toBe("allow");
  });

  it("compose without the web demo: pkg:glob:* re-traces what the Python builtin skips", () => {
    const chain = new FilterChain([builtinDefaultFilter(), loadTraceFilter(PY_BUILTIN), loadTraceFilter(CLICK)]);
    expect(chain.classify({ file: "/x/a.py", pkg: "asyncio.events" }).exec).toBe("trace");
    expect(chain.classify({ file: "/x/a.py", pkg: "@scoped/pkg" }).exec).toBe("trace");
    const b = new FilterChain([builtinDefaultFilter(), loadTraceFilter(PY_BUILTIN)]);
    expect(b.classify({ file: "/x/a.py", pkg: "asyncio.events" }).exec).toBe("skip");
    expect(b.classify({ file: "/usr/lib/python3.12/os.py", pkg: "os" }).exec).toBe("skip");
    expect(b.classify({ file: "/usr/lib/python3.12/site-packages/x/y.py", pkg: "x.y" }).exec).toBe("trace");
  });
});
