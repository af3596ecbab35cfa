// Types of dist/runtime.cjs, `@codetracer/register/runtime` (see src/runtime.ts): a CommonJS
// module with the exports of `@codetracer/runtime` and `@codetracer/runtime/internal` (the
// loader's own instance when the loader runs in the thread). A .d.cts file, so TypeScript knows
// the JavaScript it describes is CommonJS.
export * from "@codetracer/runtime";
export * from "@codetracer/runtime/internal";
