// The browser entry bundled as a page gets it (esbuild, platform browser) and run where no Node
// module or global exists (an empty vm context): the builtin filter's secret rules and the
// file:/pkg: selectors decide as they do on Node.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { FilterChain, builtinDefaultText, parseTraceFilter } from "../src/index.js";

interface BrowserEntry {
  FilterChain: typeof FilterChain;
  parseTraceFilter: typeof parseTraceFilter;
  portablePlatform: { projectPackage: string | undefined };
}

let entry: BrowserEntry;
let bundle: string;

beforeAll(async () => {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, "../src/browser.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "traceFilter",
    write: false,
    logLevel: "silent",
  });
  bundle = out.outputFiles[0]!.text;
  // Only what a page has: no require, process, Buffer or node: modules (the built-ins captured
  // at load, @codetracer/trace-format's primordials, include performance.now).
  const page = vm.createContext({ URL, TextEncoder, TextDecoder, performance });
  vm.runInContext(`${bundle};globalThis.traceFilter = traceFilter;`, page);
  entry = (page as { traceFilter: BrowserEntry }).traceFilter;
}, 60_000);

const userFilter = `
[meta]
name = "page"
version = 1

[scope]
default_exec = "inherit"
default_value_action = "inherit"

[[scope.rules]]
selector = "pkg:left-pad"
value_default = "redact"

[[scope.rules]]
selector = "file:src/vendor/**"
[[scope.rules.value_patterns]]
selector = "attr:token"
action = "allow"
`;

describe("the browser entry", () => {
  it("bundles without Node modules", () => {
    expect(bundle).not.toMatch(/require\("(node:)?(fs|path|url|crypto)"\)/);
  });

  it("decides as the Node entry does for the builtin filter, a pkg: and a file: rule", () => {
    const texts = [
      { text: builtinDefaultText(), path: "<builtin>", root: "" },
      { text: userFilter, path: "/p/.codetracer/trace-filter.toml", root: "/p" },
    ];
    entry.portablePlatform.projectPackage = "my-app";
    const inPage = new entry.FilterChain(texts.map((t) => entry.parseTraceFilter(t.text, { path: t.path, root: t.root })));
    const onNode = new FilterChain(texts.map((t) => parseTraceFilter(t.text, { path: t.path, root: t.root })));
    const cases: Array<[string, string, "attr" | "local", string]> = [
      ["/p/src/main.ts", "login", "attr", "password"],
      ["/p/src/main.ts", "login", "attr", "user"],
      ["/p/src/main.ts", "login", "local", "apiKey"],
      ["/p/node_modules/left-pad/index.js", "pad", "attr", "width"],
      ["/p/src/vendor/x.ts", "f", "attr", "token"],
      ["/p/src/other.ts", "f", "attr", "token"],
    ];
    const decide = (chain: Pick<FilterChain, "classify">, [file, obj, kind, name]: (typeof cases)[number]) =>
      chain.classify({ file, obj }).valueAction(kind, name);
    const page = cases.map((c) => decide(inPage, c));
    expect(page).toEqual(cases.map((c) => decide(onNode, c)));
    expect(page).toEqual(["redact", "allow", "redact", "redact", "allow", "redact"]);
  });

  it("finds the package of a scoped node_modules path, and none for a file directly in node_modules", () => {
    const rule = (selector: string) =>
      `[meta]\nname = "t"\nversion = 1\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n[[scope.rules]]\nselector = "${selector}"\nexec = "skip"\n`;
    const chain = new entry.FilterChain([entry.parseTraceFilter(rule("pkg:@scope/lib"), { path: "<inline:t>", root: "" })]);
    expect(chain.classify({ file: "/p/node_modules/@scope/lib/dist/a.js", obj: "f" }).exec).toBe("skip");
    expect(chain.classify({ file: "/p/node_modules/a.js", obj: "f" }).exec).toBe("trace");
    expect(chain.classify({ file: "C:\\p\\node_modules\\@scope\\lib\\a.js", obj: "f" }).exec).toBe("skip");
  });

  it("is what the package exports as ./browser", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(manifest.exports["./browser"]).toEqual({ types: "./dist/browser.d.ts", default: "./dist/browser.js" });
  });
});
