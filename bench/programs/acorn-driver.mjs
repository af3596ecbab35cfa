// Parses a JavaScript file with acorn. Usage: node acorn-driver.mjs LIB_FILE INPUT.js [REPEAT]
// LIB_FILE is acorn's ESM build (node_modules/acorn/dist/acorn.mjs, or an instrumented copy).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [libFile, input, repeat = "1"] = process.argv.slice(2);
const acorn = await import(pathToFileURL(libFile).href);
const text = readFileSync(input, "utf8");
let nodes = 0;
for (let i = 0; i < Number(repeat); i++) {
  const ast = acorn.parse(text, { ecmaVersion: "latest", sourceType: "module" });
  nodes += ast.body.length;
}
console.log(`acorn: ${nodes} top-level statements`);
