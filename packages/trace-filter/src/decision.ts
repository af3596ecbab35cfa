/**
 * What a trace-filter decision is, for everyone who consumes one: the instrumenter (at compile
 * time), the runtime (the session API's run-time filter) and the chain that makes them. One home
 * for the shape and for how two decisions combine. Pure: no Node import, usable in a browser.
 * How rules produce a decision is in `chain.ts` (docs/trace-filters.md, "How rules combine").
 *
 * @packageDocumentation
 */
import type { ExecAction, ValueAction } from "./types.js";

/** The value kinds a scope's decision is asked about (the DSL's kinds but `attr`, which is asked per object field). */
export type ScopeValueKind = "arg" | "local" | "global" | "ret";

/**
 * The decision for one scope (a function, static block or module body), as its consumers use it.
 * `FilterChain#classify` returns a richer {@link ScopeDecision} of this shape.
 */
export interface ScopePolicy {
  /** `trace` records the scope; `skip` leaves it out (its nested functions decide for themselves). */
  readonly exec: ExecAction;
  /**
   * What to do with one value of the scope: `allow` captures it; `redact` keeps the name and
   * writes `<redacted>`; `drop` leaves it out. `arg` is a parameter, `local` a local at a step,
   * `global` a module-level binding (at the module body's steps), `ret` the return value (matched
   * against the scope's qualified name).
   */
  valueAction(kind: ScopeValueKind, name: string): ValueAction;
}

/**
 * The stricter of two value decisions: `drop` over `redact` over `allow`. Two filters applied
 * one over the other (a loader's compile-time chain and a session's run-time chain) can only
 * hide more, never bring a value back.
 */
export function stricter(a: ValueAction, b: ValueAction): ValueAction {
  if (a === "drop" || b === "drop") return "drop";
  if (a === "redact" || b === "redact") return "redact";
  return "allow";
}
