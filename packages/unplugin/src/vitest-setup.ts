/**
 * The setup file the vitest integration adds to `test.setupFiles` (see `./vitest.ts`): it runs
 * in the test file's worker before the test file is loaded, records the file into its own trace
 * folder, and finishes that folder after the file's last hook. It talks to the runtime only
 * through `unplugin-codetracer/runtime`, which the plugin keeps external, so the setup file and
 * the instrumented modules share one runtime.
 *
 * The end of the file is an `aroundAll` hook (vitest ≥ 4.1): it runs after every other hook of
 * the file, even when one of them throws. On older vitest it is an `afterAll` hook, which does
 * not run when a file-level `afterAll` of the test file throws first; the folder is then
 * finished when the worker starts its next file, or when the worker ends.
 * @packageDocumentation
 */
import * as vitest from "vitest";
import { beginTestFile, endTestFile, type TestFileRecordingOptions } from "unplugin-codetracer/runtime";

/** The part of vitest's task objects (file, suite, test) read here. */
interface TaskLike {
  result?: { state?: string };
  tasks?: readonly TaskLike[];
}

/**
 * Whether the file failed as vitest reports it: a test whose final state is `fail` (after its
 * retries, and `.fails` already applied), or a suite or the file itself failed (a `beforeAll`
 * or `afterAll` hook threw).
 */
function failed(task: TaskLike): boolean {
  return task.result?.state === "fail" || (task.tasks ?? []).some(failed);
}

const raw = process.env.CODETRACER_VITEST;
const testPath = vitest.expect.getState().testPath;
if (raw && testPath) {
  beginTestFile(JSON.parse(raw) as TestFileRecordingOptions, testPath);
  const aroundAll = (vitest as { aroundAll?: unknown }).aroundAll;
  if (typeof aroundAll === "function") {
    // The first aroundAll registered is the outermost: this one wraps every hook of the file.
    // (The empty pattern is vitest's fixtures argument, which it requires to be destructured.)
    // eslint-disable-next-line no-empty-pattern -- vitest requires the fixtures argument destructured
    vitest.aroundAll(async (runSuite, {}, file) => {
      try {
        await runSuite();
      } finally {
        endTestFile({ failed: failed(file as TaskLike) });
      }
    });
  } else {
    // The file is the hook's last argument: `(suite)` before vitest 4.1, `(context, suite)` since.
    vitest.afterAll(function () {
      // eslint-disable-next-line prefer-rest-params
      endTestFile({ failed: failed(arguments[arguments.length - 1] as TaskLike) });
    });
  }
}
