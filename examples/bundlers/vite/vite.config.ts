// `npm run build`: an SSR build of src/main.ts, a program for Node (dist/main.js).
import { defineConfig } from "vite";
import codetracer from "unplugin-codetracer/vite";

export default defineConfig({
  plugins: [codetracer()],
  build: { ssr: "src/main.ts", outDir: "dist", sourcemap: true, emptyOutDir: true },
});
