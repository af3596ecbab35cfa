// `npm run build`: bundles src/main.ts for Node. Rollup runs plugins in the order listed (it
// ignores `enforce`), so codetracer comes first and sees the original TypeScript.
import typescript from "@rollup/plugin-typescript";
import codetracer from "unplugin-codetracer/rollup";

export default {
  input: "src/main.ts",
  output: { file: "dist/main.js", format: "es", sourcemap: true },
  plugins: [
    codetracer(),
    typescript({ tsconfig: "../tsconfig.json", include: ["src/**/*.ts", "../shared/src/**/*.ts"], compilerOptions: { sourceMap: true } }),
  ],
};
