// Lint rules for the whole repository (typescript-eslint's recommended set, not type-aware:
// fast enough to run on every `npm test`). Formatting is Prettier's job (.prettierrc.json), the
// allowed imports between packages dependency-cruiser's (.dependency-cruiser.cjs). See
// docs/architecture.md, "Guardrails".
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/*.d.ts",
      "examples/**",
      "test/fixtures/**",
      "test/semantics/programs/**",
      "test/test262/tests/**",
      "test/test262/harness/**",
      "packages/*/test/fixtures/**",
      "bench-results/**",
      "trace-out/**",
      "**/traces/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names are deliberately unused (a parameter kept for its position).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // `catch {}` is how a best-effort read says "no answer" (e.g. /proc files in the bench).
      "no-empty": ["error", { allowEmptyCatch: true }],
      // A default assigned before a `try` or a loop that may replace it reads as the default.
      "no-useless-assignment": "off",
      // Tests match the recorder's printed output, whose columns are two spaces apart.
      "no-regex-spaces": "off",
    },
  },
  {
    // The value encoder and the function-source table handle whatever function the program has.
    files: ["packages/runtime/src/**"],
    rules: { "@typescript-eslint/no-unsafe-function-type": "off" },
  },
  {
    // Tests read parsed JSON of open shape (OTLP bodies, span metadata).
    files: ["**/test/**", "test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // CommonJS entry points (Node's --require preloads, the test262 cache warmer) use require().
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
