// Types of preload.cjs (`@codetracer/instrument/preload`): requiring it loads the CommonJS
// packages the instrumenter imports (listed in preload.json); it exports those modules, in the
// order of preload.json.
declare const modules: unknown[];
export = modules;
