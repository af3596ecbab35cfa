/**
 * How Node will run a file: `"module"` or `"commonjs"`, decided as Node and tsx decide it:
 * `.mjs/.mts` are ESM, `.cjs/.cts` CommonJS, and other files follow the nearest
 * `package.json` `"type"`; without one, a file whose syntax is ESM (`import`/`export`) is ESM.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const typeCache = new Map<string, string | undefined>();

/** The `"type"` of the nearest `package.json` above `file` (cached per folder). */
export function packageType(file: string): string | undefined {
  const dir = path.dirname(file);
  if (typeCache.has(dir)) return typeCache.get(dir);
  let type: string | undefined;
  const pkg = path.join(dir, "package.json");
  let found = false;
  try {
    const json = JSON.parse(fs.readFileSync(pkg, "utf8")) as { type?: unknown };
    found = true;
    type = typeof json.type === "string" ? json.type : undefined;
  } catch {
    found = false;
  }
  if (!found) {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(dir);
  }
  typeCache.set(dir, type);
  return type;
}

// `import`/`export` as a keyword: followed by `{`, `*` (or a quote, for `import`) or by white
// space and a name; never by more name characters (`exports.x = …`, `imports`) or `(`/`.`
// (`import(…)`, `import.meta`, which CommonJS may use).
const ESM_SYNTAX = /(?:^|[\n;])\s*(?:import(?:\s*[*{"']|\s+[\w$])|export(?:\s*[*{]|\s+[\w$]))/;

/** True when `code` looks like an ES module (a top-level-looking `import`/`export`). */
export function looksLikeEsm(code: string): boolean {
  return ESM_SYNTAX.test(code);
}

/** The module format `file` runs as; `code` is read for syntax detection when needed. */
export function moduleFormat(file: string, code?: () => string): "module" | "commonjs" {
  if (/\.m[jt]s$/.test(file)) return "module";
  if (/\.c[jt]s$/.test(file)) return "commonjs";
  const type = packageType(file);
  if (type === "module") return "module";
  if (type === "commonjs") return "commonjs";
  return code && looksLikeEsm(code()) ? "module" : "commonjs";
}
