/**
 * TypeScript's resolution conventions, shared by the ES module `resolve` hook and the CommonJS
 * `require` hook: `./x.js` may name `./x.ts` (or `.tsx`), `./x.mjs` `./x.mts`, `./x.cjs`
 * `./x.cts`, as under tsc and tsx.
 */

const TS_FOR_JS: Record<string, string[]> = {
  ".js": [".ts", ".tsx"],
  ".jsx": [".tsx"],
  ".mjs": [".mts"],
  ".cjs": [".cts"],
};

/** Candidates for an extensionless specifier (the ES module resolver does not add extensions). */
const EXTENSIONLESS = [".ts", ".tsx", ".mts", ".cts", ".js", "/index.ts", "/index.tsx", "/index.js"];

/**
 * The specifiers to try, in order, when `specifier` (already known not to resolve) may name a
 * TypeScript file: its JS extension replaced by the TS ones, or, with `extensionless`, for a
 * specifier without a JS extension, the extensions and index files above. Empty when none apply.
 */
export function typeScriptAlternatives(specifier: string, extensionless: boolean): string[] {
  const match = /\.(?:[cm]?js|jsx)$/.exec(specifier);
  if (!match) return extensionless ? EXTENSIONLESS.map((ext) => specifier + ext) : [];
  const stem = specifier.slice(0, -match[0].length);
  return (TS_FOR_JS[match[0]] ?? []).map((ext) => stem + ext);
}
