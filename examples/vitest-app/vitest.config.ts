// `npm test` runs the tests as usual: the plugin is off unless asked. `npm run test:record`
// (CODETRACER_TRACE=traces) records each test file into traces/<its path>/; with
// CODETRACER_KEEP=failed (or `keep: "failed"` here) only the folders of failing files stay.
// `npm run test:record:coverage` records and measures coverage in the same run.
import { defineConfig } from "vitest/config";
import codetracer from "unplugin-codetracer/vitest";

export default defineConfig({
  plugins: [codetracer()],
  test: {
    include: ["test/**/*.test.ts"],
    // `npm run test:coverage` / `test:record:coverage`: the same report, recorded or not
    // (`--coverage.provider=istanbul` for the other provider). See docs/ci.md.
    coverage: { provider: "v8", include: ["src/**/*.ts"] },
  },
});
