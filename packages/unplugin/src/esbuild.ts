/**
 * The esbuild plugin: `import codetracer from "unplugin-codetracer/esbuild"`, then `codetracer(options)` in
 * the plugins of the esbuild config (see `CodetracerOptions`).
 * @packageDocumentation
 */
import { unplugin } from "./core.js";

/** The esbuild plugin (see `CodetracerOptions` for the options; it throws the errors of `unpluginFactory`). */
const codetracer: typeof unplugin.esbuild = unplugin.esbuild;
export default codetracer;
