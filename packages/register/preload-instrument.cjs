// CommonJS front door of `@codetracer/register/instrument` (`node --require …`): see preload.cjs.
"use strict";
require("./dist/instrument.js");
