/**
 * The loader's configuration, read from the environment (the CLI sets these variables for the
 * process it starts; a user of `node --import codetracer-js-recorder/register` (the same module
 * as `@codetracer/register`) may set them too). The names and their parsing are the ones every
 * front door shares: `@codetracer/runtime`'s `env-names.ts`, table in the root README.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `CODETRACER_TRACE` | trace directory (the deprecated `CODETRACER_JS_RECORDER_OUT_DIR` is read too, with a one-time warning) | `./trace-out` |
 * | `CODETRACER_FORMAT` | `json` or `binary` | `binary` |
 * | `CODETRACER_ACTIVATION_PATH` | record nothing until this file is entered | unset |
 * | `CODETRACER_JS_INCLUDE` | globs to record (as `file:glob:` filter selectors) (widens the default): a JSON array, or globs separated by `::` | none |
 * | `CODETRACER_JS_EXCLUDE` | globs never to record, in the same forms | none |
 * | `CODETRACER_JS_CWD` | directory globs are relative to | the process's working directory |
 * | `CODETRACER_TRACE_FILTER` | trace-filter files, `::`-separated, after the builtin and the project's `.codetracer/trace-filter.toml` | none |
 * | `CODETRACER_PARENT` | set by a recorded process for its children (JSON: its pid, the root trace folder, its own folder): a child told to record into that root records into `<root>/children/<pid>` (`@codetracer/runtime` children.ts) | unset |
 */
import * as path from "node:path";
import { type ValueCaptureLimits } from "@codetracer/runtime";
import { EXCLUDE_ENV, globsFromEnv, INCLUDE_ENV, limitsFromEnv, parseEnvBoolean, traceDirFromEnv } from "@codetracer/runtime/internal";
import { transformCacheDir } from "./transform-cache.js";
import { traceFilterPaths } from "./trace-filter.js";

/** Resolved loader configuration; also passed to the module hooks thread as `data` (where Node has no `module.registerHooks`). */
export interface LoaderConfig {
  traceDir: string;
  format: string;
  activationPath: string | undefined;
  include: string[];
  exclude: string[];
  cwd: string;
  /** Package roots never instrumented: the recorder's own packages. */
  ownRoots: string[];
  /**
   * Trace-filter files after the builtin, in chain order (absolute paths): the project's
   * `.codetracer/trace-filter.toml` found from the entry script, then `CODETRACER_TRACE_FILTER`'s.
   */
  traceFilters: string[];
  /** Value capture bounds from `CODETRACER_MAX_*` (only those set). */
  limits: Partial<ValueCaptureLimits>;
  /**
   * The transform cache folder (`CODETRACER_CACHE_DIR`, default the project's
   * `node_modules/.cache/codetracer`, else the user's cache folder: see `cache-location.ts`),
   * or `null` when `CODETRACER_CACHE` is off, or no folder can be created or is safe to use
   * (another user's, or writable by group or others: logged as `ERR_INSECURE_CACHE`; see
   * `transform-cache.ts`).
   */
  transformCache: string | null;
}

/**
 * Reads the configuration from `env`; the project's trace filter is looked for from
 * `entryScript`'s folder (else the working directory) up to the project root (a filter file
 * another user could have written is ignored with a warning), and the transform cache folder
 * is created (mode 0700) and checked (an unsafe one is logged as `ERR_INSECURE_CACHE` and not
 * used).
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` when an include/exclude variable is not valid
 *   (see `globsFromEnv`), a `CODETRACER_MAX_*` value limit is not an integer in its range,
 *   `CODETRACER_CACHE` is not a boolean, or `CODETRACER_CACHE_MAX_MB` /
 *   `CODETRACER_CACHE_MAX_AGE_DAYS` is not a positive number.
 */
export function readLoaderConfig(env: NodeJS.ProcessEnv, ownRoots: string[], entryScript?: string): LoaderConfig {
  const cwd = path.resolve(env.CODETRACER_JS_CWD || process.cwd());
  const activation = env.CODETRACER_ACTIVATION_PATH;
  return {
    traceDir: path.resolve(cwd, traceDirFromEnv(env) ?? "trace-out"),
    format: env.CODETRACER_FORMAT || "binary",
    activationPath: activation ? path.resolve(cwd, activation) : undefined,
    include: globsFromEnv(env, INCLUDE_ENV),
    exclude: globsFromEnv(env, EXCLUDE_ENV),
    cwd,
    ownRoots,
    traceFilters: traceFilterPaths(entryScript, cwd, env),
    limits: limitsFromEnv(env),
    transformCache: parseEnvBoolean("CODETRACER_CACHE", env.CODETRACER_CACHE || "1") ? transformCacheDir(env, cwd) : null,
  };
}
