/**
 * The rollup plugin: `import codetracer from "unplugin-codetracer/rollup"`, then `codetracer(options)` in
 * the plugins of the rollup config (see `CodetracerOptions`).
 * @packageDocumentation
 */
import { unplugin } from "./core.js";

/** The rollup plugin (see `CodetracerOptions` for the options; it throws the errors of `unpluginFactory`). */
const codetracer: typeof unplugin.rollup = unplugin.rollup;
export default codetracer;
