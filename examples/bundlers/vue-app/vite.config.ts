// `npm run record:dev`: the Vite dev server with Vue's plugin and unplugin-codetracer (on only
// when CODETRACER_TRACE is set). The order of the two does not matter: the recorder instruments
// a component's compiled script after @vitejs/plugin-vue, whatever their places in the list.
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import codetracer from "unplugin-codetracer/vite";

export default defineConfig({
  plugins: [vue(), codetracer()],
});
