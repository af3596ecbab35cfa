// Each test file is recorded into traces/<its path>/ when CODETRACER_TRACE is set
// (`npm run test:record`); `keep: "failed"` would keep only the folders of failing files.
import { defineConfig } from "vitest/config";
import codetracer from "unplugin-codetracer/vitest";

export default defineConfig({
  plugins: [codetracer({ keep: process.env.CODETRACER_KEEP === "failed" ? "failed" : "all" })],
  test: { include: ["test/**/*.test.ts"] },
});
