// import.meta and module-level `this` in ES modules, and dynamic import(): the recorder's
// loader must hand each module its own import.meta (its own URL, not the loader's).
import * as path from "node:path";
import { describeMeta, whoAmI } from "./helper.mjs";

const base = (p) => (p === undefined ? "(absent)" : path.basename(p));

console.log("module-level this:", this === undefined ? "undefined" : typeof this);
console.log("import.meta.url protocol:", new URL(import.meta.url).protocol, "file:", base(new URL(import.meta.url).pathname));
console.log("import.meta.url ends with main.mjs:", import.meta.url.endsWith("/main.mjs"));
console.log("import.meta.filename:", base(import.meta.filename));
console.log("import.meta.dirname:", base(import.meta.dirname));
console.log("import.meta keys:", Object.keys(import.meta).sort().join(","));
console.log("import.meta.resolve:", base(new URL(import.meta.resolve("./helper.mjs")).pathname));
console.log("import.meta is per module:", describeMeta().same === false, describeMeta().file);
console.log("whoAmI:", whoAmI());

function thisInFunction() {
  return this === undefined ? "undefined (strict)" : typeof this;
}
console.log("this in plain function:", thisInFunction());
const arrow = () => (this === undefined ? "undefined" : typeof this);
console.log("this in module-level arrow:", arrow());

const specifier = "./dynamic.mjs";
const ns = await import(specifier);
console.log("dynamic import namespace:", Object.keys(ns).sort().join(","), ns[Symbol.toStringTag]);
console.log("dynamic default():", ns.default(), "named:", ns.named);
console.log("dynamic import is cached:", ns === (await import("./dynamic.mjs")));

const json = await import("./data.json", { with: { type: "json" } });
console.log("json import:", json.default.answer);

try {
  await import("./missing.mjs");
} catch (e) {
  console.log("missing import:", e.code);
}

const cjs = await import("./legacy.cjs");
console.log("cjs via import:", cjs.default.kind, cjs.kind, Object.keys(cjs).sort().join(","));

import("./dynamic.mjs").then((again) => console.log("import().then:", again.named));
