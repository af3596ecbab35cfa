// Builds the page of `codetracer-trace view` (docs/commands.md, "view"): bundles viewer/main.ts
// and what it imports (fzstd for zstd, also in a worker; cborg for CBOR) into one script without imports,
// dist/viewer/viewer.js, and copies the page template and its style beside it. The command
// (dist/trace/view.js) inlines all three into each HTML file it writes, so the page needs
// nothing else: it works from file://, as a CI artifact, offline.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist/viewer", { recursive: true });
// The zstd worker first: its code goes into the page script as a string (a worker is started
// from a Blob of it, which works from file:// where a worker file could not be loaded).
const worker = await build({
  entryPoints: ["viewer/zstd-worker.ts"],
  write: false,
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "inline",
  logLevel: "warning",
});
await build({
  define: { ZSTD_WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text) },
  entryPoints: ["viewer/main.ts"],
  outfile: "dist/viewer/viewer.js",
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "inline",
  logLevel: "warning",
});
copyFileSync("viewer/page.html", "dist/viewer/page.html");
copyFileSync("viewer/viewer.css", "dist/viewer/viewer.css");
