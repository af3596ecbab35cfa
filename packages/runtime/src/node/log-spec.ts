/**
 * The log filter syntax (`CODETRACER_LOG`, else `RUST_LOG` as the other CodeTracer recorders
 * read it; policy `logLevel`), after `RUST_LOG`'s: entries
 * separated by `,`, each a bare level (the default for every target) or `target=level`. A target
 * applies to itself and to the targets below it (`codetracer.session` covers
 * `codetracer.session.stop`; `::` may be written for `.`). The longest matching target wins.
 * Levels, most to least severe: `error`, `warn`, `info`, `debug`, `trace`; `off` logs nothing.
 */
import { StringPrototypeStartsWith } from "../primordials.js";

/** A log level; `off` disables logging. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug" | "trace";

/** Severity rank: a record is written when its rank is at most the filter's. */
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/** A parsed filter: the default level and per-target levels. */
export interface LogSpec {
  defaultLevel: LogLevel;
  targets: Array<{ target: string; level: LogLevel }>;
}

/** The filter when none is set: warnings and errors. */
export const DEFAULT_LOG_SPEC: LogSpec = { defaultLevel: "warn", targets: [] };

function level(text: string): LogLevel | undefined {
  const l = text.trim().toLowerCase();
  if (l === "warning") return "warn";
  return l in LOG_LEVEL_RANK ? (l as LogLevel) : undefined;
}

/** Options of {@link parseLogSpec}. */
export interface ParseLogSpecOptions {
  /**
   * Read the filter as `RUST_LOG` is read by the other CodeTracer recorders' `env_logger`:
   * it is shared with other programs, so what this recorder does not understand is skipped
   * instead of failing: a bare word that is not a level is another program's target (every
   * level for it, which matches none of the recorder's targets), an entry with an unknown
   * level is ignored, and `env_logger`'s `/regex` message filter suffix is dropped. Default
   * `false` (`CODETRACER_LOG`: every entry must be valid).
   */
  lenient?: boolean;
}

/**
 * Parses a filter.
 * @param fail - builds the error thrown for a bad entry, from a description of what is wrong
 * @param options - see {@link ParseLogSpecOptions}
 * @throws whatever `fail` returns, for an empty entry or an unknown level (never with `lenient`)
 */
export function parseLogSpec(spec: string, fail: (message: string) => Error, options: ParseLogSpecOptions = {}): LogSpec {
  const out: LogSpec = { defaultLevel: "warn", targets: [] };
  const lenient = options.lenient === true;
  if (lenient) {
    const slash = spec.indexOf("/");
    if (slash >= 0) spec = spec.slice(0, slash);
  }
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    if (eq < 0) {
      const l = level(entry);
      // A bare target name (RUST_LOG's `codetracer`) means every level for it. Only the
      // recorder's own targets exist, so another word is a mistyped level (in RUST_LOG,
      // another program's target).
      if (l) out.defaultLevel = l;
      else if (/^codetracer(?:(?:\.|::)[\w-]+)*$/.test(entry)) out.targets.push({ target: normaliseTarget(entry), level: "trace" });
      else if (lenient) out.targets.push({ target: normaliseTarget(entry), level: "trace" });
      else throw fail(`'${entry}' is not a log level (off, error, warn, info, debug, trace) or a codetracer target`);
      continue;
    }
    const target = entry.slice(0, eq).trim();
    const l = level(entry.slice(eq + 1));
    if (lenient && (!target || !l)) continue;
    if (!target || !l) throw fail(`'${entry}' is not target=level with a level of off, error, warn, info, debug, trace`);
    out.targets.push({ target: normaliseTarget(target), level: l });
  }
  out.targets.sort((a, b) => b.target.length - a.target.length);
  return out;
}

function normaliseTarget(target: string): string {
  return target.replace(/::/g, ".");
}

/** The level that applies to `target` under `spec`. */
export function levelFor(spec: LogSpec, target: string): LogLevel {
  // Asked at every log call, also while (and after) the program runs: captured built-ins only.
  const targets = spec.targets;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (target === t.target || StringPrototypeStartsWith(target, `${t.target}.`)) return t.level;
  }
  return spec.defaultLevel;
}

/**
 * `spec` written back in the filter syntax (`level,target=level,…`), which {@link parseLogSpec}
 * reads strictly as the same filter: how a lenient `RUST_LOG` value becomes the policy's
 * `logLevel`.
 */
export function formatLogSpec(spec: LogSpec): string {
  let text = spec.defaultLevel;
  for (let i = spec.targets.length - 1; i >= 0; i--) text += `,${spec.targets[i]!.target}=${spec.targets[i]!.level}`;
  return text;
}
