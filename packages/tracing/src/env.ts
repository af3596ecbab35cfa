/**
 * The OpenTelemetry SDK environment variables this package honours (docs/spans.md,
 * "OpenTelemetry environment variables"), parsed as the OpenTelemetry specification says
 * ("Environment Variable Specification", "OTLP Exporter Configuration Options"): an empty value
 * is the same as an unset one; a value that cannot be used is ignored with one warning naming
 * the variable (never a throw), and the next source applies (the general variable for a
 * per-signal one, else the default).
 *
 * Warnings, and the tracer's report of failing exports, are JSON lines in the shape of the
 * recorder's log (`{"ts_micros", "level", "target", "message"}`, plus `error_code` and `fields`
 * when there are some) with the target `codetracer.tracing`: on stderr, or appended to
 * `CODETRACER_LOG_FILE` when it is set; `CODETRACER_LOG` / `CODETRACER_LOG_LEVEL` filter them as
 * they filter the recorder's records. This package does not depend on the recorder, so it has
 * no `run_id` to add.
 */
import { appendFileSync } from "node:fs";

/** The log target of this package's records. */
export const LOG_TARGET = "codetracer.tracing";

/** The longest timer Node keeps (2³¹ − 1 ms, about 24.8 days): what a timeout of 0 ("no limit") becomes. */
export const NO_LIMIT_MS = 2 ** 31 - 1;

const RANK: Record<string, number> = { off: 0, error: 1, warn: 2, warning: 2, info: 3, debug: 4, trace: 5 };

/**
 * The rank of the level `CODETRACER_LOG` (or `CODETRACER_LOG_LEVEL`) sets for
 * {@link LOG_TARGET}: a bare level for every target, or `target=level` entries (the longest
 * target that is `codetracer.tracing` or above it wins). Default `warn`. Entries that are not
 * understood are skipped (the recorder reports those).
 */
function levelRank(): number {
  const spec = process.env.CODETRACER_LOG || process.env.CODETRACER_LOG_LEVEL;
  if (!spec) return RANK.warn!;
  let rank = RANK.warn!;
  let best = -1;
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    const eq = entry.indexOf("=");
    const target = eq < 0 ? "" : entry.slice(0, eq).trim().replace(/::/g, ".");
    const level = RANK[(eq < 0 ? entry : entry.slice(eq + 1)).trim().toLowerCase()];
    if (eq < 0 && level === undefined && /^codetracer(?:(?:\.|::)[\w-]+)*$/.test(entry)) {
      // A bare target: every level for it.
      const t = entry.replace(/::/g, ".");
      if ((LOG_TARGET === t || LOG_TARGET.startsWith(`${t}.`)) && t.length > best) [rank, best] = [RANK.trace!, t.length];
      continue;
    }
    if (level === undefined) continue;
    if (eq < 0) {
      if (best < 0) rank = level;
    } else if ((LOG_TARGET === target || LOG_TARGET.startsWith(`${target}.`)) && target.length > best) {
      [rank, best] = [level, target.length];
    }
  }
  return rank;
}

/**
 * Writes one log record (see the module documentation) if `CODETRACER_LOG` lets `level` through
 * for {@link LOG_TARGET}. Never throws: a log file that cannot be written sends the record to
 * stderr; a closed stderr loses it.
 * @param level - `warn` or `error`
 * @param details - `errorCode`: the `ERR_*` code the record is about; `fields`: anything else
 */
export function logRecord(level: "warn" | "error", message: string, details: { errorCode?: string; fields?: Record<string, unknown> } = {}): void {
  if (RANK[level]! > levelRank()) return;
  const record: Record<string, unknown> = {
    ts_micros: Math.round((performance.timeOrigin + performance.now()) * 1000),
    level: level.toUpperCase(),
    target: LOG_TARGET,
    ...(details.errorCode ? { error_code: details.errorCode } : {}),
    message,
    ...(details.fields ? { fields: details.fields } : {}),
  };
  let line: string;
  try {
    line = `${JSON.stringify(record)}\n`;
  } catch {
    line = `${JSON.stringify({ ...record, fields: String(details.fields) })}\n`;
  }
  const file = process.env.CODETRACER_LOG_FILE;
  if (file) {
    try {
      appendFileSync(file, line);
      return;
    } catch {
      // fall back to stderr
    }
  }
  try {
    process.stderr.write(line);
  } catch {
    // stderr closed: nothing to do
  }
}

/** `variable=value` pairs already warned about: one warning each per process, however many tracers and exporters read them. */
const warned = new Set<string>();

/** Warns once (per variable and value) that `variable`'s value is ignored, and why. */
export function warnEnv(variable: string, value: string, why: string): void {
  const key = `${variable}=${value}`;
  if (warned.has(key)) return;
  warned.add(key);
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  logRecord("warn", `${variable}=${JSON.stringify(shown)} is ignored: ${why}`, { errorCode: "ERR_INVALID_ENV", fields: { variable } });
}

/** The value of `name`, or undefined when it is unset or empty (the specification: an empty value is an unset one). */
export function envString(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * A boolean variable: true only for `true` in any case; false when unset, empty or `false`;
 * any other value is false with a warning.
 */
export function envBoolean(name: string): boolean {
  const value = envString(name);
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === "true") return true;
  if (v !== "false") warnEnv(name, value, "a boolean is true or false; false applies");
  return false;
}

/** What {@link envInteger} accepts. */
export interface IntegerRule {
  /** The smallest valid value: 1 for sizes, 0 for durations and timeouts. */
  min: 0 | 1;
  /** What the value means, for the warning (e.g. "a positive integer (spans)"). */
  what: string;
}

/**
 * An integer variable (decimal digits, at most 2³¹ − 1), or undefined when it is unset, empty
 * or invalid (not an integer, negative, below `rule.min`, too large: one warning).
 */
export function envInteger(name: string, rule: IntegerRule): number | undefined {
  const value = envString(name);
  if (value === undefined) return undefined;
  const text = value.trim();
  const n = /^\+?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < rule.min || n > NO_LIMIT_MS) {
    warnEnv(name, value, `not ${rule.what}`);
    return undefined;
  }
  return n;
}

/**
 * A timeout in milliseconds (the specification's "Timeout": 0 means no limit, here
 * {@link NO_LIMIT_MS}), or undefined (unset, empty, or invalid with a warning).
 */
export function envTimeout(name: string): number | undefined {
  const ms = envInteger(name, { min: 0, what: "a timeout in milliseconds (an integer, 0 for no limit)" });
  return ms === 0 ? NO_LIMIT_MS : ms;
}

/** An `http:` or `https:` URL variable, or undefined (unset, empty, or not such a URL: a warning). */
export function envUrl(name: string): string | undefined {
  const value = envString(name);
  if (value === undefined) return undefined;
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    warnEnv(name, value, "not a URL");
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    warnEnv(name, value, `the scheme is ${url.protocol.slice(0, -1)}; OTLP/HTTP takes http or https`);
    return undefined;
  }
  return text;
}

/** The entries of a `key1=value1,key2=value2` list (W3C baggage-like, keys and values percent-decoded), or why it is invalid. */
function parsePairs(value: string): { pairs: Array<[string, string]> } | { error: string } {
  const pairs: Array<[string, string]> = [];
  for (const raw of value.split(",")) {
    const entry = raw.split(";")[0]!.trim(); // W3C properties (`;…`) are not supported: dropped
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    if (eq < 0) return { error: `"${entry}" is not key=value` };
    let key: string;
    let val: string;
    try {
      key = decodeURIComponent(entry.slice(0, eq).trim());
      val = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      return { error: `"${entry}" has an invalid percent-encoding` };
    }
    if (key === "") return { error: `"${entry}" has an empty key` };
    pairs.push([key, val]);
  }
  return { pairs };
}

/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** An HTTP header value Node sends (no control characters but tab). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The headers of an `OTEL_EXPORTER_OTLP_*HEADERS` variable (`key=value,…`, percent-decoded;
 * names lower-cased), or an empty record. The whole value is ignored, with one warning, when
 * an entry is not `key=value`, cannot be decoded, or is not a valid HTTP header name and value.
 */
export function envHeaders(name: string): Record<string, string> {
  const value = envString(name);
  if (value === undefined) return {};
  const parsed = parsePairs(value);
  if ("error" in parsed) {
    warnEnv(name, value, parsed.error);
    return {};
  }
  const headers: Record<string, string> = {};
  for (const [key, val] of parsed.pairs) {
    if (!TOKEN.test(key) || !FIELD_VALUE.test(val)) {
      warnEnv(name, value, `"${key}" is not a valid HTTP header name and value`);
      return {};
    }
    headers[key.toLowerCase()] = val;
  }
  return headers;
}

/**
 * The attributes of `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`, percent-decoded, all strings), or
 * an empty record. As the specification says, the whole value is discarded (one warning) when
 * an entry is not `key=value` or cannot be decoded.
 */
export function envResourceAttributes(name = "OTEL_RESOURCE_ATTRIBUTES"): Record<string, string> {
  const value = envString(name);
  if (value === undefined) return {};
  const parsed = parsePairs(value);
  if ("error" in parsed) {
    warnEnv(name, value, parsed.error);
    return {};
  }
  return Object.fromEntries(parsed.pairs);
}
