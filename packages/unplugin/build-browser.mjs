// Bundles the page's runtime (dist/browser.js and what it imports: the recorder, the JSON
// encoder, the trace filter with re2js, picomatch and smol-toml) into one ES module without
// imports, dist/browser-bundle.js, which `unplugin-codetracer/browser` points at: the page's
// bundler then serves one file and never has to pre-bundle a CommonJS dependency mid-session.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/browser.js"],
  outfile: "dist/browser-bundle.js",
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  legalComments: "inline",
  logLevel: "warning",
});
