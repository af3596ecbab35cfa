/**
 * The recorder's environment variables that say what to record and where, read the same way by
 * every front door: the CLI (`codetracer-js-recorder`), the Node loader
 * (`codetracer-js-recorder/register`, the same module as `@codetracer/register`), the session API
 * (`start()`'s auto-start from the environment) and the bundler plugin (`unplugin-codetracer`).
 * The table is in the root README ("Environment variables").
 *
 * | variable | meaning | old name (still read, with a one-time warning) |
 * |---|---|---|
 * | `CODETRACER_TRACE` | the trace folder | `CODETRACER_JS_RECORDER_OUT_DIR` |
 * | `CODETRACER_JS_INCLUDE` | globs of files to record too (see {@link globsFromEnv}) | |
 * | `CODETRACER_JS_EXCLUDE` | globs of files never to record | |
 *
 * Used when the recorder starts (before the program runs, or in the CLI and the bundler), never
 * while a program is recorded; it still calls only built-ins captured at load.
 */
import { UsageError } from "../errors.js";
import { log } from "./log.js";
import {
  ArrayIsArray,
  ArrayPrototypeEvery,
  ArrayPrototypePush,
  JSONParse,
  JSONStringify,
  ObjectKeys,
  SafeSet,
  StringPrototypeSplit,
  StringPrototypeStartsWith,
  StringPrototypeTrim,
} from "../primordials.js";

/** The trace folder: the CLI's `--trace-dir` default, the loader's folder, the API's auto-start, the bundler plugin's switch and `traceDir` default. */
export const TRACE_DIR_ENV = "CODETRACER_TRACE";
/** Globs of files to record besides the default (the CLI's `--include`, the plugin's `include`). */
export const INCLUDE_ENV = "CODETRACER_JS_INCLUDE";
/** Globs of files never to record (the CLI's `--exclude`, the plugin's `exclude`). */
export const EXCLUDE_ENV = "CODETRACER_JS_EXCLUDE";

/** Each deprecated variable and the name that replaces it (same meaning, same value syntax). */
export const DEPRECATED_ENV_NAMES: Readonly<Record<string, string>> = Object.freeze({
  CODETRACER_JS_RECORDER_OUT_DIR: TRACE_DIR_ENV,
});

/** Receives the deprecation message for an old variable name (once per name and process). */
export type DeprecationWarn = (message: string) => void;

/** The default report: a `warn` record of the recorder's log (target `codetracer.config`, JSON line on stderr or `CODETRACER_LOG_FILE`). */
const logDeprecation: DeprecationWarn = (message) => log("warn", "codetracer.config", message);

/** The old names already reported in this process. */
const warned = new SafeSet<string>();

/**
 * The value of the variable `canonical` in `env`, or, when it is unset or empty, of its
 * deprecated name (see {@link DEPRECATED_ENV_NAMES}); the first use of an old name in a process
 * reports `<old> is deprecated: use <canonical>` to `warn` (default: the recorder's log). An
 * old name is not reported when the new one is set (the CLI sets `CODETRACER_TRACE` for the
 * program it records, which still inherits the old variable).
 *
 * @param env - the environment (`process.env`)
 * @param canonical - the variable's name, e.g. {@link TRACE_DIR_ENV}
 * @param warn - where the deprecation message goes
 * @returns the value, `undefined` when neither name is set to a non-empty value
 */
export function readEnv(env: NodeJS.ProcessEnv, canonical: string, warn: DeprecationWarn = logDeprecation): string | undefined {
  const value = env[canonical];
  if (value !== undefined && value !== "") return value;
  const names = DEPRECATED_ENV_NAMES;
  const olds = ObjectKeys(names);
  for (let i = 0; i < olds.length; i++) {
    const old = olds[i]!;
    if (names[old] !== canonical) continue;
    const oldValue = env[old];
    if (oldValue === undefined || oldValue === "") continue;
    if (!warned.has(old)) {
      warned.add(old);
      warn(`${old} is deprecated: use ${canonical} (same meaning; the old name will be removed in a later release)`);
    }
    return oldValue;
  }
  return undefined;
}

/**
 * The trace folder named by the environment: `CODETRACER_TRACE`, else the deprecated
 * `CODETRACER_JS_RECORDER_OUT_DIR` (reported once, see {@link readEnv}), else `undefined`.
 * As given: a relative path is relative to the working directory of whoever reads it.
 */
export function traceDirFromEnv(env: NodeJS.ProcessEnv, warn?: DeprecationWarn): string | undefined {
  return readEnv(env, TRACE_DIR_ENV, warn);
}

/**
 * The globs of an include/exclude variable ({@link INCLUDE_ENV}, {@link EXCLUDE_ENV}), in either
 * of two forms:
 * - a JSON array of strings, `["node_modules/marked/**","lib/**"]` (what the CLI passes to the
 *   program it records), recognized by its leading `[` when it parses as JSON or starts `["`;
 * - a list separated by `::`, as `CODETRACER_TRACE_FILTER` is (`node_modules/marked/**::lib/**`);
 *   empty entries are dropped and spaces are kept (a glob may contain them). Not `,`: a glob's
 *   `{a,b}` has commas. A lone glob is a list of one (`[abc]*.js` too, as it is not JSON).
 *
 * @param env - the environment
 * @param name - the variable
 * @returns the globs, in order; `[]` when unset or empty
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` (context `variable`) for a JSON value that is not
 *   an array of strings, or a value starting `["` that is not valid JSON
 */
export function globsFromEnv(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || StringPrototypeTrim(raw) === "") return [];
  const trimmed = StringPrototypeTrim(raw);
  if (StringPrototypeStartsWith(trimmed, "[")) {
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSONParse(trimmed);
    } catch {
      isJson = false;
    }
    if (isJson) {
      if (ArrayIsArray(parsed) && ArrayPrototypeEvery(parsed as unknown[], (v) => typeof v === "string")) return parsed as string[];
      throw invalidGlobs(name, raw);
    }
    if (StringPrototypeStartsWith(trimmed, '["')) throw invalidGlobs(name, raw);
  }
  const globs: string[] = [];
  const parts = StringPrototypeSplit(raw, "::");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part !== "") ArrayPrototypePush(globs, part);
  }
  return globs;
}

function invalidGlobs(name: string, raw: string): UsageError {
  return new UsageError("ERR_INVALID_POLICY_VALUE", `${name} must be a JSON array of glob strings or globs separated by '::', got ${JSONStringify(raw)}`, {
    variable: name,
  });
}
