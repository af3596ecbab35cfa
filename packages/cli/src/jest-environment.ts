/**
 * `codetracer-js-recorder/jest-environment`: Jest's `node` test environment that records each
 * test file into its own trace folder, with the transformer `codetracer-js-recorder/jest`
 * (which inserts the recording calls). In `jest.config`:
 *
 * ```js
 * transform: { "\\.[jt]sx?$": "codetracer-js-recorder/jest" },
 * testEnvironment: "codetracer-js-recorder/jest-environment",
 * ```
 *
 * The trace folder of a test file is its path relative to the project's `rootDir`, under the
 * trace folder (`traceDir`, default `CODETRACER_TRACE`): `traces/test/math.test.ts/`, as the
 * vitest plugin names them. The file's recording begins when Jest creates its environment
 * (before `setupFiles`) and ends when Jest tears it down (after the file's last hook); with
 * `keep: "failed"` (or `CODETRACER_KEEP=failed`) only the folders of files that failed stay.
 * The recording itself is the runtime's test-file recording (`unplugin-codetracer/runtime`'s
 * `beginTestFile` / `endTestFile`), loaded once per Jest worker. Off unless recording is on
 * (as for the transformer): then this is Jest's `node` environment unchanged.
 *
 * For another base environment (`jsdom`, a project's own), wrap it with {@link withCodetracer}.
 * See `docs/ci.md` ("Jest").
 * @packageDocumentation
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { UsageError } from "@codetracer/runtime";
import { addRealmBuiltins, limitsFromEnv, policyFromEnv } from "@codetracer/runtime/internal";
import { RUNTIME_GLOBAL } from "@codetracer/runtime/abi";
import { beginTestFile, endTestFile, type TestFileRecordingOptions } from "unplugin-codetracer/runtime";
import { resolveJestOptions, transformerOptionsOf } from "./jest-options.js";

/** The part of Jest's `JestEnvironmentConfig` read here. */
export interface JestEnvironmentConfigLike {
  projectConfig: { rootDir: string; transform?: ReadonlyArray<readonly [string, string, unknown]> };
}

/** The part of Jest's `EnvironmentContext` read here. */
export interface JestEnvironmentContextLike {
  /** The test file (absolute). */
  testPath: string;
}

/** The part of a jest-circus event read here (`test_done`, `hook_failure`, `run_finish`, …). */
export interface JestCircusEventLike {
  name: string;
  test?: { errors?: readonly unknown[] };
}

/** The part of jest-circus's state read here. */
export interface JestCircusStateLike {
  unhandledErrors?: readonly unknown[];
}

/** A Jest test environment class, as far as this wrapper needs it. */
export type JestEnvironmentClass = abstract new (
  config: never,
  context: never,
) => {
  global: object;
  teardown(): Promise<void>;
  handleTestEvent?(event: never, state: never): unknown;
};

/**
 * Whether a file failed as Jest reports it: a test whose last attempt failed (after its
 * retries), a hook that threw, an error outside the tests, or a file that never reached the end
 * of its run (it did not load).
 */
class FileOutcome {
  private readonly failedTests = new Set<object>();
  private hookFailed = false;
  private finished = false;
  private unhandled = false;

  /** Takes one jest-circus event. */
  see(event: JestCircusEventLike, state: JestCircusStateLike | undefined): void {
    if (event.name === "test_done" && event.test) {
      if ((event.test.errors?.length ?? 0) > 0) this.failedTests.add(event.test);
      else this.failedTests.delete(event.test);
    } else if (event.name === "hook_failure") {
      this.hookFailed = true;
    } else if (event.name === "run_finish") {
      this.finished = true;
      if ((state?.unhandledErrors?.length ?? 0) > 0) this.unhandled = true;
    }
  }

  get failed(): boolean {
    return !this.finished || this.unhandled || this.hookFailed || this.failedTests.size > 0;
  }
}

/** The test-file options of a project, or `undefined` when recording is off. Checked once per worker and project. */
const recordingOf = new Map<string, TestFileRecordingOptions | undefined>();

function recordingFor(config: JestEnvironmentConfigLike): TestFileRecordingOptions | undefined {
  const project = config.projectConfig;
  const rootDir = path.resolve(project.rootDir);
  const transformer = transformerOptionsOf(project.transform, (file) => realpath(file));
  const key = `${rootDir}\0${JSON.stringify(transformer?.options ?? {})}`;
  if (recordingOf.has(key)) return recordingOf.get(key);
  const { resolved, keep } = resolveJestOptions(transformer?.options, rootDir);
  let recording: TestFileRecordingOptions | undefined;
  if (resolved.enabled) {
    // What each file's start would reject: rejected once, here, naming the variable.
    policyFromEnv(process.env);
    limitsFromEnv(process.env);
    const traceDir = path.resolve(rootDir, resolved.traceDir);
    if (traceDir === rootDir) {
      throw new UsageError(
        "ERR_INVALID_POLICY_VALUE",
        `codetracer-js-recorder/jest: option "traceDir": ${JSON.stringify(resolved.traceDir)} is the project's rootDir, where the test files' trace folders would be the test files themselves`,
        {
          option: "traceDir",
        },
      );
    }
    recording = { traceDir, root: rootDir, format: resolved.format, keep, filters: resolved.bakedFilters };
  }
  recordingOf.set(key, recording);
  return recording;
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * Wraps a Jest test environment class so that each test file it runs is recorded into its own
 * trace folder (see the module's description). The wrapped environment puts the runtime on the
 * test file's global (`globalThis.__codetracer__`, what the transformed files call).
 *
 * ```js
 * // jest-environment.cjs of a project that runs its tests in jsdom
 * const { withCodetracer } = require("codetracer-js-recorder/jest-environment");
 * module.exports = withCodetracer(require("jest-environment-jsdom").TestEnvironment);
 * ```
 *
 * @param Base - the environment class to extend (Jest ≥ 27, jest-circus)
 * @returns the recording environment class
 * @throws (when Jest creates an environment) UsageError `ERR_INVALID_POLICY_VALUE` for a bad
 *   option of the transformer's `transform` entry or a bad `CODETRACER_*` variable (naming it),
 *   a `traceDir` that is the `rootDir`; RecorderError as `beginTestFile` throws
 *   (`ERR_TRACE_DIR_CREATE_FAILED`, `ERR_TRACE_DIR_CONFLICT`, `ERR_ALREADY_TRACING`)
 */
export function withCodetracer<T extends JestEnvironmentClass>(Base: T): T {
  abstract class CodetracerEnvironment extends (Base as unknown as new (config: unknown, context: unknown) => InstanceType<JestEnvironmentClass>) {
    /** The file's outcome so far, `undefined` when this file is not recorded (or its recording ended). */
    private codetracerOutcome: FileOutcome | undefined;

    constructor(config: JestEnvironmentConfigLike, context: JestEnvironmentContextLike) {
      super(config, context);
      const recording = recordingFor(config);
      if (!recording) return;
      // The test file's code runs in the environment's own realm (a `vm` context): its Maps,
      // Dates, … are captured as built-ins too. Read now, before any of its code runs.
      addRealmBuiltins(this.global);
      // Here, not in `setup()`: Jest runs the project's `setupFiles` before `setup()`.
      beginTestFile(recording, context.testPath);
      Object.defineProperty(this.global, RUNTIME_GLOBAL, {
        value: (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL],
        configurable: true,
        writable: false,
        enumerable: false,
      });
      this.codetracerOutcome = new FileOutcome();
    }

    /** Follows the file's tests and hooks (jest-circus events), then passes the event on. */
    handleTestEvent(event: JestCircusEventLike, state: JestCircusStateLike): unknown {
      this.codetracerOutcome?.see(event, state);
      const base = (Base.prototype as { handleTestEvent?: (event: unknown, state: unknown) => unknown }).handleTestEvent;
      return base ? base.call(this, event, state) : undefined;
    }

    /** Ends the file's recording (its trace folder is then complete), then Jest's teardown. */
    async teardown(): Promise<void> {
      const outcome = this.codetracerOutcome;
      this.codetracerOutcome = undefined;
      try {
        if (outcome) endTestFile({ failed: outcome.failed });
      } finally {
        await super.teardown();
      }
    }
  }
  return CodetracerEnvironment as unknown as T;
}

/**
 * Jest's `node` environment (`jest-environment-node`, as the project's Jest has it), resolved
 * from this package, else from the working directory.
 */
function nodeEnvironment(): JestEnvironmentClass {
  const attempts = [createRequire(import.meta.url), createRequire(path.join(process.cwd(), "index.js"))];
  let lastError: unknown;
  for (const require of attempts) {
    try {
      const loaded = require("jest-environment-node") as { TestEnvironment?: JestEnvironmentClass; default?: JestEnvironmentClass };
      const found = loaded.TestEnvironment ?? loaded.default;
      if (typeof found === "function") return found;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error("codetracer-js-recorder/jest-environment: cannot load jest-environment-node (installed with jest)", { cause: lastError });
}

/** Jest's `node` environment, recording each test file (see {@link withCodetracer}). */
export const TestEnvironment: JestEnvironmentClass = withCodetracer(nodeEnvironment());
export default TestEnvironment;
