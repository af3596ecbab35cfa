/**
 * The trace filter's `attr` decisions as the recorder's field policy ({@link RecorderOptions.attrPolicy}),
 * for every place a recorder runs: the Node session API and loader (`./node/api.ts`), a Node
 * bundle (`unplugin-codetracer/runtime`) and a page (`unplugin-codetracer/browser`). Browser-safe:
 * it takes the chain by its shape, not by importing `@codetracer/trace-filter`.
 * @packageDocumentation
 */
import type { AttrPolicy, RecorderOptions } from "./recorder.js";
import { SafeWeakMap } from "./primordials.js";

/** What {@link attrPolicyOf} needs of a scope decision (`ScopeDecision` of `@codetracer/trace-filter`). */
export interface AttrDecision {
  /** The action every name of `kind` gets, or `undefined` when it depends on the name. */
  uniformValueAction(kind: "attr"): "allow" | "redact" | "drop" | undefined;
  /** The action for the value named `name`. */
  valueAction(kind: "attr", name: string): "allow" | "redact" | "drop";
}

/** What {@link attrPolicyOf} needs of a filter chain (`FilterChain` of `@codetracer/trace-filter`). */
export interface AttrChain {
  /** The decision for a scope: `file` as the recorder names it, `obj` the function's name. */
  classify(query: { file: string; obj: string }): AttrDecision;
}

/**
 * The `attr` decisions of `chain` as the recorder's field policy per scope: `null` for a scope
 * whose fields are all allowed (nothing to ask per field), else a function from a field name
 * to its action. Scopes that share a decision share the policy, so the value encoder keeps each
 * field's answer on its shape while the policy stays the same.
 *
 * @param chain - the filter chain (builtin first, as the front door composed it)
 * @param normalizeFile - applied to the recorder's file path before classifying (Node passes
 *   `path.normalize`; a page passes nothing)
 */
export function attrPolicyOf(chain: AttrChain, normalizeFile: (file: string) => string = (file) => file): NonNullable<RecorderOptions["attrPolicy"]> {
  const policies = new SafeWeakMap<object, AttrPolicy>();
  return (file, scope) => {
    const decision = chain.classify({ file: normalizeFile(file), obj: scope });
    if (decision.uniformValueAction("attr") === "allow") return null;
    let policy = policies.get(decision);
    if (policy === undefined) {
      policy = (field) => decision.valueAction("attr", field);
      policies.set(decision, policy);
    }
    return policy;
  };
}
