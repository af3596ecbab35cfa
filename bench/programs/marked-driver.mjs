// Renders a Markdown file with marked. Usage: node marked-driver.mjs LIB_FILE INPUT.md [REPEAT]
// LIB_FILE is marked's ESM build (node_modules/marked/lib/marked.esm.js, or an instrumented copy).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [libFile, input, repeat = "1"] = process.argv.slice(2);
const { marked } = await import(pathToFileURL(libFile).href);
const text = readFileSync(input, "utf8");
let total = 0;
for (let i = 0; i < Number(repeat); i++) {
  const html = marked.parse(text);
  total += html.length;
}
console.log(`marked: ${total} chars of HTML`);
