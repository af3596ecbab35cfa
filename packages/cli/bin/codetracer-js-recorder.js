#!/usr/bin/env node
// The `codetracer-js-recorder` command: runs the built CLI (dist/main.js). A committed file, so
// npm links the command when the package is installed even before it is built (in a clone of the
// repository, `npm install` runs before `npm run build`).
import "../dist/main.js";
