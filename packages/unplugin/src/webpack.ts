/**
 * The webpack plugin: `import codetracer from "unplugin-codetracer/webpack"`, then `codetracer(options)` in
 * the plugins of the webpack config (see `CodetracerOptions`).
 * @packageDocumentation
 */
import { unplugin } from "./core.js";

/** The webpack plugin (see `CodetracerOptions` for the options; it throws the errors of `unpluginFactory`). */
const codetracer: typeof unplugin.webpack = unplugin.webpack;
export default codetracer;
