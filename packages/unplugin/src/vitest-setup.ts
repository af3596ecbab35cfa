/**
 * The setup file the vitest integration adds to `test.setupFiles` (see `./vitest.ts`): it runs
 * in the test file's worker before the test file is loaded, records the file into its own trace
 * folder, and finishes that folder after the file's last test. It talks to the runtime only
 * through `unplugin-codetracer/runtime`, which the plugin keeps external, so the setup file and
 * the instrumented modules share one runtime.
 * @packageDocumentation
 */
import { afterAll, afterEach, expect } from "vitest";
import { beginTestFile, endTestFile, type TestFileRecordingOptions } from "unplugin-codetracer/runtime";

const raw = process.env.CODETRACER_VITEST;
const testPath = expect.getState().testPath;
if (raw && testPath) {
  beginTestFile(JSON.parse(raw) as TestFileRecordingOptions, testPath);
  let failed = false;
  afterEach((context) => {
    if (context.task.result?.state === "fail") failed = true;
  });
  afterAll(() => endTestFile({ failed }));
}
