// CommonJS front door: `node --require @codetracer/register app.js` (what the CLI runs). A
// `--require` preload keeps the entry point on Node's CommonJS path, so a CommonJS program's
// `process.nextTick` callbacks still run before its promise callbacks, exactly as under plain
// `node app.js`; any `--import` moves the entry onto the ES module loader, which swaps them.
// Loads the ES module build through require(esm) (Node ^20.19 || >=22.12).
// Not in Node's internal module-hooks thread: on Node 22 the worker that runs the hooks another
// preload registers with `module.register()` (OpenTelemetry's import-in-the-middle) also runs
// the `--require` preloads, and require(esm) fails there (ERR_METHOD_NOT_IMPLEMENTED). The
// recorder records the program's own threads only (`isInternalThread`: Node >= 22.14).
"use strict";
if (!require("node:worker_threads").isInternalThread) require("./dist/index.js");
