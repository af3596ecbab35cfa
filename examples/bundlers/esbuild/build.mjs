// `npm run build`: bundles src/main.ts for Node. The plugin instruments only when asked
// (CODETRACER_TRACE set, as `npm run record` does), so this plain build is never recorded.
import { build } from "esbuild";
import codetracer from "unplugin-codetracer/esbuild";

await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: "dist/main.js",
  sourcemap: true,
  logLevel: "warning",
  plugins: [codetracer()],
});
