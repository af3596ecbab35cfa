// Renders a small Markdown document with the real `marked` package and prints the HTML.
import { marked } from "marked";

const doc = `# Release notes

Version **1.2** brings *faster* parsing and a [changelog](https://example.com/changelog).

- fixed the \`--watch\` flag
- added tables

| feature | status |
| ------- | ------ |
| lexer   | done   |

> Thanks to all contributors!
`;

function render(markdown) {
  const html = marked.parse(markdown, { gfm: true });
  return html.trim();
}

const html = render(doc);
console.log(html);
