// The same component rendered on Node (`vite build --ssr src/server.ts`, then
// `node dist/server.js`): creating it runs its script's top level, rendering it runs the
// render code compiled from its template. Recorded when built with CODETRACER_TRACE set and
// source maps on (`npm run record:ssr`; see docs/bundlers.md, "Vue and Svelte").
import { createSSRApp } from "vue";
import { renderToString } from "vue/server-renderer";
import App from "./App.vue";

const app = createSSRApp(App);
const html = await renderToString(app);
console.log(html);
