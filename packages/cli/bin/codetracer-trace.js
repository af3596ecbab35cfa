#!/usr/bin/env node
// The `codetracer-trace` command (validate, inspect, print, view a trace folder): runs the built
// dist/trace/main.js. A committed file, so npm links the command before the package is built.
import "../dist/trace/main.js";
