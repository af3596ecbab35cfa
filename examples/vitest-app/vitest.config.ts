// `npm test` runs the tests as usual: the plugin is off unless asked. `npm run test:record`
// (CODETRACER_TRACE=traces) records each test file into traces/<its path>/; with
// CODETRACER_KEEP=failed (or `keep: "failed"` here) only the folders of failing files stay.
import { defineConfig } from "vitest/config";
import codetracer from "unplugin-codetracer/vitest";

export default defineConfig({
  plugins: [codetracer()],
  test: { include: ["test/**/*.test.ts"] },
});
