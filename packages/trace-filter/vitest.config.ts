import { defineConfig } from "vitest/config";

// The tests import the package's modules directly: give them the platform of the Node entry
// (src/index.ts installs it), as every Node user of the package gets. test/browser.test.ts
// switches to the portable one itself.
export default defineConfig({
  test: {
    setupFiles: ["./test/setup-node-platform.ts"],
  },
});
