import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BUILTIN_DEFAULT_PATH,
  discoverProjectFilter,
  expandHome,
  loadTraceFilter,
  projectRootOf,
  resolveFilterPaths,
  splitFilterList,
} from "../src/node/load.js";
import { resolveFilterChain } from "../src/node/scope-setup.js";
import { clearPackageNameCache, packageNameOf } from "../src/node/package-name.js";
import { expectFilterError, tempDir, toml, write } from "./helpers.js";

describe("splitFilterList", () => {
  it("splits on :: and drops empty segments", () => {
    expect(splitFilterList("a.toml::b.toml")).toEqual(["a.toml", "b.toml"]);
    expect(splitFilterList("::a.toml::::b.toml::")).toEqual(["a.toml", "b.toml"]);
    expect(splitFilterList("")).toEqual([]);
    expect(splitFilterList("one.toml")).toEqual(["one.toml"]);
  });

  it("keeps whitespace (paths may contain spaces) and single colons", () => {
    expect(splitFilterList("a b.toml :: c.toml")).toEqual(["a b.toml ", " c.toml"]);
    expect(splitFilterList("C:\\f.toml::x:y.toml")).toEqual(["C:\\f.toml", "x:y.toml"]);
  });
});

describe("expandHome", () => {
  it("expands ~ and ~/ only", () => {
    expect(expandHome("~")).toBe(os.homedir());
    expect(expandHome("~/f.toml")).toBe(path.join(os.homedir(), "f.toml"));
    expect(expandHome("~user/f.toml")).toBe("~user/f.toml");
    expect(expandHome("a/~/f.toml")).toBe("a/~/f.toml");
  });
});

describe("discovery", () => {
  it("finds the first .codetracer/trace-filter.toml walking up from a nested folder", () => {
    const root = tempDir();
    const outer = write(path.join(root, ".codetracer", "trace-filter.toml"), toml());
    const nested = path.join(root, "a", "b", "c");
    fs.mkdirSync(nested, { recursive: true });
    expect(discoverProjectFilter(nested)).toBe(outer);
    expect(projectRootOf(nested)).toBe(root);
    const inner = write(path.join(root, "a", ".codetracer", "trace-filter.toml"), toml());
    expect(discoverProjectFilter(nested)).toBe(inner);
    expect(projectRootOf(nested)).toBe(path.join(root, "a"));
  });

  it("passes over a .codetracer folder without a regular trace-filter.toml", () => {
    const root = tempDir();
    const outer = write(path.join(root, ".codetracer", "trace-filter.toml"), toml());
    fs.mkdirSync(path.join(root, "a", ".codetracer", "trace-filter.toml"), { recursive: true });
    expect(discoverProjectFilter(path.join(root, "a"))).toBe(outer);
    // …but that folder is still a project root.
    expect(projectRootOf(path.join(root, "a"))).toBe(path.join(root, "a"));
  });

  it("does not look sideways or down, only up", () => {
    const root = tempDir();
    const sibling = write(path.join(root, "a", ".codetracer", "trace-filter.toml"), toml());
    write(path.join(root, "b", "c", ".codetracer", "trace-filter.toml"), toml());
    fs.mkdirSync(path.join(root, "b", "d"), { recursive: true });
    // Whatever lies above the temporary folder (normally nothing) is what both walks find.
    const above = discoverProjectFilter(path.dirname(root));
    expect(discoverProjectFilter(path.join(root, "b"))).toBe(above);
    expect(discoverProjectFilter(path.join(root, "b", "d"))).toBe(above);
    expect(discoverProjectFilter(path.join(root, "a", "x"))).toBe(sibling);
  });
});

describe("loadTraceFilter", () => {
  it("reads, parses and reports an absolute path", () => {
    const root = tempDir();
    const file = write(path.join(root, ".codetracer", "trace-filter.toml"), toml());
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const f = loadTraceFilter(".codetracer/trace-filter.toml");
      expect(f.path).toBe(file);
      expect(f.root).toBe(root);
    } finally {
      process.chdir(cwd);
    }
  });

  it("fails with ERR_IO for a missing file or a folder", () => {
    const root = tempDir();
    const missing = path.join(root, "nope.toml");
    const e = expectFilterError(() => loadTraceFilter(missing), "ERR_IO", new RegExp(`^${missing}: cannot read trace filter: ENOENT`));
    expect(e.context).toEqual({ file: missing, errno: "ENOENT" });
    expectFilterError(() => loadTraceFilter(root), "ERR_IO", `${root}: cannot read trace filter: not a regular file`, { file: root });
  });

  it("fails with ERR_INVALID_POLICY_VALUE for invalid content", () => {
    const file = write(path.join(tempDir(), "bad.toml"), "[meta\n");
    expectFilterError(() => loadTraceFilter(file), "ERR_INVALID_POLICY_VALUE", new RegExp(`^${file}: TOML syntax error at line 1`));
  });
});

describe("resolveFilterChain", () => {
  let root: string;
  let home: string | undefined;
  beforeEach(() => {
    root = tempDir();
    home = process.env.HOME;
  });
  afterEach(() => {
    if (home === undefined) delete process.env.HOME;
    else process.env.HOME = home;
  });

  it("orders builtin, project filter, CODETRACER_TRACE_FILTER entries, explicit entries", () => {
    const project = write(path.join(root, ".codetracer", "trace-filter.toml"), toml("", { name: "project" }));
    const script = write(path.join(root, "src", "deep", "main.js"), "");
    const e1 = write(path.join(root, "env1.toml"), toml("", { name: "env1" }));
    const e2 = write(path.join(root, "env 2.toml"), toml("", { name: "env2" }));
    const x1 = write(path.join(root, "x", "x1.toml"), toml("", { name: "x1" }));
    const x2 = write(path.join(root, "x2.toml"), toml("", { name: "x2" }));
    const x3 = write(path.join(root, "x3.toml"), toml("", { name: "x3" }));
    const options = {
      entryScript: "src/deep/main.js",
      cwd: root,
      env: { CODETRACER_TRACE_FILTER: `env1.toml::${e2}::` },
      explicit: ["x/x1.toml", "x2.toml::x3.toml"],
    };
    expect(resolveFilterPaths(options)).toEqual([project, e1, e2, x1, x2, x3]);
    const chain = resolveFilterChain(options);
    expect(chain.filters.map((f) => f.name)).toEqual(["builtin-default", "project", "env1", "env2", "x1", "x2", "x3"]);
    expect(chain.filters[0]!.path).toBe(BUILTIN_DEFAULT_PATH);
    void script;
  });

  it("starts discovery in cwd without an entry script, and can skip builtin and discovery", () => {
    write(path.join(root, ".codetracer", "trace-filter.toml"), toml("", { name: "project" }));
    const sub = path.join(root, "sub");
    fs.mkdirSync(sub);
    expect(resolveFilterChain({ cwd: sub, env: {} }).filters.map((f) => f.name)).toEqual(["builtin-default", "project"]);
    expect(resolveFilterChain({ cwd: sub, env: {}, entryScript: "<unknown>" }).filters).toHaveLength(2);
    expect(resolveFilterChain({ cwd: sub, env: {}, includeBuiltin: false }).filters.map((f) => f.name)).toEqual(["project"]);
    expect(resolveFilterPaths({ cwd: sub, env: {}, discover: false })).toEqual([]);
  });

  it("expands ~ in filter paths", () => {
    process.env.HOME = root;
    const f = write(path.join(root, "home.toml"), toml("", { name: "home" }));
    expect(resolveFilterPaths({ cwd: "/", env: { CODETRACER_TRACE_FILTER: "~/home.toml" }, discover: false })).toEqual([f]);
  });

  it("reads CODETRACER_TRACE_FILTER from process.env by default", () => {
    const f = write(path.join(root, "pe.toml"), toml("", { name: "pe" }));
    const saved = process.env.CODETRACER_TRACE_FILTER;
    process.env.CODETRACER_TRACE_FILTER = f;
    try {
      expect(resolveFilterPaths({ cwd: root, discover: false })).toEqual([f]);
    } finally {
      if (saved === undefined) delete process.env.CODETRACER_TRACE_FILTER;
      else process.env.CODETRACER_TRACE_FILTER = saved;
    }
  });

  it("does not strip whitespace: a stray space names a missing file (ERR_IO)", () => {
    write(path.join(root, "a.toml"), toml());
    expectFilterError(
      () => resolveFilterChain({ cwd: root, env: { CODETRACER_TRACE_FILTER: "a.toml:: a.toml" }, discover: false }),
      "ERR_IO",
      new RegExp(`^${path.join(root, " a.toml")}: cannot read trace filter`),
    );
  });

  it("fails on an inherit that nothing before it set", () => {
    const f = write(path.join(root, "inh.toml"), toml("", { exec: "inherit" }));
    expectFilterError(
      () => resolveFilterChain({ cwd: root, env: {}, explicit: [f], includeBuiltin: false, discover: false }),
      "ERR_INVALID_POLICY_VALUE",
      `${f}: scope: 'default_exec = "inherit"' needs an earlier filter in the chain that sets it`,
    );
    expect(resolveFilterChain({ cwd: root, env: {}, explicit: [f], discover: false }).defaultExec).toBe("trace");
  });
});

describe("packageNameOf", () => {
  beforeEach(() => clearPackageNameCache());

  it("reads the nearest package.json with a name, passing over nameless ones", () => {
    const root = tempDir();
    write(path.join(root, "package.json"), JSON.stringify({ name: "my-app" }));
    write(path.join(root, "dist", "esm", "package.json"), JSON.stringify({ type: "module" }));
    expect(packageNameOf(path.join(root, "src", "a", "b.ts"))).toBe("my-app");
    expect(packageNameOf(path.join(root, "dist", "esm", "index.js"))).toBe("my-app");
    expect(packageNameOf(`file://${path.join(root, "src", "x.js")}`)).toBe("my-app");
  });

  it("names installed packages, scoped or not, nested or not", () => {
    const root = tempDir();
    write(path.join(root, "package.json"), JSON.stringify({ name: "my-app" }));
    const nm = path.join(root, "node_modules");
    write(path.join(nm, "lodash", "package.json"), JSON.stringify({ name: "lodash" }));
    write(path.join(nm, "@babel", "core", "package.json"), JSON.stringify({ name: "@babel/core" }));
    write(path.join(nm, "@babel", "core", "lib", "package.json"), JSON.stringify({ type: "commonjs" }));
    write(path.join(nm, "a", "node_modules", "b", "package.json"), JSON.stringify({ name: "b" }));
    expect(packageNameOf(path.join(nm, "lodash", "fp", "map.js"))).toBe("lodash");
    expect(packageNameOf(path.join(nm, "@babel", "core", "lib", "index.js"))).toBe("@babel/core");
    expect(packageNameOf(path.join(nm, "a", "node_modules", "b", "i.js"))).toBe("b");
    // No package.json names them: the install folder does, and the walk stops there.
    expect(packageNameOf(path.join(nm, "bare", "lib", "i.js"))).toBe("bare");
    expect(packageNameOf(path.join(nm, "@s", "bare", "i.js"))).toBe("@s/bare");
    // A file directly in node_modules (or in a scope folder) belongs to no package.
    expect(packageNameOf(path.join(nm, "loose.js"))).toBeUndefined();
    expect(packageNameOf(path.join(nm, "@s", "loose.js"))).toBeUndefined();
  });

  it("has no answer for non-absolute names or when no package.json exists", () => {
    expect(packageNameOf("node:fs")).toBeUndefined();
    expect(packageNameOf("<eval>")).toBeUndefined();
    expect(packageNameOf("relative/x.js")).toBeUndefined();
    const root = tempDir();
    const found = packageNameOf(path.join(os.tmpdir(), "x.js"));
    expect(packageNameOf(path.join(root, "x.js"))).toBe(found);
  });

  it("caches per folder until cleared", () => {
    const root = tempDir();
    const pj = write(path.join(root, "package.json"), JSON.stringify({ name: "first" }));
    expect(packageNameOf(path.join(root, "a.js"))).toBe("first");
    fs.writeFileSync(pj, JSON.stringify({ name: "second" }));
    expect(packageNameOf(path.join(root, "b.js"))).toBe("first");
    clearPackageNameCache();
    expect(packageNameOf(path.join(root, "b.js"))).toBe("second");
  });

  it("throws ERR_IO for an unreadable or invalid package.json (and caches that)", () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, "d", "package.json"), { recursive: true });
    expectFilterError(() => packageNameOf(path.join(root, "d", "x.js")), "ERR_IO", /package\.json: cannot read package\.json: EISDIR/);
    const bad = write(path.join(root, "e", "package.json"), "{");
    expectFilterError(() => packageNameOf(path.join(root, "e", "x.js")), "ERR_IO", /cannot read package\.json/, { file: bad });
    fs.writeFileSync(bad, JSON.stringify({ name: "fixed" }));
    expect(() => packageNameOf(path.join(root, "e", "x.js"))).toThrow(/cannot read package\.json/);
  });
});
