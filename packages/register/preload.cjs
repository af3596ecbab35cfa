// CommonJS front door: `node --require @codetracer/register app.js` (what the CLI runs). A
// `--require` preload keeps the entry point on Node's CommonJS path, so a CommonJS program's
// `process.nextTick` callbacks still run before its promise callbacks, exactly as under plain
// `node app.js`; any `--import` moves the entry onto the ES module loader, which swaps them.
// Loads the ES module build through require(esm) (Node ^20.19 || >=22.12).
"use strict";
require("./dist/index.js");
