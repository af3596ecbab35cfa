/**
 * The options of the Jest integration, shared by the transformer (`./jest.ts`) and the test
 * environment (`./jest-environment.ts`): both read them from the transformer's entry in Jest's
 * `transform` (`["codetracer-js-recorder/jest", { … }]`) and from the same `CODETRACER_*`
 * variables as the vitest plugin, so they always agree on whether a run is recorded.
 * See `docs/ci.md` ("Jest").
 * @packageDocumentation
 */
import { fileURLToPath } from "node:url";
import { UsageError } from "@codetracer/runtime";
import { resolveOptions, type CodetracerOptions, type ResolvedOptions } from "unplugin-codetracer";
import { resolveKeep, type KeepTraces } from "unplugin-codetracer/vitest";

/**
 * Options of `codetracer-js-recorder/jest`, given as the second element of its `transform`
 * entry: those of the bundler plugin that apply to Jest (`include`, `exclude`, `traceFilter`,
 * `traceDir`, `format`, `enabled`), and `keep`.
 */
export interface JestRecordingOptions extends Omit<CodetracerOptions, "target" | "forceBuildInstrument"> {
  /**
   * `all`: keep every test file's trace folder; `failed`: only those of test files that failed
   * (a test failed after its retries, a hook threw, the file did not load). Default:
   * `CODETRACER_KEEP`, else `all`.
   */
  keep?: KeepTraces;
}

/** {@link JestRecordingOptions} checked, for one Jest project. */
export interface ResolvedJestOptions {
  /** The bundler plugin's resolved options (`enabled`, `chain`, `traceDir` as given, `format`, …). */
  resolved: ResolvedOptions;
  /** Which trace folders stay. */
  keep: KeepTraces;
}

/** The transformer's file (`dist/jest.js`), as Jest names it in a project's `transform`. */
export const TRANSFORMER_FILE: string = fileURLToPath(new URL("./jest.js", import.meta.url));

/**
 * Checks the options of one Jest project (`rootDir`: relative `include`, `exclude`,
 * `traceFilter` and the project's `.codetracer/trace-filter.toml` are taken from there).
 *
 * @param raw - the transformer's options (Jest's `transformerConfig`; `undefined` or `{}` when none)
 * @param rootDir - the project's root (absolute)
 * @param env - the environment (`CODETRACER_TRACE`, `CODETRACER_ENABLED`, `CODETRACER_FORMAT`,
 *   `CODETRACER_KEEP`, `CODETRACER_TRACE_FILTER`, `CODETRACER_JS_INCLUDE`, `CODETRACER_JS_EXCLUDE`)
 * @returns the resolved options
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an unknown option or a bad value (naming the
 *   option or the variable); EnvironmentError `ERR_IO` for a missing trace-filter file
 */
export function resolveJestOptions(raw: unknown, rootDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedJestOptions {
  const { keep: keepOption, ...rest } = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : raw === undefined || raw === null ? {} : raw) as Record<
    string,
    unknown
  >;
  for (const key of ["target", "forceBuildInstrument"]) {
    if (key in rest) {
      throw new UsageError("ERR_INVALID_POLICY_VALUE", `codetracer-js-recorder/jest: option "${key}" does not apply to Jest (test files run on Node)`, {
        option: key,
      });
    }
  }
  const keep = resolveKeep(keepOption, env);
  const resolved = resolveOptions({ ...rest, target: "node" }, env, rootDir);
  return { resolved, keep };
}

/**
 * The transformer's options in a Jest project config: those of its `transform` entry (the
 * first one naming {@link TRANSFORMER_FILE}), or `undefined` when the project does not use it.
 *
 * @param transform - `projectConfig.transform`: `[pattern, transformer file, options]` triples
 * @param realpath - a file's real path (Jest may name the transformer through a symlink)
 */
export function transformerOptionsOf(
  transform: ReadonlyArray<readonly [string, string, unknown]> | undefined,
  realpath: (file: string) => string,
): { options: unknown } | undefined {
  const own = realpath(TRANSFORMER_FILE);
  for (const entry of transform ?? []) {
    if (realpath(entry[1]) === own) return { options: entry[2] };
  }
  return undefined;
}
