/**
 * `unplugin-codetracer`: records JS/TS programs built with Vite, webpack, Rollup, esbuild or
 * Rspack into CodeTracer trace folders. Import the plugin for your bundler from its subpath
 * (`unplugin-codetracer/vite`, `/webpack`, `/rollup`, `/esbuild`, `/rspack`); this entry
 * exports the shared pieces.
 * @packageDocumentation
 */
export { BROWSER_RUNTIME_MODULE, DEV_SERVER_ENDPOINT, NODE_RUNTIME_MODULE, RUNTIME_MODULE_ID, runtimeModuleSource, unplugin, unpluginFactory } from "./core.js";
export { enabledByEnv, resolveOptions } from "./options.js";
export type { BakedFilter, CodetracerOptions, ResolvedOptions } from "./options.js";
export { unplugin as default } from "./core.js";
