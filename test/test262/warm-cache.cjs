// Fills the transform cache for the runner (run.mjs): run as
//   node --import <register> warm-cache.cjs <file>...
// with the recorded runs' environment, it compiles each file through the loader's own
// `require` hook (so with the same cache key a recorded run computes) and runs none of them:
// Module.prototype._compile does nothing here. A recorded run then loads its program from the
// cache instead of loading Babel (~0.3 s of CPU per process).
"use strict";
const Module = require("node:module");
Module.prototype._compile = function () {};
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    require(file);
  } catch {
    failed++; // a file Babel cannot compile: its recorded run compiles (and reports) it itself
  }
}
process.stdout.write(`warmed ${process.argv.length - 2 - failed}\n`);
