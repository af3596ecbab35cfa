/**
 * The folders of the recorder's own packages, which are never instrumented whatever the trace
 * filter says (recording the recorder would recurse), for the loader and the bundler plugin.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { instrumenterFiles, packageRootOf } from "./instrumenter-files.js";

/** The package folder of a file in its `dist/` folder (`<root>/dist/index.js` → `<root>`). */
export function distPackageRoot(entry: string): string {
  return path.dirname(path.dirname(entry));
}

/**
 * The recorder's package folders: this package, `@codetracer/runtime`, `/instrument`,
 * `/trace-format`, `/trace-filter`, `/tracing` and `/opentelemetry` (their spans reach the trace as
 * events, not as recorded code), and the packages the instrumenter imports (Babel).
 * Packages that cannot be resolved from here are left out.
 *
 * @returns absolute folders, without duplicates
 */
export function recorderPackageRoots(): string[] {
  const require = createRequire(import.meta.url);
  const roots = [distPackageRoot(fileURLToPath(import.meta.url))];
  for (const pkg of [
    "@codetracer/runtime",
    "@codetracer/instrument",
    "@codetracer/trace-format",
    "@codetracer/trace-filter",
    "@codetracer/tracing",
    "@codetracer/opentelemetry",
  ]) {
    try {
      roots.push(distPackageRoot(require.resolve(pkg)));
    } catch {
      // not installed separately
    }
  }
  // The packages the instrumenter imports (Babel), loaded when a thread first compiles: the
  // module hooks see their entry modules (the main thread `require`s the ES module
  // instrumenter) and must hand them to Node as they are, whatever the trace filter says.
  try {
    for (const { name, entry } of instrumenterFiles().imports) {
      const root = packageRootOf(name, entry); // (the runtime, a workspace package, has none here)
      if (root) roots.push(root);
    }
  } catch {
    // an instrumenter without the list: its packages are left to the filter
  }
  return [...new Set(roots)];
}
