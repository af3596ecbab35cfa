/**
 * The value capture bounds (`ValueCaptureLimits`) from `CODETRACER_MAX_*` variables, the CLI
 * flags that set them, and the session API's `limits` option: checked once, before recording.
 */
import { UsageError } from "../errors.js";
import { DEFAULT_VALUE_LIMITS, type ValueCaptureLimits } from "../values.js";

/** The variable of each bound, and its smallest allowed value. */
export const LIMIT_VARIABLES: Readonly<Record<keyof ValueCaptureLimits, { variable: string; min: number }>> = Object.freeze({
  maxDepth: { variable: "CODETRACER_MAX_DEPTH", min: 0 },
  maxItems: { variable: "CODETRACER_MAX_ITEMS", min: 1 },
  maxStringLength: { variable: "CODETRACER_MAX_STRING_LENGTH", min: 1 },
  maxBytes: { variable: "CODETRACER_MAX_VALUE_BYTES", min: 256 },
});

/** Largest value of any bound (2^31 - 1). */
export const MAX_LIMIT = 0x7fffffff;

function badLimit(name: keyof ValueCaptureLimits, raw: unknown, source: string): UsageError {
  const { min } = LIMIT_VARIABLES[name];
  return new UsageError(
    "ERR_INVALID_POLICY_VALUE",
    `${source} must be an integer from ${min} to ${MAX_LIMIT}, got ${JSON.stringify(raw)} (default ${DEFAULT_VALUE_LIMITS[name]})`,
    { setting: name, value: String(raw) },
  );
}

/**
 * Checks value capture bounds given in code (the session API's `limits`).
 * @returns the bounds given (unknown keys are rejected)
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for an unknown key, or a value that is not an
 *   integer in its range (`maxDepth` ≥ 0, `maxItems` ≥ 1, `maxStringLength` ≥ 1, `maxBytes` ≥ 256, all ≤ 2^31 - 1)
 */
export function checkLimits(limits: Partial<ValueCaptureLimits>): Partial<ValueCaptureLimits> {
  const out: Partial<ValueCaptureLimits> = {};
  for (const [key, value] of Object.entries(limits)) {
    if (!Object.hasOwn(LIMIT_VARIABLES, key)) {
      throw new UsageError("ERR_INVALID_POLICY_VALUE", `unknown value limit ${JSON.stringify(key)} (known: ${Object.keys(LIMIT_VARIABLES).join(", ")})`, {
        setting: key,
      });
    }
    const name = key as keyof ValueCaptureLimits;
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < LIMIT_VARIABLES[name].min || value > MAX_LIMIT)
      throw badLimit(name, value, `limits.${name}`);
    out[name] = value;
  }
  return out;
}

/**
 * The bounds set by `CODETRACER_MAX_DEPTH`, `CODETRACER_MAX_ITEMS`,
 * `CODETRACER_MAX_STRING_LENGTH` and `CODETRACER_MAX_VALUE_BYTES` (unset or empty: the default).
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for a value that is not a decimal integer in range
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ValueCaptureLimits> {
  const out: Partial<ValueCaptureLimits> = {};
  for (const name of Object.keys(LIMIT_VARIABLES) as Array<keyof ValueCaptureLimits>) {
    const { variable, min } = LIMIT_VARIABLES[name];
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= min && value <= MAX_LIMIT)) throw badLimit(name, raw, variable);
    out[name] = value;
  }
  return out;
}
