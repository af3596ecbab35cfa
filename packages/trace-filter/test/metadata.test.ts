import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { builtinDefaultFilter, builtinDefaultText, loadTraceFilter } from "../src/node/load.js";
import { FilterStats } from "../src/stats.js";
import { tempDir, toml, write } from "./helpers.js";

describe("FilterChain.metadata", () => {
  it("lists {name, path, sha256, version} in chain order, builtin first", () => {
    const dir = tempDir();
    const text = toml("", { name: "project" }).replace("version = 1", "version = 1\n# with a comment é");
    const file = write(path.join(dir, ".codetracer", "trace-filter.toml"), text);
    const chain = new FilterChain([builtinDefaultFilter(), loadTraceFilter(file)]);
    const meta = chain.metadata();
    expect(meta.filters).toEqual([
      {
        name: "builtin-default",
        path: "<inline:builtin-default>",
        sha256: createHash("sha256").update(builtinDefaultText()).digest("hex"),
        version: 1,
      },
      {
        name: "project",
        path: file,
        sha256: createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
        version: 1,
      },
    ]);
    expect(Object.keys(meta.filters[0]!)).toEqual(["name", "path", "sha256", "version"]);
    expect(meta.filters[1]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reports zero stats by default and the given counters otherwise", () => {
    const chain = new FilterChain([builtinDefaultFilter()]);
    const zero = { argument: 0, local: 0, global: 0, return: 0, attribute: 0 };
    expect(chain.metadata().stats).toEqual({ scopes_skipped: 0, value_redactions: zero, value_drops: zero });
    const stats = new FilterStats();
    stats.countSkip();
    stats.countSkip();
    stats.countRedaction("arg");
    stats.countRedaction("ret");
    stats.countRedaction("ret");
    stats.countDrop("local");
    stats.countDrop("attr");
    stats.countDrop("global");
    expect(JSON.parse(JSON.stringify(chain.metadata(stats)))).toEqual({
      filters: chain.metadata().filters,
      stats: {
        scopes_skipped: 2,
        value_redactions: { argument: 1, local: 0, global: 0, return: 2, attribute: 0 },
        value_drops: { argument: 0, local: 1, global: 1, return: 0, attribute: 1 },
      },
    });
  });
});

describe("FilterStats", () => {
  it("merges counters and returns copies from toJSON", () => {
    const a = new FilterStats();
    a.countSkip();
    a.countRedaction("local");
    const b = new FilterStats();
    b.countSkip();
    b.countRedaction("local");
    b.countDrop("arg");
    expect(a.merge(b)).toBe(a);
    const json = a.toJSON();
    expect(json).toEqual({
      scopes_skipped: 2,
      value_redactions: { argument: 0, local: 2, global: 0, return: 0, attribute: 0 },
      value_drops: { argument: 1, local: 0, global: 0, return: 0, attribute: 0 },
    });
    json.value_redactions.local = 99;
    expect(a.toJSON().value_redactions.local).toBe(2);
    expect(b.toJSON().scopes_skipped).toBe(1);
  });
});
