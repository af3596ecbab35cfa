/**
 * The rspack plugin: `import codetracer from "unplugin-codetracer/rspack"`, then `codetracer(options)` in
 * the plugins of the rspack config (see `CodetracerOptions`).
 * @packageDocumentation
 */
import { unplugin } from "./core.js";

/** The rspack plugin (see `CodetracerOptions` for the options; it throws the errors of `unpluginFactory`). */
const codetracer: typeof unplugin.rspack = unplugin.rspack;
export default codetracer;
