import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readLoaderConfig } from "../src/config.js";
import { createFileFilter } from "../src/filter.js";
import { recordingScopeOf } from "../src/trace-filter.js";
import { looksLikeEsm, moduleFormat, packageType } from "../src/format.js";

const cwd = "/proj";
// The include/exclude globs reach the filter as the last rules of the trace-filter chain.
const filter = (include: string[] = [], exclude: string[] = [], ownRoots: string[] = []) =>
  createFileFilter({ ownRoots }, recordingScopeOf({ traceFilters: [], include, exclude, cwd }).chain);

describe("createFileFilter", () => {
  it("records project files and skips node_modules by default", () => {
    const f = filter();
    expect(f("/proj/src/app.ts")).toBe(true);
    expect(f("/proj/index.js")).toBe(true);
    expect(f("/proj/node_modules/marked/lib/marked.esm.js")).toBe(false);
    expect(f("/proj/packages/a/node_modules/x/index.js")).toBe(false);
  });

  it("skips unsupported extensions", () => {
    const f = filter();
    expect(f("/proj/data.json")).toBe(false);
    expect(f("/proj/addon.node")).toBe(false);
    expect(f("/proj/types.d.ts")).toBe(true); // compiled like any .ts if imported
  });

  it("include widens the default: a package comes back", () => {
    const f = filter(["node_modules/marked/**"]);
    expect(f("/proj/node_modules/marked/lib/marked.esm.js")).toBe(true);
    expect(f("/proj/node_modules/other/index.js")).toBe(false);
    expect(f("/proj/src/app.ts")).toBe(true);
  });

  it("exclude narrows it and wins over include", () => {
    const f = filter(["node_modules/marked/**"], ["src/generated/**", "node_modules/marked/lib/marked.cjs"]);
    expect(f("/proj/src/generated/schema.ts")).toBe(false);
    expect(f("/proj/src/app.ts")).toBe(true);
    expect(f("/proj/node_modules/marked/lib/marked.cjs")).toBe(false);
    expect(f("/proj/node_modules/marked/lib/marked.esm.js")).toBe(true);
  });

  it("uses the filters' glob semantics: * stays within a folder, ** crosses, dotfiles match", () => {
    const f = filter([], ["src/*.ts"]);
    expect(f("/proj/src/a.ts")).toBe(false);
    expect(f("/proj/src/deep/a.ts")).toBe(true);
    const g = filter([], ["**/.hidden/**"]);
    expect(g("/proj/a/.hidden/x.js")).toBe(false);
  });

  it("matches files outside the working directory by absolute path too", () => {
    const f = filter([], ["/elsewhere/**"]);
    expect(f("/elsewhere/lib/a.js")).toBe(false);
    expect(f("/other/lib/a.js")).toBe(true);
  });

  it("never records the recorder's own packages", () => {
    const f = filter([], [], ["/proj/packages/runtime"]);
    expect(f("/proj/packages/runtime/dist/index.js")).toBe(false);
    expect(f("/proj/packages/runtime-extra/index.js")).toBe(true);
  });
});

describe("module format", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-format-"));
  fs.mkdirSync(path.join(dir, "esm/sub"), { recursive: true });
  fs.mkdirSync(path.join(dir, "cjs"), { recursive: true });
  fs.mkdirSync(path.join(dir, "none"), { recursive: true });
  fs.writeFileSync(path.join(dir, "esm/package.json"), JSON.stringify({ type: "module" }));
  fs.writeFileSync(path.join(dir, "cjs/package.json"), JSON.stringify({ type: "commonjs" }));
  fs.writeFileSync(path.join(dir, "none/package.json"), JSON.stringify({ name: "x" }));

  it("follows extensions first, then the nearest package.json type", () => {
    expect(moduleFormat(path.join(dir, "cjs/a.mts"))).toBe("module");
    expect(moduleFormat(path.join(dir, "esm/a.cts"))).toBe("commonjs");
    expect(moduleFormat(path.join(dir, "esm/sub/a.ts"))).toBe("module");
    expect(packageType(path.join(dir, "esm/sub/a.ts"))).toBe("module");
    expect(moduleFormat(path.join(dir, "cjs/a.ts"), () => "export const a = 1;")).toBe("commonjs");
  });

  it("detects ES module syntax when package.json says nothing", () => {
    expect(moduleFormat(path.join(dir, "none/a.ts"), () => 'import x from "y";\nx();')).toBe("module");
    expect(moduleFormat(path.join(dir, "none/b.ts"), () => "const x = require('y');\nmodule.exports = x;")).toBe("commonjs");
    expect(looksLikeEsm("export default 1")).toBe(true);
    expect(looksLikeEsm("const m = await import('x')")).toBe(false);
    expect(looksLikeEsm("console.log(import.meta.url)")).toBe(false);
    // CommonJS whose lines start with `exports`/`imports` (semver's internal/re.js) is not ESM.
    expect(looksLikeEsm("const x = 1\nexports.re = []\nexports.src = x")).toBe(false);
    expect(looksLikeEsm("imports = require('./a')\nmodule.exports = imports")).toBe(false);
    expect(looksLikeEsm("export$ = 1")).toBe(false);
    expect(looksLikeEsm("import{a}from'b'")).toBe(true);
    expect(looksLikeEsm("import 'side-effect'")).toBe(true);
    expect(looksLikeEsm('import"x"')).toBe(true);
    expect(looksLikeEsm("export * from './a'")).toBe(true);
    expect(looksLikeEsm("export{a}")).toBe(true);
    expect(looksLikeEsm("export const a = 1")).toBe(true);
    expect(looksLikeEsm("import $ from 'jquery'")).toBe(true);
  });
});

describe("readLoaderConfig", () => {
  it("reads the CODETRACER_* variables", () => {
    const c = readLoaderConfig(
      {
        CODETRACER_TRACE: "out",
        CODETRACER_FORMAT: "json",
        CODETRACER_JS_INCLUDE: '["node_modules/a/**"]',
        CODETRACER_JS_CWD: "/proj",
        CODETRACER_ACTIVATION_PATH: "src/main.ts",
      },
      [],
    );
    expect(c.traceDir).toBe("/proj/out");
    expect(c.include).toEqual(["node_modules/a/**"]);
    expect(c.exclude).toEqual([]);
    expect(c.activationPath).toBe("/proj/src/main.ts");
  });

  it("defaults the trace dir to ./trace-out, or CODETRACER_JS_RECORDER_OUT_DIR", () => {
    expect(readLoaderConfig({ CODETRACER_JS_CWD: "/p" }, []).traceDir).toBe("/p/trace-out");
    expect(readLoaderConfig({ CODETRACER_JS_CWD: "/p", CODETRACER_JS_RECORDER_OUT_DIR: "t" }, []).traceDir).toBe("/p/t");
  });

  it("rejects a malformed glob list with ERR_INVALID_POLICY_VALUE", () => {
    expect(() => readLoaderConfig({ CODETRACER_JS_EXCLUDE: '["src/**", 1]' }, [])).toThrowError(expect.objectContaining({ code: "ERR_INVALID_POLICY_VALUE" }));
    expect(() => readLoaderConfig({ CODETRACER_JS_EXCLUDE: '["src/**"' }, [])).toThrowError(expect.objectContaining({ code: "ERR_INVALID_POLICY_VALUE" }));
  });

  it("reads a glob list as a JSON array or separated by '::' (as CODETRACER_TRACE_FILTER)", () => {
    expect(readLoaderConfig({ CODETRACER_JS_EXCLUDE: "src/**" }, []).exclude).toEqual(["src/**"]);
    expect(readLoaderConfig({ CODETRACER_JS_EXCLUDE: "src/**::lib/{a,b}/**::" }, []).exclude).toEqual(["src/**", "lib/{a,b}/**"]);
    expect(readLoaderConfig({ CODETRACER_JS_INCLUDE: '["node_modules/x/**"]' }, []).include).toEqual(["node_modules/x/**"]);
    expect(readLoaderConfig({ CODETRACER_JS_INCLUDE: "[ab]*.js" }, []).include).toEqual(["[ab]*.js"]);
  });
});
