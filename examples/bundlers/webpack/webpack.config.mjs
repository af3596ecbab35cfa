// `npm run build`: bundles src/main.ts for Node (CommonJS output, dist/main.cjs).
import * as path from "node:path";
import codetracer from "unplugin-codetracer/webpack";

export default {
  mode: "production",
  target: "node",
  entry: "./src/main.ts",
  devtool: "source-map",
  output: { path: path.resolve(import.meta.dirname, "dist"), filename: "main.cjs" },
  resolve: { extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } },
  module: {
    rules: [{ test: /\.ts$/, loader: "ts-loader", options: { transpileOnly: true, configFile: path.resolve(import.meta.dirname, "../tsconfig.json") } }],
  },
  plugins: [codetracer()],
};
