/**
 * The vite plugin: `import codetracer from "unplugin-codetracer/vite"`, then `codetracer(options)` in
 * the plugins of the vite config (see `CodetracerOptions`).
 * @packageDocumentation
 */
import { unplugin } from "./core.js";

/** The vite plugin (see `CodetracerOptions` for the options; it throws the errors of `unpluginFactory`). */
const codetracer: typeof unplugin.vite = unplugin.vite;
export default codetracer;
