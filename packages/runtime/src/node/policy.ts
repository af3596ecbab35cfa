/**
 * The recorder's policy: one set of settings per thread, changed by {@link configurePolicy},
 * read back by {@link policySnapshot}, and set from `CODETRACER_*` variables by
 * {@link configurePolicyFromEnv}. The settings and variables are those of the CodeTracer Python
 * recorder, in TypeScript naming (docs/errors.md, "Policy").
 *
 * | setting | variable | default | effect |
 * |---|---|---|---|
 * | `onRecorderError` | `CODETRACER_ON_RECORDER_ERROR` (`abort`/`disable`) | `abort` | what an internal recorder failure does (see {@link OnRecorderError}) |
 * | `requireTrace` | `CODETRACER_REQUIRE_TRACE` | `false` | stopping a session that recorded no instrumented code fails with `ERR_TRACE_MISSING` |
 * | `keepPartialTrace` | `CODETRACER_KEEP_PARTIAL_TRACE` | `false` | after a `disable` detach, keep the trace written so far (else it is removed at stop) |
 * | `logLevel` | `CODETRACER_LOG` or `CODETRACER_LOG_LEVEL`, else `RUST_LOG` (lenient: see `log-spec.ts`) | `warn` | log filter: `level` or `target=level` entries separated by `,` |
 * | `logFile` | `CODETRACER_LOG_FILE` (empty: stderr) | stderr | where the JSON log lines go |
 * | `jsonErrors` | `CODETRACER_JSON_ERRORS` | `false` | one JSON line on stderr per recorder error (see `log.ts`) |
 * | `ioCapture` | `CODETRACER_CAPTURE_IO` | `true` | stdout/stderr writes become `Event` records |
 *
 * Booleans accept `1/true/t/yes/y/on` and `0/false/f/no/n/off` (any case).
 */
import { UsageError } from "../errors.js";
import { formatLogSpec, parseLogSpec } from "./log-spec.js";

/**
 * What an internal recorder failure does:
 * - `abort`: the recording ends there (the trace written so far is finished and kept) and the
 *   failure is thrown into the program, as an `InternalError`, at the call of the recorder
 *   that failed;
 * - `disable`: the recorder detaches and the program runs on as if it were not recorded; the
 *   partial trace is kept or removed at stop as {@link RecorderPolicy.keepPartialTrace} says.
 */
export type OnRecorderError = "abort" | "disable";

/** The policy's settings. */
export interface RecorderPolicy {
  /** @default "abort" */
  onRecorderError: OnRecorderError;
  /** @default false */
  requireTrace: boolean;
  /** @default false */
  keepPartialTrace: boolean;
  /** Log filter (`warn`, `codetracer=info,codetracer.io=debug`); `undefined`: `warn`. */
  logLevel: string | undefined;
  /** Log file (appended to); `undefined`: stderr. */
  logFile: string | undefined;
  /** @default false */
  jsonErrors: boolean;
  /** Capture stdout and stderr writes as trace events. @default true */
  ioCapture: boolean;
}

/** The defaults of every setting. */
export const DEFAULT_POLICY: Readonly<RecorderPolicy> = Object.freeze({
  onRecorderError: "abort",
  requireTrace: false,
  keepPartialTrace: false,
  logLevel: undefined,
  logFile: undefined,
  jsonErrors: false,
  ioCapture: true,
});

let current: RecorderPolicy = { ...DEFAULT_POLICY };
const listeners = new Set<(policy: Readonly<RecorderPolicy>) => void>();

function invalid(setting: string, value: unknown, expected: string): UsageError {
  return new UsageError("ERR_INVALID_POLICY_VALUE", `invalid value ${JSON.stringify(value)} for policy setting ${setting} (expected ${expected})`, {
    setting,
    value: String(value),
  });
}

/**
 * Changes the given settings (the others keep their values) and returns the new policy.
 * Nothing changes when any value is invalid.
 *
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an unknown setting, a value of the wrong
 *   type, an `onRecorderError` other than `abort`/`disable`, or a `logLevel` that does not parse.
 */
export function configurePolicy(update: Partial<RecorderPolicy>): Readonly<RecorderPolicy> {
  const next = { ...current };
  for (const [key, value] of Object.entries(update ?? {})) {
    if (value === undefined && key !== "logLevel" && key !== "logFile") continue;
    switch (key) {
      case "onRecorderError":
        if (value !== "abort" && value !== "disable") throw invalid(key, value, "abort or disable");
        next.onRecorderError = value;
        break;
      case "requireTrace":
      case "keepPartialTrace":
      case "jsonErrors":
      case "ioCapture":
        if (typeof value !== "boolean") throw invalid(key, value, "a boolean");
        next[key] = value;
        break;
      case "logLevel":
        if (value !== undefined && typeof value !== "string") throw invalid(key, value, "a log filter string");
        if (value) parseLogSpec(value, (message) => invalid(key, value, message));
        next.logLevel = value || undefined;
        break;
      case "logFile":
        if (value !== undefined && typeof value !== "string") throw invalid(key, value, "a file path");
        next.logFile = value || undefined;
        break;
      default:
        throw new UsageError("ERR_INVALID_POLICY_VALUE", `unknown policy setting ${JSON.stringify(key)}`, { setting: key });
    }
  }
  current = next;
  for (const listener of listeners) listener(current);
  return policySnapshot();
}

/** A copy of the current policy. */
export function policySnapshot(): Readonly<RecorderPolicy> {
  return Object.freeze({ ...current });
}

/** Puts every setting back to its default. */
export function resetPolicy(): void {
  configurePolicy({ ...DEFAULT_POLICY });
}

/** Calls `listener` with the policy now and after each change; returns a function removing it. */
export function onPolicyChange(listener: (policy: Readonly<RecorderPolicy>) => void): () => void {
  listeners.add(listener);
  listener(current);
  return () => listeners.delete(listener);
}

const TRUE = new Set(["1", "true", "t", "yes", "y", "on"]);
const FALSE = new Set(["0", "false", "f", "no", "n", "off"]);

/**
 * True when an environment value is one of the policy's true words (`1/true/t/yes/y/on`, any
 * case, spaces around ignored); false for anything else, unset included. For reading a flag where
 * an invalid value must not throw (the value is validated elsewhere).
 */
export function isEnvTrue(raw: string | undefined): boolean {
  return raw !== undefined && TRUE.has(raw.trim().toLowerCase());
}

/**
 * A boolean variable's value: `1/true/t/yes/y/on` or `0/false/f/no/n/off` (any case).
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for anything else, naming `variable`
 */
export function parseEnvBoolean(variable: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new UsageError("ERR_INVALID_POLICY_VALUE", `${variable} must be a boolean (1/true/yes/on or 0/false/no/off), got ${JSON.stringify(raw)}`, {
    variable,
    value: raw,
  });
}

/**
 * `CODETRACER_CAPTURE_IO` as the Python recorder reads it: empty = default (on);
 * `off/0/false/none/disable/disabled` = off; `on/1/true/enable/enabled` = on; or a list split
 * on `,` or `+` of `proxies`/`proxy` (on) and `fd`/`mirror`/`fallback` (file-descriptor
 * capture, which Node cannot do: writes made below the streams, by native code, are not seen).
 */
function envIoCapture(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === "") return DEFAULT_POLICY.ioCapture;
  if (["off", "0", "false", "none", "disable", "disabled", "no"].includes(v)) return false;
  if (["on", "1", "true", "enable", "enabled", "yes"].includes(v)) return true;
  const parts = v.split(/[,+]/).map((p) => p.trim());
  if (parts.length > 0 && parts.every((p) => ["proxies", "proxy", "fd", "mirror", "fallback"].includes(p))) return true;
  throw new UsageError("ERR_INVALID_POLICY_VALUE", `CODETRACER_CAPTURE_IO must be off, on, or a list of proxies/fd, got ${JSON.stringify(raw)}`, {
    variable: "CODETRACER_CAPTURE_IO",
    value: raw,
  });
}

/**
 * The policy settings `env` sets (unset and empty variables are left out, except
 * `CODETRACER_LOG_FILE`, whose empty value means stderr).
 *
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` naming the variable for an invalid value.
 */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<RecorderPolicy> {
  const update: Partial<RecorderPolicy> = {};
  const onError = env.CODETRACER_ON_RECORDER_ERROR?.trim().toLowerCase();
  if (onError) {
    if (onError !== "abort" && onError !== "disable") {
      throw new UsageError(
        "ERR_INVALID_POLICY_VALUE",
        `CODETRACER_ON_RECORDER_ERROR must be abort or disable, got ${JSON.stringify(env.CODETRACER_ON_RECORDER_ERROR)}`,
        {
          variable: "CODETRACER_ON_RECORDER_ERROR",
          value: String(env.CODETRACER_ON_RECORDER_ERROR),
        },
      );
    }
    update.onRecorderError = onError;
  }
  const booleans = [
    ["CODETRACER_REQUIRE_TRACE", "requireTrace"],
    ["CODETRACER_KEEP_PARTIAL_TRACE", "keepPartialTrace"],
    ["CODETRACER_JSON_ERRORS", "jsonErrors"],
  ] as const;
  for (const [variable, setting] of booleans) {
    const raw = env[variable];
    if (raw !== undefined && raw.trim() !== "") update[setting] = parseEnvBoolean(variable, raw);
  }
  const level = env.CODETRACER_LOG || env.CODETRACER_LOG_LEVEL;
  const rustLog = env.RUST_LOG;
  if (!level && rustLog) {
    // The other CodeTracer recorders' variable, shared with other programs: read leniently
    // (see ParseLogSpecOptions.lenient), never an error; CODETRACER_LOG wins when both are set.
    update.logLevel = formatLogSpec(parseLogSpec(rustLog, (message) => new UsageError("ERR_INVALID_POLICY_VALUE", message), { lenient: true }));
  }
  if (level) {
    const variable = env.CODETRACER_LOG ? "CODETRACER_LOG" : "CODETRACER_LOG_LEVEL";
    parseLogSpec(
      level,
      (message) => new UsageError("ERR_INVALID_POLICY_VALUE", `${variable}: ${message}, got ${JSON.stringify(level)}`, { variable, value: level }),
    );
    update.logLevel = level;
  }
  if (env.CODETRACER_LOG_FILE !== undefined) update.logFile = env.CODETRACER_LOG_FILE || undefined;
  if (env.CODETRACER_CAPTURE_IO !== undefined) update.ioCapture = envIoCapture(env.CODETRACER_CAPTURE_IO);
  return update;
}

/**
 * Applies {@link policyFromEnv}`(env)` with {@link configurePolicy}; returns the new policy.
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` naming the variable for an invalid value.
 */
export function configurePolicyFromEnv(env: NodeJS.ProcessEnv = process.env): Readonly<RecorderPolicy> {
  return configurePolicy(policyFromEnv(env));
}
