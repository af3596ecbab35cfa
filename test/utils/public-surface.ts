/**
 * Helpers of the packages' `test/public-surface.test.ts`: what an entry point exports, as a
 * user's `import` and TypeScript see it (the built `dist/`, resolved through `package.json`
 * `exports`). See docs/architecture.md, "Allowed dependencies".
 */
import { createRequire } from "node:module";
import ts from "typescript";

/**
 * Every name (values and types) the declaration file of `specifier` exports, sorted.
 *
 * @param specifier - a package entry, e.g. `@codetracer/runtime/internal`
 * @param from - the `import.meta.url` of the test, which resolves `specifier`
 */
export function declaredNames(specifier: string, from: string): string[] {
  const dts = createRequire(from).resolve(specifier).replace(/\.js$/, ".d.ts");
  const program = ts.createProgram([dts], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => s.name)
    .sort();
}

/** A sorted copy. */
export const sorted = (names: readonly string[]): string[] => [...names].sort();

/** Type-checking a declaration file takes seconds, more on a loaded machine. */
export const TS_TIMEOUT_MS = 60_000;
