import { defineConfig } from "vitest/config";

// The tests spawn node processes (the recorder, plain node): give them time, and run the test
// files one after another so two recordings never compete for a small machine's cores.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "semantics/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: "forks",
  },
});
