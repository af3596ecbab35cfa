// CommonJS front door of `@codetracer/register/instrument` (`node --require …`): see preload.cjs.
"use strict";
// Not in Node's internal module-hooks thread (see preload.cjs).
if (!require("node:worker_threads").isInternalThread) require("./dist/instrument.js");
