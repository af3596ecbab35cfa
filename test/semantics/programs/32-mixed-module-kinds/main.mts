// Four module kinds in one program: main.mts (TS, ESM) imports a .cts (TS, CommonJS) through
// its `.cjs` name, an .mts through its `.mjs` name and a plain .mjs; the .cts requires a .cjs.
import { createRequire } from "node:module";
import legacy from "./legacy.cjs";
import { shout, kind as mtsKind } from "./tools.mjs";
import { plainKind, plainDouble } from "./plain.mjs";

interface Report {
  file: string;
  kind: string;
}

const describeCts = legacy.describe;
const reports: Report[] = [
  { file: "legacy.cts", kind: describeCts() },
  { file: "tools.mts", kind: mtsKind },
  { file: "plain.mjs", kind: plainKind },
];
for (const r of reports) console.log(`${r.file}: ${r.kind}`);

console.log("default import of CJS is module.exports:", typeof legacy, Object.keys(legacy).sort().join(","));
console.log("cts -> cjs:", legacy.viaCjs(5));
console.log("mts:", shout("mixed"));
console.log("mjs:", plainDouble(21));

const require = createRequire(import.meta.url);
const again = require("./legacy.cts") as typeof legacy;
console.log("require from .mts gets the same CJS module:", again === legacy, again.loads());

const dynamicCts = await import("./legacy.cjs");
console.log("dynamic import default === static default:", dynamicCts.default === legacy);
console.log("namespace keys of the .cts:", Object.keys(dynamicCts).sort().join(","));
const plainCjs = await import("./helper.cjs");
console.log("namespace keys of the .cjs:", Object.keys(plainCjs).sort().join(","));
try {
  await import("./bad-named.mjs");
} catch (e) {
  console.log("missing named export from CJS:", (e as Error).name, (e as Error).message.split("\n")[0]);
}
console.log("module-level this in .mts:", typeof this);
