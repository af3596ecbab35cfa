// Loads the CommonJS packages `@codetracer/instrument` imports (Babel and its plugins) through
// `require`, so a loader that then `require`s the ES module instrumenter while module hooks are
// registered finds them in the CommonJS cache instead of loading each of Babel's modules through
// the hooks (about twice as slow). Keep in step with the package's imports
// (test/preload.test.ts checks it).
"use strict";
module.exports = [
  "@babel/core",
  "@babel/plugin-proposal-decorators",
  "@babel/plugin-transform-class-properties",
  "@babel/plugin-transform-explicit-resource-management",
  "@babel/plugin-transform-modules-commonjs",
  "@babel/plugin-transform-react-jsx",
  "@babel/plugin-transform-typescript",
  "babel-plugin-transform-typescript-metadata",
].map((name) => require(name));
