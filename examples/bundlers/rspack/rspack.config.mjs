// `npm run build`: bundles src/main.ts for Node (CommonJS output, dist/main.cjs) with Rspack's
// built-in SWC loader.
import * as path from "node:path";
import codetracer from "unplugin-codetracer/rspack";

export default {
  mode: "production",
  target: "node",
  entry: "./src/main.ts",
  devtool: "source-map",
  output: { path: path.resolve(import.meta.dirname, "dist"), filename: "main.cjs" },
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: {
    rules: [{ test: /\.ts$/, loader: "builtin:swc-loader", options: { jsc: { parser: { syntax: "typescript" } } }, type: "javascript/auto" }],
  },
  plugins: [codetracer()],
};
