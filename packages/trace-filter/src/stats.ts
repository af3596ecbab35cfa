/**
 * Filter counters and the provenance metadata of a chain.
 *
 * @packageDocumentation
 */

import { appendOwn, ObjectKeys } from "@codetracer/trace-format/internal/primordials";
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

/**
 * The `trace_filter` section of `trace_metadata.json` (docs/trace-filters.md, "Metadata"), the
 * one place it is built for every front door: the filters of the chain that decided, and a
 * session's counters, plus scopes the loader skipped without the session seeing them (whole
 * files it never instrumented).
 *
 * @param filters - the chain's provenance (`FilterChain#metadata().filters`), chain order
 * @param counters - the session's counters (its recorder's)
 * @param scopesSkippedAtLoad - scopes skipped outside the session; default 0
 * @returns `{ filters, stats }`, new objects (the inputs are not kept)
 */
export function traceFilterSection(filters: readonly FilterProvenance[], counters: FilterStatsJSON, scopesSkippedAtLoad = 0): FilterMetadata {
  const list: FilterProvenance[] = [];
  for (let i = 0; i < filters.length; i++) appendOwn(list, filters[i]!);
  return {
    filters: list,
    stats: {
      scopes_skipped: counters.scopes_skipped + scopesSkippedAtLoad,
      value_redactions: { ...counters.value_redactions },
      value_drops: { ...counters.value_drops },
    },
  };
}

/**
 * The filters of a session that applies its own chain (the session API's `traceFilter`) on top
 * of a loader's: the loader's filters (its builtin first), then the session chain's own files
 * without its builtin (which the loader's list already holds); without a loader, the session
 * chain's whole list.
 *
 * @param loaderFilters - the loader's provenance, or `undefined` when no loader instruments the thread
 * @param own - the session chain's provenance, builtin first
 * @returns the combined list, chain order
 */
export function stackedFilterProvenance(loaderFilters: readonly FilterProvenance[] | undefined, own: readonly FilterProvenance[]): FilterProvenance[] {
  const list: FilterProvenance[] = [];
  if (loaderFilters) for (let i = 0; i < loaderFilters.length; i++) appendOwn(list, loaderFilters[i]!);
  else if (own.length > 0) appendOwn(list, own[0]!);
  for (let i = 1; i < own.length; i++) appendOwn(list, own[i]!);
  return list;
}
