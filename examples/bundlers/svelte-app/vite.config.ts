// `npm run record:dev`: the Vite dev server with Svelte's plugin and unplugin-codetracer (on only
// when CODETRACER_TRACE is set). The order of the two does not matter: the recorder instruments
// a component's compiled JavaScript after @sveltejs/vite-plugin-svelte, whatever their places.
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import codetracer from "unplugin-codetracer/vite";

export default defineConfig({
  plugins: [svelte(), codetracer()],
});
