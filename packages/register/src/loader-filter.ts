/**
 * The trace filter as the loader's compile step uses it (apart from `compile.ts`, so the module
 * hooks can hold one without loading Babel).
 */
import type { ScopeFilter } from "@codetracer/instrument";

/** The trace filter as the loader uses it. */
export interface LoaderFilter {
  /** The instrumenter's scope decisions for a recorded file. */
  scopesFor(file: string): ScopeFilter | undefined;
  /** Told the number of scopes of a recorded file the filter skipped entirely. */
  countSkipped(scopes: number): void;
  /**
   * What the decisions of {@link LoaderFilter.scopesFor} depend on, as a string (the transform
   * cache's key includes it): the chain's filters (with their SHA-256) and the include/exclude globs.
   */
  fingerprint: string;
}

/** A filter that records everything and counts nothing (`compile-only`, tests). */
export const NO_FILTER: LoaderFilter = { scopesFor: () => undefined, countSkipped: () => {}, fingerprint: "" };
