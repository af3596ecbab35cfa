/**
 * Filter counters and the provenance metadata of a chain.
 *
 * @packageDocumentation
 */

import { ObjectKeys } from "@codetracer/trace-format/internal/primordials";
import type { ValueKind } from "./types.js";

/** Counts per value kind, named as in the Python recorder's `trace_filter.stats`. */
export interface ValueKindCounts {
  /** `arg` values. */
  argument: number;
  /** `local` values. */
  local: number;
  /** `global` values. */
  global: number;
  /** `ret` values. */
  return: number;
  /** `attr` values. */
  attribute: number;
}

/** The JSON shape of {@link FilterStats} (`trace_filter.stats` of the Python recorder). */
export interface FilterStatsJSON {
  /** How many scopes were suppressed by `exec = "skip"`. */
  scopes_skipped: number;
  /** How many values were written as `<redacted>`, per kind. */
  value_redactions: ValueKindCounts;
  /** How many values were dropped, per kind. */
  value_drops: ValueKindCounts;
}

/** One filter of a chain as recorded in metadata (chain order). */
export interface FilterProvenance {
  /** `meta.name`. */
  name: string;
  /** Absolute path, or `<inline:builtin-default>` for the builtin. */
  path: string;
  /** SHA-256 of the exact file text, lowercase hex. */
  sha256: string;
  /** `meta.version`. */
  version: number;
}

/** What `FilterChain#metadata` returns: provenance in chain order plus the counters. */
export interface FilterMetadata {
  /** The chain's filters, first (builtin) to last. */
  filters: FilterProvenance[];
  /** The counters. */
  stats: FilterStatsJSON;
}

// Null prototype: a kind that is not one finds nothing (not a property of Object.prototype).
const KIND_KEY: Readonly<Record<ValueKind, keyof ValueKindCounts>> = {
  __proto__: null,
  arg: "argument",
  local: "local",
  global: "global",
  ret: "return",
  attr: "attribute",
} as Record<ValueKind, keyof ValueKindCounts>;

function zero(): ValueKindCounts {
  return { argument: 0, local: 0, global: 0, return: 0, attribute: 0 };
}

/**
 * Counters a recorder increments while applying filter decisions.
 *
 * @example
 * ```ts
 * const stats = new FilterStats();
 * if (decision.exec === "skip") stats.countSkip();
 * if (decision.valueAction("arg", "password") === "redact") stats.countRedaction("arg");
 * chain.metadata(stats); // { filters: [...], stats: { scopes_skipped: 1, ... } }
 * ```
 */
export class FilterStats {
  /** Scopes suppressed so far. */
  scopesSkipped = 0;
  /** Redacted values so far, per kind. */
  readonly redactions: ValueKindCounts = zero();
  /** Dropped values so far, per kind. */
  readonly drops: ValueKindCounts = zero();

  /** Counts one skipped scope. */
  countSkip(): void {
    this.scopesSkipped++;
  }

  /**
   * Counts one redacted value.
   *
   * @param kind - the value's kind
   */
  countRedaction(kind: ValueKind): void {
    this.redactions[KIND_KEY[kind]]++;
  }

  /**
   * Counts one dropped value.
   *
   * @param kind - the value's kind
   */
  countDrop(kind: ValueKind): void {
    this.drops[KIND_KEY[kind]]++;
  }

  /**
   * Adds another set of counters (e.g. from a worker thread) to this one.
   *
   * @param other - the counters to add; unchanged
   * @returns this
   */
  merge(other: FilterStats): this {
    this.scopesSkipped += other.scopesSkipped;
    const keys = ObjectKeys(this.redactions) as (keyof ValueKindCounts)[];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.redactions[key] += other.redactions[key];
      this.drops[key] += other.drops[key];
    }
    return this;
  }

  /** @returns a copy of the counters in the metadata shape */
  toJSON(): FilterStatsJSON {
    return {
      scopes_skipped: this.scopesSkipped,
      value_redactions: { ...this.redactions },
      value_drops: { ...this.drops },
    };
  }
}
