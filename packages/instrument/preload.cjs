// Loads the CommonJS packages `@codetracer/instrument` imports (Babel and its plugins, listed in
// preload.json) through `require`, so a loader that then `require`s the ES module instrumenter
// while module hooks are registered finds them in the CommonJS cache instead of loading each of
// Babel's modules through the hooks (about twice as slow). test/preload.test.ts checks the list
// against the package's imports.
"use strict";
module.exports = require("./preload.json").map((name) => require(name));
