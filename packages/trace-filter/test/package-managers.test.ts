/**
 * `file:` and `pkg:` selectors under the package managers' layouts (docs/trace-filters.md,
 * "Package managers"): a file in pnpm's virtual store
 * (`node_modules/.pnpm/<id>/node_modules/<name>/…`) is matched by its real path and by its
 * `node_modules/<name>/…` path, so a glob written for npm's layout means the same under pnpm;
 * `pkg:` selectors find the package's name in the store as in npm's layout. The e2e test
 * test/e2e/package-managers.test.ts records real installs (npm, pnpm isolated and hoisted, yarn).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FilterChain, MODULE_OBJ } from "../src/chain.js";
import { builtinDefaultFilter } from "../src/node/load.js";
import { clearPackageNameCache, packageNameOf } from "../src/node/package-name.js";
import { pnpmStoreAlias } from "../src/package-path.js";
import { parseTraceFilter } from "../src/parse.js";
import { portablePlatform } from "../src/platform.js";
import type { TraceFilter } from "../src/types.js";
import { tempDir, toml, write } from "./helpers.js";

const rule = (selector: string, exec: string): string => `\n[[scope.rules]]\nselector = "${selector}"\nexec = "${exec}"\n`;
/** A filter as the loader builds `--include`/`--exclude` (root "": absolute globs without the leading `/`). */
const inline = (body: string): TraceFilter =>
  parseTraceFilter(toml(body, { exec: "inherit", value: "inherit" }), { path: "<inline:include-exclude>", root: "" });

const STORE_MARKED = "/proj/node_modules/.pnpm/marked@18.0.0/node_modules/marked/lib/marked.esm.js";
const STORE_SCOPED = "/proj/node_modules/.pnpm/@scope+pkg@1.2.3_peer@2.0.0/node_modules/@scope/pkg/dist/index.js";

describe("pnpmStoreAlias", () => {
  it("gives a virtual-store file's path through the store's node_modules folder", () => {
    expect(pnpmStoreAlias(STORE_MARKED)).toBe("/proj/node_modules/marked/lib/marked.esm.js");
    expect(pnpmStoreAlias(STORE_SCOPED)).toBe("/proj/node_modules/@scope/pkg/dist/index.js");
    // A workspace package's own node_modules linking into the root's store: the store's folder counts.
    expect(pnpmStoreAlias("/ws/node_modules/.pnpm/a@1.0.0/node_modules/a/index.js")).toBe("/ws/node_modules/a/index.js");
    // Relative paths (a candidate) work the same.
    expect(pnpmStoreAlias("proj/node_modules/.pnpm/x@1/node_modules/x/a.js")).toBe("proj/node_modules/x/a.js");
  });

  it("gives nothing outside a virtual store", () => {
    expect(pnpmStoreAlias("/proj/node_modules/marked/lib/marked.esm.js")).toBeUndefined();
    expect(pnpmStoreAlias("/proj/src/main.js")).toBeUndefined();
    // The store's own files, and a file directly in a store entry's node_modules.
    expect(pnpmStoreAlias("/proj/node_modules/.pnpm/lock.yaml")).toBeUndefined();
    expect(pnpmStoreAlias("/proj/node_modules/.pnpm/x@1/package.json")).toBeUndefined();
    expect(pnpmStoreAlias("/proj/node_modules/.pnpm/x@1/node_modules/file.js")).toBeUndefined();
    expect(pnpmStoreAlias("/proj/node_modules/.pnpm/x@1/node_modules/")).toBeUndefined();
  });
});

describe("file: selectors on a file in pnpm's virtual store", () => {
  it("--include 'node_modules/marked/**' (made absolute) traces marked's files in the store", () => {
    const chain = new FilterChain([builtinDefaultFilter(), inline(rule("file:glob:proj/node_modules/marked/**", "trace"))]);
    expect(chain.classify({ file: STORE_MARKED }).exec).toBe("trace");
    expect(chain.classify({ file: STORE_MARKED, obj: "l.lex" }).exec).toBe("trace");
    expect(chain.skipsWholeFile(STORE_MARKED)).toBe(false);
    expect(chain.classify({ file: `file://${STORE_MARKED}` }).exec).toBe("trace");
    // Another package of the store stays skipped by the builtin filter.
    const other = "/proj/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/lodash.js";
    expect(chain.classify({ file: other }).exec).toBe("skip");
    expect(chain.skipsWholeFile(other)).toBe(true);
  });

  it("the candidate stays the real path; the node_modules path is an alias", () => {
    const chain = new FilterChain([builtinDefaultFilter()]);
    expect(chain.fileCandidate(STORE_MARKED)).toBe(STORE_MARKED.slice(1));
    expect(chain.fileAliases(STORE_MARKED)).toEqual(["proj/node_modules/marked/lib/marked.esm.js"]);
    expect(chain.fileAliases("/proj/node_modules/marked/lib/marked.esm.js")).toEqual([]);
    expect(chain.fileAliases("/proj/src/main.js")).toEqual([]);
  });

  it("scoped packages, and a rule relative to a filter's root", () => {
    const project = parseTraceFilter(toml(rule("file:node_modules/@scope/pkg/**", "trace"), { exec: "inherit", value: "inherit" }), {
      path: "/proj/.codetracer/trace-filter.toml",
      root: "/proj",
    });
    const chain = new FilterChain([builtinDefaultFilter(), project]);
    expect(chain.classify({ file: STORE_SCOPED }).exec).toBe("trace");
    expect(chain.fileAliases(STORE_SCOPED)).toEqual(["node_modules/@scope/pkg/dist/index.js"]);
  });

  it("an --exclude of the node_modules path wins over a broad include, in the store too", () => {
    const chain = new FilterChain([
      builtinDefaultFilter(),
      inline(rule("file:glob:**/node_modules/**", "trace") + rule("file:glob:proj/node_modules/marked/**", "skip")),
    ]);
    expect(chain.classify({ file: STORE_MARKED }).exec).toBe("skip");
    expect(chain.skipsWholeFile(STORE_MARKED)).toBe(true);
    expect(chain.classify({ file: STORE_SCOPED }).exec).toBe("trace");
  });

  it("the real path still matches (a glob naming the store itself)", () => {
    const chain = new FilterChain([builtinDefaultFilter(), inline(rule("file:glob:proj/node_modules/.pnpm/marked@*/**", "trace"))]);
    expect(chain.classify({ file: STORE_MARKED }).exec).toBe("trace");
  });
});

describe("pkg: selectors in pnpm's virtual store", () => {
  it("name the package by its package.json in the store (Node platform)", () => {
    const root = tempDir();
    const store = path.join(root, "node_modules/.pnpm");
    const marked = write(path.join(store, "marked@18.0.0/node_modules/marked/lib/marked.esm.js"), "export {};\n");
    write(path.join(store, "marked@18.0.0/node_modules/marked/package.json"), JSON.stringify({ name: "marked", version: "18.0.0" }));
    const scoped = write(path.join(store, "@scope+pkg@1.0.0/node_modules/@scope/pkg/dist/index.js"), "");
    // No package.json naming it: the folder's name.
    const unnamed = write(path.join(store, "bare@1.0.0/node_modules/bare/index.js"), "");
    clearPackageNameCache();
    expect(packageNameOf(marked)).toBe("marked");
    expect(packageNameOf(scoped)).toBe("@scope/pkg");
    expect(packageNameOf(unnamed)).toBe("bare");

    const chain = new FilterChain([builtinDefaultFilter(), inline(rule("pkg:marked", "trace") + rule("pkg:@scope/*", "trace"))]);
    expect(chain.classify({ file: marked, obj: MODULE_OBJ }).exec).toBe("trace");
    expect(chain.classify({ file: scoped }).exec).toBe("trace");
    expect(chain.classify({ file: unnamed }).exec).toBe("skip");
  });

  it("name the package from the path on the portable (browser) platform", () => {
    expect(portablePlatform.packageNameOf(STORE_MARKED)).toBe("marked");
    expect(portablePlatform.packageNameOf(STORE_SCOPED)).toBe("@scope/pkg");
  });
});
