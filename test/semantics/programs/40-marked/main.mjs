// The real `marked` package (resolved from the repository's node_modules) rendering a document
// with headings, lists, task lists, code, a table and inline markup, recorded with
// --include '**/node_modules/marked/**'. Custom renderer and walkTokens callbacks are ours.
import { readFileSync } from "node:fs";
import { Marked, marked } from "marked";

const source = readFileSync(new URL("./doc.md", import.meta.url), "utf8");

const html = marked.parse(source, { async: false, gfm: true });
console.log(html);

const tokens = marked.lexer(source);
const counts = {};
for (const t of tokens) counts[t.type] = (counts[t.type] ?? 0) + 1;
console.log("top-level tokens:", JSON.stringify(counts));

const headings = [];
const custom = new Marked({
  walkTokens(token) {
    if (token.type === "heading") headings.push(`h${token.depth}:${token.text}`);
  },
  renderer: {
    heading({ tokens, depth }) {
      return `<h${depth} class="custom">${this.parser.parseInline(tokens)}</h${depth}>\n`;
    },
    codespan({ text }) {
      return `<kbd>${text}</kbd>`;
    },
  },
});
const customHtml = custom.parse("# Title with `code`\n\nText and `more` code.\n\n## Sub");
console.log(customHtml);
console.log("walked headings:", headings.join(", "));
console.log("inline:", marked.parseInline("**bold** _it_ ~~gone~~"));
