// preload.json (loaded by preload.cjs) must list every CommonJS package the instrumenter imports (see its header).
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** The packages the package's sources import at run time (not `import type`, not Node's built-ins). */
function importedPackages(): string[] {
  const names = new Set<string>();
  for (const file of fs.readdirSync(path.join(PACKAGE, "src"))) {
    if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
    const text = fs.readFileSync(path.join(PACKAGE, "src", file), "utf8");
    for (const m of text.matchAll(/^import (?!type )[^;]*? from "([^".][^"]*)";/gms)) if (!m[1]!.startsWith("node:")) names.add(m[1]!);
  }
  return [...names].sort();
}

describe("preload.json and preload.cjs", () => {
  it("requires exactly the CommonJS packages the sources import (our own ES modules aside)", () => {
    const listed = (JSON.parse(fs.readFileSync(path.join(PACKAGE, "preload.json"), "utf8")) as string[]).sort();
    const imported = importedPackages().filter((name) => !name.startsWith("@codetracer/"));
    expect(imported.length).toBeGreaterThan(5);
    expect(listed).toEqual(imported);
  });

  it("loads them and returns their exports", () => {
    const loaded = require(path.join(PACKAGE, "preload.cjs")) as unknown[];
    expect(loaded).toHaveLength(importedPackages().filter((name) => !name.startsWith("@codetracer/")).length);
    for (const mod of loaded) expect(mod).toBeTruthy();
  });
});
