/**
 * The built-ins captured at load that runtime code uses while a program runs: they live in
 * `@codetracer/trace-format` (its `./internal/primordials` subpath), the lowest package that runs
 * while the program runs, so the trace writers and the runtime share one set. See that module
 * and docs/recording.md ("What a recorded program can observe").
 */
export * from "@codetracer/trace-format/internal/primordials";
