// TypeScript compiled as CommonJS: ESM syntax here becomes exports.*; `import x = require()`
// is the TS form of require.
import helper = require("./helper.cjs");

let loadCount = 0;
loadCount++;

type Kind = "commonjs";

export function describe(): string {
  const k: Kind = "commonjs";
  return `${k} (module-level this: ${moduleThis === module.exports ? "module.exports" : String(moduleThis)}, require.main is main.mts: ${String(require.main?.filename).endsWith("main.mts")})`;
}

export function viaCjs(n: number): string {
  return helper.triple(n) + " from " + helper.name;
}

export const loads = (): number => loadCount;
const moduleThis: unknown = this;
